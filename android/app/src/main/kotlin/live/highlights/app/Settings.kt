package live.highlights.app

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.selection.toggleable
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.Checkbox
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.draw.alpha
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import live.highlights.HighlightsClient
import uniffi.highlights_core.HighlightsScreen
import uniffi.highlights_core.ProductChoice
import uniffi.highlights_core.SyncIndicator

/** What the seller can do on the Products and Highlights screens. */
class SettingsActions(
    val back: () -> Unit = {},
    val openHighlights: () -> Unit = {},
    val shoppingBag: () -> Unit = {},
    val setNextLive: (Boolean) -> Unit = {},
    val setToggle: (Boolean) -> Unit = {},
    val setReview: (Boolean) -> Unit = {},
    val setOnlyProducts: (List<String>) -> Unit = {},
    val privacy: () -> Unit = {},
    val openModule: () -> Unit = {},
)

/** The Products and Highlights screens' actions, each forwarded to the core (a refusal becomes a snackbar). */
@Composable
fun settingsActions(client: HighlightsClient, onPrivacy: () -> Unit): SettingsActions {
    val scope = rememberCoroutineScope()
    val snackbar = LocalSnackbar.current
    val shell = LocalShell.current
    fun go(block: suspend () -> Unit) { scope.act(snackbar, shell, block) }
    return SettingsActions(
        back = { go { client.back() } },
        openHighlights = { go { client.openHighlights() } },
        shoppingBag = { go { client.shoppingBagTapped() } },
        setNextLive = { on -> go { client.setNextLiveHighlights(on) } },
        setToggle = { on -> go { client.setToggle(on) } },
        setReview = { on -> go { client.setReviewBeforePosting(on) } },
        setOnlyProducts = { ids -> go { client.setOnlyProducts(ids) } },
        privacy = onPrivacy,
        openModule = { go { client.openModule() } },
    )
}

/** LIVE section → Products, from the client. */
@Composable
fun ProductsScreen(client: HighlightsClient) {
    val toggle by client.highlights.collectAsStateWithLifecycle()
    ProductsContent(toggle, settingsActions(client, onPrivacy = {}))
}

/**
 * LIVE section → Products: the entry to Highlights and the shopping bag before going LIVE; with
 * the feature on, the choice for the next LIVE only.
 */
@Composable
fun ProductsContent(toggle: HighlightsScreen, actions: SettingsActions) {
    Column {
        TitleBar(tr("products_title"))
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
            ListItem(
                headlineContent = { Text(tr("products_highlights_entry")) },
                supportingContent = { Text(tr("products_highlights_hint")) },
                modifier = Modifier.fillMaxWidth(),
                trailingContent = { TextButton(onClick = actions.openHighlights) { Text(tr("open")) } },
            )
            Button(onClick = actions.shoppingBag) { Text(tr("shopping_bag")) }
            if (toggle.on) {
                SwitchRow(tr("next_live_switch"), if (toggle.nextLiveOn) tr("next_live_on") else tr("next_live_off"), toggle.nextLiveOn, true, actions.setNextLive)
            }
        }
    }
}

/** The Highlights screen, from the client. */
@Composable
fun HighlightsScreen(client: HighlightsClient, onPrivacy: () -> Unit) {
    val toggle by client.highlights.collectAsStateWithLifecycle()
    val sync by client.sync.collectAsStateWithLifecycle()
    HighlightsContent(toggle, sync, settingsActions(client, onPrivacy))
}

/**
 * The Highlights screen in sections: the feature and its limits; before posting; which LIVEs; your
 * data. What depends on the feature is greyed out and cannot be changed while it is off.
 */
