package live.highlights.app

import androidx.compose.runtime.Composable
import androidx.compose.runtime.ReadOnlyComposable
import androidx.compose.runtime.staticCompositionLocalOf
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.text.font.FontFamily

/**
 * What the screens need from the platform they run on, so that the same screen files compile for
 * Android (the app) and for the desktop (UI tests, screenshots, a window to click through).
 */
interface Shell {
    /** The language the screens are shown in, for dates and times. */
    val locale: java.util.Locale

    /** The string resource [key] (a name in `res/values/strings.xml`) in the device's language, formatted with [args]. */
    fun text(key: String, vararg args: Any): String

    /** The plural resource [key] (`<plurals>` in `strings.xml`) chosen for [count] as the language does, formatted with [args]. */
    fun plural(key: String, count: Int, vararg args: Any): String

    /** Calls [onBack] on the system back gesture or key while this is composed and [enabled]. */
    @Composable
    fun BackHandler(enabled: Boolean, onBack: () -> Unit)

    /** Decodes a JPEG or PNG (thumbnail, storyboard); null when the bytes are not an image. Called off the UI thread. */
    fun decodeImage(bytes: ByteArray): ImageBitmap?

    /** Shows (or updates, same [id]) a system notification where the platform allows; a no-op where it does not. */
    fun notify(id: Long, message: String)

    /** The screens' typeface, bundled so that they look the same on every machine; null: the platform's own. */
    val fontFamily: FontFamily? get() = null

    /** Plays a highlight's MP4 in the app; null where no decoder is built in (the preview then scrubs its storyboard). */
    val player: VideoPlayer? get() = null
}

/** A video decoder the preview shows a highlight through (desktop: an ffmpeg process; Android: Media3 one day). */
interface VideoPlayer {
    /**
     * Plays [video] (its bytes, fetched with the seller's token when asked) once from the start,
     * filling [modifier]; calls [onEnd] with true when it played to the end, false when it could not.
     */
    @Composable
    fun Play(video: suspend () -> ByteArray, contentDescription: String, modifier: Modifier, onEnd: (played: Boolean) -> Unit)
}

/** The platform seam the screens read; each host app provides one at its root. */
val LocalShell = staticCompositionLocalOf<Shell> { error("no Shell provided: wrap the screens in HighlightsRoot") }

/** The string resource [key] formatted with [args], in the device's language. */
@Composable
@ReadOnlyComposable
fun tr(key: String, vararg args: Any): String = LocalShell.current.text(key, *args)

/** The plural resource [key] for [count], formatted with [args], in the device's language. */
@Composable
@ReadOnlyComposable
fun plural(key: String, count: Int, vararg args: Any): String = LocalShell.current.plural(key, count, *args)
