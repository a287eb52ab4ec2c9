//! The speech worker: claims due transcriptions (one per received segment), reads the segment's
//! sound, asks the [`Recognizer`] for its words and reports them to the store, which keeps them as
//! the LIVE's captions where the platform sent none. It never holds up a render: a render waits
//! for a pending transcription only as long as it waits for the rest of what follows its clip.

use std::sync::Arc;
use std::time::Duration;

use super::ffmpeg::Ffmpeg;
use super::speech::{Recognizer, transcribe_segment};
use super::store::MediaStore;
use super::worker::fetch_segments;
use crate::clock::Clock;
use crate::store::{SegmentRef, SpeechOutcome, SpeechTask, Store, StoreError};

/// Transcribes the segments the store queues.
#[derive(Clone)]
pub struct SpeechWorker {
    store: Arc<dyn Store>,
    media: Arc<dyn MediaStore>,
    ffmpeg: Ffmpeg,
    recognizer: Arc<dyn Recognizer>,
    scratch: std::path::PathBuf,
    clock: Clock,
}

/// Longest one transcription may take: a few times a segment's length (the recogniser runs at a
/// small fraction of real time), never less than a minute on a loaded machine.
fn limit(task: &SpeechTask) -> Duration {
    Duration::from_millis((task.duration_ms.max(0) as u64).saturating_mul(4).max(60_000))
}

impl SpeechWorker {
    /// A worker using `scratch` for its temporary files.
    pub fn new(
        store: Arc<dyn Store>,
        media: Arc<dyn MediaStore>,
        ffmpeg: Ffmpeg,
        recognizer: Arc<dyn Recognizer>,
        scratch: std::path::PathBuf,
    ) -> Self {
        Self { store, media, ffmpeg, recognizer, scratch, clock: Arc::new(crate::clock::now_ms) }
    }

    /// This worker, claiming and finishing by `clock` instead of the wall clock (for tests).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Transcribes due segments until `stop` turns true; one under way is abandoned (the
    /// recogniser killed) and its lease lets it be taken again later.
    pub async fn run(self, stop: tokio::sync::watch::Receiver<bool>) {
        super::queue::drain(stop, "speech", || self.transcribe_next()).await
    }

    /// Claims and transcribes one due segment; `None` when nothing was due, else how many words
    /// it heard (0 after a failure, which the store retries).
    pub async fn transcribe_next(&self) -> Result<Option<usize>, StoreError> {
        let Some(task) = self.store.claim_speech((self.clock)()).await? else {
            return Ok(None);
        };
        let started = std::time::Instant::now();
        let outcome = match self.attempt(&task).await {
            Ok(words) => SpeechOutcome::Heard(words),
            Err(reason) => {
                tracing::warn!(live_id = %task.live_id, start_ms = task.start_ms, attempt = task.attempt, %reason, "speech recognition failed");
                SpeechOutcome::Failed { reason }
            }
        };
        let heard = match &outcome {
            SpeechOutcome::Heard(words) => words.len(),
            SpeechOutcome::Failed { .. } => 0,
        };
        tracing::debug!(
            live_id = %task.live_id,
            start_ms = task.start_ms,
            words = heard,
            took_ms = started.elapsed().as_millis() as u64,
            "segment transcribed"
        );
        match self.store.finish_speech(task, outcome, (self.clock)()).await {
            Ok(()) => Ok(Some(heard)),
            // The segment was re-sent (its new bytes are queued afresh) or another worker took
            // over after this one's lease ran out: that answer stands.
            Err(StoreError::NotFound(_)) => Ok(Some(heard)),
            Err(e) => Err(e),
        }
    }

    async fn attempt(&self, task: &SpeechTask) -> Result<Vec<crate::subtitles::TimedWord>, String> {
        let (media, scratch) = (self.media.clone(), self.scratch.clone());
        let segment = SegmentRef {
            start_ms: task.start_ms,
            duration_ms: task.duration_ms,
            media_key: task.media_key.clone(),
            readable: true,
        };
        // Disk work stays off the async threads.
        let (dir, mut local) =
            tokio::task::spawn_blocking(move || fetch_segments(media.as_ref(), &scratch, vec![segment]))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())?;
        let file = local.pop().ok_or("the segment was not fetched")?;
        let (path, container) = (file.path, file.container);
        let words = transcribe_segment(
            &self.ffmpeg,
            self.recognizer.as_ref(),
            dir.path(),
            &path,
            container,
            task.start_ms,
            limit(task),
        )
        .await
        .map_err(|e| e.to_string());
        let _ = tokio::task::spawn_blocking(move || dir.close()).await;
        words
    }
}
