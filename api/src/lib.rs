//! Wire types of the Auto LIVE Highlights REST API.
//!
//! One crate owns the contract so the server, the app core and the engine cannot drift apart:
//! every request and response body, every path, the one spelling of each kind, status and format
//! variant, and the default limits.

mod lenient;
pub mod paths;
mod reason;
mod storyboard;

pub use reason::{Reason, Signal};
pub use storyboard::{RecordingStoryboard, Storyboard, StoryboardStrip};

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!("highlights_api");

/// Longest id (LIVE, highlight, product, seller) either side accepts.
pub const MAX_ID_LEN: usize = 128;

/// Whether an id can name anything: non-empty, at most [`MAX_ID_LEN`] bytes, no control characters.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_ID_LEN && !id.chars().any(char::is_control)
}

/// Header carrying the client's idempotency key on create requests.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";

/// Error body of every 4xx/5xx answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `not_found`, `stale_version`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

/// `code` of a 422 answer to `POST /v1/videos` beyond the seller's render quota: too many of their
/// videos are being made at once, or too many were made in the last 24 hours (`message` says which
/// and when it frees up).
pub const VIDEO_QUOTA_REACHED: &str = "video_quota_reached";

/// Body of a 409 answer to a stale settings write: the error and the state to rebase on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StaleSettings {
    /// Always `stale_version`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// The settings as they are now on the server.
    pub current: Settings,
}

/// Server-side limits and timings the app shows and obeys; never compiled into the app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RemoteConfig {
    /// At most this many auto-posted videos per LIVE.
    pub max_posts_per_live: u32,
    /// At most this many auto-posted videos per pinned product in one LIVE.
    pub max_posts_per_product: u32,
    /// Typical delay between identifying a moment and posting it, in seconds.
    pub post_delay_s: u32,
    /// Shortest clip a highlight or seller-made video may be, in seconds.
    pub clip_min_s: u32,
    /// Longest clip a highlight or seller-made video may be, in seconds.
    pub clip_max_s: u32,
    /// After the seller closes the pre-LIVE pop-up, it stays hidden this long, in seconds.
    pub popup_cooldown_s: u32,
    /// The pre-LIVE pop-up is shown at most this many times to a seller.
    pub popup_max_shows: u32,
    /// How often an open screen refreshes in the background, in seconds.
    pub refresh_interval_s: u32,
    /// Names of the video-format experiments currently running.
    pub format_experiments: Vec<String>,
    /// A LIVE that sends nothing for this long, without ending, no longer counts as on: its
    /// videos lose the LIVE-now link. In seconds.
    #[serde(default = "default_live_silence_s")]
    pub live_silence_s: u32,
    /// The data-privacy page the app shows from the Highlights screen and onboarding: what is
    /// analysed and why, in plain words (one paragraph per line).
    #[serde(default = "default_privacy_notice")]
    pub privacy_notice: String,
    /// How long a "remove all" waits on the device, undoable, before it is sent, in seconds.
    #[serde(default = "default_undo_window_s")]
    pub undo_window_s: u32,
    /// ISO 4217 code of the currency results' GMV is counted in (minor units).
    #[serde(default = "default_currency")]
    pub currency: String,
}

fn default_currency() -> String {
    defaults::CURRENCY.to_string()
}

fn default_live_silence_s() -> u32 {
    defaults::LIVE_SILENCE_S
}

fn default_undo_window_s() -> u32 {
    defaults::UNDO_WINDOW_S
}

fn default_privacy_notice() -> String {
    defaults::PRIVACY_NOTICE.to_string()
}

