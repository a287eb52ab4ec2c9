//! Everything that changed for a seller since a cursor: the single request of a resync.

use axum::Json;
use axum::extract::State;
use highlights_api::{Changes, ErrorBody, paths};
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::HttpError;
use super::extract::{QueryParams, Seller};
use super::state::AppState;

/// Query of the changes feed.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ChangesQuery {
    /// Cursor from the last answer; 0 or absent for a first sync.
    #[param(minimum = 0)]
    pub since: Option<i64>,
    /// Most LIVEs plus highlights in one answer, 1 to 5000 (default 1000).
    #[param(minimum = 1, maximum = 5000)]
    pub limit: Option<u32>,
}

/// Config, experiments, settings, LIVEs and highlights changed since `since`. A resync with nothing
/// new is one small answer with the same cursor.
#[utoipa::path(get, path = paths::CHANGES, tag = "sync", params(ChangesQuery),
    responses((status = 200, body = Changes), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_changes(
    State(s): State<AppState>,
    Seller(seller): Seller,
    QueryParams(q): QueryParams<ChangesQuery>,
) -> Result<Json<Changes>, HttpError> {
    let since = q.since.unwrap_or(0);
    let limit = q.limit.unwrap_or(1000);
    if since < 0 || !(1..=5000).contains(&limit) {
        return Err(HttpError::BadRequest("since must be >= 0 and limit 1 to 5000".into()));
    }
    let mut changes = s.store.changes(seller, since, limit).await?;
    if let Some(config) = changes.config.as_mut() {
        super::config::served(&s, config);
    }
    Ok(Json(changes))
}
