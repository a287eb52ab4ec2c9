package live.highlights.desktop

import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.rememberUpdatedState
import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.graphics.toComposeImageBitmap
import androidx.compose.ui.text.font.FontFamily
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.platform.Font
import java.util.Locale
import javax.xml.parsers.DocumentBuilderFactory
import live.highlights.app.Shell
import live.highlights.app.VideoPlayer
import org.jetbrains.skia.Image
import org.w3c.dom.Element

/**
 * The desktop side of [Shell]: the Android app's own `strings.xml` files read from the classpath
 * (strings and plurals), a back stack pressed by Escape (or by a test), Skia for thumbnails, the
 * bundled DejaVu Sans Condensed typeface, and ffmpeg as the video decoder.
 */
class DesktopShell(override val locale: Locale = Locale.getDefault()) : Shell {
    private val strings: Map<String, String> = AndroidStrings.load(locale)
    private val plurals: Map<String, Map<String, String>> = AndroidStrings.loadPlurals(locale)

    // Bundled (src/main/resources/fonts, Bitstream Vera licence: redistribution allowed), so that
    // every machine draws the same pictures.
    override val fontFamily: FontFamily = FontFamily(
        Font("fonts/DejaVuSansCondensed.ttf", FontWeight.Normal),
        Font("fonts/DejaVuSansCondensed-Bold.ttf", FontWeight.Bold),
    )

    override val player: VideoPlayer = FfmpegPlayer()

    /** The system back button of this desktop host. */
    val back = BackDispatcher()

    override fun text(key: String, vararg args: Any): String {
        val pattern = strings[key] ?: throw IllegalArgumentException("missing string resource $key")
        return if (args.isEmpty()) pattern else String.format(locale, pattern, *args)
    }

    override fun plural(key: String, count: Int, vararg args: Any): String {
        val forms = plurals[key] ?: throw IllegalArgumentException("missing plurals resource $key")
        val pattern = forms[AndroidStrings.quantity(locale, count)] ?: forms.getValue("other")
        return if (args.isEmpty()) pattern else String.format(locale, pattern, *args)
    }

    @Composable
    override fun BackHandler(enabled: Boolean, onBack: () -> Unit) {
        val current by rememberUpdatedState(onBack)
        DisposableEffect(enabled) {
            val handler = { current() }
            if (enabled) back.push(handler)
            onDispose { back.remove(handler) }
        }
    }

    override fun decodeImage(bytes: ByteArray): ImageBitmap? =
        runCatching { Image.makeFromEncoded(bytes).toComposeImageBitmap() }.getOrNull()

    /** The system notifications shown, latest text per id, for a window's tray and for tests. */
    val systemNotifications: MutableMap<Long, String> = java.util.concurrent.ConcurrentHashMap()

    override fun notify(id: Long, message: String) {
        systemNotifications[id] = message
        // The desktop's tray where there is one (a window session); headless runs keep the map only.
        if (!java.awt.GraphicsEnvironment.isHeadless() && java.awt.SystemTray.isSupported()) {
            tray?.displayMessage("Auto LIVE Highlights", message, java.awt.TrayIcon.MessageType.INFO)
        }
    }

    private val tray: java.awt.TrayIcon? by lazy {
        runCatching {
            val icon = appIcon ?: java.awt.image.BufferedImage(16, 16, java.awt.image.BufferedImage.TYPE_INT_ARGB)
            java.awt.TrayIcon(icon, "Auto LIVE Highlights").apply { isImageAutoSize = true }
                .also { java.awt.SystemTray.getSystemTray().add(it) }
        }.getOrNull()
    }
}

/** Back handlers in the order they were composed; a press goes to the innermost (last) one. */
class BackDispatcher {
    private val handlers = mutableListOf<() -> Unit>()

    /** Registers [handler] as the innermost. */
    @Synchronized
    fun push(handler: () -> Unit) {
        handlers += handler
    }

