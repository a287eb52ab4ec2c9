//! Highlights of a LIVE: list, post a recommendation, remove one or all auto-posted.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use highlights_api::{
    ApiError as ErrorBody, FormatSpec, Highlight, HighlightKind, HighlightList, HighlightStatus, RemovedCount,
};
use rusqlite::{Connection, OptionalExtension, params};

use crate::app::AppState;
use crate::auth::Seller;
use crate::db::{next_seq, now_ms};
use crate::error::{ApiError, PathParam, known_id};
use crate::idempotency;
use crate::routes::lives;

const COLS: &str =
    "id, live_id, kind, status, live_now, start_ms, end_ms, product_id, score, signals, post_at_ms, format, seq";

fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Highlight> {
    let kind: String = r.get(2)?;
    let status: String = r.get(3)?;
    let signals: String = r.get(9)?;
    let format: String = r.get(11)?;
    Ok(Highlight {
        id: r.get(0)?,
        live_id: r.get(1)?,
        // The schema's CHECK constraints allow only known spellings.
        kind: HighlightKind::parse(&kind).unwrap_or(HighlightKind::Manual),
        status: HighlightStatus::parse(&status).unwrap_or(HighlightStatus::Removed),
        live_now: r.get(4)?,
        start_ms: r.get(5)?,
        end_ms: r.get(6)?,
        product_id: r.get(7)?,
        score: r.get(8)?,
        signals: serde_json::from_str(&signals).unwrap_or_default(),
        post_at_ms: r.get(10)?,
        format: serde_json::from_str(&format).unwrap_or_default(),
        seq: r.get(12)?,
    })
}

/// A highlight of this seller; another seller's is "not found".
pub fn load(conn: &Connection, seller_id: &str, id: &str) -> Result<Highlight, ApiError> {
    let sql = format!("SELECT {COLS} FROM highlights WHERE seller_id = ?1 AND id = ?2");
    conn.prepare_cached(&sql)?
        .query_row(params![seller_id, id], read)
        .optional()?
        .ok_or_else(|| ApiError::NotFound("highlight".into()))
}

