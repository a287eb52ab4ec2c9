import SwiftUI
import HighlightsKit

/// LIVE section → Products → Highlights: the toggle, what it does, the limits in force, privacy.
public struct HighlightsScreen: View {
    @ObservedObject var store: HighlightsStore
    let onPrivacy: () -> Void

    public init(store: HighlightsStore, onPrivacy: @escaping () -> Void) {
        self.store = store
        self.onPrivacy = onPrivacy
    }

    public var body: some View {
        let toggle = store.state.highlights
        Form {
            Section {
                Toggle(L("highlights_toggle"), isOn: Binding(
                    get: { toggle.on },
                    set: { on in store.tap(.setToggle(on: on)) }
                ))
                Text(L("highlights_explainer")).font(.footnote).foregroundStyle(.secondary)
                Toggle(L("review_switch"), isOn: Binding(
                    get: { toggle.reviewBeforePosting },
                    set: { on in store.tap(.setReviewBeforePosting(on: on)) }
                ))
                Text(L("review_explainer")).font(.footnote).foregroundStyle(.secondary)
                if let limits = toggle.limits {
                    Text(L("limits_line", Int(limits.maxPostsPerLive), Int(limits.maxPostsPerProduct), minutes(limits.postDelayS)))
                } else {
                    Text(L("limits_loading")).foregroundStyle(.secondary)
                }
                if toggle.pending { Label(L("saving"), systemImage: "arrow.triangle.2.circlepath").font(.caption) }
            }
            if !toggle.productChoices.isEmpty {
                ProductChoicesSection(store: store, choices: toggle.productChoices)
            }
            Section {
                Button(L("privacy_link"), action: onPrivacy)
                Button(L("open_module")) { store.tap(.openModule) }
            }
            SyncFooter(sync: store.state.sync)
        }
        .navigationTitle(L("highlights_title"))
    }
}

/// Which LIVEs get highlights: every shoppable LIVE, or only those showing a ticked product.
struct ProductChoicesSection: View {
    @ObservedObject var store: HighlightsStore
    let choices: [ProductChoice]

    var body: some View {
        let chosen = choices.filter { $0.chosen }.map { $0.id }
        Section {
            ForEach(choices, id: \.id) { c in
                Toggle(c.name, isOn: Binding(
                    get: { c.chosen },
                    // The whole new choice; the core sorts and checks it.
                    set: { on in store.tap(.setOnlyProducts(productIds: on ? chosen + [c.id] : chosen.filter { $0 != c.id })) }
                ))
                .accessibilityLabel(L("which_lives_product_cd", c.name))
            }
        } header: {
            Text(L("which_lives"))
        } footer: {
            Text(chosen.isEmpty ? L("which_lives_all") : L("which_lives_some", chosen.count))
        }
    }
}

/// Offline / last-updated line, with the actions still waiting to reach the server.
struct SyncFooter: View {
    let sync: SyncIndicator

    var body: some View {
        let state = sync.online ? L("sync_online") : L("sync_offline")
        let updated = sync.lastUpdatedMs.map { L("sync_updated", clock($0)) } ?? L("sync_never")
        let waiting = sync.pendingActions > 0 ? " · " + L("sync_waiting", Int(sync.pendingActions)) : ""
        Label(state + " · " + updated + waiting, systemImage: sync.online ? "checkmark.icloud" : "icloud.slash")
            .font(.caption)
            .foregroundStyle(.secondary)
    }
}
