//! What the store keeps of recordings and videos: segments as the recorder sent them, render jobs
//! as a worker claims and finishes them, and what a viewer may fetch.

use highlights_api::{FormatSpec, Storyboard, VideoState};

/// Two segments closer than this are contiguous: containers round their durations. The recording
/// report and the renderer's coverage check use the same bound.
pub const JOIN_TOLERANCE_MS: i64 = 250;

/// Longest recording segment kept as readable, in ms: recorders send a few seconds at a time, and
/// a clip's first segment is looked for this far before it.
pub const MAX_SEGMENT_MS: i64 = 30_000;

/// What probing one received segment found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentProbe {
    /// Its length in ms (0 when unreadable).
    pub duration_ms: i64,
    /// Whether a media reader could open it and found a video stream.
    pub readable: bool,
}

/// One stored segment of a recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentRef {
    /// Stream-time start (epoch ms).
    pub start_ms: i64,
    /// Length in ms.
    pub duration_ms: i64,
    /// Where the media store keeps it.
    pub media_key: String,
    /// Whether it could be read when it arrived.
    pub readable: bool,
}

/// One caption spoken during a clip.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptionLine {
    /// When it was spoken (epoch ms).
    pub at_ms: i64,
    /// How long, in ms.
    pub duration_ms: i64,
    /// The words.
    pub text: String,
}

/// A claimed render job: everything a worker needs, read in one snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderTask {
    /// The highlight whose video this is.
    pub highlight_id: String,
    /// Its LIVE.
    pub live_id: String,
    /// Clip start (epoch ms), as found: the engine's, or the seller's cut.
    pub start_ms: i64,
    /// Clip end (epoch ms), as found.
    pub end_ms: i64,
    /// Where the thumbnail is taken (epoch ms), inside the clip.
    pub peak_ms: i64,
    /// The product's display name, for the end card.
    pub product_name: Option<String>,
    /// Format features from the seller's experiment arm.
    pub format: FormatSpec,
    /// Whether the LIVE is on now, read at each claim: the arrow to the LIVE button only makes
    /// sense then, and only then may more of the recording and captions still come.
    pub live_on: bool,
    /// Which attempt this is, from 1.
    pub attempt: u32,
    /// Segments overlapping the clip, by start.
    pub segments: Vec<SegmentRef>,
    /// Captions overlapping the clip, by time.
    pub captions: Vec<CaptionLine>,
    /// Whether the clip's edges may move to natural breaks at render time: an engine's moment
    /// may, a seller's own cut is kept as asked.
    pub snap: bool,
    /// Shortest clip the remote config allows, in ms: a moved edge keeps the clip at least this long.
    pub min_ms: i64,
    /// Longest clip the remote config allows, in ms.
    pub max_ms: i64,
    /// When the job was first due (server ms): a render waiting for what follows the clip waits
    /// at most the configured wait from then, however often it is put back.
    pub claimable_since_ms: i64,
    /// Stem of this attempt's media keys ([`rendered_keys`]), drawn at each claim: no two attempts
    /// write the same file, so deleting one attempt's leftovers never touches another's video.
    pub output: String,
}

/// The media keys an attempt with `stem` may write: video, thumbnail, cue file, storyboard.
pub fn rendered_keys(stem: &str) -> [String; 4] {
    [format!("{stem}.mp4"), format!("{stem}.jpg"), format!("{stem}.srt"), format!("{stem}.storyboard.jpg")]
}

/// The keys of a ready video: every file its attempt may have written (a storyboard whose write
/// reported failure may still have been stored), and those its row names. Rows from before
/// attempt stems name `videos/{id}.mp4`, whose files share the stem `videos/{id}` the same way.
pub(crate) fn ready_keys(video_key: &str, thumbnail_key: &str, storyboard: Option<&str>) -> Vec<String> {
    let mut keys: Vec<String> = match video_key.strip_suffix(".mp4") {
        Some(stem) => rendered_keys(stem).into(),
        None => vec![video_key.to_string()],
    };
    keys.push(thumbnail_key.to_string());
    keys.extend(StoredStoryboard::parse(storyboard).map(|s| s.key));
    keys.retain(|k| !k.is_empty());
    keys.sort();
    keys.dedup();
    keys
}

/// How long the files of a segment a re-send replaced stay (ms): a render or strip that read its
/// key before the re-send still finishes.
pub const REPLACED_KEPT_MS: i64 = 10 * 60_000;

/// Most rows one cleanup step moves or claims: keeps each of its transactions short.
pub const CLEANUP_BATCH: u32 = 200;

/// What one cleanup step took out of the store's sight: rows that pointed at media, now gone,
/// their keys queued for deletion.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retired {
    /// Ready videos of highlights removed before the grace's start.
    pub videos: u32,
    /// Segments of recordings past their age.
    pub segments: u32,
}

/// The recording and captions of a LIVE over a span wider than a clip: what a render looks at for
/// breaks near the clip's edges.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RenderMaterial {
    /// Segments overlapping the span, by start.
    pub segments: Vec<SegmentRef>,
    /// Captions overlapping the span, by time.
    pub captions: Vec<CaptionLine>,
    /// The LIVE's stream clock: the time of its newest ingested event (`None`: none yet). Captions
    /// are sent once a sentence ends, so chat and captions past the span's end mean those of the
    /// span are likely in.
    pub events_until_ms: Option<i64>,
    /// Segments of the span still waiting for speech recognition: their words may yet become
    /// captions, so a render waits for them (bounded like the rest).
    pub speech_pending: u32,
    /// Segments of the span whose speech recognition failed for good: no words from them.
    pub speech_failed: u32,
}

