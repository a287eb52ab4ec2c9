//! Admin operations: sellers and their tokens, the service token, remote config, engine settings,
//! experiment pins.

use highlights_api::RemoteConfig;
use rusqlite::{Connection, params};

use crate::auth::issue_token;
use crate::db::{next_seq, now_ms};
use crate::error::{ApiError, check_id};
use crate::routes::config;

/// Creates a seller with default settings and returns a fresh seller token for it.
pub fn create_seller(conn: &Connection, seller_id: &str, name: &str) -> Result<String, ApiError> {
    check_id("seller", seller_id)?;
    let now = now_ms();
    let seq = next_seq(conn)?;
    conn.execute(
        "INSERT INTO sellers (id, name, experiments_seq, created_at_ms) VALUES (?1, ?2, ?3, ?4)",
        params![seller_id, name, seq, now],
    )
    .map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            ApiError::BadRequest(format!("seller {seller_id} already exists"))
        }
        e => e.into(),
    })?;
    conn.execute(
        "INSERT INTO settings (seller_id, updated_at_ms, seq) VALUES (?1, ?2, ?3)",
        params![seller_id, now, seq],
    )?;
    issue_token(conn, "seller", Some(seller_id))
}

/// Issues one more token for an existing seller (a second device, say).
pub fn seller_token(conn: &Connection, seller_id: &str) -> Result<String, ApiError> {
    let known: bool = conn.prepare("SELECT 1 FROM sellers WHERE id = ?1")?.exists([seller_id])?;
    if !known {
        return Err(ApiError::NotFound("seller".into()));
    }
    issue_token(conn, "seller", Some(seller_id))
}

/// Issues a token for the streaming service that feeds LIVE events.
pub fn service_token(conn: &Connection) -> Result<String, ApiError> {
    issue_token(conn, "service", None)
}

/// Replaces the remote config after validating it.
pub fn set_config(conn: &Connection, c: &RemoteConfig) -> Result<(), ApiError> {
    config::save(conn, c)
}

/// Replaces the engine's tunables after validating them.
pub fn set_engine_settings(conn: &Connection, s: &highlights_engine::EngineSettings) -> Result<(), ApiError> {
    crate::engine_settings::save(conn, s)
}

/// Pins a seller into experiment arms (`None` leaves that arm to the hash).
pub fn pin_experiments(
    conn: &Connection,
    seller_id: &str,
    popup: Option<bool>,
    format: Option<&str>,
) -> Result<(), ApiError> {
    if let Some(f) = format
        && f != "control"
        && !config::FORMAT_VARIANTS.contains(&f)
    {
        return Err(ApiError::BadRequest(format!("unknown format variant {f:?}")));
    }
    let seq = next_seq(conn)?;
    let n = conn.execute(
        "UPDATE sellers SET popup_override = ?2, format_override = ?3, experiments_seq = ?4 WHERE id = ?1",
        params![seller_id, popup, format, seq],
    )?;
    if n == 0 {
        return Err(ApiError::NotFound("seller".into()));
    }
    Ok(())
}
