package live.highlights.app

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.grid.GridCells
import androidx.compose.foundation.lazy.grid.GridItemSpan
import androidx.compose.foundation.lazy.grid.LazyGridScope
import androidx.compose.foundation.lazy.grid.LazyVerticalGrid
import androidx.compose.foundation.lazy.grid.items
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.material3.Button
import androidx.compose.material3.FilledTonalButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import live.highlights.HighlightsClient
import uniffi.highlights_api.HighlightKind
import uniffi.highlights_core.HighlightBadge
import uniffi.highlights_core.HighlightRow
import uniffi.highlights_core.RecordingScreen
import uniffi.highlights_core.SyncIndicator

/** What the seller can do on a recording. */
class RecordingActions(
    val back: () -> Unit = {},
    val refresh: () -> Unit = {},
    val card: CardActions = CardActions(),
    val approveAll: (List<HighlightRow>) -> Unit = {},
    val removeAll: () -> Unit = {},
    val setLive: (Boolean) -> Unit = {},
    val createVideo: () -> Unit = {},
)

/** One recording, from the client, with its preview and clip editor over it. */
@Composable
fun RecordingPage(client: HighlightsClient) {
    val recording by client.recording.collectAsStateWithLifecycle()
    val sync by client.sync.collectAsStateWithLifecycle()
    val toggle by client.highlights.collectAsStateWithLifecycle()
    val screen = recording ?: return
    val scope = rememberCoroutineScope()
    val snackbar = LocalSnackbar.current
    val shell = LocalShell.current
    fun go(block: suspend () -> Unit) { scope.act(snackbar, shell, block) }
    var previewing by remember { mutableStateOf<String?>(null) }
    var editing by remember { mutableStateOf(false) }
    val nowMs = rememberNow()
    val card = CardActions(
        preview = { h -> previewing = h.id },
        approve = { h -> go { client.approveHighlight(h.id) } },
        skip = { h -> go { client.removeHighlight(h.id) } },
        remove = { h -> go { client.removeHighlight(h.id) } },
        post = { h -> go { client.postRecommendation(h.id) } },
    )
    RecordingContent(
        screen, sync, nowMs,
        RecordingActions(
            back = { go { client.back() } },
            refresh = { client.refresh() },
            card = card,
            approveAll = { rows -> go { rows.forEach { client.approveHighlight(it.id) } } },
            removeAll = { go { client.removeAllHighlights(screen.recording.id); client.dismissPostNotifications(screen.recording.id) } },
            setLive = { on -> go { client.setLiveHighlights(screen.recording.id, on) } },
            createVideo = { editing = true },
        ),
        overlaid = previewing != null || editing,
    )
    previewing?.let { id ->
        val h = (screen.highlights + screen.recommendations).firstOrNull { it.id == id }
        // A highlight gone from the screen (a sync dropped it) closes its preview.
        if (h != null) {
            val url = h.video?.playerUrl
            PreviewDialog(
                h, productName(screen, h), range(screen, h), screen.currency, nowMs, card,
                video = url?.let { u -> suspend { client.media(u) } }, playerUrl = url, onClose = { previewing = null },
            )
        }
    }
    if (editing) {
        ClipEditorDialog(
            screen, toggle.limits, nowMs,
            loadStoryboard = { runCatching { client.recordingStoryboard(screen.recording.id) }.getOrNull() },
            onCreate = { start, end, product -> go { client.createVideo(screen.recording.id, start, end, product); editing = false } },
            onClose = { editing = false },
        )
    }
}

/** The product a highlight is tied to, by name. */
@Composable
fun productName(screen: RecordingScreen, h: HighlightRow): String =
    h.productId?.let { id -> screen.products.firstOrNull { it.id == id }?.name ?: id } ?: tr("no_product")

/** Where in the recording a highlight sits, as "m:ss–m:ss". */
fun range(screen: RecordingScreen, h: HighlightRow): String {
    val t0 = screen.recording.startedAtMs
    return offset(h.startMs - t0) + "–" + offset(h.endMs - t0)
}

/**
 * One recording: its videos as 9:16 cards (on the profile or about to be, then recommendations,
 * then what was removed, each section only when it has cards), the LIVE's results, what waits for
 * the seller's OK with Approve all, Create video, and Remove all in the overflow menu.
 */
