//! The experiments report: per pop-up arm and per video-format variant, who was in it and what
//! they did, read from what the store already holds (assignments, settings, highlights, results).

use std::collections::BTreeMap;

use highlights_api::HighlightStatus;
use rusqlite::{Connection, params};

use super::{config, results, settings};
use crate::store::contract::{ExperimentReport, FormatArm, PopupArm, StoreError};
use crate::store::rules::{self, SellerFacts};

/// Counts every seller into their arms (pins or the hash, as the app sees them).
pub(super) fn experiments(conn: &Connection) -> Result<ExperimentReport, StoreError> {
    let sellers: Vec<String> = conn
        .prepare_cached("SELECT id FROM sellers ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut popup: BTreeMap<bool, PopupArm> = BTreeMap::new();
    let mut formats: BTreeMap<String, FormatArm> = BTreeMap::new();
    for seller in &sellers {
        let (experiments, _) = config::experiments_of(conn, seller)?;
        let (s, _) = settings::load(conn, seller)?;
        let posted: u32 = conn
            .prepare_cached("SELECT count(*) FROM highlights WHERE seller_id = ?1 AND status = ?2")?
            .query_row(params![seller, HighlightStatus::Posted.as_str()], |r| r.get(0))?;
        let ever_posted = results::of_posted(conn, seller)?;
        rules::count_into_arms(&mut popup, &mut formats, SellerFacts { experiments, settings: s, posted, ever_posted });
    }
    let (cfg, _) = config::load(conn)?;
    Ok(ExperimentReport {
        popup: popup.into_values().collect(),
        formats: formats.into_values().collect(),
        currency: cfg.currency,
    })
}
