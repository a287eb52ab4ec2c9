package live.highlights.desktop

import androidx.compose.ui.input.key.Key
import androidx.compose.ui.input.key.KeyEventType
import androidx.compose.ui.input.key.key
import androidx.compose.ui.input.key.type
import androidx.compose.ui.unit.dp
import androidx.compose.ui.window.Window
import androidx.compose.ui.window.application
import androidx.compose.ui.window.rememberWindowState
import java.nio.file.Files
import java.nio.file.Path
import java.util.Locale
import kotlin.system.exitProcess
import live.highlights.HighlightsClient
import live.highlights.app.HighlightsRoot

private const val USAGE = """usage: highlights-desktop --url URL --seller ID --token-file FILE [--db PATH] [--locale TAG] [--dark]
Opens the seller's Highlights screens in a phone-sized window against a running backend.
The token is read from a file so that it never shows in the process list."""

/** Opens the real screens in a desktop window, driven by the real core, against [args]' backend. */
fun main(args: Array<String>) {
    val opts = args.toList().windowed(2, 1, partialWindows = true).filter { it[0].startsWith("--") }
        .associate { it[0] to it.getOrNull(1)?.takeUnless { v -> v.startsWith("--") } }
    val url = opts["--url"]
    val seller = opts["--seller"]
    val tokenFile = opts["--token-file"]
    if (url == null || seller == null || tokenFile == null) {
        System.err.println(USAGE)
        exitProcess(2)
    }
    val db = opts["--db"] ?: Files.createTempDirectory("highlights-desktop").resolve("highlights.db").toString()
    val locale = opts["--locale"]?.let(Locale::forLanguageTag) ?: Locale.getDefault()
    val token = Files.readString(Path.of(tokenFile)).trim()
    val client = HighlightsClient.open(db, seller, url) { token }
    val shell = DesktopShell(locale)
    client.startBackgroundSync()
    application {
        Window(
            onCloseRequest = { client.close(); exitApplication() },
            title = "Auto LIVE Highlights · $seller",
            state = rememberWindowState(width = 412.dp, height = 892.dp),
            // Escape is this host's system back.
            onKeyEvent = { e -> e.type == KeyEventType.KeyUp && e.key == Key.Escape && shell.back.press() },
        ) {
            HighlightsRoot(client, shell, dark = "--dark" in opts)
        }
    }
}
