//! Everything that changed for a seller since a cursor: the single request of a resync.

use highlights_api::Changes;

use super::shared::{Tx, current_seq};
use super::{config, highlights, lives, settings};
use crate::store::contract::StoreError;
use crate::store::rules;

/// Builds one page of changes. Rows are taken in change order across LIVEs and highlights, so a
/// highlight never arrives before the LIVE it belongs to.
pub(super) async fn page(tx: &Tx<'_>, seller_id: &str, since: i64, limit: u32) -> Result<Changes, StoreError> {
    let (cfg, cfg_seq) = config::load(tx).await?;
    let (experiments, exp_seq) = config::experiments_of(tx, seller_id).await?;
    let (s, s_seq) = settings::load(tx, seller_id).await?;
    let mut lives = lives::changed_since(tx, seller_id, since, limit).await?;
    let mut highlights = highlights::changed_since(tx, seller_id, since, limit).await?;
    let (has_more, cursor) = match rules::change_page(&mut lives, &mut highlights, limit) {
        Some(last) => (true, last),
        // Nothing left: jump to the head so an idle resync stays at one tiny answer.
        None => (false, current_seq(tx).await?.max(since)),
    };
    Ok(Changes {
        cursor,
        has_more,
        config: (cfg_seq > since || since == 0).then_some(cfg),
        experiments: (exp_seq > since || since == 0).then_some(experiments),
        settings: (s_seq > since || since == 0).then_some(s),
        lives: lives::with_products(tx, lives).await?,
        highlights,
    })
}
