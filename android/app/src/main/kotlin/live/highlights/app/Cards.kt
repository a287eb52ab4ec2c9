package live.highlights.app

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.draw.alpha
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.style.TextAlign
import androidx.compose.ui.text.style.TextOverflow
import androidx.compose.ui.unit.dp
import uniffi.highlights_api.VideoState
import uniffi.highlights_core.HighlightBadge
import uniffi.highlights_core.HighlightRow

/** How a highlight card shows, most pressing first: what the seller must act on beats what just is. */
enum class Status { REMOVED, SAVING, WAITING, SCHEDULED, FAILED, MAKING, LIVE_NOW, POSTED, RECOMMENDED }

/**
 * The one status a card shows for [h] at [nowMs]. A scheduled post past its time waits for its
 * video (it posts once the video is ready): then it is "Making video", not "Posting now".
 */
fun status(h: HighlightRow, nowMs: Long): Status = when {
    h.badge == HighlightBadge.REMOVED -> Status.REMOVED
    h.badge == HighlightBadge.PENDING -> Status.SAVING
    h.badge == HighlightBadge.AWAITING_APPROVAL -> Status.WAITING
    h.badge == HighlightBadge.SCHEDULED && h.video?.state == VideoState.RENDERING && (h.postAtMs ?: 0) <= nowMs -> Status.MAKING
    h.badge == HighlightBadge.SCHEDULED -> Status.SCHEDULED
    h.video?.state == VideoState.FAILED -> Status.FAILED
    h.video?.state == VideoState.RENDERING -> Status.MAKING
    h.badge == HighlightBadge.LIVE_NOW -> Status.LIVE_NOW
    h.badge == HighlightBadge.POSTED -> Status.POSTED
    else -> Status.RECOMMENDED
}

/** What the seller can do from a card (and from its preview). */
class CardActions(
    val preview: (HighlightRow) -> Unit = {},
    val approve: (HighlightRow) -> Unit = {},
    val skip: (HighlightRow) -> Unit = {},
    val remove: (HighlightRow) -> Unit = {},
    val post: (HighlightRow) -> Unit = {},
)

/** The status as a chip: Scheduled counts down to its post time, Waiting for your OK says so. */
@Composable
fun StatusChip(h: HighlightRow, nowMs: Long, modifier: Modifier = Modifier) {
    val scheme = MaterialTheme.colorScheme
    val (text, colors) = when (status(h, nowMs)) {
        Status.REMOVED -> tr("badge_removed") to (Color(0xFF616161) to Color.White)
        Status.SAVING -> tr("saving") to (scheme.surfaceVariant to scheme.onSurfaceVariant)
        Status.WAITING -> tr("badge_awaiting") to (Color(0xFFFFE08A) to Color(0xFF3A2E00))
        Status.SCHEDULED -> h.postAtMs.let { at ->
            when {
                at == null -> tr("badge_scheduled")
                at > nowMs -> tr("badge_posts_in", countdown(at, nowMs))
                else -> tr("badge_posting_now")
            }
        } to (scheme.secondaryContainer to scheme.onSecondaryContainer)
        Status.FAILED -> tr("video_failed") to (scheme.errorContainer to scheme.onErrorContainer)
        Status.MAKING -> tr("video_rendering") to (scheme.surfaceVariant to scheme.onSurfaceVariant)
        Status.LIVE_NOW -> tr("badge_live_now") to (Color(0xFFE53935) to Color.White)
        Status.POSTED -> tr("badge_posted") to (scheme.tertiaryContainer to scheme.onTertiaryContainer)
        Status.RECOMMENDED -> tr("badge_recommended") to (scheme.primaryContainer to scheme.onPrimaryContainer)
    }
    Pill(text, colors.first, colors.second, modifier, maxLines = 2)
}

/**
 * A highlight as a 9:16 video card: thumbnail (tap: preview) with its status, length and views,
 * then product, place in the LIVE, why it was picked, what it earned, and what the seller can do.
 */
