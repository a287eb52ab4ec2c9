//! Storyboards: a clip's frames, and each received stretch of a recording's, as one grid JPEG that
//! the app scrubs or lays along a timeline. One ffmpeg run each (`select` picks the frames, `tile`
//! lays them out), bounded in time like every ffmpeg call. A storyboard is a nicety: when one
//! cannot be made, the video is still ready and the recording still kept, just without frames.

use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use tokio::sync::Semaphore;

use super::ffmpeg::{self, Container, Ffmpeg, FfmpegError};
use super::store::{MediaError, MediaStore};
use crate::store::{Store, StoreError, StoredStoryboard};

/// Width of one tile: 9:16, an eighth of the rendered 720x1280, sharp enough for a scrub preview.
pub const FRAME_WIDTH: u32 = 90;
/// Height of one tile.
pub const FRAME_HEIGHT: u32 = 160;
/// Tiles per row of a clip's storyboard: a 20-frame clip makes a 450x640 JPEG of about 40 KB.
pub const CLIP_COLUMNS: u32 = 5;
/// Most frames a clip's storyboard aims at: its interval is the whole number of seconds that keeps
/// it at about this many, so a 10 to 60 s clip shows 10 to 20 frames.
const CLIP_FRAMES: i64 = 20;
/// Time between the frames of a recording's strip: a timeline of a long LIVE needs a frame every
/// few seconds, not every second.
pub const STRIP_INTERVAL_MS: i64 = 5_000;
/// How far the video stream may end before its container's length (audio runs on, durations are
/// rounded): frames are only asked for where video surely is, so no tile is left empty.
const SHORTFALL_MS: i64 = 100;
/// Frames are picked this much early at most, so rounding never skips the frame on the interval.
const PICK_TOLERANCE_S: f64 = 0.02;
/// Recording strips made at once in this process: renders come first on a small machine.
static STRIP_SLOTS: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1))));
/// Most strips waiting for a slot at once; past it a stretch gets none rather than queueing
/// without end.
const MAX_WAITING: usize = 256;
/// Most strips of one LIVE waiting at once: one LIVE's burst of segments cannot take every place.
const MAX_WAITING_PER_LIVE: usize = 16;
/// Strips waiting for a slot, by LIVE (a LIVE with none has no entry); their sum is the total.
static WAITING: LazyLock<std::sync::Mutex<std::collections::HashMap<String, usize>>> = LazyLock::new(Default::default);

