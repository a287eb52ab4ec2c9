package live.highlights.app

import androidx.activity.compose.BackHandler
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.ListItem
import androidx.compose.material3.Scaffold
import androidx.compose.material3.SnackbarHost
import androidx.compose.material3.SnackbarHostState
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.launch
import live.highlights.HighlightsClient
import uniffi.highlights_core.Event
import uniffi.highlights_core.SyncIndicator
import uniffi.highlights_ffi.HighlightsException

/** Runs a seller action; a refusal from the core becomes a snackbar, the screen stays as it was. */
fun CoroutineScope.act(snackbar: SnackbarHostState, block: suspend () -> Unit) = launch {
    try {
        block()
    } catch (e: HighlightsException) {
        snackbar.showSnackbar(e.message ?: "Something went wrong")
    }
}

/** LIVE section → Products, with the entry to Highlights and the shopping bag before going LIVE. */
@Composable
fun ProductsScreen(client: HighlightsClient) {
    val scope = rememberCoroutineScope()
    val snackbar = remember { SnackbarHostState() }
    Scaffold(snackbarHost = { SnackbarHost(snackbar) }) { padding ->
        Column(Modifier.padding(padding).padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
            Text("Products")
            ListItem(headlineContent = { Text("Highlights") }, modifier = Modifier.fillMaxWidth(),
                trailingContent = { TextButton(onClick = { scope.act(snackbar) { client.openHighlights() } }) { Text("Open") } })
            Button(onClick = { scope.act(snackbar) { client.shoppingBagTapped() } }) { Text("Shopping bag") }
        }
    }
}

/** The Highlights screen: the toggle, what it does, the limits in force, data privacy. */
@Composable
fun HighlightsScreen(client: HighlightsClient) {
    val toggle by client.highlights.collectAsStateWithLifecycle()
    val sync by client.sync.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    val snackbar = remember { SnackbarHostState() }
    BackHandler { scope.act(snackbar) { client.dispatch(Event.Back) } }
    Scaffold(snackbarHost = { SnackbarHost(snackbar) }) { padding ->
        Column(Modifier.padding(padding).padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
            Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.SpaceBetween) {
                Text("Auto LIVE Highlights")
                Switch(checked = toggle.on, onCheckedChange = { on -> scope.act(snackbar) { client.setToggle(on) } })
            }
            Text("When on, the best moments of each shoppable LIVE become short videos tied to the pinned product, posted to your profile.")
            val limits = toggle.limits
            if (limits == null) {
                Text("Loading limits…")
            } else {
                Text("Up to ${limits.maxPostsPerLive} videos per LIVE and ${limits.maxPostsPerProduct} per pinned product, about ${limits.postDelayS.toInt() / 60} min after each moment.")
            }
            if (toggle.pending) Text("Saving…")
            TextButton(onClick = { /* opens the data-privacy page in the host app */ }) { Text("How your LIVE data is used") }
            Button(onClick = { scope.act(snackbar) { client.openModule() } }) { Text("Highlight module") }
            SyncLine(sync)
        }
    }
}

/** Offline / last-updated line. */
@Composable
fun SyncLine(sync: SyncIndicator) {
    val updated = sync.lastUpdatedMs?.let { "updated ${java.text.DateFormat.getTimeInstance().format(java.util.Date(it))}" } ?: "not synced yet"
    val state = if (sync.online) "online" else "offline"
    val waiting = if (sync.pendingActions > 0u) " · ${sync.pendingActions} waiting" else ""
    Text("$state · $updated$waiting")
}

/** Shows the core's oldest notice once, then marks it read. */
@Composable
fun NoticeSnackbar(client: HighlightsClient, snackbar: SnackbarHostState) {
    val notice by client.notice.collectAsStateWithLifecycle()
    LaunchedEffect(notice) {
        val n = notice ?: return@LaunchedEffect
        snackbar.showSnackbar(n.message)
        client.dispatch(Event.DismissNotice(n.id))
    }
}
