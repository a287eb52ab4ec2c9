import SwiftUI
import HighlightsKit

/// The LIVE highlight module: past recordings, newest first, paged, with pull-to-refresh.
public struct HighlightModuleView: View {
    @ObservedObject var store: HighlightsStore

    public init(store: HighlightsStore) { self.store = store }

    public var body: some View {
        let module = store.state.module
        List {
            ForEach(module.recordings, id: \.id) { row in
                Button { store.tap(.openRecording(recordingId: row.id)) } label: {
                    VStack(alignment: .leading) {
                        HStack {
                            Text(row.title).font(.headline)
                            if row.isLive { Text("LIVE").font(.caption.bold()).foregroundStyle(.red) }
                        }
                        Text("\(row.highlightCount) highlights · \(row.recommendationCount) recommended")
                            .font(.subheadline).foregroundStyle(.secondary)
                    }
                }
                .onAppear { if row.id == module.recordings.last?.id && module.hasMore { store.tap(.loadMoreRecordings) } }
            }
            SyncFooter(sync: store.state.sync)
        }
        .refreshable { _ = try? await store.sync() }
        .navigationTitle("LIVE highlights")
        .sheet(isPresented: Binding(get: { store.state.recording != nil }, set: { if !$0 { store.tap(.back) } })) {
            if let recording = store.state.recording { RecordingView(store: store, screen: recording) }
        }
    }
}

/// One recording: its highlights with their status, recommendations to post, and "create video".
struct RecordingView: View {
    @ObservedObject var store: HighlightsStore
    let screen: RecordingScreen
    @State private var creating = false

    var body: some View {
        NavigationStack {
            List {
                Section("Highlights") {
                    ForEach(screen.highlights, id: \.id) { h in
                        HStack {
                            VideoPreview(video: h.video)
                            Text(badge(h.badge)).font(.caption.bold())
                            Text(h.signals.first ?? "Seller video")
                            Spacer()
                            if h.badge == .posted || h.badge == .liveNow || h.badge == .scheduled {
                                Button("Remove", role: .destructive) { store.tap(.removeHighlight(highlightId: h.id)) }
                            }
                        }
                    }
                }
                Section("Recommended") {
                    ForEach(screen.recommendations, id: \.id) { h in
                        HStack {
                            VideoPreview(video: h.video)
                            Text(h.signals.joined(separator: ", "))
                            Spacer()
                            Button("Post") { store.tap(.postRecommendation(highlightId: h.id)) }
                        }
                    }
                }
            }
            .navigationTitle(screen.recording.title)
            .toolbar { Button("Create video") { creating = true } }
            .sheet(isPresented: $creating) { CreateVideoSheet(store: store, screen: screen) }
        }
    }

    private func badge(_ b: HighlightBadge) -> String {
        switch b {
        case .scheduled: return "Scheduled"
        case .posted: return "Posted"
        case .liveNow: return "LIVE now"
        case .recommended: return "Recommended"
        case .removed: return "Removed"
        case .pending: return "Saving…"
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
        Form {
            Slider(value: $startSeconds, in: 0...max(duration - 1, 1)) { Text("Start") }
            Stepper("Length: \(Int(lengthSeconds)) s", value: $lengthSeconds, in: 5...120)
            Picker("Product", selection: $productId) {
                ForEach(screen.products, id: \.id) { Text($0.name).tag($0.id) }
            }
            if let error { Text(error).foregroundStyle(.red) }
            Button("Create") {
                let start = rec.startedAtMs + Int64(startSeconds * 1000)
                Task {
                    do {
                        try await store.send(.createVideo(recordingId: rec.id, startMs: start, endMs: start + Int64(lengthSeconds * 1000), productId: productId))
                        dismiss()
                    } catch {
                        self.error = "\(error)"
                    }
                }
            }
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
            ProgressView().accessibilityLabel("Making video")
        case .failed:
            Text("Video failed").font(.caption).foregroundStyle(.red)
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
            .accessibilityLabel("Play video")
        }
    }
}
