import SwiftUI
import HighlightsKit

/// What one notification says, in the seller's language. Posts that wait for the seller's OK are
/// called so, as on their cards; a first post time is a countdown while ahead, and not said once past.
func notificationText(_ n: NotificationRow, review: Bool, nowMs: Int64) -> String {
    let title = n.recordingTitle.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? L("live_untitled") : n.recordingTitle
    let count = Int(n.count)
    let due = n.postAtMs.flatMap { $0 > nowMs ? $0 : nil }
    switch n.kind {
    case .scheduled:
        if review, let due { return P("notification_awaiting_in", count, title, count, countdown(due, nowMs: nowMs)) }
        if review { return P("notification_awaiting", count, title, count) }
        if let due { return P("notification_scheduled_in", count, title, count, countdown(due, nowMs: nowMs)) }
        return P("notification_scheduled", count, title, count)
    case .posted: return P("notification_posted", count, title, count)
    case .videoFailed: return P("notification_video_failed", count, title, count)
    case .removed: return P("notification_removed", count, title, count)
    }
}

/// The newest notification (scheduled, posted, video failed, removed; coalesced per recording) as
/// an in-app banner over every screen: tap opens its recording, X dismisses it.
struct NotificationBanner: View {
    @ObservedObject var store: HighlightsStore

    var body: some View {
        if let n = store.state.notifications.first {
            HStack {
                // Its countdown ticks by the second.
                TimelineView(.periodic(from: .now, by: 1)) { context in
                    Button { store.tap(.openRecording(recordingId: n.recordingId)) } label: {
                        Text(notificationText(n, review: store.state.highlights.reviewBeforePosting, nowMs: epochMs(context.date)))
                            .font(.callout)
                            .multilineTextAlignment(.leading)
                    }
                }
                Spacer()
                Button { store.tap(.dismissNotification(id: n.id)) } label: { Image(systemName: "xmark") }
                    .frame(minWidth: 44, minHeight: 44)
                    .accessibilityLabel(L("dismiss"))
            }
            .padding(.horizontal)
            .background(.thinMaterial)
        }
    }
}

/// Undo for the last "remove all" until it leaves the device, else the core's oldest notice, else
/// the last refusal, as a banner the seller dismisses.
struct NoticeBanner: View {
    @ObservedObject var store: HighlightsStore

    var body: some View {
        if let undo = store.state.undo, undo.untilMs > epochMs() {
            // Until the removal leaves the device; the banner goes when the core's state moves on.
            HStack {
                Text(L("removed_all")).font(.callout)
                Spacer()
                Button(L("undo")) { store.tap(.undoRemoveAll) }.frame(minWidth: 44, minHeight: 44)
            }
            .padding()
            .background(.thinMaterial, in: RoundedRectangle(cornerRadius: 12))
            .padding(.horizontal)
        } else if let notice = store.state.notice {
            banner(noticeText(notice)) { store.tap(.dismissNotice(id: notice.id)) }
        } else if let refusal = store.refusal {
            banner(refusalText(refusal)) { store.dismissRefusal() }
        }
    }

    private func noticeText(_ notice: Notice) -> String {
        switch notice.kind {
        case .cacheReset: return L("notice_cache_reset")
        case .videoFailed: return L("notice_video_failed")
        case .actionRefused: return L("notice_refused", notice.message)
        case .videoQuotaReached: return L("notice_video_quota")
        }
    }

    private func banner(_ text: String, dismiss: @escaping () -> Void) -> some View {
        HStack {
            Text(text).font(.callout)
            Spacer()
            Button(action: dismiss) { Image(systemName: "xmark") }
                .frame(minWidth: 44, minHeight: 44)
                .accessibilityLabel(L("close"))
        }
        .padding()
        .background(.thinMaterial, in: RoundedRectangle(cornerRadius: 12))
        .padding(.horizontal)
    }
}
