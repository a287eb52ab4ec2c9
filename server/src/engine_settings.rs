//! The engine's tunables as an admin set them: stored server-side, never synced to the app (the
//! app's remote config keeps only what the seller sees).

use highlights_api::RemoteConfig;
use highlights_engine::EngineSettings;
use rusqlite::{Connection, OptionalExtension};

use crate::error::ApiError;

/// The stored settings, or the engine's defaults when an admin never set any.
pub fn load(conn: &Connection) -> Result<EngineSettings, ApiError> {
    let json: Option<String> =
        conn.prepare_cached("SELECT json FROM engine_settings WHERE id = 1")?.query_row([], |r| r.get(0)).optional()?;
    match json {
        Some(json) => {
            serde_json::from_str(&json).map_err(|e| ApiError::Internal(format!("stored engine settings: {e}")))
        }
        None => Ok(EngineSettings::default()),
    }
}

/// Validates and stores new settings; the engine uses them from the next ingested batch on.
pub fn save(conn: &Connection, settings: &EngineSettings) -> Result<(), ApiError> {
    settings.validate().map_err(ApiError::BadRequest)?;
    let json = serde_json::to_string(settings).map_err(|e| ApiError::Internal(e.to_string()))?;
    conn.execute(
        "INSERT INTO engine_settings (id, json) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET json = ?1",
        [json],
    )?;
    Ok(())
}

/// The settings the engine runs with: the stored ones, with clip bounds inside the remote config's
/// (so every highlight is a clip the seller could have cut by hand).
pub fn in_force(stored: EngineSettings, remote: &RemoteConfig) -> EngineSettings {
    stored.within_clip_bounds(i64::from(remote.clip_min_s) * 1000, i64::from(remote.clip_max_s) * 1000)
}