@Composable
fun RecordingContent(screen: RecordingScreen, sync: SyncIndicator, nowMs: Long, actions: RecordingActions, overlaid: Boolean = false) {
    LocalShell.current.BackHandler(!overlaid, actions.back)
    val rec = screen.recording
    var confirming by remember { mutableStateOf(false) }
    val removed = screen.highlights.filter { it.badge == HighlightBadge.REMOVED }
    val active = screen.highlights.filter { it.badge != HighlightBadge.REMOVED }
    val waiting = active.filter { it.badge == HighlightBadge.AWAITING_APPROVAL }
    Column {
        TitleBar(liveTitle(rec.title, rec.startedAtMs), onBack = actions.back) {
            TextButton(onClick = actions.refresh) { Text(tr("refresh")) }
            val n = screen.autoPosts.toInt()
            OverflowMenu(if (n > 0) listOf(MenuEntry(tr("remove_all_count", n)) { confirming = true }) else emptyList())
        }
        if (confirming) RemoveAllLiveDialog(screen, actions.removeAll) { confirming = false }
        LazyVerticalGrid(
            GridCells.Adaptive(160.dp), contentPadding = PaddingValues(16.dp),
            horizontalArrangement = Arrangement.spacedBy(12.dp), verticalArrangement = Arrangement.spacedBy(12.dp),
        ) {
            wide { RecordingHeader(screen, sync, nowMs, actions) }
            if (waiting.size >= 2) wide { ApproveAllBar(waiting) { actions.approveAll(waiting) } }
            if (screen.highlights.any { it.results != null }) {
                wide {
                    Column(verticalArrangement = Arrangement.spacedBy(12.dp)) {
                        Text(tr("results_live"), style = MaterialTheme.typography.titleMedium)
                        ResultTiles(screen.results, screen.currency)
                        ResultsChart(screen.highlights, rec.startedAtMs, screen.currency)
                    }
                }
            }
            cards({ plural("section_videos", it, it) }, active, screen, nowMs, actions.card)
            cards({ plural("section_recommendations", it, it) }, screen.recommendations, screen, nowMs, actions.card)
            cards({ plural("section_removed", it, it) }, removed, screen, nowMs, actions.card)
            if (screen.highlights.isEmpty() && screen.recommendations.isEmpty()) {
                wide { EmptyState(tr("recording_empty_title"), tr("recording_empty_body")) }
            }
        }
    }
}

/** A grid item across every column. */
private fun LazyGridScope.wide(content: @Composable () -> Unit) = item(span = { GridItemSpan(maxLineSpan) }) { content() }

/** A titled section of cards; nothing at all when [rows] is empty. */
private fun LazyGridScope.cards(title: @Composable (Int) -> String, rows: List<HighlightRow>, screen: RecordingScreen, nowMs: Long, actions: CardActions) {
    if (rows.isEmpty()) return
    wide { Text(title(rows.size), style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(top = 8.dp)) }
    items(rows, key = { it.id }) { h -> HighlightCard(h, productName(screen, h), range(screen, h), screen.currency, nowMs, actions) }
}

/** When and how long the LIVE was, offline state, this LIVE's switch, and Create video. */
@Composable
private fun RecordingHeader(screen: RecordingScreen, sync: SyncIndicator, nowMs: Long, actions: RecordingActions) {
    val rec = screen.recording
    Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp), verticalAlignment = Alignment.CenterVertically) {
            if (rec.isLive) LivePill()
            val length = rec.endedAtMs?.let { span(it - rec.startedAtMs) } ?: if (rec.isLive) tr("live_on_now", span(nowMs - rec.startedAtMs)) else null
            Text(
                length?.let { tr("dot_join", dateTime(rec.startedAtMs), it) } ?: dateTime(rec.startedAtMs),
                style = MaterialTheme.typography.bodyMedium, color = MaterialTheme.colorScheme.onSurfaceVariant,
            )
        }
        if (!sync.online) SyncLine(sync)
        // During the LIVE (or to turn it back on): this LIVE only, the feature stays on for others.
        if (rec.isLive || !rec.highlightsOn) {
            SwitchRow(tr("live_switch"), if (rec.highlightsOn) tr("live_switch_on") else tr("live_switch_off"), rec.highlightsOn, true, actions.setLive)
        }
        FilledTonalButton(onClick = actions.createVideo, modifier = Modifier.fillMaxWidth()) { Text(tr("create_video")) }
    }
}

/** Two or more moments wait for the seller: how many, and Approve all. */
@Composable
private fun ApproveAllBar(waiting: List<HighlightRow>, onApproveAll: () -> Unit) {
    Surface(color = MaterialTheme.colorScheme.secondaryContainer, shape = RoundedCornerShape(12.dp)) {
        Row(Modifier.fillMaxWidth().padding(12.dp), verticalAlignment = Alignment.CenterVertically, horizontalArrangement = Arrangement.spacedBy(12.dp)) {
            Text(plural("waiting_count", waiting.size, waiting.size), style = MaterialTheme.typography.bodyMedium, modifier = Modifier.weight(1f))
            Button(onClick = onApproveAll) { Text(tr("approve_all", waiting.size), maxLines = 1) }
        }
    }
}

/** Says exactly what a "remove all" of this LIVE takes down, and what stays. */
@Composable
private fun RemoveAllLiveDialog(screen: RecordingScreen, onConfirm: () -> Unit, onDismiss: () -> Unit) {
    val autos = screen.highlights.filter { it.kind == HighlightKind.AUTO }
    val posted = autos.count { it.badge == HighlightBadge.POSTED || it.badge == HighlightBadge.LIVE_NOW }
    val scheduled = autos.count { it.badge == HighlightBadge.SCHEDULED || it.badge == HighlightBadge.AWAITING_APPROVAL || it.badge == HighlightBadge.PENDING }
    val stays = screen.highlights.count { it.kind != HighlightKind.AUTO && it.badge != HighlightBadge.REMOVED }
    val total = maxOf(posted + scheduled, screen.autoPosts.toInt())
    val lines = buildList {
        if (posted > 0) add(plural("remove_posted_line", posted, posted))
        if (scheduled > 0) add(plural("remove_scheduled_line", scheduled, scheduled))
        if (stays > 0) add(plural("remove_stays_line", stays, stays))
        add(tr("remove_undo_hint"))
    }
    RemoveAllDialog(plural("remove_all_live_title", total, total), lines, onConfirm, onDismiss)
}
