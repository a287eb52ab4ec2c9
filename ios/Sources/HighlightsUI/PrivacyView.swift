import SwiftUI
import HighlightsKit

/// The lines of the backend's privacy notice, blank lines left out.
func noticeLines(_ notice: String) -> [String] {
    notice.split(separator: "\n").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
}

/// The data-privacy page: the backend's notice from remote config, the same text the onboarding shows.
struct PrivacyView: View {
    @ObservedObject var store: HighlightsStore
    @Environment(\.dismiss) private var dismiss

    var body: some View {
        NavigationStack {
            ScrollView {
                VStack(alignment: .leading, spacing: 12) {
                    if let text = store.state.highlights.privacyNotice {
                        ForEach(Array(noticeLines(text).enumerated()), id: \.offset) { _, line in Text(line) }
                    } else {
                        Text(L("privacy_loading")).foregroundStyle(.secondary)
                    }
                }
                .frame(maxWidth: .infinity, alignment: .leading)
                .padding()
            }
            .navigationTitle(L("privacy_title"))
            .toolbar {
                ToolbarItem(placement: .cancellationAction) { Button(L("close")) { dismiss() } }
            }
        }
    }
}
