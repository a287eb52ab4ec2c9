//! The render worker: claims due jobs from the store, fetches their segments from the media
//! store, renders, stores the files, and reports the outcome; the store decides on retries.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use highlights_api::VideoState;

use super::ffmpeg::Container;
use super::ffmpeg::Ffmpeg;
use super::render::{self, Inputs, RenderError, SegmentFile};
use super::store::{MediaError, MediaStore};
use crate::store::{RenderOutcome, RenderTask, SegmentRef, Store, StoreError};

/// Why one attempt failed before or after ffmpeg.
#[derive(Debug, thiserror::Error)]
enum AttemptError {
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Media(#[from] MediaError),
    #[error("scratch directory: {0}")]
    Scratch(#[from] std::io::Error),
    #[error("media task: {0}")]
    Join(#[from] tokio::task::JoinError),
}

/// Media key of a highlight's MP4.
pub fn video_key(highlight_id: &str) -> String {
    format!("videos/{highlight_id}.mp4")
}

/// Media key of a highlight's thumbnail.
pub fn thumbnail_key(highlight_id: &str) -> String {
    format!("videos/{highlight_id}.jpg")
}

/// Renders the videos the store queues.
#[derive(Clone)]
pub struct RenderWorker {
    store: Arc<dyn Store>,
    media: Arc<dyn MediaStore>,
    ffmpeg: Ffmpeg,
    scratch: PathBuf,
}

impl RenderWorker {
    /// A worker using `scratch` for its temporary files.
    pub fn new(store: Arc<dyn Store>, media: Arc<dyn MediaStore>, ffmpeg: Ffmpeg, scratch: PathBuf) -> Self {
        Self { store, media, ffmpeg, scratch }
    }

    /// Renders due jobs until `stop` turns true; an attempt under way is abandoned (its ffmpeg
    /// killed) and its lease lets it be taken again later.
    pub async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let mut tick = tokio::time::interval(Duration::from_millis(300));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.changed() => return,
            }
            loop {
                let next = tokio::select! {
                    r = self.render_next() => r,
                    _ = stop.changed() => return,
                };
                match next {
                    Ok(Some(_)) => continue,
                    Ok(None) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "render queue unavailable; retrying");
                        break;
                    }
                }
            }
        }
    }

    /// Claims and renders one due job; `None` when nothing was due, else the video's state after it.
    pub async fn render_next(&self) -> Result<Option<VideoState>, StoreError> {
        let Some(task) = self.store.claim_render(crate::clock::now_ms()).await? else {
            return Ok(None);
        };
        let outcome = match self.attempt(&task).await {
            Ok(outcome) => outcome,
            Err(e) => RenderOutcome::Failed { reason: e.to_string() },
        };
        if let RenderOutcome::Failed { reason } = &outcome {
            tracing::warn!(highlight_id = %task.highlight_id, attempt = task.attempt, %reason, "render failed");
        }
        match self.store.finish_render(task.highlight_id.clone(), outcome, crate::clock::now_ms()).await {
            Ok(state) => {
                tracing::info!(highlight_id = %task.highlight_id, state = state.as_str(), "render finished");
                Ok(Some(state))
            }
            // Another worker took the job over after this one's lease ran out; its answer stands.
            Err(StoreError::NotFound(_)) => Ok(Some(VideoState::Rendering)),
            Err(e) => Err(e),
        }
    }

    async fn attempt(&self, task: &RenderTask) -> Result<RenderOutcome, AttemptError> {
        let segments = render::covering(task)?;
        let (media, scratch) = (self.media.clone(), self.scratch.clone());
        // Disk work (the scratch directory, copies of the segments) stays off the async threads.
        let (dir, local) =
            tokio::task::spawn_blocking(move || fetch_segments(media.as_ref(), &scratch, segments)).await??;
        let result = self.render_in(task, &dir, local).await;
        match tokio::task::spawn_blocking(move || dir.close()).await {
            Ok(Ok(())) => {}
            // A leftover scratch directory wastes disk but harms no video.
            Ok(Err(e)) => tracing::warn!(error = %e, "scratch directory left behind"),
            Err(e) => tracing::warn!(error = %e, "scratch directory left behind"),
        }
        result
    }

    /// Renders the clip from the local copies in `dir` and stores the video and its thumbnail.
    async fn render_in(
        &self,
        task: &RenderTask,
        dir: &tempfile::TempDir,
        local: Vec<SegmentFile>,
    ) -> Result<RenderOutcome, AttemptError> {
        let first = local.first().ok_or(RenderError::Missing { from_ms: task.start_ms, to_ms: task.end_ms })?;
        let has_audio = match self.ffmpeg.probe(&first.path, first.container).await {
            Ok(p) => p.stream("audio").is_some(),
            Err(e) => return Err(RenderError::from(e).into()),
        };
        let rendered = render::render(&self.ffmpeg, task, &Inputs { segments: local, has_audio }, dir.path()).await?;
        let (video_key, thumbnail_key) = (video_key(&task.highlight_id), thumbnail_key(&task.highlight_id));
        let media = self.media.clone();
        let (vk, tk) = (video_key.clone(), thumbnail_key.clone());
        tokio::task::spawn_blocking(move || {
            // The thumbnail first: the video key is what makes a video watchable.
            media.put_file(&tk, &rendered.thumbnail)?;
            media.put_file(&vk, &rendered.video)
        })
        .await??;
        Ok(RenderOutcome::Ready { duration_ms: rendered.duration_ms, video_key, thumbnail_key })
    }
}

/// Copies the segments of a clip into a new scratch directory, checking that each still holds
/// what a recorder sends: one stored before intake checked containers may not (blocking).
fn fetch_segments(
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
