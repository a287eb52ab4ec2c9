package live.highlights.desktop

import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.snapshotFlow
import androidx.compose.ui.graphics.painter.BitmapPainter
import androidx.compose.ui.graphics.toComposeImageBitmap
import androidx.compose.ui.input.key.Key
import androidx.compose.ui.input.key.KeyEventType
import androidx.compose.ui.input.key.KeyShortcut
import androidx.compose.ui.input.key.key
import androidx.compose.ui.input.key.type
import androidx.compose.ui.unit.DpSize
import androidx.compose.ui.unit.dp
import androidx.compose.ui.window.ApplicationScope
import androidx.compose.ui.window.MenuBar
import androidx.compose.ui.window.Window
import androidx.compose.ui.window.WindowState
import androidx.compose.ui.window.application
import androidx.compose.ui.window.rememberWindowState
import java.lang.management.ManagementFactory
import java.nio.file.Files
import java.nio.file.Path
import java.time.Instant
import java.util.Locale
import javax.imageio.ImageIO
import kotlin.system.exitProcess
import kotlinx.coroutines.FlowPreview
import kotlinx.coroutines.flow.debounce
import kotlinx.coroutines.launch
import live.highlights.HighlightsClient
import live.highlights.app.HighlightsRoot

private const val USAGE = """usage: auto-live-highlights [--locale TAG] [--dark] | --self-check
       auto-live-highlights --url URL --seller ID --token-file FILE [--db PATH] [--locale TAG] [--dark]
Without --url: the PC app. The first start asks for the server address and the seller's token,
keeps the token in the system keyring (or a file only you can read) and the cache in your data
folder (XDG_DATA_HOME/auto-live-highlights on Linux); Account → Sign out removes both.
With --url: a developer's window on a backend, nothing kept (the token is read from a file so that
it never shows in the process list)."""

/** The phone-like size of a first start: the screens are the phone app's. */
private val FIRST_SIZE = WindowSize(412, 892)

/** The app's icon (window, tray, menu entry), bundled. */
internal val appIcon: java.awt.image.BufferedImage? by lazy {
    DesktopApp::class.java.classLoader.getResourceAsStream("icons/auto-live-highlights.png")?.use(ImageIO::read)
}

/** Opens the seller's Highlights screens in a desktop window, driven by the real core. */
fun main(args: Array<String>) {
    val mainAt = System.currentTimeMillis()
    val opts = args.toList().windowed(2, 1, partialWindows = true).filter { it[0].startsWith("--") }
        .associate { it[0] to it.getOrNull(1)?.takeUnless { v -> v.startsWith("--") } }
    if ("--help" in opts) {
        println(USAGE)
        return
    }
    if ("--self-check" in opts) return selfCheck()
    val locale = opts["--locale"]?.let(Locale::forLanguageTag) ?: Locale.getDefault()
    val dark = "--dark" in opts
    if (opts["--url"] != null) return developerWindow(opts, locale, dark)

    val folders = AppFolders.forThisUser().create()
    val prefs = Preferences(folders.config.resolve("app.properties"))
    val session = DesktopSession(folders, TokenStore.forThisDesktop(folders), prefs)
    println("Auto LIVE Highlights: cache in ${folders.data}, token kept in ${session.tokens.where}")
    val shell = DesktopShell(locale)
    val app = DesktopApp(session, onModuleDrawn = { startupLine(mainAt) })
    application {
        val size = prefs.windowSize() ?: FIRST_SIZE
        val state = rememberWindowState(size = DpSize(size.width.dp, size.height.dp))
        RememberSize(state, prefs)
        val quit = { saveSize(state, prefs); app.close(); exitApplication() }
        Window(
            onCloseRequest = quit,
            title = app.sellerId?.let { "Auto LIVE Highlights · $it" } ?: "Auto LIVE Highlights",
            icon = appIcon?.let { BitmapPainter(it.toComposeImageBitmap()) },
            state = state,
            // Escape is this host's system back.
            onKeyEvent = { e -> e.type == KeyEventType.KeyUp && e.key == Key.Escape && shell.back.press() },
        ) {
            val scope = rememberCoroutineScope()
            MenuBar {
                Menu(shell.text("menu_account")) {
                    app.sellerId?.let { Item(shell.text("menu_signed_in_as", it), enabled = false, onClick = {}) }
                    val client = (app.phase as? Phase.SignedIn)?.client
                    Item(shell.text("menu_refresh"), enabled = client != null, shortcut = KeyShortcut(Key.R, ctrl = true), onClick = { client?.refresh() })
                    Item(
                        shell.text("menu_sign_out"), enabled = client != null,
                        shortcut = KeyShortcut(Key.O, ctrl = true, shift = true),
                        onClick = { scope.launch { app.signOut() } },
                    )
                    Separator()
                    Item(shell.text("menu_quit"), shortcut = KeyShortcut(Key.Q, ctrl = true), onClick = quit)
                }
            }
            app.Content(shell, dark)
        }
    }
}

