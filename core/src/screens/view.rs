//! What the shells render: one plain-data struct per screen, rebuilt by the core after every change.

use highlights_api::{FormatSpec, HighlightKind, Reason, Results, Storyboard, VideoState};

/// Which screen is on top; the shells navigate to it, the core decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Screen {
    /// The LIVE section's Products list, where the Highlights entry lives.
    Products,
    /// The Highlights screen with the toggle.
    Highlights,
    /// The LIVE highlight module: past recordings.
    Module,
    /// One recording of the module with its highlights and recommendations.
    Recording,
}

/// The limits in force, shown on the Highlights screen; all come from remote config.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Limits {
    /// Most auto-posted videos per LIVE.
    pub max_posts_per_live: u32,
    /// Most auto-posted videos per pinned product.
    pub max_posts_per_product: u32,
    /// Typical delay before a moment is posted, in seconds.
    pub post_delay_s: u32,
    /// Shortest clip, in seconds.
    pub clip_min_s: u32,
    /// Longest clip, in seconds.
    pub clip_max_s: u32,
}

/// The Highlights screen (LIVE section → Products → Highlights).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct HighlightsScreen {
    /// The toggle as the seller last set it (pending changes included).
    pub on: bool,
    /// A change of the toggle is waiting to reach the server.
    pub pending: bool,
    /// Limits to explain; `None` until remote config has been synced once.
    pub limits: Option<Limits>,
    /// The data-privacy page's text from remote config, one paragraph per line; `None` until synced.
    pub privacy_notice: Option<String>,
    /// Highlights for the seller's next LIVE (set before going LIVE; used up when it starts).
    pub next_live_on: bool,
    /// "Ask me before posting": auto-posts wait for the seller's approval.
    pub review_before_posting: bool,
    /// Which LIVEs get highlights: the products of the seller's recordings (and any chosen ones
    /// not cached), each marked when chosen. None chosen means every shoppable LIVE. Filled
    /// while this screen is open.
    pub product_choices: Vec<ProductChoice>,
}

/// A product the seller can choose on the Highlights screen: only LIVEs showing a chosen
/// product get highlights.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ProductChoice {
    /// Product id.
    pub id: String,
    /// Display name (the id when no cached recording names it).
    pub name: String,
    /// Whether it is chosen.
    pub chosen: bool,
}

/// Where the seller goes after confirming onboarding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum OnboardingOrigin {
    /// From the toggle on the Highlights screen.
    Toggle,
    /// From "Turn on" in the pre-LIVE pop-up.
    Popup,
}

/// The first-time onboarding overlay: benefits and data privacy, then Confirm or dismiss.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct OnboardingOverlay {
    /// Which entry point opened it.
    pub origin: OnboardingOrigin,
    /// Limits to mention in the benefits, when known.
    pub limits: Option<Limits>,
}

/// The pre-LIVE auto-post pop-up shown when the seller taps the shopping bag.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AutoPostPopup {
    /// Most auto-posted videos per LIVE, for the pop-up's copy.
    pub max_posts_per_live: u32,
}

/// How one highlight is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum HighlightBadge {
    /// Waiting for its post time.
    Scheduled,
    /// Waiting for the seller's approval ("Ask me before posting"); without it, at its post time
    /// it becomes a recommendation.
    AwaitingApproval,
    /// On the seller's profile.
    Posted,
    /// Posted and its LIVE is still on: the video sends viewers into the room.
    LiveNow,
    /// A recommendation the seller can still post.
    Recommended,
    /// Taken down.
    Removed,
    /// Created or changed on this device, not yet confirmed by the server.
    Pending,
}

/// A highlight row of a recording.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct HighlightRow {
    /// Highlight id (a local id for a video not yet confirmed by the server).
    pub id: String,
    /// Auto, recommendation or manual.
    pub kind: HighlightKind,
    /// What to show on the row.
    pub badge: HighlightBadge,
    /// Segment start (epoch ms).
    pub start_ms: i64,
    /// Segment end (epoch ms).
    pub end_ms: i64,
    /// Product the clip is tied to.
    pub product_id: Option<String>,
    /// Engine score.
    pub score: f64,
    /// Why the engine picked it, in English (what an old server sends; shown when `reasons` is empty).
    pub signals: Vec<String>,
    /// Why the engine picked it, as values the shells word in the seller's language.
    pub reasons: Vec<Reason>,
    /// When it posts or posted (epoch ms).
    pub post_at_ms: Option<i64>,
    /// Experimental format features.
    pub format: FormatSpec,
    /// The clip's video, once the server is making it.
    pub video: Option<VideoRow>,
    /// What the posted video earned from viewers; absent before its first viewer.
    pub results: Option<Results>,
}