/// The limits a fresh server starts with; an admin changes them in the stored remote config.
pub mod defaults {
    /// Most auto-posted videos per LIVE.
    pub const MAX_POSTS_PER_LIVE: u32 = 20;
    /// Most auto-posted videos per pinned product in one LIVE.
    pub const MAX_POSTS_PER_PRODUCT: u32 = 3;
    /// Seconds between identifying a moment and posting it.
    pub const POST_DELAY_S: u32 = 300;
    /// Shortest clip, in seconds.
    pub const CLIP_MIN_S: u32 = 10;
    /// Longest clip, in seconds.
    pub const CLIP_MAX_S: u32 = 60;
    /// Seconds without any event after which a LIVE that never ended stops counting as on.
    pub const LIVE_SILENCE_S: u32 = 120;
    /// Seconds a "remove all" can be undone before the app sends it.
    pub const UNDO_WINDOW_S: u32 = 5;
    /// Currency of GMV in results.
    pub const CURRENCY: &str = "USD";
    /// Longest undo window a config may set, in seconds.
    pub const UNDO_WINDOW_MAX_S: u32 = 60;
    /// Longest data-privacy text a config may carry, in bytes.
    pub const PRIVACY_NOTICE_MAX_BYTES: usize = 8 * 1024;
    /// The data-privacy text a fresh server serves.
    pub const PRIVACY_NOTICE: &str = "Auto LIVE Highlights looks only at your shoppable LIVEs: the chat (comments and what they say), reactions (likes, shares, gifts), viewers joining, product clicks, add-to-carts and orders, counted per moment.\n\
        When it cuts a clip, it also reads your LIVE recording's speech (captions), sound (pauses) and scenes (cuts), so a clip ends where a sentence and a scene end.\n\
        We use them only to find your LIVE's best moments and to cut them into videos for your profile. Viewers' names and messages are not kept with your videos.\n\
        Turn the feature off at any time: nothing new is analysed or posted, and you can remove any video already posted.";
    /// What the privacy notice adds where the server recognises speech (it says so whatever
    /// notice an admin stored).
    pub const SPEECH_NOTICE: &str = "Speech recognition is on: the sound of your LIVE is turned into text on our servers, to subtitle your clips and to end them between sentences. The text is kept with your LIVE's recording.";
}

impl Default for RemoteConfig {
    fn default() -> Self {
        Self {
            max_posts_per_live: defaults::MAX_POSTS_PER_LIVE,
            max_posts_per_product: defaults::MAX_POSTS_PER_PRODUCT,
            post_delay_s: defaults::POST_DELAY_S,
            clip_min_s: defaults::CLIP_MIN_S,
            clip_max_s: defaults::CLIP_MAX_S,
            popup_cooldown_s: 7 * 24 * 3600,
            popup_max_shows: 3,
            refresh_interval_s: 30,
            format_experiments: FormatVariant::EXPERIMENTS.iter().map(|v| v.as_str().to_string()).collect(),
            live_silence_s: defaults::LIVE_SILENCE_S,
            privacy_notice: defaults::PRIVACY_NOTICE.to_string(),
            undo_window_s: defaults::UNDO_WINDOW_S,
            currency: defaults::CURRENCY.to_string(),
        }
    }
}

/// A video-format arm: `control` or one experimental feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FormatVariant {
    /// Plain clips.
    Control,
    /// Auto-generated subtitles.
    AutoSubtitles,
    /// An arrow to the LIVE button.
    ArrowToLive,
    /// A "CLICK NOW" end card.
    ClickNowEndCard,
    /// Background music.
    BackgroundMusic,
}

impl FormatVariant {
    /// The experimental arms, in the order remote config lists them by default.
    pub const EXPERIMENTS: [FormatVariant; 4] = [
        FormatVariant::AutoSubtitles,
        FormatVariant::ArrowToLive,
        FormatVariant::ClickNowEndCard,
        FormatVariant::BackgroundMusic,
    ];

    /// The wire and storage spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            FormatVariant::Control => "control",
            FormatVariant::AutoSubtitles => "auto_subtitles",
            FormatVariant::ArrowToLive => "arrow_to_live",
            FormatVariant::ClickNowEndCard => "click_now_end_card",
            FormatVariant::BackgroundMusic => "background_music",
        }
    }

    /// Reads the spelling back.
    pub fn parse(s: &str) -> Option<Self> {
        std::iter::once(FormatVariant::Control).chain(Self::EXPERIMENTS).find(|v| v.as_str() == s)
    }

    /// The format features this arm turns on.
    pub fn spec(self) -> FormatSpec {
        FormatSpec {
            auto_subtitles: self == FormatVariant::AutoSubtitles,
            arrow_to_live: self == FormatVariant::ArrowToLive,
            click_now_end_card: self == FormatVariant::ClickNowEndCard,
            background_music: self == FormatVariant::BackgroundMusic,
        }
    }
}