/// Highlights of a seller changed after `seq`, oldest change first, `limit` + 1 at most.
pub fn changed_since(conn: &Connection, seller_id: &str, seq: i64, limit: u32) -> Result<Vec<Highlight>, ApiError> {
    let sql = format!("SELECT {COLS} FROM highlights WHERE seller_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![seller_id, seq, limit + 1], read)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Everything needed to store a new highlight.
#[derive(Debug, Clone)]
pub struct NewHighlight {
    /// Owner.
    pub seller_id: String,
    /// Source LIVE.
    pub live_id: String,
    /// Auto, recommendation or manual.
    pub kind: HighlightKind,
    /// Initial status.
    pub status: HighlightStatus,
    /// LIVE-now flag.
    pub live_now: bool,
    /// Segment start (epoch ms).
    pub start_ms: i64,
    /// Segment end (epoch ms).
    pub end_ms: i64,
    /// Peak of the moment (epoch ms).
    pub peak_ms: Option<i64>,
    /// Tied product.
    pub product_id: Option<String>,
    /// Engine score.
    pub score: f64,
    /// Reasons.
    pub signals: Vec<String>,
    /// When the moment was identified (epoch ms).
    pub identified_at_ms: Option<i64>,
    /// When it posts (epoch ms).
    pub post_at_ms: Option<i64>,
    /// When it was posted (epoch ms).
    pub posted_at_ms: Option<i64>,
    /// Clip format: what a renderer needs besides the segment and product.
    pub format: FormatSpec,
}

/// Stores a new highlight and returns it.
pub fn insert(conn: &Connection, h: &NewHighlight) -> Result<Highlight, ApiError> {
    let id = crate::db::random_id("hl")?;
    let seq = next_seq(conn)?;
    conn.prepare_cached(
        "INSERT INTO highlights (id, seller_id, live_id, kind, status, live_now, start_ms, end_ms, peak_ms, product_id, score,
             signals, identified_at_ms, post_at_ms, posted_at_ms, format, seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?
    .execute(params![
        id,
        h.seller_id,
        h.live_id,
        h.kind.as_str(),
        h.status.as_str(),
        h.live_now,
        h.start_ms,
        h.end_ms,
        h.peak_ms,
        h.product_id,
        h.score,
        json(&h.signals),
        h.identified_at_ms,
        h.post_at_ms,
        h.posted_at_ms,
        json(&h.format),
        seq
    ])?;
    load(conn, &h.seller_id, &id)
}

/// JSON text of plain data (string lists, flag structs) whose serialisation cannot fail.
fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// Sets a highlight's status (and LIVE-now flag), bumping its change sequence number.
pub fn set_status(conn: &Connection, id: &str, status: HighlightStatus, live_now: bool) -> Result<(), ApiError> {
    let seq = next_seq(conn)?;
    let posted_at = (status == HighlightStatus::Posted).then(now_ms);
    conn.prepare_cached(
        "UPDATE highlights SET status = ?2, live_now = ?3, posted_at_ms = coalesce(posted_at_ms, ?4), seq = ?5 WHERE id = ?1",
    )?
    .execute(params![id, status.as_str(), live_now, posted_at, seq])?;
    Ok(())
}

fn post(conn: &Connection, seller_id: &str, id: &str) -> Result<Highlight, ApiError> {
    let h = load(conn, seller_id, id)?;
    match (h.kind, h.status) {
        (HighlightKind::Recommendation, HighlightStatus::Suggested) => {
            let live = lives::load(conn, seller_id, &h.live_id)?;
            set_status(conn, id, HighlightStatus::Posted, live.status == highlights_api::LiveStatus::Live)?;
            load(conn, seller_id, id)
        }
        (_, HighlightStatus::Posted | HighlightStatus::Scheduled) => Ok(h),
        _ => Err(ApiError::Unprocessable {
            code: "not_postable",
            message: "only a suggested recommendation can be posted".into(),
        }),
    }
}

fn remove(conn: &Connection, seller_id: &str, id: &str) -> Result<Highlight, ApiError> {
    let h = load(conn, seller_id, id)?;
    if h.status != HighlightStatus::Removed {
        set_status(conn, id, HighlightStatus::Removed, false)?;
    }
    load(conn, seller_id, id)
}

fn remove_all(conn: &Connection, seller_id: &str, live_id: &str) -> Result<RemovedCount, ApiError> {
    lives::load(conn, seller_id, live_id)?;
    let ids: Vec<String> = conn
        .prepare_cached(
            "SELECT id FROM highlights WHERE live_id = ?1 AND kind = 'auto' AND status IN ('scheduled', 'posted')",
        )?
        .query_map([live_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in &ids {
        set_status(conn, id, HighlightStatus::Removed, false)?;
    }
    Ok(RemovedCount { removed: ids.len() as u64 })
}

/// Highlights of one LIVE: auto-posted, seller-made and recommendations, with their signals.
#[utoipa::path(get, path = "/v1/lives/{live_id}/highlights", tag = "highlights",
    params(("live_id" = String, Path, description = "LIVE id", min_length = 1, max_length = 128)),
    responses((status = 200, body = HighlightList), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_highlights(
    State(s): State<AppState>,
    Seller(seller): Seller,
    PathParam(live_id): PathParam<String>,
) -> Result<Json<HighlightList>, ApiError> {
    known_id("live", &live_id)?;
    s.db.call(move |c| {
        lives::load(c, &seller, &live_id)?;
        let sql = format!("SELECT {COLS} FROM highlights WHERE seller_id = ?1 AND live_id = ?2 ORDER BY start_ms, id");
        let highlights =
            c.prepare_cached(&sql)?.query_map(params![seller, live_id], read)?.collect::<Result<_, _>>()?;
        Ok(Json(HighlightList { highlights }))
    })
    .await
}

/// Removes every auto-posted highlight of a LIVE (scheduled ones are cancelled).
#[utoipa::path(delete, path = "/v1/lives/{live_id}/highlights", tag = "highlights",
    params(("live_id" = String, Path, description = "LIVE id", min_length = 1, max_length = 128)),
    responses((status = 200, body = RemovedCount), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn remove_all_highlights(
    State(s): State<AppState>,
    Seller(seller): Seller,
    PathParam(live_id): PathParam<String>,
) -> Result<Json<RemovedCount>, ApiError> {
    known_id("live", &live_id)?;
    s.db.write(move |tx| remove_all(tx, &seller, &live_id)).await.map(Json)
}

/// Posts a recommendation to the seller's profile now.
#[utoipa::path(post, path = "/v1/highlights/{highlight_id}/post", tag = "highlights",
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
) -> Result<Json<Highlight>, ApiError> {
    known_id("highlight", &id)?;
    let key = idempotency::key(&headers)?;
    let fp = idempotency::fingerprint("POST /v1/highlights/post", &id);
    s.db.write(move |tx| idempotency::once(tx, &seller, key.as_deref(), &fp, |tx| post(tx, &seller, &id)))
        .await
        .map(Json)
}

/// Takes a highlight down (or cancels it before posting). Removing twice is harmless.
#[utoipa::path(delete, path = "/v1/highlights/{highlight_id}", tag = "highlights",
    params(("highlight_id" = String, Path, description = "highlight id", min_length = 1, max_length = 128)),
    responses((status = 200, body = Highlight), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn remove_highlight(
    State(s): State<AppState>,
    Seller(seller): Seller,
    PathParam(id): PathParam<String>,
) -> Result<Json<Highlight>, ApiError> {
    known_id("highlight", &id)?;
    s.db.write(move |tx| remove(tx, &seller, &id)).await.map(Json)
}
