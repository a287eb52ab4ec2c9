package live.highlights.app

import androidx.compose.foundation.Canvas
import androidx.compose.foundation.background
import androidx.compose.foundation.border
import androidx.compose.foundation.gestures.detectHorizontalDragGestures
import androidx.compose.foundation.gestures.detectTapGestures
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.BoxWithConstraints
import androidx.compose.foundation.layout.fillMaxHeight
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.offset
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.material3.MaterialTheme
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.rememberUpdatedState
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.draw.clip
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.geometry.Size
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.graphics.drawscope.DrawScope
import androidx.compose.ui.graphics.drawscope.Stroke
import androidx.compose.ui.input.pointer.pointerInput
import androidx.compose.ui.platform.LocalDensity
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.semantics.stateDescription
import androidx.compose.ui.unit.IntOffset
import androidx.compose.ui.unit.IntSize
import androidx.compose.ui.unit.dp
import kotlin.math.roundToInt
import uniffi.highlights_api.StoryboardStrip

// The clip editor's timeline: the recording's storyboard strips drawn as film, the whole LIVE in
// one bar, a close-up with draggable in and out handles, and the frames at both ends.

/** Where a time of the recording ([t] ms from its start) is in [strips]: the strip and its frame. */
internal fun frameAt(strips: List<StoryboardStrip>, t0: Long, t: Long): Pair<StoryboardStrip, Int>? {
    val at = t0 + t
    val strip = strips.firstOrNull { at >= it.startMs && at < it.endMs } ?: return null
    val interval = strip.storyboard.intervalMs.coerceAtLeast(1)
    return strip to ((at - strip.startMs) / interval).toInt().coerceIn(0, strip.storyboard.frames.toInt() - 1)
}

/** Draws the recording's frames from [fromMs] to [toMs] side by side across this scope; gaps stay empty. */
internal fun DrawScope.drawFilm(strips: List<StoryboardStrip>, images: Map<String, ImageBitmap?>, t0: Long, fromMs: Long, toMs: Long) {
    val tile = size.height * 9f / 16f
    if (tile <= 0f || toMs <= fromMs) return
    var x = 0f
    while (x < size.width) {
        val t = fromMs + ((x + tile / 2) / size.width * (toMs - fromMs)).toLong()
        frameAt(strips, t0, t)?.let { (strip, i) ->
            images[strip.storyboard.url]?.let { img ->
                drawFrame(img, strip.storyboard, i, IntOffset(x.roundToInt(), 0), IntSize(tile.roundToInt() + 1, size.height.roundToInt()))
            }
        }
        x += tile
    }
}

/** The frame at one end of the clip, 9:16. */
@Composable
internal fun EndFrame(strips: List<StoryboardStrip>, images: Map<String, ImageBitmap?>, t0: Long, t: Long, description: String) {
    val at = frameAt(strips, t0, t)
    val image = at?.let { images[it.first.storyboard.url] }
    val described = if (image != null) Modifier.semantics { contentDescription = description } else Modifier
    Canvas(Modifier.size(width = 72.dp, height = 128.dp).clip(RoundedCornerShape(8.dp)).background(MaterialTheme.colorScheme.surfaceVariant).then(described)) {
        if (at != null && image != null) drawFrame(image, at.first.storyboard, at.second)
    }
}

/** The whole LIVE in one bar: the close-up's stretch shaded, the clip outlined; a tap or drag moves the clip there. */
@Composable
internal fun Overview(
    strips: List<StoryboardStrip>, images: Map<String, ImageBitmap?>, t0: Long, total: Long,
    start: Long, end: Long, viewStart: Long, window: Long, jumpTo: (Long) -> Unit,
) {
    val jump by rememberUpdatedState(jumpTo)
    val span by rememberUpdatedState(total)
    val scheme = MaterialTheme.colorScheme
    val label = tr("clip_overview_cd")
    Canvas(
        Modifier.fillMaxWidth().height(40.dp).clip(RoundedCornerShape(6.dp)).background(scheme.surfaceVariant)
            .semantics { contentDescription = label }
            .pointerInput(Unit) { detectTapGestures { p -> jump((p.x / size.width * span).toLong()) } }
            .pointerInput(Unit) { detectHorizontalDragGestures { change, _ -> change.consume(); jump((change.position.x / size.width * span).toLong()) } },
    ) {
        drawFilm(strips, images, t0, 0, total)
        if (total <= 0) return@Canvas
        fun x(t: Long) = t.toFloat() / total * size.width
        drawRect(Color.White.copy(alpha = 0.35f), Offset(x(viewStart), 0f), Size(x(viewStart + window) - x(viewStart), size.height))
        drawRect(scheme.primary, Offset(x(start), 0f), Size((x(end) - x(start)).coerceAtLeast(2f), size.height), style = Stroke(2.dp.toPx()))
    }
}

