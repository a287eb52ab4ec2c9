import SwiftUI
import HighlightsKit

/// A picture with rounded corners filling its frame (cropped): `url`'s image once loaded, on a
/// placeholder until then, with `overlay` (chips, badges) over it. `label` names the picture for
/// VoiceOver only once it is there.
struct Thumbnail<Overlay: View>: View {
    let url: String?
    let label: String?
    let corner: CGFloat
    let greyed: Bool
    let overlayContent: () -> Overlay
    @Environment(\.mediaImages) private var images
    @State private var loaded: CGImage?

    init(url: String?, label: String?, corner: CGFloat = 12, greyed: Bool = false, @ViewBuilder overlay: @escaping () -> Overlay) {
        self.url = url
        self.label = label
        self.corner = corner
        self.greyed = greyed
        self.overlayContent = overlay
    }

    var body: some View {
        // A cached picture shows on the first frame: no placeholder flash while scrolling back.
        let shown = url.flatMap { images?.cached($0) } ?? (url == nil ? nil : loaded)
        RoundedRectangle(cornerRadius: corner)
            .fill(Color.secondary.opacity(0.18))
            .overlay {
                if let shown {
                    picture(shown).resizable().scaledToFill().saturation(greyed ? 0 : 1)
                }
            }
            .overlay { overlayContent() }
            .clipShape(RoundedRectangle(cornerRadius: corner))
            .task(id: url) {
                guard let url, let images else { return }
                loaded = images.cached(url)
                if loaded == nil { loaded = await images.image(url) }
            }
    }

    private func picture(_ image: CGImage) -> Image {
        if let label { return Image(image, scale: 1, label: Text(label)) }
        return Image(decorative: image, scale: 1)
    }
}

extension Thumbnail where Overlay == EmptyView {
    /// A picture with nothing over it (a strip of a LIVE's clips).
    init(url: String?, label: String?, corner: CGFloat = 12, greyed: Bool = false) {
        self.init(url: url, label: label, corner: corner, greyed: greyed) { EmptyView() }
    }
}

/// One frame of a storyboard filling its frame: the frame's picture once loaded, the last one shown
/// meanwhile (so scrubbing does not flash), a placeholder before any.
struct StoryboardFrameView: View {
    let storyboard: Storyboard
    let index: Int
    let label: String?
    @Environment(\.mediaImages) private var images
    @State private var loaded: CGImage?

    init(storyboard: Storyboard, index: Int, label: String?) {
        self.storyboard = storyboard
        self.index = index
        self.label = label
    }

    var body: some View {
        let shown = images?.cachedFrame(storyboard, index) ?? loaded
        Rectangle()
            .fill(Color.secondary.opacity(0.18))
            .overlay {
                if let shown {
                    picture(shown).resizable().scaledToFill()
                }
            }
            .clipped()
            .task(id: "\(storyboard.url)#\(index)") {
                guard let images else { return }
                if let got = await images.frame(storyboard, index) { loaded = got }
            }
    }

    private func picture(_ image: CGImage) -> Image {
        if let label { return Image(image, scale: 1, label: Text(label)) }
        return Image(decorative: image, scale: 1)
    }
}
