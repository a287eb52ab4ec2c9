package live.highlights.desktop

import androidx.compose.foundation.Image
import androidx.compose.foundation.layout.Box
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberUpdatedState
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.graphics.toComposeImageBitmap
import androidx.compose.ui.layout.ContentScale
import java.io.BufferedInputStream
import java.io.ByteArrayOutputStream
import java.io.EOFException
import java.io.InputStream
import java.nio.file.Files
import java.nio.file.attribute.PosixFilePermissions
import kotlin.coroutines.cancellation.CancellationException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.flow.flowOn
import kotlinx.coroutines.job
import live.highlights.app.VideoPlayer
import org.jetbrains.skia.Image as SkiaImage

/**
 * The desktop's video decoder: ffmpeg (a Debian package, `apt-get install ffmpeg`) decodes the MP4
 * to JPEG frames at [fps] on a pipe, shown one after the other at their time. The MP4 is written
 * to a temp file only the user can read (0600), removed when playing stops; only the file's path
 * is on ffmpeg's command line, never a URL or the seller's token.
 */
class FfmpegPlayer(private val ffmpeg: String = "ffmpeg", private val fps: Int = 15, private val width: Int = 270) : VideoPlayer {
    @Composable
    override fun Play(video: suspend () -> ByteArray, contentDescription: String, modifier: Modifier, onEnd: (played: Boolean) -> Unit) {
        var frame by remember { mutableStateOf<ImageBitmap?>(null) }
        val end by rememberUpdatedState(onEnd)
        LaunchedEffect(Unit) {
            var shown = 0
            val played = try {
                frames(video()).collect { frame = it; shown++ }
                shown > 0
            } catch (e: CancellationException) {
                throw e
            } catch (e: Exception) {
                false
            }
            end(played)
        }
        Box(modifier) {
            frame?.let { Image(it, contentDescription, Modifier.matchParentSize(), contentScale = ContentScale.Crop) }
        }
    }

    /** [mp4]'s frames, decoded by ffmpeg, each emitted at its time from the first. Fails if ffmpeg cannot run. */
    fun frames(mp4: ByteArray): Flow<ImageBitmap> = flow {
        val file = Files.createTempFile("highlight-", ".mp4", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
        try {
            Files.write(file, mp4)
            val process = ProcessBuilder(
                ffmpeg, "-nostdin", "-v", "error", "-i", file.toString(),
                "-vf", "fps=$fps,scale=$width:-2", "-f", "image2pipe", "-vcodec", "mjpeg", "-",
            ).redirectError(ProcessBuilder.Redirect.DISCARD).start()
            // A cancelled player stops ffmpeg at once, even while a read waits on its pipe.
            val stop = currentCoroutineContext().job.invokeOnCompletion { process.destroyForcibly() }
            try {
                val input = BufferedInputStream(process.inputStream, 1 shl 16)
                // The clock starts at the first frame, so that ffmpeg's start-up does not rush the next ones.
                var started = 0L
                var n = 0
                while (true) {
                    val jpeg = nextJpeg(input) ?: break
                    val image = runCatching { SkiaImage.makeFromEncoded(jpeg).toComposeImageBitmap() }.getOrNull() ?: continue
                    if (n == 0) started = System.nanoTime()
                    val due = started + n * 1_000_000_000L / fps
                    val wait = (due - System.nanoTime()) / 1_000_000
                    if (wait > 0) delay(wait)
                    emit(image)
                    n++
                }
                check(process.waitFor() == 0 || n > 0) { "ffmpeg could not decode the video" }
            } finally {
                stop.dispose()
                process.destroyForcibly()
            }
        } finally {
            Files.deleteIfExists(file)
        }
    }.flowOn(Dispatchers.IO)

    companion object {
        /**
         * The next JPEG of an MJPEG stream (SOI … EOI), read marker by marker so that bytes inside
         * headers or scans cannot end it early; null at the end of the stream.
         */
        fun nextJpeg(input: InputStream): ByteArray? {
            val out = ByteArrayOutputStream(64 * 1024)
            fun read(): Int = input.read().also { if (it < 0) throw EOFException(); out.write(it) }
            // The code of the next marker: 0xFF, any fill bytes, the code.
            fun marker(): Int {
                var b = read()
                if (b != 0xFF) throw EOFException()
                while (b == 0xFF) b = read()
                return b
            }
            // Entropy-coded data runs to the first 0xFF that is not stuffing (00) or a restart (D0–D7).
            fun scan(): Int {
                while (true) {
                    if (read() != 0xFF) continue
                    var b = read()
                    while (b == 0xFF) b = read()
                    if (b != 0x00 && b !in 0xD0..0xD7) return b
                }
            }
            return try {
                var prev = -1
                while (true) {
                    val b = input.read()
                    if (b < 0) return null
                    if (prev == 0xFF && b == 0xD8) break
                    prev = b
                }
                out.write(0xFF); out.write(0xD8)
                var code = marker()
                while (code != 0xD9) {
                    code = if (code in 0xD0..0xD7 || code == 0x01) {
                        marker()
                    } else {
                        val length = (read() shl 8) or read()
                        repeat(length - 2) { read() }
                        if (code == 0xDA) scan() else marker()
                    }
                }
                out.toByteArray()
            } catch (e: EOFException) {
                null
            }
        }
    }
}
