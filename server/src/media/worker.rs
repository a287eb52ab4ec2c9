//! The render worker: claims due jobs from the store, fetches their segments from the media
//! store, renders, stores the files, and reports the outcome; the store decides on retries.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use highlights_api::VideoState;

use super::ffmpeg::Ffmpeg;
use super::render::{self, Inputs, RenderError};
use super::store::{MediaError, MediaStore};
use crate::store::{RenderOutcome, RenderTask, Store, StoreError};

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
        std::fs::create_dir_all(&self.scratch)?;
        let dir = tempfile::tempdir_in(&self.scratch)?;
        let media = self.media.clone();
        let local: Vec<_> =
            segments.iter().enumerate().map(|(i, s)| (dir.path().join(format!("seg{i}.media")), s.clone())).collect();
        let fetch = local.clone();
        tokio::task::spawn_blocking(move || fetch.iter().try_for_each(|(path, s)| media.fetch(&s.media_key, path)))
            .await??;
        let has_audio = match self.ffmpeg.probe(&local[0].0).await {
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
