import SwiftUI
import HighlightsKit

/// One LIVE at a glance: its cover (best clip) with the LIVE chip while on, name, time and length,
/// clips and what waits to be posted, views and GMV, and a strip of its first clips.
struct ModuleRowView: View {
    let row: RecordingRow
    let currency: String
    let nowMs: Int64

    var body: some View {
        let name = liveTitle(row.title, row.startedAtMs)
        HStack(alignment: .top, spacing: 12) {
            Thumbnail(url: row.coverUrl, label: L("cover_cd", name), corner: 10) {
                if row.isLive {
                    LivePill()
                        .padding(6)
                        .frame(maxWidth: .infinity, maxHeight: .infinity, alignment: .topLeading)
                }
            }
            .frame(width: 72, height: 128)
            VStack(alignment: .leading, spacing: 4) {
                Text(name).font(.headline).lineLimit(2)
                Text(when).font(.caption).foregroundStyle(.secondary)
                Text(counts).font(.subheadline)
                if row.views > 0 || row.gmvMinor != 0 {
                    Text(L("live_stats", P("views_count", asCount(row.views), compact(row.views)), moneyCompact(row.gmvMinor, currency)))
                        .font(.caption.weight(.semibold))
                        .foregroundStyle(Palette.earned)
                }
                if !row.thumbnailUrls.isEmpty {
                    HStack(spacing: 4) {
                        ForEach(Array(row.thumbnailUrls.prefix(6).enumerated()), id: \.offset) { _, url in
                            Thumbnail(url: url, label: nil, corner: 4).frame(width: 27, height: 48)
                        }
                    }
                    .padding(.top, 2)
                    .accessibilityHidden(true)
                }
            }
            Spacer(minLength: 0)
        }
        .padding(.vertical, 4)
        .contentShape(Rectangle())
    }

    /// Start time and length ("8:00 PM · 45 min"), or how long it has been on.
    private var when: String {
        let started = clock(row.startedAtMs)
        if let end = row.endedAtMs { return L("dot_join", started, span(end - row.startedAtMs)) }
        if row.isLive { return L("dot_join", started, L("live_on_now", span(nowMs - row.startedAtMs))) }
        return started
    }

    /// Its clips, and the recommendations still to post when there are some.
    private var counts: String {
        let videos = P("videos_count", Int(row.highlightCount), Int(row.highlightCount))
        let recs = Int(row.recommendationCount)
        return recs > 0 ? L("dot_join", videos, P("to_post_count", recs, recs)) : videos
    }
}
