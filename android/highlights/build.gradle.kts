// The Kotlin library: uniffi bindings (android=true variant) + the idiomatic wrapper + lifecycle glue.
// Native libraries come from scripts/package-android.sh (cargo-ndk into src/main/jniLibs).
plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
}

val generatedBindings = layout.buildDirectory.dir("generated/uniffi")

android {
    namespace = "live.highlights"
    compileSdk = 35
    defaultConfig {
        minSdk = 24
        consumerProguardFiles("consumer-rules.pro")
    }
    // src/okhttp: the phone's transport (the PC app, built from src/main, keeps the core's own stack).
    sourceSets["main"].kotlin.srcDirs("src/main/kotlin", "src/android/kotlin", "src/okhttp/kotlin", generatedBindings)
    // The loopback backend the JVM tests and the desktop UI tests share.
    sourceSets["test"].kotlin.srcDirs("src/test/kotlin", "src/testFixtures/kotlin")
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin { jvmToolchain(17) }

// Regenerates the bindings from the host build of the same sources, so they always match the .so files.
val generateBindings by tasks.registering(Exec::class) {
    val root = rootDir.parentFile
    workingDir = root
    commandLine(
        "sh", "-c",
        "cargo build -p highlights-ffi && cargo run -q -p uniffi-bindgen -- generate " +
            "--library target/debug/libhighlights_ffi.so --language kotlin --no-format " +
            "--config bindings/uniffi-android.toml --out-dir ${generatedBindings.get().asFile}"
    )
    outputs.dir(generatedBindings)
}
tasks.named("preBuild") { dependsOn(generateBindings) }

dependencies {
    implementation("net.java.dev.jna:jna:5.18.1@aar")
    // The platform's network stack for the core (OkHttpTransport): the phone's library has none.
    implementation("com.squareup.okhttp3:okhttp:5.5.1")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.10.2")
    implementation("androidx.lifecycle:lifecycle-common:2.8.7")
    testImplementation("org.jetbrains.kotlin:kotlin-test-junit5:2.2.21")
}
