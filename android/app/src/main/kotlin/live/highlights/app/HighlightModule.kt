package live.highlights.app

import androidx.compose.foundation.Image
import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.selection.selectable
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.produceState
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import java.net.URL
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import live.highlights.HighlightsClient
import uniffi.highlights_api.Results
import uniffi.highlights_api.VideoState
import uniffi.highlights_core.HighlightBadge
import uniffi.highlights_core.HighlightRow
import uniffi.highlights_core.RecordingScreen
import uniffi.highlights_core.VideoRow

/** The LIVE highlight module: recordings newest first, paged as the list scrolls. */
@Composable
fun HighlightModuleScreen(client: HighlightsClient) {
    val module by client.module.collectAsStateWithLifecycle()
    val sync by client.sync.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    val snackbar = LocalSnackbar.current
    val shell = LocalShell.current
    val back = { scope.act(snackbar, shell) { client.back() }; Unit }
    LocalShell.current.BackHandler(true, back)
    Column {
        var confirming by remember { mutableStateOf(false) }
        TitleBar(tr("module_title"), onBack = back) {
            TextButton(onClick = { client.refresh() }) { Text(tr("refresh")) }
            if (module.recordings.any { it.highlightCount > 0u }) TextButton(onClick = { confirming = true }) { Text(tr("remove_all")) }
        }
        if (confirming) {
            RemoveAllDialog(tr("remove_all_every_title"), tr("remove_all_every_body"),
                onConfirm = { scope.act(snackbar, shell) { client.removeAllHighlights(null) } }, onDismiss = { confirming = false })
        }
        LazyColumn {
            item { Row(Modifier.padding(horizontal = 16.dp)) { SyncLine(sync) } }
            if (module.recordings.isEmpty()) item { Text(tr("module_empty"), Modifier.padding(16.dp)) }
            items(module.recordings, key = { it.id }) { row ->
                ListItem(
                    headlineContent = { Text(if (row.isLive) tr("recording_live", row.title) else row.title) },
                    overlineContent = { Text(clock(row.startedAtMs)) },
                    supportingContent = { Text(tr("recording_counts", row.highlightCount.toInt(), row.recommendationCount.toInt())) },
                    modifier = Modifier.clickable(onClickLabel = tr("open")) { scope.act(snackbar, shell) { client.openRecording(row.id) } },
                )
                if (row.id == module.recordings.last().id && module.hasMore) {
                    LaunchedEffect(row.id) { client.loadMoreRecordings() }
                }
            }
        }
    }
}

