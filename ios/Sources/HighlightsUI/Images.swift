import SwiftUI
import ImageIO
import HighlightsKit

/// A decoded picture, boxed so that caches and tasks can hold it whatever CoreGraphics says of sendability.
final class Decoded: @unchecked Sendable {
    /// The picture; CGImage is immutable, so sharing it across threads is safe.
    let image: CGImage

    init(_ image: CGImage) { self.image = image }
}

/// Thumbnails and storyboards by URL for the screens: bytes through `fetch` (the store's `media`,
/// with the seller's token and its own cache of bytes), decoded off the main thread, decoded
/// pictures and cut-out storyboard frames kept in memory. One fetch and decode per URL at a time
/// however many cards ask; a failure is not kept, so the next look tries again.
public final class MediaImages: @unchecked Sendable {
    private let fetch: @Sendable (String) async throws -> Data
    private let images = NSCache<NSString, Decoded>()
    private let frames = NSCache<NSString, Decoded>()
    // Guards inFlight; the caches are thread-safe on their own.
    private let lock = NSLock()
    private var inFlight: [String: Task<Decoded?, Never>] = [:]

    /// A loader over `fetch`, which returns a media URL's bytes or throws.
    public init(fetch: @escaping @Sendable (String) async throws -> Data) {
        self.fetch = fetch
        images.countLimit = 256
        frames.countLimit = 512
    }

    /// A loader over the store's `media(url:)`.
    public convenience init(store: HighlightsStore) {
        self.init(fetch: { [weak store] url in
            guard let store else { throw CancellationError() }
            return try await store.media(url: url)
        })
    }

    /// The picture of `url` if it is in memory, without waiting (what a card shows on its first frame).
    func cached(_ url: String) -> CGImage? { images.object(forKey: url as NSString)?.image }

    /// The picture of `url`, fetched and decoded if it is not in memory; nil when it cannot be had now.
    func image(_ url: String) async -> CGImage? {
        if let hit = cached(url) { return hit }
        let task = locked { () -> Task<Decoded?, Never> in
            if let running = inFlight[url] { return running }
            let fetch = self.fetch
            let started = Task.detached(priority: .utility) { () -> Decoded? in
                guard let data = try? await fetch(url) else { return nil }
                return decodeImage(data).map(Decoded.init)
            }
            inFlight[url] = started
            return started
        }
        let decoded = await task.value
        locked {
            inFlight[url] = nil
            if let decoded { images.setObject(decoded, forKey: url as NSString) }
        }
        return decoded?.image
    }

    /// Frame `index` of `storyboard` if it is in memory, without waiting.
    func cachedFrame(_ storyboard: Storyboard, _ index: Int) -> CGImage? {
        frames.object(forKey: frameKey(storyboard, index))?.image
    }

    /// Frame `index` of `storyboard`, cut out of its grid once the grid is loaded, and kept.
    func frame(_ storyboard: Storyboard, _ index: Int) async -> CGImage? {
        if let hit = cachedFrame(storyboard, index) { return hit }
        guard let grid = await image(storyboard.url), let cut = cropFrame(grid, storyboard, index) else { return nil }
        frames.setObject(Decoded(cut), forKey: frameKey(storyboard, index))
        return cut
    }

    private func frameKey(_ storyboard: Storyboard, _ index: Int) -> NSString {
        "\(storyboard.url)#\(index)" as NSString
    }

    private func locked<T>(_ work: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return work()
    }
}

/// Decodes a JPEG or PNG (thumbnail, storyboard); nil when the bytes are not a picture.
func decodeImage(_ data: Data) -> CGImage? {
    guard let source = CGImageSourceCreateWithData(data as CFData, nil) else { return nil }
    return CGImageSourceCreateImageAtIndex(source, 0, nil)
}

/// Frame `index` of `storyboard` cut out of its grid `image`: the tile at column i % columns, row
/// i / columns; nil when the grid is smaller than the storyboard says.
func cropFrame(_ image: CGImage, _ storyboard: Storyboard, _ index: Int) -> CGImage? {
    let frames = max(1, Int(storyboard.frames)), columns = max(1, Int(storyboard.columns))
    let i = min(max(0, index), frames - 1)
    let w = Int(storyboard.frameWidth), h = Int(storyboard.frameHeight)
    let rect = CGRect(x: (i % columns) * w, y: (i / columns) * h, width: w, height: h)
    guard w > 0, h > 0, Int(rect.maxX) <= image.width, Int(rect.maxY) <= image.height else { return nil }
    return image.cropping(to: rect)
}

/// Where a time of the recording (`t` ms from its start `t0`) is in `strips`: its storyboard and frame.
func frameAt(_ strips: [StoryboardStrip], t0: Int64, t: Int64) -> (storyboard: Storyboard, index: Int)? {
    let at = t0 + t
    guard let strip = strips.first(where: { at >= $0.startMs && at < $0.endMs }) else { return nil }
    let interval = max(1, strip.storyboard.intervalMs)
    let index = Int((at - strip.startMs) / interval)
    return (strip.storyboard, min(max(0, index), max(0, Int(strip.storyboard.frames) - 1)))
}

private struct MediaImagesKey: EnvironmentKey {
    static let defaultValue: MediaImages? = nil
}

extension EnvironmentValues {
    /// The screens' picture loader; nil (pictures stay placeholders) where no store backs the screens.
    public var mediaImages: MediaImages? {
        get { self[MediaImagesKey.self] }
        set { self[MediaImagesKey.self] = newValue }
    }
}
