package live.highlights.desktop

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalDensity
import androidx.compose.ui.semantics.SemanticsActions
import androidx.compose.ui.test.DesktopComposeUiTest
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.click
import androidx.compose.ui.test.hasScrollToIndexAction
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollToIndex
import androidx.compose.ui.test.performScrollToKey
import androidx.compose.ui.test.performSemanticsAction
import androidx.compose.ui.test.performTouchInput
import androidx.compose.ui.unit.Density
import java.util.Locale
import kotlinx.coroutines.runBlocking
import live.highlights.app.BannerContent
import live.highlights.app.ClipEditorContent
import live.highlights.app.HighlightsContent
import live.highlights.app.HighlightsTheme
import live.highlights.app.ImageCache
import live.highlights.app.LocalImages
import live.highlights.app.LocalShell
import live.highlights.app.ModuleActions
import live.highlights.app.ModuleContent
import live.highlights.app.PreviewContent
import live.highlights.app.ProductsContent
import live.highlights.app.RecordingActions
import live.highlights.app.RecordingContent
import live.highlights.app.SettingsActions
import live.highlights.app.CardActions
import live.highlights.app.notificationText
import live.highlights.app.productName
import live.highlights.app.range
import uniffi.highlights_api.FormatSpec
import uniffi.highlights_api.HighlightKind
import uniffi.highlights_api.Reason
import uniffi.highlights_api.RecordingStoryboard
import uniffi.highlights_api.Results
import uniffi.highlights_api.Signal
import uniffi.highlights_api.Storyboard
import uniffi.highlights_api.StoryboardStrip
import uniffi.highlights_api.VideoState
import uniffi.highlights_core.PostingBarNote
import uniffi.highlights_core.HighlightBadge
import uniffi.highlights_core.HighlightRow
import uniffi.highlights_core.HighlightsScreen
import uniffi.highlights_core.Limits
import uniffi.highlights_core.ModuleScreen
import uniffi.highlights_core.NotificationKind
import uniffi.highlights_core.NotificationRow
import uniffi.highlights_core.ProductChoice
import uniffi.highlights_core.ProductRow
import uniffi.highlights_core.RecordingRow
import uniffi.highlights_core.RecordingScreen
import uniffi.highlights_core.SyncIndicator
import uniffi.highlights_core.VideoRow

/**
 * Fixed view states for pictures that never change by themselves: a fixed clock, realistic content
 * (long titles, big numbers, USD and Rp), every chip and data state, and thumbnails and storyboards
 * that are JPEGs ffmpeg rendered from its test pattern (src/test/resources/fixtures), decoded by
 * the desktop shell and put in the image cache before the first frame, so no picture waits on a load.
 */
object Fixtures {
    /** The screens' "now": Sunday 1 November 2026, 20:40 UTC (the tests run in UTC). */
    const val NOW = 1_793_565_600_000L

    private const val MIN = 60_000L
    private const val HOUR = 60 * MIN

    /** The URL of a fixture image: the cache's fetch reads it from the test resources. */
    fun url(name: String) = "fixture://$name"

    /** The six card thumbnails (180x320, the media suite's test pattern at different moments). */
    val thumbs = (1..6).map { url("thumb-$it.jpg") }

    /** An image cache that reads fixture URLs from the classpath and decodes them with [shell], as the app's does. */
    fun images(shell: DesktopShell): ImageCache = ImageCache(fetch = { u -> read(u.removePrefix("fixture://").substringBefore('#')) }, decode = shell::decodeImage)

    /** Every fixture URL the scenes show, loaded into [cache] now, so that each frame finds it cached. */
    fun warm(cache: ImageCache, urls: Collection<String> = allUrls) = runBlocking {
        urls.forEach { check(cache.load(it) != null) { "fixture $it did not decode" } }
    }

    private fun read(name: String): ByteArray =
        Fixtures::class.java.classLoader.getResourceAsStream("fixtures/$name")?.use { it.readBytes() } ?: error("no fixture $name")