/** One recording: its highlights with status and post time, recommendations to post, and Create video. */
@Composable
fun RecordingPage(client: HighlightsClient) {
    val recording by client.recording.collectAsStateWithLifecycle()
    val screen = recording ?: return
    val scope = rememberCoroutineScope()
    val snackbar = LocalSnackbar.current
    val shell = LocalShell.current
    val back = { scope.act(snackbar, shell) { client.back() }; Unit }
    var creating by remember { mutableStateOf(false) }
    LocalShell.current.BackHandler(!creating, back)
    Column {
        val autoPosts = screen.autoPosts.toInt()
        var confirming by remember { mutableStateOf(false) }
        TitleBar(screen.recording.title, onBack = back) {
            TextButton(onClick = { client.refresh() }) { Text(tr("refresh")) }
            if (autoPosts > 0) TextButton(onClick = { confirming = true }) { Text(tr("remove_all")) }
        }
        if (confirming) {
            RemoveAllDialog(tr("remove_all_live_title"), tr("remove_all_live_body", autoPosts),
                onConfirm = { scope.act(snackbar, shell) { client.removeAllHighlights(screen.recording.id) } },
                onDismiss = { confirming = false })
        }
        LazyColumn {
            item {
                Button(onClick = { creating = true }, modifier = Modifier.padding(horizontal = 16.dp)) { Text(tr("create_video")) }
            }
            // During the LIVE (or to turn it back on): this LIVE only, the feature stays on for others.
            if (screen.recording.isLive || !screen.recording.highlightsOn) {
                item {
                    val label = tr("live_switch")
                    ListItem(
                        headlineContent = { Text(label) },
                        supportingContent = { Text(if (screen.recording.highlightsOn) tr("live_switch_on") else tr("live_switch_off")) },
                        trailingContent = {
                            Switch(
                                checked = screen.recording.highlightsOn,
                                onCheckedChange = { on -> scope.act(snackbar, shell) { client.setLiveHighlights(screen.recording.id, on) } },
                                modifier = Modifier.semantics { contentDescription = label },
                            )
                        },
                    )
                }
            }
            // Once a video has viewers: before that a line of zeros says nothing.
            if (screen.highlights.any { it.results != null }) {
                item { ResultsLine(tr("results_live"), screen.results, screen.currency, Modifier.padding(horizontal = 16.dp, vertical = 8.dp)) }
            }
            item { Section(tr("highlights_section", screen.highlights.size)) }
            items(screen.highlights, key = { it.id }) { h ->
                HighlightCard(screen, h) {
                    if (h.badge == HighlightBadge.AWAITING_APPROVAL) {
                        val (approve, skip) = tr("approve_cd", range(screen, h)) to tr("skip_cd", range(screen, h))
                        Column {
                            TextButton(
                                onClick = { scope.act(snackbar, shell) { client.approveHighlight(h.id) } },
                                modifier = Modifier.semantics { contentDescription = approve },
                            ) { Text(tr("approve")) }
                            TextButton(
                                onClick = { scope.act(snackbar, shell) { client.removeHighlight(h.id) } },
                                modifier = Modifier.semantics { contentDescription = skip },
                            ) { Text(tr("skip")) }
                        }
                    }
                    if (h.badge in listOf(HighlightBadge.POSTED, HighlightBadge.LIVE_NOW, HighlightBadge.SCHEDULED)) {
                        val label = tr("remove_cd", range(screen, h))
                        TextButton(
                            onClick = { scope.act(snackbar, shell) { client.removeHighlight(h.id) } },
                            modifier = Modifier.semantics { contentDescription = label },
                        ) { Text(tr("remove")) }
                    }
                }
            }
            item { Section(tr("recommendations_section", screen.recommendations.size)) }
            items(screen.recommendations, key = { it.id }) { h ->
                HighlightCard(screen, h) {
                    val label = tr("post_cd", range(screen, h))
                    TextButton(
                        onClick = { scope.act(snackbar, shell) { client.postRecommendation(h.id) } },
                        modifier = Modifier.semantics { contentDescription = label },
                    ) { Text(tr("post")) }
                }
            }
        }
    }
    if (creating) CreateVideoDialog(client, screen) { creating = false }
}

@Composable
private fun Section(title: String) =
    Text(title, style = MaterialTheme.typography.titleSmall, modifier = Modifier.padding(start = 16.dp, top = 16.dp))

/** Where in the recording a highlight sits, as "m:ss–m:ss". */
private fun range(screen: RecordingScreen, h: HighlightRow): String {
    val t0 = screen.recording.startedAtMs
    return offset(h.startMs - t0) + "–" + offset(h.endMs - t0)
}

/** A highlight as the seller decides on it: status and post time, product, range, reasons, video. */
@Composable
private fun HighlightCard(screen: RecordingScreen, h: HighlightRow, action: @Composable () -> Unit) {
    val uriHandler = androidx.compose.ui.platform.LocalUriHandler.current
    val product = h.productId?.let { id -> screen.products.firstOrNull { it.id == id }?.name ?: id } ?: tr("no_product")
    ListItem(
        modifier = Modifier.clickable(enabled = h.video?.playerUrl != null, onClickLabel = tr("play")) {
            h.video?.playerUrl?.let(uriHandler::openUri)
        },
        leadingContent = { VideoPreview(h.video) },
        overlineContent = { Text(status(h)) },
        headlineContent = { Text("$product · ${range(screen, h)}") },
        supportingContent = {
            Column {
                if (h.signals.isNotEmpty()) Text(h.signals.joinToString(" · "))
                h.results?.let { ResultsLine(tr("results_video"), it, screen.currency) }
            }
        },
        trailingContent = action,
    )
}

