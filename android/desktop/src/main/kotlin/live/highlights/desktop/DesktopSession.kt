package live.highlights.desktop

import java.net.URI
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeoutOrNull
import live.highlights.HighlightsClient

/**
 * The installed app's account on this computer: signs a seller in with a token (the backend says
 * whose it is), keeps the token in [tokens] and the account in [prefs], opens the core on the cache
 * in [folders], and signs out wiping both. No Compose here, so it is tested without a window. Disk,
 * keyring and network work runs on [Dispatchers.IO], so callers may be on the UI thread.
 */
class DesktopSession(
    private val folders: AppFolders,
    /** Where the token is kept. */
    val tokens: TokenStore,
    private val prefs: Preferences,
    private val whoseToken: suspend (url: String, token: String) -> String = HighlightsClient::signIn,
) {
    /** The signed-in account, or null. */
    @Volatile var account: Account? = null
        private set

    /** The token in memory for the open client; asked by the core before each request. */
    @Volatile private var token: String? = null

    /** The address to prefill on the sign-in screen. */
    fun lastUrl(): String = prefs.lastUrl().orEmpty()

    /** The saved account with its token, opened without the network (offline start), or null. */
    fun resume(): HighlightsClient? {
        val saved = prefs.account() ?: return null
        val secret = tokens.load(saved.key) ?: return null
        return open(saved, secret)
    }

    /** The account [rawToken] opens at [rawUrl], as the backend names its seller; throws its refusal. */
    suspend fun whose(rawUrl: String, rawToken: String): Account = withContext(Dispatchers.IO) {
        val url = normalUrl(rawUrl)
        Account(url, whoseToken(url, rawToken.trim()))
    }

    /**
     * What signing in as [next] would drop: the changes that the previous seller on this computer
     * (signed out by a refused token, their cache kept) has not sent yet. Zero when it is the same
     * seller, or nobody.
     */
    suspend fun unsentOfAnother(next: Account): Int = withContext(Dispatchers.IO) {
        val previous = prefs.account() ?: return@withContext 0
        if (previous == next || !java.nio.file.Files.exists(folders.cacheDb)) return@withContext 0
        val old = HighlightsClient.open(folders.cacheDb.toString(), previous.sellerId, previous.url) { null }
        try {
            old.state.value.sync.pendingActions.toInt()
        } finally {
            old.shutdown()
        }
    }

    /** Signs in with [rawToken] at [rawUrl]: [whose] it is, then [signIn] as that account. */
    suspend fun signIn(rawUrl: String, rawToken: String): HighlightsClient = signIn(whose(rawUrl, rawToken), rawToken)

    /**
     * Signs in as [next] (from [whose]) with [rawToken]: keeps the token, then opens that seller's
     * cache. Another seller's (or backend's) cache is wiped, last, once the new account is saved;
     * the same seller's is kept, with whatever waits in its outbox. Throws an I/O or keyring
     * failure with nothing of the old account lost.
     */
    suspend fun signIn(next: Account, rawToken: String): HighlightsClient = withContext(Dispatchers.IO) {
        val secret = rawToken.trim()
        val previous = prefs.account()
        tokens.save(next.key, secret)
        prefs.saveAccount(next)
        if (previous != null && previous != next) {
            forget(previous)
            folders.wipeCache()
        }
        open(next, secret)
    }

    private fun open(next: Account, secret: String): HighlightsClient {
        folders.create()
        token = secret
        account = next
        return HighlightsClient.open(folders.cacheDb.toString(), next.sellerId, next.url) { token }
    }

    /** Deletes [old]'s token wherever a run of this app may have kept it. */
    private fun forget(old: Account) {
        tokens.delete(old.key)
        if (tokens !is FileTokenStore) TokenStore.fileIn(folders).delete(old.key)
    }

    /**
     * What signing out now would lose: the seller's changes still not on the server after one
     * last sync (bounded, so an offline computer answers at once).
     */
    suspend fun unsentChanges(client: HighlightsClient): Int {
        withTimeoutOrNull(10_000) { runCatching { client.syncNow() } }
        return client.sync.value.pendingActions.toInt()
    }

    /** Closes [client] (waiting for it), forgets the token and the account, and deletes the cache. */
    suspend fun signOut(client: HighlightsClient) = withContext(Dispatchers.IO) {
        client.shutdown()
        token = null
        account?.let(::forget)
        prefs.saveAccount(null)
        account = null
        folders.wipeCache()
    }

    /** The core refused the token (revoked or expired): back to sign-in, keeping the cache and its outbox. */
    suspend fun tokenRefused(client: HighlightsClient) = withContext(Dispatchers.IO) {
        client.shutdown()
        token = null
        account = null
    }

    companion object {
        /**
         * One spelling per backend, so `https://API.example.com:443/` and `https://api.example.com`
         * are the same account (and the same cache): scheme and host lower-cased, a default port
         * and trailing slashes dropped. Left as typed (trimmed) when it is no URL; the core refuses it.
         */
        fun normalUrl(raw: String): String {
            val trimmed = raw.trim().trimEnd('/')
            val uri = runCatching { URI(trimmed) }.getOrNull() ?: return trimmed
            val scheme = uri.scheme?.lowercase() ?: return trimmed
            val host = uri.host?.lowercase() ?: return trimmed
            val port = uri.port.takeUnless { it == -1 || (scheme == "https" && it == 443) || (scheme == "http" && it == 80) }
            val path = uri.rawPath.orEmpty().trimEnd('/')
            return "$scheme://$host${port?.let { ":$it" } ?: ""}$path"
        }
    }
}
