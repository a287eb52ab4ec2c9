import SwiftUI
import HighlightsKit

/// First-time onboarding: benefits, limits and what is analysed (word for word the privacy page's:
/// the backend's notice, one source); Turn on lands in the module, Not now leaves it off.
struct OnboardingOverlayView: View {
    @ObservedObject var store: HighlightsStore
    let overlay: OnboardingOverlay
    let onPrivacy: () -> Void

    var body: some View {
        VStack(alignment: .leading, spacing: 16) {
            ScrollView {
                VStack(alignment: .leading, spacing: 12) {
                    Text(L("onboarding_title")).font(.title2.bold()).accessibilityAddTraits(.isHeader)
                    Label(L("onboarding_benefit"), systemImage: "sparkles")
                    if let limits = overlay.limits {
                        Label(L("onboarding_limits", Int(limits.maxPostsPerLive), minutes(limits.postDelayS)), systemImage: "clock")
                    }
                    if let notice = store.state.highlights.privacyNotice {
                        Text(L("onboarding_privacy_title")).font(.headline)
                        ForEach(Array(noticeLines(notice).enumerated()), id: \.offset) { _, line in
                            Text(line).font(.footnote)
                        }
                    }
                    Button(L("privacy_link"), action: onPrivacy)
                }
                .frame(maxWidth: .infinity, alignment: .leading)
            }
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
