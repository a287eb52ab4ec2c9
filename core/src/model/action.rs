//! Seller actions the backend must learn about, and their place in the outbox.

use serde::{Deserialize, Serialize};

/// One seller action waiting for delivery.
///
/// Stored as JSON in the outbox: the serde names are the stored spellings of earlier builds and
/// never change, or an upgrade would strand the actions queued before it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// The toggle was flipped.
    #[serde(rename = "set_highlights")]
    SetToggle {
        /// New value.
        on: bool,
    },
    /// The seller confirmed the onboarding overlay.
    CompleteOnboarding,
    /// The pre-LIVE pop-up was shown once more.
    PopupShown,
    /// The seller closed the pre-LIVE pop-up.
    PopupDismissed {
        /// When (epoch ms), which starts the cooldown.
        at_ms: i64,
    },
    /// The seller posted a recommendation.
    PostRecommendation {
        /// The recommendation.
        highlight_id: String,
        /// Its recording, so the module can count it before the server confirms.
        #[serde(rename = "live_id")]
        recording_id: String,
    },
    /// The seller took a highlight down.
    RemoveHighlight {
        /// The highlight.
        highlight_id: String,
        /// Its recording, so the module can count it before the server confirms.
        #[serde(rename = "live_id")]
        recording_id: String,
    },
    /// The seller removed every auto-posted highlight of a recording, or of all of them.
    RemoveAllHighlights {
        /// The recording, or `None` for every one.
        #[serde(rename = "live_id")]
        recording_id: Option<String>,
    },
    /// The seller switched "Ask me before posting" on or off.
    SetReviewBeforePosting {
        /// The choice.
        on: bool,
    },
    /// The seller put the auto-post bar learned from them back to the usual one.
    #[serde(rename = "reset_posting_bar")]
    ResetPostingBar,
    /// The seller chose which LIVEs get highlights (only those showing one of these products;
    /// none: every LIVE).
    SetOnlyProducts {
        /// The products, sorted, once each.
        product_ids: Vec<String>,
    },
    /// The seller approved an auto-post waiting for review.
    ApproveHighlight {
        /// The highlight.
        highlight_id: String,
        /// Its recording, for the module.
        #[serde(rename = "live_id")]
        recording_id: String,
    },
    /// The seller switched highlights on or off for their next LIVE, before going LIVE.
    SetNextLiveHighlights {
        /// The choice.
        on: bool,
    },
    /// The seller switched highlights on or off for one recording.
    SetLiveHighlights {
        /// The recording.
        #[serde(rename = "live_id")]
        recording_id: String,
        /// The choice.
        on: bool,
    },
    /// The seller cut a shoppable video from a recording.
    CreateVideo {
        /// Local id shown until the server assigns one.
        local_id: String,
        /// The recording.
        #[serde(rename = "live_id")]
        recording_id: String,
        /// Segment start (epoch ms).
        start_ms: i64,
        /// Segment end (epoch ms).
        end_ms: i64,
        /// The product.
        product_id: String,
    },
}

impl Action {
    /// Whether this action changes the settings (as opposed to a highlight).
    pub fn is_settings(&self) -> bool {
        matches!(
            self,
            Action::SetToggle { .. }
                | Action::CompleteOnboarding
                | Action::PopupShown
                | Action::PopupDismissed { .. }
                | Action::SetNextLiveHighlights { .. }
                | Action::SetReviewBeforePosting { .. }
                | Action::ResetPostingBar
                | Action::SetOnlyProducts { .. }
        )
    }

    /// The highlight this action changes, if it changes one that exists.
    pub(crate) fn highlight_id(&self) -> Option<&str> {
        match self {
            Action::PostRecommendation { highlight_id, .. }
            | Action::RemoveHighlight { highlight_id, .. }
            | Action::ApproveHighlight { highlight_id, .. } => Some(highlight_id),
            _ => None,
        }
    }
}

impl OutboxEntry {
    /// Whether this is a "remove all" still waiting out its undo window at `now_ms`.
    pub(crate) fn undoable(&self, now_ms: i64) -> bool {
        matches!(self.action, Action::RemoveAllHighlights { .. })
            && self.attempts == 0
            && self.next_attempt_at_ms > now_ms
    }
}

/// A queued action with its delivery bookkeeping.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    /// Queue position; delivery follows it.
    pub id: i64,
    /// Sent with the request so a retry never acts twice.
    pub idempotency_key: String,
    /// What the seller did.
    pub action: Action,
    /// When the seller did it (epoch ms, device clock).
    pub created_at_ms: i64,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// Not to be retried before this time (epoch ms).
    pub next_attempt_at_ms: i64,
}
