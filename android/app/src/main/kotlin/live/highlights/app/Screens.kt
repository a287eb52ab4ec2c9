package live.highlights.app

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.RowScope
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.selection.toggleable
import androidx.compose.material3.Button
import androidx.compose.material3.Checkbox
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.IconButton
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.TopAppBar
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import java.text.DateFormat
import java.util.Date
import live.highlights.HighlightsClient
import uniffi.highlights_core.ProductChoice
import uniffi.highlights_core.SyncIndicator

/** A screen's title bar; [onBack] adds the back button (the system back gesture does the same). */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun TitleBar(title: String, onBack: (() -> Unit)? = null, actions: @Composable RowScope.() -> Unit = {}) {
    val backLabel = tr("back")
    TopAppBar(
        title = { Text(title) },
        navigationIcon = {
            if (onBack != null) {
                IconButton(onClick = onBack, modifier = Modifier.semantics { contentDescription = backLabel }) { Text("←") }
            }
        },
        actions = actions,
    )
}

/**
 * LIVE section → Products, with the entry to Highlights and the shopping bag before going LIVE;
 * with the feature on, the choice for the next LIVE only.
 */
@Composable
fun ProductsScreen(client: HighlightsClient) {
    val toggle by client.highlights.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    val snackbar = LocalSnackbar.current
    val shell = LocalShell.current
    Column {
        TitleBar(tr("products_title"))
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
            ListItem(
                headlineContent = { Text(tr("products_highlights_entry")) },
                supportingContent = { Text(tr("products_highlights_hint")) },
                modifier = Modifier.fillMaxWidth(),
                trailingContent = { TextButton(onClick = { scope.act(snackbar, shell) { client.openHighlights() } }) { Text(tr("open")) } },
            )
            Button(onClick = { scope.act(snackbar, shell) { client.shoppingBagTapped() } }) { Text(tr("shopping_bag")) }
            if (toggle.on) {
                val label = tr("next_live_switch")
                ListItem(
                    headlineContent = { Text(label) },
                    supportingContent = { Text(if (toggle.nextLiveOn) tr("next_live_on") else tr("next_live_off")) },
                    trailingContent = {
                        Switch(
                            checked = toggle.nextLiveOn,
                            onCheckedChange = { on -> scope.act(snackbar, shell) { client.setNextLiveHighlights(on) } },
                            modifier = Modifier.semantics { contentDescription = label },
                        )
                    },
                )
            }
        }
    }
}

/** The Highlights screen: the toggle, what it does, the limits in force, data privacy. */
@Composable
fun HighlightsScreen(client: HighlightsClient, onPrivacy: () -> Unit) {
    val toggle by client.highlights.collectAsStateWithLifecycle()
    val sync by client.sync.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    val snackbar = LocalSnackbar.current
    val shell = LocalShell.current
    val back = { scope.act(snackbar, shell) { client.back() }; Unit }
    LocalShell.current.BackHandler(true, back)
    Column(Modifier.verticalScroll(rememberScrollState())) {
        TitleBar(tr("highlights_title"), onBack = back)
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
            val toggleLabel = tr("highlights_toggle")
            Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.SpaceBetween, verticalAlignment = Alignment.CenterVertically) {
                Text(toggleLabel, style = MaterialTheme.typography.titleMedium)
                Switch(
                    checked = toggle.on,
                    onCheckedChange = { on -> scope.act(snackbar, shell) { client.setToggle(on) } },
                    modifier = Modifier.semantics { contentDescription = toggleLabel },
                )
            }
            Text(tr("highlights_explainer"))
            val reviewLabel = tr("review_switch")
            Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.SpaceBetween, verticalAlignment = Alignment.CenterVertically) {
                Column(Modifier.weight(1f)) {
                    Text(reviewLabel)
                    Text(tr("review_explainer"), style = MaterialTheme.typography.bodySmall)
                }
                Switch(
                    checked = toggle.reviewBeforePosting,
                    onCheckedChange = { on -> scope.act(snackbar, shell) { client.setReviewBeforePosting(on) } },
                    modifier = Modifier.semantics { contentDescription = reviewLabel },
                )
            }
            ProductChoices(toggle.productChoices) { ids -> scope.act(snackbar, shell) { client.setOnlyProducts(ids) } }
            val limits = toggle.limits
            if (limits == null) {
                Text(tr("limits_loading"))
            } else {
                Text(tr("limits_line", limits.maxPostsPerLive.toInt(), limits.maxPostsPerProduct.toInt(), minutes(limits.postDelayS)))
            }
            if (toggle.pending) Text(tr("saving"))
            TextButton(onClick = onPrivacy) { Text(tr("privacy_link")) }
            Button(onClick = { scope.act(snackbar, shell) { client.openModule() } }) { Text(tr("open_module")) }
            SyncLine(sync)
        }
    }
}

