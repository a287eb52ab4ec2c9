package live.highlights.app

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.style.TextOverflow
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import live.highlights.HighlightsClient
import uniffi.highlights_core.ModuleScreen
import uniffi.highlights_core.PostingBarNote
import uniffi.highlights_core.RecordingRow
import uniffi.highlights_core.SyncIndicator

/** What the seller can do on the module. */
class ModuleActions(
    val back: () -> Unit = {},
    val refresh: () -> Unit = {},
    val open: (String) -> Unit = {},
    val loadMore: () -> Unit = {},
    val removeAll: () -> Unit = {},
    val resetPostingBar: () -> Unit = {},
)

/** The LIVE highlight module, from the client. */
@Composable
fun HighlightModuleScreen(client: HighlightsClient) {
    val module by client.module.collectAsStateWithLifecycle()
    val sync by client.sync.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    val snackbar = LocalSnackbar.current
    val shell = LocalShell.current
    fun go(block: suspend () -> Unit) { scope.act(snackbar, shell, block) }
    ModuleContent(
        module, sync, rememberNow(60_000),
        ModuleActions(
            back = { go { client.back() } },
            refresh = { client.refresh() },
            open = { id -> go { client.openRecording(id) } },
            loadMore = { go { client.loadMoreRecordings() } },
            removeAll = { go { client.removeAllHighlights(null); client.dismissPostNotifications(null) } },
            resetPostingBar = { go { client.resetPostingBar() } },
        ),
    )
}

/**
 * The module: the seller's LIVEs newest first, grouped by day, each with its cover, time and
 * length, clips, views and GMV, and a strip of its clips; paged as the list scrolls. Before the
 * first sync: skeletons, then an error with Retry if it failed; an empty list only once synced.
 */
@Composable
fun ModuleContent(module: ModuleScreen, sync: SyncIndicator, nowMs: Long, actions: ModuleActions) {
    LocalShell.current.BackHandler(true, actions.back)
    var confirming by remember { mutableStateOf(false) }
    Column {
        TitleBar(tr("module_title"), onBack = actions.back) {
            TextButton(onClick = actions.refresh) { Text(tr("refresh")) }
            val autos = (module.autoPosted + module.autoScheduled).toInt()
            OverflowMenu(if (autos > 0) listOf(MenuEntry(tr("remove_all_count", autos)) { confirming = true }) else emptyList())
        }
        if (confirming) {
            // Exactly what goes and what stays, every LIVE together.
            val (posted, scheduled, own) = Triple(module.autoPosted.toInt(), module.autoScheduled.toInt(), module.ownVideos.toInt())
            val lines = buildList {
                if (posted > 0) add(plural("remove_posted_line", posted, posted))
                if (scheduled > 0) add(plural("remove_scheduled_line", scheduled, scheduled))
                if (own > 0) add(plural("remove_stays_line", own, own))
                add(tr("remove_undo_hint"))
            }
            RemoveAllDialog(tr("remove_all_every_title"), lines, onConfirm = actions.removeAll, onDismiss = { confirming = false })
        }
        val state = dataState(sync)
        val days = module.recordings.groupBy { dayKey(it.startedAtMs) }
        LazyColumn {
            item { SyncLine(sync, Modifier.padding(horizontal = 16.dp, vertical = 4.dp)) }
            module.postingBar?.let { bar -> item(key = "posting-bar") { PostingBarCard(bar, actions.resetPostingBar) } }
            if (module.recordings.isEmpty()) {
                item {
                    when (state) {
                        DataState.LOADING -> SkeletonRows()
                        DataState.FAILED -> ErrorState(
                            if (sync.online) tr("module_error_title") else tr("module_offline_title"),
                            if (sync.online) tr("module_error_body") else tr("module_offline_body"),
                            actions.refresh, Modifier.padding(16.dp),
                        )
                        else -> EmptyState(tr("module_empty_title"), tr("module_empty_body"))
                    }
                }
            }
            days.forEach { (day, rows) ->
                item(key = "day-$day") {
                    Text(dayLabel(rows.first().startedAtMs, nowMs), style = MaterialTheme.typography.titleSmall,
                        color = MaterialTheme.colorScheme.primary, modifier = Modifier.padding(start = 16.dp, end = 16.dp, top = 16.dp, bottom = 4.dp))
                }
                items(rows, key = { it.id }) { row ->
                    LiveRow(row, module.currency, nowMs) { actions.open(row.id) }
                    if (row.id == module.recordings.last().id && module.hasMore) {
                        LaunchedEffect(row.id) { actions.loadMore() }
                    }
                }
            }
        }
    }
}

