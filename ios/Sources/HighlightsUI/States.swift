import SwiftUI
import HighlightsKit

/// What the data on screen can be trusted for: each shows differently, none pretends to be another.
enum DataState {
    /// Never synced, and a sync is running or has not finished yet: skeletons.
    case loading
    /// Never synced, and the last attempt failed: nothing to show, an error with Retry.
    case failed
    /// Synced once, offline now: what was saved, said so.
    case offline
    /// Up to date.
    case fresh
}

/// The state of the data behind `sync`, per the core's sync indicator.
func dataState(_ sync: SyncIndicator) -> DataState {
    if sync.lastUpdatedMs == nil && (!sync.attempted || sync.syncing) { return .loading }
    if sync.lastUpdatedMs == nil { return .failed }
    if !sync.online { return .offline }
    return .fresh
}

/// Online or offline, when the data was last brought up to date, and the changes still waiting to be sent.
struct SyncLine: View {
    let sync: SyncIndicator

    var body: some View {
        Text(text)
            .font(.caption)
            .foregroundStyle(sync.online ? Color.secondary : Color.red)
    }

    private var text: String {
        let state: String
        if dataState(sync) == .loading {
            state = L("sync_connecting")
        } else if let updated = sync.lastUpdatedMs {
            state = sync.online ? L("sync_updated", clock(updated)) : L("sync_offline_saved", clock(updated))
        } else {
            state = sync.online ? L("sync_online") : L("sync_offline")
        }
        let waiting = Int(sync.pendingActions)
        return waiting > 0 ? L("sync_line_waiting", state, P("sync_waiting", waiting, waiting)) : state
    }
}

/// A grey block standing in for content being loaded (still: no shimmer, so pictures stay stable).
struct Bone: View {
    let width: CGFloat
    let height: CGFloat

    var body: some View {
        RoundedRectangle(cornerRadius: 8).fill(Color.secondary.opacity(0.18)).frame(width: width, height: height)
    }
}

/// Skeleton LIVE rows while the first sync runs.
struct SkeletonRows: View {
    var count = 4

    var body: some View {
        VStack(alignment: .leading, spacing: 16) {
            Bone(width: 120, height: 14)
            ForEach(0..<count, id: \.self) { _ in
                HStack(alignment: .top, spacing: 12) {
                    Bone(width: 64, height: 114)
                    VStack(alignment: .leading, spacing: 8) {
                        Bone(width: 180, height: 18)
                        Bone(width: 120, height: 14)
                        Bone(width: 150, height: 14)
                    }
                }
            }
        }
        .padding(.vertical, 8)
        .accessibilityElement(children: .ignore)
        .accessibilityLabel(L("loading"))
    }
}

/// Nothing could be loaded: what went wrong, and Retry.
struct ErrorStateView: View {
    let title: String
    let message: String
    let onRetry: () -> Void

    var body: some View {
        VStack(alignment: .leading, spacing: 8) {
            Text(title).font(.headline)
            Text(message).font(.subheadline)
            Button(L("retry"), action: onRetry).buttonStyle(.borderedProminent)
        }
        .frame(maxWidth: .infinity, alignment: .leading)
        .padding(16)
        .background(Color.red.opacity(0.12), in: RoundedRectangle(cornerRadius: 12))
    }
}

/// Loaded, and there is nothing yet: what will appear here, and when.
struct EmptyStateView: View {
    let title: String
    let message: String

    var body: some View {
        VStack(spacing: 8) {
            Text(title).font(.headline)
            Text(message).font(.subheadline).foregroundStyle(.secondary).multilineTextAlignment(.center)
        }
        .frame(maxWidth: .infinity)
        .padding(24)
    }
}
