package live.highlights.desktop

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermissions

/**
 * Where the installed app keeps its files, per user, in each OS's own place: on Linux the XDG base
 * directories (`$XDG_DATA_HOME`, `$XDG_CONFIG_HOME`, else `~/.local/share` and `~/.config`), on
 * macOS `~/Library/Application Support`, on Windows `%LOCALAPPDATA%` and `%APPDATA%`.
 */
class AppFolders(
    /** The core's cache (SQLite): large, rebuildable from the server. */
    val data: Path,
    /** The account (server address, seller), window size, and the token file where no secret store is. */
    val config: Path,
) {
    /** The SQLite cache of the signed-in seller. */
    val cacheDb: Path get() = data.resolve("cache").resolve("highlights.db")

    /** Creates both folders readable by this user only (the cache holds the seller's business). */
    fun create(): AppFolders {
        for (dir in listOf(data, config, cacheDb.parent)) ownerOnlyDirectory(dir)
        return this
    }

    /**
     * Deletes the cache (sign-out, or another seller signing in on this computer); throws when a
     * file cannot go, so a sign-out never claims a wipe it did not do. Call with the core closed.
     */
    fun wipeCache() {
        val dir = cacheDb.parent
        if (Files.exists(dir)) {
            Files.walk(dir).use { paths -> paths.sorted(Comparator.reverseOrder()).forEach(Files::delete) }
        }
        ownerOnlyDirectory(dir)
    }

    companion object {
        private const val NAME = "auto-live-highlights"

        /** The folders for this user on this OS, from [env] (the process environment by default). */
        fun forThisUser(env: Map<String, String> = System.getenv(), os: String = System.getProperty("os.name")): AppFolders {
            val home = Path.of(env["HOME"] ?: System.getProperty("user.home"))
            fun xdg(name: String, fallback: String) =
                env[name]?.takeIf { it.startsWith("/") }?.let(Path::of) ?: home.resolve(fallback)
            return when {
                os.startsWith("Windows") -> {
                    val local = env["LOCALAPPDATA"]?.let(Path::of) ?: home.resolve("AppData/Local")
                    val roaming = env["APPDATA"]?.let(Path::of) ?: home.resolve("AppData/Roaming")
                    AppFolders(local.resolve(NAME), roaming.resolve(NAME))
                }
                os.startsWith("Mac") -> home.resolve("Library/Application Support/$NAME").let { AppFolders(it, it) }
                // XDG: a relative value is invalid and must be ignored (the spec's words).
                else -> AppFolders(xdg("XDG_DATA_HOME", ".local/share").resolve(NAME), xdg("XDG_CONFIG_HOME", ".config").resolve(NAME))
            }
        }

        /** Creates [dir] (and parents) and narrows it to this user where the file system has POSIX modes. */
        fun ownerOnlyDirectory(dir: Path) {
            val posix = dir.fileSystem.supportedFileAttributeViews().contains("posix")
            if (!posix) {
                Files.createDirectories(dir)
                return
            }
            // Created 0700 (never briefly readable by others), and narrowed if it already existed.
            val mode = PosixFilePermissions.fromString("rwx------")
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(mode))
            Files.setPosixFilePermissions(dir, mode)
        }
    }
}
