//! The seller's Highlights settings, with optimistic concurrency.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use highlights_api::{ApiError as ErrorBody, Settings, SettingsPatch, StaleSettings};
use rusqlite::{Connection, OptionalExtension, params};

use crate::app::AppState;
use crate::auth::Seller;
use crate::db::{next_seq, now_ms};
use crate::error::{ApiError, JsonBody};
use crate::idempotency;

/// The seller's settings and their change sequence number.
pub fn load(conn: &Connection, seller_id: &str) -> Result<(Settings, i64), ApiError> {
    conn.prepare_cached(
        "SELECT highlights_on, onboarding_completed, popup_shows, popup_dismissed_at_ms, version, updated_at_ms, seq
         FROM settings WHERE seller_id = ?1",
    )?
    .query_row([seller_id], |r| {
        Ok((
            Settings {
                highlights_on: r.get(0)?,
                onboarding_completed: r.get(1)?,
                popup_shows: r.get(2)?,
                popup_dismissed_at_ms: r.get(3)?,
                version: r.get(4)?,
                updated_at_ms: r.get(5)?,
            },
            r.get(6)?,
        ))
    })
    .optional()?
    .ok_or_else(|| ApiError::NotFound("settings".into()))
}

/// Applies a patch; a stale `expected_version` is refused with the current state.
pub fn patch(conn: &Connection, seller_id: &str, p: &SettingsPatch) -> Result<Settings, ApiError> {
    let (mut s, _) = load(conn, seller_id)?;
    if let Some(v) = p.expected_version
        && v != s.version
    {
        return Err(ApiError::Stale { expected: v, current: Box::new(s) });
    }
    if p.onboarding_completed == Some(false) {
        return Err(ApiError::Unprocessable {
            code: "invalid_change",
            message: "onboarding cannot be un-completed".into(),
        });
    }
    if p.popup_shows_delta.is_some_and(|d| d > 100) {
        return Err(ApiError::Unprocessable {
            code: "invalid_change",
            message: "popup_shows_delta is at most 100".into(),
        });
    }
    if p.popup_dismissed_at_ms.is_some_and(|t| t <= 0) {
        return Err(ApiError::Unprocessable {
            code: "invalid_change",
            message: "popup_dismissed_at_ms must be an epoch time".into(),
        });
    }
    let before = s.clone();
    if let Some(on) = p.highlights_on {
        s.highlights_on = on;
    }
    if p.onboarding_completed == Some(true) {
        s.onboarding_completed = true;
    }
    s.popup_shows = s.popup_shows.saturating_add(p.popup_shows_delta.unwrap_or(0));
    if let Some(t) = p.popup_dismissed_at_ms {
        s.popup_dismissed_at_ms = Some(s.popup_dismissed_at_ms.map_or(t, |d| d.max(t)));
    }
    if s == before {
        return Ok(s);
    }
    s.version += 1;
    let now = now_ms();
    s.updated_at_ms = p.acted_at_ms.filter(|t| *t > 0).map_or(now, |t| t.min(now));
    let seq = next_seq(conn)?;
    conn.prepare_cached(
        "UPDATE settings SET highlights_on = ?2, onboarding_completed = ?3, popup_shows = ?4, popup_dismissed_at_ms = ?5,
             version = ?6, updated_at_ms = ?7, seq = ?8 WHERE seller_id = ?1",
    )?
    .execute(params![
        seller_id,
        s.highlights_on,
        s.onboarding_completed,
        s.popup_shows,
        s.popup_dismissed_at_ms,
        s.version,
        s.updated_at_ms,
        seq
    ])?;
    Ok(s)
}

/// Whether the seller's Highlights toggle is on now.
pub fn is_on(conn: &Connection, seller_id: &str) -> Result<bool, ApiError> {
    Ok(conn
        .prepare_cached("SELECT highlights_on FROM settings WHERE seller_id = ?1")?
        .query_row([seller_id], |r| r.get(0))
        .optional()?
        .unwrap_or(false))
}

/// The seller's Highlights settings.
#[utoipa::path(get, path = "/v1/settings", tag = "settings",
    responses((status = 200, body = Settings), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_settings(State(s): State<AppState>, Seller(id): Seller) -> Result<Json<Settings>, ApiError> {
    s.db.call(move |c| load(c, &id).map(|(s, _)| Json(s))).await
}

/// Changes the settings. Send `expected_version` to be refused (409) if they changed meanwhile.
#[utoipa::path(patch, path = "/v1/settings", tag = "settings", request_body = SettingsPatch,
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
) -> Result<Json<Settings>, ApiError> {
    let key = idempotency::key(&headers)?;
    // A retry carries the same intent, but its version and times are re-estimated by then (the
    // client may have learned the new version, or measured the clock offset again after a
    // restart): they are not what makes it the same request.
    let intent = SettingsPatch {
        expected_version: None,
        acted_at_ms: None,
        popup_dismissed_at_ms: p.popup_dismissed_at_ms.map(|_| 1),
        ..p.clone()
    };
    let fingerprint = idempotency::fingerprint("PATCH /v1/settings", &intent);
    s.db.write(move |tx| idempotency::once(tx, &id, key.as_deref(), &fingerprint, |tx| patch(tx, &id, &p)))
        .await
        .map(Json)
}
