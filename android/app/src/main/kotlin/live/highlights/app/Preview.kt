package live.highlights.app

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Slider
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableFloatStateOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.draw.clip
import androidx.compose.ui.platform.LocalUriHandler
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.compose.ui.window.Dialog
import androidx.compose.ui.window.DialogProperties
import kotlin.math.roundToInt
import uniffi.highlights_api.VideoState
import uniffi.highlights_core.HighlightRow

/** A highlight's preview over the recording, full screen. */
@Composable
fun PreviewDialog(
    h: HighlightRow, product: String, range: String, currency: String, nowMs: Long, actions: CardActions,
    video: (suspend () -> ByteArray)?, playerUrl: String?, onClose: () -> Unit,
) {
    Dialog(onDismissRequest = onClose, properties = DialogProperties(usePlatformDefaultWidth = false)) {
        Surface(Modifier.fillMaxSize(), color = MaterialTheme.colorScheme.background) {
            PreviewContent(h, product, range, currency, nowMs, actions, video, playerUrl, onClose)
        }
    }
}

/**
 * A highlight before (or after) it goes out: its frames to scrub through, the video itself where
 * the platform has a decoder, "open in player" always; then why it was picked, what it earned,
 * and the card's actions.
 */
@Composable
fun PreviewContent(
    h: HighlightRow, product: String, range: String, currency: String, nowMs: Long, actions: CardActions,
    video: (suspend () -> ByteArray)?, playerUrl: String?, onClose: () -> Unit,
) {
    LocalShell.current.BackHandler(true, onClose)
    val player = LocalShell.current.player
    val storyboard = h.video?.storyboard
    val ready = h.video?.state == VideoState.READY
    var playing by remember { mutableStateOf(false) }
    var unplayable by remember { mutableStateOf(false) }
    var position by remember { mutableFloatStateOf(0f) }
    val uri = LocalUriHandler.current
    Column(Modifier.verticalScroll(rememberScrollState())) {
        TitleBar(tr("preview_title", product, range), onBack = onClose)
        Column(Modifier.padding(horizontal = 16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
            Box(Modifier.width(240.dp).aspectRatio(9f / 16f).clip(RoundedCornerShape(16.dp)).align(Alignment.CenterHorizontally)) {
                val frame = position.roundToInt()
                when {
                    playing && player != null && video != null ->
                        player.Play(video, tr("video_playing_cd", range), Modifier.fillMaxSize()) { played ->
                            playing = false
                            unplayable = !played
                        }
                    storyboard != null ->
                        StoryboardFrame(storyboard, frame, tr("storyboard_frame_cd", offset(frame * storyboard.intervalMs)), Modifier.fillMaxSize())
                    else -> Thumbnail(h.video?.thumbnailUrl?.takeIf { ready }, tr("video_thumbnail_cd", range), Modifier.fillMaxSize(), corner = 16.dp)
                }
                StatusChip(h, nowMs, Modifier.align(Alignment.TopStart).padding(8.dp))
            }
            if (storyboard != null && !playing && storyboard.frames > 1u) {
                val last = storyboard.frames.toInt() - 1
                val label = tr("scrub_cd")
                Slider(
                    value = position, onValueChange = { position = it }, valueRange = 0f..last.toFloat(),
                    modifier = Modifier.fillMaxWidth().semantics { contentDescription = label },
                )
                Text(
                    tr("scrub_position", offset(position.roundToInt() * storyboard.intervalMs), offset(last * storyboard.intervalMs)),
                    style = MaterialTheme.typography.labelMedium, softWrap = false,
                )
            }
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp), verticalAlignment = Alignment.CenterVertically) {
                if (player != null && video != null && ready) {
                    if (playing) OutlinedButton(onClick = { playing = false }) { Text(tr("stop")) }
                    else Button(onClick = { unplayable = false; playing = true }) { Text(tr("play")) }
                }
                if (playerUrl != null && ready) TextButton(onClick = { uri.openUri(playerUrl) }) { Text(tr("open_in_player")) }
            }
            if (unplayable) Text(tr("video_unplayable"), style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.error)
            val reasons = reasonLines(h, currency)
            if (reasons.isNotEmpty()) {
                Text(tr("why_picked"), style = MaterialTheme.typography.titleSmall)
                reasons.forEach { Text(it, style = MaterialTheme.typography.bodyMedium) }
            }
            h.results?.let { r ->
                Text(tr("results_video"), style = MaterialTheme.typography.titleSmall)
                ResultTiles(r, currency)
            }
            CardButtons(h, status(h, nowMs), range, nowMs, actions)
            Box(Modifier.padding(bottom = 16.dp))
        }
    }
}
