//! The experiments report: per pop-up arm and per video-format variant, who was in it and what
//! they did, read from what the store already holds (assignments, settings, highlights, results).

use std::collections::BTreeMap;

use highlights_api::HighlightStatus;

use super::shared::{Tx, one, rows};
use super::{config, results, settings};
use crate::store::contract::{ExperimentReport, FormatArm, PopupArm, StoreError};
use crate::store::rules::{self, SellerFacts};

/// Counts every seller into their arms (pins or the hash, as the app sees them).
pub(super) async fn experiments(tx: &Tx<'_>) -> Result<ExperimentReport, StoreError> {
    let sellers: Vec<String> = rows(tx, "SELECT id FROM sellers ORDER BY id", &[])
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    let mut popup: BTreeMap<bool, PopupArm> = BTreeMap::new();
    let mut formats: BTreeMap<String, FormatArm> = BTreeMap::new();
    for seller in &sellers {
        let (experiments, _) = config::experiments_of(tx, seller).await?;
        let (s, _) = settings::load(tx, seller).await?;
        let posted: i64 = one(
            tx,
            "SELECT count(*) FROM highlights WHERE seller_id = $1 AND status = $2",
            &[seller, &HighlightStatus::Posted.as_str()],
        )
        .await?;
        let ever_posted = results::of_posted(tx, seller).await?;
        let facts = SellerFacts { experiments, settings: s, posted: posted as u32, ever_posted };
        rules::count_into_arms(&mut popup, &mut formats, facts);
    }
    let (cfg, _) = config::load(tx).await?;
    Ok(ExperimentReport {
        popup: popup.into_values().collect(),
        formats: formats.into_values().collect(),
        currency: cfg.currency,
    })
}