@Composable
private fun status(h: HighlightRow): String = when (h.badge) {
    HighlightBadge.SCHEDULED -> h.postAtMs?.let { tr("badge_scheduled_at", clock(it)) } ?: tr("badge_scheduled")
    HighlightBadge.AWAITING_APPROVAL -> h.postAtMs?.let { tr("badge_awaiting_at", clock(it)) } ?: tr("badge_awaiting")
    HighlightBadge.POSTED -> h.postAtMs?.let { tr("badge_posted_at", clock(it)) } ?: tr("badge_posted")
    HighlightBadge.LIVE_NOW -> tr("badge_live_now")
    HighlightBadge.RECOMMENDED -> tr("badge_recommended")
    HighlightBadge.REMOVED -> tr("badge_removed")
    HighlightBadge.PENDING -> tr("saving")
}

/**
 * What videos earned, in one line: views, LIVE-room entries, product clicks, orders and GMV
 * (the figure that proves the feature pays), with [label] saying whose results they are.
 */
@Composable
private fun ResultsLine(label: String, r: Results, currency: String, modifier: Modifier = Modifier) {
    val gmv = money(r.gmvMinor, currency)
    val text = tr("results_line", r.views.toLong(), r.liveEntries.toLong(), r.productClicks.toLong(), r.orders.toLong(), gmv)
    Text("$label: $text", style = MaterialTheme.typography.bodySmall, modifier = modifier)
}

/** The video's render state, then its thumbnail (tapping the row opens the player URL). */
@Composable
private fun VideoPreview(video: VideoRow?) {
    val shell = LocalShell.current
    when (video?.state) {
        null -> {}
        VideoState.RENDERING -> Column(horizontalAlignment = Alignment.CenterHorizontally) {
            CircularProgressIndicator(Modifier.size(24.dp))
            Text(tr("video_rendering"), style = MaterialTheme.typography.labelSmall)
        }
        VideoState.FAILED -> Text(tr("video_failed"), style = MaterialTheme.typography.labelSmall)
        VideoState.READY -> {
            val url = video.thumbnailUrl
            val thumbnail by produceState<ImageBitmap?>(null, url) {
                value = url?.let { u ->
                    withContext(Dispatchers.IO) { runCatching { URL(u).openStream().use { shell.decodeImage(it.readBytes()) } }.getOrNull() }
                }
            }
            val length = video.durationMs?.let { tr("video_seconds", (it / 1000).toInt()) } ?: tr("video")
            thumbnail?.let { Image(it, contentDescription = tr("video_thumbnail_cd", length), Modifier.size(width = 54.dp, height = 96.dp)) }
                ?: Text(length)
        }
    }
}

/** Start and length within the recording, and a product of that LIVE; the core validates. */
@Composable
fun CreateVideoDialog(client: HighlightsClient, screen: RecordingScreen, onDone: () -> Unit) {
    val scope = rememberCoroutineScope()
    val snackbar = LocalSnackbar.current
    val shell = LocalShell.current
    var start by remember { mutableStateOf("0") }
    var length by remember { mutableStateOf("20") }
    var product by remember { mutableStateOf(screen.products.firstOrNull()?.id ?: "") }
    LocalShell.current.BackHandler(true, onDone)
    AlertDialog(
        onDismissRequest = onDone,
        title = { Text(tr("create_video")) },
        text = {
            Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                OutlinedTextField(start, { start = it }, label = { Text(tr("create_start")) }, singleLine = true)
                OutlinedTextField(length, { length = it }, label = { Text(tr("create_length")) }, singleLine = true)
                screen.products.forEach { p ->
                    Row(
                        // The whole row is the touch target, at least 48 dp high.
                        Modifier.heightIn(min = 48.dp).selectable(selected = p.id == product, role = Role.RadioButton) { product = p.id },
                        verticalAlignment = Alignment.CenterVertically,
                    ) {
                        RadioButton(selected = p.id == product, onClick = null)
                        Text(p.name, Modifier.padding(start = 8.dp))
                    }
                }
            }
        },
        confirmButton = {
            Button(onClick = {
                val s = screen.recording.startedAtMs + (start.trim().toLongOrNull() ?: -1) * 1000
                val e = s + (length.trim().toLongOrNull() ?: 0) * 1000
                scope.act(snackbar, shell) { client.createVideo(screen.recording.id, s, e, product); onDone() }
            }) { Text(tr("create_confirm")) }
        },
        dismissButton = { TextButton(onClick = onDone) { Text(tr("cancel")) } },
    )
}
