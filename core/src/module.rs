//! Queries behind the LIVE highlight module: recordings newest first, paged, with highlight counts.

use rusqlite::{Connection, OptionalExtension, params};

use crate::CoreError;
use crate::view::{ProductRow, RecordingRow};

/// Recordings per page of the module list.
pub const PAGE_SIZE: u32 = 50;

/// The module's page query.
///
/// Keyset paging on (started_at_ms, id) keeps later pages as cheap as the first.
pub(crate) const PAGE_SQL: &str = "
SELECT l.id, l.title, l.started_at_ms, l.ended_at_ms, l.is_live,
  (SELECT count(*) FROM highlights h WHERE h.seller_id = l.seller_id AND h.live_id = l.id
     AND h.kind IN ('auto', 'manual') AND h.status IN ('scheduled', 'posted')),
  (SELECT count(*) FROM highlights h WHERE h.seller_id = l.seller_id AND h.live_id = l.id
     AND h.kind = 'recommendation' AND h.status = 'suggested')
FROM lives l
WHERE l.seller_id = ?1 AND (l.started_at_ms, l.id) < (?2, ?3)
ORDER BY l.started_at_ms DESC, l.id DESC
LIMIT ?4";

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RecordingRow> {
    Ok(RecordingRow {
        id: r.get(0)?,
        title: r.get(1)?,
        started_at_ms: r.get(2)?,
        ended_at_ms: r.get(3)?,
        is_live: r.get(4)?,
        highlight_count: r.get(5)?,
        recommendation_count: r.get(6)?,
    })
}

/// The page after `after` (the last row of the previous page), `limit` rows at most.
pub(crate) fn page(
    conn: &Connection,
    seller: &str,
    after: Option<&RecordingRow>,
    limit: u32,
) -> Result<Vec<RecordingRow>, CoreError> {
    let (start, id) = match after {
        Some(r) => (r.started_at_ms, r.id.as_str()),
        None => (i64::MAX, ""),
    };
    let mut stmt = conn.prepare_cached(PAGE_SQL)?;
    let rows = stmt.query_map(params![seller, start, id, limit], read_row)?;
    rows.collect::<Result<_, _>>().map_err(Into::into)
}

/// One recording row by id.
pub(crate) fn recording(conn: &Connection, seller: &str, id: &str) -> Result<Option<RecordingRow>, CoreError> {
    // Same columns as the page query, pinned to one id.
    let sql = PAGE_SQL.replace("(l.started_at_ms, l.id) < (?2, ?3)", "l.id = ?2").replace("LIMIT ?4", "");
    conn.prepare_cached(&sql)?.query_row(params![seller, id], read_row).optional().map_err(Into::into)
}

/// Products of one recording, by name.
pub(crate) fn products(conn: &Connection, seller: &str, live_id: &str) -> Result<Vec<ProductRow>, CoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT product_id, name FROM live_products WHERE seller_id = ?1 AND live_id = ?2 ORDER BY name, product_id",
    )?;
    let rows = stmt.query_map(params![seller, live_id], |r| Ok(ProductRow { id: r.get(0)?, name: r.get(1)? }))?;
    rows.collect::<Result<_, _>>().map_err(Into::into)
}
