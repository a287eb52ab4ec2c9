//! The render worker: claims due jobs from the store, fetches their segments from the media
//! store (with a few seconds around an engine's moment; while what follows its end is not in yet,
//! the job goes back to the store for a bounded time instead of holding the worker), moves the
//! clip's edges to natural breaks, renders, makes its storyboard, stores the files, and reports the
//! outcome; the store decides on retries.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use highlights_api::VideoState;

use super::breaks;
use super::ffmpeg::Container;
use super::ffmpeg::Ffmpeg;
use super::render::{self, Inputs, RenderError, SegmentFile};
use super::snap::{Snapping, Span};
use super::store::{MediaError, MediaStore};
use super::storyboard;
use crate::clock::Clock;
use crate::store::{
    ClipSpan, JOIN_TOLERANCE_MS, RenderOutcome, RenderTask, SegmentRef, Store, StoreError, rendered_keys,
};

/// How long a render waiting for what follows its clip leaves the job before it is claimed again:
/// recorders send a segment every few seconds, and each look is a claim and a write.
const RECHECK_MS: i64 = 1_000;

/// Why one attempt failed before or after ffmpeg.
#[derive(Debug, thiserror::Error)]
pub(super) enum AttemptError {
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Media(#[from] MediaError),
    #[error("scratch directory: {0}")]
    Scratch(#[from] std::io::Error),
    #[error("media task: {0}")]
    Join(#[from] tokio::task::JoinError),
}

/// Media key of the subtitle cues burned into the MP4 under `video_key` (SRT, beside it).
pub fn subtitles_key(video_key: &str) -> String {
    format!("{}.srt", video_key.strip_suffix(".mp4").unwrap_or(video_key))
}

/// When a claimed render should go back to the store instead of being made now (`None`: now).
/// While the LIVE is on and the recording held (up to `held_to_ms`) or its ingested events (up to
/// `events_until_ms`; a caption is sent once its sentence ends) stop short of `to_ms`, or some of
/// its segments there still wait for speech recognition (`speech_pending`), the end of
/// the window after the clip, a break there may still come: the job is due again a little later,
/// up to `wait_ms` after it was first due, and then it snaps with what there is. A LIVE that ended
/// or went silent sends nothing more, so there is nothing to wait for.
fn wait_until(
    task: &RenderTask,
    held_to_ms: i64,
    events_until_ms: Option<i64>,
    speech_pending: u32,
    to_ms: i64,
    wait_ms: i64,
    now_ms: i64,
) -> Option<i64> {
    let recorded = held_to_ms.saturating_add(JOIN_TOLERANCE_MS) >= to_ms;
    let said = events_until_ms.is_some_and(|t| t >= to_ms);
    // Words still being recognised may yet end a sentence near the clip's edges (or subtitle it).
    let heard = speech_pending == 0;
    let deadline = task.claimable_since_ms.saturating_add(wait_ms);
    if (recorded && said && heard) || !task.live_on || now_ms >= deadline {
        return None;
    }
    Some(now_ms.saturating_add(RECHECK_MS).min(deadline))
}

/// Renders the videos the store queues.
#[derive(Clone)]
pub struct RenderWorker {
    store: Arc<dyn Store>,
    media: Arc<dyn MediaStore>,
    ffmpeg: Ffmpeg,
    scratch: PathBuf,
    snapping: Snapping,
    clock: Clock,
    speech: bool,
}

impl RenderWorker {
    /// A worker using `scratch` for its temporary files, snapping clips by the default [`Snapping`].
    pub fn new(store: Arc<dyn Store>, media: Arc<dyn MediaStore>, ffmpeg: Ffmpeg, scratch: PathBuf) -> Self {
        Self {
            store,
            media,
            ffmpeg,
            scratch,
            snapping: Snapping::default(),
            clock: Arc::new(crate::clock::now_ms),
            speech: false,
        }
    }

    /// This worker, in a deployment that recognises speech: a clip whose automatic subtitles
    /// lack words recognition failed on (or had not finished) says so in its video's detail.
    pub fn with_speech(mut self, on: bool) -> Self {
        self.speech = on;
        self
    }

    /// This worker, moving clips' edges by `snapping`.
    pub fn with_snapping(mut self, snapping: Snapping) -> Self {
        self.snapping = snapping;
        self
    }

    /// This worker, claiming, putting back and finishing jobs by `clock` instead of the wall
    /// clock: lets a test say when a job is due again instead of sleeping until it is.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Renders due jobs until `stop` turns true; an attempt under way is abandoned (its ffmpeg
    /// killed) and its lease lets it be taken again later.
    pub async fn run(self, stop: tokio::sync::watch::Receiver<bool>) {
        super::queue::drain(stop, "render", || self.render_next()).await
    }

    /// Claims and renders one due job; `None` when nothing was due, else the video's state after
    /// it (still rendering when the job was put back to wait for what follows its clip).
    pub async fn render_next(&self) -> Result<Option<VideoState>, StoreError> {
        let Some(task) = self.store.claim_render((self.clock)()).await? else {
            return Ok(None);
        };
        let outcome = match self.attempt(&task).await {
            Ok(outcome) => outcome,
            Err(e) => RenderOutcome::Failed { reason: e.to_string() },
        };
        match &outcome {
            RenderOutcome::Failed { reason } => {
                tracing::warn!(highlight_id = %task.highlight_id, attempt = task.attempt, %reason, "render failed")
            }
            RenderOutcome::Deferred { until_ms } => {
                tracing::debug!(highlight_id = %task.highlight_id, until_ms, "render waits for what follows the clip")
            }
            RenderOutcome::Ready { .. } => {}
        }
        match self.store.finish_render(task.highlight_id.clone(), task.output.clone(), outcome, (self.clock)()).await {
            Ok(state) => {
                tracing::info!(highlight_id = %task.highlight_id, state = state.as_str(), "render finished");
                Ok(Some(state))
            }
            // Another attempt took the job over after this one's lease ran out (or it was dropped):
            // the files this one wrote since are nobody's. The cleanup job deletes them (queued in
            // the store, so a crash here loses nothing).
            Err(StoreError::NotFound(_)) => {
                if let Err(e) = self.store.discard_media(rendered_keys(&task.output).into()).await {
                    tracing::warn!(highlight_id = %task.highlight_id, error = %e, "files of a superseded render left behind");
                }
                Ok(Some(VideoState::Rendering))
            }
            Err(e) => Err(e),
        }
    }

    async fn attempt(&self, task: &RenderTask) -> Result<RenderOutcome, AttemptError> {
        render::covering(task)?;
        let as_found = || -> Result<_, AttemptError> {
            Ok((task.clone(), Span::new(task.start_ms, task.end_ms), render::covering(task)?, 0))
        };
        let window_ms = if task.snap { self.snapping.window_ms() } else { 0 };
        let (task, held, segments, window_ms) = if window_ms > 0 {
            let (from, to) = (task.start_ms - window_ms, task.end_ms + window_ms);
            match self.store.render_material(task.live_id.clone(), from, to).await {
                Ok(material) => {
                    let held = render::held(&material.segments, task.start_ms, task.end_ms, from, to);
                    // A clip not held (a segment replaced since the claim) waits for nothing: it fails.
                    let held_to = held.as_ref().map_or(to, |h| h.1);
                    let now = (self.clock)();
                    // Jobs left by a run that recognised speech are nobody's to finish now.
                    let speech_pending = if self.speech { material.speech_pending } else { 0 };
                    if let Some(until_ms) = wait_until(
                        task,
                        held_to,
                        material.events_until_ms,
                        speech_pending,
                        to,
                        self.snapping.wait_ms(),
                        now,
                    ) {
                        return Ok(RenderOutcome::Deferred { until_ms });
                    }
                    let wide = RenderTask { segments: material.segments, captions: material.captions, ..task.clone() };
                    match held {
                        Some((from, to, used)) => (wide, Span::new(from, to), used, window_ms),
                        None => {
                            let used = render::covering(&wide)?;
                            (wide, Span::new(task.start_ms, task.end_ms), used, window_ms)
                        }
                    }
                }
                // The look around is a nicety: the clip as found (its segments came with the claim)
                // is still a good video, and failing here would spend one of its attempts.
                Err(e) => {
                    tracing::warn!(highlight_id = %task.highlight_id, error = %e, "could not read around the clip; rendering it as found");
                    as_found()?
                }
            }
        } else {
            as_found()?
        };
        let (media, scratch) = (self.media.clone(), self.scratch.clone());
        // Disk work (the scratch directory, copies of the segments) stays off the async threads.
        let (dir, local) =
            tokio::task::spawn_blocking(move || fetch_segments(media.as_ref(), &scratch, segments)).await??;
        let result = self.render_in(&task, held, window_ms, &dir, local).await;
        let result = match result {
            Ok(RenderOutcome::Ready { duration_ms, video_key, thumbnail_key, storyboard, clip, .. }) => {
                let (start, end) = clip.map_or((task.start_ms, task.end_ms), |c| (c.start_ms, c.end_ms));
                let note = self.subtitle_note(&task, start, end).await;
                Ok(RenderOutcome::Ready { duration_ms, video_key, thumbnail_key, storyboard, clip, note })
            }
            other => other,
        };
        match tokio::task::spawn_blocking(move || dir.close()).await {
            Ok(Ok(())) => {}
            // A leftover scratch directory wastes disk but harms no video.
            Ok(Err(e)) => tracing::warn!(error = %e, "scratch directory left behind"),
            Err(e) => tracing::warn!(error = %e, "scratch directory left behind"),
        }
        result
    }

    /// Moves the clip's edges to natural breaks in the recording `held` (local copies in `dir`),
    /// renders it, and stores the video and its thumbnail.
    async fn render_in(
        &self,
        task: &RenderTask,
        held: Span,
        window_ms: i64,
        dir: &tempfile::TempDir,
        local: Vec<SegmentFile>,
    ) -> Result<RenderOutcome, AttemptError> {
        let first = local.first().ok_or(RenderError::Missing { from_ms: task.start_ms, to_ms: task.end_ms })?;
        let has_audio = match self.ffmpeg.probe(&first.path, first.container).await {
            Ok(p) => p.stream("audio").is_some(),
            Err(e) => return Err(RenderError::from(e).into()),
        };
        let snapped = breaks::snap_task(&self.ffmpeg, dir.path(), task, &local, has_audio, held, window_ms).await;
        let moved = (snapped.start_ms, snapped.end_ms) != (task.start_ms, task.end_ms);
        if moved {
            tracing::info!(
                highlight_id = %task.highlight_id,
                start_moved_ms = snapped.start_ms - task.start_ms,
                end_moved_ms = snapped.end_ms - task.end_ms,
                "clip moved to natural breaks"
            );
        }
        // Only the segments the snapped clip needs are decoded.
        let used = render::covering(&snapped)?;
        let segments = local.into_iter().filter(|f| used.iter().any(|u| u.start_ms == f.segment.start_ms)).collect();
        let rendered = render::render(&self.ffmpeg, &snapped, &Inputs { segments, has_audio }, dir.path()).await?;
        let video_name = rendered.video.file_name().and_then(|n| n.to_str()).unwrap_or("video.mp4").to_string();
        let board = match storyboard::clip(&self.ffmpeg, dir.path(), &video_name, rendered.duration_ms).await {
            Ok(made) => Some(made),
            Err(e) => {
                tracing::warn!(highlight_id = %task.highlight_id, error = %e, "video ready without a storyboard");
                None
            }
        };
        let [video_key, thumbnail_key, srt_key, sk] = rendered_keys(&task.output);
        let media = self.media.clone();
        let (vk, tk, id) = (video_key.clone(), thumbnail_key.clone(), task.highlight_id.clone());
        let subtitles = rendered.subtitles.clone().map(|path| (srt_key, path));
        let storyboard = tokio::task::spawn_blocking(move || {
            // The thumbnail first: the video key is what makes a video watchable.
            media.put_file(&tk, &rendered.thumbnail)?;
            if let Some((key, path)) = subtitles {
                // Cues not kept are a nicety lost: the video has them burned in.
                if let Err(e) = media.put_file(&key, &path) {
                    tracing::warn!(highlight_id = %id, error = %e, "video ready without its cue file");
                }
            }
            // A storyboard not kept is one the video goes without, never a failed render.
            let storyboard = board.and_then(|(path, grid)| match media.put_file(&sk, &path) {
                Ok(()) => Some(grid.stored(sk)),
                Err(e) => {
                    tracing::warn!(highlight_id = %id, error = %e, "video ready without a storyboard");
                    None
                }
            });
            media.put_file(&vk, &rendered.video).map(|()| storyboard)
        })
        .await??;
        let clip = moved.then_some(ClipSpan { start_ms: snapped.start_ms, end_ms: snapped.end_ms });
        Ok(RenderOutcome::Ready {
            duration_ms: rendered.duration_ms,
            video_key,
            thumbnail_key,
            storyboard,
            clip,
            note: None,
        })
    }

    /// What a clip with automatic subtitles should say when some of the sound it shows
    /// (`[start_ms, end_ms)`, as rendered) had no words: recognition failed on it, or had not
    /// finished when the render could wait no longer.
    async fn subtitle_note(&self, task: &RenderTask, start_ms: i64, end_ms: i64) -> Option<String> {
        if !(self.speech && task.format.auto_subtitles) {
            return None;
        }
        let (pending, failed) = match self.store.render_material(task.live_id.clone(), start_ms, end_ms).await {
            Ok(m) => (m.speech_pending, m.speech_failed),
            // Unknown is not said: the note is a courtesy, never a reason to fail a video.
            Err(_) => return None,
        };
        if failed > 0 {
            Some("made without automatic subtitles for part of the clip: speech recognition failed there".into())
        } else if pending > 0 {
            Some(
                "made without automatic subtitles for part of the clip: speech recognition was not done in time".into(),
            )
        } else {
            None
        }
    }
}

/// Copies the segments of a clip into a new scratch directory, checking that each still holds
/// what a recorder sends: one stored before intake checked containers may not (blocking). The
/// speech worker fetches its one segment the same way.
pub(super) fn fetch_segments(
    media: &dyn MediaStore,
    scratch: &Path,
    segments: Vec<SegmentRef>,
) -> Result<(tempfile::TempDir, Vec<SegmentFile>), AttemptError> {
    std::fs::create_dir_all(scratch)?;
    let dir = tempfile::tempdir_in(scratch)?;
    let mut local = Vec::with_capacity(segments.len());
    for (i, segment) in segments.into_iter().enumerate() {
        let path = dir.path().join(format!("seg{i}.media"));
        media.fetch(&segment.media_key, &path)?;
        let mut head = Vec::with_capacity(Container::HEAD_BYTES);
        std::fs::File::open(&path)?.take(Container::HEAD_BYTES as u64).read_to_end(&mut head)?;
        let container = Container::sniff(&head).ok_or(RenderError::Unreadable { start_ms: segment.start_ms })?;
        local.push(SegmentFile { path, segment, container });
    }
    Ok((dir, local))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A clip `[11 s, 23 s)` of a LIVE, its job first due at 1 000 s (server time).
    fn task(live_on: bool) -> RenderTask {
        RenderTask {
            highlight_id: "h".into(),
            live_id: "l".into(),
            start_ms: 11_000,
            end_ms: 23_000,
            peak_ms: 17_000,
            product_name: None,
            format: Default::default(),
            live_on,
            attempt: 1,
            segments: Vec::new(),
            captions: Vec::new(),
            snap: true,
            min_ms: 10_000,
            max_ms: 60_000,
            claimable_since_ms: 1_000_000,
            output: "videos/h-0".into(),
        }
    }

    const TO: i64 = 26_000;
    const WAIT: i64 = 10_000;

    #[test]
    fn a_render_waits_for_the_recording_and_the_events_after_the_clip_then_goes_with_what_there_is() {
        let on = task(true);
        let now = 1_002_000;
        // Both in: render now.
        assert_eq!(wait_until(&on, TO, Some(TO), 0, TO, WAIT, now), None);
        assert_eq!(wait_until(&on, TO - JOIN_TOLERANCE_MS, Some(TO + 5_000), 0, TO, WAIT, now), None, "within a join");
        // The recording is in but the caption the clip ends in may not be: the events stop short.
        assert_eq!(wait_until(&on, TO, Some(23_000), 0, TO, WAIT, now), Some(now + RECHECK_MS));
        assert_eq!(wait_until(&on, TO, None, 0, TO, WAIT, now), Some(now + RECHECK_MS), "no events at all yet");
        // The events are in but the recording is not.
        assert_eq!(wait_until(&on, 24_000, Some(TO), 0, TO, WAIT, now), Some(now + RECHECK_MS));
        // Never past the bound, counted from when the job was first due, not from this claim.
        assert_eq!(wait_until(&on, 24_000, None, 0, TO, WAIT, 1_009_500), Some(1_010_000));
        assert_eq!(wait_until(&on, 24_000, None, 0, TO, WAIT, 1_010_000), None, "the bound: with what there is");
        assert_eq!(wait_until(&on, 24_000, None, 0, TO, 0, now), None, "no wait configured");
        // Everything in but some words still being recognised: wait for them too, within the bound.
        assert_eq!(wait_until(&on, TO, Some(TO), 1, TO, WAIT, now), Some(now + RECHECK_MS));
        assert_eq!(wait_until(&on, TO, Some(TO), 1, TO, WAIT, 1_010_000), None, "never past the bound for words");
        // A LIVE that ended (or went silent) sends nothing more.
        assert_eq!(wait_until(&task(false), 24_000, None, 0, TO, WAIT, now), None);
    }
}
