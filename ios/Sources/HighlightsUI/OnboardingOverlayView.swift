import SwiftUI
import HighlightsKit

/// First-time onboarding: benefits and data privacy; Turn on lands in the module, Not now leaves it off.
struct OnboardingOverlayView: View {
    @ObservedObject var store: HighlightsStore
    let overlay: OnboardingOverlay
    let onPrivacy: () -> Void

    var body: some View {
        VStack(alignment: .leading, spacing: 16) {
            Text(L("onboarding_title")).font(.title2.bold()).accessibilityAddTraits(.isHeader)
            Label(L("onboarding_benefit"), systemImage: "sparkles")
            if let limits = overlay.limits {
                Label(L("onboarding_limits", Int(limits.maxPostsPerLive), minutes(limits.postDelayS)), systemImage: "clock")
            }
            Label(L("onboarding_privacy"), systemImage: "hand.raised")
            Button(L("privacy_link"), action: onPrivacy)
            HStack {
                Button(L("not_now")) { store.tap(.dismissOnboarding) }
                Spacer()
                Button(L("turn_on")) { store.tap(.confirmOnboarding) }.buttonStyle(.borderedProminent)
            }
        }
        .padding(24)
        .background(.regularMaterial, in: RoundedRectangle(cornerRadius: 20))
        .padding()
    }
}