/** Saves the window's size as the seller resizes it (settled for a moment), so a crash keeps it too. */
@OptIn(FlowPreview::class)
@androidx.compose.runtime.Composable
private fun ApplicationScope.RememberSize(state: WindowState, prefs: Preferences) {
    LaunchedEffect(state) {
        snapshotFlow { state.size }.debounce(500).collect { saveSize(state, prefs) }
    }
}

private fun saveSize(state: WindowState, prefs: Preferences) {
    val w = state.size.width.value
    val h = state.size.height.value
    if (w.isFinite() && h.isFinite()) runCatching { prefs.saveWindowSize(WindowSize(w.toInt(), h.toInt())) }
}

/**
 * The cold start as measured from the process's launch: when the JVM was up, when main() ran, and
 * when the module was first drawn. Printed once, for the installed-app test and for sellers' reports.
 */
private fun startupLine(mainAt: Long) {
    if (startupPrinted) return
    startupPrinted = true
    val drawnAt = System.currentTimeMillis()
    val launchedAt = ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli).orElse(ManagementFactory.getRuntimeMXBean().startTime)
    val jvmAt = ManagementFactory.getRuntimeMXBean().startTime
    println("startup: module drawn ${drawnAt - launchedAt} ms after launch (JVM started at ${jvmAt - launchedAt} ms, main() at ${mainAt - launchedAt} ms)")
}

@Volatile private var startupPrinted = false

/** The developer's window of scripts/desktop-app.sh: a backend, a seller and a token file; nothing kept. */
private fun developerWindow(opts: Map<String, String?>, locale: Locale, dark: Boolean) {
    val url = opts["--url"]
    val seller = opts["--seller"]
    val tokenFile = opts["--token-file"]
    if (url == null || seller == null || tokenFile == null) {
        System.err.println(USAGE)
        exitProcess(2)
    }
    val db = opts["--db"] ?: Files.createTempDirectory("highlights-desktop").resolve("highlights.db").toString()
    val token = Files.readString(Path.of(tokenFile)).trim()
    val client = HighlightsClient.open(db, seller, url) { token }
    val shell = DesktopShell(locale)
    client.startBackgroundSync()
    application {
        Window(
            onCloseRequest = { client.close(); exitApplication() },
            title = "Auto LIVE Highlights · $seller",
            icon = appIcon?.let { BitmapPainter(it.toComposeImageBitmap()) },
            state = rememberWindowState(width = FIRST_SIZE.width.dp, height = FIRST_SIZE.height.dp),
            onKeyEvent = { e -> e.type == KeyEventType.KeyUp && e.key == Key.Escape && shell.back.press() },
        ) {
            HighlightsRoot(client, shell, dark)
        }
    }
}

/**
 * The packaged app's headless check (scripts/package-desktop.sh --dry-run): its runtime holds what
 * the app needs, the core library loads and opens a cache, a refusal crosses the FFI as a typed
 * error, and the strings and icon are inside. Exits non-zero on the first failure.
 */
private fun selfCheck() {
    val dir = Files.createTempDirectory("highlights-self-check")
    try {
        val words = listOf(Locale.ENGLISH, Locale.forLanguageTag("id")).map { DesktopShell(it).text("signin_title") }
        check(words.distinct().size == 2) { "the strings are not translated: $words" }
        checkNotNull(appIcon) { "the icon is not in the package" }
        HighlightsClient.open(dir.resolve("highlights.db").toString(), "self-check", "http://127.0.0.1:9") { null }.use { client ->
            check(client.state.value.sync.pendingActions == 0u) { "a fresh cache has pending actions" }
        }
        val refused = runCatching { kotlinx.coroutines.runBlocking { HighlightsClient.signIn("ftp://example.com", "x") } }.exceptionOrNull()
        check(refused is uniffi.highlights_ffi.HighlightsException.Input) { "an address the core refuses came back as $refused" }
        val store = TokenStore.forThisDesktop(AppFolders(dir.resolve("data"), dir.resolve("config")))
        println("self-check: ok (core library loaded and opened a cache; strings en and id; token store: ${store.where})")
    } finally {
        dir.toFile().deleteRecursively()
    }
}
