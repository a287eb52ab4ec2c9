//! The experiments report: per pop-up arm and per video-format variant, who was in it and what
//! they did, read from what the store already holds (assignments, settings, highlights, results).

use std::collections::BTreeMap;

use highlights_api::HighlightStatus;

use super::shared::{Tx, one, rows};
use super::{config, results, settings};
use crate::store::contract::{ExperimentReport, FormatArm, PopupArm, StoreError};

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
        let arm = popup
            .entry(experiments.popup)
            .or_insert_with(|| PopupArm { shows_popup: experiments.popup, ..Default::default() });
        arm.sellers += 1;
        let exposed = s.popup_shows > 0;
        arm.exposed += u32::from(exposed);
        arm.turned_on += u32::from(s.highlights_on);
        arm.turned_on_after_exposure += u32::from(exposed && s.highlights_on);
        let posted: i64 = one(
            tx,
            "SELECT count(*) FROM highlights WHERE seller_id = $1 AND status = $2",
            &[seller, &HighlightStatus::Posted.as_str()],
        )
        .await?;
        let variant = formats
            .entry(experiments.format_variant.clone())
            .or_insert_with(|| FormatArm { variant: experiments.format_variant.clone(), ..Default::default() });
        variant.sellers += 1;
        variant.videos_posted += posted as u32;
        let (ever_posted, views, gmv_minor) = results::of_posted(tx, seller).await?;
        variant.videos_ever_posted += ever_posted;
        variant.views += views;
        variant.gmv_minor += gmv_minor;
    }
    let (cfg, _) = config::load(tx).await?;
    Ok(ExperimentReport {
        popup: popup.into_values().collect(),
        formats: formats.into_values().collect(),
        currency: cfg.currency,
    })
}
