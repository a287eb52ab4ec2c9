package live.highlights.desktop

import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.runtime.withFrameNanos
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Mutex
import androidx.compose.ui.Modifier
import live.highlights.HighlightsClient
import live.highlights.app.HighlightsRoot
import live.highlights.app.HighlightsTheme
import live.highlights.app.LocalShell
import live.highlights.app.plural
import live.highlights.app.tr
import uniffi.highlights_core.Screen
import uniffi.highlights_ffi.HighlightsException

/** Where the PC app is: signing in, one seller's screens, or between the two. */
sealed interface Phase {
    /** The sign-in screen. */
    data class SignedOut(
        /** What the sign-in screen shows. */
        val form: SignInForm,
    ) : Phase

    /** The seller's screens. */
    data class SignedIn(
        /** The open core of the signed-in seller. */
        val client: HighlightsClient,
        /** Who is signed in, for the window's title and the menu. */
        val sellerId: String,
        /** While asking whether to sign out and lose that many changes; 0 otherwise. */
        val unsent: Int = 0,
    ) : Phase

    /** Signing out: the screens are gone, so no action can slip in between the last check and the wipe. */
    data object SigningOut : Phase
}

/**
 * The PC app's state and what the window's menu does, kept outside composition so the menu bar
 * (a Swing menu) and the screens share it. Every change to it runs on the UI thread; one sign-in
 * or sign-out runs at a time, and a second tap while one runs does nothing.
 */
class DesktopApp(private val session: DesktopSession, private val onModuleDrawn: () -> Unit = {}) {
    /** What the window shows now. */
    var phase: Phase by mutableStateOf(
        session.resume()?.let { Phase.SignedIn(it, session.account!!.sellerId) } ?: Phase.SignedOut(SignInForm(url = session.lastUrl())),
    )
        private set

    /** Held while signing in or out. */
    private val switching = Mutex()

    /** The signed-in seller, for the title and the menu. */
    val sellerId: String? get() = (phase as? Phase.SignedIn)?.sellerId

    /**
     * Signs in with the form's fields; a refusal stays on the form, said in the seller's words.
     * When that would drop another seller's unsent changes it asks first: the next tap (the form
     * unchanged) signs in anyway.
     */
    suspend fun signIn() {
        if (!switching.tryLock()) return
        try {
            val form = (phase as? Phase.SignedOut)?.form?.takeUnless { it.busy } ?: return
            phase = Phase.SignedOut(form.copy(busy = true, problem = null))
            phase = try {
                // One question to the backend: whose token, then what signing in as them would drop.
                val next = session.whose(form.url, form.token)
                val dropped = if (form.discard > 0) 0 else session.unsentOfAnother(next)
                if (dropped > 0) {
                    Phase.SignedOut(form.copy(busy = false, discard = dropped))
                } else {
                    Phase.SignedIn(session.signIn(next, form.token), next.sellerId)
                }
            } catch (e: HighlightsException) {
                Phase.SignedOut(form.copy(busy = false, problem = signInProblem(e), discard = 0))
            } catch (e: Exception) {
                // A disk or keyring failure: said plainly, its message (a path, a D-Bus error) kept off screen.
                System.err.println("Auto LIVE Highlights: sign-in failed (${e.javaClass.simpleName})")
                Phase.SignedOut(form.copy(busy = false, problem = "signin_failed", discard = 0))
            }
        } finally {
            switching.unlock()
        }
    }

    /** Edits the sign-in form (any edit withdraws a pending "sign in anyway"). */
    fun edit(change: (SignInForm) -> SignInForm) {
        (phase as? Phase.SignedOut)?.takeUnless { it.form.busy }?.let { phase = Phase.SignedOut(change(it.form).copy(discard = 0)) }
    }

