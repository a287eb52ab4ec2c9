//! LIVE sessions and their recordings, newest first with cursor paging, or as a delta since a cursor.

use highlights_api::{Live, LivePage, LiveStatus, Product};
use rusqlite::{Connection, OptionalExtension, params};

use crate::store::contract::{LiveQuery, StoreError};

const LIVE_COLS: &str = "id, title, started_at_ms, ended_at_ms, status, seq, highlights_on";

fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Live> {
    let status: String = r.get(4)?;
    Ok(Live {
        id: r.get(0)?,
        title: r.get(1)?,
        started_at_ms: r.get(2)?,
        ended_at_ms: r.get(3)?,
        // The schema's CHECK constraint allows only known spellings.
        status: LiveStatus::parse(&status).unwrap_or(LiveStatus::Ended),
        products: Vec::new(),
        highlights_on: r.get(6)?,
        seq: r.get(5)?,
    })
}

/// Stores the seller's choice for one LIVE as a change clients pull.
pub(super) fn set_highlights_on(conn: &Connection, live_id: &str, on: bool) -> Result<(), StoreError> {
    let seq = super::shared::next_seq(conn)?;
    conn.prepare_cached("UPDATE lives SET highlights_on = ?2, seq = ?3 WHERE id = ?1")?
        .execute(params![live_id, on, seq])?;
    Ok(())
}

/// Whether Auto LIVE Highlights works on this LIVE (unknown LIVEs: yes, the engine creates them).
pub(super) fn highlights_on(conn: &Connection, live_id: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT highlights_on FROM lives WHERE id = ?1")?
        .query_row([live_id], |r| r.get(0))
        .optional()?
        .unwrap_or(true))
}

/// Fills in each LIVE's products.
pub(super) fn with_products(conn: &Connection, mut lives: Vec<Live>) -> Result<Vec<Live>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT product_id, name FROM live_products WHERE live_id = ?1 ORDER BY product_id")?;
    for l in &mut lives {
        l.products =
            stmt.query_map([&l.id], |r| Ok(Product { id: r.get(0)?, name: r.get(1)? }))?.collect::<Result<_, _>>()?;
    }
    Ok(lives)
}

/// One LIVE of this seller; another seller's LIVE is "not found".
pub(super) fn load(conn: &Connection, seller_id: &str, live_id: &str) -> Result<Live, StoreError> {
    let sql = format!("SELECT {LIVE_COLS} FROM lives WHERE seller_id = ?1 AND id = ?2");
    let live = conn
        .prepare_cached(&sql)?
        .query_row(params![seller_id, live_id], read)
        .optional()?
        .ok_or(StoreError::NotFound("live"))?;
    Ok(with_products(conn, vec![live])?.remove(0))
}

/// LIVEs of a seller changed after `seq`, oldest change first, `limit` + 1 at most.
pub(super) fn changed_since(conn: &Connection, seller_id: &str, seq: i64, limit: u32) -> Result<Vec<Live>, StoreError> {
    let sql = format!("SELECT {LIVE_COLS} FROM lives WHERE seller_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3");
    let lives = conn
        .prepare_cached(&sql)?
        .query_map(params![seller_id, seq, limit + 1], read)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(lives)
}

/// Reads a newest-first cursor (`<started_at_ms>:<id>`) this store issued.
fn parse_cursor(c: &str) -> Result<(i64, String), StoreError> {
    let bad = || StoreError::Invalid("invalid cursor".into());
    let (t, id) = c.split_once(':').ok_or_else(bad)?;
    let t = t.parse().map_err(|_| bad())?;
    if !highlights_api::is_valid_id(id) {
        return Err(bad());
    }
    Ok((t, id.to_string()))
}

/// One page of the seller's LIVEs.
pub(super) fn list(conn: &Connection, seller_id: &str, q: &LiveQuery) -> Result<LivePage, StoreError> {
    match q {
        LiveQuery::ChangedSince { limit, since } => {
            let mut lives = changed_since(conn, seller_id, *since, *limit)?;
            let more = lives.len() > *limit as usize;
            lives.truncate(*limit as usize);
            let next_cursor = more.then(|| lives.last().map(|l| l.seq.to_string())).flatten();
            Ok(LivePage { lives: with_products(conn, lives)?, next_cursor })
        }
        LiveQuery::Newest { limit, cursor } => {
            let (t, id) = match cursor {
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
            let more = lives.len() > *limit as usize;
            lives.truncate(*limit as usize);
            let next_cursor = more.then(|| lives.last().map(|l| format!("{}:{}", l.started_at_ms, l.id))).flatten();
            Ok(LivePage { lives: with_products(conn, lives)?, next_cursor })
        }
    }
}
