//! Remote config (admin-editable, not compiled into the app), per-seller experiment assignment,
//! and the engine's settings (server-side only, never synced to the app).

use highlights_api::{Experiments, FormatSpec, FormatVariant, RemoteConfig};
use highlights_engine::EngineSettings;

use super::learning;
use super::shared::{Tx, exec, exists, lock_changes, next_seq, row};
use crate::store::contract::{StoreError, check_config};
use crate::store::learning::format_arms;
use crate::store::rules::{assign, json};

/// The remote config and its change sequence number.
pub(super) async fn load(tx: &Tx<'_>) -> Result<(RemoteConfig, i64), StoreError> {
    match row(tx, "SELECT json, seq FROM config WHERE id = 1", &[]).await? {
        Some(r) => {
            let json: String = r.try_get(0)?;
            let cfg = serde_json::from_str(&json).map_err(|e| StoreError::backend("reading the stored config", e))?;
            Ok((cfg, r.try_get(1)?))
        }
        None => Ok((RemoteConfig::default(), 0)),
    }
}

/// LIVEs whose newest event arrived before this server time (epoch ms) count as gone silent.
pub(super) async fn silent_before(tx: &Tx<'_>, wall_now_ms: i64) -> Result<i64, StoreError> {
    let (cfg, _) = load(tx).await?;
    Ok(crate::store::rules::silent_before(&cfg, wall_now_ms))
}

/// Stores the default config in a fresh store: stored, not just defaulted in code, so admins
/// edit it and clients see it change.
pub(super) async fn store_default_once(tx: &Tx<'_>) -> Result<(), StoreError> {
    if !exists(tx, "SELECT 1 FROM config", &[]).await? {
        save(tx, &RemoteConfig::default()).await?;
    }
    Ok(())
}

/// Stores a new config; every seller picks it up on their next sync.
pub(super) async fn save(tx: &Tx<'_>, c: &RemoteConfig) -> Result<(), StoreError> {
    check_config(c)?;
    let seq = next_seq(tx).await?;
    exec(
        tx,
        "INSERT INTO config (id, json, seq) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET json = $1, seq = $2",
        &[&json(c), &seq],
    )
    .await?;
    Ok(())
}

/// The seller's experiments and the change sequence number they last changed at.
pub(super) async fn experiments_of(tx: &Tx<'_>, seller_id: &str) -> Result<(Experiments, i64), StoreError> {
    let (cfg, cfg_seq) = load(tx).await?;
    let r =
        row(tx, "SELECT popup_override, format_override, experiments_seq FROM sellers WHERE id = $1", &[&seller_id])
            .await?
            .ok_or(StoreError::NotFound("seller"))?;
    let (popup, format, seq): (Option<bool>, Option<String>, i64) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
    Ok((assign(seller_id, &cfg, popup, format.as_deref()), seq.max(cfg_seq)))
}

/// The format a new clip of the seller's gets: the bandit's choice in the learning arm, the
/// experiment's assignment (an admin's pin or the hash) otherwise.
pub(super) async fn clip_format(tx: &Tx<'_>, seller_id: &str) -> Result<FormatSpec, StoreError> {
    let (cfg, _) = load(tx).await?;
    let r = row(tx, "SELECT popup_override, format_override FROM sellers WHERE id = $1", &[&seller_id])
        .await?
        .ok_or(StoreError::NotFound("seller"))?;
    let (popup, format): (Option<bool>, Option<String>) = (r.try_get(0)?, r.try_get(1)?);
    let arms = format_arms(&cfg);
    let today = FormatVariant::parse(&assign(seller_id, &cfg, popup, format.as_deref()).format_variant)
        .unwrap_or(FormatVariant::Control);
    let pinned = format.as_deref().and_then(FormatVariant::parse).is_some_and(|v| arms.contains(&v));
    let how = engine_settings(tx).await?.learning;
    learning::format_for_clip(tx, seller_id, &how, &arms, today, pinned).await
}

/// The stored engine settings, or the engine's defaults when an admin never set any.
pub(super) async fn engine_settings(tx: &Tx<'_>) -> Result<EngineSettings, StoreError> {
    match row(tx, "SELECT json FROM engine_settings WHERE id = 1", &[]).await? {
        Some(r) => serde_json::from_str(&r.try_get::<_, String>(0)?)
            .map_err(|e| StoreError::backend("reading the engine settings", e)),
        None => Ok(EngineSettings::default()),
    }
}

/// Checks and stores new engine settings; the engine uses them from the next ingested batch on.
pub(super) async fn save_engine_settings(tx: &Tx<'_>, settings: &EngineSettings) -> Result<(), StoreError> {
    settings.validate().map_err(StoreError::Invalid)?;
    if !settings.learning.bar_on {
        // The notes it clears take change numbers: the counter first (see `lock_changes`).
        lock_changes(tx).await?;
    }
    exec(
        tx,
        "INSERT INTO engine_settings (id, json) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET json = $1",
        &[&json(settings)],
    )
    .await?;
    if !settings.learning.bar_on {
        learning::show_usual_bars(tx).await?;
    }
    Ok(())
}
