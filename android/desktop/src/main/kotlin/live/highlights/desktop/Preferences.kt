package live.highlights.desktop

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardCopyOption
import java.util.Properties

/** Who is signed in on this computer: the backend's address and the seller its token speaks for. */
data class Account(
    /** The backend's base URL, as the seller typed it. */
    val url: String,
    /** The seller the token speaks for (from the backend, never typed). */
    val sellerId: String,
) {
    /** The key of the token in the secret store: one per backend and seller. */
    val key: String get() = "$sellerId@$url"
}

/** The window's last size in dp, restored at the next start. */
data class WindowSize(
    /** Width in dp. */
    val width: Int,
    /** Height in dp. */
    val height: Int,
)

/**
 * The app's small settings in one properties file (no secrets): the account and the window size.
 * Written whole through a temporary file, so a crash mid-write leaves the old file.
 */
class Preferences(private val file: Path) {
    private fun read(): Properties = Properties().apply {
        if (Files.exists(file)) runCatching { Files.newBufferedReader(file).use { load(it) } }
    }

    private fun write(change: Properties.() -> Unit) {
        val p = read().apply(change)
        AppFolders.ownerOnlyDirectory(file.parent)
        val tmp = file.resolveSibling("${file.fileName}.tmp")
        Files.newBufferedWriter(tmp).use { p.store(it, "Auto LIVE Highlights (no secrets here)") }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE)
    }

    /** The signed-in account, or null. */
    fun account(): Account? {
        val p = read()
        val url = p.getProperty("url") ?: return null
        val seller = p.getProperty("seller") ?: return null
        return Account(url, seller)
    }

    /** Remembers [account] as signed in; null forgets it. */
    fun saveAccount(account: Account?) = write {
        if (account == null) {
            remove("seller")
        } else {
            setProperty("url", account.url)
            setProperty("seller", account.sellerId)
        }
    }

    /** The server address last used (kept after sign-out, to prefill the sign-in screen). */
    fun lastUrl(): String? = read().getProperty("url")

    /** The last window size, or null (first run, or unreadable). */
    fun windowSize(): WindowSize? {
        val p = read()
        val w = p.getProperty("window.width")?.toIntOrNull() ?: return null
        val h = p.getProperty("window.height")?.toIntOrNull() ?: return null
        return WindowSize(w, h).takeIf { w in 320..8000 && h in 320..8000 }
    }

    /** Remembers the window's size. */
    fun saveWindowSize(size: WindowSize) = write {
        setProperty("window.width", size.width.toString())
        setProperty("window.height", size.height.toString())
    }
}
