//! What the store learns from each seller: their auto-post bar, taken in from their ended LIVEs
//! when their next LIVE opens, and what each format variant earned them and everyone (the SQLite
//! store's `learning`, in PostgreSQL; callers hold the change counter, so two processes never
//! take in one LIVE twice).

use std::collections::HashMap;

use highlights_api::{FormatSpec, FormatVariant, HighlightKind, HighlightStatus, LiveStatus, PostingBar, Review};
use highlights_engine::learn::{Earned, FormatChoice, Learning, SellerBar};

use super::shared::{Tx, exec, next_seq, row, rows};
use crate::store::contract::StoreError;
use crate::store::learning::{self, Handled, LIVES_TAKEN_IN};
use crate::store::rules::json;

/// The bar shift a LIVE the seller is opening now gets: first the seller's LIVEs that are over
/// (ended, or gone silent without an end) and not taken in yet are (at most [`LIVES_TAKEN_IN`],
/// oldest first; silent: newest event before `silent_before`), then the shift is read. A control-arm seller, or any with learning off, gets 0:
/// the settings' bar.
pub(super) async fn bar_for_new_live(
    tx: &Tx<'_>,
    seller_id: &str,
    how: &Learning,
    silent_before: i64,
) -> Result<f64, StoreError> {
    if !learning::learns_bar(seller_id, how) {
        // Learning switched off since: the apps stop saying the bar moved, as it no longer does.
        show(tx, seller_id, PostingBar::default()).await?;
        return Ok(0.0);
    }
    let ended = LiveStatus::Ended.as_str();
    let mut lives: Vec<String> = rows(
        tx,
        &format!(
            "SELECT id FROM lives WHERE seller_id = $1 AND NOT bar_learned AND {OVER}
             ORDER BY started_at_ms DESC, id DESC LIMIT $4"
        ),
        &[&seller_id, &ended, &silent_before, &LIVES_TAKEN_IN],
    )
    .await?
    .iter()
    .map(|r| r.try_get(0))
    .collect::<Result<_, _>>()?;
    let mut bar = load(tx, seller_id).await?;
    if lives.is_empty() {
        // Nothing new, but the note may be stale (learning switched off and on since).
        show(tx, seller_id, learning::posting_bar(&bar, how)).await?;
        return Ok(bar.shift(&how.bar));
    }
    lives.reverse();
    let mut by_live: HashMap<String, Vec<Handled>> = HashMap::new();
    for r in rows(
        tx,
        "SELECT live_id, kind, status, score, posted_at_ms IS NOT NULL, removed_at_ms, skipped_at_ms IS NOT NULL,
             review = $2
         FROM highlights WHERE live_id = ANY($1) ORDER BY coalesce(identified_at_ms, start_ms), id",
        &[&lives, &Review::Approved.as_str()],
    )
    .await?
    {
        let (kind, status): (String, String) = (r.try_get(1)?, r.try_get(2)?);
        by_live.entry(r.try_get(0)?).or_default().push(Handled {
            // The schema's CHECK constraints allow only known spellings.
            kind: HighlightKind::parse(&kind).unwrap_or(HighlightKind::Manual),
            status: HighlightStatus::parse(&status).unwrap_or(HighlightStatus::Removed),
            score: r.try_get(3)?,
            was_posted: r.try_get(4)?,
            removed_at_ms: r.try_get(5)?,
            skipped: r.try_get(6)?,
            approved: r.try_get(7)?,
        });
    }
    for live_id in &lives {
        bar.learn_live(&how.bar, &learning::feedback(by_live.get(live_id).map_or(&[][..], Vec::as_slice)));
    }
    exec(
        tx,
        &format!("UPDATE lives SET bar_learned = true WHERE seller_id = $1 AND NOT bar_learned AND {OVER}"),
        &[&seller_id, &ended, &silent_before],
    )
    .await?;
    exec(
        tx,
        "INSERT INTO seller_bars (seller_id, state) VALUES ($1, $2) ON CONFLICT (seller_id) DO UPDATE SET state = $2",
        &[&seller_id, &json(&bar)],
    )
    .await?;
    show(tx, seller_id, learning::posting_bar(&bar, how)).await?;
    Ok(bar.shift(&how.bar))
}

/// A LIVE that is over: ended (`$2`), or gone silent without an end (its newest event arrived
/// before `$3`; one with none noted yet, opened in the same batch, is not).
const OVER: &str = "(status = $2 OR coalesce(last_seen_at_ms, $3) < $3)";

async fn load(tx: &Tx<'_>, seller_id: &str) -> Result<SellerBar, StoreError> {
    let state = row(tx, "SELECT state FROM seller_bars WHERE seller_id = $1", &[&seller_id]).await?;
    let state: Option<String> = state.map(|r| r.try_get(0)).transpose()?;
    Ok(learning::stored_bar(seller_id, state.as_deref()))
}