/// Which experimental video features a clip carries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FormatSpec {
    /// Auto-generated subtitles burnt into the clip.
    pub auto_subtitles: bool,
    /// An arrow pointing at the LIVE button while the LIVE is on.
    pub arrow_to_live: bool,
    /// A "CLICK NOW" end card.
    pub click_now_end_card: bool,
    /// Background music under the clip.
    pub background_music: bool,
}

/// The experiments a seller is assigned to, deterministic per seller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Experiments {
    /// Whether this seller sees the pre-LIVE auto-post pop-up.
    pub popup: bool,
    /// Name of the video-format variant, e.g. `control` or `end_card`.
    pub format_variant: String,
    /// The format features that variant turns on.
    pub format: FormatSpec,
}

/// Who a seller token speaks for: what a client signing in learns from the token alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Me {
    /// The seller's id, as every other answer names them.
    pub seller_id: String,
}

/// The seller's Highlights settings as the server holds them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Settings {
    /// Whether Auto LIVE Highlights is on for all the seller's shoppable LIVEs.
    pub highlights_on: bool,
    /// Whether the seller finished the first-time onboarding overlay.
    pub onboarding_completed: bool,
    /// How many times the pre-LIVE pop-up was shown.
    pub popup_shows: u32,
    /// When the seller last closed the pre-LIVE pop-up (epoch ms).
    pub popup_dismissed_at_ms: Option<i64>,
    /// Optimistic-concurrency version, bumped on every change.
    pub version: i64,
    /// When the seller made the last change, on the server's clock (epoch ms); conflicts between
    /// devices are settled by it.
    pub updated_at_ms: i64,
    /// Whether the seller's next LIVE gets highlights: set off before going LIVE, it applies to
    /// the next LIVE that starts (which then has `highlights_on: false`) and turns back on.
    #[serde(default = "yes")]
    pub next_live_highlights_on: bool,
    /// "Ask me before posting": each auto-post waits for the seller's approval until its post
    /// time; approved ones post, the others become recommendations.
    #[serde(default)]
    pub review_before_posting: bool,
    /// Which LIVEs get highlights: empty means every shoppable LIVE; otherwise only LIVEs that
    /// show (pin or sell) one of these products.
    #[serde(default)]
    pub only_products: Vec<String>,
    /// The seller's auto-post bar as Highlights learned it from what they did with their
    /// highlights; each LIVE keeps the bar it started with.
    #[serde(default)]
    pub posting_bar: PostingBar,
}

/// A seller's auto-post bar as learned from what they did with their highlights: raised when
/// they remove auto-posts, lowered when they post recommendations themselves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PostingBar {
    /// How far the bar sits above the usual one, in moment-score points (below when negative;
    /// 0: the usual bar).
    #[serde(default)]
    pub shift: f64,
    /// Of the seller's last auto-posts (at most 10), how many they removed (or, reviewing posts,
    /// let lapse unapproved).
    #[serde(default)]
    pub removed: u32,
    /// How many auto-posts `removed` counts among.
    #[serde(default)]
    pub of_last: u32,
    /// How many of the recommendations of the seller's last 10 LIVEs they posted themselves.
    #[serde(default)]
    pub posted_by_hand: u32,
}

impl PostingBar {
    /// Least shift the apps mention: a smaller one changes next to nothing the seller would see.
    pub const NOTICEABLE: f64 = 0.1;

    /// Whether the bar has moved enough to tell the seller, and which way (`Some(true)`: posting
    /// fewer), when what they did lately says why: the bar fades over many LIVEs, the counts
    /// cover the last few, and a sentence saying "0 of the last 10" would not be true.
    pub fn fewer(&self) -> Option<bool> {
        if self.shift >= Self::NOTICEABLE && self.removed > 0 {
            Some(true)
        } else if self.shift <= -Self::NOTICEABLE && self.posted_by_hand > 0 {
            Some(false)
        } else {
            None
        }
    }
}