    private val format = FormatSpec(autoSubtitles = true, arrowToLive = true, clickNowEndCard = true, backgroundMusic = false)

    /** A clip's storyboard: 20 frames a second apart, five to a row. */
    val clipStoryboard = Storyboard(url("clip-storyboard.jpg"), frames = 20u, columns = 5u, frameWidth = 90u, frameHeight = 160u, intervalMs = 1_000)

    /** When the clip editor's recording started: two hours ago. */
    val recordingStart = NOW - 2 * HOUR

    /** Its six minutes in three two-minute strips, a frame every 5 s. */
    val recordingStoryboard = RecordingStoryboard(
        (0 until 3).map { s ->
            StoryboardStrip(
                startMs = recordingStart + s * 2 * MIN, endMs = recordingStart + (s + 1) * 2 * MIN,
                storyboard = Storyboard(url("strip-$s.jpg"), frames = 24u, columns = 24u, frameWidth = 90u, frameHeight = 160u, intervalMs = 5_000),
            )
        },
    )

    private val allUrls = thumbs + clipStoryboard.url + recordingStoryboard.strips.map { it.storyboard.url }

    /** A title long enough to need two lines and an ellipsis. */
    const val LONG_TITLE = "Ramadan mega sale LIVE: the whole glow routine, serums, sunscreen & bundles with special guests from Jakarta"

    /** Products with names that do not fit a card. */
    val products = listOf(
        ProductRow("p-serum", "Hydrating Niacinamide + Hyaluronic Acid Glow Serum 30 ml (Buy 2 Get 1 Free)"),
        ProductRow("p-spf", "SPF 50+ PA++++ Daily Sunscreen Gel"),
        ProductRow("p-tint", "Lip tint"),
    )

    /** Connected, synced a few minutes ago, nothing waiting. */
    val fresh = SyncIndicator(online = true, lastUpdatedMs = NOW - 3 * MIN, pendingActions = 0u, syncing = false, attempted = true)

    /** Offline with what was saved two hours ago and three actions waiting. */
    val offlineCached = SyncIndicator(online = false, lastUpdatedMs = NOW - 2 * HOUR, pendingActions = 3u, syncing = false, attempted = true)

    /** Never synced, the first sync running. */
    val loading = SyncIndicator(online = true, lastUpdatedMs = null, pendingActions = 0u, syncing = true, attempted = false)

    /** Never synced, offline. */
    val neverSyncedOffline = SyncIndicator(online = false, lastUpdatedMs = null, pendingActions = 2u, syncing = false, attempted = true)

    /** Never synced, online, and the attempt failed. */
    val failedOnline = SyncIndicator(online = true, lastUpdatedMs = null, pendingActions = 0u, syncing = false, attempted = true)

    /** Results with every figure past a thousand: GMV $12,345,678.90. */
    val bigResults = Results(views = 1_234_567u, watchMs = 9_876_543_210u, liveEntries = 45_678u, productClicks = 234_567u, orders = 12_345u, gmvMinor = 1_234_567_890)

    private fun reasons(vararg r: Reason) = r.toList()

    private fun ready(thumb: String?, durationMs: Long = 30_000, storyboard: Storyboard? = null) =
        VideoRow(VideoState.READY, durationMs, "https://media.example/v/${thumb?.substringAfterLast('/')}.mp4", thumb, storyboard)

    /** A highlight at [atMin] minutes into the recording started at [t0]. */
    fun highlight(
        id: String, badge: HighlightBadge, t0: Long, atMin: Double, video: VideoRow?, kind: HighlightKind = HighlightKind.AUTO,
        postAtMs: Long? = null, results: Results? = null, product: String? = "p-serum", reasons: List<Reason> = defaultReasons,
    ): HighlightRow {
        val start = t0 + (atMin * MIN).toLong()
        return HighlightRow(
            id = id, kind = kind, badge = badge, startMs = start, endMs = start + 30_000, productId = product, score = 0.9,
            signals = emptyList(), reasons = reasons, postAtMs = postAtMs, format = format, video = video, results = results,
        )
    }

