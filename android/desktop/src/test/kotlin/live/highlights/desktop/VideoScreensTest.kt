package live.highlights.desktop

import androidx.compose.ui.test.hasAnyAncestor
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.isDialog
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTouchInput
import androidx.compose.ui.test.swipeRight
import java.util.Locale
import kotlin.test.assertTrue
import kotlinx.coroutines.runBlocking
import live.highlights.TestBackend
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance

/**
 * The seller's videos, made for real: a backend that renders (ffmpeg) from a recording sent as a
 * recorder does, so that rows and cards show real thumbnails, the preview its storyboard and the
 * MP4 itself, and the clip editor the recording's frames.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VideoScreensTest {
    private lateinit var videos: TestBackend

    @BeforeAll
    fun start() {
        videos = TestBackend()
    }

    @AfterAll
    fun stop() = videos.close()

    @Test
    fun `videos - thumbnails on rows and cards, a preview with its storyboard and the MP4 playing, a clip on the recording's frames`() {
        val token = videos.seller("ui-videos")
        videos.turnOn(token)
        videos.lives("ui-videos", 1, titles = listOf("Glow serum launch"))
        videos.recording("ui-videos-000", TestBackend.T0, seconds = 60)
        videos.highlights("ui-videos", "ui-videos-000", 2, token)
        // Rendering is the server's ffmpeg work on a shared machine: minutes, not seconds.
        // Posted too: viewer events count only on posted videos, and posting follows the render
        // at the scheduler's next tick.
        waitFor("both videos rendered and posted", 240_000) {
            val body = videos.get("/v1/lives/ui-videos-000/highlights", token).body()
            Regex("\"state\":\"ready\"").findAll(body).count() == 2 &&
                Regex("\"status\":\"posted\"").findAll(body).count() == 2
        }
        val ids = Regex("\"id\":\"(hl_[^\"]+)\"").findAll(videos.get("/v1/lives/ui-videos-000/highlights", token).body()).map { it.groupValues[1] }.toList()
        fun ev(id: String, type: String, extra: String = "") =
            """{"highlight_id":"$id","ts_ms":${TestBackend.T0 + 3_600_000},"type":"$type"${if (extra.isEmpty()) "" else ",$extra"}}"""
        videos.viewerEvents(
            *(1..12).map { ev(ids[0], "view", "\"watch_ms\":15000") }.toTypedArray(),
            ev(ids[0], "order", "\"amount_minor\":12990"), ev(ids[0], "order", "\"amount_minor\":4990"), ev(ids[0], "product_click"),
            ev(ids[1], "view", "\"watch_ms\":8000"), ev(ids[1], "live_entry"),
        )
        screens(videos, "ui-videos", token) { client, shell ->
            tap("Open")
            tap("LIVE highlights")
            // The LIVE's cover is its best clip's real thumbnail, fetched and decoded.
            seeLabel("Cover of Glow serum launch")
            assertTrue(client.module.value.recordings.single().thumbnailUrls.size == 2)
            screenshot("07b-module-videos")
            tap("Glow serum launch")
            seeLabel("Video thumbnail", substring = true)
            eventually("both cards show their thumbnail") { onAllNodes(hasContentDescription("Video thumbnail", substring = true)).fetchSemanticsNodes().size >= 2 }
            seeText("What this LIVE's videos earned")
            onNode(hasText("\$179.80") and hasText("GMV")).assertExists()
            screenshot("08b-recording-videos")

            // The preview: the clip's storyboard to scrub, then the MP4 itself, decoded by ffmpeg.
            val h = client.recording.value!!.highlights.first { it.id == ids[0] }
            val t0 = client.recording.value!!.recording.startedAtMs
            assertTrue(h.video?.storyboard != null, "a storyboard for the rendered clip")
            revealLabel("Preview highlight " + offsetRange(t0, h.startMs, h.endMs)).performClick()
            seeLabel("Frame at 0:00")
            seeLabel("Scrub through the video").performTouchInput { swipeRight(startX = left + 10f, endX = centerX) }
            eventually("another frame after scrubbing") { onAllNodes(hasContentDescription("Frame at 0:00")).fetchSemanticsNodes().isEmpty() }
            seeLabel("Frame at", substring = true)
            onNode(hasText("What this video earned")).assertExists()
            screenshot("21-preview")
            tap("Play")
            seeLabel("Video playing", substring = true)
            screenshot("22-preview-playing")
            tap("Stop")
            seeText("Play")
            shell.back.press()
            eventually("the preview closed") { onAllNodes(hasContentDescription("Scrub through the video")).fetchSemanticsNodes().isEmpty() }

            // The clip editor on the recording's frames.
            assertTrue(runBlocking { client.recordingStoryboard("ui-videos-000") }.strips.isNotEmpty(), "the recording's storyboard")
            revealText("Create video").performClick()
            seeLabel("First frame", substring = true)
            seeLabel("Clip end").performTouchInput { swipeRight(startX = centerX, endX = centerX + 50f) }
            waitForIdle()
            screenshot("23-clip-editor-frames")
            val chosen = onNodeWithTag("clip-range").textAsRead()
            onNode(hasText("Create") and hasAnyAncestor(isDialog())).performClick()
            eventually("the seller's third video") { client.recording.value!!.highlights.size == 3 }
            revealText(chosen)
        }
        // The same LIVE in Indonesian: its totals, tiles and cards in the seller's language.
        screens(videos, "ui-videos", token, locale = Locale.forLanguageTag("id")) { _, _ ->
            tap("Buka")
            tap("Sorotan LIVE")
            seeText("13 tayangan · GMV US\$179,80")
            tap("Glow serum launch")
            seeText("Hasil video LIVE ini")
            seeLabel("Gambar mini video", substring = true)
            screenshot("24-recording-id")
        }
    }

}