/// Most products a seller may choose in `only_products`.
pub const MAX_ONLY_PRODUCTS: usize = 100;

/// A change to the settings; absent fields are left as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    /// The version the client based this change on; a stale one gets 409 with the current state.
    /// `None` applies the change unconditionally (used for commutative counters).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_i64")]
    pub expected_version: Option<i64>,
    /// New toggle value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub highlights_on: Option<bool>,
    /// Marks onboarding as completed (it can never be un-completed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onboarding_completed: Option<bool>,
    /// Adds this many pop-up shows.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_u32")]
    #[cfg_attr(feature = "openapi", schema(maximum = 100))]
    pub popup_shows_delta: Option<u32>,
    /// Records that the seller closed the pop-up at this time (epoch ms).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_i64")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub popup_dismissed_at_ms: Option<i64>,
    /// Highlights for the seller's next LIVE (off: that LIVE only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_live_highlights_on: Option<bool>,
    /// "Ask me before posting".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_before_posting: Option<bool>,
    /// Only LIVEs that show one of these products get highlights (empty: every shoppable LIVE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub only_products: Option<Vec<String>>,
    /// `true` puts the learned auto-post bar back to the usual one from the seller's next LIVE
    /// on (`false` is refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset_posting_bar: Option<bool>,
    /// When the seller acted, on the server's clock as the client estimates it (epoch ms); the
    /// server uses it (never later than its own now) as `updated_at_ms`. Absent means now.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_i64")]
    pub acted_at_ms: Option<i64>,
}

/// A product shown in a LIVE.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Product {
    /// Product id in the seller's catalogue.
    pub id: String,
    /// Display name.
    pub name: String,
}

/// Whether a LIVE is still on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LiveStatus {
    /// The seller is LIVE right now.
    Live,
    /// The LIVE ended; its recording is available.
    Ended,
}

impl LiveStatus {
    /// The wire and storage spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            LiveStatus::Live => "live",
            LiveStatus::Ended => "ended",
        }
    }

    /// Reads the spelling back.
    pub fn parse(s: &str) -> Option<Self> {
        [LiveStatus::Live, LiveStatus::Ended].into_iter().find(|k| k.as_str() == s)
    }
}

/// A LIVE session and, once it has begun, its recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Live {
    /// LIVE id.
    pub id: String,
    /// Title the seller gave the LIVE; empty when it started without one (the apps show its date).
    pub title: String,
    /// Start of the LIVE (epoch ms).
    pub started_at_ms: i64,
    /// End of the LIVE (epoch ms), absent while it is on.
    pub ended_at_ms: Option<i64>,
    /// Live or ended.
    pub status: LiveStatus,
    /// Products pinned or sold during the LIVE.
    pub products: Vec<Product>,
    /// Whether Auto LIVE Highlights works on this LIVE: the seller can switch it off for one LIVE
    /// while the feature stays on for the others.
    #[serde(default = "yes")]
    pub highlights_on: bool,
    /// Change sequence number: lets clients ask for what changed since.
    pub seq: i64,
}

fn yes() -> bool {
    true
}

/// Body of `PATCH /v1/lives/{live_id}`: the seller's choice for this one LIVE.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LivePatch {
    /// Off: no more moments of this LIVE are kept or posted, and its scheduled posts are cancelled.
    pub highlights_on: bool,
}

/// Where a highlight came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HighlightKind {
    /// Chosen and posted by the engine.
    Auto,
    /// Found by the engine but not auto-posted; the seller may post it.
    Recommendation,
    /// Cut by the seller from a recording.
    Manual,
}

