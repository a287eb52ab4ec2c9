//! LIVE sessions and their recordings, newest first with cursor paging, or as a delta since a cursor.

use highlights_api::{Live, LivePage, LiveStatus, Product};
use tokio_postgres::Row;

use super::shared::{Tx, exec, next_seq, row, rows};
use crate::store::contract::{LiveQuery, StoreError};

const LIVE_COLS: &str = "id, title, started_at_ms, ended_at_ms, status, seq, highlights_on";

fn read(r: &Row) -> Result<Live, StoreError> {
    let status: String = r.try_get(4)?;
    Ok(Live {
        id: r.try_get(0)?,
        title: r.try_get(1)?,
        started_at_ms: r.try_get(2)?,
        ended_at_ms: r.try_get(3)?,
        // The schema's CHECK constraint allows only known spellings.
        status: LiveStatus::parse(&status).unwrap_or(LiveStatus::Ended),
        products: Vec::new(),
        highlights_on: r.try_get(6)?,
        seq: r.try_get(5)?,
    })
}

/// Stores the seller's choice for one LIVE as a change clients pull.
pub(super) async fn set_highlights_on(tx: &Tx<'_>, live_id: &str, on: bool) -> Result<(), StoreError> {
    let seq = next_seq(tx).await?;
    exec(tx, "UPDATE lives SET highlights_on = $2, seq = $3 WHERE id = $1", &[&live_id, &on, &seq]).await?;
    Ok(())
}

/// Whether Auto LIVE Highlights works on this LIVE (unknown LIVEs: yes, the engine creates them).
pub(super) async fn highlights_on(tx: &Tx<'_>, live_id: &str) -> Result<bool, StoreError> {
    let r = row(tx, "SELECT highlights_on FROM lives WHERE id = $1", &[&live_id]).await?;
    Ok(r.map(|r| r.try_get(0)).transpose()?.unwrap_or(true))
}

/// Fills in each LIVE's products.
pub(super) async fn with_products(tx: &Tx<'_>, mut lives: Vec<Live>) -> Result<Vec<Live>, StoreError> {
    for l in &mut lives {
        l.products =
            rows(tx, "SELECT product_id, name FROM live_products WHERE live_id = $1 ORDER BY product_id", &[&l.id])
                .await?
                .iter()
                .map(|r| Ok(Product { id: r.try_get(0)?, name: r.try_get(1)? }))
                .collect::<Result<_, StoreError>>()?;
    }
    Ok(lives)
}

/// One LIVE of this seller; another seller's LIVE is "not found".
pub(super) async fn load(tx: &Tx<'_>, seller_id: &str, live_id: &str) -> Result<Live, StoreError> {
    let sql = format!("SELECT {LIVE_COLS} FROM lives WHERE seller_id = $1 AND id = $2");
    let r = row(tx, &sql, &[&seller_id, &live_id]).await?.ok_or(StoreError::NotFound("live"))?;
    Ok(with_products(tx, vec![read(&r)?]).await?.remove(0))
}

/// LIVEs of a seller changed after `seq`, oldest change first, `limit` + 1 at most.
pub(super) async fn changed_since(tx: &Tx<'_>, seller_id: &str, seq: i64, limit: u32) -> Result<Vec<Live>, StoreError> {
    let sql = format!("SELECT {LIVE_COLS} FROM lives WHERE seller_id = $1 AND seq > $2 ORDER BY seq LIMIT $3");
    rows(tx, &sql, &[&seller_id, &seq, &(i64::from(limit) + 1)]).await?.iter().map(read).collect()
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
pub(super) async fn list(tx: &Tx<'_>, seller_id: &str, q: &LiveQuery) -> Result<LivePage, StoreError> {
    let (mut lives, limit, newest_first) = match q {
        LiveQuery::ChangedSince { limit, since } => {
            (changed_since(tx, seller_id, *since, *limit).await?, *limit, false)
        }
        LiveQuery::Newest { limit, cursor } => {
            let (t, id) = match cursor {
                Some(c) => parse_cursor(c)?,
                None => (i64::MAX, String::new()),
            };
            let sql = format!(
                "SELECT {LIVE_COLS} FROM lives WHERE seller_id = $1 AND (started_at_ms, id) < ($2, $3)
                 ORDER BY started_at_ms DESC, id DESC LIMIT $4"
            );
            let found = rows(tx, &sql, &[&seller_id, &t, &id, &(i64::from(*limit) + 1)]).await?;
            (found.iter().map(read).collect::<Result<Vec<_>, _>>()?, *limit, true)
        }
    };
    let more = lives.len() > limit as usize;
    lives.truncate(limit as usize);
    let next_cursor = more
        .then(|| {
            lives.last().map(|l| if newest_first { format!("{}:{}", l.started_at_ms, l.id) } else { l.seq.to_string() })
        })
        .flatten();
    Ok(LivePage { lives: with_products(tx, lives).await?, next_cursor })
}
