//! Queries behind the LIVE highlight module: recordings newest first, paged, with highlight counts.

use std::sync::LazyLock;

use highlights_api::{HighlightKind, HighlightStatus};
use rusqlite::{OptionalExtension, params};

use super::connection::Store;
use super::error::StoreError;
use crate::view::{ProductRow, RecordingRow, STRIP_THUMBNAILS};

/// Recordings per page of the module list.
pub const PAGE_SIZE: u32 = 50;

/// The columns of a module row. The counts bind the kinds and statuses (?2–?7) by their one
/// spelling, `as_str()`, rather than repeating it in SQL.
macro_rules! row_columns {
    () => {
        "SELECT l.id, l.title, l.started_at_ms, l.ended_at_ms, l.is_live, l.highlights_on,
  (SELECT count(*) FROM highlights h WHERE h.seller_id = l.seller_id AND h.live_id = l.id
     AND h.kind IN (?2, ?3) AND h.status IN (?4, ?5)),
  (SELECT count(*) FROM highlights h WHERE h.seller_id = l.seller_id AND h.live_id = l.id
     AND h.kind = ?6 AND h.status = ?7),
  (SELECT json_extract(h.video, '$.thumbnail_url') FROM highlights h
     WHERE h.seller_id = l.seller_id AND h.live_id = l.id AND h.status IN (?4, ?5)
       AND json_extract(h.video, '$.thumbnail_url') IS NOT NULL
     ORDER BY h.score DESC, h.start_ms LIMIT 1),
  (SELECT json_group_array(t ORDER BY s, i) FROM (SELECT json_extract(h.video, '$.thumbnail_url') AS t,
       h.start_ms AS s, h.id AS i FROM highlights h
     WHERE h.seller_id = l.seller_id AND h.live_id = l.id AND h.status IN (?4, ?5) AND t IS NOT NULL
     ORDER BY h.start_ms, h.id LIMIT STRIP_THUMBNAILS)),
  (SELECT total(json_extract(h.results, '$.views')) FROM highlights h
     WHERE h.seller_id = l.seller_id AND h.live_id = l.id AND h.results IS NOT NULL),
  (SELECT total(json_extract(h.results, '$.gmv_minor')) FROM highlights h
     WHERE h.seller_id = l.seller_id AND h.live_id = l.id AND h.results IS NOT NULL)
FROM lives l"
    };
}

/// The row's columns with the strip's length filled in from the view's promise.
fn columns() -> String {
    row_columns!().replace("STRIP_THUMBNAILS", &STRIP_THUMBNAILS.to_string())
}

/// The module's page query.
///
/// Keyset paging on (started_at_ms, id) keeps later pages as cheap as the first.
static PAGE_SQL: LazyLock<String> = LazyLock::new(|| {
    columns()
        + "
WHERE l.seller_id = ?1 AND (l.started_at_ms, l.id) < (?8, ?9)
ORDER BY l.started_at_ms DESC, l.id DESC
LIMIT ?10"
});

/// The same row for one recording.
static ONE_SQL: LazyLock<String> = LazyLock::new(|| columns() + "\nWHERE l.seller_id = ?1 AND l.id = ?8");

/// The kind and status spellings the counts bind, in parameter order ?2–?7.
const COUNTED: [&str; 6] = [
    HighlightKind::Auto.as_str(),
    HighlightKind::Manual.as_str(),
    HighlightStatus::Scheduled.as_str(),
    HighlightStatus::Posted.as_str(),
    HighlightKind::Recommendation.as_str(),
    HighlightStatus::Suggested.as_str(),
];

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RecordingRow> {
    Ok(RecordingRow {
        id: r.get(0)?,
        title: r.get(1)?,
        started_at_ms: r.get(2)?,
        ended_at_ms: r.get(3)?,
        is_live: r.get(4)?,
        highlights_on: r.get(5)?,
        highlight_count: r.get(6)?,
        recommendation_count: r.get(7)?,
        cover_url: r.get(8)?,
        // Written by this query's json_group_array: always a list of strings.
        thumbnail_urls: serde_json::from_str(&r.get::<_, String>(9)?).unwrap_or_default(),
        // total() sums as a float: a hostile server's huge counts saturate instead of failing the page.
        views: r.get::<_, f64>(10)? as u64,
        gmv_minor: r.get::<_, f64>(11)? as i64,
    })
}

impl Store {
    /// The page after `after` (the last row of the previous page), `limit` rows at most.
    pub(crate) fn module_page(
        &self,
        after: Option<&RecordingRow>,
        limit: u32,
    ) -> Result<Vec<RecordingRow>, StoreError> {
        let (start, id) = match after {
            Some(r) => (r.started_at_ms, r.id.as_str()),
            None => (i64::MAX, ""),
        };
        let [a, m, sc, po, re, su] = COUNTED;
        let mut stmt = self.conn.prepare_cached(&PAGE_SQL)?;
        let rows = stmt.query_map(params![self.seller, a, m, sc, po, re, su, start, id, limit], read_row)?;
        rows.collect::<Result<_, _>>().map_err(Into::into)
    }

    /// One recording row by id.
    pub(crate) fn recording(&self, id: &str) -> Result<Option<RecordingRow>, StoreError> {
        let [a, m, sc, po, re, su] = COUNTED;
        self.conn
            .prepare_cached(&ONE_SQL)?
            .query_row(params![self.seller, a, m, sc, po, re, su, id], read_row)
            .optional()
            .map_err(Into::into)
    }

    /// Products of every cached recording, once each, by name (at most 200: the choice list).
    pub(crate) fn all_products(&self) -> Result<Vec<ProductRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT product_id, min(name) AS n FROM live_products WHERE seller_id = ?1
             GROUP BY product_id ORDER BY n, product_id LIMIT 200",
        )?;
        let rows = stmt.query_map([&self.seller], |r| Ok(ProductRow { id: r.get(0)?, name: r.get(1)? }))?;
        rows.collect::<Result<_, _>>().map_err(Into::into)
    }

    /// Products of one recording, by name.
    pub(crate) fn products(&self, live_id: &str) -> Result<Vec<ProductRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT product_id, name FROM live_products WHERE seller_id = ?1 AND live_id = ?2 ORDER BY name, product_id",
        )?;
        let rows =
            stmt.query_map(params![self.seller, live_id], |r| Ok(ProductRow { id: r.get(0)?, name: r.get(1)? }))?;
        rows.collect::<Result<_, _>>().map_err(Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_strip_query_takes_as_many_thumbnails_as_the_view_promises() {
        assert!(!PAGE_SQL.contains("STRIP_THUMBNAILS") && !ONE_SQL.contains("STRIP_THUMBNAILS"));
        assert!(PAGE_SQL.contains(&format!("t IS NOT NULL\n     ORDER BY h.start_ms, h.id LIMIT {STRIP_THUMBNAILS})")));
    }
}
