package live.highlights.app

import androidx.compose.foundation.Canvas
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.CornerRadius
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.geometry.Size
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.style.TextOverflow
import androidx.compose.ui.unit.dp
import uniffi.highlights_api.Results
import uniffi.highlights_core.HighlightRow

/** A count for a plural resource: counts past what an Int holds read as the largest one. */
fun ULong.count(): Int = coerceAtMost(Int.MAX_VALUE.toULong()).toInt()

/**
 * What videos earned as big-number tiles, GMV first (the figure that proves the feature pays), then
 * orders, LIVE-room entries, product clicks, views and watch time, compact and in the config's currency.
 */
@Composable
fun ResultTiles(r: Results, currency: String, modifier: Modifier = Modifier) {
    Column(modifier, verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            Tile(moneyCompact(r.gmvMinor, currency), tr("tile_gmv"), Modifier.weight(1f), emphasis = true)
            Tile(compact(r.orders.toLong()), plural("tile_orders", r.orders.count()), Modifier.weight(1f))
        }
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            Tile(compact(r.liveEntries.toLong()), plural("tile_live_entries", r.liveEntries.count()), Modifier.weight(1f))
            Tile(compact(r.productClicks.toLong()), plural("tile_product_clicks", r.productClicks.count()), Modifier.weight(1f))
        }
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            Tile(compact(r.views.toLong()), plural("tile_views", r.views.count()), Modifier.weight(1f))
            Tile(span(r.watchMs.toLong()), tr("tile_watch_time"), Modifier.weight(1f))
        }
    }
}

/** One big number over its label; read as "label: number". The number never wraps. */
@Composable
fun Tile(value: String, label: String, modifier: Modifier = Modifier, emphasis: Boolean = false) {
    val scheme = MaterialTheme.colorScheme
    Surface(
        color = if (emphasis) scheme.tertiaryContainer else scheme.surfaceVariant,
        contentColor = if (emphasis) scheme.onTertiaryContainer else scheme.onSurfaceVariant,
        shape = RoundedCornerShape(12.dp),
        modifier = modifier.semantics(mergeDescendants = true) {},
    ) {
        Column(Modifier.padding(horizontal = 12.dp, vertical = 10.dp)) {
            Text(value, style = if (emphasis) MaterialTheme.typography.headlineSmall else MaterialTheme.typography.titleLarge,
                maxLines = 1, softWrap = false, overflow = TextOverflow.Ellipsis)
            Text(label, style = MaterialTheme.typography.labelMedium, maxLines = 1, overflow = TextOverflow.Ellipsis)
        }
    }
}

/**
 * One small chart per LIVE: a bar per posted clip in the order of the LIVE, GMV when any clip sold,
 * else views. Read aloud as its values.
 */
@Composable
fun ResultsChart(highlights: List<HighlightRow>, t0: Long, currency: String, modifier: Modifier = Modifier) {
    val clips = highlights.filter { it.results != null }.sortedBy { it.startMs }
    if (clips.isEmpty()) return
    val byGmv = clips.any { it.results!!.gmvMinor > 0 }
    val values = clips.map { if (byGmv) it.results!!.gmvMinor.toDouble() else it.results!!.views.toDouble() }
    val max = values.maxOrNull()?.takeIf { it > 0 } ?: 1.0
    val top = if (byGmv) moneyCompact(clips.maxOf { it.results!!.gmvMinor }, currency) else compact(clips.maxOf { it.results!!.views.toLong() })
    val title = if (byGmv) tr("chart_gmv") else tr("chart_views")
    val said = clips.mapIndexed { i, h ->
        offset(h.startMs - t0) + " " + if (byGmv) money(h.results!!.gmvMinor, currency) else plural("views_count", h.results!!.views.count(), compact(values[i].toLong()))
    }.joinToString(", ")
    val bar = MaterialTheme.colorScheme.primary
    val track = MaterialTheme.colorScheme.surfaceVariant
    Column(modifier.semantics(mergeDescendants = true) { contentDescription = "$title: $said" }, verticalArrangement = Arrangement.spacedBy(4.dp)) {
        Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.SpaceBetween) {
            Text(title, style = MaterialTheme.typography.titleSmall)
            Text(tr("chart_top", top), style = MaterialTheme.typography.labelMedium, color = MaterialTheme.colorScheme.onSurfaceVariant, softWrap = false)
        }
        Canvas(Modifier.fillMaxWidth().height(72.dp)) {
            // One slot per clip across the width, the bar centred in it.
            val slot = size.width / values.size
            val w = (slot - 6.dp.toPx()).coerceIn(2.dp.toPx(), 40.dp.toPx())
            // A baseline, not a full-height track: a clip that earned nothing shows no bar at all.
            drawRect(track, Offset(0f, size.height - 1.dp.toPx()), Size(size.width, 1.dp.toPx()))
            values.forEachIndexed { i, v ->
                val x = i * slot + (slot - w) / 2
                val h = (v / max * size.height).toFloat().coerceAtLeast(if (v > 0) 2.dp.toPx() else 0f)
                drawRoundRect(bar, Offset(x, size.height - h), Size(w, h), CornerRadius(4.dp.toPx()))
            }
        }
        Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.SpaceBetween) {
            Text(offset(clips.first().startMs - t0), style = MaterialTheme.typography.labelSmall, color = Color.Gray)
            if (clips.size > 1) Text(offset(clips.last().startMs - t0), style = MaterialTheme.typography.labelSmall, color = Color.Gray)
        }
    }
}
