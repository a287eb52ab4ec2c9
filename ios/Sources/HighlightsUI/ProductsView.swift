import SwiftUI
import HighlightsKit

/// LIVE section → Products: the entry to Highlights and the shopping bag before going LIVE; with
/// the feature on, the choice for the next LIVE only.
struct ProductsView: View {
    @ObservedObject var store: HighlightsStore

    var body: some View {
        let toggle = store.state.highlights
        List {
            Button { store.tap(.openHighlights) } label: {
                SettingLabel(title: L("products_highlights_entry"), explainer: L("products_highlights_hint"))
            }
            .accessibilityHint(L("open"))
            Button { store.tap(.shoppingBagTapped) } label: { Label(L("shopping_bag"), systemImage: "bag") }
            if toggle.on {
                Toggle(isOn: Binding(get: { toggle.nextLiveOn }, set: { on in store.tap(.setNextLiveHighlights(on: on)) })) {
                    SettingLabel(title: L("next_live_switch"), explainer: toggle.nextLiveOn ? L("next_live_on") : L("next_live_off"))
                }
            }
        }
        .navigationTitle(L("products_title"))
    }
}
