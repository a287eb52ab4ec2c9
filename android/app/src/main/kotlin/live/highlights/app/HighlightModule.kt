package live.highlights.app

import android.graphics.BitmapFactory
import androidx.activity.compose.BackHandler
import androidx.compose.foundation.Image
import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.layout.size
import androidx.compose.material3.Button
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.ListItem
import androidx.compose.material3.ModalBottomSheet
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Scaffold
import androidx.compose.material3.SnackbarHost
import androidx.compose.material3.SnackbarHostState
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
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.graphics.asImageBitmap
import androidx.compose.ui.platform.LocalUriHandler
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import java.net.URL
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import live.highlights.HighlightsClient
import uniffi.highlights_api.VideoState
import uniffi.highlights_core.Event
import uniffi.highlights_core.HighlightBadge
import uniffi.highlights_core.RecordingScreen
import uniffi.highlights_core.VideoRow

/** The LIVE highlight module: recordings newest first, paged as the list scrolls. */
@Composable
fun HighlightModuleScreen(client: HighlightsClient) {
    val module by client.module.collectAsStateWithLifecycle()
    val recording by client.recording.collectAsStateWithLifecycle()
    val sync by client.sync.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    val snackbar = remember { SnackbarHostState() }
    NoticeSnackbar(client, snackbar)
    BackHandler { scope.act(snackbar) { client.dispatch(Event.Back) } }
    Scaffold(snackbarHost = { SnackbarHost(snackbar) }) { padding ->
        LazyColumn(Modifier.padding(padding)) {
            item { SyncLine(sync); TextButton(onClick = { client.refresh() }) { Text("Refresh") } }
            items(module.recordings, key = { it.id }) { row ->
                ListItem(
                    headlineContent = { Text(if (row.isLive) "${row.title} · LIVE" else row.title) },
                    supportingContent = { Text("${row.highlightCount} highlights · ${row.recommendationCount} recommended") },
                    modifier = Modifier.clickable { scope.act(snackbar) { client.openRecording(row.id) } },
                )
                if (row.id == module.recordings.last().id && module.hasMore) {
                    LaunchedEffect(row.id) { client.loadMoreRecordings() }
                }
            }
        }
    }
    recording?.let { RecordingSheet(client, it, snackbar) }
}

/** One recording: highlights with status, recommendations to post, and the create-video sheet. */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun RecordingSheet(client: HighlightsClient, screen: RecordingScreen, snackbar: SnackbarHostState) {
    val scope = rememberCoroutineScope()
    val uriHandler = LocalUriHandler.current
    var creating by remember { mutableStateOf(false) }
    ModalBottomSheet(onDismissRequest = { scope.act(snackbar) { client.dispatch(Event.Back) } }) {
        LazyColumn {
            item { Text(screen.recording.title); Button(onClick = { creating = true }) { Text("Create video") } }
            items(screen.highlights, key = { it.id }) { h ->
                ListItem(
                    modifier = Modifier.clickable(enabled = h.video?.playerUrl != null) { h.video?.playerUrl?.let(uriHandler::openUri) },
                    leadingContent = { VideoPreview(h.video) },
                    headlineContent = { Text(h.signals.firstOrNull() ?: "Your video") },
                    overlineContent = { Text(label(h.badge)) },
                    trailingContent = {
                        if (h.badge in listOf(HighlightBadge.POSTED, HighlightBadge.LIVE_NOW, HighlightBadge.SCHEDULED)) {
                            TextButton(onClick = { scope.act(snackbar) { client.dispatch(Event.RemoveHighlight(h.id)) } }) { Text("Remove") }
                        }
                    },
                )
            }
            items(screen.recommendations, key = { it.id }) { h ->
                ListItem(
                    leadingContent = { VideoPreview(h.video) },
                    headlineContent = { Text(h.signals.joinToString()) },
                    overlineContent = { Text("Recommended") },
                    trailingContent = { TextButton(onClick = { scope.act(snackbar) { client.dispatch(Event.PostRecommendation(h.id)) } }) { Text("Post") } },
                )
            }
        }
    }
    if (creating) CreateVideoSheet(client, screen, snackbar) { creating = false }
}

/** The video's render state, then its thumbnail (tapping the row opens the player URL). */
@Composable
private fun VideoPreview(video: VideoRow?) {
    when (video?.state) {
        null -> {}
        VideoState.RENDERING -> Column { CircularProgressIndicator(Modifier.size(24.dp)); Text("Making video…") }
        VideoState.FAILED -> Text("Video failed")
        VideoState.READY -> {
            val url = video.thumbnailUrl
            val thumbnail by produceState<ImageBitmap?>(null, url) {
                value = url?.let { u ->
                    withContext(Dispatchers.IO) {
                        runCatching { URL(u).openStream().use { BitmapFactory.decodeStream(it) }?.asImageBitmap() }.getOrNull()
                    }
                }
            }
            thumbnail?.let { Image(it, contentDescription = "Video thumbnail", Modifier.size(width = 54.dp, height = 96.dp)) }
                ?: Text(video.durationMs?.let { "${it / 1000} s" } ?: "Video")
        }
    }
}

private fun label(b: HighlightBadge) = when (b) {
    HighlightBadge.SCHEDULED -> "Scheduled"
    HighlightBadge.POSTED -> "Posted"
    HighlightBadge.LIVE_NOW -> "LIVE now"
    HighlightBadge.RECOMMENDED -> "Recommended"
    HighlightBadge.REMOVED -> "Removed"
    HighlightBadge.PENDING -> "Saving…"
}

/** Start and length within the recording, and a product of that LIVE; the core validates. */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun CreateVideoSheet(client: HighlightsClient, screen: RecordingScreen, snackbar: SnackbarHostState, onDone: () -> Unit) {
    val scope = rememberCoroutineScope()
    var start by remember { mutableStateOf("0") }
    var length by remember { mutableStateOf("20") }
    var product by remember { mutableStateOf(screen.products.firstOrNull()?.id ?: "") }
    ModalBottomSheet(onDismissRequest = onDone) {
        Column(Modifier.padding(16.dp)) {
            OutlinedTextField(start, { start = it }, label = { Text("Start (seconds into the LIVE)") })
            OutlinedTextField(length, { length = it }, label = { Text("Length (seconds)") })
            screen.products.forEach { p ->
                TextButton(onClick = { product = p.id }) { Text((if (p.id == product) "● " else "○ ") + p.name) }
            }
            Button(onClick = {
                val s = screen.recording.startedAtMs + (start.toLongOrNull() ?: 0) * 1000
                val e = s + (length.toLongOrNull() ?: 0) * 1000
                scope.act(snackbar) { client.createVideo(screen.recording.id, s, e, product); onDone() }
            }) { Text("Create") }
        }
    }
}
