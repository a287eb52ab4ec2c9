import SwiftUI
import HighlightsKit

/// How a highlight card shows, most pressing first: what the seller must act on beats what just is.
enum CardStatus {
    case removed, saving, waiting, scheduled, failed, making, liveNow, posted, recommended
}

/// The one status a card shows for `h` at `nowMs`. A scheduled post past its time waits for its
/// video (it posts once the video is ready): then it is "Making video", not "Posting now".
func status(_ h: HighlightRow, nowMs: Int64) -> CardStatus {
    if h.badge == .removed { return .removed }
    if h.badge == .pending { return .saving }
    if h.badge == .awaitingApproval { return .waiting }
    if h.badge == .scheduled && h.video?.state == .rendering && (h.postAtMs ?? 0) <= nowMs { return .making }
    if h.badge == .scheduled { return .scheduled }
    if h.video?.state == .failed { return .failed }
    if h.video?.state == .rendering { return .making }
    if h.badge == .liveNow { return .liveNow }
    if h.badge == .posted { return .posted }
    return .recommended
}

/// The status as a chip: Scheduled counts down to its post time ("Posts in 3 min"), Waiting for
/// your OK says so, Removed is grey; the rest name what happened to the video.
struct StatusChip: View {
    let row: HighlightRow
    let nowMs: Int64

    var body: some View {
        let look = self.look
        Pill(text: look.text, background: look.background, foreground: look.foreground, maxLines: 2)
    }

    private var look: (text: String, background: Color, foreground: Color) {
        switch status(row, nowMs: nowMs) {
        case .removed: return (L("badge_removed"), Color.gray, Color.white)
        case .saving: return (L("saving"), Color(white: 0.35), Color.white)
        case .waiting: return (L("badge_awaiting"), Color.yellow, Color.black)
        case .scheduled:
            guard let at = row.postAtMs else { return (L("badge_scheduled"), Color.indigo, Color.white) }
            return (at > nowMs ? L("badge_posts_in", countdown(at, nowMs: nowMs)) : L("badge_posting_now"), Color.indigo, Color.white)
        case .failed: return (L("video_failed"), Color.red, Color.white)
        case .making: return (L("video_rendering"), Color(white: 0.35), Color.white)
        case .liveNow: return (L("badge_live_now"), Palette.live, Color.white)
        case .posted: return (L("badge_posted"), Color.green, Color.black)
        case .recommended: return (L("badge_recommended"), Color.pink, Color.white)
        }
    }
}
