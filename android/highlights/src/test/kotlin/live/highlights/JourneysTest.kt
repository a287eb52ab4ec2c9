package live.highlights

import java.nio.file.Files
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlinx.coroutines.async
import kotlinx.coroutines.flow.drop
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.yield
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import uniffi.highlights_core.Event
import uniffi.highlights_api.VideoState
import uniffi.highlights_core.HighlightBadge
import uniffi.highlights_core.OnboardingOrigin
import uniffi.highlights_core.Screen
import uniffi.highlights_ffi.HighlightsException
import uniffi.highlights_ffi.HttpTransport
import uniffi.highlights_ffi.InputProblem

/**
 * The seller journeys through the real library (JNA) against the real server on loopback, over
 * the library's own network stack; [OkHttpJourneysTest] runs them again over the phone's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
open class JourneysTest {
    /** How the core reaches the server: null for the library's own stack. */
    protected open fun transport(): HttpTransport? = null

    private lateinit var backend: TestBackend

    @BeforeAll
    fun start() {
        backend = TestBackend()
    }

    @AfterAll
    fun stop() = backend.close()

    private fun client(seller: String, token: String): HighlightsClient {
        val db = Files.createTempDirectory("highlights-app").resolve("highlights.db")
        return HighlightsClient.open(db.toString(), seller, backend.url, transport()) { token }
    }

    @Test
    fun `the client wraps every event the core takes`() {
        val events = Event::class.java.declaredClasses.filter { Event::class.java.isAssignableFrom(it) }
        assertTrue(events.size >= 15, "found ${events.size} events")
        val methods = HighlightsClient::class.java.methods.map { it.name }.toSet()
        val missing = events.map { it.simpleName.replaceFirstChar(Char::lowercase) }.filter { it !in methods }
        assertEquals(emptyList(), missing, "events without a wrapper")
    }

    @Test
    fun `close with background sync running, then close and shutdown again, is harmless`() = runBlocking<Unit> {
        val token = backend.seller("kt-close")
        val c = client("kt-close", token)
        c.startBackgroundSync()
        c.openHighlights()
        c.close()
        c.close()
        c.shutdown()
    }

    @Test
    fun `toggle journey goes through onboarding and reaches the server`() = runBlocking<Unit> {
        val token = backend.seller("kt-toggle")
        client("kt-toggle", token).use { c ->
            c.syncNow()
            c.openHighlights()
            val limits = assertNotNull(c.highlights.value.limits, "limits come from remote config")
            assertEquals(TestBackend.MAX_PER_LIVE.toUInt(), limits.maxPostsPerLive)
            assertEquals(TestBackend.MAX_PER_PRODUCT.toUInt(), limits.maxPostsPerProduct)
            assertEquals(TestBackend.POST_DELAY_S.toUInt(), limits.postDelayS)

            c.setToggle(true)
            assertEquals(OnboardingOrigin.TOGGLE, c.onboarding.value?.origin)
            assertFalse(c.highlights.value.on)
            c.confirmOnboarding()
            assertTrue(c.highlights.value.on)
            assertEquals(Screen.MODULE, c.screen.value, "confirming lands in the highlight module")

            val report = c.syncNow()
            assertEquals(2u, report.push.delivered)
            assertTrue(backend.get("/v1/settings", token).body().contains("\"highlights_on\":true"))
            assertFalse(c.highlights.value.pending)
        }
    }

    @Test
    fun `pre-LIVE pop-up shows for the experiment and X starts the cooldown`() = runBlocking<Unit> {
        val token = backend.seller("kt-popup", popup = true)
        client("kt-popup", token).use { c ->
            c.syncNow()
            c.shoppingBagTapped()
            assertEquals(TestBackend.MAX_PER_LIVE.toUInt(), c.popup.value?.maxPostsPerLive)
            c.dispatch(Event.PopupDismiss)
            assertNull(c.popup.value)
            c.shoppingBagTapped()
            assertNull(c.popup.value, "inside the cooldown")
        }
        val other = backend.seller("kt-nopopup", popup = false)
        client("kt-nopopup", other).use { c ->
            c.syncNow()
            c.shoppingBagTapped()
            assertNull(c.popup.value, "not in the experiment")
        }
    }

    @Test
    fun `pop-up turn on goes through onboarding`() = runBlocking<Unit> {
        val token = backend.seller("kt-popup-on", popup = true)
        client("kt-popup-on", token).use { c ->
            c.syncNow()
            c.shoppingBagTapped()
            c.dispatch(Event.PopupTurnOn)
            assertEquals(OnboardingOrigin.POPUP, c.onboarding.value?.origin)
            c.dismissOnboarding()
            assertFalse(c.highlights.value.on, "dismissing leaves it off")
        }
    }

    @Test
    fun `module pages recordings and creates a video`() = runBlocking<Unit> {
        val token = backend.seller("kt-module")
        backend.lives("kt-module", 60)
        client("kt-module", token).use { c ->
            c.syncNow()
            c.openModule()
            assertEquals(50, c.module.value.recordings.size)
            assertTrue(c.module.value.hasMore)
            c.loadMoreRecordings()
            assertEquals(60, c.module.value.recordings.size)
            assertFalse(c.module.value.hasMore)

            val rec = c.module.value.recordings[0]
            c.openRecording(rec.id)
            assertEquals(2, c.recording.value?.products?.size)
            c.createVideo(rec.id, rec.startedAtMs + 60_000, rec.startedAtMs + 80_000, "sku-2")
            assertEquals(HighlightBadge.PENDING, c.recording.value?.highlights?.single()?.badge)
            c.syncNow()
            val made = c.recording.value?.highlights?.single()
            assertEquals(HighlightBadge.SCHEDULED, made?.badge, "a video posts once it is rendered")
            assertEquals(VideoState.RENDERING, made?.video?.state)
        }
    }

    @Test
    fun `errors arrive as Kotlin exceptions and the state stays`() = runBlocking<Unit> {
        val token = backend.seller("kt-errors")
        backend.lives("kt-errors", 1)
        client("kt-errors", token).use { c ->
            c.syncNow()
            val e = assertThrows<HighlightsException.Input> { runBlocking { c.openRecording("kt-errors-999") } }
            assertEquals(InputProblem.UNKNOWN_RECORDING, e.problem)
            val rec = c.module.value
            val bad = assertThrows<HighlightsException.Input> {
                runBlocking { c.createVideo("kt-errors-000", TestBackend.T0 + 1000, TestBackend.T0 + 2000, "sku-1") }
            }
            assertEquals(InputProblem.INVALID_SEGMENT, bad.problem)
            assertEquals(rec, c.module.value)
            assertThrows<HighlightsException.Input> { runBlocking { c.openRecording("") } }
        }
        client("kt-errors", "hlt_wrong").use { c ->
            assertThrows<HighlightsException.Auth> { runBlocking { c.syncNow() } }
        }
        val signedOut = HighlightsClient.open(Files.createTempDirectory("x").resolve("h.db").toString(), "kt-errors", backend.url) { null }
        signedOut.use { c -> assertThrows<HighlightsException.Auth> { runBlocking { c.syncNow() } } }
    }

    @Test
    fun `observers fire with the right states`() = runBlocking<Unit> {
        val token = backend.seller("kt-flow")
        client("kt-flow", token).use { c ->
            c.syncNow()
            val next = async { withTimeout(5_000) { c.onboarding.drop(1).first() } }
            yield()
            c.setToggle(true)
            assertEquals(OnboardingOrigin.TOGGLE, next.await()?.origin)
            val on = async { withTimeout(5_000) { c.highlights.first { it.on } } }
            c.confirmOnboarding()
            assertTrue(on.await().pending)
            assertEquals(2u, c.sync.value.pendingActions)
        }
    }
}
