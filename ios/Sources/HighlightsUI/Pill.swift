import SwiftUI

/// The feature's few fixed colours: the LIVE red, and chip colours that read on a thumbnail.
enum Palette {
    /// The LIVE marker and the LIVE-now chip: the red sellers know from the LIVE room.
    static let live = Color(red: 0.898, green: 0.224, blue: 0.208)
    /// A translucent dark backing for badges over a picture (length, views).
    static let onImage = Color.black.opacity(0.6)
    /// What earned money: GMV and orders lines, the GMV tile.
    static let earned = Color.green
}

/// A small rounded label: a status, a LIVE marker, a length. Numbers and their units stay on one
/// line (the resources join them with no-break spaces); a status may take two lines.
struct Pill: View {
    let text: String
    let background: Color
    let foreground: Color
    var maxLines: Int = 1

    var body: some View {
        Text(text)
            .font(.caption.weight(.semibold))
            .lineLimit(maxLines)
            .padding(.horizontal, 8)
            .padding(.vertical, 3)
            .foregroundStyle(foreground)
            .background(background, in: RoundedRectangle(cornerRadius: 10))
    }
}

/// The LIVE marker of a recording that is on right now.
struct LivePill: View {
    var body: some View {
        Pill(text: L("live_chip"), background: Palette.live, foreground: .white)
    }
}
