import SwiftUI
import HighlightsKit

/// The pre-LIVE pop-up shown after the seller taps the shopping bag (when the core says so);
/// Turn on goes through onboarding the first time.
public struct AutoPostPopupView: View {
    @ObservedObject var store: HighlightsStore

    /// The pop-up of `store`'s seller, shown only while the core says so.
    public init(store: HighlightsStore) { self.store = store }

    public var body: some View {
        if let popup = store.state.popup {
            VStack(spacing: 12) {
                HStack {
                    Spacer()
                    Button { store.tap(.popupDismiss) } label: { Image(systemName: "xmark") }
                        .frame(minWidth: 44, minHeight: 44)
                        .accessibilityLabel(L("close"))
                }
                Text(L("popup_title")).font(.headline)
                Text(L("popup_body", Int(popup.maxPostsPerLive))).multilineTextAlignment(.center)
                Button(L("turn_on")) { store.tap(.popupTurnOn) }.buttonStyle(.borderedProminent)
            }
            .padding()
            .background(.background, in: RoundedRectangle(cornerRadius: 16))
            .shadow(radius: 8)
            .padding()
        }
    }
}
