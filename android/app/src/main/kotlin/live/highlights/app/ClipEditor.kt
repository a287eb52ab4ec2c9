package live.highlights.app

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.offset
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.selection.selectable
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.key
import androidx.compose.runtime.mutableLongStateOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.produceState
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.draw.clip
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.unit.dp
import androidx.compose.ui.window.Dialog
import androidx.compose.ui.window.DialogProperties
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.delay
import kotlinx.coroutines.withContext
import uniffi.highlights_api.RecordingStoryboard
import uniffi.highlights_core.Limits
import uniffi.highlights_core.ProductRow
import uniffi.highlights_core.RecordingRow
import uniffi.highlights_core.RecordingScreen

/** Clip bounds when the server's limits are not known yet. */
private const val DEFAULT_MIN_S = 10u
private const val DEFAULT_MAX_S = 60u

/** The clip editor over the recording, full screen; the recording's frames load as it opens. */
@Composable
fun ClipEditorDialog(
    screen: RecordingScreen, limits: Limits?, nowMs: Long, loadStoryboard: suspend () -> RecordingStoryboard?,
    onCreate: (startMs: Long, endMs: Long, productId: String) -> Unit, onClose: () -> Unit,
) {
    var failed by remember { mutableStateOf(false) }
    // Loaded as the editor opens; during the LIVE, again every few seconds as the recording grows.
    val storyboard by produceState<RecordingStoryboard?>(null, screen.recording.id) {
        while (true) {
            val got = loadStoryboard()
            failed = got == null && value == null
            if (got != null) value = got
            if (!screen.recording.isLive) break
            withContext(Dispatchers.Default) { delay(10_000) }
        }
    }
    Dialog(onDismissRequest = onClose, properties = DialogProperties(usePlatformDefaultWidth = false)) {
        Surface(Modifier.fillMaxSize(), color = MaterialTheme.colorScheme.background) {
            ClipEditorContent(screen.recording, screen.products, limits, storyboard, failed, nowMs, onCreate, onClose)
        }
    }
}

/** [v] held within [lo]..[hi]; unchanged when no value is (the problems line says why). */
private fun clamp(v: Long, lo: Long, hi: Long): Long = if (lo > hi) v else v.coerceIn(lo, hi)

/**
 * Choosing a clip on the recording's frames: an overview of the whole LIVE (tap or drag to go
 * there), a close-up with in and out handles, the length held within the server's limits, both
 * ends' frames, inline problems, and the product the video is tied to. Nothing is typed.
 */