    private val defaultReasons = reasons(
        Reason(Signal.ORDERS, count = 5u, factor = null, amountMinor = null, windowS = 7u, productId = "p-serum"),
        Reason(Signal.COMMENTS, count = null, factor = 4.2, amountMinor = null, windowS = 10u, productId = null),
    )

    // ---- The module ----

    private val liveNow = RecordingRow(
        id = "r-live", title = LONG_TITLE, startedAtMs = NOW - 47 * MIN, endedAtMs = null, isLive = true, highlightsOn = true,
        highlightCount = 12u, recommendationCount = 3u, coverUrl = thumbs[0], thumbnailUrls = thumbs, views = 1_234_567u, gmvMinor = 1_234_567_890,
    )
    private val skincare = RecordingRow(
        id = "r-skin", title = "Skincare night", startedAtMs = NOW - 5 * HOUR, endedAtMs = NOW - 5 * HOUR + 92 * MIN, isLive = false, highlightsOn = true,
        highlightCount = 4u, recommendationCount = 1u, coverUrl = thumbs[2], thumbnailUrls = thumbs.take(4), views = 9_876u, gmvMinor = 49_990,
    )
    private val untitled = RecordingRow(
        id = "r-untitled", title = " ", startedAtMs = NOW - 26 * HOUR, endedAtMs = NOW - 26 * HOUR + 45 * MIN, isLive = false, highlightsOn = false,
        highlightCount = 0u, recommendationCount = 0u, coverUrl = null, thumbnailUrls = emptyList(), views = 0u, gmvMinor = 0,
    )
    private val flash = RecordingRow(
        id = "r-flash", title = "Flash deals", startedAtMs = NOW - 4 * 24 * HOUR, endedAtMs = NOW - 4 * 24 * HOUR + 3 * HOUR + 5 * MIN, isLive = false,
        highlightsOn = true, highlightCount = 20u, recommendationCount = 0u, coverUrl = thumbs[4], thumbnailUrls = thumbs.drop(4),
        views = 987_654_321u, gmvMinor = 98_765_432_100,
    )

    /** The module with a LIVE on now, two earlier today, yesterday's untitled one, and one from last week. */
    val module = ModuleScreen(
        recordings = listOf(liveNow, skincare, untitled, flash), hasMore = false, currency = "USD", autoPosted = 31u, autoScheduled = 3u, ownVideos = 2u,
    )

    /** The banner over the module: the LIVE's first scheduled posts. */
    val banner = NotificationRow(
        id = 7, kind = NotificationKind.SCHEDULED, recordingId = liveNow.id, recordingTitle = LONG_TITLE, count = 3u, atMs = NOW - MIN, postAtMs = NOW + 4 * MIN,
    )

    // ---- A recording after its LIVE: every chip, results in USD ----

    private val ended = RecordingRow(
        id = "r-ended", title = LONG_TITLE, startedAtMs = NOW - 3 * HOUR, endedAtMs = NOW - 3 * HOUR + 105 * MIN, isLive = false, highlightsOn = true,
        highlightCount = 7u, recommendationCount = 2u, coverUrl = thumbs[0], thumbnailUrls = thumbs, views = 1_234_567u, gmvMinor = 1_234_567_890,
    )