/// A claimed transcription: one received segment of a recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpeechTask {
    /// Its LIVE.
    pub live_id: String,
    /// The segment's start (stream time, epoch ms).
    pub start_ms: i64,
    /// Its length in ms.
    pub duration_ms: i64,
    /// Where the media store keeps it.
    pub media_key: String,
    /// Which attempt this is, from 1.
    pub attempt: u32,
    /// Which bytes of the segment: a re-sent segment is a new generation, and an answer for an
    /// older one is not kept.
    pub generation: u32,
}

/// How a transcription ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpeechOutcome {
    /// The words heard, in stream time (none: nothing was said).
    Heard(Vec<crate::subtitles::TimedWord>),
    /// It failed; the store retries with backoff, then gives up (the clips render without them).
    Failed {
        /// Why, for the log and the job row.
        reason: String,
    },
}

/// A rendered clip's edges in stream time (epoch ms), once moved to natural breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClipSpan {
    /// First instant shown.
    pub start_ms: i64,
    /// First instant no longer shown.
    pub end_ms: i64,
}

/// How a render attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum RenderOutcome {
    /// The files are in the media store.
    Ready {
        /// Length of the MP4 in ms.
        duration_ms: i64,
        /// Key of the MP4.
        video_key: String,
        /// Key of the JPEG.
        thumbnail_key: String,
        /// Its storyboard, if one was made (a failed one leaves the video ready without).
        storyboard: Option<StoredStoryboard>,
        /// Where the clip's edges went when they moved to natural breaks; the highlight's span
        /// shown to the seller becomes this, while the span as found stays for telling moments
        /// apart (`None`: cut as asked).
        clip: Option<ClipSpan>,
        /// What the seller should know about how it was made (e.g. subtitles missing because
        /// speech recognition failed), shown as the video's detail.
        note: Option<String>,
    },
    /// Not rendered yet: what follows the clip (recording, captions) is still coming. The job is
    /// due again at `until_ms`, and this claim does not count as an attempt.
    Deferred {
        /// When the job is due again (server ms).
        until_ms: i64,
    },
    /// It failed; the store retries with backoff, then gives up.
    Failed {
        /// Why, for the log and the job row.
        reason: String,
    },
}

/// When to retry failed renders and when to give up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts before the video is failed for good.
    pub max_attempts: u32,
    /// Wait after the first failure, in ms; each later one waits three times longer.
    pub first_backoff_ms: i64,
    /// How long a claimed job is a worker's before another may take it (a worker that died).
    pub lease_ms: i64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        // 5 + 15 + 45 + 135 s: a segment the recorder re-sends has time to arrive, and a video that
        // cannot be made is given up well inside an hour.
        Self { max_attempts: 5, first_backoff_ms: 5_000, lease_ms: 10 * 60_000 }
    }
}

impl RetryPolicy {
    /// Wait before attempt `attempts + 1`, after `attempts` failures.
    pub fn backoff_ms(&self, attempts: u32) -> i64 {
        self.first_backoff_ms.saturating_mul(3i64.saturating_pow(attempts.saturating_sub(1)))
    }
}

/// The media of one highlight a caller may fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaRef {
    /// Key of the MP4.
    pub video_key: String,
    /// Key of the JPEG.
    pub thumbnail_key: String,
    /// Key of the storyboard JPEG (`None`: none was made, as for videos rendered before them).
    pub storyboard_key: Option<String>,
}

/// A storyboard JPEG in the media store and the grid it holds, as kept with its video or segment:
/// the key stays on the server, the grid goes to the app as a [`Storyboard`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoredStoryboard {
    /// Where the media store keeps the JPEG.
    pub key: String,
    /// Frames in the grid.
    pub frames: u32,
    /// Tiles per row.
    pub columns: u32,
    /// Width of one tile, in pixels.
    pub frame_width: u32,
    /// Height of one tile, in pixels.
    pub frame_height: u32,
    /// Time between frames, in ms.
    pub interval_ms: i64,
}

impl StoredStoryboard {
    /// The grid as the app sees it, the JPEG at `url`.
    pub fn storyboard(&self, url: String) -> Storyboard {
        Storyboard {
            url,
            frames: self.frames,
            columns: self.columns,
            frame_width: self.frame_width,
            frame_height: self.frame_height,
            interval_ms: self.interval_ms,
        }
    }

    /// The text a store keeps in its `storyboard` column.
    pub(crate) fn stored(&self) -> String {
        // Plain numbers and a string: serializing cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a `storyboard` column; text it cannot read counts as no storyboard, so a bad row
    /// never points the app at a file that may not be there.
    pub(crate) fn parse(text: Option<&str>) -> Option<Self> {
        text.and_then(|t| serde_json::from_str(t).ok())
    }
}

/// The storyboard strip of one received segment of a recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentStoryboard {
    /// The segment's stream-time start (epoch ms).
    pub start_ms: i64,
    /// The segment's length in ms.
    pub duration_ms: i64,
    /// Its strip.
    pub storyboard: StoredStoryboard,
}

/// A video's state as the store holds it, for admin and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoJob {
    /// Rendering, ready or failed.
    pub state: VideoState,
    /// Attempts so far.
    pub attempts: u32,
    /// The last failure, if any.
    pub last_error: Option<String>,
}
