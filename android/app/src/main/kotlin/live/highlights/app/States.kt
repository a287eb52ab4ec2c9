package live.highlights.app

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.produceState
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.draw.clip
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.delay
import kotlinx.coroutines.withContext
import uniffi.highlights_core.SyncIndicator

/** What the data on screen can be trusted for: each shows differently, none pretends to be another. */
enum class DataState {
    /** Never synced, and a sync is running or has not finished yet: skeletons. */
    LOADING,

    /** Never synced, and the last attempt failed: nothing to show, an error with Retry. */
    FAILED,

    /** Synced once, offline now: what was saved, said so. */
    OFFLINE,

    /** Up to date. */
    FRESH,
}

/** The state of the data behind [sync], per the core's sync indicator. */
fun dataState(sync: SyncIndicator): DataState = when {
    sync.lastUpdatedMs == null && (!sync.attempted || sync.syncing) -> DataState.LOADING
    sync.lastUpdatedMs == null -> DataState.FAILED
    !sync.online -> DataState.OFFLINE
    else -> DataState.FRESH
}

/** The wall clock, ticking every [periodMs] for countdowns (the wait runs off the UI dispatcher). */
@Composable
fun rememberNow(periodMs: Long = 1_000): Long {
    val now by produceState(System.currentTimeMillis()) {
        while (true) {
            withContext(Dispatchers.Default) { delay(periodMs - System.currentTimeMillis() % periodMs) }
            value = System.currentTimeMillis()
        }
    }
    return now
}

/** Online or offline, when the data was last brought up to date, and the actions still waiting to be sent. */
@Composable
fun SyncLine(sync: SyncIndicator, modifier: Modifier = Modifier) {
    val updated = sync.lastUpdatedMs
    val connecting = dataState(sync) == DataState.LOADING
    val state = when {
        connecting -> tr("sync_connecting")
        sync.online && updated != null -> tr("sync_updated", clock(updated))
        sync.online -> tr("sync_online")
        updated != null -> tr("sync_offline_saved", clock(updated))
        else -> tr("sync_offline")
    }
    val waiting = sync.pendingActions.toInt()
    val text = if (waiting > 0) tr("sync_line_waiting", state, plural("sync_waiting", waiting, waiting)) else state
    val color = if (sync.online || connecting) MaterialTheme.colorScheme.onSurfaceVariant else MaterialTheme.colorScheme.error
    Text(text, style = MaterialTheme.typography.bodySmall, color = color, modifier = modifier)
}

/** A grey block standing in for content being loaded (static: no shimmer to keep tests and pictures still). */
@Composable
fun Bone(modifier: Modifier) = Box(modifier.clip(RoundedCornerShape(8.dp)).background(MaterialTheme.colorScheme.surfaceVariant))

/** Skeleton LIVE rows while the first sync runs. */
@Composable
fun SkeletonRows(count: Int = 4) {
    val label = tr("loading")
    Column(Modifier.padding(16.dp).semantics { contentDescription = label }, verticalArrangement = Arrangement.spacedBy(16.dp)) {
        Bone(Modifier.width(120.dp).height(14.dp))
        repeat(count) {
            Row(horizontalArrangement = Arrangement.spacedBy(12.dp)) {
                Bone(Modifier.size(width = 64.dp, height = 114.dp))
                Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                    Bone(Modifier.width(180.dp).height(18.dp))
                    Bone(Modifier.width(120.dp).height(14.dp))
                    Bone(Modifier.width(150.dp).height(14.dp))
                }
            }
        }
    }
}

/** Nothing could be loaded: what went wrong, and Retry. */
@Composable
fun ErrorState(title: String, body: String, onRetry: () -> Unit, modifier: Modifier = Modifier) {
    Surface(color = MaterialTheme.colorScheme.errorContainer, shape = RoundedCornerShape(12.dp), modifier = modifier.fillMaxWidth()) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            Text(title, style = MaterialTheme.typography.titleMedium, color = MaterialTheme.colorScheme.onErrorContainer)
            Text(body, style = MaterialTheme.typography.bodyMedium, color = MaterialTheme.colorScheme.onErrorContainer)
            Button(onClick = onRetry) { Text(tr("retry")) }
        }
    }
}

/** Loaded, and there is nothing yet: what will appear here, and when. */
@Composable
fun EmptyState(title: String, body: String, modifier: Modifier = Modifier) {
    Column(modifier.fillMaxWidth().padding(24.dp), horizontalAlignment = Alignment.CenterHorizontally, verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Text(title, style = MaterialTheme.typography.titleMedium)
        Text(body, style = MaterialTheme.typography.bodyMedium, color = MaterialTheme.colorScheme.onSurfaceVariant)
    }
}