    /** Highlights in the order of the grid: posted, scheduled, two waiting, making, saving; then recommendations; then removed. */
    val recording: RecordingScreen = run {
        val t0 = ended.startedAtMs
        val highlights = listOf(
            highlight("h-posted", HighlightBadge.POSTED, t0, 12.1, ready(thumbs[0], 30_000, clipStoryboard), results = bigResults),
            highlight("h-scheduled", HighlightBadge.SCHEDULED, t0, 18.5, ready(thumbs[1]), postAtMs = NOW + 3 * MIN, product = "p-spf"),
            highlight("h-waiting-1", HighlightBadge.AWAITING_APPROVAL, t0, 31.0, ready(thumbs[2]), postAtMs = NOW + 4 * MIN),
            highlight("h-waiting-2", HighlightBadge.AWAITING_APPROVAL, t0, 44.75, ready(thumbs[3], 42_000), postAtMs = NOW + 42_000, product = "p-tint",
                reasons = reasons(Reason(Signal.GMV, count = null, factor = null, amountMinor = 123_456_789, windowS = 12u, productId = "p-tint"))),
            highlight("h-making", HighlightBadge.SCHEDULED, t0, 58.0, VideoRow(VideoState.RENDERING, null, null, null, null), postAtMs = NOW - 30_000),
            highlight("h-saving", HighlightBadge.PENDING, t0, 71.25, null, kind = HighlightKind.MANUAL, reasons = emptyList()),
            highlight("h-removed", HighlightBadge.REMOVED, t0, 80.0, ready(thumbs[4])),
        )
        val recommendations = listOf(
            highlight("h-failed", HighlightBadge.RECOMMENDED, t0, 90.5, VideoRow(VideoState.FAILED, null, null, null, null), kind = HighlightKind.RECOMMENDATION),
            highlight("h-recommended", HighlightBadge.RECOMMENDED, t0, 97.0, ready(thumbs[5], 25_000), kind = HighlightKind.RECOMMENDATION,
                reasons = reasons(Reason(Signal.LIKES, count = 1_250u, factor = null, amountMinor = null, windowS = 15u, productId = null))),
        )
        RecordingScreen(ended, products, highlights, recommendations, autoPosts = 5u, results = bigResults, currency = "USD")
    }

    /** The same LIVE's results in rupiah: Rp amounts in the billions. */
    val recordingIdr: RecordingScreen = recording.copy(
        currency = "IDR",
        results = bigResults.copy(gmvMinor = 1_234_567_890_000),
        highlights = recording.highlights.map { h -> h.results?.let { r -> h.copy(results = r.copy(gmvMinor = r.gmvMinor * 1000)) } ?: h },
    )

    /** Where the recommendations start in the grid: header, Approve all, results, the videos' title and six cards come first. */
    const val RECOMMENDATIONS_INDEX = 10

    /** A LIVE on now: LIVE now chips, the switch, countdowns, results so far. */
    val live: RecordingScreen = run {
        val t0 = liveNow.startedAtMs
        RecordingScreen(
            liveNow, products,
            listOf(
                highlight("l-1", HighlightBadge.LIVE_NOW, t0, 6.0, ready(thumbs[1]), results = Results(12_345u, 61_000_000u, 321u, 1_024u, 87u, 1_234_500)),
                highlight("l-2", HighlightBadge.LIVE_NOW, t0, 19.5, ready(thumbs[5], 55_000), product = "p-spf",
                    results = Results(980u, 4_000_000u, 12u, 40u, 0u, 0)),
                highlight("l-3", HighlightBadge.SCHEDULED, t0, 38.0, ready(thumbs[3]), postAtMs = NOW + 150_000),
                highlight("l-4", HighlightBadge.SCHEDULED, t0, 44.0, VideoRow(VideoState.RENDERING, null, null, null, null), postAtMs = NOW + 5 * MIN),
            ),
            emptyList(), autoPosts = 4u, results = Results(13_325u, 65_000_000u, 333u, 1_064u, 87u, 1_234_500), currency = "USD",
        )
    }

    /** A LIVE that was switched off: nothing kept, the switch to turn it back on. */
    val emptyRecording = RecordingScreen(
        untitled, products, emptyList(), emptyList(), autoPosts = 0u, results = Results(0u, 0u, 0u, 0u, 0u, 0), currency = "USD",
    )

