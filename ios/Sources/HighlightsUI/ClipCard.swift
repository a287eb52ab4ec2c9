import SwiftUI
import HighlightsKit

/// What the seller can do from a card (and from its preview).
struct CardActions {
    var preview: (HighlightRow) -> Void = { _ in }
    var approve: (HighlightRow) -> Void = { _ in }
    var skip: (HighlightRow) -> Void = { _ in }
    var remove: (HighlightRow) -> Void = { _ in }
    var post: (HighlightRow) -> Void = { _ in }
}

/// A highlight as a 9:16 video card: thumbnail (tap: preview) with its status, length and views,
/// then product, place in the LIVE, why it was picked, what it earned, and what the seller can do.
struct ClipCard: View {
    let row: HighlightRow
    let product: String
    let range: String
    let currency: String
    let nowMs: Int64
    let actions: CardActions

    var body: some View {
        let st = status(row, nowMs: nowMs)
        VStack(alignment: .leading, spacing: 4) {
            if canPreview {
                Button { actions.preview(row) } label: { picture(st) }
                    .buttonStyle(.plain)
                    .accessibilityLabel(L("preview_cd", range))
                    .accessibilityHint(L("preview"))
            } else {
                picture(st)
            }
            Text(product).font(.subheadline.weight(.semibold)).lineLimit(1)
            Text(range).font(.caption).foregroundStyle(.secondary).lineLimit(1)
            let reasons = reasonLines(row, currency: currency)
            if !reasons.isEmpty {
                Text(reasons.prefix(2).joined(separator: "\n")).font(.caption).lineLimit(3)
            }
            if let r = row.results {
                Text(L("card_results", moneyCompact(r.gmvMinor, currency), P("orders_count", asCount(r.orders), compact(r.orders))))
                    .font(.caption.weight(.semibold))
                    .foregroundStyle(Palette.earned)
                    .lineLimit(1)
            }
            CardButtons(row: row, range: range, nowMs: nowMs, actions: actions)
        }
        .opacity(st == .removed ? 0.6 : 1)
    }

    /// A video, or its frames, is there to look at.
    private var canPreview: Bool { row.video?.state == .ready || row.video?.storyboard != nil }

    /// The 9:16 thumbnail with the status chip, the view count and the length over it.
    private func picture(_ st: CardStatus) -> some View {
        let video = row.video
        let ready = video?.state == .ready
        let lengthMs = video?.durationMs ?? (row.endMs - row.startMs)
        return Thumbnail(url: ready ? video?.thumbnailUrl : nil, label: L("video_thumbnail_cd", span(lengthMs)), greyed: st == .removed) {
            ZStack {
                if let note = placeholder(st, ready: ready) {
                    Text(note)
                        .font(.caption)
                        .multilineTextAlignment(.center)
                        .foregroundStyle(.secondary)
                        .padding(12)
                }
                StatusChip(row: row, nowMs: nowMs)
                    .padding(8)
                    .frame(maxWidth: .infinity, maxHeight: .infinity, alignment: .topLeading)
                if let r = row.results {
                    Pill(text: L("views_badge", compact(r.views)), background: Palette.onImage, foreground: .white)
                        .accessibilityLabel(P("views_count", asCount(r.views), compact(r.views)))
                        .padding(8)
                        .frame(maxWidth: .infinity, maxHeight: .infinity, alignment: .bottomLeading)
                }
                Pill(text: timecode(lengthMs), background: Palette.onImage, foreground: .white)
                    .padding(8)
                    .frame(maxWidth: .infinity, maxHeight: .infinity, alignment: .bottomTrailing)
            }
        }
        .aspectRatio(9.0 / 16.0, contentMode: .fit)
    }

    /// Where the picture will be: why there is none yet, unless the chip already says it.
    private func placeholder(_ st: CardStatus, ready: Bool) -> String? {
        if ready || st == .making || st == .failed { return nil }
        switch row.video?.state {
        case .rendering: return L("video_rendering")
        case .failed: return L("video_failed")
        default: return L("video_not_made")
        }
    }
}

/// A card's actions: Approve and Skip side by side with the time left, Remove, Post, Post again.
struct CardButtons: View {
    let row: HighlightRow
    let range: String
    let nowMs: Int64
    let actions: CardActions

    var body: some View {
        switch row.badge {
        case .awaitingApproval:
            VStack(alignment: .leading, spacing: 4) {
                if let at = row.postAtMs {
                    Text(at > nowMs ? L("time_left", countdown(at, nowMs: nowMs)) : L("badge_posting_now"))
                        .font(.caption)
                        .foregroundStyle(.secondary)
                        .lineLimit(1)
                }
                HStack(spacing: 8) {
                    Button { actions.approve(row) } label: { Text(L("approve")).lineLimit(1).frame(maxWidth: .infinity) }
                        .buttonStyle(.borderedProminent)
                        .accessibilityLabel(L("approve_cd", range))
                    Button { actions.skip(row) } label: { Text(L("skip")).lineLimit(1).frame(maxWidth: .infinity) }
                        .buttonStyle(.bordered)
                        .accessibilityLabel(L("skip_cd", range))
                }
            }
        case .posted, .liveNow, .scheduled:
            Button(role: .destructive) { actions.remove(row) } label: { Text(L("remove")).lineLimit(1) }
                .accessibilityLabel(L("remove_cd", range))
        case .recommended:
            // A failed video goes back to the recommendations: posting it again is the retry.
            Button { actions.post(row) } label: {
                Text(status(row, nowMs: nowMs) == .failed ? L("post_again") : L("post")).lineLimit(1).frame(maxWidth: .infinity)
            }
            .buttonStyle(.borderedProminent)
            .accessibilityLabel(L("post_cd", range))
        case .removed, .pending:
            EmptyView()
        }
    }
}