impl HighlightKind {
    /// The wire and storage spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            HighlightKind::Auto => "auto",
            HighlightKind::Recommendation => "recommendation",
            HighlightKind::Manual => "manual",
        }
    }

    /// Reads the spelling back.
    pub fn parse(s: &str) -> Option<Self> {
        [HighlightKind::Auto, HighlightKind::Recommendation, HighlightKind::Manual]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Life-cycle of a highlight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HighlightStatus {
    /// Waiting for its post time.
    Scheduled,
    /// On the seller's profile.
    Posted,
    /// A recommendation not posted (yet).
    Suggested,
    /// Taken down by the seller, or cancelled before posting.
    Removed,
}

impl HighlightStatus {
    /// The wire and storage spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            HighlightStatus::Scheduled => "scheduled",
            HighlightStatus::Posted => "posted",
            HighlightStatus::Suggested => "suggested",
            HighlightStatus::Removed => "removed",
        }
    }

    /// Reads the spelling back.
    pub fn parse(s: &str) -> Option<Self> {
        [HighlightStatus::Scheduled, HighlightStatus::Posted, HighlightStatus::Suggested, HighlightStatus::Removed]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A short shoppable video cut from a LIVE, or a recommendation for one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Highlight {
    /// Highlight id.
    pub id: String,
    /// The LIVE it was cut from.
    pub live_id: String,
    /// Auto, recommendation or manual.
    pub kind: HighlightKind,
    /// Scheduled, posted, suggested or removed.
    pub status: HighlightStatus,
    /// Posted while its LIVE is on: the video sends viewers into the room.
    pub live_now: bool,
    /// Segment start (epoch ms).
    pub start_ms: i64,
    /// Segment end (epoch ms).
    pub end_ms: i64,
    /// The product the video is tied to.
    pub product_id: Option<String>,
    /// Engine score, 0 for manual videos.
    pub score: f64,
    /// Human-readable reasons in English, e.g. "comments 4.1x baseline" (for apps that predate
    /// `reasons`).
    pub signals: Vec<String>,
    /// The same reasons as data, for the apps to word in the seller's language; empty from
    /// servers that predate it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<Reason>,
    /// When it is (or was) due to be posted (epoch ms).
    pub post_at_ms: Option<i64>,
    /// Experimental format features of the clip.
    pub format: FormatSpec,
    /// The video being made of it; absent for recommendations nobody asked to post yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<Video>,
    /// Whether the seller must approve this post first ("Ask me before posting").
    #[serde(default)]
    pub review: Review,
    /// What the posted video earned from viewers so far; absent until the first viewer event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<Results>,
    /// Change sequence number.
    pub seq: i64,
}

/// What a posted video earned, summed from the viewer events the platform reports for it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Results {
    /// Times the video was watched.
    pub views: u64,
    /// Time spent watching it, all views together, in ms.
    pub watch_ms: u64,
    /// Viewers it sent into the LIVE room through LIVE now.
    pub live_entries: u64,
    /// Taps on its product.
    pub product_clicks: u64,
    /// Orders attributed to it.
    pub orders: u64,
    /// Gross merchandise value of those orders, in minor units of the config's `currency`.
    pub gmv_minor: i64,
}

impl Results {
    /// Adds another's counts (a LIVE's results are the sum of its highlights').
    pub fn add(&mut self, o: &Results) {
        self.views += o.views;
        self.watch_ms += o.watch_ms;
        self.live_entries += o.live_entries;
        self.product_clicks += o.product_clicks;
        self.orders += o.orders;
        self.gmv_minor += o.gmv_minor;
    }
}

/// What a viewer did with a posted video, as the platform reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
// No `deny_unknown_fields`: serde cannot combine it with the flattened action, and the platform
// may send fields this version does not read.
pub struct ViewerEvent {
    /// The posted highlight the viewer watched.
    pub highlight_id: String,
    /// When it happened (epoch ms).
    pub ts_ms: i64,
    /// What the viewer did.
    #[serde(flatten)]
    pub action: ViewerAction,
}

/// One viewer action on a posted video.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ViewerAction {
    /// Watched the video for `watch_ms`.
    View {
        /// How long this view lasted, in ms.
        watch_ms: u64,
    },
    /// Entered the LIVE room through the video's LIVE-now link.
    LiveEntry,
    /// Tapped the video's product.
    ProductClick,
    /// Ordered, the order attributed to the video.
    Order {
        /// The order's value, in minor units of the config's `currency`.
        amount_minor: i64,
    },
}

/// Longest single view the platform may report, in ms (a day): anything longer is a bad event.
pub const MAX_VIEW_MS: u64 = 24 * 3600 * 1000;
/// Largest single order value accepted, in minor units.
pub const MAX_ORDER_MINOR: i64 = 1_000_000_000_000;

