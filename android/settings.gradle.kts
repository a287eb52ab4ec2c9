// Android build (needs the Android SDK): the Kotlin library with the android=true bindings and the
// Compose screens. Machines without an SDK use pom.xml (JVM bindings + wrapper + tests) instead.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "highlights-android"
include(":highlights", ":app")
