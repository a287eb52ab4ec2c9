import SwiftUI
import HighlightsKit

/// The LIVE highlight module, bound to the store: its state in, the seller's taps out.
public struct HighlightModuleView: View {
    @ObservedObject var store: HighlightsStore

    /// The module of `store`'s seller.
    public init(store: HighlightsStore) { self.store = store }

    public var body: some View {
        // Day headers ("Today") and on-air lengths move on by the minute.
        TimelineView(.periodic(from: .now, by: 60)) { context in
            ModuleContent(
                module: store.state.module,
                sync: store.state.sync,
                nowMs: epochMs(context.date),
                actions: ModuleActions(
                    back: { store.tap(.back) },
                    refresh: { store.refresh() },
                    open: { id in store.tap(.openRecording(recordingId: id)) },
                    loadMore: { store.tap(.loadMoreRecordings) },
                    removeAll: {
                        Task {
                            await store.attempt {
                                try await store.send(.removeAllHighlights(recordingId: nil))
                                // Their "scheduled" and "posted" banners would now say something untrue.
                                try await store.dismissPostNotifications(recordingId: nil)
                            }
                        }
                    },
                    resetPostingBar: { store.tap(.resetPostingBar) }
                )
            )
        }
    }
}

/// What the seller can do on the module.
struct ModuleActions {
    var back: () -> Void = {}
    var refresh: () -> Void = {}
    var open: (String) -> Void = { _ in }
    var loadMore: () -> Void = {}
    var removeAll: () -> Void = {}
    var resetPostingBar: () -> Void = {}
}

/// The LIVEs of one day, newest first, under that day's header.
struct DayGroup {
    /// The day's start in the device's time zone.
    let day: Date
    /// Its LIVEs in the module's order.
    var rows: [RecordingRow]
}

/// `rows` grouped by the day they started, in the order the days first appear.
func dayGroups(_ rows: [RecordingRow]) -> [DayGroup] {
    var groups: [DayGroup] = []
    for row in rows {
        let day = dayKey(row.startedAtMs)
        if let i = groups.firstIndex(where: { $0.day == day }) {
            groups[i].rows.append(row)
        } else {
            groups.append(DayGroup(day: day, rows: [row]))
        }
    }
    return groups
}

/// The module: the seller's LIVEs newest first, grouped by day, each at a glance; paged as the list
/// scrolls. Before the first sync: skeletons, then an error with Retry if it failed; an empty list
/// only once synced; offline with saved data says so above the rows.
struct ModuleContent: View {
    let module: ModuleScreen
    let sync: SyncIndicator
    let nowMs: Int64
    let actions: ModuleActions
    @State private var confirming = false

    init(module: ModuleScreen, sync: SyncIndicator, nowMs: Int64, actions: ModuleActions) {
        self.module = module
        self.sync = sync
        self.nowMs = nowMs
        self.actions = actions
    }

    var body: some View {
        List {
            SyncLine(sync: sync)
            if let bar = module.postingBar {
                PostingBarRow(bar: bar, onReset: actions.resetPostingBar)
            }
            if module.recordings.isEmpty {
                switch dataState(sync) {
                case .loading:
                    SkeletonRows()
                case .failed:
                    ErrorStateView(
                        title: sync.online ? L("module_error_title") : L("module_offline_title"),
                        message: sync.online ? L("module_error_body") : L("module_offline_body"),
                        onRetry: actions.refresh
                    )
                case .offline, .fresh:
                    EmptyStateView(title: L("module_empty_title"), message: L("module_empty_body"))
                }
            }
            ForEach(dayGroups(module.recordings), id: \.day) { group in
                Section {
                    ForEach(group.rows, id: \.id) { row in
                        Button { actions.open(row.id) } label: {
                            ModuleRowView(row: row, currency: module.currency, nowMs: nowMs)
                        }
                        .buttonStyle(.plain)
                        .accessibilityHint(L("open"))
                        .onAppear {
                            if row.id == module.recordings.last?.id && module.hasMore { actions.loadMore() }
                        }
                    }
                } header: {
                    Text(dayLabel(group.rows[0].startedAtMs, nowMs: nowMs))
                }
            }
        }
        .listStyle(.plain)
        .refreshable { actions.refresh() }
        .navigationTitle(L("module_title"))
        .toolbar {
            ToolbarItemGroup(placement: .primaryAction) {
                Button(L("refresh"), action: actions.refresh)
                if module.autoPosted + module.autoScheduled > 0 {
                    Menu {
                        Button(L("remove_all_count", Int(module.autoPosted + module.autoScheduled)), role: .destructive) {
                            confirming = true
                        }
                    } label: {
                        Image(systemName: "ellipsis.circle")
                    }
                    .accessibilityLabel(L("more_options"))
                }
            }
        }
        .alert(L("remove_all_every_title"), isPresented: $confirming) {
            Button(L("remove_all"), role: .destructive, action: actions.removeAll)
            Button(L("cancel"), role: .cancel) {}
        } message: {
            // Exactly what goes and what stays, every LIVE together.
            Text(removeAllLines(module).joined(separator: "\n"))
        }
    }
}

/// How Highlights now posts for the seller, learned from what they did, with Reset back to the
/// usual bar.
struct PostingBarRow: View {
    let bar: PostingBarNote
    let onReset: () -> Void

    var body: some View {
        // The sentence gets the row's width (long in Indonesian, at large text sizes); the button
        // sits under it at the trailing edge.
        VStack(alignment: .trailing, spacing: 4) {
            Text(postingBarText(bar))
                .font(.subheadline)
                .frame(maxWidth: .infinity, alignment: .leading)
            Button(L("posting_bar_reset"), action: onReset)
                .buttonStyle(.borderless)
                .accessibilityLabel(L("posting_bar_reset_description"))
        }
        .padding(.vertical, 4)
    }
}

/// The note's sentence in the seller's words: which way the bar moved, and why.
func postingBarText(_ bar: PostingBarNote) -> String {
    if bar.fewer {
        return L("posting_bar_fewer", Int(bar.removed), Int(bar.ofLast))
    }
    let byHand = Int(bar.postedByHand)
    return P("posting_bar_more", byHand, byHand)
}

/// What a module-wide "Remove all" takes down and what stays, one line each.
private func removeAllLines(_ module: ModuleScreen) -> [String] {
    let (posted, scheduled, own) = (Int(module.autoPosted), Int(module.autoScheduled), Int(module.ownVideos))
    var lines: [String] = []
    if posted > 0 { lines.append(P("remove_posted_line", posted, posted)) }
    if scheduled > 0 { lines.append(P("remove_scheduled_line", scheduled, scheduled)) }
    if own > 0 { lines.append(P("remove_stays_line", own, own)) }
    lines.append(L("remove_undo_hint"))
    return lines
}