/// A highlight's video as the row shows it: render state, then a thumbnail and a player URL.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct VideoRow {
    /// Rendering, ready or failed.
    pub state: VideoState,
    /// Length, end card included, in ms (once ready).
    pub duration_ms: Option<i64>,
    /// URL a player opens (once ready).
    pub player_url: Option<String>,
    /// URL of the thumbnail (once ready).
    pub thumbnail_url: Option<String>,
    /// Its frames as one grid image, for scrubbing (once ready; absent for older videos).
    pub storyboard: Option<Storyboard>,
}

/// A recording row of the module list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RecordingRow {
    /// LIVE id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Start (epoch ms).
    pub started_at_ms: i64,
    /// End (epoch ms), absent while the LIVE is on.
    pub ended_at_ms: Option<i64>,
    /// The LIVE is on right now.
    pub is_live: bool,
    /// Auto LIVE Highlights works on this LIVE (the seller can switch it off for this one).
    pub highlights_on: bool,
    /// Auto-posted and seller-made videos on the profile or about to be.
    pub highlight_count: u32,
    /// Recommendations the seller can still post.
    pub recommendation_count: u32,
    /// Thumbnail of its best clip (highest score, not taken down), once a video is ready.
    pub cover_url: Option<String>,
    /// Thumbnails of its first clips (not taken down), in time order, at most [`STRIP_THUMBNAILS`].
    pub thumbnail_urls: Vec<String>,
    /// Views of all its videos.
    pub views: u64,
    /// GMV of all its videos, in minor units of the config's currency.
    pub gmv_minor: i64,
}

/// Most thumbnails a module row shows in its strip.
pub const STRIP_THUMBNAILS: u32 = 6;

/// The LIVE highlight module list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ModuleScreen {
    /// Recordings loaded so far, newest first.
    pub recordings: Vec<RecordingRow>,
    /// More recordings can be loaded.
    pub has_more: bool,
    /// ISO 4217 code of the currency GMV is in (from remote config).
    pub currency: String,
    /// Auto-posts on the profile, every LIVE: what a module-wide "Remove all" takes down.
    #[cfg_attr(feature = "uniffi", uniffi(default = 0))]
    pub auto_posted: u32,
    /// Auto-posts scheduled or waiting for the seller's OK, every LIVE: not posted after a
    /// module-wide "Remove all".
    #[cfg_attr(feature = "uniffi", uniffi(default = 0))]
    pub auto_scheduled: u32,
    /// Videos the seller made or posted themselves, still up or on their way: they stay.
    #[cfg_attr(feature = "uniffi", uniffi(default = 0))]
    pub own_videos: u32,
    /// How Highlights now posts for this seller, learned from what they did; `None` while the
    /// usual bar holds (or a reset is on its way).
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub posting_bar: Option<PostingBarNote>,
}

/// The auto-post bar as the server learned it from the seller, for a note the shells word with a
/// "Reset" button ([`crate::Event::ResetPostingBar`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PostingBarNote {
    /// Posting fewer (the seller removed auto-posts); `false`: posting more (they posted
    /// recommendations themselves).
    pub fewer: bool,
    /// Of the seller's last auto-posts, how many they removed.
    pub removed: u32,
    /// How many auto-posts `removed` counts among.
    pub of_last: u32,
    /// How many recommendations of the seller's last LIVEs they posted themselves.
    pub posted_by_hand: u32,
}

/// A product of a recording, for the create-video sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ProductRow {
    /// Product id.
    pub id: String,
    /// Display name.
    pub name: String,
}

/// One recording opened from the module.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RecordingScreen {
    /// The recording.
    pub recording: RecordingRow,
    /// Its products, for the create-video sheet.
    pub products: Vec<ProductRow>,
    /// Auto-posted and seller-made videos, newest first.
    pub highlights: Vec<HighlightRow>,
    /// Recommendations the seller can still post, best first.
    pub recommendations: Vec<HighlightRow>,
    /// Auto-posts on the profile or about to be (what "Remove all" takes down); 0: nothing to remove.
    pub auto_posts: u32,
    /// What this LIVE's videos earned, all highlights together (taken-down ones included: they
    /// earned it while up).
    pub results: Results,
    /// ISO 4217 code of the currency GMV is in (from remote config).
    pub currency: String,
}

