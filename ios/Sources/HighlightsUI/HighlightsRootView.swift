import SwiftUI
import HighlightsKit

/// The feature's root: follows the core's current screen (landing in the module after onboarding),
/// shows its overlays and notices, and syncs in the background while the scene is active.
public struct HighlightsRootView: View {
    @ObservedObject var store: HighlightsStore
    @Environment(\.scenePhase) private var scenePhase
    @State private var privacyOpen = false

    public init(store: HighlightsStore) { self.store = store }

    public var body: some View {
        NavigationStack {
            Group {
                switch store.state.screen {
                case .products: ProductsView(store: store)
                case .highlights: HighlightsScreen(store: store, onPrivacy: { privacyOpen = true })
                case .module, .recording: HighlightModuleView(store: store)
                }
            }
            .toolbar {
                if store.state.screen != .products {
                    ToolbarItem(placement: .navigation) {
                        Button { store.tap(.back) } label: { Image(systemName: "chevron.backward") }
                            .accessibilityLabel(L("back"))
                    }
                }
            }
        }
        .overlay { AutoPostPopupView(store: store) }
        .overlay {
            if let overlay = store.state.onboarding {
                OnboardingOverlayView(store: store, overlay: overlay, onPrivacy: { privacyOpen = true })
            }
        }
        .sheet(isPresented: $privacyOpen) { PrivacyView(store: store) }
        .safeAreaInset(edge: .bottom) { NoticeBanner(store: store) }
        .safeAreaInset(edge: .top) { NotificationBanner(store: store) }
        .onChange(of: scenePhase) { phase in
            switch phase {
            case .active: Task { await store.attempt { try store.startBackgroundSync() } }
            case .background: store.cancelSync()
            default: break
            }
        }
        .task { await store.attempt { try store.startBackgroundSync() } }
    }
}

/// What to tell the seller about a refusal, in their language, from the core's typed error.
func refusalText(_ error: Error) -> String {
    guard let error = error as? HighlightsError else { return L("error_generic") }
    switch error {
    case .Input(let problem, _):
        switch problem {
        case .invalidId: return L("problem_invalid_id")
        case .unknownRecording: return L("problem_unknown_recording")
        case .unknownHighlight: return L("problem_unknown_highlight")
        case .unknownProduct: return L("problem_unknown_product")
        case .invalidSegment: return L("problem_invalid_segment")
        case .notAllowed: return L("problem_not_allowed")
        case .configUnavailable: return L("problem_config_unavailable")
        }
    case .Network: return L("error_network")
    case .Auth: return L("error_auth")
    case .Storage: return L("error_storage")
    default: return L("error_generic")
    }
}

/// LIVE section → Products: the entry to Highlights and the shopping bag before going LIVE.
struct ProductsView: View {
    @ObservedObject var store: HighlightsStore

    var body: some View {
        List {
            Button { store.tap(.openHighlights) } label: {
                VStack(alignment: .leading) {
                    Text(L("products_highlights_entry")).font(.headline)
                    Text(L("products_highlights_hint")).font(.subheadline).foregroundStyle(.secondary)
                }
            }
            .accessibilityHint(L("open"))
            Button { store.tap(.shoppingBagTapped) } label: { Label(L("shopping_bag"), systemImage: "bag") }
            // With the feature on: the choice for the next LIVE only.
            if store.state.highlights.on {
                let next = store.state.highlights.nextLiveOn
                Toggle(L("next_live_switch"), isOn: Binding(get: { next }, set: { on in store.tap(.setNextLiveHighlights(on: on)) }))
                Text(next ? L("next_live_on") : L("next_live_off")).font(.footnote).foregroundStyle(.secondary)
            }
        }
        .navigationTitle(L("products_title"))
    }
}

/// The newest notification (scheduled, posted, video failed, removed; coalesced per recording) as
/// an in-app banner: tap opens its recording, X dismisses it.
struct NotificationBanner: View {
    @ObservedObject var store: HighlightsStore

    var body: some View {
        if let n = store.state.notifications.first {
            HStack {
                Button { store.tap(.openRecording(recordingId: n.recordingId)) } label: { Text(text(n)).font(.callout) }
                Spacer()
                Button { store.tap(.dismissNotification(id: n.id)) } label: { Image(systemName: "xmark") }
                    .frame(minWidth: 44, minHeight: 44)
                    .accessibilityLabel(L("dismiss"))
            }
            .padding(.horizontal)
            .background(.thinMaterial)
        }
    }

    private func text(_ n: NotificationRow) -> String {
        let count = Int(n.count)
        switch n.kind {
        case .scheduled:
            return n.postAtMs.map { L("notification_scheduled", n.recordingTitle, count, clock($0)) }
                ?? L("notification_scheduled_now", n.recordingTitle, count)
        case .posted: return L("notification_posted", n.recordingTitle, count)
        case .videoFailed: return L("notification_video_failed", n.recordingTitle, count)
        case .removed: return L("notification_removed", n.recordingTitle, count)
        }
    }
}

/// The core's oldest notice, then the last refusal, as a banner the seller dismisses.
struct NoticeBanner: View {
    @ObservedObject var store: HighlightsStore

    var body: some View {
        if let undo = store.state.undo, Double(undo.untilMs) / 1000 > Date().timeIntervalSince1970 {
            // Until the removal leaves the device; the banner goes when the core's state moves on.
            HStack {
                Text(L("removed_all")).font(.callout)
                Spacer()
                Button(L("undo")) { store.tap(.undoRemoveAll) }.frame(minWidth: 44, minHeight: 44)
            }
            .padding()
            .background(.thinMaterial, in: RoundedRectangle(cornerRadius: 12))
            .padding(.horizontal)
        } else if let notice = store.state.notice {
            banner(noticeText(notice)) { store.tap(.dismissNotice(id: notice.id)) }
        } else if let refusal = store.refusal {
            banner(refusalText(refusal)) { store.dismissRefusal() }
        }
    }

    private func noticeText(_ notice: Notice) -> String {
        switch notice.kind {
        case .cacheReset: return L("notice_cache_reset")
        case .videoFailed: return L("notice_video_failed")
        case .actionRefused: return L("notice_refused", notice.message)
        case .videoQuotaReached: return L("notice_video_quota")
        }
    }

    private func banner(_ text: String, dismiss: @escaping () -> Void) -> some View {
        HStack {
            Text(text).font(.callout)
            Spacer()
            Button(action: dismiss) { Image(systemName: "xmark") }
                .frame(minWidth: 44, minHeight: 44)
                .accessibilityLabel(L("close"))
        }
        .padding()
        .background(.thinMaterial, in: RoundedRectangle(cornerRadius: 12))
        .padding(.horizontal)
    }
}

/// The data-privacy page: the backend's text from remote config.
struct PrivacyView: View {
    @ObservedObject var store: HighlightsStore
    @Environment(\.dismiss) private var dismiss

    var body: some View {
        NavigationStack {
            ScrollView {
                VStack(alignment: .leading, spacing: 12) {
                    if let text = store.state.highlights.privacyNotice {
                        ForEach(text.split(separator: "\n").map(String.init), id: \.self) { Text($0) }
                    } else {
                        Text(L("privacy_loading")).foregroundStyle(.secondary)
                    }
                }
                .padding()
            }
            .navigationTitle(L("privacy_title"))
            .toolbar { Button(L("close")) { dismiss() } }
        }
    }
}
