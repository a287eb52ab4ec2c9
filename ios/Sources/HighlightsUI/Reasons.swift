import Foundation
import HighlightsKit

// Why the engine picked a moment, in the seller's language: "5 orders in 7 s", "chat 4.2× usual".

/// A highlight's reasons as lines. Without reasons as data (an old server or cache) the server's
/// English lines show as they are, and so does the line of a signal this app does not know.
func reasonLines(_ h: HighlightRow, currency: String) -> [String] {
    if h.reasons.isEmpty { return h.signals }
    let lines = h.reasons.enumerated().compactMap { (i, r) -> String? in
        if r.signal == .other { return h.signals.count == h.reasons.count ? h.signals[i] : nil }
        return reasonLine(r, currency: currency)
    }
    return lines.isEmpty ? h.signals : lines
}

/// One reason in words.
func reasonLine(_ r: Reason, currency: String) -> String {
    let window = Int(r.windowS)
    let count = r.count.map { asCount($0) }
    if r.signal == .orders, let n = count { return P("reason_orders", n, n, window) }
    if r.signal == .addToCarts, let n = count { return P("reason_add_to_carts", n, n, window) }
    if r.signal == .gmv, let amount = r.amountMinor { return L("reason_gmv", money(amount, currency), window) }
    if let factor = r.factor { return L("reason_factor", signalName(r.signal), decimal(factor)) }
    if let n = count { return L("reason_count_usually_none", signalCount(r.signal, n), window) }
    return signalName(r.signal)
}

/// A signal's name as a rate: "chat", "likes".
func signalName(_ s: Signal) -> String {
    switch s {
    case .comments: return L("signal_comments")
    case .chatters: return L("signal_chatters")
    case .echoedMessages: return L("signal_echoed_messages")
    case .reactions: return L("signal_reactions")
    case .questions: return L("signal_questions")
    case .exclamations: return L("signal_exclamations")
    case .longMessages: return L("signal_long_messages")
    case .similarMessages: return L("signal_similar_messages")
    case .likes: return L("signal_likes")
    case .shares: return L("signal_shares")
    case .gifts: return L("signal_gifts")
    case .viewerJoins: return L("signal_viewer_joins")
    case .productClicks: return L("signal_product_clicks")
    case .addToCarts: return L("signal_add_to_carts")
    case .orders: return L("signal_orders")
    case .gmv: return L("signal_gmv")
    case .other: return L("signal_other")
    }
}

/// `n` of a signal, counted: "1 share", "3 shares".
func signalCount(_ s: Signal, _ n: Int) -> String {
    switch s {
    case .comments: return P("count_comments", n, n)
    case .chatters: return P("count_chatters", n, n)
    case .echoedMessages: return P("count_echoed_messages", n, n)
    case .reactions: return P("count_reactions", n, n)
    case .questions: return P("count_questions", n, n)
    case .exclamations: return P("count_exclamations", n, n)
    case .longMessages: return P("count_long_messages", n, n)
    case .similarMessages: return P("count_similar_messages", n, n)
    case .likes: return P("count_likes", n, n)
    case .shares: return P("count_shares", n, n)
    case .gifts: return P("count_gifts", n, n)
    case .viewerJoins: return P("count_viewer_joins", n, n)
    case .productClicks: return P("count_product_clicks", n, n)
    case .addToCarts: return P("count_add_to_carts", n, n)
    case .orders: return P("count_orders", n, n)
    case .gmv, .other: return P("count_other", n, n)
    }
}
