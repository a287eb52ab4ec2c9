package live.highlights

import androidx.lifecycle.DefaultLifecycleObserver
import androidx.lifecycle.Lifecycle
import androidx.lifecycle.LifecycleOwner

/**
 * Ties the client to a screen's lifecycle: background sync while started, closed when destroyed.
 * Android only (Gradle build); the JVM build has no androidx.
 */
fun HighlightsClient.bindTo(lifecycle: Lifecycle) {
    lifecycle.addObserver(object : DefaultLifecycleObserver {
        override fun onStart(owner: LifecycleOwner) = startBackgroundSync()
        override fun onStop(owner: LifecycleOwner) = cancelSync()
        override fun onDestroy(owner: LifecycleOwner) = close()
    })
}
