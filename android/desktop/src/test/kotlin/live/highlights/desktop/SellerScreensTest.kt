package live.highlights.desktop

import androidx.compose.ui.platform.LocalFocusManager
import androidx.compose.ui.semantics.SemanticsActions
import androidx.compose.ui.test.DesktopComposeUiTest
import androidx.compose.ui.test.assertIsNotEnabled
import androidx.compose.ui.test.assertIsOff
import androidx.compose.ui.test.assertIsOn
import androidx.compose.ui.test.hasAnyAncestor
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasScrollAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.isDialog
import androidx.compose.ui.test.onFirst
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performSemanticsAction
import androidx.compose.ui.test.performTouchInput
import androidx.compose.ui.test.runDesktopComposeUiTest
import androidx.compose.ui.test.swipeLeft
import androidx.compose.ui.test.swipeRight
import java.util.Locale
import kotlin.test.assertEquals
import kotlin.test.assertTrue
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

    private fun screens(
        seller: String, token: String, dark: Boolean = false, locale: Locale = Locale.ENGLISH,
        body: DesktopComposeUiTest.(HighlightsClient, DesktopShell) -> Unit,
    ) = screens(backend, seller, token, dark, locale, body)

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
            // What is analysed says the same as the privacy page: the backend's own notice.
            seeText(TestBackend.PRIVACY_NOTICE)
            screenshot("04-onboarding")
            tap("Not now")
            seeNoText("Your best LIVE moments become shoppable videos automatically.")
            seeLabel("Auto LIVE Highlights").assertIsOff()

            tapLabel("Auto LIVE Highlights")
            tap("Turn on")
            seeText("LIVE highlights")
            // Synced and truly empty: said so, never while it is still loading.
            seeText("No LIVE recordings yet")
            seeText("Highlights appear here after your next shoppable LIVE.")
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
    fun `module - LIVE now, countdown, recommendations, remove, post, a clip cut by dragging handles, remove all`() {
        val token = backend.seller("ui-module")
        screens("ui-module", token) { client, shell ->
            turnOnFromProducts()
            seeText("No LIVE recordings yet")
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
            // The LIVE's row: its title and the LIVE chip while it is on, grouped under today.
            seeText("Skincare night")
            onNode(hasTextAsRead("Skincare night") and hasText("LIVE")).assertExists()
            seeText("Today")
            // What the engine did arrives as one coalesced banner per kind, and as a system notification.
            seeText("from Skincare night:", substring = true)
            assertTrue(shell.systemNotifications.values.any { "Skincare night" in it }, "${shell.systemNotifications}")
            screenshot("07-module")
            tap("Skincare night")
            seeText("Create video")
            // Moments identified long enough ago post at once; pull to refresh as a seller would.
            refreshUntil("LIVE now")
            // The newest moment counts down to its post time.
            revealText("Posts in", substring = true)
            // The third moment of one product is over its cap (2): a recommendation.
            revealText("Recommended")
            onAllNodes(hasScrollAction()).onFirst().performSemanticsAction(SemanticsActions.ScrollBy) { it(0f, -5000f) }
            screenshot("08-recording")
            val recording = client.recording.value!!
            assertTrue(recording.highlights.any { it.badge == HighlightBadge.LIVE_NOW }, "LIVE now rows")
            assertTrue(recording.highlights.any { it.badge == HighlightBadge.SCHEDULED }, "scheduled rows")
            val videos = recording.highlights.size
            assertTrue(videos > 1, "videos: $videos")
            revealText("$videos videos")

            // Remove says which highlight it removes; the card then shows as removed, in its own section.
            val first = recording.highlights.first { it.badge == HighlightBadge.LIVE_NOW }
            val range = offsetRange(recording.recording.startedAtMs, first.startMs, first.endMs)
            revealLabel("Remove highlight $range").performClick()
            revealText("1 removed")
            revealText("Removed")
            // The sections count what is still up: the removed one left the videos' count.
            revealText("${videos - 1} videos")
            eventually("the server removed it") { backend.get("/v1/lives/ui-module-live/highlights", token).body().contains("\"removed\"") }

            // Recommendations: post one.
            val rec = client.recording.value!!.recommendations.first()
            revealLabel("Post recommendation " + offsetRange(recording.recording.startedAtMs, rec.startMs, rec.endMs)).performClick()
            eventually("the recommendation left the list") { client.recording.value!!.recommendations.none { it.id == rec.id } }

            // A video cut by hand: no seconds typed, the handles dragged on the recording's timeline.
            val before = client.recording.value!!.highlights.size
            revealText("Create video").performClick()
            seeLabel("Clip end")
            fun clipRange() = onNodeWithTag("clip-range").textAsRead()
            assertEquals("0:00–0:20", clipRange())
            // The start cannot go before the LIVE: dragged left, it stays at 0:00.
            seeLabel("Clip start").performTouchInput { swipeLeft(startX = centerX, endX = centerX - 80f) }
            waitForIdle()
            assertEquals("0:00–0:20", clipRange())
            seeLabel("Clip end").performTouchInput { swipeRight(startX = centerX, endX = centerX + 70f) }
            waitForIdle()
            seeLabel("Clip start").performTouchInput { swipeRight(startX = centerX, endX = centerX + 60f) }
            waitForIdle()
            val chosen = clipRange()
            assertTrue(chosen != "0:00–0:20" && !chosen.startsWith("0:00"), "both handles moved: $chosen")
            val (from, to) = chosen.split("–").map { it.split(":").let { (m, s) -> m.toLong() * 60 + s.toLong() } }
            assertTrue(to - from in 10..60, "the length stays within the server's limits: $chosen")
            onNode(hasText("Lip tint") and hasAnyAncestor(isDialog())).performClick()
            screenshot("09-create-video")
            onNode(hasText("Create") and hasAnyAncestor(isDialog())).performClick()
            eventually("the seller's video is on the recording") { client.recording.value!!.highlights.size == before + 1 }
            revealText(chosen)
            eventually("the server has the seller's video") { backend.get("/v1/lives/ui-module-live/highlights", token).body().contains("\"manual\"") }
            val manual = client.recording.value!!.highlights.first { it.kind == HighlightKind.MANUAL }
            assertEquals(chosen, offsetRange(recording.recording.startedAtMs, manual.startMs, manual.endMs))
            screenshot("10-recording-after")

            // Remove all, from the overflow menu with its count, after a confirmation that says what
            // goes (posted, scheduled) and what stays; undo brings the rows back before anything is sent.
            val now = client.recording.value!!
            val autos = now.highlights.filter { it.kind == HighlightKind.AUTO && it.badge != HighlightBadge.REMOVED }
            val posted = autos.count { it.badge == HighlightBadge.POSTED || it.badge == HighlightBadge.LIVE_NOW }
            val scheduled = autos.size - posted
            fun removed() = client.recording.value!!.highlights.count { it.badge == HighlightBadge.REMOVED }
            assertEquals(1, removed(), "the one removed by hand")
            assertTrue(autos.size > 1, "auto-posts to remove: ${autos.size}")
            assertEquals(autos.size, now.autoPosts.toInt())
            tapLabel("More options")
            tap("Remove all auto-posts (${autos.size})")
            seeText("Remove ${autos.size} auto-posts of this LIVE?")
            if (posted > 0) seeText(if (posted == 1) "1 posted video leaves your profile." else "$posted posted videos leave your profile.")
            if (scheduled > 0) seeText(if (scheduled == 1) "1 scheduled video is not posted." else "$scheduled scheduled videos are not posted.")
            seeText("2 videos you made or posted yourself stay.")
            screenshot("14-remove-all-confirm")
            onNode(hasText("Remove all") and hasAnyAncestor(isDialog())).performClick()
            seeText("Auto-posted highlights removed")
            eventually("every auto-post shows as removed") { removed() == autos.size + 1 }
            // The banners about this LIVE's posts no longer hold: gone.
            eventually("no posting banner left") { client.notifications.value.none { it.recordingId == "ui-module-live" && it.kind.name in listOf("SCHEDULED", "POSTED") } }
            revealText("${autos.size + 1} removed")
            screenshot("15-remove-all-undo")
            tap("Undo")
            eventually("undo brings them back") { removed() == 1 }
            assertEquals(null, client.undo.value)
            assertTrue(backend.get("/v1/lives/ui-module-live/highlights", token).body().contains("\"kind\":\"auto\",\"status\":\"posted\""))

            // Again, and let the undo window pass: the server takes every auto-post of the LIVE down.
            tapLabel("More options")
            tap("Remove all auto-posts", substring = true)
            onNode(hasText("Remove all") and hasAnyAncestor(isDialog())).performClick()
            seeText("Auto-posted highlights removed")
            eventually("the server removed every auto-post") {
                val body = backend.get("/v1/lives/ui-module-live/highlights", token).body()
                !body.contains("\"kind\":\"auto\",\"status\":\"posted\"") && !body.contains("\"kind\":\"auto\",\"status\":\"scheduled\"")
            }
            refreshUntilRemoved(client, autos.size + 1)
            assertTrue(backend.get("/v1/lives/ui-module-live/highlights", token).body().contains("\"kind\":\"manual\",\"status\":\"posted\""), "the seller's own video stays")
            // Nothing left to remove: no count, no menu entry.
            assertEquals(0, client.recording.value!!.autoPosts.toInt())

            // This LIVE only: switched off during it, from the module; the server keeps the choice.
            revealLabel("Highlights for this LIVE").assertIsOn()
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
    fun `ask me before posting - moments wait for the seller, skip one, approve one, approve all`() {
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
            // Moments of a LIVE that started 15 minutes ago (the module's LIVE: four auto-posts, two
            // per product, and a recommendation), two products pinned in turn: found
            // as its events arrive, each waits for the seller's OK until its post time, fixed when it
            // is found. A long post delay while they arrive keeps every one of them waiting for as
            // long as the test needs.
            backend.config(postDelayS = 1_800)
            try {
                backend.ongoingLive(
                    "ui-review", "ui-review-live", System.currentTimeMillis(), minutes = 15,
                    bursts = listOf(1.5 to 1.5, 3.8 to 1.5, 6.2 to 1.5, 10.0 to 1.5, 14.3 to 1.5),
                    products = listOf("sku-1" to "Glow serum", "sku-2" to "Lip tint"),
                )
            } finally {
                backend.config()
            }
            tap("LIVE highlights")
            tap("Refresh")
            tap("Skincare night")
            refreshUntil("Waiting for your OK")
            // The engine finds them as it reads the LIVE's events: pull until every burst is in.
            eventually("every moment arrived") {
                tap("Refresh")
                Thread.sleep(300)
                client.recording.value!!.highlights.count { it.badge == HighlightBadge.AWAITING_APPROVAL } >= 4
            }
            val waiting = client.recording.value!!.highlights.filter { it.badge == HighlightBadge.AWAITING_APPROVAL }
            assertTrue(waiting.size >= 4, "moments to review: ${waiting.size}")
            // The banner says what the cards say.
            seeText("Waiting for your OK from Skincare night:", substring = true)
            seeText("left to decide", substring = true)
            seeText("Approve all (${waiting.size})")
            screenshot("18-review-waiting")
            val t0 = client.recording.value!!.recording.startedAtMs
            val (first, second) = waiting[0] to waiting[1]
            revealLabel("Skip highlight " + offsetRange(t0, first.startMs, first.endMs)).performClick()
            revealLabel("Approve highlight " + offsetRange(t0, second.startMs, second.endMs)).performClick()
            eventually("one skipped, one approved on screen") {
                client.recording.value!!.highlights.count { it.badge == HighlightBadge.AWAITING_APPROVAL } == waiting.size - 2
            }
            val rest = waiting.size - 2
            revealText("Approve all ($rest)").performClick()
            eventually("none waits any more") { client.recording.value!!.highlights.none { it.badge == HighlightBadge.AWAITING_APPROVAL } }
            eventually("the server has ${rest + 1} approved, one skipped") {
                val body = backend.get("/v1/lives/ui-review-live/highlights", token).body()
                Regex("\"review\":\"approved\"").findAll(body).count() == rest + 1 && body.contains("\"status\":\"removed\"")
            }
            seeNoText("Approve all", substring = true)
        }
    }

    @Test
    fun `which LIVEs - only those with a ticked product, then results per video and per LIVE`() {
        val token = backend.seller("ui-results")
        backend.lives("ui-results", 1, titles = listOf("Weekend serum sale"))
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
            // Off: the settings that depend on the feature are there, greyed, and cannot be changed.
            seeText("Which LIVEs get highlights")
            seeLabel("Only LIVEs with Serum").assertIsNotEnabled()
            seeLabel("Ask me before posting").assertIsNotEnabled()
            tapLabel("Auto LIVE Highlights")
            tap("Turn on")
            tapLabel("Back")
            seeText("All your shoppable LIVEs", substring = true)
            tapLabel("Only LIVEs with Serum")
            seeText("Only LIVEs that show your ticked product.")
            eventually("the server has the choice") { backend.get("/v1/settings", token).body().contains("\"only_products\":[\"sku-1\"]") }
            screenshot("19-which-lives")
            tapLabel("Only LIVEs with Serum")
            eventually("back to every LIVE on the server") { backend.get("/v1/settings", token).body().contains("\"only_products\":[]") }

            tap("LIVE highlights")
            seeText("Weekend serum sale")
            // The row's totals: views and GMV, compact.
            seeText("3 views · \$49.90 GMV")
            tap("Weekend serum sale")
            // Per LIVE: big-number tiles, GMV first, and a chart per clip.
            seeText("What this LIVE's videos earned")
            onNode(hasText("\$49.90") and hasText("GMV")).assertExists()
            onNode(hasText("3") and hasText("views")).assertExists()
            onNode(hasText("1") and hasText("LIVE entry")).assertExists()
            onNode(hasText("1") and hasText("order")).assertExists()
            onNode(hasTextAsRead("34 s") and hasText("watch time")).assertExists()
            seeLabel("GMV per video:", substring = true)
            // Per clip, on its card: views on the picture, GMV and orders under it.
            revealText("\$49.90 GMV · 1 order")
            revealLabel("2 views")
            screenshot("20-results")
        }
    }

    @Test
    fun `offline and never synced - an error with Retry, actions wait, and reach the server once it is back`() {
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
                setContent {
                    focusManager = LocalFocusManager.current
                    HighlightsRoot(client, shell, false)
                }
                tap("Open")
                // Never synced and the sync failed: the limits are not "loading" for ever.
                seeText("The limits show once the app reaches the server.")
                tapLabel("Auto LIVE Highlights")
                tap("Turn on")
                // Not "No LIVE recordings yet": nothing was ever loaded, and the screen says why.
                seeText("You're offline")
                seeText("Retry")
                seeNoText("No LIVE recordings yet")
                seeText("Offline", substring = true)
                seeText("waiting to send", substring = true)
                tapLabel("Back")
                seeLabel("Auto LIVE Highlights").assertIsOn()
                tap("LIVE highlights")
                seeText("2 changes waiting to send", substring = true)
                seeText("Retry")
                screenshot("11-offline")
                TestBackend(port, withoutVideos = true).use { later ->
                    token = later.seller("ui-offline")
                    // Retry, unless the background sync got there first.
                    runCatching { onAllNodes(hasTextAsRead("Retry")).onFirst().performClick() }
                    seeText("Online", substring = true)
                    seeNoText("waiting to send", substring = true)
                    seeText("No LIVE recordings yet")
                    seeNoText("Retry")
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

    /** Taps Refresh until [count] highlights of the open recording are removed (the server's answer, pulled). */
    private fun DesktopComposeUiTest.refreshUntilRemoved(client: HighlightsClient, count: Int) {
        eventually("$count rows removed after sync") {
            tap("Refresh")
            client.recording.value?.highlights?.count { it.badge == HighlightBadge.REMOVED } == count
        }
        revealText("$count removed")
    }

    /** Taps Refresh until [text] shows (the server posts on its own clock). */
    private fun DesktopComposeUiTest.refreshUntil(text: String) {
        repeat(30) {
            if (onAllNodes(hasTextAsRead(text, substring = true)).fetchSemanticsNodes().isNotEmpty()) return
            tap("Refresh")
            Thread.sleep(500)
            waitForIdle()
        }
        seeText(text, substring = true)
    }

}
