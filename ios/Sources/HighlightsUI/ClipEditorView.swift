import SwiftUI
import HighlightsKit

/// Choosing a clip on the recording's frames: an overview of the whole LIVE (tap or drag to go
/// there), a close-up with in and out handles, the length held within the server's limits, both
/// ends' frames, inline problems, and the product the video is tied to. Nothing is typed.
///
/// The clip being chosen is this view's own state; the recording, limits and clock come in, and
/// the finished choice goes out through `onCreate` (a refusal shows inline, the editor stays open).
struct ClipEditorView: View {
    let recording: RecordingRow
    let products: [ProductRow]
    let limits: Limits?
    let nowMs: Int64
    let loadStoryboard: () async -> RecordingStoryboard?
    let onCreate: (_ startMs: Int64, _ endMs: Int64, _ productId: String) async throws -> Void
    let onClose: () -> Void

    @State private var storyboard: RecordingStoryboard?
    @State private var framesFailed = false
    @State private var start: Int64
    @State private var end: Int64
    @State private var viewStart: Int64 = 0
    @State private var product: String?
    // Where the clip was when the current drag began: drags move it from there, so it never drifts.
    @State private var dragFrom: (start: Int64, end: Int64)?
    @State private var creating = false
    @State private var refusal: String?

    /// Clip bounds when the server's limits are not known yet.
    private static let defaultMinS: UInt32 = 10
    private static let defaultMaxS: UInt32 = 60
    /// The width of a handle's touch target, in points.
    private static let handleWidth: CGFloat = 24

    init(
        recording: RecordingRow, products: [ProductRow], limits: Limits?, nowMs: Int64,
        loadStoryboard: @escaping () async -> RecordingStoryboard?,
        onCreate: @escaping (_ startMs: Int64, _ endMs: Int64, _ productId: String) async throws -> Void,
        onClose: @escaping () -> Void
    ) {
        self.recording = recording
        self.products = products
        self.limits = limits
        self.nowMs = nowMs
        self.loadStoryboard = loadStoryboard
        self.onCreate = onCreate
        self.onClose = onClose
        let total = max(0, (recording.endedAtMs ?? nowMs) - recording.startedAtMs)
        let minMs = Int64(limits?.clipMinS ?? Self.defaultMinS) * 1000
        let maxMs = max(minMs, Int64(limits?.clipMaxS ?? Self.defaultMaxS) * 1000)
        _start = State(initialValue: 0)
        _end = State(initialValue: min(total, min(max(20_000, minMs), maxMs)))
        _product = State(initialValue: products.first?.id)
    }

    private var t0: Int64 { recording.startedAtMs }
    private var total: Int64 { max(0, (recording.endedAtMs ?? nowMs) - t0) }
    private var minMs: Int64 { Int64(limits?.clipMinS ?? Self.defaultMinS) * 1000 }
    private var maxMs: Int64 { max(minMs, Int64(limits?.clipMaxS ?? Self.defaultMaxS) * 1000) }
    /// The close-up's stretch: twice the longest clip, at least a minute, at most the LIVE.
    private var window: Int64 { max(1, min(total, max(maxMs * 2, 60_000))) }
    private var strips: [StoryboardStrip] { storyboard?.strips ?? [] }

    /// What keeps Create from working, each said inline.
    private var problems: [String] {
        var found: [String] = []
        let minS = Int(minMs / 1000), maxS = Int(maxMs / 1000)
        if total < minMs { found.append(L("clip_too_short_live", minS)) }
        if start < 0 { found.append(L("clip_before_start")) }
        if end > total { found.append(L("clip_after_end")) }
        if total >= minMs && (end - start < minMs || end - start > maxMs) { found.append(L("clip_length_problem", minS, maxS)) }
        if products.isEmpty { found.append(L("clip_no_products")) }
        return found
    }

    var body: some View {
        NavigationStack {
            ScrollView {
                VStack(alignment: .leading, spacing: 12) {
                    HStack(spacing: 12) {
                        endFrame(start, label: L("clip_start_frame_cd", timecode(start)))
                        endFrame(max(start, end - 1), label: L("clip_end_frame_cd", timecode(end)))
                        VStack(alignment: .leading, spacing: 4) {
                            Text(timecode(start) + "–" + timecode(end)).font(.title3.bold()).lineLimit(1)
                            Text(L("clip_length", span(end - start))).font(.subheadline).lineLimit(1)
                            Text(L("clip_allowed", Int(minMs / 1000), Int(maxMs / 1000))).font(.caption).foregroundStyle(.secondary)
                        }
                    }
                    if strips.isEmpty {
                        Text(framesFailed ? L("clip_frames_failed") : storyboard == nil ? L("clip_frames_loading") : L("clip_no_frames"))
                            .font(.caption)
                            .foregroundStyle(.secondary)
                    }
                    Text(L("clip_whole_live", span(total))).font(.caption.weight(.semibold))
                    overview
                    Text(L("clip_drag_hint")).font(.caption.weight(.semibold))
                    closeUp
                    HStack {
                        Text(timecode(viewStart))
                        Spacer()
                        Text(timecode(viewStart + window))
                    }
                    .font(.caption2)
                    .foregroundStyle(.secondary)
                    ForEach(problems, id: \.self) { Text($0).font(.subheadline).foregroundStyle(.red) }
                    if let refusal { Text(refusal).font(.subheadline).foregroundStyle(.red) }
                    if !products.isEmpty {
                        Text(L("clip_product")).font(.headline)
                        ForEach(products, id: \.id) { p in productRow(p) }
                    }
                }
                .padding(16)
            }
            .navigationTitle(L("create_video"))
            .toolbar {
                ToolbarItem(placement: .cancellationAction) { Button(L("cancel"), action: onClose) }
                ToolbarItem(placement: .confirmationAction) {
                    Button(L("create_confirm")) { create() }
                        .disabled(!problems.isEmpty || product == nil || creating)
                }
            }
        }
        // Loaded as the editor opens; during the LIVE, again every few seconds as the recording grows.
        .task(id: recording.id) {
            while !Task.isCancelled {
                let got = await loadStoryboard()
                framesFailed = got == nil && storyboard == nil
                if let got { storyboard = got }
                if !recording.isLive { break }
                try? await Task.sleep(nanoseconds: 10_000_000_000)
            }
        }
    }

