import SwiftUI
import HighlightsKit

/// One recording, bound to the store, with the preview of a card and the clip editor over it.
struct RecordingPage: View {
    @ObservedObject var store: HighlightsStore
    @State private var previewing: String?
    @State private var editing = false

    init(store: HighlightsStore) { self.store = store }

    var body: some View {
        if let screen = store.state.recording {
            // Countdowns on the chips tick by the second.
            TimelineView(.periodic(from: .now, by: 1)) { context in
                RecordingContent(screen: screen, sync: store.state.sync, nowMs: epochMs(context.date), actions: actions(screen))
            }
            .sheet(isPresented: Binding(get: { previewing != nil }, set: { if !$0 { previewing = nil } })) {
                preview(screen)
            }
            .sheet(isPresented: $editing) {
                editor(screen)
            }
        }
    }

    // The helpers below build closures that call the store: they run on the main actor, as body does.
    @MainActor
    private var card: CardActions {
        CardActions(
            preview: { h in previewing = h.id },
            approve: { h in store.tap(.approveHighlight(highlightId: h.id)) },
            skip: { h in store.tap(.removeHighlight(highlightId: h.id)) },
            remove: { h in store.tap(.removeHighlight(highlightId: h.id)) },
            post: { h in store.tap(.postRecommendation(highlightId: h.id)) }
        )
    }

    @MainActor
    private func actions(_ screen: RecordingScreen) -> RecordingActions {
        let id = screen.recording.id
        return RecordingActions(
            refresh: { store.refresh() },
            card: card,
            approveAll: { rows in
                Task {
                    await store.attempt {
                        for h in rows { try await store.send(.approveHighlight(highlightId: h.id)) }
                    }
                }
            },
            removeAll: {
                Task {
                    await store.attempt {
                        try await store.send(.removeAllHighlights(recordingId: id))
                        // Their "scheduled" and "posted" banners would now say something untrue.
                        try await store.dismissPostNotifications(recordingId: id)
                    }
                }
            },
            setLive: { on in store.tap(.setLiveHighlights(recordingId: id, on: on)) },
            createVideo: { editing = true }
        )
    }

    @MainActor @ViewBuilder
    private func preview(_ screen: RecordingScreen) -> some View {
        // A highlight gone from the screen (a sync dropped it) closes its preview.
        if let h = (screen.highlights + screen.recommendations).first(where: { $0.id == previewing }) {
            TimelineView(.periodic(from: .now, by: 1)) { context in
                PreviewView(
                    row: h, product: productName(screen, h), range: range(screen, h), currency: screen.currency,
                    nowMs: epochMs(context.date), actions: card,
                    playerUrl: h.video?.playerUrl,
                    loadVideo: { url in try await store.media(url: url) },
                    onClose: { previewing = nil }
                )
            }
        } else {
            Color.clear.onAppear { previewing = nil }
        }
    }

    @MainActor
    private func editor(_ screen: RecordingScreen) -> some View {
        let id = screen.recording.id
        // During the LIVE the recording grows: the editor's end of the LIVE moves with the clock.
        return TimelineView(.periodic(from: .now, by: 10)) { context in
            ClipEditorView(
                recording: screen.recording, products: screen.products, limits: store.state.highlights.limits,
                nowMs: epochMs(context.date),
                loadStoryboard: { try? await store.recordingStoryboard(recordingId: id) },
                onCreate: { start, end, product in
                    try await store.send(.createVideo(recordingId: id, startMs: start, endMs: end, productId: product))
                    editing = false
                },
                onClose: { editing = false }
            )
        }
    }
}

/// What the seller can do on a recording.
struct RecordingActions {
    var refresh: () -> Void = {}
    var card = CardActions()
    var approveAll: ([HighlightRow]) -> Void = { _ in }
    var removeAll: () -> Void = {}
    var setLive: (Bool) -> Void = { _ in }
    var createVideo: () -> Void = {}
}

/// One recording: when and how long, this LIVE's switch and Create video; what waits for the
/// seller's OK with Approve all; the LIVE's results as tiles and a chart; its videos as 9:16 cards
/// (on the profile or about to be, then recommendations, then what was removed, each section only
/// when it has cards); Remove all in the overflow menu with its count.
struct RecordingContent: View {
    let screen: RecordingScreen
    let sync: SyncIndicator
    let nowMs: Int64
    let actions: RecordingActions
    @State private var confirming = false

    init(screen: RecordingScreen, sync: SyncIndicator, nowMs: Int64, actions: RecordingActions) {
        self.screen = screen
        self.sync = sync
        self.nowMs = nowMs
        self.actions = actions
    }

