//! Everything that changed for a seller since a cursor: the single request of a resync.

use highlights_api::Changes;
use rusqlite::Connection;

use super::shared::current_seq;
use super::{config, highlights, lives, settings};
use crate::store::contract::StoreError;
use crate::store::rules;

/// Builds one page of changes. Rows are taken in change order across LIVEs and highlights, so a
/// highlight never arrives before the LIVE it belongs to.
pub(super) fn page(conn: &Connection, seller_id: &str, since: i64, limit: u32) -> Result<Changes, StoreError> {
    let (cfg, cfg_seq) = config::load(conn)?;
    let (experiments, exp_seq) = config::experiments_of(conn, seller_id)?;
    let (s, s_seq) = settings::load(conn, seller_id)?;
    let mut lives = lives::changed_since(conn, seller_id, since, limit)?;
    let mut highlights = highlights::changed_since(conn, seller_id, since, limit)?;
    let (has_more, cursor) = match rules::change_page(&mut lives, &mut highlights, limit) {
        Some(last) => (true, last),
        // Nothing left: jump to the head so an idle resync stays at one tiny answer.
        None => (false, current_seq(conn)?.max(since)),
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
