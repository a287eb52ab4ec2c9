//! Recording intake from the recorder (service token): segments as they are cut, and the report
//! of what is held, so the recorder can re-send what is missing or unreadable.

use axum::Json;
use axum::extract::State;
use highlights_api::{ErrorBody, RecordingReport, SegmentReceipt, paths};
use serde::Deserialize;

use super::error::HttpError;
use super::extract::{PathParam, QueryParams, RawBody, Service, known_id};
use super::state::AppState;
use crate::media::intake::{Segment, take_segment};
use crate::store::StoreError;

/// Largest segment body: a few seconds of video.
pub const MAX_SEGMENT_BYTES: usize = 32 * 1024 * 1024;

/// Where a segment sits in the stream.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SegmentAt {
    /// Stream-time start of the segment (epoch ms).
    #[param(minimum = 1)]
    start_ms: i64,
    /// The recorder's own length for it, in ms; used only when the server cannot probe media.
    #[param(minimum = 1, maximum = 30000)]
    duration_ms: Option<i64>,
}

/// Takes one segment of a LIVE's recording (MPEG-TS or fragmented MP4). Re-sending a start
/// replaces that segment; an unreadable one is kept and reported (`readable: false`), not refused.
#[utoipa::path(put, path = paths::INGEST_SEGMENT, tag = "ingest",
    params(("live_id" = String, Path, description = "LIVE id", min_length = 1, max_length = 128), SegmentAt),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = SegmentReceipt), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, description = "start_ms too far from the server's clock", body = ErrorBody),
        (status = 503, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn put_segment(
    State(s): State<AppState>,
    _service: Service,
    PathParam(live_id): PathParam<String>,
    QueryParams(at): QueryParams<SegmentAt>,
    RawBody(body): RawBody,
) -> Result<Json<SegmentReceipt>, HttpError> {
    known_id("live", &live_id)?;
    if at.start_ms <= 0 {
        return Err(HttpError::BadRequest("start_ms must be a positive epoch time".into()));
    }
    if !s.window.admits((s.clock)(), at.start_ms) {
        return Err(StoreError::rule("segment_out_of_window", "start_ms is too far from the server's clock").into());
    }
    if body.is_empty() {
        return Err(HttpError::BadRequest("a segment needs a body".into()));
    }
    let segment = Segment { live_id, start_ms: at.start_ms, claimed_ms: at.duration_ms, bytes: body };
    let receipt = take_segment(&s.store, &s.media, s.ffmpeg.as_ref(), &s.scratch, s.speech.is_some(), segment).await?;
    Ok(Json(receipt))
}

/// What is held of a LIVE's recording: coverage, holes, unreadable segments, late arrivals.
#[utoipa::path(get, path = paths::INGEST_RECORDING, tag = "ingest",
    params(("live_id" = String, Path, description = "LIVE id", min_length = 1, max_length = 128)),
    responses((status = 200, body = RecordingReport), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_recording(
    State(s): State<AppState>,
    _service: Service,
    PathParam(live_id): PathParam<String>,
) -> Result<Json<RecordingReport>, HttpError> {
    known_id("live", &live_id)?;
    Ok(Json(s.store.recording(live_id).await?))
}
