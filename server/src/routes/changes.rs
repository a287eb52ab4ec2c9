//! Everything that changed for a seller since a cursor: the single request of a resync.

use axum::Json;
use axum::extract::State;
use highlights_api::{ApiError as ErrorBody, Changes};
use rusqlite::Connection;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::app::AppState;
use crate::auth::Seller;
use crate::db::current_seq;
use crate::error::{ApiError, QueryParams};
use crate::routes::{config, highlights, lives, settings};

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

/// Builds one page of changes. Rows are taken in change order across LIVEs and highlights, so a
/// highlight never arrives before the LIVE it belongs to.
pub fn page(conn: &Connection, seller_id: &str, since: i64, limit: u32) -> Result<Changes, ApiError> {
    let (cfg, cfg_seq) = config::load(conn)?;
    let (experiments, exp_seq) = config::experiments_of(conn, seller_id)?;
    let (s, s_seq) = settings::load(conn, seller_id)?;
    let mut lives = lives::changed_since(conn, seller_id, since, limit)?;
    let mut highlights = highlights::changed_since(conn, seller_id, since, limit)?;
    let mut seqs: Vec<i64> = lives.iter().map(|l| l.seq).chain(highlights.iter().map(|h| h.seq)).collect();
    seqs.sort_unstable();
    let has_more = seqs.len() > limit as usize;
    let cursor = if has_more {
        let last = seqs[limit as usize - 1];
        lives.retain(|l| l.seq <= last);
        highlights.retain(|h| h.seq <= last);
        last
    } else {
        // Nothing left: jump to the head so an idle resync stays at one tiny answer.
        current_seq(conn)?.max(since)
    };
    Ok(Changes {
        cursor,
        has_more,
        config: (cfg_seq > since || since == 0).then_some(cfg),
        experiments: (exp_seq > since || since == 0).then_some(experiments),
        settings: (s_seq > since || since == 0).then_some(s),
        lives: lives::with_products(conn, lives)?,
        highlights,
    })
}

/// Config, experiments, settings, LIVEs and highlights changed since `since`. A resync with nothing
/// new is one small answer with the same cursor.
#[utoipa::path(get, path = "/v1/changes", tag = "sync", params(ChangesQuery),
    responses((status = 200, body = Changes), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_changes(
    State(s): State<AppState>,
    Seller(seller): Seller,
    QueryParams(q): QueryParams<ChangesQuery>,
) -> Result<Json<Changes>, ApiError> {
    let since = q.since.unwrap_or(0);
    let limit = q.limit.unwrap_or(1000);
    if since < 0 || !(1..=5000).contains(&limit) {
        return Err(ApiError::BadRequest("since must be >= 0 and limit 1 to 5000".into()));
    }
    s.db.call(move |c| {
        // One read transaction: the cursor and the rows come from the same snapshot, so no change
        // committed meanwhile can fall between them.
        let tx = c.transaction()?;
        page(&tx, &seller, since, limit).map(Json)
    })
    .await
}
