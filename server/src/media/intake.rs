//! Recording intake: a segment from the recorder is probed, kept in the media store, and listed
//! for its LIVE. An unreadable segment is kept and reported, never refused.

use std::path::Path;
use std::sync::Arc;

use axum::body::Bytes;
use highlights_api::SegmentReceipt;
use sha2::{Digest, Sha256};

use super::ffmpeg::{Container, Ffmpeg, FfmpegError, Probe};
use super::store::{MediaError, MediaStore};
use super::storyboard::{StripJob, StripMaker};
use crate::store::{MAX_SEGMENT_MS, SegmentProbe, Store, StoreError};

/// Why a segment was not kept.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The media store could not keep it.
    #[error(transparent)]
    Media(#[from] MediaError),
    /// Scratch space for probing failed.
    #[error("scratch file: {0}")]
    Scratch(#[from] std::io::Error),
}

/// Folder of a LIVE's recording in the media store: the LIVE id hashed, since ids may hold any
/// printable text.
fn recording_dir(live_id: &str) -> String {
    let digest = Sha256::digest(live_id.as_bytes());
    digest.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// Media key of one receipt (`version`) of a segment: a re-sent segment's bytes go under a key
/// of their own, so the cleanup job, deleting the bytes they replace, can never delete them.
pub fn segment_key(live_id: &str, start_ms: i64, version: &str) -> String {
    format!("recordings/{}/{start_ms}-{version}.seg", recording_dir(live_id))
}

/// Media key of the storyboard strip of one receipt (`version`) of a segment, next to it: a strip
/// still being made of a replaced version can never overwrite the file of the version that
/// replaced it, nor be deleted with it.
pub fn strip_key(live_id: &str, start_ms: i64, version: &str) -> String {
    format!("recordings/{}/{start_ms}-{version}.strip.jpg", recording_dir(live_id))
}

/// One segment as the recorder sent it.
pub struct Segment {
    /// Its LIVE.
    pub live_id: String,
    /// Stream-time start (epoch ms).
    pub start_ms: i64,
    /// The recorder's own length for it, trusted only when there is no ffprobe.
    pub claimed_ms: Option<i64>,
    /// The media.
    pub bytes: Bytes,
}

/// Probes media held in memory as `container` through a scratch file (ffprobe reads files); the
/// file goes with the call. The disk work runs off the async threads: a segment is up to 32 MiB.
async fn probe_bytes(
    ff: &Ffmpeg,
    scratch: &Path,
    bytes: &Bytes,
    container: Container,
) -> Result<Result<Probe, FfmpegError>, IntakeError> {
    let (dir, body) = (scratch.to_path_buf(), bytes.clone());
    let tmp = blocking(move || {
        std::fs::create_dir_all(&dir)?;
        let tmp = tempfile::NamedTempFile::new_in(&dir)?;
        std::fs::write(tmp.path(), &body)?;
        Ok(tmp.into_temp_path())
    })
    .await?;
    let probe = ff.probe(&tmp, container).await;
    blocking(move || tmp.close()).await?;
    Ok(probe)
}

/// Runs blocking file work on the blocking pool.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> std::io::Result<T> + Send + 'static) -> std::io::Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| std::io::Error::other(e.to_string()))?
}

/// What a segment holds as far as the recording goes: only MPEG-TS or MP4 bytes are probed, each
/// by its own demuxer; anything else is unreadable without ffmpeg ever looking at it.
async fn examine(ffmpeg: Option<&Ffmpeg>, scratch: &Path, segment: &Segment) -> Result<SegmentProbe, IntakeError> {
    const UNREADABLE: SegmentProbe = SegmentProbe { duration_ms: 0, readable: false };
    let Segment { live_id, start_ms, claimed_ms, bytes } = segment;
    let Some(container) = Container::sniff(&bytes[..bytes.len().min(Container::HEAD_BYTES)]) else {
        tracing::warn!(%live_id, start_ms, "segment neither MPEG-TS nor MP4 kept as unreadable");
        return Ok(UNREADABLE);
    };
    let Some(ff) = ffmpeg else {
        return Ok(match claimed_ms {
            Some(ms) if (1..=MAX_SEGMENT_MS).contains(ms) => SegmentProbe { duration_ms: *ms, readable: true },
            _ => UNREADABLE,
        });
    };
    Ok(match probe_bytes(ff, scratch, bytes, container).await? {
        Ok(p) if p.stream("video").is_some() && p.duration_ms > 0 && p.duration_ms <= MAX_SEGMENT_MS => {
            SegmentProbe { duration_ms: p.duration_ms, readable: true }
        }
        Ok(p) => {
            tracing::warn!(%live_id, start_ms, duration_ms = p.duration_ms, "segment without usable video kept as unreadable");
            UNREADABLE
        }
        Err(e) => {
            tracing::warn!(%live_id, start_ms, error = %e, "unreadable segment kept and reported");
            UNREADABLE
        }
    })
}

/// Probes and keeps one segment; a readable one gets its storyboard strip made in the background,
/// and with `speech` on, its transcription queued.
pub async fn take_segment(
    store: &Arc<dyn Store>,
    media: &Arc<dyn MediaStore>,
    ffmpeg: Option<&Ffmpeg>,
    scratch: &Path,
    speech: bool,
    segment: Segment,
) -> Result<SegmentReceipt, IntakeError> {
    // Unknown LIVEs are refused before anything is written.
    store.recording(segment.live_id.clone()).await?;
    let probe = examine(ffmpeg, scratch, &segment).await?;
    let Segment { live_id, start_ms, bytes, .. } = segment;
    let container = Container::sniff(&bytes[..bytes.len().min(Container::HEAD_BYTES)]);
    // Each receipt's files have keys of their own: the cleanup job deletes the files of the bytes
    // a re-send replaced, which must never be those of the bytes replacing them.
    let mut version = [0u8; 8];
    getrandom::fill(&mut version).map_err(|e| std::io::Error::other(e.to_string()))?;
    let version = crate::store::hex(&version);
    let key = segment_key(&live_id, start_ms, &version);
    let (m, k) = (media.clone(), key.clone());
    tokio::task::spawn_blocking(move || m.put_bytes(&k, &bytes))
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))??;
    let receipt = match store.add_segment(live_id.clone(), start_ms, probe, key.clone()).await {
        Ok(receipt) => receipt,
        Err(e) => {
            // Nothing points at the bytes just stored (each receipt has its own key): they go.
            let (m, k) = (media.clone(), key.clone());
            if !matches!(tokio::task::spawn_blocking(move || m.delete(&k)).await, Ok(Ok(()))) {
                tracing::warn!(%live_id, start_ms, "bytes of a segment not kept left behind");
            }
            return Err(e.into());
        }
    };
    if speech && receipt.readable && ffmpeg.is_some() {
        // Queued afresh for re-sent bytes; a failure here leaves the clip without these words, never without the segment.
        if let Err(e) = store.queue_speech(live_id.clone(), start_ms, crate::clock::now_ms()).await {
            tracing::warn!(%live_id, start_ms, error = %e, "segment kept without speech recognition");
        }
    }
    // With ffmpeg here, readable means ffprobe found video in the bytes of a sniffed container.
    if let (true, Some(ff), Some(container)) = (receipt.readable, ffmpeg, container) {
        let strip_key = strip_key(&live_id, start_ms, &version);
        let maker = StripMaker {
            store: store.clone(),
            media: media.clone(),
            ffmpeg: ff.clone(),
            scratch: scratch.to_path_buf(),
        };
        let duration_ms = receipt.duration_ms;
        maker.spawn(StripJob { live_id, start_ms, duration_ms, media_key: key, strip_key, container });
    }
    Ok(receipt)
}
