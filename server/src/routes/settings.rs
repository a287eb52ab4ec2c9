//! The seller's Highlights settings, with optimistic concurrency.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use highlights_api::{ErrorBody, Settings, SettingsPatch, StaleSettings, paths};

use super::error::HttpError;
use super::extract::{JsonBody, Seller, idempotency_key};
use super::state::AppState;
use crate::store::Idempotency;

/// The seller's Highlights settings.
#[utoipa::path(get, path = paths::SETTINGS, tag = "settings",
    responses((status = 200, body = Settings), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_settings(State(s): State<AppState>, Seller(id): Seller) -> Result<Json<Settings>, HttpError> {
    Ok(Json(s.store.settings(id).await?))
}

/// Changes the settings. Send `expected_version` to be refused (409) if they changed meanwhile.
#[utoipa::path(patch, path = paths::SETTINGS, tag = "settings", request_body = SettingsPatch,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retried change apply once", min_length = 1, max_length = 128)),
    responses((status = 200, body = Settings), (status = 409, body = StaleSettings),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn patch_settings(
    State(s): State<AppState>,
    Seller(id): Seller,
    headers: HeaderMap,
    JsonBody(p): JsonBody<SettingsPatch>,
) -> Result<Json<Settings>, HttpError> {
    // A retry carries the same intent, but its version and times are re-estimated by then (the
    // client may have learned the new version, or measured the clock offset again after a
    // restart): they are not what makes it the same request.
    let intent = SettingsPatch {
        expected_version: None,
        acted_at_ms: None,
        popup_dismissed_at_ms: p.popup_dismissed_at_ms.map(|_| 1),
        ..p.clone()
    };
    let key = idempotency_key(&headers)?.map(|k| Idempotency::new(k, "PATCH /v1/settings", &intent));
    Ok(Json(s.store.patch_settings(id, p, key).await?))
}
