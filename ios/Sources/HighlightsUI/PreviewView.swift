import SwiftUI
import AVKit
import HighlightsKit

/// A highlight before (or after) it goes out: its frames to scrub through, the MP4 itself in
/// AVKit's player, "open in player" always; then why it was picked, what it earned, and the
/// card's actions.
struct PreviewView: View {
    let row: HighlightRow
    let product: String
    let range: String
    let currency: String
    let nowMs: Int64
    let actions: CardActions
    /// The video's URL, once it is rendered.
    let playerUrl: String?
    /// The bytes of a media URL, with the seller's token where it belongs (the store's `media`).
    let loadVideo: (String) async throws -> Data
    let onClose: () -> Void

    @State private var position: Double = 0
    @State private var player: AVPlayer?
    @State private var loading = false
    @State private var unplayable = false
    @Environment(\.openURL) private var openURL

    init(
        row: HighlightRow, product: String, range: String, currency: String, nowMs: Int64, actions: CardActions,
        playerUrl: String?, loadVideo: @escaping (String) async throws -> Data, onClose: @escaping () -> Void
    ) {
        self.row = row
        self.product = product
        self.range = range
        self.currency = currency
        self.nowMs = nowMs
        self.actions = actions
        self.playerUrl = playerUrl
        self.loadVideo = loadVideo
        self.onClose = onClose
    }

    private var ready: Bool { row.video?.state == .ready }

    var body: some View {
        NavigationStack {
            ScrollView {
                VStack(alignment: .leading, spacing: 12) {
                    screenArea
                        .frame(width: 240, height: 240 * 16 / 9)
                        .clipShape(RoundedRectangle(cornerRadius: 16))
                        .frame(maxWidth: .infinity)
                    if let storyboard = row.video?.storyboard, player == nil, storyboard.frames > 1 {
                        let last = Int(storyboard.frames) - 1
                        Slider(value: $position, in: 0...Double(last), step: 1)
                            .accessibilityLabel(L("scrub_cd"))
                        Text(L("scrub_position", timecode(Int64(position.rounded()) * storyboard.intervalMs), timecode(Int64(last) * storyboard.intervalMs)))
                            .font(.caption)
                            .lineLimit(1)
                    }
                    HStack(spacing: 8) {
                        if ready, let url = playerUrl {
                            if player != nil {
                                Button(L("stop")) { player?.pause(); player = nil }.buttonStyle(.bordered)
                            } else if loading {
                                ProgressView()
                            } else {
                                Button(L("play")) { play(url) }.buttonStyle(.borderedProminent)
                            }
                            Button(L("open_in_player")) { if let link = URL(string: url) { openURL(link) } }
                        }
                    }
                    if unplayable {
                        Text(L("video_unplayable")).font(.footnote).foregroundStyle(.red)
                    }
                    let reasons = reasonLines(row, currency: currency)
                    if !reasons.isEmpty {
                        Text(L("why_picked")).font(.headline)
                        ForEach(Array(reasons.enumerated()), id: \.offset) { _, line in Text(line).font(.subheadline) }
                    }
                    if let results = row.results {
                        Text(L("results_video")).font(.headline)
                        ResultTiles(results: results, currency: currency)
                    }
                    CardButtons(row: row, range: range, nowMs: nowMs, actions: actions)
                }
                .padding(16)
            }
            .navigationTitle(L("preview_title", product, range))
            .toolbar {
                ToolbarItem(placement: .cancellationAction) { Button(L("close"), action: onClose) }
            }
        }
        // The player goes back to the frames when the video has played to its end.
        .task(id: player == nil) {
            guard let item = player?.currentItem else { return }
            for await _ in NotificationCenter.default.notifications(named: .AVPlayerItemDidPlayToEndTime, object: item) {
                player = nil
                break
            }
        }
    }

    /// The video while it plays, else the frame the slider is on, else the thumbnail; the status chip over it.
    private var screenArea: some View {
        ZStack(alignment: .topLeading) {
            if let player {
                VideoPlayer(player: player).accessibilityLabel(L("video_playing_cd", range))
            } else if let storyboard = row.video?.storyboard {
                let frame = Int(position.rounded())
                StoryboardFrameView(storyboard: storyboard, index: frame, label: L("storyboard_frame_cd", timecode(Int64(frame) * storyboard.intervalMs)))
            } else {
                Thumbnail(url: ready ? row.video?.thumbnailUrl : nil, label: L("video_thumbnail_cd", range), corner: 16)
            }
            StatusChip(row: row, nowMs: nowMs).padding(8)
        }
    }

    /// Fetches the MP4 (the token goes along where it belongs), hands it to AVPlayer from a
    /// temporary file, and plays it once; a failure says so and leaves "open in player".
    @MainActor
    private func play(_ url: String) {
        unplayable = false
        loading = true
        Task {
            do {
                let bytes = try await loadVideo(url)
                let file = FileManager.default.temporaryDirectory
                    .appendingPathComponent("highlight-\(UInt(bitPattern: row.id.hashValue))")
                    .appendingPathExtension("mp4")
                try bytes.write(to: file, options: .atomic)
                let started = AVPlayer(url: file)
                player = started
                started.play()
            } catch {
                unplayable = true
            }
            loading = false
        }
    }
}
