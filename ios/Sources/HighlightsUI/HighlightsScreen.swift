import SwiftUI
import HighlightsKit

/// LIVE section → Products → Highlights: the toggle, what it does, the limits in force, privacy.
public struct HighlightsScreen: View {
    @ObservedObject var store: HighlightsStore
    @State private var error: String?

    public init(store: HighlightsStore) { self.store = store }

    public var body: some View {
        let toggle = store.state.highlights
        Form {
            Section {
                Toggle("Auto LIVE Highlights", isOn: Binding(
                    get: { toggle.on },
                    set: { on in perform(.setToggle(on: on)) }
                ))
                Text("When on, the best moments of each shoppable LIVE are cut into short videos tied to the pinned product and posted to your profile.")
                    .font(.footnote)
                    .foregroundStyle(.secondary)
                if toggle.pending { Label("Saving…", systemImage: "arrow.triangle.2.circlepath").font(.caption) }
            }
            Section("Limits") {
                if let limits = toggle.limits {
                    LabeledContent("Videos per LIVE", value: "up to \(limits.maxPostsPerLive)")
                    LabeledContent("Videos per pinned product", value: "up to \(limits.maxPostsPerProduct)")
                    LabeledContent("Posted after", value: "about \(limits.postDelayS / 60) min")
                } else {
                    Text("Loading limits…").foregroundStyle(.secondary)
                }
            }
            Section {
                Link("How your LIVE data is used", destination: URL(string: "https://example.com/privacy/live-highlights")!)
                Button("Open highlight module") { perform(.openModule) }
            }
            SyncFooter(sync: store.state.sync)
        }
        .navigationTitle("Highlights")
        .overlay { if let overlay = store.state.onboarding { OnboardingOverlayView(store: store, overlay: overlay) } }
        .alert("Something went wrong", isPresented: .constant(error != nil), actions: { Button("OK") { error = nil } }, message: { Text(error ?? "") })
    }

    private func perform(_ event: Event) {
        Task {
            do { try await store.send(event) } catch { self.error = "\(error)" }
        }
    }
}

/// Offline / last-updated line under every screen.
struct SyncFooter: View {
    let sync: SyncIndicator

    var body: some View {
        HStack {
            Image(systemName: sync.online ? "checkmark.icloud" : "icloud.slash")
            if let at = sync.lastUpdatedMs {
                Text("Updated \(Date(timeIntervalSince1970: Double(at) / 1000), style: .relative) ago")
            } else {
                Text("Not synced yet")
            }
            if sync.pendingActions > 0 { Text("· \(sync.pendingActions) waiting") }
        }
        .font(.caption)
        .foregroundStyle(.secondary)
    }
}