impl ViewerEvent {
    /// Reads one event of a batch; `Err` says why it is skipped.
    pub fn from_value(v: serde_json::Value) -> Result<Self, String> {
        let e: ViewerEvent = serde_json::from_value(v).map_err(|e| e.to_string())?;
        if !is_valid_id(&e.highlight_id) {
            return Err("highlight_id is not a valid id".into());
        }
        if e.ts_ms <= 0 {
            return Err("ts_ms must be positive".into());
        }
        match e.action {
            ViewerAction::View { watch_ms } if watch_ms > MAX_VIEW_MS => Err("watch_ms longer than a day".into()),
            ViewerAction::Order { amount_minor } if !(0..=MAX_ORDER_MINOR).contains(&amount_minor) => {
                Err("amount_minor out of range".into())
            }
            _ => Ok(e),
        }
    }
}

/// A batch of viewer events on posted videos, sent by the platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ViewerEventBatch {
    /// Raw viewer events (`highlight_id`, `ts_ms`, `type`, ...); bad ones, and ones on videos
    /// never posted, are counted and skipped.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub events: Vec<serde_json::Value>,
}

/// Where a scheduled auto-post stands for a seller who asked to review posts before they go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Review {
    /// No approval needed: it posts at its post time.
    #[default]
    NotAsked,
    /// Waiting for the seller's approval; without it, at its post time it becomes a recommendation.
    Waiting,
    /// Approved by the seller: it posts at its post time.
    Approved,
}

impl Review {
    /// The wire and storage spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Review::NotAsked => "not_asked",
            Review::Waiting => "waiting",
            Review::Approved => "approved",
        }
    }

    /// Reads the spelling back.
    pub fn parse(s: &str) -> Option<Self> {
        [Review::NotAsked, Review::Waiting, Review::Approved].into_iter().find(|r| r.as_str() == s)
    }
}

/// Where a highlight's video is in its making; separate from the highlight's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VideoState {
    /// Queued or being cut and encoded.
    Rendering,
    /// The MP4 and its thumbnail exist.
    Ready,
    /// Rendering failed after its retries; the highlight went back to a recommendation.
    Failed,
}

impl VideoState {
    /// The wire and storage spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            VideoState::Rendering => "rendering",
            VideoState::Ready => "ready",
            VideoState::Failed => "failed",
        }
    }

    /// Reads the spelling back.
    pub fn parse(s: &str) -> Option<Self> {
        [VideoState::Rendering, VideoState::Ready, VideoState::Failed].into_iter().find(|k| k.as_str() == s)
    }
}

/// A highlight's video: its state and, once ready, where to watch it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Video {
    /// Rendering, ready or failed.
    pub state: VideoState,
    /// Length of the MP4, end card included, in ms (once ready).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<i64>,
    /// Path of the MP4 on the API's host (once ready).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
    /// Path of the JPEG thumbnail on the API's host (once ready).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<String>,
    /// Its frames as one grid image, for scrubbing (once ready; absent for videos made before
    /// storyboards were).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storyboard: Option<Storyboard>,
    /// What the seller should know about how it was made, once ready: e.g. that it has no
    /// automatic subtitles because speech recognition failed or was late. Absent when nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A page of LIVEs, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LivePage {
    /// The LIVEs on this page.
    pub lives: Vec<Live>,
    /// Opaque cursor of the next page, absent on the last one.
    pub next_cursor: Option<String>,
}

/// Highlights of one LIVE.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct HighlightList {
    /// Auto-posted, manual and recommended highlights.
    pub highlights: Vec<Highlight>,
}

/// Everything that changed for a seller since a cursor: the one request of a resync.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Changes {
    /// Cursor to send next time.
    pub cursor: i64,
    /// More changes are waiting: ask again with `cursor`.
    pub has_more: bool,
    /// Present when remote config changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<RemoteConfig>,
    /// Present when the seller's experiments changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experiments: Option<Experiments>,
    /// Present when settings changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<Settings>,
    /// LIVEs that changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lives: Vec<Live>,
    /// Highlights that changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub highlights: Vec<Highlight>,
}

