//! The experiments report: per pop-up arm, and per learning arm and video-format variant, who was
//! in it and what they did, read from what the store already holds (the SQLite store's `report`,
//! in PostgreSQL).

use highlights_api::{FormatVariant, HighlightStatus};

use super::shared::{Tx, row, rows};
use super::{config, learning, settings};
use crate::store::contract::{ExperimentReport, StoreError};
use crate::store::learning::{add_videos, arm_name, format_arms, learns_formats, reported_as_learning, shares};
use crate::store::rules::{Arms, SellerFacts, VariantVideos};

/// Counts every seller into their arms (pins or the hash, as the app sees them; the bandit's
/// shares for the learning arm).
pub(super) async fn experiments(tx: &Tx<'_>) -> Result<ExperimentReport, StoreError> {
    let sellers: Vec<String> = rows(tx, "SELECT id FROM sellers ORDER BY id", &[])
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    let (cfg, _) = config::load(tx).await?;
    let how = config::engine_settings(tx).await?.learning;
    let variants = format_arms(&cfg);
    let global = learning::format_totals(tx).await?;
    let mut arms = Arms::default();
    for seller in &sellers {
        let (experiments, _) = config::experiments_of(tx, seller).await?;
        let (s, _) = settings::load(tx, seller).await?;
        let pinned: Option<String> =
            match row(tx, "SELECT format_override FROM sellers WHERE id = $1", &[seller]).await? {
                Some(r) => r.try_get(0)?,
                None => None,
            };
        let pinned = pinned.as_deref().and_then(FormatVariant::parse).is_some_and(|v| variants.contains(&v));
        let today = FormatVariant::parse(&experiments.format_variant).unwrap_or(FormatVariant::Control);
        let own =
            if learns_formats(seller, &how, pinned) { Some(learning::format_results(tx, seller).await?) } else { None };
        arms.count(SellerFacts {
            shares: shares(&how, &variants, &global, own.as_ref(), today, seller),
            arm: arm_name(reported_as_learning(seller, &how)),
            videos: videos(tx, seller).await?,
            experiments,
            settings: s,
        });
    }
    Ok(arms.report(cfg.currency))
}

/// A seller's posted videos and what they earned, by the variant each was made in.
async fn videos(tx: &Tx<'_>, seller_id: &str) -> Result<Vec<VariantVideos>, StoreError> {
    let mut out: Vec<VariantVideos> = Vec::new();
    for r in rows(
        tx,
        "SELECT h.format, count(*) FILTER (WHERE h.status = $2), count(*), coalesce(sum(r.views), 0)::bigint,
             coalesce(sum(r.live_entries), 0)::bigint, coalesce(sum(r.orders), 0)::bigint,
             coalesce(sum(r.gmv_minor), 0)::bigint
         FROM highlights h LEFT JOIN results r ON r.highlight_id = h.id
         WHERE h.seller_id = $1 AND h.posted_at_ms IS NOT NULL GROUP BY h.format",
        &[&seller_id, &HighlightStatus::Posted.as_str()],
    )
    .await?
    {
        let mut totals = [0i64; 6];
        for (i, t) in totals.iter_mut().enumerate() {
            *t = r.try_get(i + 1)?;
        }
        add_videos(&mut out, &r.try_get::<_, String>(0)?, totals);
    }
    Ok(out)
}