/** How Highlights now posts for the seller, learned from what they did, with Reset back to the usual bar. */
@Composable
fun PostingBarCard(bar: PostingBarNote, onReset: () -> Unit) {
    val text = if (bar.fewer) {
        tr("posting_bar_fewer", bar.removed.toInt(), bar.ofLast.toInt())
    } else {
        plural("posting_bar_more", bar.postedByHand.toInt(), bar.postedByHand.toInt())
    }
    Surface(
        tonalElevation = 1.dp, shape = RoundedCornerShape(12.dp),
        modifier = Modifier.padding(horizontal = 12.dp, vertical = 4.dp).fillMaxWidth(),
    ) {
        // The sentence gets the card's width (long in Indonesian, at large font sizes); the button
        // sits under it at the end, where the seller's thumb finds it.
        Column(Modifier.padding(start = 16.dp, end = 4.dp, top = 10.dp)) {
            Text(text, style = MaterialTheme.typography.bodyMedium, modifier = Modifier.padding(end = 12.dp))
            val resetSaid = tr("posting_bar_reset_description")
            TextButton(
                onClick = onReset,
                modifier = Modifier.align(Alignment.End).semantics { contentDescription = resetSaid },
            ) {
                Text(tr("posting_bar_reset"))
            }
        }
    }
}

/** One LIVE at a glance; the whole row opens it. */
@Composable
fun LiveRow(row: RecordingRow, currency: String, nowMs: Long, onOpen: () -> Unit) {
    val name = liveTitle(row.title, row.startedAtMs)
    Row(
        Modifier.fillMaxWidth().clickable(onClickLabel = tr("open"), onClick = onOpen).padding(horizontal = 16.dp, vertical = 10.dp),
        horizontalArrangement = Arrangement.spacedBy(12.dp),
    ) {
        Thumbnail(row.coverUrl, tr("cover_cd", name), Modifier.size(width = 72.dp, height = 128.dp), corner = 10.dp) {
            if (row.isLive) LivePill(Modifier.align(Alignment.TopStart).padding(6.dp))
        }
        Column(Modifier.weight(1f), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Text(name, style = MaterialTheme.typography.titleMedium, maxLines = 2, overflow = TextOverflow.Ellipsis)
            val length = row.endedAtMs?.let { span(it - row.startedAtMs) } ?: if (row.isLive) tr("live_on_now", span(nowMs - row.startedAtMs)) else null
            Text(
                length?.let { tr("dot_join", clock(row.startedAtMs), it) } ?: clock(row.startedAtMs),
                style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onSurfaceVariant,
            )
            val videos = plural("videos_count", row.highlightCount.toInt(), row.highlightCount.toInt())
            val recs = row.recommendationCount.toInt()
            Text(if (recs > 0) tr("dot_join", videos, plural("to_post_count", recs, recs)) else videos, style = MaterialTheme.typography.bodyMedium)
            if (row.views > 0u || row.gmvMinor != 0L) {
                Text(
                    tr("live_stats", plural("views_count", row.views.count(), compact(row.views.toLong())), moneyCompact(row.gmvMinor, currency)),
                    style = MaterialTheme.typography.labelLarge, color = MaterialTheme.colorScheme.tertiary,
                )
            }
            if (row.thumbnailUrls.isNotEmpty()) {
                Row(horizontalArrangement = Arrangement.spacedBy(4.dp), modifier = Modifier.padding(top = 2.dp)) {
                    row.thumbnailUrls.take(6).forEach { url -> Thumbnail(url, null, Modifier.size(width = 27.dp, height = 48.dp), corner = 4.dp) }
                }
            }
        }
    }
}