    /** Forgets [handler]. */
    @Synchronized
    fun remove(handler: () -> Unit) {
        handlers.remove(handler)
    }

    /** Presses back; false when no screen handles it (the host would close). */
    fun press(): Boolean {
        val top = synchronized(this) { handlers.lastOrNull() } ?: return false
        top()
        return true
    }
}

/**
 * Reads Android string resources (`values/strings.xml`, `values-<lang>/strings.xml`) from the
 * classpath, and the PC app's own `desktop_strings.xml` beside them.
 */
object AndroidStrings {
    /** The default strings overlaid with the ones of [locale]'s language, as Android resolves them. */
    fun load(locale: Locale): Map<String, String> {
        val base = (read("values/strings.xml") ?: error("values/strings.xml is not on the classpath")) +
            (read("values/$DESKTOP") ?: emptyMap())
        val folder = folder(locale) ?: return base
        return base + (read("$folder/strings.xml") ?: emptyMap()) + (read("$folder/$DESKTOP") ?: emptyMap())
    }

    /** The PC app's own strings (sign-in, account menu), beside the screens' shared ones. */
    private const val DESKTOP = "desktop_strings.xml"

    /** The default plurals overlaid with the ones of [locale]'s language. */
    fun loadPlurals(locale: Locale): Map<String, Map<String, String>> {
        val base = (readPlurals("values/strings.xml") ?: error("values/strings.xml is not on the classpath")) +
            (readPlurals("values/$DESKTOP") ?: emptyMap())
        val folder = folder(locale) ?: return base
        return base + (readPlurals("$folder/strings.xml") ?: emptyMap()) + (readPlurals("$folder/$DESKTOP") ?: emptyMap())
    }

    /**
     * The plural form [count] takes in [locale]'s language (CLDR's cardinal rules): Indonesian,
     * like Japanese or Chinese, has only "other"; English and most others "one" for 1.
     */
    fun quantity(locale: Locale, count: Int): String = when (locale.language) {
        "id", "in", "ja", "zh", "ko", "th", "vi", "ms" -> "other"
        "fr", "pt" -> if (count == 0 || count == 1) "one" else "other"
        else -> if (count == 1) "one" else "other"
    }

    /** The resource folder of [locale]'s language, if it differs from the default. */
    fun folder(locale: Locale): String? = when (val lang = locale.language) {
        "", "en" -> null
        // Android keeps Indonesian under its legacy code "in"; Java 17+ says "id".
        "id", "in" -> "values-in"
        else -> "values-$lang"
    }

    /** The name → text pairs of one strings.xml, unescaped as Android's resource compiler does; null if absent. */
    fun read(path: String): Map<String, String>? {
        val stream = AndroidStrings::class.java.classLoader.getResourceAsStream(path) ?: return null
        val doc = stream.use { DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(it) }
        val nodes = doc.getElementsByTagName("string")
        return (0 until nodes.length).associate { i ->
            val e = nodes.item(i) as Element
            e.getAttribute("name") to unescape(e.textContent)
        }
    }

    /** The name → (quantity → text) of one strings.xml's `<plurals>`; null if the file is absent. */
    fun readPlurals(path: String): Map<String, Map<String, String>>? {
        val stream = AndroidStrings::class.java.classLoader.getResourceAsStream(path) ?: return null
        val doc = stream.use { DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(it) }
        val nodes = doc.getElementsByTagName("plurals")
        return (0 until nodes.length).associate { i ->
            val e = nodes.item(i) as Element
            val items = e.getElementsByTagName("item")
            e.getAttribute("name") to (0 until items.length).associate { j ->
                val item = items.item(j) as Element
                item.getAttribute("quantity") to unescape(item.textContent)
            }
        }
    }

    private fun unescape(s: String): String = s.replace("\\'", "'").replace("\\\"", "\"").replace("\\n", "\n")
}
