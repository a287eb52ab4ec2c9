package live.highlights.desktop

import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableLongStateOf
import androidx.compose.runtime.setValue
import androidx.compose.runtime.snapshots.Snapshot
import androidx.compose.ui.ImageComposeScene
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.input.pointer.PointerEventType
import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getAllSemanticsNodes
import androidx.compose.ui.semantics.getOrNull
import androidx.compose.ui.unit.Density
import java.util.Locale
import java.util.TimeZone
import kotlin.test.assertTrue
import live.highlights.app.ImageCache
import live.highlights.app.RecordingActions
import live.highlights.app.RecordingContent
import live.highlights.app.offset
import org.junit.jupiter.api.Tag
import org.junit.jupiter.api.Test
import uniffi.highlights_api.Results
import uniffi.highlights_api.VideoState
import uniffi.highlights_core.HighlightBadge
import uniffi.highlights_core.RecordingScreen
import uniffi.highlights_core.VideoRow

/**
 * Frame time of a page of 50 highlight cards on the desktop, warm, with every thumbnail decoded and
 * cached by URL and then with none (placeholders): each frame scrolls the page by the mouse wheel
 * (down to the last card, then back up) and moves the clock a second, so the countdown chips of
 * the cards in view recompose, then composes, lays out and draws the whole phone-sized frame.
 * Run: scripts/bench-desktop.sh (mvn test -Dgroups=bench -DexcludedGroups=none -Dtest=FrameBenchTest).
 */
@Tag("bench")
class FrameBenchTest {
    private val cards = 50
    private val warmFrames = 600
    private val measuredFrames = 600
    private val frameNs = 16_666_667L

    /** 50 cards of one LIVE, a minute apart, each with its own thumbnail URL; a third counting down under a minute, some posted with results. */
    private val page: RecordingScreen = run {
        val base = Fixtures.recording
        val t0 = base.recording.startedAtMs
        val highlights = (0 until cards).map { i ->
            val thumb = Fixtures.thumbs[i % Fixtures.thumbs.size] + "#$i"
            val video = VideoRow(VideoState.READY, 30_000, "https://media.example/v/$i.mp4", thumb, null)
            when (i % 3) {
                0 -> Fixtures.highlight("b-$i", HighlightBadge.POSTED, t0, i.toDouble(), video,
                    results = Results((1_000L * i + 7).toULong(), 60_000u, 12u, 40u, (i % 9).toULong(), 12_990L * i))
                1 -> Fixtures.highlight("b-$i", HighlightBadge.SCHEDULED, t0, i.toDouble(), video, postAtMs = Fixtures.NOW + 20_000L + 1_000L * i)
                else -> Fixtures.highlight("b-$i", HighlightBadge.AWAITING_APPROVAL, t0, i.toDouble(), video, postAtMs = Fixtures.NOW + 240_000L)
            }
        }
        base.copy(highlights = highlights, recommendations = emptyList())
    }

    /** One page on its own scene, its clock, and the frames drawn so far. */
    private inner class Page(shell: DesktopShell, images: ImageCache?) {
        private var now by mutableLongStateOf(Fixtures.NOW)
        private var t = 0L
        private var frame = 0
        private val scene = ImageComposeScene(PHONE_WIDTH, PHONE_HEIGHT, Density(1f)) {
            SceneFrame(shell, images, dark = false, fontScale = 1f) { RecordingContent(page, Fixtures.fresh, now, RecordingActions()) }
        }
        private val lastRange = offset(page.highlights.last().startMs - page.recording.startedAtMs)

        /** True once the last card has been on screen: the wheel did scroll through the page. */
        var reachedEnd = false
            private set

        /** Draws one frame and returns how long it took, in ns: the wheel event, the clock tick, composition, layout and drawing. */
        fun frame(): Long {
            // Down for 300 frames, up for 300: the wheel sweeps the whole page back and forth.
            val down = frame++ % 600 < 300
            val start = System.nanoTime()
            scene.sendPointerEvent(PointerEventType.Scroll, Offset(PHONE_WIDTH / 2f, PHONE_HEIGHT / 2f), scrollDelta = Offset(0f, if (down) 2f else -2f))
            now += 1_000
            Snapshot.sendApplyNotifications()
            t += frameNs
            scene.render(t).close()
            val took = System.nanoTime() - start
            if (!reachedEnd && frame % 20 == 0) reachedEnd = shows(lastRange)
            return took
        }

        private fun shows(text: String) = scene.semanticsOwners.any { owner ->
            owner.getAllSemanticsNodes(mergingEnabled = false).any { n -> n.config.getOrNull(SemanticsProperties.Text).orEmpty().any { it.text.startsWith(text) } }
        }

        /** Frees the scene. */
        fun close() = scene.close()
    }

    @Test
    fun `module page of 50 cards, with cached thumbnails and without`() {
        val zone = TimeZone.getDefault()
        TimeZone.setDefault(TimeZone.getTimeZone("UTC"))
        val shell = DesktopShell(Locale.ENGLISH)
        val images = Fixtures.images(shell)
        // Every card's thumbnail decoded (off the UI thread, as the cache does) and cached before the first frame.
        Fixtures.warm(images, page.highlights.mapNotNull { it.video?.thumbnailUrl })
        val cached = Page(shell, images)
        val bare = Page(shell, null)
        try {
            repeat(warmFrames) { cached.frame(); bare.frame() }
            // Frame by frame in turns, so that both pages meet the same load on a shared machine.
            val withThumbs = LongArray(measuredFrames)
            val without = LongArray(measuredFrames)
            for (i in 0 until measuredFrames) {
                withThumbs[i] = cached.frame()
                without[i] = bare.frame()
            }
            assertTrue(cached.reachedEnd && bare.reachedEnd, "the wheel scrolled to the last card")
            val (p50, p95) = percentiles(withThumbs)
            val (b50, b95) = percentiles(without)
            println(
                "module page of 50 cards: p50 %.1f ms, p95 %.1f ms per frame with cached thumbnails; without thumbnails p50 %.1f ms, p95 %.1f ms; ratio %.2f (goal <= 16 ms)"
                    .format(Locale.ROOT, p50, p95, b50, b95, p50 / b50),
            )
        } finally {
            cached.close()
            bare.close()
            TimeZone.setDefault(zone)
        }
    }

    /** The median and 95th percentile of [ns], in ms. */
    private fun percentiles(ns: LongArray): Pair<Double, Double> {
        val sorted = ns.sorted()
        fun at(q: Double) = sorted[((sorted.size - 1) * q).toInt()] / 1e6
        return at(0.50) to at(0.95)
    }
}
