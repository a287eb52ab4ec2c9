package live.highlights.app

import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.RowScope
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.material3.DropdownMenu
import androidx.compose.material3.DropdownMenuItem
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.IconButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TopAppBar
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.style.TextOverflow
import androidx.compose.ui.unit.dp

/** A screen's title bar; [onBack] adds the back button (the system back gesture does the same). */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun TitleBar(title: String, onBack: (() -> Unit)? = null, actions: @Composable RowScope.() -> Unit = {}) {
    val backLabel = tr("back")
    TopAppBar(
        title = { Text(title, maxLines = 1, overflow = TextOverflow.Ellipsis) },
        navigationIcon = {
            if (onBack != null) {
                IconButton(onClick = onBack, modifier = Modifier.semantics { contentDescription = backLabel }) { Text("←") }
            }
        },
        actions = actions,
    )
}

/** One entry of an overflow menu. */
class MenuEntry(val label: String, val onClick: () -> Unit)

/** The ⋮ button and its menu; nothing when [entries] is empty. */
@Composable
fun OverflowMenu(entries: List<MenuEntry>) {
    if (entries.isEmpty()) return
    var open by remember { mutableStateOf(false) }
    val label = tr("more_options")
    Box {
        IconButton(onClick = { open = true }, modifier = Modifier.semantics { contentDescription = label }) { Text("⋮") }
        DropdownMenu(expanded = open, onDismissRequest = { open = false }) {
            entries.forEach { e -> DropdownMenuItem(text = { Text(e.label) }, onClick = { open = false; e.onClick() }) }
        }
    }
}

/** A section's title over its rows. */
@Composable
fun SectionHeader(title: String, modifier: Modifier = Modifier) =
    Text(title, style = MaterialTheme.typography.titleMedium, modifier = modifier.padding(start = 16.dp, end = 16.dp, top = 20.dp, bottom = 8.dp))

/** A small rounded label: a status, a LIVE marker, a length. Never wraps inside a word-number pair. */
@Composable
fun Pill(text: String, container: Color, content: Color, modifier: Modifier = Modifier, maxLines: Int = 1) {
    Surface(color = container, contentColor = content, shape = RoundedCornerShape(50), modifier = modifier) {
        Text(
            text, style = MaterialTheme.typography.labelMedium, maxLines = maxLines, overflow = TextOverflow.Ellipsis,
            modifier = Modifier.padding(horizontal = 8.dp, vertical = 3.dp),
        )
    }
}

/** The LIVE marker of a recording that is on right now. */
@Composable
fun LivePill(modifier: Modifier = Modifier) = Pill(tr("live_chip"), Color(0xFFE53935), Color.White, modifier)

/** A settings group: its title, then its rows on one surface. */
@Composable
fun SettingsSection(title: String, content: @Composable () -> Unit) {
    Column {
        SectionHeader(title, Modifier)
        Surface(tonalElevation = 1.dp, shape = RoundedCornerShape(16.dp), modifier = Modifier.padding(horizontal = 12.dp).fillMaxWidth()) {
            Column(Modifier.padding(vertical = 4.dp)) { content() }
        }
    }
}
