//! Highlights of a LIVE: list, post a recommendation, remove one, or all auto-posted of a LIVE or of every LIVE.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use highlights_api::{ErrorBody, Highlight, HighlightList, RemovedCount, paths};

use super::error::HttpError;
use super::extract::{PathParam, Seller, idempotency_key, known_id};
use super::state::AppState;
use crate::store::Idempotency;

/// Highlights of one LIVE: auto-posted, seller-made and recommendations, with their signals.
#[utoipa::path(get, path = paths::LIVE_HIGHLIGHTS, tag = "highlights",
    params(("live_id" = String, Path, description = "LIVE id", min_length = 1, max_length = 128)),
    responses((status = 200, body = HighlightList), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_highlights(
    State(s): State<AppState>,
    Seller(seller): Seller,
    PathParam(live_id): PathParam<String>,
) -> Result<Json<HighlightList>, HttpError> {
    known_id("live", &live_id)?;
    Ok(Json(s.store.highlights(seller, live_id).await?))
}

/// Removes every auto-posted highlight of a LIVE (scheduled ones are cancelled).
#[utoipa::path(delete, path = paths::LIVE_HIGHLIGHTS, tag = "highlights",
    params(("live_id" = String, Path, description = "LIVE id", min_length = 1, max_length = 128)),
    responses((status = 200, body = RemovedCount), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn remove_all_highlights(
    State(s): State<AppState>,
    Seller(seller): Seller,
    PathParam(live_id): PathParam<String>,
) -> Result<Json<RemovedCount>, HttpError> {
    known_id("live", &live_id)?;
    Ok(Json(s.store.remove_auto_highlights(seller, Some(live_id)).await?))
}

/// Removes every auto-posted highlight of every LIVE of the seller (scheduled ones are cancelled);
/// seller-made videos stay. Removing again removes nothing more.
#[utoipa::path(delete, path = paths::HIGHLIGHTS, tag = "highlights",
    responses((status = 200, body = RemovedCount), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn remove_every_auto_highlight(
    State(s): State<AppState>,
    Seller(seller): Seller,
) -> Result<Json<RemovedCount>, HttpError> {
    Ok(Json(s.store.remove_auto_highlights(seller, None).await?))
}

/// Posts a recommendation to the seller's profile now.
#[utoipa::path(post, path = paths::HIGHLIGHT_POST, tag = "highlights",
    params(("highlight_id" = String, Path, description = "highlight id", min_length = 1, max_length = 128),
        ("Idempotency-Key" = Option<String>, Header, description = "makes a retry apply once", min_length = 1, max_length = 128)),
    responses((status = 200, body = Highlight), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn post_highlight(
    State(s): State<AppState>,
    Seller(seller): Seller,
    headers: HeaderMap,
    PathParam(id): PathParam<String>,
) -> Result<Json<Highlight>, HttpError> {
    known_id("highlight", &id)?;
    let key = idempotency_key(&headers)?.map(|k| Idempotency::new(k, "POST /v1/highlights/post", &id));
    Ok(Json(s.store.post_highlight(seller, id, key).await?))
}

/// Approves an auto-post waiting for the seller's review ("Ask me before posting"): it posts at
/// its post time. Approving twice is harmless.
#[utoipa::path(post, path = paths::HIGHLIGHT_APPROVE, tag = "highlights",
    params(("highlight_id" = String, Path, description = "highlight id", min_length = 1, max_length = 128)),
    responses((status = 200, body = Highlight), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn approve_highlight(
    State(s): State<AppState>,
    Seller(seller): Seller,
    PathParam(id): PathParam<String>,
) -> Result<Json<Highlight>, HttpError> {
    known_id("highlight", &id)?;
    Ok(Json(s.store.approve_highlight(seller, id).await?))
}

/// Takes a highlight down (or cancels it before posting). Removing twice is harmless.
#[utoipa::path(delete, path = paths::HIGHLIGHT, tag = "highlights",
    params(("highlight_id" = String, Path, description = "highlight id", min_length = 1, max_length = 128)),
    responses((status = 200, body = Highlight), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn remove_highlight(
    State(s): State<AppState>,
    Seller(seller): Seller,
    PathParam(id): PathParam<String>,
) -> Result<Json<Highlight>, HttpError> {
    known_id("highlight", &id)?;
    Ok(Json(s.store.remove_highlight(seller, id).await?))
}
