package live.highlights.app

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.compose.ui.window.Dialog
import androidx.compose.ui.window.DialogProperties
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import live.highlights.HighlightsClient

/** First-time onboarding: benefits and data privacy; Turn on lands in the module, Not now leaves it off. */
@Composable
fun OnboardingOverlay(client: HighlightsClient, onPrivacy: () -> Unit) {
    val overlay by client.onboarding.collectAsStateWithLifecycle()
    val toggle by client.highlights.collectAsStateWithLifecycle()
    val current = overlay ?: return
    val scope = rememberCoroutineScope()
    val snackbar = LocalSnackbar.current
    val shell = LocalShell.current
    // Android's dialog takes system back itself; hosts without one (desktop) get it here.
    LocalShell.current.BackHandler(true) { scope.act(snackbar, shell) { client.dismissOnboarding() } }
    AlertDialog(
        onDismissRequest = { scope.act(snackbar, shell) { client.dismissOnboarding() } },
        title = { Text(tr("onboarding_title")) },
        text = {
            Column(Modifier.verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
                Text(tr("onboarding_benefit"))
                current.limits?.let { Text(tr("onboarding_limits", it.maxPostsPerLive.toInt(), minutes(it.postDelayS))) }
                // What is analysed, word for word the privacy page's: the backend's notice, one source.
                val notice = toggle.privacyNotice
                if (notice != null) {
                    Text(tr("onboarding_privacy_title"), style = MaterialTheme.typography.titleSmall)
                    notice.lines().filter { it.isNotBlank() }.forEach { Text(it, style = MaterialTheme.typography.bodySmall) }
                } else {
                    TextButton(onClick = onPrivacy) { Text(tr("privacy_link")) }
                }
            }
        },
        confirmButton = { Button(onClick = { scope.act(snackbar, shell) { client.confirmOnboarding() } }) { Text(tr("turn_on")) } },
        dismissButton = { TextButton(onClick = { scope.act(snackbar, shell) { client.dismissOnboarding() } }) { Text(tr("not_now")) } },
    )
}

/** The pre-LIVE auto-post pop-up, shown when the core decides after a tap on the shopping bag. */
@Composable
fun AutoPostPopup(client: HighlightsClient) {
    val popup by client.popup.collectAsStateWithLifecycle()
    val current = popup ?: return
    val scope = rememberCoroutineScope()
    val snackbar = LocalSnackbar.current
    val shell = LocalShell.current
    val closeLabel = tr("close")
    LocalShell.current.BackHandler(true) { scope.act(snackbar, shell) { client.popupDismiss() } }
    AlertDialog(
        // Outside tap and system back close it as its X does.
        onDismissRequest = { scope.act(snackbar, shell) { client.popupDismiss() } },
        title = { Text(tr("popup_title")) },
        text = { Text(tr("popup_body", current.maxPostsPerLive.toInt())) },
        confirmButton = { Button(onClick = { scope.act(snackbar, shell) { client.popupTurnOn() } }) { Text(tr("turn_on")) } },
        dismissButton = {
            TextButton(
                onClick = { scope.act(snackbar, shell) { client.popupDismiss() } },
                modifier = Modifier.semantics { contentDescription = closeLabel },
            ) { Text("✕") }
        },
    )
}

/** The data-privacy page: the backend's text from remote config, over whatever is on screen. */
@Composable
fun PrivacyPage(client: HighlightsClient, onClose: () -> Unit) {
    val toggle by client.highlights.collectAsStateWithLifecycle()
    LocalShell.current.BackHandler(true, onClose)
    Dialog(onDismissRequest = onClose, properties = DialogProperties(usePlatformDefaultWidth = false)) {
        Surface(Modifier.fillMaxSize(), color = MaterialTheme.colorScheme.background) {
            Column(Modifier.verticalScroll(rememberScrollState())) {
                TitleBar(tr("privacy_title"), onBack = onClose)
                Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
                    val text = toggle.privacyNotice
                    if (text == null) {
                        Text(tr("privacy_loading"))
                    } else {
                        text.lines().filter { it.isNotBlank() }.forEach { Text(it) }
                    }
                    Button(onClick = onClose) { Text(tr("close")) }
                }
            }
        }
    }
}
