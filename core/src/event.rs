//! What a seller can do: the events shells forward to the core.

/// One seller action or navigation, forwarded by a shell.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Event {
    /// Products → Highlights: open the screen with the toggle.
    OpenHighlights,
    /// Open the LIVE highlight module (first page of recordings).
    OpenModule,
    /// Load the next page of recordings.
    LoadMoreRecordings,
    /// Open one recording of the module.
    OpenRecording {
        /// The recording.
        recording_id: String,
    },
    /// Go back one screen.
    Back,
    /// Flip the Highlights toggle.
    SetToggle {
        /// The value the seller chose.
        on: bool,
    },
    /// Confirm the onboarding overlay: turn the feature on and land in the module.
    ConfirmOnboarding,
    /// Close the onboarding overlay: the feature stays off.
    DismissOnboarding,
    /// The seller tapped the shopping bag before going LIVE.
    ShoppingBagTapped,
    /// "Turn on" in the pre-LIVE pop-up.
    PopupTurnOn,
    /// "X" in the pre-LIVE pop-up.
    PopupDismiss,
    /// Post a recommendation of the open recording.
    PostRecommendation {
        /// The recommendation.
        highlight_id: String,
    },
    /// Take a posted or scheduled highlight down.
    RemoveHighlight {
        /// The highlight.
        highlight_id: String,
    },
    /// Cut a shoppable video from a recording.
    CreateVideo {
        /// The recording.
        recording_id: String,
        /// Segment start (epoch ms).
        start_ms: i64,
        /// Segment end (epoch ms).
        end_ms: i64,
        /// The product to tie it to.
        product_id: String,
    },
    /// Remove every auto-posted highlight of one recording, or of every recording with `None`
    /// (after the shell's confirmation). It waits on the device for the undo window first.
    RemoveAllHighlights {
        /// The recording, or `None` for all of them.
        recording_id: Option<String>,
    },
    /// Switch Auto LIVE Highlights on or off for one recording (typically during its LIVE): off
    /// cancels its scheduled posts and keeps no new moments of it.
    SetLiveHighlights {
        /// The recording.
        recording_id: String,
        /// The seller's choice.
        on: bool,
    },
    /// Switch "Ask me before posting" on or off: each auto-post then waits for approval.
    SetReviewBeforePosting {
        /// The seller's choice.
        on: bool,
    },
    /// "Reset" next to the learned auto-post bar: back to the usual bar from the next LIVE on.
    ResetPostingBar,
    /// Choose which LIVEs get highlights: only those showing one of these products; an empty list
    /// means every shoppable LIVE.
    SetOnlyProducts {
        /// The chosen products (at most 100).
        product_ids: Vec<String>,
    },
    /// Approve an auto-post waiting for review: it posts at its post time.
    ApproveHighlight {
        /// The highlight.
        highlight_id: String,
    },
    /// Before going LIVE: switch Auto LIVE Highlights on or off for the next LIVE only.
    SetNextLiveHighlights {
        /// The seller's choice.
        on: bool,
    },
    /// Undo the last "remove all" while it still waits on the device.
    UndoRemoveAll,
    /// The seller read (or swiped away) a notification.
    DismissNotification {
        /// The notification.
        id: i64,
    },
    /// The seller read a notice.
    DismissNotice {
        /// The notice.
        id: i64,
    },
}