    // MARK: the clip's moves; each end stays inside the recording and the close-up, the length within the limits.

    /// `v` held within `lo`...`hi`; unchanged when no value is (the problems line says why).
    private func clamp(_ v: Int64, _ lo: Int64, _ hi: Int64) -> Int64 { lo > hi ? v : min(max(v, lo), hi) }

    private func moveStart(to proposed: Int64) {
        start = clamp(proposed, max(0, end - maxMs, viewStart), end - minMs)
    }

    private func moveEnd(to proposed: Int64) {
        end = clamp(proposed, start + minMs, min(total, start + maxMs, viewStart + window))
    }

    private func moveBoth(from: (start: Int64, end: Int64), by shift: Int64) {
        let d = clamp(shift, -from.start, total - from.end)
        start = from.start + d
        end = from.end + d
    }

    /// After a drag: the close-up follows a clip that left it.
    private func settle() {
        dragFrom = nil
        if start < viewStart || end > viewStart + window {
            viewStart = clamp((start + end) / 2 - window / 2, 0, max(0, total - window))
        }
    }

    /// Moves the clip, its length kept, to centre on `t`, and the close-up with it.
    private func jump(to t: Int64) {
        let length = end - start
        start = clamp(t - length / 2, 0, max(0, total - length))
        end = start + length
        viewStart = clamp((start + end) / 2 - window / 2, 0, max(0, total - window))
    }

    @MainActor
    private func create() {
        guard let product else { return }
        creating = true
        refusal = nil
        Task {
            do {
                try await onCreate(t0 + start, t0 + end, product)
            } catch {
                // Shown here, the editor open with what the seller chose.
                refusal = refusalText(error)
            }
            creating = false
        }
    }

    // MARK: parts

    /// The frame at one end of the clip, 9:16.
    private func endFrame(_ t: Int64, label: String) -> some View {
        Group {
            if let at = frameAt(strips, t0: t0, t: t) {
                StoryboardFrameView(storyboard: at.storyboard, index: at.index, label: label)
            } else {
                Rectangle().fill(Color.secondary.opacity(0.18))
            }
        }
        .frame(width: 72, height: 128)
        .clipShape(RoundedRectangle(cornerRadius: 8))
    }

    /// The whole LIVE in one bar: the close-up's stretch shaded, the clip outlined; a tap or drag moves the clip there.
    private var overview: some View {
        GeometryReader { geo in
            let width = max(1, geo.size.width)
            let scale = width / CGFloat(max(1, total))
            ZStack(alignment: .topLeading) {
                FilmStrip(strips: strips, t0: t0, fromMs: 0, toMs: total)
                Rectangle()
                    .fill(Color.white.opacity(0.35))
                    .frame(width: max(0, CGFloat(window) * scale))
                    .offset(x: CGFloat(viewStart) * scale)
                Rectangle()
                    .stroke(Color.accentColor, lineWidth: 2)
                    .frame(width: max(2, CGFloat(end - start) * scale))
                    .offset(x: CGFloat(start) * scale)
            }
            .contentShape(Rectangle())
            .gesture(DragGesture(minimumDistance: 0).onChanged { value in
                jump(to: Int64(value.location.x / width * CGFloat(total)))
            })
        }
        .frame(height: 40)
        .background(Color.secondary.opacity(0.18))
        .clipShape(RoundedRectangle(cornerRadius: 6))
        .accessibilityElement(children: .ignore)
        .accessibilityLabel(L("clip_overview_cd"))
        .accessibilityValue(timecode(start) + "–" + timecode(end))
        .accessibilityAdjustableAction { direction in
            let step = max(window / 4, 1000)
            jump(to: (start + end) / 2 + (direction == .increment ? step : -step))
        }
    }