/// Stores what the apps show of the seller's bar, when it changed, as a settings change they pull
/// (the settings' version stays: the seller changed nothing, so no edit of theirs goes stale).
async fn show(tx: &Tx<'_>, seller_id: &str, shown: PostingBar) -> Result<(), StoreError> {
    let now = row(tx, "SELECT posting_bar FROM settings WHERE seller_id = $1", &[&seller_id]).await?;
    let now: Option<String> = now.map(|r| r.try_get(0)).transpose()?;
    if now.is_none_or(|s| serde_json::from_str::<PostingBar>(&s).unwrap_or_default() == shown) {
        return Ok(());
    }
    let seq = next_seq(tx).await?;
    exec(tx, "UPDATE settings SET posting_bar = $2, seq = $3 WHERE seller_id = $1", &[&seller_id, &json(&shown), &seq])
        .await?;
    Ok(())
}

/// Forgets the seller's learned bar: their next LIVE gets the settings' bar, and the LIVEs over
/// by now are not taken in again (one still on is, when it is over: the seller acts in it after
/// the reset too).
pub(super) async fn reset_bar(tx: &Tx<'_>, seller_id: &str, silent_before: i64) -> Result<(), StoreError> {
    exec(tx, "DELETE FROM seller_bars WHERE seller_id = $1", &[&seller_id]).await?;
    exec(
        tx,
        &format!("UPDATE lives SET bar_learned = true WHERE seller_id = $1 AND NOT bar_learned AND {OVER}"),
        &[&seller_id, &LiveStatus::Ended.as_str(), &silent_before],
    )
    .await?;
    Ok(())
}

/// Stops every seller's apps saying their bar moved (an admin switched the bar's learning off).
pub(super) async fn show_usual_bars(tx: &Tx<'_>) -> Result<(), StoreError> {
    let usual = json(&PostingBar::default());
    let sellers: Vec<String> =
        rows(tx, "SELECT seller_id FROM settings WHERE posting_bar NOT IN ('{}', $1)", &[&usual])
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
    for seller in sellers {
        show(tx, &seller, PostingBar::default()).await?;
    }
    Ok(())
}

/// The bar shift a LIVE started with (0 for one not stored).
pub(super) async fn bar_of_live(tx: &Tx<'_>, live_id: &str) -> Result<f64, StoreError> {
    let r = row(tx, "SELECT bar_shift FROM lives WHERE id = $1", &[&live_id]).await?;
    Ok(r.map(|r| r.try_get(0)).transpose()?.unwrap_or(0.0))
}

/// Adds what clips of a format variant earned to its results, the seller's and everyone's, in the viewer
/// batch's transaction (so a batch applied once counts once).
pub(super) async fn record_format(
    tx: &Tx<'_>,
    seller_id: &str,
    variant: &str,
    views: u64,
    converted: u64,
) -> Result<(), StoreError> {
    let (views, converted) = (views as i64, converted as i64);
    exec(
        tx,
        "INSERT INTO format_results AS t (seller_id, variant, views, converted) VALUES ($1, $2, $3, $4)
         ON CONFLICT (seller_id, variant) DO UPDATE SET views = t.views + $3, converted = t.converted + $4",
        &[&seller_id, &variant, &views, &converted],
    )
    .await?;
    exec(
        tx,
        "INSERT INTO format_totals AS t (variant, views, converted) VALUES ($1, $2, $3)
         ON CONFLICT (variant) DO UPDATE SET views = t.views + $2, converted = t.converted + $3",
        &[&variant, &views, &converted],
    )
    .await?;
    Ok(())
}

/// What each format variant earned everyone.
pub(super) async fn format_totals(tx: &Tx<'_>) -> Result<Vec<(String, Earned)>, StoreError> {
    rows(tx, "SELECT variant, views, converted FROM format_totals", &[])
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get(0)?,
                Earned { views: r.try_get::<_, i64>(1)? as f64, converted: r.try_get::<_, i64>(2)? as f64 },
            ))
        })
        .collect()
}

/// What each format variant earned one seller.
pub(super) async fn format_results(tx: &Tx<'_>, seller_id: &str) -> Result<FormatChoice, StoreError> {
    let mut choice = FormatChoice::default();
    for r in
        rows(tx, "SELECT variant, views, converted FROM format_results WHERE seller_id = $1", &[&seller_id]).await?
    {
        choice.record(&r.try_get::<_, String>(0)?, r.try_get::<_, i64>(1)? as f64, r.try_get::<_, i64>(2)? as f64);
    }
    Ok(choice)
}

/// The format of a new clip of the seller's: the bandit's choice for a learning-arm seller, the
/// experiment's assignment (`today`, the hash or an admin's pin) otherwise.
pub(super) async fn format_for_clip(
    tx: &Tx<'_>,
    seller_id: &str,
    how: &Learning,
    arms: &[FormatVariant],
    today: FormatVariant,
    pinned: bool,
) -> Result<FormatSpec, StoreError> {
    if !learning::learns_formats(seller_id, how, pinned) {
        return Ok(today.spec());
    }
    let own = format_results(tx, seller_id).await?;
    Ok(learning::choose_format(how, arms, &format_totals(tx).await?, &own, today).spec())
}
