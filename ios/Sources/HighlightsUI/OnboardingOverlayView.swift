import SwiftUI
import HighlightsKit

/// First-time onboarding: benefits and how LIVE data is used; Confirm turns it on, X leaves it off.
struct OnboardingOverlayView: View {
    @ObservedObject var store: HighlightsStore
    let overlay: OnboardingOverlay

    var body: some View {
        VStack(alignment: .leading, spacing: 16) {
            HStack {
                Text("Auto LIVE Highlights").font(.title2.bold())
                Spacer()
                Button { store.tap(.dismissOnboarding) } label: { Image(systemName: "xmark") }
                    .accessibilityLabel("Close")
            }
            Label("Your best LIVE moments become shoppable videos automatically", systemImage: "sparkles")
            if let limits = overlay.limits {
                Label("Up to \(limits.maxPostsPerLive) videos per LIVE, about \(limits.postDelayS / 60) minutes after each moment", systemImage: "clock")
            }
            Label("We analyse comments, likes, views and orders of your shoppable LIVEs only to find these moments. You can turn this off at any time.", systemImage: "hand.raised")
            Button("Turn on") { store.tap(.confirmOnboarding) }
                .buttonStyle(.borderedProminent)
                .frame(maxWidth: .infinity)
        }
        .padding(24)
        .background(.regularMaterial, in: RoundedRectangle(cornerRadius: 20))
        .padding()
    }
}