    /** The six-minute recording the clip editor cuts from. */
    val editorRecording = RecordingRow(
        id = "r-edit", title = "Skincare night", startedAtMs = recordingStart, endedAtMs = recordingStart + 6 * MIN, isLive = false, highlightsOn = true,
        highlightCount = 2u, recommendationCount = 0u, coverUrl = thumbs[0], thumbnailUrls = thumbs.take(2), views = 0u, gmvMinor = 0,
    )

    /** The server's limits: 20 per LIVE, 3 per product, 5 min, clips 10 to 60 s. */
    val limits = Limits(maxPostsPerLive = 20u, maxPostsPerProduct = 3u, postDelayS = 300u, clipMinS = 10u, clipMaxS = 60u)

    /** The privacy notice as the backend words it. */
    const val NOTICE = "While Auto LIVE Highlights is on, we analyse your shoppable LIVEs: chat, reactions, viewers joining and orders, second by second.\n" +
        "When a clip is cut, we also analyse the recording's speech, sound and scene changes to place its start and end."

    /** The Highlights screen with the feature on, review on, one product of three ticked. */
    val settingsOn = HighlightsScreen(
        on = true, pending = false, limits = limits, privacyNotice = NOTICE, nextLiveOn = true, reviewBeforePosting = true,
        productChoices = products.mapIndexed { i, p -> ProductChoice(p.id, p.name, chosen = i == 0) },
    )

    /** The same with the feature off: what depends on it greyed out. */
    val settingsOff = settingsOn.copy(on = false, reviewBeforePosting = false)
}

/** A way the screens are shown: theme, language, font scale. */
data class Variant(val dark: Boolean, val language: String, val fontScale: Float) {
    /** The suffix of its golden files, e.g. `light-en-100`. */
    val name = (if (dark) "dark" else "light") + "-" + language + "-" + (fontScale * 100).toInt()

    /** The language as a locale. */
    val locale: Locale get() = Locale.forLanguageTag(language)

    companion object {
        /** Every variant: light and dark, English and Indonesian, font scale 1 and 1.3. */
        val all = listOf(false, true).flatMap { dark -> listOf("en", "id").flatMap { lang -> listOf(1f, 1.3f).map { Variant(dark, lang, it) } } }

        /** What CI checks: light and dark in English and light in Indonesian, at font scale 1 (one density throughout). */
        val ci = listOf(Variant(false, "en", 1f), Variant(true, "en", 1f), Variant(false, "id", 1f))
    }
}

/**
 * One picture of a screen: its [name] (the golden's file name before the variant), the [content]
 * to compose, and what to [act] on it (scroll, open a menu, scrub) before the picture is taken.
 */
class Scene(
    val name: String,
    val act: DesktopComposeUiTest.(DesktopShell) -> Unit = {},
    val content: @Composable () -> Unit,
)

/** [content] as the app shows it: the shell, the image cache, the theme on the window's background, at [fontScale]. */
@Composable
fun SceneFrame(shell: DesktopShell, images: ImageCache?, dark: Boolean, fontScale: Float, content: @Composable () -> Unit) {
    val density = LocalDensity.current
    CompositionLocalProvider(LocalShell provides shell, LocalImages provides images, LocalDensity provides Density(density.density, fontScale)) {
        HighlightsTheme(dark) {
            Surface(Modifier.fillMaxSize(), color = MaterialTheme.colorScheme.background) { content() }
        }
    }
}

/** Every scene of the golden set: the module's states, a recording's chips, results, review, the preview, the clip editor, the settings. */
object Scenes {
    private val f = Fixtures

    private fun DesktopComposeUiTest.scrollTo(index: Int) = onNode(hasScrollToIndexAction()).performScrollToIndex(index)

    private fun DesktopComposeUiTest.scrollToKey(key: Any) = onNode(hasScrollToIndexAction()).performScrollToKey(key)

    /** The recording page of [screen], synced a few minutes ago. */
    @Composable
    fun RecordingOf(screen: RecordingScreen) = RecordingContent(screen, f.fresh, f.NOW, RecordingActions())

