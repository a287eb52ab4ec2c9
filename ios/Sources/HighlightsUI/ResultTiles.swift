import SwiftUI
import HighlightsKit

/// What videos earned as big-number tiles, GMV first (the figure that proves the feature pays), then
/// orders, LIVE-room entries, product clicks, views and watch time, compact and in the config's currency.
struct ResultTiles: View {
    let results: Results
    let currency: String

    var body: some View {
        let r = results
        VStack(spacing: 8) {
            HStack(spacing: 8) {
                Tile(value: moneyCompact(r.gmvMinor, currency), label: L("tile_gmv"), emphasis: true)
                Tile(value: compact(r.orders), label: P("tile_orders", asCount(r.orders)))
            }
            HStack(spacing: 8) {
                Tile(value: compact(r.liveEntries), label: P("tile_live_entries", asCount(r.liveEntries)))
                Tile(value: compact(r.productClicks), label: P("tile_product_clicks", asCount(r.productClicks)))
            }
            HStack(spacing: 8) {
                Tile(value: compact(r.views), label: P("tile_views", asCount(r.views)))
                Tile(value: span(Int64(clamping: r.watchMs)), label: L("tile_watch_time"))
            }
        }
    }
}

/// One big number over its label, read as one element. The number shrinks rather than wraps.
struct Tile: View {
    let value: String
    let label: String
    var emphasis = false

    var body: some View {
        VStack(alignment: .leading, spacing: 2) {
            Text(value)
                .font(emphasis ? Font.title2.bold() : Font.title3.bold())
                .lineLimit(1)
                .minimumScaleFactor(0.6)
            Text(label).font(.caption).foregroundStyle(.secondary).lineLimit(1)
        }
        .frame(maxWidth: .infinity, alignment: .leading)
        .padding(.horizontal, 12)
        .padding(.vertical, 10)
        .background(emphasis ? Palette.earned.opacity(0.18) : Color.secondary.opacity(0.12), in: RoundedRectangle(cornerRadius: 12))
        .accessibilityElement(children: .combine)
    }
}

/// One small chart per LIVE: a bar per clip with results in the order of the LIVE, GMV when any clip
/// sold, else views; its top value named, and read aloud as its values.
struct ResultsChart: View {
    let highlights: [HighlightRow]
    let t0: Int64
    let currency: String

    var body: some View {
        let clips = highlights.filter { $0.results != nil }.sorted { $0.startMs < $1.startMs }
        if let first = clips.first, let last = clips.last {
            let byGmv = clips.contains { ($0.results?.gmvMinor ?? 0) > 0 }
            let values = clips.map { h -> Double in
                byGmv ? Double(h.results?.gmvMinor ?? 0) : Double(h.results?.views ?? 0)
            }
            let peak = max(values.max() ?? 0, 1)
            let title = byGmv ? L("chart_gmv") : L("chart_views")
            VStack(alignment: .leading, spacing: 4) {
                HStack {
                    Text(title).font(.subheadline.weight(.semibold))
                    Spacer()
                    Text(L("chart_top", top(clips, byGmv))).font(.caption).foregroundStyle(.secondary).lineLimit(1)
                }
                GeometryReader { geo in
                    let slot = geo.size.width / CGFloat(values.count)
                    let width = min(max(slot - 6, 2), 40)
                    HStack(alignment: .bottom, spacing: 0) {
                        ForEach(Array(values.enumerated()), id: \.offset) { _, v in
                            ZStack(alignment: .bottom) {
                                RoundedRectangle(cornerRadius: 4).fill(Color.secondary.opacity(0.15))
                                RoundedRectangle(cornerRadius: 4)
                                    .fill(Color.accentColor)
                                    .frame(height: v > 0 ? max(2, CGFloat(v / peak) * geo.size.height) : 0)
                            }
                            .frame(width: width)
                            .frame(width: slot)
                        }
                    }
                }
                .frame(height: 72)
                HStack {
                    Text(timecode(first.startMs - t0))
                    Spacer()
                    if clips.count > 1 { Text(timecode(last.startMs - t0)) }
                }
                .font(.caption2)
                .foregroundStyle(.secondary)
            }
            .accessibilityElement(children: .ignore)
            .accessibilityLabel(title)
            .accessibilityValue(spoken(clips, byGmv))
        }
    }

    /// The highest value, as its tile would show it.
    private func top(_ clips: [HighlightRow], _ byGmv: Bool) -> String {
        byGmv
            ? moneyCompact(clips.map { $0.results?.gmvMinor ?? 0 }.max() ?? 0, currency)
            : compact(clips.map { $0.results?.views ?? 0 }.max() ?? 0)
    }

    /// Each clip's place in the LIVE and its value, as a list in the device's language.
    private func spoken(_ clips: [HighlightRow], _ byGmv: Bool) -> String {
        let items = clips.map { h -> String in
            let r = h.results
            let value = byGmv
                ? money(r?.gmvMinor ?? 0, currency)
                : P("views_count", asCount(r?.views ?? 0), compact(r?.views ?? 0))
            return L("dot_join", timecode(h.startMs - t0), value)
        }
        return ListFormatter.localizedString(byJoining: items)
    }
}
