package live.highlights.desktop

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.size
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.ui.Modifier
import androidx.compose.ui.test.runDesktopComposeUiTest
import androidx.compose.ui.unit.dp
import java.util.Collections
import java.util.Locale
import java.util.concurrent.atomic.AtomicInteger
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import kotlinx.coroutines.delay
import live.highlights.app.ImageCache
import live.highlights.app.LocalImages
import live.highlights.app.Thumbnail
import org.junit.jupiter.api.Test

/** Thumbnails are fetched once per URL however many cards show them, decoded off the UI thread, then drawn from memory. */
class ImageCacheTest {
    @Test
    fun `five cards of one URL fetch it once, decode it off the UI thread, and show it`() = runDesktopComposeUiTest(PHONE_WIDTH, PHONE_HEIGHT) {
        val shell = DesktopShell(Locale.ENGLISH)
        val bytes = javaClass.classLoader.getResourceAsStream("fixtures/thumb-1.jpg")!!.use { it.readBytes() }
        val fetches = AtomicInteger()
        val decoders = Collections.synchronizedList(mutableListOf<Thread>())
        val cache = ImageCache(
            fetch = { fetches.incrementAndGet(); delay(200); bytes },
            decode = { b -> decoders += Thread.currentThread(); shell.decodeImage(b) },
        )
        var ui: Thread? = null
        val url = Fixtures.thumbs[0]
        setContent {
            ui = Thread.currentThread()
            CompositionLocalProvider(LocalImages provides cache) {
                Column { repeat(5) { i -> Thumbnail(url, "thumbnail $i", Modifier.size(width = 54.dp, height = 96.dp)) } }
            }
        }
        (0 until 5).forEach { seeLabel("thumbnail $it") }
        assertEquals(1, fetches.get(), "one fetch for five cards of one URL")
        assertEquals(1, decoders.size, "one decode")
        assertTrue(decoders.single() != ui, "decoded off the UI thread (${decoders.single().name})")
        assertNotNull(cache.cached(url), "kept by URL")
    }
}
