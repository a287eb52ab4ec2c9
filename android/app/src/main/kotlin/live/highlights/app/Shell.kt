package live.highlights.app

import androidx.compose.runtime.Composable
import androidx.compose.runtime.ReadOnlyComposable
import androidx.compose.runtime.staticCompositionLocalOf
import androidx.compose.ui.graphics.ImageBitmap

/**
 * What the screens need from the platform they run on, so that the same screen files compile for
 * Android (the app) and for the desktop (UI tests, screenshots, a window to click through).
 */
interface Shell {
    /** The language the screens are shown in, for dates and times. */
    val locale: java.util.Locale

    /** The string resource [key] (a name in `res/values/strings.xml`) in the device's language, formatted with [args]. */
    fun text(key: String, vararg args: Any): String

    /** Calls [onBack] on the system back gesture or key while this is composed and [enabled]. */
    @Composable
    fun BackHandler(enabled: Boolean, onBack: () -> Unit)

    /** Decodes a JPEG or PNG thumbnail; null when the bytes are not an image. */
    fun decodeImage(bytes: ByteArray): ImageBitmap?

    /** Shows (or updates, same [id]) a system notification where the platform allows; a no-op where it does not. */
    fun notify(id: Long, message: String)
}

/** The platform seam the screens read; each host app provides one at its root. */
val LocalShell = staticCompositionLocalOf<Shell> { error("no Shell provided: wrap the screens in HighlightsRoot") }

/** The string resource [key] formatted with [args], in the device's language. */
@Composable
@ReadOnlyComposable
fun tr(key: String, vararg args: Any): String = LocalShell.current.text(key, *args)