    /** Signs out, first asking when changes would be lost ([force] once the seller said so). */
    suspend fun signOut(force: Boolean = false) {
        if (!switching.tryLock()) return
        try {
            val current = phase as? Phase.SignedIn ?: return
            if (!force) {
                val unsent = session.unsentChanges(current.client)
                if (phase !== current) return
                if (unsent > 0) {
                    phase = current.copy(unsent = unsent)
                    return
                }
            }
            phase = Phase.SigningOut
            // The screens are gone: a change made while the last sync ran is counted here.
            val late = current.client.sync.value.pendingActions.toInt()
            if (!force && late > 0) {
                phase = current.copy(unsent = late)
                return
            }
            try {
                session.signOut(current.client)
            } catch (e: Exception) {
                System.err.println("Auto LIVE Highlights: sign-out could not remove everything (${e.javaClass.simpleName})")
            }
            phase = Phase.SignedOut(SignInForm(url = session.lastUrl()))
        } finally {
            switching.unlock()
        }
    }

    /** The seller chose to stay signed in rather than lose changes. */
    fun staySignedIn() {
        (phase as? Phase.SignedIn)?.let { phase = it.copy(unsent = 0) }
    }

    /** Syncs now; a refused token sends the seller back to sign in, with their cache and outbox kept. */
    suspend fun checkToken(client: HighlightsClient) {
        try {
            client.syncNow()
        } catch (e: HighlightsException.Auth) {
            if (!switching.tryLock()) return
            try {
                if ((phase as? Phase.SignedIn)?.client !== client) return
                phase = Phase.SigningOut
                session.tokenRefused(client)
                phase = Phase.SignedOut(SignInForm(url = session.lastUrl(), problem = "signin_expired"))
            } finally {
                switching.unlock()
            }
        } catch (_: HighlightsException) {
            // Offline or the server failing: the screens say so and background sync retries.
        }
    }

    /** Releases the core at window close (never blocks). */
    fun close() {
        (phase as? Phase.SignedIn)?.client?.close()
    }

    /** The window's content. */
    @Composable
    fun Content(shell: DesktopShell, dark: Boolean) {
        val scope = rememberCoroutineScope()
        when (val p = phase) {
            is Phase.SignedOut -> CompositionLocalProvider(LocalShell provides shell) {
                HighlightsTheme(dark) {
                    val keptIn = tr(if (session.tokens is KeyringTokenStore) "signin_kept_keyring" else "signin_kept_file")
                    SignInContent(
                        p.form, keptIn,
                        onUrl = { v -> edit { it.copy(url = v, problem = null) } },
                        onToken = { v -> edit { it.copy(token = v, problem = null) } },
                        onSignIn = { scope.launch { signIn() } },
                    )
                }
            }
            Phase.SigningOut -> Surface(Modifier.fillMaxSize()) {}
            is Phase.SignedIn -> {
                LaunchedEffect(p.client) {
                    p.client.startBackgroundSync()
                    // The PC app is where sellers manage their clips: it opens on the module.
                    if (p.client.screen.value == Screen.PRODUCTS) p.client.openModule()
                    launch { checkToken(p.client) }
                    // Drawn: the module with its LIVEs, or an empty one the server confirmed.
                    p.client.state.first { it.screen == Screen.MODULE && (it.module.recordings.isNotEmpty() || it.sync.attempted) }
                    withFrameNanos { }
                    onModuleDrawn()
                }
                HighlightsRoot(p.client, shell, dark)
                if (p.unsent > 0) {
                    CompositionLocalProvider(LocalShell provides shell) {
                        HighlightsTheme(dark) {
                            AlertDialog(
                                onDismissRequest = ::staySignedIn,
                                title = { Text(tr("signout_title")) },
                                text = { Text(plural("signout_pending", p.unsent, p.unsent)) },
                                confirmButton = { TextButton({ scope.launch { signOut(force = true) } }) { Text(tr("signout_anyway")) } },
                                dismissButton = { TextButton(::staySignedIn) { Text(tr("signout_stay")) } },
                            )
                        }
                    }
                }
            }
        }
    }
}
