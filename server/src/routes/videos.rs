//! Shoppable videos cut by the seller from a recording, exactly once per idempotency key.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use highlights_api::{ApiError as ErrorBody, CreateVideo, Highlight, HighlightKind, HighlightStatus, LiveStatus};
use rusqlite::Connection;

use crate::app::AppState;
use crate::auth::Seller;
use crate::db::now_ms;
use crate::error::{ApiError, JsonBody, known_id};
use crate::idempotency;
use crate::routes::{config, highlights, lives};

fn invalid(message: String) -> ApiError {
    ApiError::Unprocessable { code: "invalid_segment", message }
}

/// Validates the segment as the app core does, then stores the video as posted.
pub fn create(conn: &Connection, seller_id: &str, v: &CreateVideo) -> Result<Highlight, ApiError> {
    known_id("live", &v.live_id)?;
    let live = lives::load(conn, seller_id, &v.live_id)?;
    let (cfg, _) = config::load(conn)?;
    if v.end_ms <= v.start_ms {
        return Err(invalid("the end must come after the start".into()));
    }
    let now = now_ms();
    let live_end = live.ended_at_ms.unwrap_or(now);
    if v.start_ms < live.started_at_ms || v.end_ms > live_end {
        return Err(invalid("the segment must lie inside the recording".into()));
    }
    let len = v.end_ms - v.start_ms;
    if len < i64::from(cfg.clip_min_s) * 1000 || len > i64::from(cfg.clip_max_s) * 1000 {
        return Err(invalid(format!("a video must be {}–{} s long", cfg.clip_min_s, cfg.clip_max_s)));
    }
    if v.product_id.is_empty() || !live.products.iter().any(|p| p.id == v.product_id) {
        return Err(ApiError::Unprocessable {
            code: "unknown_product",
            message: "the product was not in that LIVE".into(),
        });
    }
    let (experiments, _) = config::experiments_of(conn, seller_id)?;
    highlights::insert(
        conn,
        &highlights::NewHighlight {
            seller_id: seller_id.into(),
            live_id: v.live_id.clone(),
            kind: HighlightKind::Manual,
            status: HighlightStatus::Posted,
            live_now: live.status == LiveStatus::Live,
            start_ms: v.start_ms,
            end_ms: v.end_ms,
            peak_ms: None,
            product_id: Some(v.product_id.clone()),
            score: 0.0,
            signals: Vec::new(),
            identified_at_ms: None,
            post_at_ms: Some(now),
            posted_at_ms: Some(now),
            format: experiments.format,
        },
    )
}

/// Creates a shoppable video from a recording segment. Requires an Idempotency-Key: a replay returns
/// the same video and never creates a second one.
#[utoipa::path(post, path = "/v1/videos", tag = "highlights", request_body = CreateVideo,
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
) -> Result<(StatusCode, Json<Highlight>), ApiError> {
    let key =
        idempotency::key(&headers)?.ok_or_else(|| ApiError::BadRequest("Idempotency-Key header is required".into()))?;
    let fp = idempotency::fingerprint("POST /v1/videos", &v);
    let h = s.db.write(move |tx| idempotency::once(tx, &seller, Some(&key), &fp, |tx| create(tx, &seller, &v))).await?;
    Ok((StatusCode::CREATED, Json(h)))
}
