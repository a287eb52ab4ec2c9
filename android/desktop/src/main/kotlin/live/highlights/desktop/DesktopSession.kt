package live.highlights.desktop

import kotlinx.coroutines.withTimeoutOrNull
import live.highlights.HighlightsClient

/**
 * The installed app's account on this computer: signs a seller in with a token (the backend says
 * whose it is), keeps the token in [tokens] and the account in [prefs], opens the core on the cache
 * in [folders], and signs out wiping both. No Compose here, so it is tested without a window.
 */
class DesktopSession(
    private val folders: AppFolders,
    /** Where the token is kept. */
    val tokens: TokenStore,
    private val prefs: Preferences,
    private val whoseToken: suspend (url: String, token: String) -> String = HighlightsClient::signIn,
) {
    /** The signed-in account, or null. */
    var account: Account? = null
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

    /**
     * Signs in with [rawToken] at [rawUrl]: asks the backend whose token it is, then keeps it and
     * opens that seller's cache. Another seller's (or backend's) cache is wiped first; the same
     * seller's is kept, with whatever waits in its outbox. Throws the core's `HighlightsException`.
     */
    suspend fun signIn(rawUrl: String, rawToken: String): HighlightsClient {
        val url = rawUrl.trim().trimEnd('/')
        val secret = rawToken.trim()
        val seller = whoseToken(url, secret)
        val next = Account(url, seller)
        val previous = prefs.account()
        if (previous != next) {
            previous?.let { tokens.delete(it.key) }
            folders.wipeCache()
        }
        tokens.save(next.key, secret)
        prefs.saveAccount(next)
        return open(next, secret)
    }

    private fun open(next: Account, secret: String): HighlightsClient {
        folders.create()
        token = secret
        account = next
        return HighlightsClient.open(folders.cacheDb.toString(), next.sellerId, next.url) { token }
    }

    /**
     * What signing out now would lose: the seller's changes still not on the server after one
     * last sync (bounded, so an offline computer answers at once).
     */
    suspend fun unsentChanges(client: HighlightsClient): Int {
        withTimeoutOrNull(10_000) { runCatching { client.syncNow() } }
        return client.sync.value.pendingActions.toInt()
    }

    /** Closes [client], forgets the token and the account, and deletes the cache. */
    suspend fun signOut(client: HighlightsClient) {
        client.shutdown()
        token = null
        account?.let { tokens.delete(it.key) }
        prefs.saveAccount(null)
        account = null
        folders.wipeCache()
    }

    /** The core refused the token (revoked or expired): back to sign-in, keeping the cache and its outbox. */
    fun tokenRefused(client: HighlightsClient) {
        client.close()
        token = null
        account = null
    }
}
