package live.highlights.desktop

import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.getValue
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalFocusManager
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.test.DesktopComposeUiTest
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.runDesktopComposeUiTest
import java.util.Locale
import kotlin.test.assertEquals
import live.highlights.app.DataState
import live.highlights.app.HighlightsTheme
import live.highlights.app.LocalShell
import live.highlights.app.ModuleActions
import live.highlights.app.ModuleContent
import live.highlights.app.compact
import live.highlights.app.countdown
import live.highlights.app.dataState
import live.highlights.app.money
import live.highlights.app.moneyCompact
import live.highlights.app.span
import org.junit.jupiter.api.Test
import uniffi.highlights_core.ModuleScreen
import uniffi.highlights_core.PostingBarNote
import uniffi.highlights_core.RecordingRow
import uniffi.highlights_core.SyncIndicator

/**
 * The module's states rendered from fixed view states (no core, no server): loading, never synced
 * and offline, failed online, empty, each saying something different; and the number formats.
 */
class StatesTest {
    private fun sync(online: Boolean = false, updated: Long? = null, pending: UInt = 0u, syncing: Boolean = false, attempted: Boolean = false) =
        SyncIndicator(online = online, lastUpdatedMs = updated, pendingActions = pending, syncing = syncing, attempted = attempted)

    private val empty = ModuleScreen(recordings = emptyList(), hasMore = false, currency = "USD")

    private fun DesktopComposeUiTest.show(locale: Locale = Locale.ENGLISH, content: @Composable () -> Unit) = setContent {
        focusManager = LocalFocusManager.current
        CompositionLocalProvider(LocalShell provides DesktopShell(locale)) { HighlightsTheme(false) { content() } }
    }

    @Test
    fun `the sync indicator decides which state shows`() {
        assertEquals(DataState.LOADING, dataState(sync()))
        assertEquals(DataState.LOADING, dataState(sync(attempted = true, syncing = true)))
        assertEquals(DataState.FAILED, dataState(sync(attempted = true)))
        assertEquals(DataState.FAILED, dataState(sync(online = true, attempted = true)))
        assertEquals(DataState.OFFLINE, dataState(sync(updated = 1L, attempted = true)))
        assertEquals(DataState.FRESH, dataState(sync(online = true, updated = 1L, attempted = true)))
    }

    @Test
    fun `loading shows skeletons, never synced offline an error with Retry, synced an empty list`() = runDesktopComposeUiTest(PHONE_WIDTH, PHONE_HEIGHT) {
        var state by androidx.compose.runtime.mutableStateOf(sync())
        var retried = 0
        show { ModuleContent(empty, state, System.currentTimeMillis(), ModuleActions(refresh = { retried++ })) }
        seeLabel("Loading")
        seeNoText("No LIVE recordings yet")
        seeNoText("Retry")
        screenshot("05a-module-loading")

        state = sync(attempted = true, pending = 2u)
        seeText("You're offline")
        seeText("Retry")
        seeNoText("No LIVE recordings yet")
        seeText("Offline · 2 changes waiting to send")
        tap("Retry")
        assertEquals(1, retried)

        state = sync(online = true, attempted = true)
        seeText("Couldn't load your LIVEs")
        seeText("Retry")

        state = sync(online = true, updated = System.currentTimeMillis(), attempted = true)
        seeText("No LIVE recordings yet")
        seeNoText("Retry")
        seeNoText("Loading")
    }

    @Test
    fun `a LIVE without a title is named by its date, with its counts and totals`() = runDesktopComposeUiTest(PHONE_WIDTH, PHONE_HEIGHT) {
        val start = 1_793_491_200_000L
        val row = RecordingRow(
            id = "l1", title = " ", startedAtMs = start, endedAtMs = start + 45 * 60_000L, isLive = false, highlightsOn = true,
            highlightCount = 1u, recommendationCount = 2u, coverUrl = null, thumbnailUrls = emptyList(), views = 12_345u, gmvMinor = 1_234_500,
        )
        show {
            ModuleContent(
                ModuleScreen(recordings = listOf(row), hasMore = false, currency = "USD"),
                sync(online = true, updated = start, attempted = true), start + 3 * 86_400_000L, ModuleActions(),
            )
        }
        seeText("LIVE of", substring = true)
        seeText("1 video · 2 to post")
        seeText("12.3K views · \$12.3K GMV")
        seeText("45 min", substring = true)
        seeNoText("Today")
    }

    @Test
    fun `a learned posting bar is said in the seller's words, and "Post as usual" sends the reset`() = runDesktopComposeUiTest(PHONE_WIDTH, PHONE_HEIGHT) {
        val synced = sync(online = true, updated = System.currentTimeMillis(), attempted = true)
        var note by androidx.compose.runtime.mutableStateOf<PostingBarNote?>(PostingBarNote(fewer = true, removed = 4u, ofLast = 10u, postedByHand = 0u))
        var resets = 0
        show {
            ModuleContent(empty.copy(postingBar = note), synced, System.currentTimeMillis(), ModuleActions(resetPostingBar = { resets++ }))
        }
        seeText("Auto-posting fewer: you removed or didn't approve 4 of your last 10 highlights")
        tap("Post as usual")
        assertEquals(1, resets)

        note = PostingBarNote(fewer = false, removed = 0u, ofLast = 0u, postedByHand = 1u)
        seeText("Auto-posting more: lately you posted 1 recommendation yourself")
        seeNoText("Auto-posting fewer", substring = true)
        note = note!!.copy(postedByHand = 3u)
        seeText("Auto-posting more: lately you posted 3 recommendations yourself")

        // The core drops the note as soon as the reset is queued.
        note = null
        seeNoText("Auto-posting more", substring = true)
        seeNoText("Post as usual")
    }

    @Test
    fun `compact numbers, amounts and spans in English and Indonesian`() {
        fun formats(locale: Locale): String {
            var out = ""
            runDesktopComposeUiTest(PHONE_WIDTH, 200) {
                show(locale) {
                    Text(
                        listOf(
                            compact(950), compact(12_345), compact(4_560_000), money(4_990, "USD"), money(5_000, "USD"),
                            moneyCompact(1_234_500, "USD"), moneyCompact(123_450_000_00, "IDR"), span(34_000), span(125_000),
                            countdown(1_000 + 150_000, 1_000), countdown(1_000 + 42_100, 1_000),
                        ).joinToString("|"),
                        Modifier.testTag("out"),
                    )
                }
                out = onNodeWithTag("out").textAsRead()
            }
            return out
        }
        assertEquals("950|12.3K|4.5M|\$49.90|\$50|\$12.3K|Rp123M|34 s|2 min|3 min|43 s", formats(Locale.ENGLISH))
        assertEquals("950|12,3 rb|4,5 jt|US\$49,90|US\$50|US\$12,3 rb|Rp123 jt|34 dtk|2 mnt|3 mnt|43 dtk", formats(Locale.forLanguageTag("id")))
    }
}
