//! LIVE sessions and their recordings, newest first with cursor paging, or as a delta since a cursor.

use axum::Json;
use axum::extract::State;
use highlights_api::{ApiError as ErrorBody, Live, LivePage, LiveStatus, Product};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::app::AppState;
use crate::auth::Seller;
use crate::error::{ApiError, PathParam, QueryParams, check_id, known_id};

const LIVE_COLS: &str = "id, title, started_at_ms, ended_at_ms, status, seq";

fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Live> {
    let status: String = r.get(4)?;
    Ok(Live {
        id: r.get(0)?,
        title: r.get(1)?,
        started_at_ms: r.get(2)?,
        ended_at_ms: r.get(3)?,
        status: if status == "live" { LiveStatus::Live } else { LiveStatus::Ended },
        products: Vec::new(),
        seq: r.get(5)?,
    })
}

/// Fills in each LIVE's products.
pub fn with_products(conn: &Connection, mut lives: Vec<Live>) -> Result<Vec<Live>, ApiError> {
    let mut stmt =
        conn.prepare_cached("SELECT product_id, name FROM live_products WHERE live_id = ?1 ORDER BY product_id")?;
    for l in &mut lives {
        l.products =
            stmt.query_map([&l.id], |r| Ok(Product { id: r.get(0)?, name: r.get(1)? }))?.collect::<Result<_, _>>()?;
    }
    Ok(lives)
}

/// One LIVE of this seller; another seller's LIVE is "not found".
pub fn load(conn: &Connection, seller_id: &str, live_id: &str) -> Result<Live, ApiError> {
    let sql = format!("SELECT {LIVE_COLS} FROM lives WHERE seller_id = ?1 AND id = ?2");
    let live = conn
        .prepare_cached(&sql)?
        .query_row(params![seller_id, live_id], read)
        .optional()?
        .ok_or_else(|| ApiError::NotFound("live".into()))?;
    Ok(with_products(conn, vec![live])?.remove(0))
}

/// LIVEs of a seller changed after `seq`, oldest change first, `limit` + 1 at most.
pub fn changed_since(conn: &Connection, seller_id: &str, seq: i64, limit: u32) -> Result<Vec<Live>, ApiError> {
    let sql = format!("SELECT {LIVE_COLS} FROM lives WHERE seller_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3");
    let lives = conn
        .prepare_cached(&sql)?
        .query_map(params![seller_id, seq, limit + 1], read)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(lives)
}

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

fn parse_cursor(c: &str) -> Result<(i64, String), ApiError> {
    let bad = || ApiError::BadRequest("invalid cursor".into());
    let (t, id) = c.split_once(':').ok_or_else(bad)?;
    let t = t.parse().map_err(|_| bad())?;
    check_id("cursor", id).map_err(|_| bad())?;
    Ok((t, id.to_string()))
}

fn list(conn: &Connection, seller_id: &str, q: &ListQuery) -> Result<LivePage, ApiError> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::BadRequest("limit must be 1 to 200".into()));
    }
    if let Some(since) = q.changed_since {
        if since < 0 {
            return Err(ApiError::BadRequest("changed_since must be >= 0".into()));
        }
        let since = match &q.cursor {
            Some(c) => c.parse().map_err(|_| ApiError::BadRequest("invalid cursor".into()))?,
            None => since,
        };
        let mut lives = changed_since(conn, seller_id, since, limit)?;
        let more = lives.len() > limit as usize;
        lives.truncate(limit as usize);
        let next_cursor = more.then(|| lives.last().map(|l| l.seq.to_string())).flatten();
        return Ok(LivePage { lives: with_products(conn, lives)?, next_cursor });
    }
    let (t, id) = match &q.cursor {
        Some(c) => parse_cursor(c)?,
        None => (i64::MAX, String::new()),
    };
    let sql = format!(
        "SELECT {LIVE_COLS} FROM lives WHERE seller_id = ?1 AND (started_at_ms, id) < (?2, ?3)
         ORDER BY started_at_ms DESC, id DESC LIMIT ?4"
    );
    let mut lives = conn
        .prepare_cached(&sql)?
        .query_map(params![seller_id, t, id, limit + 1], read)?
        .collect::<Result<Vec<_>, _>>()?;
    let more = lives.len() > limit as usize;
    lives.truncate(limit as usize);
    let next_cursor = more.then(|| lives.last().map(|l| format!("{}:{}", l.started_at_ms, l.id))).flatten();
    Ok(LivePage { lives: with_products(conn, lives)?, next_cursor })
}

/// The seller's LIVE sessions and recordings with their products.
#[utoipa::path(get, path = "/v1/lives", tag = "lives", params(ListQuery),
    responses((status = 200, body = LivePage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_lives(
    State(s): State<AppState>,
    Seller(id): Seller,
    QueryParams(q): QueryParams<ListQuery>,
) -> Result<Json<LivePage>, ApiError> {
    s.db.call(move |c| list(c, &id, &q).map(Json)).await
}

/// One LIVE with its products.
#[utoipa::path(get, path = "/v1/lives/{live_id}", tag = "lives",
    params(("live_id" = String, Path, description = "LIVE id", min_length = 1, max_length = 128)),
    responses((status = 200, body = Live), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_live(
    State(s): State<AppState>,
    Seller(id): Seller,
    PathParam(live_id): PathParam<String>,
) -> Result<Json<Live>, ApiError> {
    known_id("live", &live_id)?;
    s.db.call(move |c| load(c, &id, &live_id).map(Json)).await
}
