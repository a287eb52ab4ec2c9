package live.highlights.desktop

import com.github.javakeyring.Keyring
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardCopyOption
import java.nio.file.attribute.PosixFilePermissions

/**
 * Where the seller's token is kept between runs: the OS's secret store where there is one (Secret
 * Service on Linux, Keychain on macOS, Credential Manager on Windows), else a file only this user
 * can read. Never in the cache, the log, or an exception's message.
 */
interface TokenStore {
    /** Where the token goes, in the seller's words, for the sign-in screen and the log. */
    val where: String

    /** The token saved for [account], or null. */
    fun load(account: String): String?

    /** Keeps [token] for [account], replacing any. */
    fun save(account: String, token: String)

    /** Forgets the token of [account]; nothing saved is fine. */
    fun delete(account: String)

    companion object {
        /** The OS's secret store if it answers, else a file in [folders]' config folder. */
        fun forThisDesktop(folders: AppFolders): TokenStore =
            KeyringTokenStore.open() ?: fileIn(folders)

        /** The file fallback of [folders]: also emptied at sign-out when the keyring is in use, in case an earlier run had none. */
        fun fileIn(folders: AppFolders) = FileTokenStore(folders.config.resolve("token"))
    }
}

/** The OS's secret store, through java-keyring (Secret Service over D-Bus, Keychain, Credential Manager). */
class KeyringTokenStore private constructor(private val keyring: Keyring) : TokenStore {
    override val where = "the system keyring (${keyring.keyringStorageType.name.lowercase()})"

    override fun load(account: String): String? = runCatching { keyring.getPassword(SERVICE, account) }.getOrNull()

    override fun save(account: String, token: String) = keyring.setPassword(SERVICE, account, token)

    override fun delete(account: String) {
        runCatching { keyring.deletePassword(SERVICE, account) }
    }

    companion object {
        private const val SERVICE = "Auto LIVE Highlights"

        /**
         * The secret store, or null when this desktop has none reachable (no D-Bus session, no
         * keyring daemon): checked by a round trip, since creating the client alone proves nothing.
         */
        fun open(): KeyringTokenStore? = runCatching {
            val store = KeyringTokenStore(Keyring.create())
            store.save("probe", "probe")
            check(store.load("probe") == "probe")
            store.delete("probe")
            store
        }.getOrNull()
    }
}

/** The token in a file readable and writable by this user only (mode 0600, folder 0700). */
class FileTokenStore(private val file: Path) : TokenStore {
    override val where = "a file only you can read ($file)"

    override fun load(account: String): String? {
        if (!Files.exists(file)) return null
        val lines = Files.readAllLines(file)
        return lines.getOrNull(1)?.takeIf { lines.firstOrNull() == account && it.isNotBlank() }
    }

    private val tmp: Path = file.resolveSibling("${file.fileName}.tmp")

    override fun save(account: String, token: String) {
        AppFolders.ownerOnlyDirectory(file.parent)
        // Created 0600 before a byte is written, then moved over: never readable by others, never half-written.
        Files.deleteIfExists(tmp)
        try {
            if (file.fileSystem.supportedFileAttributeViews().contains("posix")) {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
            } else {
                // Windows: the file inherits the per-user profile folder's access rights.
                Files.createFile(tmp)
            }
            Files.writeString(tmp, "$account\n$token\n")
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE)
        } finally {
            Files.deleteIfExists(tmp)
        }
    }

    override fun delete(account: String) {
        Files.deleteIfExists(tmp)
        Files.deleteIfExists(file)
    }
}