@Composable
fun HighlightCard(h: HighlightRow, product: String, range: String, currency: String, nowMs: Long, actions: CardActions, modifier: Modifier = Modifier) {
    val st = status(h, nowMs)
    val video = h.video
    val ready = video?.state == VideoState.READY
    val lengthMs = video?.durationMs ?: (h.endMs - h.startMs)
    val previewLabel = tr("preview_cd", range)
    val canPreview = ready || video?.storyboard != null
    Column(modifier.alpha(if (st == Status.REMOVED) 0.6f else 1f), verticalArrangement = Arrangement.spacedBy(4.dp)) {
        val open = if (canPreview) Modifier.clickable(onClickLabel = tr("preview")) { actions.preview(h) }.semantics { contentDescription = previewLabel } else Modifier
        Thumbnail(
            video?.thumbnailUrl?.takeIf { ready }, tr("video_thumbnail_cd", span(lengthMs)),
            Modifier.fillMaxWidth().aspectRatio(9f / 16f).then(open), greyed = st == Status.REMOVED,
        ) {
            StatusChip(h, nowMs, Modifier.align(Alignment.TopStart).padding(8.dp))
            // Where the picture will be: why there is none yet, unless the chip already says it.
            val placeholder = when {
                ready || st == Status.MAKING || st == Status.FAILED -> null
                video?.state == VideoState.RENDERING -> tr("video_rendering")
                video?.state == VideoState.FAILED -> tr("video_failed")
                else -> tr("video_not_made")
            }
            if (placeholder != null) {
                Text(
                    placeholder, style = MaterialTheme.typography.bodySmall, textAlign = TextAlign.Center,
                    color = MaterialTheme.colorScheme.onSurfaceVariant, modifier = Modifier.align(Alignment.Center).padding(12.dp),
                )
            }
            val onImage = Color.Black.copy(alpha = 0.6f)
            h.results?.let { r ->
                val views = r.views.toLong()
                val said = plural("views_count", views.toInt(), compact(views))
                Pill(tr("views_badge", compact(views)), onImage, Color.White,
                    Modifier.align(Alignment.BottomStart).padding(8.dp).semantics { contentDescription = said })
            }
            Pill(offset(lengthMs), onImage, Color.White, Modifier.align(Alignment.BottomEnd).padding(8.dp))
        }
        Text(product, style = MaterialTheme.typography.titleSmall, maxLines = 1, overflow = TextOverflow.Ellipsis)
        Text(range, style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onSurfaceVariant, softWrap = false)
        val reasons = reasonLines(h, currency)
        if (reasons.isNotEmpty()) {
            Text(reasons.take(2).joinToString("\n"), style = MaterialTheme.typography.bodySmall, maxLines = 3, overflow = TextOverflow.Ellipsis)
        }
        h.results?.let { r ->
            Text(
                tr("card_results", moneyCompact(r.gmvMinor, currency), plural("orders_count", r.orders.toInt(), compact(r.orders.toLong()))),
                // Two lines before any number is cut: a GMV and its orders both matter.
                style = MaterialTheme.typography.labelLarge, color = MaterialTheme.colorScheme.tertiary, maxLines = 2, overflow = TextOverflow.Ellipsis,
            )
        }
        CardButtons(h, st, range, nowMs, actions)
    }
}

/** The card's actions: Approve and Skip side by side with the time left, Remove, Post, Post again. */
@Composable
fun CardButtons(h: HighlightRow, st: Status, range: String, nowMs: Long, actions: CardActions) {
    val tight = PaddingValues(horizontal = 8.dp, vertical = 4.dp)
    when {
        st == Status.WAITING -> Column(verticalArrangement = Arrangement.spacedBy(4.dp)) {
            h.postAtMs?.let { at ->
                Text(
                    if (at > nowMs) tr("time_left", countdown(at, nowMs)) else tr("badge_posting_now"),
                    // Wraps between words (the number and its unit are joined by a no-break space).
                    style = MaterialTheme.typography.labelMedium, color = MaterialTheme.colorScheme.onSurfaceVariant, maxLines = 2,
                )
            }
            val (approve, skip) = tr("approve_cd", range) to tr("skip_cd", range)
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                Button(onClick = { actions.approve(h) }, contentPadding = tight, modifier = Modifier.weight(1f).semantics { contentDescription = approve }) {
                    Text(tr("approve"), maxLines = 1)
                }
                OutlinedButton(onClick = { actions.skip(h) }, contentPadding = tight, modifier = Modifier.weight(1f).semantics { contentDescription = skip }) {
                    Text(tr("skip"), maxLines = 1)
                }
            }
        }
        h.badge in listOf(HighlightBadge.POSTED, HighlightBadge.LIVE_NOW, HighlightBadge.SCHEDULED) -> {
            val label = tr("remove_cd", range)
            TextButton(onClick = { actions.remove(h) }, contentPadding = tight, modifier = Modifier.semantics { contentDescription = label }) { Text(tr("remove")) }
        }
        h.badge == HighlightBadge.RECOMMENDED -> {
            val label = tr("post_cd", range)
            val again = st == Status.FAILED
            Button(onClick = { actions.post(h) }, contentPadding = tight, modifier = Modifier.fillMaxWidth().semantics { contentDescription = label }) {
                Text(if (again) tr("post_again") else tr("post"), maxLines = 1)
            }
        }
        else -> Box {}
    }
}