/** The stretch around the clip, close up: drag a handle to move an end, the clip between them to move it whole. */
@Composable
internal fun CloseUp(
    strips: List<StoryboardStrip>, images: Map<String, ImageBitmap?>, t0: Long, start: Long, end: Long, viewStart: Long, window: Long,
    moveStart: (Long) -> Unit, moveEnd: (Long) -> Unit, moveBoth: (Long) -> Unit, settle: () -> Unit,
) {
    val scheme = MaterialTheme.colorScheme
    val handle = 20.dp
    BoxWithConstraints(Modifier.fillMaxWidth().height(72.dp).clip(RoundedCornerShape(8.dp)).background(scheme.surfaceVariant)) {
        val widthPx = constraints.maxWidth.toFloat().coerceAtLeast(1f)
        val msPerPx by rememberUpdatedState(window / widthPx)
        val onStart by rememberUpdatedState(moveStart)
        val onEnd by rememberUpdatedState(moveEnd)
        val onBoth by rememberUpdatedState(moveBoth)
        val onSettle by rememberUpdatedState(settle)
        val handlePx = with(LocalDensity.current) { handle.toPx() }
        fun x(t: Long) = (t - viewStart) / window.toFloat() * widthPx
        Canvas(Modifier.fillMaxSize()) {
            drawFilm(strips, images, t0, viewStart, viewStart + window)
            val dim = Color.Black.copy(alpha = 0.45f)
            drawRect(dim, Offset.Zero, Size(x(start).coerceIn(0f, size.width), size.height))
            drawRect(dim, Offset(x(end).coerceIn(0f, size.width), 0f), Size(size.width - x(end).coerceIn(0f, size.width), size.height))
            drawRect(scheme.primary, Offset(x(start), 0f), Size(x(end) - x(start), size.height), style = Stroke(3.dp.toPx()))
        }
        val clipLabel = tr("clip_body_cd")
        // The clip between the handles: drags it whole.
        Box(
            Modifier.offset { IntOffset((x(start) + handlePx / 2).roundToInt(), 0) }
                .width(with(LocalDensity.current) { (x(end) - x(start) - handlePx).coerceAtLeast(0f).toDp() }).fillMaxHeight()
                .semantics { contentDescription = clipLabel }
                .pointerInput(Unit) {
                    detectHorizontalDragGestures(onDragEnd = { onSettle() }) { change, dx -> change.consume(); onBoth((dx * msPerPx).toLong()) }
                },
        )
        // Each handle stays whole inside the close-up, centred on its end where it can be.
        fun left(t: Long) = (x(t) - handlePx / 2).coerceIn(0f, widthPx - handlePx)
        Handle(tr("clip_start_handle"), offset(start), left(start), handle, scheme.primary, onSettle) { dx -> onStart((dx * msPerPx).toLong()) }
        Handle(tr("clip_end_handle"), offset(end), left(end), handle, scheme.primary, onSettle) { dx -> onEnd((dx * msPerPx).toLong()) }
    }
}

/** A draggable end of the clip, read as its name and the time it is at. */
@Composable
private fun Handle(label: String, at: String, leftPx: Float, width: androidx.compose.ui.unit.Dp, color: Color, onSettle: () -> Unit, onDrag: (Float) -> Unit) {
    val drag by rememberUpdatedState(onDrag)
    val settle by rememberUpdatedState(onSettle)
    Box(
        Modifier.offset { IntOffset(leftPx.roundToInt(), 0) }.width(width).fillMaxHeight()
            .semantics { contentDescription = label; stateDescription = at }
            .pointerInput(Unit) { detectHorizontalDragGestures(onDragEnd = { settle() }) { change, dx -> change.consume(); drag(dx) } },
        contentAlignment = Alignment.Center,
    ) {
        Box(Modifier.width(10.dp).fillMaxHeight().padding(vertical = 4.dp).clip(RoundedCornerShape(5.dp)).background(color).border(2.dp, Color.White, RoundedCornerShape(5.dp)))
    }
}
