package live.highlights

import java.nio.file.Files
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Tag
import org.junit.jupiter.api.Test
import uniffi.highlights_ffi.HighlightsApp
import uniffi.highlights_ffi.TokenProvider

/**
 * The cost of crossing from Kotlin into the core. Prints figures; asserts nothing about time.
 * Run: scripts/bench-kotlin.sh (mvn test -Dgroups=bench -DexcludedGroups=none).
 */
@Tag("bench")
class CallCostBenchTest {
    private fun measure(name: String, iterations: Int, body: () -> Unit) {
        repeat(iterations / 10) { body() }
        val runs = (1..5).map {
            val t = System.nanoTime()
            repeat(iterations) { body() }
            (System.nanoTime() - t).toDouble() / iterations
        }.sorted()
        println("kotlin bench: %-40s median %10.0f ns/call (runs: %s)".format(name, runs[2], runs.joinToString { "%.0f".format(it) }))
    }

    @Test
    fun `call cost and a page of 50 highlights`() = runBlocking<Unit> {
        TestBackend().use { backend ->
            val token = backend.seller("kt-bench")
            backend.lives("kt-bench", 60)
            backend.highlights("kt-bench", "kt-bench-000", 50)
            val db = Files.createTempDirectory("bench").resolve("h.db").toString()
            val app = HighlightsApp(db, "kt-bench", backend.url, object : TokenProvider { override fun token() = token })
            app.sync()
            // Where a call's time goes: the JNA structure stock uniffi bindings allocate and marshal
            // for every call (ours pass native memory instead: kotlin_call_status.rs), a bare JNA
            // direct call, and the whole no-op method call.
            measure("JNA: new RustCallStatus structure only", 200_000) { uniffi.highlights_ffi.UniffiRustCallStatus() }
            measure("JNA: direct call, no structure (checksum)", 200_000) {
                uniffi.highlights_ffi.IntegrityCheckingUniffiLib.uniffi_highlights_ffi_checksum_method_highlightsapp_cancel_sync()
            }
            measure("one call (unsubscribe, no-op)", 200_000) { app.unsubscribe(0uL) }
            app.dispatch(uniffi.highlights_core.Event.OpenModule)
            measure("view(): module page of 50 recordings", 2_000) { app.view() }
            app.dispatch(uniffi.highlights_core.Event.OpenRecording("kt-bench-000"))
            check(app.view().recording!!.highlights.size + app.view().recording!!.recommendations.size == 50)
            measure("view(): recording with 50 highlights", 2_000) { app.view() }
            app.shutdown()
            app.destroy()
        }
    }
}
