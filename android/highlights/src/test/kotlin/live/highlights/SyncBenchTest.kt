package live.highlights

import java.nio.file.Files
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Tag
import org.junit.jupiter.api.Test
import uniffi.highlights_ffi.HttpTransport

/**
 * Full sync of 1,000 recordings and 20,000 highlights into a fresh cache, and an idle resync's
 * requests and bytes, over the library's own stack and over the phone's (OkHttp), in one run
 * against the sync benchmark's backend. Prints figures; asserts only that the work happened.
 * Run: scripts/bench-kotlin.sh.
 */
@Tag("bench")
class SyncBenchTest {
    private fun fullSync(url: String, token: String, transport: HttpTransport?): Double {
        val db = Files.createTempDirectory("sync-bench").resolve("h.db").toString()
        return HighlightsClient.open(db, "seller-a", url, transport) { token }.use { c ->
            val t = System.nanoTime()
            val report = runBlocking { c.syncNow() }
            val ms = (System.nanoTime() - t) / 1e6
            check(report.pages >= 20u) { "a full sync is many pages: ${report.pages}" }
            ms
        }
    }

    @Test
    fun `full and idle sync over each transport`() {
        val bin = System.getProperty("highlights.big-backend.bin") ?: error("highlights.big-backend.bin is not set")
        val process = ProcessBuilder(bin).redirectError(ProcessBuilder.Redirect.INHERIT).start()
        try {
            val first = process.inputStream.bufferedReader().readLine() ?: error("the backend did not start")
            val (url, token) = Regex("serving on (\\S+) token (\\S+)").find(first)!!.destructured
            val stacks = listOf<Pair<String, () -> HttpTransport?>>("own stack" to { null }, "OkHttp" to { OkHttpTransport() })
            for ((_, transport) in stacks) fullSync(url, token, transport()) // warm both
            for ((name, transport) in stacks) {
                val runs = (1..5).map { fullSync(url, token, transport()) }.sorted()
                println("kotlin bench: full sync over %s: median %.0f ms (runs: %s)".format(name, runs[2], runs.joinToString { "%.0f".format(it) }))
            }
            TestFaultProxy(url).use { proxy ->
                for ((name, transport) in stacks) {
                    val db = Files.createTempDirectory("sync-bench").resolve("h.db").toString()
                    HighlightsClient.open(db, "seller-a", proxy.url, transport()) { token }.use { c ->
                        runBlocking { c.syncNow() }
                        val (r0, b0) = proxy.requests() to proxy.bytes()
                        runBlocking { c.syncNow() }
                        println("kotlin bench: idle resync over %s: %d request(s), %d bytes".format(name, proxy.requests() - r0, proxy.bytes() - b0))
                    }
                }
            }
        } finally {
            process.outputStream.close()
            process.destroy()
        }
    }
}