    var body: some View {
        let rec = screen.recording
        let removed = screen.highlights.filter { $0.badge == .removed }
        let active = screen.highlights.filter { $0.badge != .removed }
        let waiting = active.filter { $0.badge == .awaitingApproval }
        let autoPosts = Int(screen.autoPosts)
        ScrollView {
            VStack(alignment: .leading, spacing: 12) {
                RecordingHeader(recording: rec, sync: sync, nowMs: nowMs, actions: actions)
                if waiting.count >= 2 {
                    ApproveAllBar(count: waiting.count) { actions.approveAll(waiting) }
                }
                // Once a video has viewers: before that a row of zeros says nothing.
                if screen.highlights.contains(where: { $0.results != nil }) {
                    Text(L("results_live")).font(.headline)
                    ResultTiles(results: screen.results, currency: screen.currency)
                    ResultsChart(highlights: screen.highlights, t0: rec.startedAtMs, currency: screen.currency)
                }
                CardSection(title: P("section_videos", active.count, active.count), rows: active, screen: screen, nowMs: nowMs, actions: actions.card)
                CardSection(
                    title: P("section_recommendations", screen.recommendations.count, screen.recommendations.count),
                    rows: screen.recommendations, screen: screen, nowMs: nowMs, actions: actions.card
                )
                CardSection(title: P("section_removed", removed.count, removed.count), rows: removed, screen: screen, nowMs: nowMs, actions: actions.card)
                if screen.highlights.isEmpty && screen.recommendations.isEmpty {
                    EmptyStateView(title: L("recording_empty_title"), message: L("recording_empty_body"))
                }
            }
            .padding(16)
        }
        .refreshable { actions.refresh() }
        .navigationTitle(liveTitle(rec.title, rec.startedAtMs))
        .toolbar {
            ToolbarItemGroup(placement: .primaryAction) {
                Button(L("refresh"), action: actions.refresh)
                if autoPosts > 0 {
                    Menu {
                        Button(L("remove_all_count", autoPosts), role: .destructive) { confirming = true }
                    } label: {
                        Image(systemName: "ellipsis.circle")
                    }
                    .accessibilityLabel(L("more_options"))
                }
            }
        }
        .alert(removeAllTitle, isPresented: $confirming) {
            Button(L("remove_all"), role: .destructive, action: actions.removeAll)
            Button(L("cancel"), role: .cancel) {}
        } message: {
            Text(removeAllLines.joined(separator: "\n"))
        }
    }

    /// The auto-posts of this LIVE a "remove all" takes down: already posted, and not posted yet.
    private var removable: (posted: Int, scheduled: Int) {
        let autos = screen.highlights.filter { $0.kind == .auto }
        let posted = autos.filter { $0.badge == .posted || $0.badge == .liveNow }.count
        let scheduled = autos.filter { $0.badge == .scheduled || $0.badge == .awaitingApproval || $0.badge == .pending }.count
        return (posted, scheduled)
    }

    private var removeAllTitle: String {
        let total = max(removable.posted + removable.scheduled, Int(screen.autoPosts))
        return P("remove_all_live_title", total, total)
    }

    /// Says exactly what goes (posted, scheduled) and what stays (the seller's own videos).
    private var removeAllLines: [String] {
        let (posted, scheduled) = removable
        let stays = screen.highlights.filter { $0.kind != .auto && $0.badge != .removed }.count
        var lines: [String] = []
        if posted > 0 { lines.append(P("remove_posted_line", posted, posted)) }
        if scheduled > 0 { lines.append(P("remove_scheduled_line", scheduled, scheduled)) }
        if stays > 0 { lines.append(P("remove_stays_line", stays, stays)) }
        lines.append(L("remove_undo_hint"))
        return lines
    }
}

/// When and how long the LIVE was, the offline state, this LIVE's switch, and Create video.
struct RecordingHeader: View {
    let recording: RecordingRow
    let sync: SyncIndicator
    let nowMs: Int64
    let actions: RecordingActions

    var body: some View {
        let rec = recording
        VStack(alignment: .leading, spacing: 8) {
            HStack(spacing: 8) {
                if rec.isLive { LivePill() }
                Text(when).font(.subheadline).foregroundStyle(.secondary)
            }
            if !sync.online { SyncLine(sync: sync) }
            // During the LIVE (or to turn it back on): this LIVE only, the feature stays on for others.
            if rec.isLive || !rec.highlightsOn {
                Toggle(isOn: Binding(get: { rec.highlightsOn }, set: actions.setLive)) {
                    VStack(alignment: .leading, spacing: 2) {
                        Text(L("live_switch"))
                        Text(rec.highlightsOn ? L("live_switch_on") : L("live_switch_off")).font(.footnote).foregroundStyle(.secondary)
                    }
                }
            }
            Button(action: actions.createVideo) { Text(L("create_video")).frame(maxWidth: .infinity) }
                .buttonStyle(.bordered)
        }
    }

    /// Its date and time with its length, or how long it has been on.
    private var when: String {
        let started = dateTime(recording.startedAtMs)
        if let end = recording.endedAtMs { return L("dot_join", started, span(end - recording.startedAtMs)) }
        if recording.isLive { return L("dot_join", started, L("live_on_now", span(nowMs - recording.startedAtMs))) }
        return started
    }
}

/// Two or more moments wait for the seller: how many, and Approve all.
struct ApproveAllBar: View {
    let count: Int
    let onApproveAll: () -> Void

    var body: some View {
        HStack(spacing: 12) {
            Text(P("waiting_count", count, count)).font(.subheadline)
            Spacer(minLength: 0)
            Button(L("approve_all", count), action: onApproveAll)
                .buttonStyle(.borderedProminent)
                .lineLimit(1)
        }
        .padding(12)
        .background(Color.yellow.opacity(0.2), in: RoundedRectangle(cornerRadius: 12))
    }
}

/// A titled grid of 9:16 cards; nothing at all when `rows` is empty.
struct CardSection: View {
    let title: String
    let rows: [HighlightRow]
    let screen: RecordingScreen
    let nowMs: Int64
    let actions: CardActions

    var body: some View {
        if !rows.isEmpty {
            VStack(alignment: .leading, spacing: 8) {
                Text(title).font(.headline).padding(.top, 8)
                LazyVGrid(columns: [GridItem(.adaptive(minimum: 160), spacing: 12, alignment: .top)], alignment: .leading, spacing: 12) {
                    ForEach(rows, id: \.id) { h in
                        ClipCard(row: h, product: productName(screen, h), range: range(screen, h), currency: screen.currency, nowMs: nowMs, actions: actions)
                    }
                }
            }
        }
    }
}
