//! LIVE sessions and their recordings, newest first with cursor paging, or as a delta since a
//! cursor; a recording's storyboard, strip by strip.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use highlights_api::{ErrorBody, Live, LivePage, LivePatch, RecordingStoryboard, StoryboardStrip, paths};
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::HttpError;
use super::extract::{JsonBody, PathParam, QueryParams, Seller, known_id};
use super::state::AppState;
use crate::store::LiveQuery;

/// Query of the LIVE list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// Cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Delta form: only LIVEs changed after this change sequence number, oldest change first.
    #[param(minimum = 0)]
    pub changed_since: Option<i64>,
}

/// The store's query for a list request.
fn query(q: ListQuery) -> Result<LiveQuery, HttpError> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(HttpError::BadRequest("limit must be 1 to 200".into()));
    }
    let Some(since) = q.changed_since else {
        return Ok(LiveQuery::Newest { limit, cursor: q.cursor });
    };
    if since < 0 {
        return Err(HttpError::BadRequest("changed_since must be >= 0".into()));
    }
    // In the delta form the cursor is the sequence number to go on from.
    let since = match &q.cursor {
        Some(c) => c.parse().map_err(|_| HttpError::BadRequest("invalid cursor".into()))?,
        None => since,
    };
    Ok(LiveQuery::ChangedSince { limit, since })
}

/// The seller's LIVE sessions and recordings with their products.
#[utoipa::path(get, path = paths::LIVES, tag = "lives", params(ListQuery),
    responses((status = 200, body = LivePage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_lives(
    State(s): State<AppState>,
    Seller(id): Seller,
    QueryParams(q): QueryParams<ListQuery>,
) -> Result<Json<LivePage>, HttpError> {
    Ok(Json(s.store.lives(id, query(q)?).await?))
}

/// One LIVE with its products.
#[utoipa::path(get, path = paths::LIVE, tag = "lives",
    params(("live_id" = String, Path, description = "LIVE id", min_length = 1, max_length = 128)),
    responses((status = 200, body = Live), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_live(
    State(s): State<AppState>,
    Seller(id): Seller,
    PathParam(live_id): PathParam<String>,
) -> Result<Json<Live>, HttpError> {
    known_id("live", &live_id)?;
    Ok(Json(s.store.live(id, live_id).await?))
}

/// The seller's choice for one LIVE: off stops its highlights (no new moments kept, scheduled
/// posts cancelled) while the feature stays on for the others. Setting the same value is harmless.
#[utoipa::path(patch, path = paths::LIVE, tag = "lives", request_body = LivePatch,
    params(("live_id" = String, Path, description = "LIVE id", min_length = 1, max_length = 128)),
    responses((status = 200, body = Live), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn patch_live(
    State(s): State<AppState>,
    Seller(id): Seller,
    PathParam(live_id): PathParam<String>,
    JsonBody(patch): JsonBody<LivePatch>,
) -> Result<Json<Live>, HttpError> {
    known_id("live", &live_id)?;
    Ok(Json(s.store.set_live_highlights(id, live_id, patch.highlights_on).await?))
}

/// The recording of one of the seller's LIVEs as storyboard strips so far, one per received
/// segment in time order: the clip editor's timeline. Segments not yet (or not) made into a strip
/// are left out.
#[utoipa::path(get, path = paths::LIVE_STORYBOARD, tag = "lives",
    params(("live_id" = String, Path, description = "LIVE id", min_length = 1, max_length = 128)),
    responses((status = 200, body = RecordingStoryboard), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_live_storyboard(
    State(s): State<AppState>,
    Seller(id): Seller,
    PathParam(live_id): PathParam<String>,
) -> Result<Json<RecordingStoryboard>, HttpError> {
    known_id("live", &live_id)?;
    let strips = s.store.recording_storyboard(id, live_id.clone()).await?;
    let strips = strips
        .into_iter()
        .map(|strip| StoryboardStrip {
            start_ms: strip.start_ms,
            end_ms: strip.start_ms.saturating_add(strip.duration_ms),
            storyboard: strip.storyboard.storyboard(paths::live_storyboard_strip(&live_id, strip.start_ms)),
        })
        .collect();
    Ok(Json(RecordingStoryboard { strips }))
}

/// One storyboard strip of one of the seller's LIVEs (JPEG), at a `start_ms` its storyboard lists.
#[utoipa::path(get, path = paths::LIVE_STORYBOARD_STRIP, tag = "lives",
    params(("live_id" = String, Path, description = "LIVE id", min_length = 1, max_length = 128),
        ("start_ms" = i64, Path, description = "start of the strip (epoch ms), as the LIVE's storyboard lists it")),
    responses((status = 200, content_type = "image/jpeg", body = Vec<u8>), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_live_storyboard_strip(
    State(s): State<AppState>,
    Seller(id): Seller,
    PathParam((live_id, start_ms)): PathParam<(String, i64)>,
) -> Result<Response, HttpError> {
    known_id("live", &live_id)?;
    let strip = s.store.segment_storyboard(id, live_id, start_ms).await?;
    super::media::serve_file(&s, strip.storyboard.key, "image/jpeg", &HeaderMap::new()).await
}
