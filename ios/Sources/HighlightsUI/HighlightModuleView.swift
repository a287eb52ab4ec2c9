import SwiftUI
import HighlightsKit

/// The LIVE highlight module: past recordings, newest first, paged, with pull-to-refresh.
public struct HighlightModuleView: View {
    @ObservedObject var store: HighlightsStore
    @State private var confirmingRemoveAll = false

    public init(store: HighlightsStore) { self.store = store }

    public var body: some View {
        let module = store.state.module
        List {
            if module.recordings.isEmpty { Text(L("module_empty")).foregroundStyle(.secondary) }
            ForEach(module.recordings, id: \.id) { row in
                Button { store.tap(.openRecording(recordingId: row.id)) } label: {
                    VStack(alignment: .leading) {
                        Text(clock(row.startedAtMs)).font(.caption).foregroundStyle(.secondary)
                        Text(row.isLive ? L("recording_live", row.title) : row.title).font(.headline)
                        Text(L("recording_counts", Int(row.highlightCount), Int(row.recommendationCount)))
                            .font(.subheadline).foregroundStyle(.secondary)
                    }
                }
                .accessibilityHint(L("open"))
                .onAppear { if row.id == module.recordings.last?.id && module.hasMore { store.tap(.loadMoreRecordings) } }
            }
            SyncFooter(sync: store.state.sync)
        }
        .refreshable { await store.attempt { _ = try await store.sync() } }
        .navigationTitle(L("module_title"))
        .toolbar {
            if module.recordings.contains(where: { $0.highlightCount > 0 }) {
                Button(L("remove_all"), role: .destructive) { confirmingRemoveAll = true }
            }
        }
        .confirmationDialog(L("remove_all_every_title"), isPresented: $confirmingRemoveAll, titleVisibility: .visible) {
            Button(L("remove_all"), role: .destructive) { store.tap(.removeAllHighlights(recordingId: nil)) }
            Button(L("cancel"), role: .cancel) {}
        } message: {
            Text(L("remove_all_every_body"))
        }
        .sheet(isPresented: Binding(get: { store.state.recording != nil }, set: { if !$0 { store.tap(.back) } })) {
            if let recording = store.state.recording { RecordingView(store: store, screen: recording) }
        }
    }
}

/// One recording: highlights with status and post time, recommendations to post, and Create video.
struct RecordingView: View {
    @ObservedObject var store: HighlightsStore
    let screen: RecordingScreen
    @State private var creating = false
    @State private var confirmingRemoveAll = false

    /// What "Remove all" takes down, as the core counts it.
    private var autoPosts: Int { Int(screen.autoPosts) }

    var body: some View {
        NavigationStack {
            List {
                // During the LIVE (or to turn it back on): this LIVE only, the feature stays on for others.
                if screen.recording.isLive || !screen.recording.highlightsOn {
                    Section {
                        Toggle(L("live_switch"), isOn: Binding(
                            get: { screen.recording.highlightsOn },
                            set: { on in store.tap(.setLiveHighlights(recordingId: screen.recording.id, on: on)) }
                        ))
                        Text(screen.recording.highlightsOn ? L("live_switch_on") : L("live_switch_off"))
                            .font(.footnote).foregroundStyle(.secondary)
                    }
                }
                // Once a video has viewers: before that a line of zeros says nothing.
                if screen.highlights.contains(where: { $0.results != nil }) {
                    Section {
                        ResultsLine(label: L("results_live"), results: screen.results, currency: screen.currency)
                    }
                }
                Section(L("highlights_section", screen.highlights.count)) {
                    ForEach(screen.highlights, id: \.id) { h in
                        HighlightRowView(screen: screen, row: h) {
                            if h.badge == .awaitingApproval {
                                VStack {
                                    Button(L("approve")) { store.tap(.approveHighlight(highlightId: h.id)) }
                                        .accessibilityLabel(L("approve_cd", range(screen, h)))
                                    Button(L("skip"), role: .destructive) { store.tap(.removeHighlight(highlightId: h.id)) }
                                        .accessibilityLabel(L("skip_cd", range(screen, h)))
                                }
                            }
                            if h.badge == .posted || h.badge == .liveNow || h.badge == .scheduled {
                                Button(L("remove"), role: .destructive) { store.tap(.removeHighlight(highlightId: h.id)) }
                                    .accessibilityLabel(L("remove_cd", range(screen, h)))
                            }
                        }
                    }
                }
                Section(L("recommendations_section", screen.recommendations.count)) {
                    ForEach(screen.recommendations, id: \.id) { h in
                        HighlightRowView(screen: screen, row: h) {
                            Button(L("post")) { store.tap(.postRecommendation(highlightId: h.id)) }
                                .accessibilityLabel(L("post_cd", range(screen, h)))
                        }
                    }
                }
            }
            .refreshable { store.refresh() }
            .navigationTitle(screen.recording.title)
            .toolbar {
                Button(L("create_video")) { creating = true }
                if autoPosts > 0 { Button(L("remove_all"), role: .destructive) { confirmingRemoveAll = true } }
            }
            .confirmationDialog(L("remove_all_live_title"), isPresented: $confirmingRemoveAll, titleVisibility: .visible) {
                Button(L("remove_all"), role: .destructive) { store.tap(.removeAllHighlights(recordingId: screen.recording.id)) }
                Button(L("cancel"), role: .cancel) {}
            } message: {
                Text(L("remove_all_live_body", autoPosts))
            }
            .sheet(isPresented: $creating) { CreateVideoSheet(store: store, screen: screen) }
            .safeAreaInset(edge: .bottom) { NoticeBanner(store: store) }
        }
    }
}

