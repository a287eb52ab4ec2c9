//! Shoppable videos cut by the seller from a recording, exactly once per idempotency key.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use highlights_api::{CreateVideo, ErrorBody, Highlight, paths};

use super::error::HttpError;
use super::extract::{JsonBody, Seller, idempotency_key};
use super::state::AppState;
use crate::store::Idempotency;

/// Creates a shoppable video from a recording segment. Requires an Idempotency-Key: a replay returns
/// the same video and never creates a second one. Beyond the seller's render quota (videos being
/// made at once, videos made in 24 hours) it answers 422 `video_quota_reached`.
#[utoipa::path(post, path = paths::VIDEOS, tag = "highlights", request_body = CreateVideo,
    params(("Idempotency-Key" = String, Header, description = "required; one video per key", min_length = 1, max_length = 128)),
    responses((status = 201, body = Highlight), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_video(
    State(s): State<AppState>,
    Seller(seller): Seller,
    headers: HeaderMap,
    JsonBody(v): JsonBody<CreateVideo>,
) -> Result<(StatusCode, Json<Highlight>), HttpError> {
    let key =
        idempotency_key(&headers)?.ok_or_else(|| HttpError::BadRequest("Idempotency-Key header is required".into()))?;
    let key = Idempotency::new(key, "POST /v1/videos", &v);
    Ok((StatusCode::CREATED, Json(s.store.create_video(seller, v, key).await?)))
}