    /// The stretch around the clip, close up: drag a handle to move an end, the clip between them to move it whole.
    private var closeUp: some View {
        GeometryReader { geo in
            let width = max(1, geo.size.width)
            let msPerPoint = CGFloat(window) / width
            let xStart = CGFloat(start - viewStart) / msPerPoint
            let xEnd = CGFloat(end - viewStart) / msPerPoint
            let handle = Self.handleWidth
            ZStack(alignment: .topLeading) {
                FilmStrip(strips: strips, t0: t0, fromMs: viewStart, toMs: viewStart + window)
                Rectangle().fill(Color.black.opacity(0.45)).frame(width: min(max(xStart, 0), width))
                Rectangle()
                    .fill(Color.black.opacity(0.45))
                    .frame(width: max(0, width - min(max(xEnd, 0), width)))
                    .offset(x: min(max(xEnd, 0), width))
                Rectangle()
                    .stroke(Color.accentColor, lineWidth: 3)
                    .frame(width: max(0, xEnd - xStart))
                    .offset(x: xStart)
                // The clip between the handles: drags it whole.
                Color.clear
                    .contentShape(Rectangle())
                    .frame(width: max(0, xEnd - xStart - handle))
                    .offset(x: xStart + handle / 2)
                    .gesture(DragGesture().onChanged { value in
                        let from = dragFrom ?? (start: start, end: end)
                        dragFrom = from
                        moveBoth(from: from, by: Int64(value.translation.width * msPerPoint))
                    }.onEnded { _ in settle() })
                    .accessibilityLabel(L("clip_body_cd"))
                // Each handle stays whole inside the close-up, centred on its end where it can be.
                handleView(L("clip_start_handle"), at: start)
                    .frame(width: handle)
                    .offset(x: min(max(xStart - handle / 2, 0), max(0, width - handle)))
                    .gesture(DragGesture().onChanged { value in
                        let from = dragFrom ?? (start: start, end: end)
                        dragFrom = from
                        moveStart(to: from.start + Int64(value.translation.width * msPerPoint))
                    }.onEnded { _ in settle() })
                    .accessibilityAdjustableAction { direction in
                        moveStart(to: start + (direction == .increment ? 1000 : -1000))
                        settle()
                    }
                handleView(L("clip_end_handle"), at: end)
                    .frame(width: handle)
                    .offset(x: min(max(xEnd - handle / 2, 0), max(0, width - handle)))
                    .gesture(DragGesture().onChanged { value in
                        let from = dragFrom ?? (start: start, end: end)
                        dragFrom = from
                        moveEnd(to: from.end + Int64(value.translation.width * msPerPoint))
                    }.onEnded { _ in settle() })
                    .accessibilityAdjustableAction { direction in
                        moveEnd(to: end + (direction == .increment ? 1000 : -1000))
                        settle()
                    }
            }
        }
        .frame(height: 72)
        .background(Color.secondary.opacity(0.18))
        .clipShape(RoundedRectangle(cornerRadius: 8))
    }

    /// A draggable end of the clip, read as its name and the time it is at.
    private func handleView(_ label: String, at t: Int64) -> some View {
        ZStack {
            Color.clear.contentShape(Rectangle())
            RoundedRectangle(cornerRadius: 5)
                .fill(Color.accentColor)
                .overlay(RoundedRectangle(cornerRadius: 5).stroke(Color.white, lineWidth: 2))
                .frame(width: 10)
                .padding(.vertical, 4)
        }
        .accessibilityElement(children: .ignore)
        .accessibilityLabel(label)
        .accessibilityValue(timecode(t))
    }

    /// A product the video can be tied to; the whole row is the touch target.
    private func productRow(_ p: ProductRow) -> some View {
        let chosen = p.id == product
        return Button { product = p.id } label: {
            HStack(spacing: 8) {
                Image(systemName: chosen ? "largecircle.fill.circle" : "circle")
                Text(p.name)
                Spacer(minLength: 0)
            }
            .frame(minHeight: 44)
            .contentShape(Rectangle())
        }
        .buttonStyle(.plain)
        .accessibilityAddTraits(chosen ? .isSelected : [])
    }
}

/// The recording's frames from `fromMs` to `toMs` (from its start `t0`) side by side across the
/// width, each 9:16 at the strip's height; stretches without frames stay empty.
struct FilmStrip: View {
    let strips: [StoryboardStrip]
    let t0: Int64
    let fromMs: Int64
    let toMs: Int64

    var body: some View {
        GeometryReader { geo in
            let tile = geo.size.height * 9 / 16
            let count = tile > 0 && toMs > fromMs ? Int((geo.size.width / tile).rounded(.up)) : 0
            HStack(spacing: 0) {
                ForEach(0..<count, id: \.self) { k in
                    let x = (CGFloat(k) + 0.5) * tile
                    let t = fromMs + Int64(x / max(1, geo.size.width) * CGFloat(toMs - fromMs))
                    Group {
                        if let at = frameAt(strips, t0: t0, t: t) {
                            StoryboardFrameView(storyboard: at.storyboard, index: at.index, label: nil)
                        } else {
                            Color.clear
                        }
                    }
                    .frame(width: tile, height: geo.size.height)
                }
            }
        }
        .clipped()
        .accessibilityHidden(true)
    }
}