/// Freshness of what is on screen.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncIndicator {
    /// The last sync attempt reached the server.
    pub online: bool,
    /// When the cache was last brought up to date (epoch ms), if ever.
    pub last_updated_ms: Option<i64>,
    /// Seller actions waiting to reach the server.
    pub pending_actions: u32,
    /// A sync is running now (with nothing cached yet, shells show loading, not "empty").
    pub syncing: bool,
    /// A sync has finished, well or not, since the app opened: before that, "offline" is unknown.
    pub attempted: bool,
}

/// What a notice is about, so that shells say it in the seller's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum NoticeKind {
    /// The cache on this device was damaged and rebuilt; it reloads from the server.
    CacheReset,
    /// A highlight's video could not be made; it is back among the recommendations.
    VideoFailed,
    /// The server refused a queued action; `message` is the server's reason.
    ActionRefused,
    /// The server refused a video the seller made: too many are being made at once, or too many
    /// were made in the last 24 hours; `message` is the server's reason, with when it frees up.
    VideoQuotaReached,
}

impl NoticeKind {
    /// The name the cache stores.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::CacheReset => "cache_reset",
            Self::VideoFailed => "video_failed",
            Self::ActionRefused => "action_refused",
            Self::VideoQuotaReached => "video_quota_reached",
        }
    }

    /// What a refusal with the server's error `code` is about: a code the shells word on their
    /// own, or else a refusal shown by its message.
    pub(crate) fn of_refusal(code: &str) -> Self {
        match code {
            highlights_api::VIDEO_QUOTA_REACHED => Self::VideoQuotaReached,
            _ => Self::ActionRefused,
        }
    }

    /// Reads a stored name; an unknown one (a newer build's) reads as a refusal, shown by its message.
    pub(crate) fn parse(s: &str) -> Self {
        match s {
            "cache_reset" => Self::CacheReset,
            "video_failed" => Self::VideoFailed,
            "video_quota_reached" => Self::VideoQuotaReached,
            _ => Self::ActionRefused,
        }
    }
}

/// A message for the seller, e.g. an action the server refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Notice {
    /// Notice id, to dismiss it.
    pub id: i64,
    /// What it is about; shells word it from this in the device's language.
    pub kind: NoticeKind,
    /// What happened, in plain English (for a refusal, the server's reason).
    pub message: String,
}

/// Everything the shells render, one field per screen.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ViewState {
    /// The screen on top.
    pub screen: Screen,
    /// The Highlights screen.
    pub highlights: HighlightsScreen,
    /// The onboarding overlay, when shown.
    pub onboarding: Option<OnboardingOverlay>,
    /// The pre-LIVE pop-up, when shown.
    pub popup: Option<AutoPostPopup>,
    /// The module list.
    pub module: ModuleScreen,
    /// The open recording, when one is open.
    pub recording: Option<RecordingScreen>,
    /// Offline / last-updated indicator.
    pub sync: SyncIndicator,
    /// Oldest unread notice.
    pub notice: Option<Notice>,
    /// The last "remove all", while it can still be undone.
    pub undo: Option<UndoOffer>,
    /// What happened to the seller's highlights, newest first (unread, coalesced, at most 10):
    /// shells show it as in-app banners and, where the platform allows, system notifications.
    pub notifications: Vec<NotificationRow>,
}

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum NotificationKind {
    /// Highlights were scheduled to post (`post_at_ms`: the first of them).
    Scheduled,
    /// Highlights were posted to the profile.
    Posted,
    /// Videos could not be made; those highlights are recommendations again.
    VideoFailed,
    /// Auto-posts were taken down elsewhere (another device, or the LIVE switched off).
    Removed,
}

/// One entry of the notification feed: a kind for one recording, with how many times it happened
/// since the seller last dismissed it (a busy LIVE counts up instead of adding rows).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NotificationRow {
    /// Id, to dismiss it.
    pub id: i64,
    /// What happened.
    pub kind: NotificationKind,
    /// The recording it happened in.
    pub recording_id: String,
    /// Its title.
    pub recording_title: String,
    /// How many highlights it concerns.
    pub count: u32,
    /// When this device learned of the latest one (epoch ms).
    pub at_ms: i64,
    /// For scheduled ones: when the first of them posts (epoch ms).
    pub post_at_ms: Option<i64>,
}

/// A "remove all" waiting out its undo window on the device: shells offer Undo until `until_ms`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct UndoOffer {
    /// The recording whose auto-posted highlights go, or `None` for every recording.
    pub recording_id: Option<String>,
    /// When it is sent and can no longer be undone (epoch ms, device clock).
    pub until_ms: i64,
}
