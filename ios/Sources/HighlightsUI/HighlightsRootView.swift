import SwiftUI
import HighlightsKit

/// The feature's root: follows the core's current screen (landing in the module after onboarding),
/// shows its overlays and notices, loads pictures through the store, and syncs in the background
/// while the scene is active.
public struct HighlightsRootView: View {
    @ObservedObject var store: HighlightsStore
    @Environment(\.scenePhase) private var scenePhase
    @State private var privacyOpen = false
    // Thumbnails and storyboards: fetched through the store (the seller's token), decoded off the main thread.
    @State private var images: MediaImages

    /// The feature for `store`'s seller.
    public init(store: HighlightsStore) {
        self.store = store
        _images = State(initialValue: MediaImages(store: store))
    }

    public var body: some View {
        NavigationStack {
            Group {
                switch store.state.screen {
                case .products: ProductsView(store: store)
                case .highlights: HighlightsScreen(store: store, onPrivacy: { privacyOpen = true })
                case .module: HighlightModuleView(store: store)
                case .recording:
                    if store.state.recording != nil { RecordingPage(store: store) } else { HighlightModuleView(store: store) }
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
        .environment(\.mediaImages, images)
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
