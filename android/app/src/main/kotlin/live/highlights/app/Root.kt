package live.highlights.app

import androidx.compose.foundation.clickable
import androidx.compose.foundation.isSystemInDarkTheme
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Scaffold
import androidx.compose.material3.SnackbarDuration
import androidx.compose.material3.SnackbarHost
import androidx.compose.material3.SnackbarHostState
import androidx.compose.material3.SnackbarResult
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.runtime.staticCompositionLocalOf
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeoutOrNull
import live.highlights.HighlightsClient
import uniffi.highlights_core.Event
import uniffi.highlights_core.NoticeKind
import uniffi.highlights_core.NotificationKind
import uniffi.highlights_core.NotificationRow
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
    // Thumbnails and storyboards: fetched through the core (the seller's token), decoded off the UI thread.
    val images = remember(client, shell) { ImageCache(client::media, shell::decodeImage) }
    CompositionLocalProvider(LocalShell provides shell, LocalImages provides images) {
        HighlightsTheme(dark) {
            val snackbar = remember { SnackbarHostState() }
            val screen by client.screen.collectAsStateWithLifecycle()
            // The privacy page is the shell's own page (no core state): the text comes from config.
            var privacyOpen by remember { mutableStateOf(false) }
            CompositionLocalProvider(LocalSnackbar provides snackbar) {
                Scaffold(snackbarHost = { SnackbarHost(snackbar) }, topBar = { NotificationBanner(client) }) { padding ->
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
                UndoSnackbar(client, snackbar)
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

/**
 * What one notification says, in the seller's language. Posts that wait for the seller's OK are
 * called so, as on their cards; a first post time is a countdown while ahead, and not said once past.
 */
@Composable
fun notificationText(n: NotificationRow, review: Boolean, nowMs: Long): String {
    val title = n.recordingTitle.ifBlank { tr("live_untitled") }
    val count = n.count.toInt()
    val due = n.postAtMs?.takeIf { it > nowMs }
    return when (n.kind) {
        NotificationKind.SCHEDULED -> when {
            review && due != null -> plural("notification_awaiting_in", count, title, count, countdown(due, nowMs))
            review -> plural("notification_awaiting", count, title, count)
            due != null -> plural("notification_scheduled_in", count, title, count, countdown(due, nowMs))
            else -> plural("notification_scheduled", count, title, count)
        }
        NotificationKind.POSTED -> plural("notification_posted", count, title, count)
        NotificationKind.VIDEO_FAILED -> plural("notification_video_failed", count, title, count)
        NotificationKind.REMOVED -> plural("notification_removed", count, title, count)
    }
}

/**
 * The newest notification as an in-app banner over every screen (tap: open its recording, X:
 * dismiss), and as a system notification where the platform allows, updated as its count grows.
 */
@Composable
fun NotificationBanner(client: HighlightsClient) {
    val notifications by client.notifications.collectAsStateWithLifecycle()
    val toggle by client.highlights.collectAsStateWithLifecycle()
    val n = notifications.firstOrNull() ?: return
    val shell = LocalShell.current
    val snackbar = LocalSnackbar.current
    val scope = rememberCoroutineScope()
    val text = notificationText(n, toggle.reviewBeforePosting, rememberNow())
    LaunchedEffect(n.id, n.count) { shell.notify(n.id, text) }
    BannerContent(
        text,
        onOpen = { scope.act(snackbar, shell) { client.openRecording(n.recordingId) } },
        onDismiss = { scope.act(snackbar, shell) { client.dismissNotification(n.id) } },
    )
}

/** A notification banner: its text (tap: [onOpen]) and ✕ ([onDismiss]). */
@Composable
fun BannerContent(text: String, onOpen: () -> Unit, onDismiss: () -> Unit) {
    val dismiss = tr("dismiss")
    Surface(tonalElevation = 3.dp, modifier = Modifier.fillMaxWidth()) {
        Row(verticalAlignment = Alignment.CenterVertically, modifier = Modifier.padding(start = 16.dp)) {
            Text(text, style = MaterialTheme.typography.bodyMedium, modifier = Modifier.weight(1f).clickable(onClick = onOpen))
            TextButton(onClick = onDismiss, modifier = Modifier.semantics { contentDescription = dismiss }) { Text("✕") }
        }
    }
}

/** Offers Undo for the last "remove all" until it leaves the device. */
@Composable
fun UndoSnackbar(client: HighlightsClient, snackbar: SnackbarHostState) {
    val undo by client.undo.collectAsStateWithLifecycle()
    val shell = LocalShell.current
    val (message, action) = tr("removed_all") to tr("undo")
    LaunchedEffect(undo) {
        val offer = undo ?: return@LaunchedEffect
        val left = offer.untilMs - System.currentTimeMillis()
        if (left <= 0) return@LaunchedEffect
        val result = withTimeoutOrNull(left) {
            snackbar.showSnackbar(message, actionLabel = action, duration = SnackbarDuration.Indefinite)
        }
        if (result == SnackbarResult.ActionPerformed) {
            try {
                client.undoRemoveAll()
            } catch (e: HighlightsException) {
                snackbar.showSnackbar(refusal(shell, e))
            }
        }
    }
}

/** Asks before a "remove all": [lines] say what goes and what stays; [onConfirm] runs only on the seller's yes. */
@Composable
fun RemoveAllDialog(title: String, lines: List<String>, onConfirm: () -> Unit, onDismiss: () -> Unit) {
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(title) },
        text = { Column { lines.forEach { Text(it, Modifier.padding(bottom = 6.dp)) } } },
        confirmButton = { Button(onClick = { onConfirm(); onDismiss() }) { Text(tr("remove_all")) } },
        dismissButton = { TextButton(onClick = onDismiss) { Text(tr("cancel")) } },
    )
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
            NoticeKind.VIDEO_QUOTA_REACHED -> shell.text("notice_video_quota")
        }
        snackbar.showSnackbar(text)
        client.dispatch(Event.DismissNotice(n.id))
    }
}
