package live.highlights.desktop

import java.io.ByteArrayInputStream
import java.nio.file.Files
import kotlin.test.assertEquals
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test

/** The desktop player: an MP4 decoded by an ffmpeg process into paced frames, and the MJPEG reader under it. */
class FfmpegPlayerTest {
    @Test
    fun `an MP4 plays as its frames, at 15 per second, and leaves no file behind`() {
        val dir = Files.createTempDirectory("player-test")
        try {
            val mp4 = dir.resolve("clip.mp4")
            val p = ProcessBuilder("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc=s=180x320:r=25:d=2",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", mp4.toString()).redirectErrorStream(true).start()
            assertEquals(0, p.waitFor(), p.inputStream.bufferedReader().readText())
            val tmp = System.getProperty("java.io.tmpdir")
            fun leftovers() = Files.list(java.nio.file.Path.of(tmp)).use { s -> s.filter { it.fileName.toString().startsWith("highlight-") }.count() }
            val before = leftovers()
            val started = System.nanoTime()
            val frames = runBlocking { FfmpegPlayer().frames(Files.readAllBytes(mp4)).toList() }
            val seconds = (System.nanoTime() - started) / 1e9
            assertTrue(frames.size in 29..31, "2 s at 15 fps: ${frames.size} frames")
            assertEquals(270, frames.first().width, "scaled to the preview's width")
            assertTrue(seconds >= 1.8, "paced at the video's own speed, not as fast as ffmpeg decodes: $seconds s")
            assertEquals(before, leftovers(), "the 0600 temp copy is removed")
        } finally {
            dir.toFile().deleteRecursively()
        }
    }

    @Test
    fun `the MJPEG reader splits concatenated JPEGs by their markers`() {
        // SOI, an APP0 segment whose payload holds FF D9, a scan with stuffed FF 00 and a restart marker, EOI.
        val jpeg = listOf(
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x06, 0xFF, 0xD9, 0x01, 0x02,
            0xFF, 0xDA, 0x00, 0x04, 0x01, 0x02, 0x11, 0xFF, 0x00, 0x22, 0xFF, 0xD0, 0x33, 0xFF, 0xD9,
        ).map { it.toByte() }.toByteArray()
        val stream = ByteArrayInputStream(jpeg + jpeg + byteArrayOf(0xFF.toByte(), 0xD8.toByte(), 0x00))
        assertTrue(FfmpegPlayer.nextJpeg(stream)!!.contentEquals(jpeg))
        assertTrue(FfmpegPlayer.nextJpeg(stream)!!.contentEquals(jpeg))
        assertNull(FfmpegPlayer.nextJpeg(stream), "a truncated one at the end is not a frame")
    }
}
