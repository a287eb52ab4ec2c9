//! The experiments report: per pop-up arm, and per learning arm and video-format variant, who was
//! in it and what they did, read from what the store already holds (assignments, settings,
//! highlights, results, what the format learner knows).

use highlights_api::{FormatVariant, HighlightStatus};
use rusqlite::{Connection, OptionalExtension, params};

use super::{config, learning, settings};
use crate::store::contract::{ExperimentReport, StoreError};
use crate::store::learning::{add_videos, arm_name, format_arms, learns_formats, reported_as_learning, shares};
use crate::store::rules::{Arms, SellerFacts, VariantVideos};

/// Counts every seller into their arms (pins or the hash, as the app sees them; the bandit's
/// shares for the learning arm).
pub(super) fn experiments(conn: &Connection) -> Result<ExperimentReport, StoreError> {
    let sellers: Vec<String> = conn
        .prepare_cached("SELECT id FROM sellers ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let (cfg, _) = config::load(conn)?;
    let how = config::engine_settings(conn)?.learning;
    let variants = format_arms(&cfg);
    let global = learning::format_totals(conn)?;
    let mut arms = Arms::default();
    for seller in &sellers {
        let (experiments, _) = config::experiments_of(conn, seller)?;
        let (s, _) = settings::load(conn, seller)?;
        let pinned: Option<String> = conn
            .prepare_cached("SELECT format_override FROM sellers WHERE id = ?1")?
            .query_row([seller], |r| r.get(0))
            .optional()?
            .flatten();
        let pinned = pinned.as_deref().and_then(FormatVariant::parse).is_some_and(|v| variants.contains(&v));
        let today = FormatVariant::parse(&experiments.format_variant).unwrap_or(FormatVariant::Control);
        let own =
            if learns_formats(seller, &how, pinned) { Some(learning::format_results(conn, seller)?) } else { None };
        arms.count(SellerFacts {
            shares: shares(&how, &variants, &global, own.as_ref(), today, seller),
            arm: arm_name(reported_as_learning(seller, &how)),
            videos: videos(conn, seller)?,
            experiments,
            settings: s,
        });
    }
    Ok(arms.report(cfg.currency))
}

/// A seller's posted videos and what they earned, by the variant each was made in.
fn videos(conn: &Connection, seller_id: &str) -> Result<Vec<VariantVideos>, StoreError> {
    let mut out: Vec<VariantVideos> = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT h.format, sum(h.status = ?2), count(*), coalesce(sum(r.views), 0), coalesce(sum(r.live_entries), 0),
             coalesce(sum(r.orders), 0), coalesce(sum(r.gmv_minor), 0)
         FROM highlights h LEFT JOIN results r ON r.highlight_id = h.id
         WHERE h.seller_id = ?1 AND h.posted_at_ms IS NOT NULL GROUP BY h.format",
    )?;
    let rows = stmt.query_map(params![seller_id, HighlightStatus::Posted.as_str()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, i64>(6)?,
        ))
    })?;
    for row in rows {
        let (format, posted, ever, views, entries, orders, gmv) = row?;
        add_videos(&mut out, &format, [posted, ever, views, entries, orders, gmv]);
    }
    Ok(out)
}