/// Why a storyboard was not made.
#[derive(Debug, thiserror::Error)]
pub enum StoryboardError {
    /// Too short for one frame.
    #[error("{0} ms of media is too short for a storyboard")]
    TooShort(i64),
    /// ffmpeg failed, overran or was killed.
    #[error(transparent)]
    Ffmpeg(#[from] FfmpegError),
    /// ffmpeg ended well but wrote no image (no video frame was found).
    #[error("ffmpeg wrote no storyboard")]
    Empty,
    /// The media store could not give the segment or keep the JPEG.
    #[error(transparent)]
    Media(#[from] MediaError),
    /// The store could not record it.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Local scratch files could not be written.
    #[error("scratch files: {0}")]
    Scratch(#[from] std::io::Error),
}

/// The layout of one storyboard: how many frames, how far apart, how many to a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grid {
    /// Frames in the grid.
    pub frames: u32,
    /// Tiles per row.
    pub columns: u32,
    /// Time between frames, in ms.
    pub interval_ms: i64,
}

/// Frames at `0, interval, 2 * interval…` that media of `duration_ms` surely has.
fn frames_in(duration_ms: i64, interval_ms: i64) -> Result<u32, StoryboardError> {
    let shown = duration_ms.saturating_sub(SHORTFALL_MS);
    if shown <= 0 || interval_ms <= 0 {
        return Err(StoryboardError::TooShort(duration_ms));
    }
    u32::try_from((shown - 1) / interval_ms + 1).map_err(|_| StoryboardError::TooShort(duration_ms))
}

impl Grid {
    /// The grid of a clip `duration_ms` long: whole seconds apart, about [`CLIP_FRAMES`] at most,
    /// [`CLIP_COLUMNS`] to a row.
    pub fn clip(duration_ms: i64) -> Result<Self, StoryboardError> {
        let per = CLIP_FRAMES * 1000;
        let interval_ms = (duration_ms.max(0).saturating_add(per - 1) / per).max(1) * 1000;
        let frames = frames_in(duration_ms, interval_ms)?;
        // A clip shorter than a row is one row of its frames: no grid has more columns than frames.
        Ok(Self { frames, columns: CLIP_COLUMNS.min(frames), interval_ms })
    }

    /// The strip of a segment `duration_ms` long: one row, a frame every [`STRIP_INTERVAL_MS`].
    pub fn strip(duration_ms: i64) -> Result<Self, StoryboardError> {
        let frames = frames_in(duration_ms, STRIP_INTERVAL_MS)?;
        Ok(Self { frames, columns: frames, interval_ms: STRIP_INTERVAL_MS })
    }

    /// Rows of tiles: the JPEG is `columns * FRAME_WIDTH` by `rows * FRAME_HEIGHT` pixels.
    pub fn rows(&self) -> u32 {
        self.frames.div_ceil(self.columns.max(1))
    }

    /// The grid as kept with its video or segment, the JPEG under `key`.
    pub fn stored(&self, key: String) -> StoredStoryboard {
        StoredStoryboard {
            key,
            frames: self.frames,
            columns: self.columns,
            frame_width: FRAME_WIDTH,
            frame_height: FRAME_HEIGHT,
            interval_ms: self.interval_ms,
        }
    }

    /// The filter that picks the first frame and then the first one an interval after the last
    /// picked, keeps `frames` of them, fits each in a black 9:16 tile and lays them out; unused
    /// tiles of the last row stay black.
    fn filter(&self) -> String {
        let step = self.interval_ms as f64 / 1000.0 - PICK_TOLERANCE_S;
        format!(
            "select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,{step:.3})',trim=end_frame={frames},\
             scale={FRAME_WIDTH}:{FRAME_HEIGHT}:force_original_aspect_ratio=decrease:force_divisible_by=2,\
             pad={FRAME_WIDTH}:{FRAME_HEIGHT}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,tile={columns}x{rows}",
            frames = self.frames,
            columns = self.columns,
            rows = self.rows(),
        )
    }
}

/// Makes `grid` of `input` (a plain name in `dir`, opened as `container` only) into `dir/out`, in
/// one ffmpeg run killed if it overruns.
async fn make(
    ff: &Ffmpeg,
    dir: &Path,
    container: Container,
    input: &str,
    grid: &Grid,
    duration_ms: i64,
    out: &str,
) -> Result<PathBuf, StoryboardError> {
    let threads = ff.threads.max(1).to_string();
    let mut args: Vec<String> = ["-filter_threads", &threads, "-threads", &threads].map(String::from).to_vec();
    args.extend(ffmpeg::input(container, input));
    args.extend(
        [
            "-an",
            "-sn",
            "-dn",
            "-vf",
            &grid.filter(),
            "-frames:v",
            "1",
            "-update",
            "1",
            "-q:v",
            "5",
            "-f",
            "image2",
            out,
        ]
        .map(String::from),
    );
    // Decoding small frames is far quicker than real time; a generous bound that still leaves the
    // render's lease most of its time.
    let limit = Duration::from_secs(10) + Duration::from_millis(duration_ms.max(0) as u64);
    ff.ffmpeg(dir, &args, limit).await?;
    let path = dir.join(out);
    match tokio::fs::metadata(&path).await {
        Ok(m) if m.len() > 0 => Ok(path),
        _ => Err(StoryboardError::Empty),
    }
}

/// Makes the storyboard of the rendered MP4 `video` (a plain name in `dir`), `duration_ms` long,
/// as `storyboard.jpg` there.
pub async fn clip(ff: &Ffmpeg, dir: &Path, video: &str, duration_ms: i64) -> Result<(PathBuf, Grid), StoryboardError> {
    let grid = Grid::clip(duration_ms)?;
    let path = make(ff, dir, Container::Mp4, video, &grid, duration_ms, "storyboard.jpg").await?;
    Ok((path, grid))
}

/// A received segment to make a strip of: already in the media store and listed for its LIVE.
#[derive(Debug, Clone)]
pub struct StripJob {
    /// Its LIVE.
    pub live_id: String,
    /// Its stream-time start (epoch ms).
    pub start_ms: i64,
    /// Its probed length in ms.
    pub duration_ms: i64,
    /// Where the media store keeps it.
    pub media_key: String,
    /// Where the media store is to keep its strip: a key of this version of the segment's own.
    pub strip_key: String,
    /// What its bytes are.
    pub container: Container,
}

/// Where a strip job's media and programs come from.
#[derive(Clone)]
pub struct StripMaker {
    /// Where the strip is recorded.
    pub store: Arc<dyn Store>,
    /// Where the segment is and the strip goes.
    pub media: Arc<dyn MediaStore>,
    /// The media programs.
    pub ffmpeg: Ffmpeg,
    /// Local scratch space.
    pub scratch: PathBuf,
}

/// Counts a strip waiting for a slot (in all and for its LIVE), until it has one or is dropped
/// with its task.
struct Waiting(String);

impl Waiting {
    /// A place for a strip of `live_id`, unless too many wait in all or for that LIVE.
    fn take(live_id: &str) -> Option<Self> {
        let mut waiting = WAITING.lock().unwrap_or_else(|e| e.into_inner());
        let total: usize = waiting.values().sum();
        let mine = waiting.get(live_id).copied().unwrap_or(0);
        if mine >= MAX_WAITING_PER_LIVE || total >= MAX_WAITING {
            return None;
        }
        waiting.insert(live_id.to_string(), mine + 1);
        Some(Self(live_id.to_string()))
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        let mut waiting = WAITING.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = waiting.get_mut(&self.0) {
            *n -= 1;
            if *n == 0 {
                waiting.remove(&self.0);
            }
        }
    }
}

impl StripMaker {
    /// Makes the strip of a received segment in the background, off the recorder's request: a
    /// failure (or too many waiting) only means no strip for that stretch, and a warning.
    pub fn spawn(self, job: StripJob) {
        let Some(waiting) = Waiting::take(&job.live_id) else {
            tracing::warn!(live_id = %job.live_id, start_ms = job.start_ms, "too many strips waiting; this stretch gets none");
            return;
        };
        tokio::spawn(async move {
            // The semaphore is never closed.
            let Ok(_slot) = STRIP_SLOTS.acquire().await else { return };
            drop(waiting);
            let (live_id, start_ms) = (job.live_id.clone(), job.start_ms);
            match self.make(job).await {
                Ok(()) => tracing::debug!(%live_id, start_ms, "storyboard strip made"),
                Err(e) => tracing::warn!(%live_id, start_ms, error = %e, "no storyboard strip for this segment"),
            }
        });
    }

    /// Makes, keeps and records the strip of one segment.
    async fn make(&self, job: StripJob) -> Result<(), StoryboardError> {
        let grid = Grid::strip(job.duration_ms)?;
        let (media, scratch, key) = (self.media.clone(), self.scratch.clone(), job.media_key.clone());
        let dir = blocking(move || {
            std::fs::create_dir_all(&scratch)?;
            let dir = tempfile::tempdir_in(&scratch)?;
            media.fetch(&key, &dir.path().join("segment.media"))?;
            Ok(dir)
        })
        .await?;
        let made =
            make(&self.ffmpeg, dir.path(), job.container, "segment.media", &grid, job.duration_ms, "strip.jpg").await;
        let (media, key) = (self.media.clone(), job.strip_key);
        let k = key.clone();
        blocking(move || {
            let put = made.and_then(|path| Ok(media.put_file(&k, &path)?));
            // A leftover scratch directory wastes disk but harms no strip.
            if let Err(e) = dir.close() {
                tracing::warn!(error = %e, "scratch directory left behind");
            }
            put
        })
        .await?;
        self.store.set_segment_storyboard(job.live_id, job.start_ms, job.duration_ms, grid.stored(key)).await?;
        Ok(())
    }
}

/// Runs blocking file work on the blocking pool.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoryboardError> + Send + 'static,
) -> Result<T, StoryboardError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| StoryboardError::Scratch(std::io::Error::other(e.to_string())))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grids_hold_the_frames_the_media_surely_has() {
        // 12 s clip + 2 s end card: a frame a second, 14 of them, 3 rows of 5.
        let g = Grid::clip(14_000).unwrap();
        assert_eq!((g.frames, g.columns, g.interval_ms, g.rows()), (14, 5, 1_000, 3));
        // 10 to 60 s clips show 10 to 20 frames.
        for (ms, frames, interval) in
            [(10_000, 10, 1_000), (30_000, 15, 2_000), (60_000, 20, 3_000), (62_000, 16, 4_000)]
        {
            let g = Grid::clip(ms).unwrap();
            assert_eq!((g.frames, g.interval_ms), (frames, interval), "{ms} ms");
        }
        // A clip shorter than a row: one row of its frames.
        let short = Grid::clip(4_000).unwrap();
        assert_eq!((short.frames, short.columns, short.rows()), (4, 4, 1));
        // A strip is one row, a frame every 5 s that the segment surely holds.
        for (ms, frames) in [(4_000, 1), (6_000, 2), (10_050, 2), (10_200, 3), (12_000, 3), (30_000, 6)] {
            let g = Grid::strip(ms).unwrap();
            assert_eq!((g.frames, g.columns, g.rows()), (frames, frames, 1), "{ms} ms");
        }
        for bad in [0, 50, 100, -5] {
            assert!(matches!(Grid::strip(bad), Err(StoryboardError::TooShort(_))), "{bad}");
            assert!(matches!(Grid::clip(bad), Err(StoryboardError::TooShort(_))), "{bad}");
        }
        let s = Grid::strip(12_000).unwrap().stored("k".into());
        assert_eq!((s.frame_width, s.frame_height, s.interval_ms), (FRAME_WIDTH, FRAME_HEIGHT, STRIP_INTERVAL_MS));
        assert!(Grid::clip(14_000).unwrap().filter().ends_with("tile=5x3"));
    }

    #[test]
    fn one_lives_burst_of_strips_leaves_places_for_the_others() {
        let mine: Vec<_> = (0..MAX_WAITING_PER_LIVE).map(|_| Waiting::take("busy").unwrap()).collect();
        assert!(Waiting::take("busy").is_none(), "the busy LIVE waits for its own places");
        let other = Waiting::take("quiet").expect("another LIVE still gets a place");
        drop(mine);
        assert!(Waiting::take("busy").is_some(), "places come back as strips start");
        drop(other);
        let waiting = WAITING.lock().unwrap();
        assert!(
            !waiting.contains_key("busy") && !waiting.contains_key("quiet"),
            "no LIVE with none waiting stays listed"
        );
    }
}