@Composable
fun ClipEditorContent(
    recording: RecordingRow, products: List<ProductRow>, limits: Limits?, storyboard: RecordingStoryboard?, framesFailed: Boolean, nowMs: Long,
    onCreate: (startMs: Long, endMs: Long, productId: String) -> Unit, onClose: () -> Unit,
) {
    LocalShell.current.BackHandler(true, onClose)
    val t0 = recording.startedAtMs
    val total = maxOf(0L, (recording.endedAtMs ?: nowMs) - t0)
    val minMs = (limits?.clipMinS ?: DEFAULT_MIN_S).toLong() * 1000
    val maxMs = maxOf(minMs, (limits?.clipMaxS ?: DEFAULT_MAX_S).toLong() * 1000)
    val window = minOf(total, maxOf(maxMs * 2, 60_000L)).coerceAtLeast(1)
    var start by remember { mutableLongStateOf(0L) }
    var end by remember { mutableLongStateOf(minOf(total, (20_000L).coerceIn(minMs, maxMs))) }
    var viewStart by remember { mutableLongStateOf(0L) }
    var product by remember { mutableStateOf(products.firstOrNull()?.id) }
    val strips = storyboard?.strips.orEmpty()

    fun recentre() {
        if (start < viewStart || end > viewStart + window) viewStart = ((start + end) / 2 - window / 2).coerceIn(0L, maxOf(0L, total - window))
    }
    // Each end stays inside the recording and the close-up, the length within the limits.
    fun moveStart(d: Long) { start = clamp(start + d, maxOf(0L, end - maxMs, viewStart), end - minMs) }
    fun moveEnd(d: Long) { end = clamp(end + d, start + minMs, minOf(total, start + maxMs, viewStart + window)) }
    fun moveBoth(d: Long) { val shift = clamp(d, -start, total - end); start += shift; end += shift }
    fun jumpTo(t: Long) {
        val len = end - start
        start = (t - len / 2).coerceIn(0L, maxOf(0L, total - len)); end = start + len
        viewStart = ((start + end) / 2 - window / 2).coerceIn(0L, maxOf(0L, total - window))
    }

    // Only the strips on screen are fetched: the overview's samples, the close-up, both ends.
    val needed = buildSet {
        for (k in 0 until 24) frameAt(strips, t0, total * k / 24)?.let { add(it.first.storyboard.url) }
        var t = viewStart
        while (t <= viewStart + window) { frameAt(strips, t0, t)?.let { add(it.first.storyboard.url) }; t += 2_000 }
        frameAt(strips, t0, start)?.let { add(it.first.storyboard.url) }
        frameAt(strips, t0, maxOf(start, end - 1))?.let { add(it.first.storyboard.url) }
    }
    val images = needed.associateWith { url -> key(url) { rememberImage(url) } }

    val problems = buildList {
        if (total < minMs) add(tr("clip_too_short_live", (minMs / 1000).toInt()))
        if (start < 0) add(tr("clip_before_start"))
        if (end > total) add(tr("clip_after_end"))
        if (total >= minMs && (end - start < minMs || end - start > maxMs)) add(tr("clip_length_problem", (minMs / 1000).toInt(), (maxMs / 1000).toInt()))
        if (products.isEmpty()) add(tr("clip_no_products"))
    }

    Column(Modifier.verticalScroll(rememberScrollState())) {
        TitleBar(tr("create_video"), onBack = onClose)
        Column(Modifier.padding(horizontal = 16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
            Row(horizontalArrangement = Arrangement.spacedBy(12.dp), verticalAlignment = Alignment.CenterVertically) {
                EndFrame(strips, images, t0, start, tr("clip_start_frame_cd", offset(start)))
                EndFrame(strips, images, t0, maxOf(start, end - 1), tr("clip_end_frame_cd", offset(end)))
                Column(verticalArrangement = Arrangement.spacedBy(4.dp)) {
                    Text(offset(start) + "–" + offset(end), style = MaterialTheme.typography.titleLarge, softWrap = false, modifier = Modifier.testTag("clip-range"))
                    Text(tr("clip_length", span(end - start)), style = MaterialTheme.typography.bodyMedium, softWrap = false)
                    Text(tr("clip_allowed", (minMs / 1000).toInt(), (maxMs / 1000).toInt()), style = MaterialTheme.typography.bodySmall,
                        color = MaterialTheme.colorScheme.onSurfaceVariant)
                }
            }
            if (strips.isEmpty()) {
                Text(
                    when {
                        framesFailed -> tr("clip_frames_failed")
                        storyboard == null -> tr("clip_frames_loading")
                        else -> tr("clip_no_frames")
                    }, style = MaterialTheme.typography.bodySmall,
                    color = MaterialTheme.colorScheme.onSurfaceVariant)
            }
            Text(tr("clip_whole_live", span(total)), style = MaterialTheme.typography.labelMedium)
            Overview(strips, images, t0, total, start, end, viewStart, window, ::jumpTo)
            Text(tr("clip_drag_hint"), style = MaterialTheme.typography.labelMedium)
            CloseUp(strips, images, t0, start, end, viewStart, window, ::moveStart, ::moveEnd, ::moveBoth, ::recentre)
            Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.SpaceBetween) {
                Text(offset(viewStart), style = MaterialTheme.typography.labelSmall)
                Text(offset(viewStart + window), style = MaterialTheme.typography.labelSmall)
            }
            problems.forEach { Text(it, color = MaterialTheme.colorScheme.error, style = MaterialTheme.typography.bodyMedium) }
            if (products.isNotEmpty()) Text(tr("clip_product"), style = MaterialTheme.typography.titleSmall)
            products.forEach { p ->
                Row(
                    // The whole row is the touch target, at least 48 dp high.
                    Modifier.fillMaxWidth().heightIn(min = 48.dp).selectable(selected = p.id == product, role = Role.RadioButton) { product = p.id },
                    verticalAlignment = Alignment.CenterVertically,
                ) {
                    RadioButton(selected = p.id == product, onClick = null)
                    Text(p.name, Modifier.padding(start = 8.dp))
                }
            }
            Row(Modifier.fillMaxWidth().padding(bottom = 16.dp), horizontalArrangement = Arrangement.spacedBy(8.dp, Alignment.End)) {
                TextButton(onClick = onClose) { Text(tr("cancel")) }
                val chosen = product
                Button(onClick = { if (chosen != null) onCreate(t0 + start, t0 + end, chosen) }, enabled = problems.isEmpty() && chosen != null) {
                    Text(tr("create_confirm"))
                }
            }
        }
    }
}

