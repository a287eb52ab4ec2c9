package live.highlights.app

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.material3.SnackbarHostState
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import live.highlights.HighlightsClient
import uniffi.highlights_core.Event

/** First-time onboarding: benefits and data privacy; Turn on lands in the module, X leaves it off. */
@Composable
fun OnboardingOverlay(client: HighlightsClient) {
    val overlay by client.onboarding.collectAsStateWithLifecycle()
    val current = overlay ?: return
    val scope = rememberCoroutineScope()
    val snackbar = remember { SnackbarHostState() }
    AlertDialog(
        onDismissRequest = { scope.act(snackbar) { client.dismissOnboarding() } },
        title = { Text("Auto LIVE Highlights") },
        text = {
            Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                Text("Your best LIVE moments become shoppable videos automatically.")
                current.limits?.let { Text("Up to ${it.maxPostsPerLive} per LIVE, about ${it.postDelayS.toInt() / 60} min after each moment.") }
                Text("We analyse comments, likes, views and orders of your shoppable LIVEs only to find these moments. Turn it off at any time.")
            }
        },
        confirmButton = { Button(onClick = { scope.act(snackbar) { client.confirmOnboarding() } }) { Text("Turn on") } },
        dismissButton = { TextButton(onClick = { scope.act(snackbar) { client.dismissOnboarding() } }) { Text("Not now") } },
    )
}

/** The pre-LIVE auto-post pop-up, shown when the core decides after a tap on the shopping bag. */
@Composable
fun AutoPostPopup(client: HighlightsClient) {
    val popup by client.popup.collectAsStateWithLifecycle()
    val current = popup ?: return
    val scope = rememberCoroutineScope()
    val snackbar = remember { SnackbarHostState() }
    AlertDialog(
        onDismissRequest = { scope.act(snackbar) { client.dispatch(Event.PopupDismiss) } },
        title = { Text("Auto-post highlights of this LIVE?") },
        text = { Text("We'll post up to ${current.maxPostsPerLive} short videos of its best moments to your profile.") },
        confirmButton = { Button(onClick = { scope.act(snackbar) { client.dispatch(Event.PopupTurnOn) } }) { Text("Turn on") } },
        dismissButton = { TextButton(onClick = { scope.act(snackbar) { client.dispatch(Event.PopupDismiss) } }) { Text("✕") } },
    )
}
