package live.highlights

import java.nio.file.Files
import java.util.logging.Handler
import java.util.logging.Level
import java.util.logging.LogRecord
import java.util.logging.Logger
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import uniffi.highlights_ffi.HighlightsException
import uniffi.highlights_ffi.HttpTransport

/**
 * The fault cases of the Rust suites, through the real library against the real server behind the
 * fault-injecting proxy, over the library's own stack; [OkHttpTransportFaultsTest] runs them over
 * the phone's. Whatever breaks, the error is typed, the screen keeps its last good state, and the
 * seller's action reaches the server exactly once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
open class TransportFaultsTest {
    private lateinit var backend: TestBackend
    private lateinit var proxy: TestFaultProxy

    /** How the core reaches the server: null for the library's own stack. */
    protected open fun transport(): HttpTransport? = null

    @BeforeAll
    fun start() {
        backend = TestBackend(withoutVideos = true)
        proxy = TestFaultProxy(backend.url)
    }

    @AfterAll
    fun stop() {
        proxy.close()
        backend.close()
    }

    private fun manualVideos(token: String, live: String): Int =
        Regex("\"kind\":\"manual\"").findAll(backend.get("/v1/lives/$live/highlights", token).body()).count()

    @Test
    fun `every broken exchange is typed, keeps the screen and delivers the video exactly once`() = runBlocking<Unit> {
        val seller = "kt-faults-" + (transport()?.javaClass?.simpleName ?: "own").lowercase()
        val token = backend.seller(seller)
        backend.lives(seller, 12)
        val faults = listOf(
            "status 500", "forward-then-status 502", "too-many 0", "reset", "truncate",
            "invalid-json", "huge 20000000", "wrong-content-type",
        )
        val logged = mutableListOf<String>()
        val capture = object : Handler() {
            override fun publish(record: LogRecord) { synchronized(logged) { logged += "${record.loggerName}: ${record.message}" } }
            override fun flush() {}
            override fun close() {}
        }
        val root = Logger.getLogger("")
        val level = root.level
        root.level = Level.ALL
        root.addHandler(capture)
        try {
            for ((round, fault) in faults.withIndex()) {
                val db = Files.createTempDirectory("highlights-faults").resolve("highlights.db")
                HighlightsClient.open(db.toString(), seller, proxy.url, transport()) { token }.use { c ->
                    c.syncNow()
                    c.openModule()
                    val good = c.module.value.recordings
                    assertEquals(12, good.size, fault)

                    val live = "$seller-%03d".format(round)
                    val rec = good.single { it.id == live }
                    c.createVideo(live, rec.startedAtMs + 60_000, rec.startedAtMs + 80_000, "sku-1")
                    proxy.plan(fault, fault)
                    val failed = runCatching { c.syncNow() }.exceptionOrNull()
                    assertTrue(failed == null || failed is HighlightsException, "$fault: untyped $failed")
                    val during = c.module.value.recordings
                    assertEquals(good.map { it.id }, during.map { it.id }, "$fault: the last good state stays on screen")

                    // The proxy heals; the action goes out at its next retry time (the library's
                    // backoff starts at a second).
                    var tries = 0
                    while (c.sync.value.pendingActions > 0u && tries < 60) {
                        delay(250)
                        runCatching { c.syncNow() }
                        tries++
                    }
                    assertEquals(0u, c.sync.value.pendingActions, "$fault: the action is not stuck")
                    assertEquals(1, manualVideos(token, live), "$fault: delivered exactly once")
                }
            }
        } finally {
            root.removeHandler(capture)
            root.level = level
        }
        assertTrue(proxy.requests() > faults.size * 2, "the faults were met: ${proxy.requests()} requests")
        synchronized(logged) {
            assertTrue(logged.none { token in it || "Bearer" in it }, "no log line carries the token: $logged")
        }
    }

    @Test
    fun `a cancelled sync ends its exchange at once`() = runBlocking<Unit> {
        val seller = "kt-cancel-" + (transport()?.javaClass?.simpleName ?: "own").lowercase()
        val token = backend.seller(seller)
        val transport = transport()
        val db = Files.createTempDirectory("highlights-cancel").resolve("highlights.db")
        HighlightsClient.open(db.toString(), seller, proxy.url, transport) { token }.use { c ->
            val before = proxy.requests()
            proxy.plan("delay-ms 5000")
            val sync = async { runCatching { c.syncNow() } }
            while (proxy.requests() == before) delay(20)
            val t = System.nanoTime()
            sync.cancel()
            sync.join()
            assertTrue((System.nanoTime() - t) / 1_000_000 < 2_000, "the caller is free at once")
            if (transport is OkHttpTransport) {
                var waited = 0
                while (transport.openExchanges() > 0 && waited < 100) { delay(20); waited++ }
                assertEquals(0, transport.openExchanges(), "the core ended the exchange it no longer waits for")
            }
        }
    }
}

/** The fault cases over the phone's network stack (OkHttp). */
class OkHttpTransportFaultsTest : TransportFaultsTest() {
    override fun transport(): HttpTransport = OkHttpTransport()
}
