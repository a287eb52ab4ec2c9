package live.highlights.desktop

import androidx.compose.ui.platform.LocalFocusManager
import androidx.compose.ui.test.hasSetTextAction
import androidx.compose.ui.test.onAllNodesWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.performTextReplacement
import androidx.compose.ui.test.runDesktopComposeUiTest
import java.io.File
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions
import java.util.Locale
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlinx.coroutines.runBlocking
import live.highlights.HighlightsClient
import live.highlights.TestBackend
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import uniffi.highlights_ffi.HighlightsException

/**
 * The PC app's own parts: its folders, where the token is kept, its settings file, signing in and
 * out against the real server (through the real core), and the sign-in screen as a seller uses it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PcAppTest {
    private lateinit var backend: TestBackend

    @BeforeAll
    fun start() {
        backend = TestBackend(withoutVideos = true)
    }

    /** Each test's home folders: they hold real tokens, so they go when the tests end. */
    private val roots = mutableListOf<Path>()

    @AfterAll
    fun stop() {
        backend.close()
        roots.forEach { it.toFile().deleteRecursively() }
    }

    private fun tempFolders(): AppFolders {
        val root = Files.createTempDirectory("pc-app").also(roots::add)
        return AppFolders.forThisUser(mapOf("HOME" to root.toString()), "Linux").create()
    }

    private fun mode(p: Path) = PosixFilePermissions.toString(Files.getPosixFilePermissions(p))

    @Test
    fun `folders follow XDG on Linux and each OS's own place elsewhere`() {
        val linux = AppFolders.forThisUser(mapOf("HOME" to "/home/s", "XDG_DATA_HOME" to "/d", "XDG_CONFIG_HOME" to "/c"), "Linux")
        assertEquals(Path.of("/d/auto-live-highlights"), linux.data)
        assertEquals(Path.of("/c/auto-live-highlights"), linux.config)
        // Unset or relative: the spec's defaults.
        val plain = AppFolders.forThisUser(mapOf("HOME" to "/home/s", "XDG_DATA_HOME" to "rel"), "Linux")
        assertEquals(Path.of("/home/s/.local/share/auto-live-highlights"), plain.data)
        assertEquals(Path.of("/home/s/.config/auto-live-highlights"), plain.config)
        val mac = AppFolders.forThisUser(mapOf("HOME" to "/Users/s"), "Mac OS X")
        assertEquals(Path.of("/Users/s/Library/Application Support/auto-live-highlights"), mac.data)
        val win = AppFolders.forThisUser(mapOf("HOME" to "/u", "LOCALAPPDATA" to "/l", "APPDATA" to "/r"), "Windows 11")
        assertEquals(Path.of("/l/auto-live-highlights"), win.data)
        assertEquals(Path.of("/r/auto-live-highlights"), win.config)
    }

    @Test
    fun `the token file is the user's alone, per account, and gone when deleted`() {
        val folders = tempFolders()
        val store = FileTokenStore(folders.config.resolve("token"))
        assertNull(store.load("s@u"))
        store.save("s@u", "hlt_secret")
        assertEquals("rw-------", mode(folders.config.resolve("token")))
        assertEquals("rwx------", mode(folders.config))
        assertEquals("hlt_secret", store.load("s@u"))
        assertNull(store.load("other@u"), "another account's token is not this one's")
        store.save("s@u", "hlt_newer")
        assertEquals("hlt_newer", store.load("s@u"))
        store.delete("s@u")
        assertFalse(Files.exists(folders.config.resolve("token")))
    }

    @Test
    fun `settings keep the account and the window size, and refuse nonsense`() {
        val prefs = Preferences(tempFolders().config.resolve("app.properties"))
        assertNull(prefs.account())
        assertNull(prefs.windowSize())
        prefs.saveAccount(Account("https://api.example.com", "seller-1"))
        prefs.saveWindowSize(WindowSize(900, 700))
        assertEquals(Account("https://api.example.com", "seller-1"), prefs.account())
        assertEquals(WindowSize(900, 700), prefs.windowSize())
        prefs.saveAccount(null)
        assertNull(prefs.account())
        assertEquals("https://api.example.com", prefs.lastUrl(), "kept to prefill the next sign-in")
        prefs.saveWindowSize(WindowSize(5, 99_999))
        assertNull(prefs.windowSize())
    }

    @Test
    fun `sign in names the seller from the token, keeps it outside the cache, resumes offline, and sign out wipes both`() = runBlocking {
        val token = backend.seller("pc-a")
        backend.lives("pc-a", 2)
        val folders = tempFolders()
        val prefs = Preferences(folders.config.resolve("app.properties"))
        val tokens = FileTokenStore(folders.config.resolve("token"))
        val session = DesktopSession(folders, tokens, prefs)

        val refused = assertFailsWith<HighlightsException.Auth> { session.signIn(backend.url, "hlt_wrong") }
        assertEquals("signin_refused", signInProblem(refused))
        assertNull(prefs.account())

        val client = session.signIn(backend.url + "/", "  $token\n")
        assertEquals(Account(backend.url, "pc-a"), session.account)
        client.syncNow()
        client.openModule()
        assertEquals(2, client.module.value.recordings.size, "the seller's LIVEs, synced into the cache")
        assertEquals(token, tokens.load("pc-a@${backend.url}"))
        client.close()
        val cached = folders.cacheDb.parent.toFile().walk().filter { it.isFile }.toList()
        assertTrue(cached.isNotEmpty(), "the cache is on disk")
        for (f in cached) assertFalse(String(f.readBytes(), Charsets.ISO_8859_1).contains(token), "token in ${f.name}")

        // The next start: no network needed, same seller, same cache.
        val again = DesktopSession(folders, tokens, prefs)
        val resumed = assertNotNull(again.resume())
        assertEquals("pc-a", again.account?.sellerId)
        assertEquals(0, again.unsentChanges(resumed))
        again.signOut(resumed)
        assertNull(tokens.load("pc-a@${backend.url}"))
        assertNull(prefs.account())
        assertEquals(emptyList(), folders.cacheDb.parent.toFile().listFiles()!!.toList())
        assertNull(DesktopSession(folders, tokens, prefs).resume())
    }

    @Test
    fun `another seller signing in is told what the first one has not sent, then never sees the first one's cache`() = runBlocking {
        val first = backend.seller("pc-first")
        val second = backend.seller("pc-second")
        backend.lives("pc-first", 3)
        val folders = tempFolders()
        val tokens = FileTokenStore(folders.config.resolve("token"))
        val prefs = Preferences(folders.config.resolve("app.properties"))
        DesktopSession(folders, tokens, prefs).signIn(backend.url, first).use { c ->
            c.syncNow()
            c.openModule()
            assertEquals(3, c.module.value.recordings.size)
            // Queued, never sent: no background sync runs here.
            c.setToggle(true)
            c.confirmOnboarding()
        }
        // The first seller's token is gone (refused, say); another seller signs in on this computer.
        tokens.delete("pc-first@${backend.url}")
        val app = DesktopApp(DesktopSession(folders, tokens, prefs))
        assertTrue(app.phase is Phase.SignedOut)
        app.edit { it.copy(url = backend.url, token = second) }
        app.signIn()
        val asked = (app.phase as Phase.SignedOut).form
        assertTrue(asked.discard >= 1, "the first seller's unsent changes are said: $asked")
        assertEquals("pc-first", prefs.account()?.sellerId, "nothing changed yet")
        app.signIn()
        val signedIn = app.phase as? Phase.SignedIn ?: error("not signed in: ${app.phase}")
        assertEquals("pc-second", signedIn.sellerId)
        signedIn.client.openModule()
        assertEquals(0, signedIn.client.module.value.recordings.size, "a fresh cache before any sync")
        signedIn.client.shutdown()
        // The file the first seller used holds nothing of theirs any more.
        HighlightsClient.open(folders.cacheDb.toString(), "pc-first", backend.url) { null }.use { c ->
            c.openModule()
            assertEquals(0, c.module.value.recordings.size)
            assertEquals(0, c.sync.value.pendingActions.toInt())
        }
    }

    @Test
    fun `one spelling per backend, so the same seller keeps their cache`() {
        assertEquals("https://api.example.com", DesktopSession.normalUrl(" HTTPS://API.Example.com:443/ "))
        assertEquals("http://127.0.0.1:8080", DesktopSession.normalUrl("http://127.0.0.1:8080/"))
        assertEquals("http://localhost", DesktopSession.normalUrl("http://LOCALHOST:80"))
        assertEquals("https://example.com/api", DesktopSession.normalUrl("https://example.com/api/"))
        assertEquals("not a url", DesktopSession.normalUrl(" not a url "))
    }

    @Test
    fun `signing out with changes the server has not got asks first, and staying keeps them`() = runBlocking {
        val gone = TestBackend(withoutVideos = true)
        val token = gone.seller("pc-offline")
        val folders = tempFolders()
        val session = DesktopSession(folders, FileTokenStore(folders.config.resolve("token")), Preferences(folders.config.resolve("app.properties")))
        val app = DesktopApp(session)
        app.edit { it.copy(url = gone.url, token = token) }
        app.signIn()
        val signedIn = app.phase as? Phase.SignedIn ?: error("not signed in: ${app.phase}")
        assertEquals("pc-offline", app.sellerId)
        signedIn.client.syncNow()
        gone.close()
        signedIn.client.setToggle(true)
        signedIn.client.confirmOnboarding()
        app.signOut()
        val asked = (app.phase as? Phase.SignedIn)?.unsent ?: error("signed out with changes unsent")
        assertTrue(asked >= 1, "the toggle flip is not on the server")
        app.staySignedIn()
        assertEquals(0, (app.phase as Phase.SignedIn).unsent)
        assertEquals(asked, signedIn.client.sync.value.pendingActions.toInt(), "nothing was dropped")
        app.signOut(force = true)
        assertTrue(app.phase is Phase.SignedOut)
        assertEquals(gone.url, (app.phase as Phase.SignedOut).form.url, "the address stays for the next sign-in")
    }

    @Test
    fun `the sign-in screen - a wrong token is said, the right one opens the module`() {
        val token = backend.seller("pc-ui")
        backend.lives("pc-ui", 2)
        val folders = tempFolders()
        val session = DesktopSession(folders, FileTokenStore(folders.config.resolve("token")), Preferences(folders.config.resolve("app.properties")))
        val app = DesktopApp(session)
        val shell = DesktopShell(Locale.ENGLISH)
        runDesktopComposeUiTest(PHONE_WIDTH, PHONE_HEIGHT) {
            setContent {
                focusManager = LocalFocusManager.current
                app.Content(shell, dark = false)
            }
            seeText("Sign in", substring = false)
            seeText("Your token is kept in a file only you can read.")
            val fields = onAllNodes(hasSetTextAction())
            assertEquals(2, fields.fetchSemanticsNodes().size)
            fields[0].performTextInput(backend.url)
            fields[1].performTextInput("hlt_wrong")
            screenshot("pc-01-sign-in")
            onAllNodesWithText("Sign in")[1].performClick()
            seeText("That token was not accepted. Check it and try again.")
            screenshot("pc-02-sign-in-refused")
            fields[1].performTextReplacement(token)
            seeNoText("That token was not accepted. Check it and try again.")
            onAllNodesWithText("Sign in")[1].performClick()
            eventually("signed in") { app.phase is Phase.SignedIn }
            seeText("LIVE highlights", substring = true)
            screenshot("pc-03-module")
            (app.phase as Phase.SignedIn).client.close()
        }
    }

    @Test
    fun `the PC app's own words exist in English and Indonesian, with the same placeholders`() {
        val sources = File(System.getProperty("highlights.desktop.src")).walk().filter { it.extension == "kt" }.map { it.readText() }.toList()
        val used = sources.flatMap { Regex("""\b(?:tr|text)\("([a-z0-9_]+)"\s*[,)]""").findAll(it).map { m -> m.groupValues[1] } }.toSet() +
            sources.flatMap { Regex(""""(signin_[a-z_]+)"""").findAll(it).map { m -> m.groupValues[1] } }
        val en = AndroidStrings.read("values/desktop_strings.xml")!!
        val id = AndroidStrings.read("values-in/desktop_strings.xml")!!
        assertTrue(used.size >= 15, "found ${used.size}: $used")
        val plurals = AndroidStrings.readPlurals("values/desktop_strings.xml")!!
        assertEquals(setOf("signin_discard", "signout_pending"), plurals.keys)
        assertEquals(plurals.keys, AndroidStrings.readPlurals("values-in/desktop_strings.xml")!!.keys, "Indonesian plurals")
        assertEquals(emptySet(), used - en.keys - plurals.keys - AndroidStrings.read("values/strings.xml")!!.keys, "used but not defined")
        assertEquals(en.keys - "app_name", id.keys, "Indonesian is complete (the product's name stays)")
        val ph = { s: String -> Regex("""%\d+\$[sd]""").findAll(s).map { it.value }.sorted().toList() }
        en.filterKeys { it != "app_name" }.forEach { (k, v) -> assertEquals(ph(v), ph(id.getValue(k)), k) }
        assertEquals("1 change you made hasn't reached the server yet. Signing out now loses it.", DesktopShell(Locale.ENGLISH).plural("signout_pending", 1, 1))
    }
}

