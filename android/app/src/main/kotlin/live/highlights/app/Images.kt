package live.highlights.app

import androidx.compose.foundation.Canvas
import androidx.compose.foundation.Image
import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.BoxScope
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.material3.MaterialTheme
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.staticCompositionLocalOf
import androidx.compose.ui.Modifier
import androidx.compose.ui.draw.clip
import androidx.compose.ui.graphics.ColorFilter
import androidx.compose.ui.graphics.ColorMatrix
import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.graphics.drawscope.DrawScope
import androidx.compose.ui.layout.ContentScale
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.Dp
import androidx.compose.ui.unit.IntOffset
import androidx.compose.ui.unit.IntSize
import androidx.compose.ui.unit.dp
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Deferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.async
import uniffi.highlights_api.Storyboard

/**
 * Thumbnails and storyboards by URL: fetched with [fetch] (the core's `media`, with the seller's
 * token), decoded off the UI thread with [decode], the last [capacity] kept in memory. One fetch
 * per URL at a time however many cards ask; a failure is not kept, so the next look tries again.
 */
class ImageCache(
    private val fetch: suspend (String) -> ByteArray,
    private val decode: (ByteArray) -> ImageBitmap?,
    private val capacity: Int = 128,
) {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    private val lru = object : LinkedHashMap<String, ImageBitmap>(32, 0.75f, true) {
        override fun removeEldestEntry(eldest: MutableMap.MutableEntry<String, ImageBitmap>) = size > capacity
    }
    private val inFlight = HashMap<String, Deferred<ImageBitmap?>>()

    /** The image of [url] if it is in memory, without waiting. */
    fun cached(url: String): ImageBitmap? = synchronized(lru) { lru[url] }

    /** The image of [url], fetched and decoded if it is not in memory; null when it cannot be had now. */
    suspend fun load(url: String): ImageBitmap? {
        cached(url)?.let { return it }
        val job = synchronized(inFlight) {
            inFlight.getOrPut(url) {
                scope.async {
                    try {
                        val image = runCatching { decode(fetch(url)) }.getOrNull()
                        if (image != null) synchronized(lru) { lru[url] = image }
                        image
                    } finally {
                        synchronized(inFlight) { inFlight.remove(url) }
                    }
                }
            }
        }
        return job.await()
    }
}

/** The screens' image cache; null (nothing loads) where no client backs the screens. */
val LocalImages = staticCompositionLocalOf<ImageCache?> { null }

/** The image of [url] once loaded (at once when cached), else null. */
@Composable
fun rememberImage(url: String?): ImageBitmap? {
    val cache = LocalImages.current
    val image = remember(url, cache) { mutableStateOf(url?.let { cache?.cached(it) }) }
    LaunchedEffect(url, cache) {
        if (url != null && image.value == null && cache != null) image.value = cache.load(url)
    }
    return image.value
}

/** Greys a picture out (a removed highlight). */
val Greyed = ColorFilter.colorMatrix(ColorMatrix().apply { setToSaturation(0f) })

/**
 * A 9:16 picture with rounded corners: [url]'s image once loaded, on a placeholder until then.
 * [contentDescription] names the image node only once the image is there.
 */
@Composable
fun Thumbnail(url: String?, contentDescription: String?, modifier: Modifier = Modifier, corner: Dp = 12.dp, greyed: Boolean = false, overlay: @Composable BoxScope.() -> Unit = {}) {
    val image = rememberImage(url)
    Box(modifier.clip(RoundedCornerShape(corner)).background(MaterialTheme.colorScheme.surfaceVariant)) {
        if (image != null) {
            Image(
                image, contentDescription, Modifier.matchParentSize(), contentScale = ContentScale.Crop,
                colorFilter = if (greyed) Greyed else null,
            )
        }
        overlay()
    }
}

/** Draws frame [index] of [storyboard] (its grid [image]) over the whole of this scope, cropped to fill. */
fun DrawScope.drawFrame(image: ImageBitmap, storyboard: Storyboard, index: Int, dstOffset: IntOffset = IntOffset.Zero, dstSize: IntSize = IntSize(size.width.toInt(), size.height.toInt())) {
    val frames = storyboard.frames.toInt().coerceAtLeast(1)
    val columns = storyboard.columns.toInt().coerceAtLeast(1)
    val i = index.coerceIn(0, frames - 1)
    val fw = storyboard.frameWidth.toInt()
    val fh = storyboard.frameHeight.toInt()
    // Crop the tile to the destination's shape, centred, as ContentScale.Crop does.
    val dstRatio = dstSize.width.toFloat() / maxOf(1, dstSize.height)
    val (cw, ch) = if (fw.toFloat() / maxOf(1, fh) > dstRatio) (fh * dstRatio).toInt() to fh else fw to (fw / dstRatio).toInt()
    val x = (i % columns) * fw + (fw - cw) / 2
    val y = (i / columns) * fh + (fh - ch) / 2
    if (x + cw > image.width || y + ch > image.height) return
    drawImage(image, srcOffset = IntOffset(x, y), srcSize = IntSize(cw, ch), dstOffset = dstOffset, dstSize = dstSize)
}

/** One frame of a storyboard, filling [modifier]; a placeholder until its image is loaded. */
@Composable
fun StoryboardFrame(storyboard: Storyboard, index: Int, contentDescription: String, modifier: Modifier = Modifier) {
    val image = rememberImage(storyboard.url)
    val described = if (image != null) Modifier.semantics { this.contentDescription = contentDescription } else Modifier
    Canvas(modifier.background(MaterialTheme.colorScheme.surfaceVariant).then(described)) {
        if (image != null) drawFrame(image, storyboard, index)
    }
}