/**
 * Which LIVEs get highlights: every shoppable LIVE, or only those showing a ticked product.
 * [onChoose] gets the whole new choice (the core sorts and checks it).
 */
@Composable
fun ProductChoices(choices: List<ProductChoice>, onChoose: (List<String>) -> Unit) {
    if (choices.isEmpty()) return
    val chosen = choices.filter { it.chosen }.map { it.id }
    Text(tr("which_lives"), style = MaterialTheme.typography.titleSmall)
    Text(if (chosen.isEmpty()) tr("which_lives_all") else tr("which_lives_some", chosen.size), style = MaterialTheme.typography.bodySmall)
    choices.forEach { c ->
        val label = tr("which_lives_product_cd", c.name)
        Row(
            // The whole row is the touch target, at least 48 dp high.
            Modifier.fillMaxWidth().heightIn(min = 48.dp).toggleable(value = c.chosen, role = Role.Checkbox) { on ->
                onChoose(if (on) chosen + c.id else chosen - c.id)
            }.semantics { contentDescription = label },
            verticalAlignment = Alignment.CenterVertically,
        ) {
            Checkbox(checked = c.chosen, onCheckedChange = null)
            Text(c.name, Modifier.padding(start = 8.dp))
        }
    }
}

/** Offline / last-updated line, with the actions still waiting to reach the server. */
@Composable
fun SyncLine(sync: SyncIndicator) {
    val state = if (sync.online) tr("sync_online") else tr("sync_offline")
    val updated = sync.lastUpdatedMs?.let { tr("sync_updated", clock(it)) } ?: tr("sync_never")
    val waiting = if (sync.pendingActions > 0u) " · " + tr("sync_waiting", sync.pendingActions.toInt()) else ""
    Text("$state · $updated$waiting", style = MaterialTheme.typography.bodySmall)
}

/** Whole minutes of a delay in seconds, at least 1, for copy like "about 5 min". */
fun minutes(seconds: UInt): Int = maxOf(1, (seconds.toInt() + 30) / 60)

/** A wall-clock time of day in the device's language. */
@Composable
fun clock(epochMs: Long): String =
    DateFormat.getTimeInstance(DateFormat.SHORT, LocalShell.current.locale).format(Date(epochMs))

/** An amount in minor units of [currency] (ISO 4217), in the device's language, e.g. "$49.90". */
@Composable
fun money(minor: Long, currency: String): String {
    val format = java.text.NumberFormat.getCurrencyInstance(LocalShell.current.locale)
    val unit = runCatching { java.util.Currency.getInstance(currency) }.getOrNull()
    // An unknown code still shows the amount, with the code the server sent.
    if (unit == null) return "%.2f %s".format(LocalShell.current.locale, minor / 100.0, currency)
    format.currency = unit
    val digits = maxOf(0, unit.defaultFractionDigits)
    format.minimumFractionDigits = digits
    format.maximumFractionDigits = digits
    return format.format(java.math.BigDecimal.valueOf(minor, digits))
}

/** A position within a recording as m:ss (h:mm:ss past an hour). */
fun offset(ms: Long): String {
    val s = maxOf(0L, ms / 1000)
    return if (s >= 3600) "%d:%02d:%02d".format(s / 3600, s / 60 % 60, s % 60) else "%d:%02d".format(s / 60, s % 60)
}
