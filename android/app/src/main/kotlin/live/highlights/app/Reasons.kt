package live.highlights.app

import androidx.compose.runtime.Composable
import androidx.compose.runtime.ReadOnlyComposable
import uniffi.highlights_api.Reason
import uniffi.highlights_api.Signal
import uniffi.highlights_core.HighlightRow

/**
 * Why the engine picked a moment, in the seller's language: "5 orders in 7 s", "chat 4.2× usual".
 * Without reasons as data (an old server or cache) the server's English lines show as they are,
 * and so does the line of a signal this app does not know.
 */
@Composable
@ReadOnlyComposable
fun reasonLines(h: HighlightRow, currency: String): List<String> {
    if (h.reasons.isEmpty()) return h.signals
    return h.reasons.mapIndexedNotNull { i, r ->
        if (r.signal == Signal.OTHER) h.signals.getOrNull(i).takeIf { h.signals.size == h.reasons.size } else reasonLine(r, currency)
    }.ifEmpty { h.signals }
}

/** One reason in words. */
@Composable
@ReadOnlyComposable
fun reasonLine(r: Reason, currency: String): String {
    val window = r.windowS.toInt()
    val count = r.count?.toLong()?.coerceAtMost(Int.MAX_VALUE.toLong())?.toInt()
    val amount = r.amountMinor
    val factor = r.factor
    return when {
        r.signal == Signal.ORDERS && count != null -> plural("reason_orders", count, count, window)
        r.signal == Signal.ADD_TO_CARTS && count != null -> plural("reason_add_to_carts", count, count, window)
        r.signal == Signal.GMV && amount != null -> tr("reason_gmv", money(amount, currency), window)
        factor != null -> tr("reason_factor", signalName(r.signal), decimal(factor))
        count != null -> tr("reason_count_usually_none", signalCount(r.signal, count), window)
        else -> signalName(r.signal)
    }
}

/** A signal's name as a rate: "chat", "likes". */
@Composable
@ReadOnlyComposable
fun signalName(s: Signal): String = when (s) {
    Signal.COMMENTS -> tr("signal_comments")
    Signal.CHATTERS -> tr("signal_chatters")
    Signal.ECHOED_MESSAGES -> tr("signal_echoed_messages")
    Signal.REACTIONS -> tr("signal_reactions")
    Signal.QUESTIONS -> tr("signal_questions")
    Signal.EXCLAMATIONS -> tr("signal_exclamations")
    Signal.LONG_MESSAGES -> tr("signal_long_messages")
    Signal.SIMILAR_MESSAGES -> tr("signal_similar_messages")
    Signal.LIKES -> tr("signal_likes")
    Signal.SHARES -> tr("signal_shares")
    Signal.GIFTS -> tr("signal_gifts")
    Signal.VIEWER_JOINS -> tr("signal_viewer_joins")
    Signal.PRODUCT_CLICKS -> tr("signal_product_clicks")
    Signal.ADD_TO_CARTS -> tr("signal_add_to_carts")
    Signal.ORDERS -> tr("signal_orders")
    Signal.GMV -> tr("signal_gmv")
    Signal.OTHER -> tr("signal_other")
}

/** [n] of a signal, counted: "1 share", "3 shares". */
@Composable
@ReadOnlyComposable
fun signalCount(s: Signal, n: Int): String = when (s) {
    Signal.COMMENTS -> plural("count_comments", n, n)
    Signal.CHATTERS -> plural("count_chatters", n, n)
    Signal.ECHOED_MESSAGES -> plural("count_echoed_messages", n, n)
    Signal.REACTIONS -> plural("count_reactions", n, n)
    Signal.QUESTIONS -> plural("count_questions", n, n)
    Signal.EXCLAMATIONS -> plural("count_exclamations", n, n)
    Signal.LONG_MESSAGES -> plural("count_long_messages", n, n)
    Signal.SIMILAR_MESSAGES -> plural("count_similar_messages", n, n)
    Signal.LIKES -> plural("count_likes", n, n)
    Signal.SHARES -> plural("count_shares", n, n)
    Signal.GIFTS -> plural("count_gifts", n, n)
    Signal.VIEWER_JOINS -> plural("count_viewer_joins", n, n)
    Signal.PRODUCT_CLICKS -> plural("count_product_clicks", n, n)
    Signal.ADD_TO_CARTS -> plural("count_add_to_carts", n, n)
    Signal.ORDERS -> plural("count_orders", n, n)
    Signal.GMV, Signal.OTHER -> plural("count_other", n, n)
}