/// What videos earned, in one line: views, LIVE-room entries, product clicks, orders and GMV.
struct ResultsLine: View {
    let label: String
    let results: Results
    let currency: String

    var body: some View {
        let text = L("results_line", Int(results.views), Int(results.liveEntries), Int(results.productClicks),
                     Int(results.orders), money(results.gmvMinor, currency))
        Text(label + ": " + text).font(.caption).foregroundStyle(.secondary)
    }
}

/// Where in the recording a highlight sits, as "m:ss–m:ss".
func range(_ screen: RecordingScreen, _ h: HighlightRow) -> String {
    offset(h.startMs - screen.recording.startedAtMs) + "–" + offset(h.endMs - screen.recording.startedAtMs)
}

/// A highlight as the seller decides on it: status and post time, product, range, reasons, video.
struct HighlightRowView<Action: View>: View {
    let screen: RecordingScreen
    let row: HighlightRow
    @ViewBuilder let action: () -> Action

    var body: some View {
        let product = row.productId.map { id in screen.products.first { $0.id == id }?.name ?? id } ?? L("no_product")
        HStack(alignment: .top) {
            VideoPreview(video: row.video)
            VStack(alignment: .leading, spacing: 2) {
                Text(status).font(.caption.bold())
                Text(product + " · " + range(screen, row)).font(.headline)
                if !row.signals.isEmpty { Text(row.signals.joined(separator: " · ")).font(.caption).foregroundStyle(.secondary) }
                if let results = row.results {
                    ResultsLine(label: L("results_video"), results: results, currency: screen.currency)
                }
            }
            Spacer()
            action()
        }
        .accessibilityElement(children: .combine)
    }

    private var status: String {
        switch row.badge {
        case .scheduled: return row.postAtMs.map { L("badge_scheduled_at", clock($0)) } ?? L("badge_scheduled")
        case .awaitingApproval: return row.postAtMs.map { L("badge_awaiting_at", clock($0)) } ?? L("badge_awaiting")
        case .posted: return row.postAtMs.map { L("badge_posted_at", clock($0)) } ?? L("badge_posted")
        case .liveNow: return L("badge_live_now")
        case .recommended: return L("badge_recommended")
        case .removed: return L("badge_removed")
        case .pending: return L("saving")
        }
    }
}

/// Cut a shoppable video: start, length and product; the core validates and explains refusals.
struct CreateVideoSheet: View {
    @ObservedObject var store: HighlightsStore
    let screen: RecordingScreen
    @Environment(\.dismiss) private var dismiss
    @State private var startSeconds: Double = 0
    @State private var lengthSeconds: Double = 20
    @State private var productId: String = ""
    @State private var error: String?

    var body: some View {
        let rec = screen.recording
        let duration = Double(((rec.endedAtMs ?? Int64(Date().timeIntervalSince1970 * 1000)) - rec.startedAtMs) / 1000)
        NavigationStack {
            Form {
                Slider(value: $startSeconds, in: 0...max(duration - 1, 1)) { Text(L("create_start")) }
                Text(offset(Int64(startSeconds * 1000)))
                Stepper(L("create_length") + ": " + L("video_seconds", Int(lengthSeconds)), value: $lengthSeconds, in: 5...120)
                Picker(L("products_title"), selection: $productId) {
                    ForEach(screen.products, id: \.id) { Text($0.name).tag($0.id) }
                }
                if let error { Text(error).foregroundStyle(.red) }
                Button(L("create_confirm")) {
                    let start = rec.startedAtMs + Int64(startSeconds * 1000)
                    Task {
                        do {
                            try await store.send(.createVideo(recordingId: rec.id, startMs: start, endMs: start + Int64(lengthSeconds * 1000), productId: productId))
                            dismiss()
                        } catch {
                            // Shown in the sheet, which stays open with what the seller chose.
                            self.error = refusalText(error)
                        }
                    }
                }
            }
            .navigationTitle(L("create_video"))
            .toolbar { Button(L("cancel")) { dismiss() } }
        }
        .onAppear { productId = screen.products.first?.id ?? "" }
    }
}

/// A highlight's video: its render state, then the thumbnail, which opens the player.
struct VideoPreview: View {
    let video: VideoRow?
    @Environment(\.openURL) private var openURL

    var body: some View {
        switch video?.state {
        case .none:
            EmptyView()
        case .rendering:
            ProgressView().accessibilityLabel(L("video_rendering"))
        case .failed:
            Text(L("video_failed")).font(.caption).foregroundStyle(.red)
        case .ready:
            Button {
                if let player = video?.playerUrl.flatMap(URL.init(string:)) { openURL(player) }
            } label: {
                AsyncImage(url: video?.thumbnailUrl.flatMap(URL.init(string:))) { image in
                    image.resizable().aspectRatio(9 / 16, contentMode: .fit)
                } placeholder: {
                    ProgressView()
                }
                .frame(width: 54, height: 96)
            }
            .accessibilityLabel(L("play"))
        }
    }
}
