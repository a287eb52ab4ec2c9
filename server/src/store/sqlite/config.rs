//! Remote config (admin-editable, not compiled into the app), per-seller experiment assignment,
//! and the engine's settings (server-side only, never synced to the app).

use highlights_api::{Experiments, FormatSpec, FormatVariant, RemoteConfig};
use highlights_engine::EngineSettings;
use rusqlite::{Connection, OptionalExtension, params};

use super::learning;
use super::shared::{json, next_seq};
use crate::store::contract::{StoreError, check_config};
use crate::store::learning::format_arms;
use crate::store::rules::assign;

/// The remote config and its change sequence number.
pub(super) fn load(conn: &Connection) -> Result<(RemoteConfig, i64), StoreError> {
    let row: Option<(String, i64)> = conn
        .prepare_cached("SELECT json, seq FROM config WHERE id = 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match row {
        Some((json, seq)) => {
            let cfg = serde_json::from_str(&json).map_err(|e| StoreError::backend("reading the stored config", e))?;
            Ok((cfg, seq))
        }
        None => Ok((RemoteConfig::default(), 0)),
    }
}

/// LIVEs whose newest event arrived before this server time (epoch ms) count as gone silent.
pub(super) fn silent_before(conn: &Connection, wall_now_ms: i64) -> Result<i64, StoreError> {
    let (cfg, _) = load(conn)?;
    Ok(crate::store::rules::silent_before(&cfg, wall_now_ms))
}

/// Stores the default config in a fresh store: stored, not just defaulted in code, so admins
/// edit it and clients see it change.
pub(super) fn store_default_once(conn: &Connection) -> Result<(), StoreError> {
    if !conn.prepare("SELECT 1 FROM config")?.exists([])? {
        save(conn, &RemoteConfig::default())?;
    }
    Ok(())
}

/// Stores a new config; every seller picks it up on their next sync.
pub(super) fn save(conn: &Connection, c: &RemoteConfig) -> Result<(), StoreError> {
    check_config(c)?;
    let seq = next_seq(conn)?;
    conn.execute(
        "INSERT INTO config (id, json, seq) VALUES (1, ?1, ?2) ON CONFLICT (id) DO UPDATE SET json = ?1, seq = ?2",
        params![json(c), seq],
    )?;
    Ok(())
}

/// The seller's experiments and the change sequence number they last changed at.
pub(super) fn experiments_of(conn: &Connection, seller_id: &str) -> Result<(Experiments, i64), StoreError> {
    let (cfg, cfg_seq) = load(conn)?;
    let (popup, format, seq): (Option<bool>, Option<String>, i64) = conn
        .prepare_cached("SELECT popup_override, format_override, experiments_seq FROM sellers WHERE id = ?1")?
        .query_row([seller_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?
        .ok_or(StoreError::NotFound("seller"))?;
    Ok((assign(seller_id, &cfg, popup, format.as_deref()), seq.max(cfg_seq)))
}

/// The format a new clip of the seller's gets: the bandit's choice in the learning arm, the
/// experiment's assignment (an admin's pin or the hash) otherwise.
pub(super) fn clip_format(conn: &Connection, seller_id: &str) -> Result<FormatSpec, StoreError> {
    let (cfg, _) = load(conn)?;
    let (popup, format): (Option<bool>, Option<String>) = conn
        .prepare_cached("SELECT popup_override, format_override FROM sellers WHERE id = ?1")?
        .query_row([seller_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or(StoreError::NotFound("seller"))?;
    let arms = format_arms(&cfg);
    let today = FormatVariant::parse(&assign(seller_id, &cfg, popup, format.as_deref()).format_variant)
        .unwrap_or(FormatVariant::Control);
    let pinned = format.as_deref().and_then(FormatVariant::parse).is_some_and(|v| arms.contains(&v));
    learning::format_for_clip(conn, seller_id, &engine_settings(conn)?.learning, &arms, today, pinned)
}

/// The stored engine settings, or the engine's defaults when an admin never set any.
pub(super) fn engine_settings(conn: &Connection) -> Result<EngineSettings, StoreError> {
    let json: Option<String> =
        conn.prepare_cached("SELECT json FROM engine_settings WHERE id = 1")?.query_row([], |r| r.get(0)).optional()?;
    match json {
        Some(json) => serde_json::from_str(&json).map_err(|e| StoreError::backend("reading the engine settings", e)),
        None => Ok(EngineSettings::default()),
    }
}

/// Checks and stores new engine settings; the engine uses them from the next ingested batch on.
pub(super) fn save_engine_settings(conn: &Connection, settings: &EngineSettings) -> Result<(), StoreError> {
    settings.validate().map_err(StoreError::Invalid)?;
    conn.execute(
        "INSERT INTO engine_settings (id, json) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET json = ?1",
        [json(settings)],
    )?;
    if !settings.learning.bar_on {
        learning::show_usual_bars(conn)?;
    }
    Ok(())
}
