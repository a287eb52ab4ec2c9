package live.highlights.desktop

import androidx.compose.material3.AlertDialog
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
import live.highlights.HighlightsClient
import live.highlights.app.HighlightsRoot
import live.highlights.app.HighlightsTheme
import live.highlights.app.LocalShell
import live.highlights.app.plural
import live.highlights.app.tr
import uniffi.highlights_core.Screen
import uniffi.highlights_ffi.HighlightsException

/** Where the PC app is: signing in, or one seller's screens. */
sealed interface Phase {
    /** The sign-in screen. */
    data class SignedOut(val form: SignInForm) : Phase

    /** The seller's screens on [client]; [unsent] > 0 while asking whether to sign out and lose that many changes. */
    data class SignedIn(val client: HighlightsClient, val unsent: Int = 0) : Phase
}

/**
 * The PC app's state and what the window's menu does, kept outside composition so the menu bar
 * (a Swing menu) and the screens share it.
 */
class DesktopApp(private val session: DesktopSession, private val onModuleDrawn: () -> Unit = {}) {
    /** What the window shows now. */
    var phase: Phase by mutableStateOf(
        session.resume()?.let { Phase.SignedIn(it) } ?: Phase.SignedOut(SignInForm(url = session.lastUrl())),
    )
        private set

    /** The signed-in seller, for the menu. */
    val sellerId: String? get() = session.account?.sellerId

    /** Signs in with the form's fields; a refusal stays on the form, said in the seller's words. */
    suspend fun signIn() {
        val form = (phase as? Phase.SignedOut)?.form ?: return
        phase = Phase.SignedOut(form.copy(busy = true, problem = null))
        phase = try {
            Phase.SignedIn(session.signIn(form.url, form.token))
        } catch (e: HighlightsException) {
            Phase.SignedOut(form.copy(busy = false, problem = signInProblem(e)))
        }
    }

    /** Edits the sign-in form. */
    fun edit(change: (SignInForm) -> SignInForm) {
        (phase as? Phase.SignedOut)?.let { phase = Phase.SignedOut(change(it.form)) }
    }

    /** Signs out, first asking when changes would be lost ([force] once the seller said so). */
    suspend fun signOut(force: Boolean = false) {
        val current = phase as? Phase.SignedIn ?: return
        if (!force) {
            val unsent = session.unsentChanges(current.client)
            if (unsent > 0) {
                phase = current.copy(unsent = unsent)
                return
            }
        }
        session.signOut(current.client)
        phase = Phase.SignedOut(SignInForm(url = session.lastUrl()))
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
            if ((phase as? Phase.SignedIn)?.client !== client) return
            session.tokenRefused(client)
            phase = Phase.SignedOut(SignInForm(url = session.lastUrl(), problem = "signin_expired"))
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
