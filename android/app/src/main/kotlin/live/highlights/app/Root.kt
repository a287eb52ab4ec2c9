package live.highlights.app

import androidx.compose.foundation.isSystemInDarkTheme
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Scaffold
import androidx.compose.material3.SnackbarHost
import androidx.compose.material3.SnackbarHostState
import androidx.compose.material3.darkColorScheme
import androidx.compose.material3.lightColorScheme
import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.runtime.staticCompositionLocalOf
import androidx.compose.ui.Modifier
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.launch
import live.highlights.HighlightsClient
import uniffi.highlights_core.Event
import uniffi.highlights_core.NoticeKind
import uniffi.highlights_core.Screen
import uniffi.highlights_ffi.HighlightsException

/** The one snackbar host of the feature: notices and refusals from every screen and overlay land here. */
val LocalSnackbar = staticCompositionLocalOf<SnackbarHostState> { error("no snackbar host: wrap the screens in HighlightsRoot") }

/**
 * The feature's root: follows the core's current screen, shows its overlays on top and its notices
 * in one snackbar host. Android's activity and the desktop window both host exactly this.
 */
@Composable
fun HighlightsRoot(client: HighlightsClient, shell: Shell, dark: Boolean = isSystemInDarkTheme()) {
    CompositionLocalProvider(LocalShell provides shell) {
        MaterialTheme(colorScheme = if (dark) darkColorScheme() else lightColorScheme()) {
            val snackbar = remember { SnackbarHostState() }
            val screen by client.screen.collectAsStateWithLifecycle()
            // The privacy page is the shell's own page (no core state): the text comes from config.
            var privacyOpen by remember { mutableStateOf(false) }
            CompositionLocalProvider(LocalSnackbar provides snackbar) {
                Scaffold(snackbarHost = { SnackbarHost(snackbar) }) { padding ->
                    Box(Modifier.padding(padding)) {
                        when (screen) {
                            Screen.PRODUCTS -> ProductsScreen(client)
                            Screen.HIGHLIGHTS -> HighlightsScreen(client, onPrivacy = { privacyOpen = true })
                            Screen.MODULE -> HighlightModuleScreen(client)
                            Screen.RECORDING -> RecordingPage(client)
                        }
                    }
                }
                NoticeSnackbar(client, snackbar)
                OnboardingOverlay(client, onPrivacy = { privacyOpen = true })
                AutoPostPopup(client)
                if (privacyOpen) PrivacyPage(client) { privacyOpen = false }
            }
        }
    }
}

/** Runs a seller action; a refusal from the core becomes a snackbar, the screen stays as it was. */
fun CoroutineScope.act(snackbar: SnackbarHostState, shell: Shell, block: suspend () -> Unit) = launch {
    try {
        block()
    } catch (e: HighlightsException) {
        snackbar.showSnackbar(refusal(shell, e))
    }
}

/** What to tell the seller about a refusal, in their language, from the core's typed error. */
fun refusal(shell: Shell, e: HighlightsException): String = when (e) {
    is HighlightsException.Input -> shell.text("problem_" + e.problem.name.lowercase())
    is HighlightsException.Network -> shell.text("error_network")
    is HighlightsException.Auth -> shell.text("error_auth")
    is HighlightsException.Storage -> shell.text("error_storage")
    else -> shell.text("error_generic")
}

/** Shows the core's oldest notice once, worded from its kind, then marks it read. */
@Composable
fun NoticeSnackbar(client: HighlightsClient, snackbar: SnackbarHostState) {
    val notice by client.notice.collectAsStateWithLifecycle()
    val shell = LocalShell.current
    LaunchedEffect(notice) {
        val n = notice ?: return@LaunchedEffect
        val text = when (n.kind) {
            NoticeKind.CACHE_RESET -> shell.text("notice_cache_reset")
            NoticeKind.VIDEO_FAILED -> shell.text("notice_video_failed")
            NoticeKind.ACTION_REFUSED -> shell.text("notice_refused", n.message)
        }
        snackbar.showSnackbar(text)
        client.dispatch(Event.DismissNotice(n.id))
    }
}
