//! Queries behind the LIVE highlight module: recordings newest first, paged, with highlight counts.

use std::sync::LazyLock;

use highlights_api::{HighlightKind, HighlightStatus};
use rusqlite::{OptionalExtension, params};

use super::connection::Store;
use super::error::StoreError;
use crate::view::{ProductRow, RecordingRow, STRIP_THUMBNAILS};

/// Recordings per page of the module list.
pub const PAGE_SIZE: u32 = 50;

/// A module row for each LIVE of `{lives}` (a page or one LIVE, from `lives`), in one grouped pass
/// over their highlights. The counts bind the kinds and statuses (?2–?7) by their one spelling,
/// `as_str()`, rather than repeating it in SQL; the cover and the strip are the LIVE's clips still
/// up (scheduled or posted) with a thumbnail, through the by-LIVE index.
const ROW_SQL: &str = "SELECT l.id, l.title, l.started_at_ms, l.ended_at_ms, l.is_live, l.highlights_on,
  count(CASE WHEN h.kind IN (?2, ?3) AND h.status IN (?4, ?5) THEN 1 END),
  count(CASE WHEN h.kind = ?6 AND h.status = ?7 THEN 1 END),
  (SELECT c.thumbnail_url FROM highlights c
     WHERE c.seller_id = l.seller_id AND c.live_id = l.id AND c.status IN (?4, ?5) AND c.thumbnail_url IS NOT NULL
     ORDER BY c.score DESC, c.start_ms LIMIT 1),
  (SELECT json_group_array(t ORDER BY s, i) FROM (SELECT c.thumbnail_url AS t, c.start_ms AS s, c.id AS i
     FROM highlights c
     WHERE c.seller_id = l.seller_id AND c.live_id = l.id AND c.status IN (?4, ?5) AND c.thumbnail_url IS NOT NULL
     ORDER BY c.start_ms, c.id LIMIT STRIP_THUMBNAILS)),
  total(h.views), total(h.gmv_minor)
FROM ({lives}) l LEFT JOIN highlights h ON h.seller_id = l.seller_id AND h.live_id = l.id
GROUP BY l.id
ORDER BY l.started_at_ms DESC, l.id DESC";

/// [`ROW_SQL`] over `lives`, with the strip's length from the view's promise.
fn rows_of(lives: &str) -> String {
    ROW_SQL.replace("{lives}", lives).replace("STRIP_THUMBNAILS", &STRIP_THUMBNAILS.to_string())
}

/// The module's page query.
///
/// Keyset paging on (started_at_ms, id) keeps later pages as cheap as the first.
static PAGE_SQL: LazyLock<String> = LazyLock::new(|| {
    rows_of(
        "SELECT * FROM lives WHERE seller_id = ?1 AND (started_at_ms, id) < (?8, ?9)
         ORDER BY started_at_ms DESC, id DESC LIMIT ?10",
    )
});

/// The same row for one recording.
static ONE_SQL: LazyLock<String> = LazyLock::new(|| rows_of("SELECT * FROM lives WHERE seller_id = ?1 AND id = ?8"));

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
        // total() sums as a float: huge counts saturate instead of failing the page.
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

    /// The seller's auto-posts on the profile, those scheduled, and their own videos up or on
    /// their way, every LIVE: what a module-wide "Remove all" takes and leaves.
    pub(crate) fn remove_all_counts(&self) -> Result<(u32, u32, u32), StoreError> {
        let [a, m, sc, po, re, _] = COUNTED;
        self.conn
            .prepare_cached(
                "SELECT (SELECT count(*) FROM highlights WHERE seller_id = ?1 AND kind = ?2 AND status = ?5),
                     (SELECT count(*) FROM highlights WHERE seller_id = ?1 AND kind = ?2 AND status = ?4),
                     (SELECT count(*) FROM highlights WHERE seller_id = ?1 AND kind IN (?3, ?6) AND status IN (?4, ?5))",
            )?
            .query_row(params![self.seller, a, m, sc, po, re], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
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
        assert!(PAGE_SQL.contains(&format!("ORDER BY c.start_ms, c.id LIMIT {STRIP_THUMBNAILS})")));
    }
}