/// Request to cut a shoppable video from a recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateVideo {
    /// The recording (LIVE) to cut from.
    pub live_id: String,
    /// Segment start (epoch ms).
    #[serde(deserialize_with = "lenient::i64")]
    pub start_ms: i64,
    /// Segment end (epoch ms).
    #[serde(deserialize_with = "lenient::i64")]
    pub end_ms: i64,
    /// Product the video is tied to; must have been in that LIVE.
    pub product_id: String,
}

/// A batch of LIVE events sent by the streaming service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IngestBatch {
    /// Seller who owns the LIVEs in this batch.
    pub seller_id: String,
    /// Raw event objects (`ts_ms`, `live_id`, `type`, ...); bad ones are counted and skipped.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub events: Vec<serde_json::Value>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Outcome of an ingested batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct IngestResult {
    /// Events accepted.
    pub accepted: u64,
    /// Events skipped as malformed, of unknown type, or out of the time window.
    pub skipped: u64,
    /// Of the skipped, those whose time was too far from the server's clock (absent when none).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub out_of_window: u64,
}

/// Outcome of removing all auto-posted highlights of a LIVE, or of every LIVE.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RemovedCount {
    /// How many highlights were removed.
    pub removed: u64,
}

/// What the backend holds of one LIVE's recording, for the recorder to act on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RecordingReport {
    /// The LIVE.
    pub live_id: String,
    /// Segments held (corrupt ones included).
    pub segments: u32,
    /// Stream time covered by readable segments, in ms.
    pub covered_ms: i64,
    /// Holes between the first and last segment, oldest first.
    pub gaps: Vec<TimeRange>,
    /// Start times (epoch ms) of segments that could not be read; re-send them to replace them.
    pub corrupt: Vec<i64>,
    /// Segments that arrived after a later one.
    pub out_of_order: u32,
}

/// A span of stream time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TimeRange {
    /// Start (epoch ms).
    pub start_ms: i64,
    /// End (epoch ms).
    pub end_ms: i64,
}

/// The backend's answer to one recording segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SegmentReceipt {
    /// Stream-time start of the segment (epoch ms).
    pub start_ms: i64,
    /// Its length as read from the media, in ms (0 when unreadable).
    pub duration_ms: i64,
    /// Whether the media could be read; an unreadable segment is kept and reported, not fatal.
    pub readable: bool,
    /// Whether a later segment had already arrived.
    pub out_of_order: bool,
}

/// One posted video on a seller's public profile: only what a viewer sees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FeedVideo {
    /// Highlight id.
    pub id: String,
    /// The product the video sells.
    pub product: Option<Product>,
    /// When it was posted (epoch ms).
    pub posted_at_ms: i64,
    /// Length, in ms.
    pub duration_ms: i64,
    /// Path of the MP4.
    pub video_url: String,
    /// Path of the thumbnail.
    pub thumbnail_url: String,
    /// While its LIVE is on: the link into the room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_now_link: Option<String>,
}

/// A seller's public profile feed, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Feed {
    /// The seller.
    pub seller_id: String,
    /// Posted videos, newest first.
    pub videos: Vec<FeedVideo>,
}

#[cfg(test)]
mod tests {
    use super::PostingBar;

    #[test]
    fn the_bar_is_mentioned_only_when_it_moved_and_the_counts_say_why() {
        let bar = |shift, removed, posted_by_hand| PostingBar { shift, removed, of_last: 10, posted_by_hand };
        assert_eq!(bar(0.3, 4, 0).fewer(), Some(true));
        assert_eq!(bar(-0.2, 0, 3).fewer(), Some(false));
        assert_eq!(bar(0.05, 4, 0).fewer(), None, "too slight to see");
        assert_eq!(bar(0.3, 0, 0).fewer(), None, "no recent removal to name: \"0 of the last 10\" is not why");
        assert_eq!(bar(-0.3, 2, 0).fewer(), None, "no recent post by hand to name");
        assert_eq!(PostingBar::default().fewer(), None);
    }
}