    /** Every scene, by name. */
    val all: List<Scene> = listOf(
        Scene("module") {
            Column {
                BannerContent(notificationText(f.banner, review = false, nowMs = f.NOW), onOpen = {}, onDismiss = {})
                ModuleContent(f.module, f.fresh, f.NOW, ModuleActions())
            }
        },
        Scene("module-posting-bar") {
            ModuleContent(f.module.copy(postingBar = PostingBarNote(fewer = true, removed = 4u, ofLast = 6u, postedByHand = 0u)), f.fresh, f.NOW, ModuleActions())
        },
        Scene("module-offline-cached") { ModuleContent(f.module, f.offlineCached, f.NOW, ModuleActions()) },
        Scene("module-loading") { ModuleContent(f.module.copy(recordings = emptyList()), f.loading, f.NOW, ModuleActions()) },
        Scene("module-offline-never-synced") { ModuleContent(f.module.copy(recordings = emptyList()), f.neverSyncedOffline, f.NOW, ModuleActions()) },
        Scene("module-error") { ModuleContent(f.module.copy(recordings = emptyList()), f.failedOnline, f.NOW, ModuleActions()) },
        Scene("module-empty") { ModuleContent(f.module.copy(recordings = emptyList()), f.fresh, f.NOW, ModuleActions()) },
        Scene("recording-results-idr") { RecordingOf(f.recordingIdr) },
        Scene("recording-cards", act = { scrollToKey("h-posted") }) { RecordingOf(f.recording) },
        Scene("recording-review", act = { scrollToKey("h-waiting-1") }) { RecordingOf(f.recording) },
        Scene("recording-recommended", act = { scrollTo(Fixtures.RECOMMENDATIONS_INDEX) }) { RecordingOf(f.recording) },
        Scene("recording-remove-all", act = { shell ->
            onNode(hasContentDescription(shell.text("more_options"))).performClick()
            onNode(hasTextAsRead(shell.text("remove_all_count", f.recording.autoPosts.toInt()))).performClick()
        }) { RecordingOf(f.recording) },
        Scene("recording-live") { RecordingContent(f.live, f.fresh, f.NOW, RecordingActions()) },
        Scene("recording-live-cards", act = { scrollToKey("l-1") }) { RecordingContent(f.live, f.fresh, f.NOW, RecordingActions()) },
        Scene("recording-switched-off") { RecordingContent(f.emptyRecording, f.offlineCached, f.NOW, RecordingActions()) },
        Scene("preview", act = {
            // Scrubbed to the clip's eighth frame, as a seller's drag would leave it.
            onNode(SemanticsMatcher.keyIsDefined(SemanticsActions.SetProgress)).performSemanticsAction(SemanticsActions.SetProgress) { it(7f) }
        }) {
            val h = f.recording.highlights.first()
            PreviewContent(
                h, productName(f.recording, h), range(f.recording, h), f.recording.currency, f.NOW, CardActions(),
                video = { ByteArray(0) }, playerUrl = h.video?.playerUrl, onClose = {},
            )
        },
        Scene("clip-editor", act = { shell ->
            // A tap two fifths along the whole LIVE moves the clip there, the close-up with it.
            onNode(hasContentDescription(shell.text("clip_overview_cd"))).performTouchInput { click(percentOffset(0.4f, 0.5f)) }
        }) {
            ClipEditorContent(f.editorRecording, f.products, f.limits, f.recordingStoryboard, framesFailed = false, nowMs = f.NOW, onCreate = { _, _, _ -> }, onClose = {})
        },
        Scene("highlights-on") { HighlightsContent(f.settingsOn, f.fresh, SettingsActions()) },
        Scene("highlights-off") { HighlightsContent(f.settingsOff, f.fresh, SettingsActions()) },
        Scene("products") { ProductsContent(f.settingsOn.copy(nextLiveOn = false), SettingsActions()) },
    )

    /** The scene called [name]. */
    fun named(name: String): Scene = all.first { it.name == name }
}
