import SwiftUI
import HighlightsKit

/// LIVE section → Products → Highlights, bound to the store.
public struct HighlightsScreen: View {
    @ObservedObject var store: HighlightsStore
    let onPrivacy: () -> Void

    /// The Highlights screen of `store`'s seller; `onPrivacy` opens the data-privacy page.
    public init(store: HighlightsStore, onPrivacy: @escaping () -> Void) {
        self.store = store
        self.onPrivacy = onPrivacy
    }

    public var body: some View {
        HighlightsContent(
            toggle: store.state.highlights,
            sync: store.state.sync,
            actions: SettingsActions(
                setToggle: { on in store.tap(.setToggle(on: on)) },
                setReview: { on in store.tap(.setReviewBeforePosting(on: on)) },
                setOnlyProducts: { ids in store.tap(.setOnlyProducts(productIds: ids)) },
                privacy: onPrivacy,
                openModule: { store.tap(.openModule) }
            )
        )
    }
}

/// What the seller can do on the Highlights screen.
struct SettingsActions {
    var setToggle: (Bool) -> Void = { _ in }
    var setReview: (Bool) -> Void = { _ in }
    var setOnlyProducts: ([String]) -> Void = { _ in }
    var privacy: () -> Void = {}
    var openModule: () -> Void = {}
}

/// The Highlights screen in sections: the feature and its limits; before posting; which LIVEs; your
/// data. What depends on the feature is greyed out and cannot be changed while it is off.
struct HighlightsContent: View {
    let toggle: HighlightsScreenState
    let sync: SyncIndicator
    let actions: SettingsActions

    var body: some View {
        Form {
            Section(L("section_feature")) {
                Toggle(isOn: Binding(get: { toggle.on }, set: actions.setToggle)) {
                    // Under "Ask me before posting" nothing posts without the seller's OK: the toggle says so.
                    SettingLabel(
                        title: L("highlights_toggle"),
                        explainer: L(toggle.reviewBeforePosting ? "highlights_explainer_review" : "highlights_explainer")
                    )
                }
                Text(limitsLine).font(.subheadline)
            }
            if !toggle.on {
                Section {
                    Text(L("settings_off_hint")).font(.footnote).foregroundStyle(.secondary)
                }
            }
            Section(L("section_before_posting")) {
                Toggle(isOn: Binding(get: { toggle.reviewBeforePosting }, set: actions.setReview)) {
                    SettingLabel(title: L("review_switch"), explainer: L("review_explainer"))
                }
                .disabled(!toggle.on)
            }
            if !toggle.productChoices.isEmpty {
                ProductChoicesSection(choices: toggle.productChoices, enabled: toggle.on, onChoose: actions.setOnlyProducts)
            }
            Section(L("section_privacy")) {
                Button(L("privacy_link"), action: actions.privacy)
            }
            Section {
                if toggle.pending { Label(L("saving"), systemImage: "arrow.triangle.2.circlepath").font(.caption) }
                Button(L("open_module"), action: actions.openModule)
                SyncLine(sync: sync)
            }
        }
        .navigationTitle(L("highlights_title"))
    }

    /// The limits in force, or why they are not shown yet (still loading, or offline before any sync).
    private var limitsLine: String {
        if let limits = toggle.limits {
            return L("limits_line", Int(limits.maxPostsPerLive), Int(limits.maxPostsPerProduct), minutes(limits.postDelayS))
        }
        return dataState(sync) == .loading ? L("limits_loading") : L("limits_offline")
    }
}

/// A setting's name over its explanation.
struct SettingLabel: View {
    let title: String
    let explainer: String

    var body: some View {
        VStack(alignment: .leading, spacing: 2) {
            Text(title)
            Text(explainer).font(.footnote).foregroundStyle(.secondary)
        }
    }
}

/// Which LIVEs get highlights: every shoppable LIVE, or only those showing a ticked product.
/// `onChoose` gets the whole new choice (the core sorts and checks it).
struct ProductChoicesSection: View {
    let choices: [ProductChoice]
    let enabled: Bool
    let onChoose: ([String]) -> Void

    var body: some View {
        let chosen = choices.filter { $0.chosen }.map { $0.id }
        Section {
            ForEach(choices, id: \.id) { c in
                Toggle(c.name, isOn: Binding(
                    get: { c.chosen },
                    set: { on in onChoose(on ? chosen + [c.id] : chosen.filter { $0 != c.id }) }
                ))
                .accessibilityLabel(L("which_lives_product_cd", c.name))
            }
        } header: {
            Text(L("which_lives"))
        } footer: {
            Text(chosen.isEmpty ? L("which_lives_all") : P("which_lives_some", chosen.count, chosen.count))
        }
        .disabled(!enabled)
    }
}