@Composable
fun HighlightsContent(toggle: HighlightsScreen, sync: SyncIndicator, actions: SettingsActions) {
    LocalShell.current.BackHandler(true, actions.back)
    Column(Modifier.verticalScroll(rememberScrollState())) {
        TitleBar(tr("highlights_title"), onBack = actions.back)
        SettingsSection(tr("section_feature")) {
            // Under "Ask me before posting" nothing posts without the seller's OK: the toggle says so.
            val explainer = if (toggle.reviewBeforePosting) tr("highlights_explainer_review") else tr("highlights_explainer")
            SwitchRow(tr("highlights_toggle"), explainer, toggle.on, true, actions.setToggle)
            val limits = toggle.limits
            val line = when {
                limits != null -> tr("limits_line", limits.maxPostsPerLive.toInt(), limits.maxPostsPerProduct.toInt(), minutes(limits.postDelayS))
                dataState(sync) == DataState.LOADING -> tr("limits_loading")
                else -> tr("limits_offline")
            }
            Text(line, style = MaterialTheme.typography.bodyMedium, modifier = Modifier.padding(horizontal = 16.dp, vertical = 8.dp))
        }
        if (!toggle.on) {
            Text(tr("settings_off_hint"), style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onSurfaceVariant,
                modifier = Modifier.padding(start = 16.dp, end = 16.dp, top = 12.dp))
        }
        SettingsSection(tr("section_before_posting")) {
            SwitchRow(tr("review_switch"), tr("review_explainer"), toggle.reviewBeforePosting, toggle.on, actions.setReview)
        }
        if (toggle.productChoices.isNotEmpty()) {
            SettingsSection(tr("which_lives")) {
                ProductChoices(toggle.productChoices, toggle.on, actions.setOnlyProducts)
            }
        }
        SettingsSection(tr("section_privacy")) {
            TextButton(onClick = actions.privacy, modifier = Modifier.padding(horizontal = 4.dp)) { Text(tr("privacy_link")) }
        }
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
            if (toggle.pending) Text(tr("saving"), style = MaterialTheme.typography.bodySmall)
            Button(onClick = actions.openModule, modifier = Modifier.fillMaxWidth()) { Text(tr("open_module")) }
            SyncLine(sync)
        }
    }
}

/** A setting with its explanation and a switch; the whole row is the touch target. */
@Composable
fun SwitchRow(label: String, explainer: String, checked: Boolean, enabled: Boolean, onChange: (Boolean) -> Unit) {
    Row(
        Modifier.fillMaxWidth().heightIn(min = 56.dp).padding(horizontal = 16.dp, vertical = 8.dp).alpha(if (enabled) 1f else 0.5f),
        horizontalArrangement = Arrangement.spacedBy(12.dp),
        verticalAlignment = Alignment.CenterVertically,
    ) {
        Column(Modifier.weight(1f)) {
            Text(label, style = MaterialTheme.typography.titleMedium)
            Text(explainer, style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onSurfaceVariant)
        }
        Switch(checked = checked, onCheckedChange = onChange, enabled = enabled, modifier = Modifier.semantics { contentDescription = label })
    }
}

/**
 * Which LIVEs get highlights: every shoppable LIVE, or only those showing a ticked product.
 * [onChoose] gets the whole new choice (the core sorts and checks it).
 */
@Composable
fun ProductChoices(choices: List<ProductChoice>, enabled: Boolean, onChoose: (List<String>) -> Unit) {
    val chosen = choices.filter { it.chosen }.map { it.id }
    Column(Modifier.alpha(if (enabled) 1f else 0.5f)) {
        Text(
            if (chosen.isEmpty()) tr("which_lives_all") else plural("which_lives_some", chosen.size, chosen.size),
            style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onSurfaceVariant,
            modifier = Modifier.padding(horizontal = 16.dp, vertical = 4.dp),
        )
        choices.forEach { c ->
            val label = tr("which_lives_product_cd", c.name)
            Row(
                // The whole row is the touch target, at least 48 dp high.
                Modifier.fillMaxWidth().heightIn(min = 48.dp).toggleable(value = c.chosen, enabled = enabled, role = Role.Checkbox) { on ->
                    onChoose(if (on) chosen + c.id else chosen - c.id)
                }.semantics { contentDescription = label }.padding(horizontal = 8.dp),
                verticalAlignment = Alignment.CenterVertically,
            ) {
                Checkbox(checked = c.chosen, onCheckedChange = null, enabled = enabled)
                Text(c.name, Modifier.padding(start = 8.dp))
            }
        }
    }
}

/** Whole minutes of a delay in seconds, at least 1, for copy like "about 5 min". */
fun minutes(seconds: UInt): Int = maxOf(1, (seconds.toInt() + 30) / 60)
