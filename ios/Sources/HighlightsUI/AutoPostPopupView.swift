import SwiftUI
import HighlightsKit

/// The pre-LIVE pop-up shown after the seller taps the shopping bag (when the core says so).
public struct AutoPostPopupView: View {
    @ObservedObject var store: HighlightsStore

    public init(store: HighlightsStore) { self.store = store }

    public var body: some View {
        if let popup = store.state.popup {
            VStack(spacing: 12) {
                HStack {
                    Spacer()
                    Button { store.tap(.popupDismiss) } label: { Image(systemName: "xmark") }
                        .accessibilityLabel("Close")
                }
                Text("Auto-post highlights of this LIVE?").font(.headline)
                Text("We'll post up to \(popup.maxPostsPerLive) short videos of its best moments to your profile.")
                    .multilineTextAlignment(.center)
                Button("Turn on") { store.tap(.popupTurnOn) }.buttonStyle(.borderedProminent)
            }
            .padding()
            .background(.background, in: RoundedRectangle(cornerRadius: 16))
            .shadow(radius: 8)
            .padding()
        }
    }
}
