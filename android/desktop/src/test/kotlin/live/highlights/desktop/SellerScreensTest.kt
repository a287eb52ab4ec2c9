package live.highlights.desktop

import androidx.compose.ui.test.DesktopComposeUiTest
import androidx.compose.ui.test.assertIsOff
import androidx.compose.ui.test.assertIsOn
import androidx.compose.ui.test.hasAnyAncestor
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.isDialog
import androidx.compose.ui.test.onFirst
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextReplacement
import androidx.compose.ui.test.runDesktopComposeUiTest
import androidx.compose.ui.test.hasSetTextAction
import java.util.Locale
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import kotlinx.coroutines.runBlocking
import live.highlights.HighlightsClient
import live.highlights.TestBackend
import live.highlights.app.HighlightsRoot
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import uniffi.highlights_api.HighlightKind
import uniffi.highlights_core.HighlightBadge

/**
 * The seller's journeys through the real Compose screens (the Android app's files), the real core
 * through JNA and the real server on loopback: every step finds what is on screen and clicks it,
 * and every step asserts what the seller sees. Each screen and overlay is saved as PNG.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SellerScreensTest {
    private lateinit var backend: TestBackend

    @BeforeAll
    fun start() {
        backend = TestBackend(withoutVideos = true)
    }

    @AfterAll
    fun stop() = backend.close()

    private fun screens(seller: String, token: String, dark: Boolean = false, locale: Locale = Locale.ENGLISH, body: DesktopComposeUiTest.(HighlightsClient, DesktopShell) -> Unit) {
        val client = client(backend, seller) { token }
        val shell = DesktopShell(locale)
        try {
            runBlocking { client.syncNow() }
            // As the Android activity does while started: queued actions go out at once.
            client.startBackgroundSync()
            runDesktopComposeUiTest(PHONE_WIDTH, PHONE_HEIGHT) {
                setContent { HighlightsRoot(client, shell, dark) }
                body(client, shell)
            }
        } finally {
            client.close()
        }
    }

    @Test
    fun `toggle through onboarding, privacy page from the backend, back to Products`() {
        val token = backend.seller("ui-toggle")
        screens("ui-toggle", token) { _, shell ->
            seeText("Products")
            screenshot("01-products")
            tap("Open")
            seeText("Up to 7 videos per LIVE and 2 per pinned product, about 2 min after each moment.")
            seeLabel("Auto LIVE Highlights").assertIsOff()
            screenshot("02-highlights")

            tap("How your LIVE data is used")
            seeText(TestBackend.PRIVACY_NOTICE)
            screenshot("03-privacy")
            tap("Close")
            seeNoText(TestBackend.PRIVACY_NOTICE)

            tapLabel("Auto LIVE Highlights")
            seeText("Your best LIVE moments become shoppable videos automatically.")
            seeText("Up to 7 per LIVE, about 2 min after each moment.")
            screenshot("04-onboarding")
            tap("Not now")
            seeNoText("Your best LIVE moments become shoppable videos automatically.")
            seeLabel("Auto LIVE Highlights").assertIsOff()

            tapLabel("Auto LIVE Highlights")
            tap("Turn on")
            seeText("LIVE highlights")
            seeText("No LIVE recordings yet", substring = true)
            screenshot("05-module-empty")
            eventually("the server has the toggle on") { backend.get("/v1/settings", token).body().contains("\"highlights_on\":true") }

            shell.back.press()
            seeLabel("Auto LIVE Highlights").assertIsOn()
            tapLabel("Back")
            seeText("Shopping bag")

            // Before going LIVE: off for the next LIVE only, the feature stays on.
            seeLabel("Highlights for my next LIVE").assertIsOn()
            tapLabel("Highlights for my next LIVE")
            seeText("Off for your next LIVE only", substring = true)
            screenshot("17-next-live-off")
            eventually("the server has the next LIVE off") {
                backend.get("/v1/settings", token).body().let { it.contains("\"next_live_highlights_on\":false") && it.contains("\"highlights_on\":true") }
            }
        }
    }

    @Test
    fun `pre-LIVE pop-up - X, system back, and Turn on through onboarding`() {
        val x = backend.seller("ui-popup-x", popup = true)
        screens("ui-popup-x", x) { _, _ ->
            tap("Shopping bag")
            seeText("Auto-post highlights of this LIVE?")
            seeText("We'll post up to 7 short videos of its best moments to your profile.")
            screenshot("06-popup")
            tapLabel("Close")
            seeNoText("Auto-post highlights of this LIVE?")
            tap("Shopping bag")
            waitForIdle()
            assertTrue(onAllNodes(isDialog()).fetchSemanticsNodes().isEmpty(), "inside the cooldown, no pop-up")
        }
        val back = backend.seller("ui-popup-back", popup = true)
        screens("ui-popup-back", back) { client, shell ->
            tap("Shopping bag")
            seeText("Auto-post highlights of this LIVE?")
            assertTrue(shell.back.press(), "the pop-up takes system back")
            seeNoText("Auto-post highlights of this LIVE?")
            eventually("back closes it as X does") { client.popup.value == null && !client.highlights.value.on }
        }
        val on = backend.seller("ui-popup-on", popup = true)
        screens("ui-popup-on", on) { _, _ ->
            tap("Shopping bag")
            tap("Turn on")
            seeText("Your best LIVE moments become shoppable videos automatically.")
            tap("Turn on")
            seeText("LIVE highlights")
            eventually("the server has the toggle on") { backend.get("/v1/settings", on).body().contains("\"highlights_on\":true") }
        }
    }

    @Test
    fun `module - LIVE now, scheduled, recommendations, remove, post, create a video, a refused one`() {
        val token = backend.seller("ui-module")
        screens("ui-module", token) { client, shell ->
            turnOnFromProducts()
            seeText("No LIVE recordings yet", substring = true)
            eventually("the toggle reached the server") { backend.get("/v1/settings", token).body().contains("\"highlights_on\":true") }

            // Every moment over the engine's floor is auto-posted, so that the caps alone decide here:
            // a third moment of one product (cap 2) is a recommendation.
            everyMomentOverTheFloorAutoPosts()
            // A LIVE that started 15 minutes ago and is still on; its last moment, a few seconds
            // ago, is scheduled ~90 s after it was identified.
            backend.ongoingLive(
                "ui-module", "ui-module-live", System.currentTimeMillis(), minutes = 15,
                bursts = listOf(1.5 to 1.5, 3.8 to 1.5, 6.2 to 1.5, 10.0 to 1.5, 14.3 to 1.5),
                products = listOf("sku-1" to "Glow serum", "sku-2" to "Lip tint"),
            )
            tap("Refresh")
            seeText("Skincare night · LIVE")
            // What the engine did arrives as one coalesced banner per kind, and as a system notification.
            seeText("from Skincare night:", substring = true)
            assertTrue(shell.systemNotifications.values.any { "Skincare night" in it }, "${shell.systemNotifications}")
            screenshot("07-module")
            tap("Skincare night · LIVE")
            seeText("Create video")
            // Moments identified long enough ago post at once; pull to refresh as a seller would.
            refreshUntil("Posted · LIVE now")
            seeText("Scheduled · posts at", substring = true)
            // The third moment of one product is over its cap (2): a recommendation.
            seeText("Recommended")
            screenshot("08-recording")
            val recording = client.recording.value!!
            assertTrue(recording.highlights.any { it.badge == HighlightBadge.LIVE_NOW }, "LIVE now rows")
            assertTrue(recording.highlights.any { it.badge == HighlightBadge.SCHEDULED }, "scheduled rows")

            // Remove says which highlight it removes; the row then shows as removed.
            val first = recording.highlights.first { it.badge == HighlightBadge.LIVE_NOW }
            val range = offsetRange(recording.recording.startedAtMs, first.startMs, first.endMs)
            tapLabel("Remove highlight $range")
            seeText("Removed")
            eventually("the server removed it") { backend.get("/v1/lives/ui-module-live/highlights", token).body().contains("\"removed\"") }

            // Recommendations: post one.
            val rec = client.recording.value!!.recommendations.first()
            tapLabel("Post recommendation " + offsetRange(recording.recording.startedAtMs, rec.startMs, rec.endMs))
            eventually("the recommendation left the list") { client.recording.value!!.recommendations.none { it.id == rec.id } }

            // A video the core refuses (before the LIVE started): the notice shows, nothing changes.
            val before = client.recording.value!!.highlights.size
            tap("Create video")
            onAllNodes(hasSetTextAction()).onFirst().performTextReplacement("-30")
            screenshot("09-create-video")
            tap("Create")
            seeText("Choose a start inside the LIVE", substring = true)
            assertEquals(before, client.recording.value!!.highlights.size)

            // The dialog stays open with what the seller typed; fixing the start makes it a real one.
            seeText("Start (seconds into the LIVE)")
            onAllNodes(hasSetTextAction()).onFirst().apply { performClick(); performTextReplacement("60") }
            tap("Lip tint")
            tap("Create")
            seeText("Lip tint · 1:00–1:20")
            eventually("the server has the seller's video") { backend.get("/v1/lives/ui-module-live/highlights", token).body().contains("\"manual\"") }
            screenshot("10-recording-after")

            // Remove all, after a confirmation; undo brings the rows back before anything is sent.
            // Only auto-posts go: the posted recommendation and the seller's own video stay.
            val autos = client.recording.value!!.highlights.count { it.kind == HighlightKind.AUTO }
            fun removedRows() = onAllNodes(hasText("Removed")).fetchSemanticsNodes().size
            assertEquals(1, removedRows(), "the one removed by hand")
            assertTrue(autos > 1, "auto-posts to remove: $autos")
            tap("Remove all")
            seeText("Remove all auto-posted highlights of this LIVE?")
            screenshot("14-remove-all-confirm")
            onNode(hasText("Remove all") and hasAnyAncestor(isDialog())).performClick()
            seeText("Auto-posted highlights removed")
            eventually("every auto-post shows as removed") { removedRows() == autos }
            screenshot("15-remove-all-undo")
            tap("Undo")
            eventually("undo brings them back") { removedRows() == 1 }
            assertEquals(null, client.undo.value)
            assertTrue(backend.get("/v1/lives/ui-module-live/highlights", token).body().contains("\"kind\":\"auto\",\"status\":\"posted\""))

            // Again, and let the undo window pass: the server takes every auto-post of the LIVE down.
            tap("Remove all")
            onNode(hasText("Remove all") and hasAnyAncestor(isDialog())).performClick()
            seeText("Auto-posted highlights removed")
            eventually("the server removed every auto-post") {
                val body = backend.get("/v1/lives/ui-module-live/highlights", token).body()
                !body.contains("\"kind\":\"auto\",\"status\":\"posted\"") && !body.contains("\"kind\":\"auto\",\"status\":\"scheduled\"")
            }
            refreshUntilRemoved(autos)
            assertTrue(backend.get("/v1/lives/ui-module-live/highlights", token).body().contains("\"kind\":\"manual\",\"status\":\"posted\""), "the seller's own video stays")

            // This LIVE only: switched off during it, from the module; the server keeps the choice.
            seeLabel("Highlights for this LIVE").assertIsOn()
            tapLabel("Highlights for this LIVE")
            seeText("Off for this LIVE", substring = true)
            seeLabel("Highlights for this LIVE").assertIsOff()
            screenshot("16-live-switched-off")
            eventually("the server has this LIVE off") {
                backend.get("/v1/lives/ui-module-live", token).body().contains("\"highlights_on\":false")
            }
            assertTrue(backend.get("/v1/settings", token).body().contains("\"highlights_on\":true"), "the feature stays on")
            tapLabel("Back")
            seeText("LIVE highlights")
            // Dismissed banners go, newest first, until none is left.
            repeat(10) { if (onAllNodes(hasContentDescription("Dismiss")).fetchSemanticsNodes().isNotEmpty()) tapLabel("Dismiss") }
            eventually("every notification dismissed") { client.notifications.value.isEmpty() }
            seeNoText("from Skincare night:", substring = true)
        }
    }

    @Test
    fun `ask me before posting - moments wait for the seller, approve one, skip one`() {
        val token = backend.seller("ui-review")
        screens("ui-review", token) { client, _ ->
            turnOnFromProducts()
            tapLabel("Back")
            seeLabel("Ask me before posting").assertIsOff()
            tapLabel("Ask me before posting")
            seeLabel("Ask me before posting").assertIsOn()
            eventually("the server has review on") {
                backend.get("/v1/settings", token).body().let { it.contains("\"review_before_posting\":true") && it.contains("\"highlights_on\":true") }
            }
            everyMomentOverTheFloorAutoPosts()
            // Moments of a LIVE that started six minutes ago: found as its events arrive, each waits
            // for the seller's OK until its post time, fixed when it is found. A long post delay
            // while they arrive keeps every one of them waiting for as long as the test needs.
            backend.config(postDelayS = 1_800)
            try {
                backend.ongoingLive(
                    "ui-review", "ui-review-live", System.currentTimeMillis(), minutes = 6,
                    bursts = listOf(1.0 to 1.5, 3.0 to 1.5, 5.0 to 1.5), products = listOf("sku-1" to "Glow serum", "sku-2" to "Lip tint"),
                )
            } finally {
                backend.config()
            }
            tap("Highlight module")
            tap("Refresh")
            tap("Skincare night · LIVE")
            seeText("Waiting for your OK", substring = true)
            screenshot("18-review-waiting")
            val waiting = client.recording.value!!.highlights.filter { it.badge == HighlightBadge.AWAITING_APPROVAL }
            assertTrue(waiting.size >= 2, "moments to review: ${waiting.size}")
            val t0 = client.recording.value!!.recording.startedAtMs
            val (first, second) = waiting[0] to waiting[1]
            tapLabel("Approve highlight " + offsetRange(t0, first.startMs, first.endMs))
            tapLabel("Skip highlight " + offsetRange(t0, second.startMs, second.endMs))
            eventually("the server has one approved, one skipped") {
                val body = backend.get("/v1/lives/ui-review-live/highlights", token).body()
                body.contains("\"review\":\"approved\"") && body.contains("\"status\":\"removed\"")
            }
        }
    }

    @Test
    fun `which LIVEs - only those with a ticked product, then results per video and per LIVE`() {
        val token = backend.seller("ui-results")
        backend.lives("ui-results", 1)
        backend.highlights("ui-results", "ui-results-000", 2, token)
        val ids = Regex("\"id\":\"(hl_[^\"]+)\"").findAll(backend.get("/v1/lives/ui-results-000/highlights", token).body())
            .map { it.groupValues[1] }.toList()
        assertTrue(ids.size >= 2, "videos to earn results: $ids")
        fun ev(id: String, type: String, extra: String = "") =
            """{"highlight_id":"$id","ts_ms":${TestBackend.T0 + 3_600_000},"type":"$type"${if (extra.isEmpty()) "" else ",$extra"}}"""
        backend.viewerEvents(
            ev(ids[0], "view", "\"watch_ms\":20000"), ev(ids[0], "view", "\"watch_ms\":9000"), ev(ids[0], "live_entry"),
            ev(ids[0], "product_click"), ev(ids[0], "order", "\"amount_minor\":4990"), ev(ids[1], "view", "\"watch_ms\":5000"),
        )
        screens("ui-results", token) { _, _ ->
            tap("Open")
            seeText("Which LIVEs get highlights")
            seeText("All your shoppable LIVEs", substring = true)
            tapLabel("Only LIVEs with Serum")
            seeText("Only LIVEs that show one of the 1 ticked products.")
            eventually("the server has the choice") { backend.get("/v1/settings", token).body().contains("\"only_products\":[\"sku-1\"]") }
            screenshot("19-which-lives")
            tapLabel("Only LIVEs with Serum")
            eventually("back to every LIVE on the server") { backend.get("/v1/settings", token).body().contains("\"only_products\":[]") }

            tap("Highlight module")
            tap("LIVE 0")
            seeText("This LIVE's videos: Views 3 · LIVE entries 1 · Product clicks 1 · Orders 1 · GMV \$49.90")
            seeText("Results: Views 2 · LIVE entries 1 · Product clicks 1 · Orders 1 · GMV \$49.90")
            seeText("Results: Views 1 · LIVE entries 0 · Product clicks 0 · Orders 0 · GMV \$0.00")
            screenshot("20-results")
        }
    }

    @Test
    fun `offline - actions wait, show as waiting, and reach the server once it is back`() {
        val port = TestBackend.freePort()
        // Signed in all along; the network is what is missing until the backend starts.
        var token = "hlt_not_yet_issued"
        val client = HighlightsClient.open(
            kotlin.io.path.createTempDirectory("highlights-ui").resolve("h.db").toString(), "ui-offline", "http://127.0.0.1:$port",
        ) { token }
        val shell = DesktopShell(Locale.ENGLISH)
        client.startBackgroundSync()
        try {
            runDesktopComposeUiTest(PHONE_WIDTH, PHONE_HEIGHT) {
                setContent { HighlightsRoot(client, shell, false) }
                tap("Open")
                seeText("Loading limits…")
                tapLabel("Auto LIVE Highlights")
                tap("Turn on")
                tapLabel("Back")
                seeLabel("Auto LIVE Highlights").assertIsOn()
                tap("Highlight module")
                tap("Refresh")
                seeText("Offline", substring = true)
                seeText("2 waiting to send", substring = true)
                screenshot("11-offline")
                TestBackend(port, withoutVideos = true).use { later ->
                    token = later.seller("ui-offline")
                    tap("Refresh")
                    seeText("Online", substring = true)
                    seeNoText("waiting to send", substring = true)
                    eventually("the server has the toggle on") { later.get("/v1/settings", token).body().contains("\"highlights_on\":true") }
                }
            }
        } finally {
            client.close()
        }
    }

    @Test
    fun `dark theme and Indonesian`() {
        val token = backend.seller("ui-looks")
        screens("ui-looks", token, dark = true) { _, _ ->
            tap("Open")
            seeText("Up to 7 videos per LIVE", substring = true)
            screenshot("12-highlights-dark")
        }
        screens("ui-looks", token, locale = Locale.forLanguageTag("id")) { _, _ ->
            seeText("Produk")
            tap("Buka")
            seeText("Maksimal 7 video per LIVE dan 2 per produk yang disematkan, sekitar 2 menit setelah setiap momen.")
            seeLabel("Sorotan LIVE Otomatis").assertIsOff()
            screenshot("13-highlights-id")
        }
    }

    /** Products → Highlights → the toggle → onboarding's Turn on, as a first-time seller does. */
    private fun DesktopComposeUiTest.turnOnFromProducts() {
        tap("Open")
        tapLabel("Auto LIVE Highlights")
        tap("Turn on")
    }

    /** The engine's auto-post bar down to its floor, so that the caps and the seller's choices alone decide. */
    private fun everyMomentOverTheFloorAutoPosts() {
        val settings = kotlin.io.path.createTempFile(suffix = ".json").toFile().apply { writeText("""{"auto_post_quantile": 0.0}""") }
        backend.admin("set-engine-settings", settings.path)
    }

    /** Taps Refresh until [count] rows show as removed (the server's answer, pulled). */
    private fun DesktopComposeUiTest.refreshUntilRemoved(count: Int) {
        eventually("$count rows removed after sync") {
            tap("Refresh")
            onAllNodes(androidx.compose.ui.test.hasText("Removed")).fetchSemanticsNodes().size == count
        }
    }

    /** Taps Refresh until [text] shows (the server posts on its own clock). */
    private fun DesktopComposeUiTest.refreshUntil(text: String) {
        repeat(30) {
            if (onAllNodes(androidx.compose.ui.test.hasText(text, substring = true)).fetchSemanticsNodes().isNotEmpty()) return
            tap("Refresh")
            Thread.sleep(500)
            waitForIdle()
        }
        seeText(text, substring = true)
    }

    private fun offsetRange(t0: Long, start: Long, end: Long) = live.highlights.app.offset(start - t0) + "–" + live.highlights.app.offset(end - t0)
}
