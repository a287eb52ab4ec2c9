//! Sellers, their tokens and the service token, and experiment pins. Tokens are random 256-bit
//! secrets handed out once; only their SHA-256 is stored.

use highlights_api::FormatVariant;
use rusqlite::{Connection, OptionalExtension, params};

use super::shared::{next_seq, random_id};
use crate::clock::now_ms;
use crate::store::contract::{Caller, StoreError, token_hash};

/// The two kinds of token, as stored.
const SELLER: &str = "seller";
const SERVICE: &str = "service";

/// Creates a token of `kind`, stores its hash and returns the secret once.
fn issue(conn: &Connection, kind: &str, seller_id: Option<&str>) -> Result<String, StoreError> {
    let token = random_id("hlt", 32)?;
    conn.execute(
        "INSERT INTO tokens (hash, seller_id, kind, created_at_ms) VALUES (?1, ?2, ?3, ?4)",
        params![token_hash(&token), seller_id, kind, now_ms()],
    )?;
    Ok(token)
}

/// Who the token with this hash speaks for.
pub(super) fn caller(conn: &Connection, hash: &str) -> Result<Caller, StoreError> {
    let row: Option<(String, Option<String>)> = conn
        .prepare_cached("SELECT kind, seller_id FROM tokens WHERE hash = ?1")?
        .query_row([hash], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match row {
        Some((kind, Some(seller))) if kind == SELLER => Ok(Caller::Seller(seller)),
        Some((kind, _)) if kind == SERVICE => Ok(Caller::Service),
        _ => Err(StoreError::UnknownToken),
    }
}

/// Creates a seller with default settings and returns a fresh seller token for it.
pub(super) fn create(conn: &Connection, seller_id: &str, name: &str) -> Result<String, StoreError> {
    if !highlights_api::is_valid_id(seller_id) {
        return Err(StoreError::Invalid("invalid seller id".into()));
    }
    let now = now_ms();
    let seq = next_seq(conn)?;
    conn.execute(
        "INSERT INTO sellers (id, name, experiments_seq, created_at_ms) VALUES (?1, ?2, ?3, ?4)",
        params![seller_id, name, seq, now],
    )
    .map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            StoreError::Invalid(format!("seller {seller_id} already exists"))
        }
        e => e.into(),
    })?;
    conn.execute(
        "INSERT INTO settings (seller_id, updated_at_ms, seq) VALUES (?1, ?2, ?3)",
        params![seller_id, now, seq],
    )?;
    issue(conn, SELLER, Some(seller_id))
}

/// Issues one more token for an existing seller (a second device, say).
pub(super) fn token(conn: &Connection, seller_id: &str) -> Result<String, StoreError> {
    if !conn.prepare_cached("SELECT 1 FROM sellers WHERE id = ?1")?.exists([seller_id])? {
        return Err(StoreError::NotFound("seller"));
    }
    issue(conn, SELLER, Some(seller_id))
}

/// Issues a token for the streaming service that feeds LIVE events.
pub(super) fn service_token(conn: &Connection) -> Result<String, StoreError> {
    issue(conn, SERVICE, None)
}

/// Pins a seller into experiment arms (`None` leaves that arm to the hash).
pub(super) fn pin_experiments(
    conn: &Connection,
    seller_id: &str,
    popup: Option<bool>,
    format: Option<&str>,
) -> Result<(), StoreError> {
    if let Some(f) = format
        && FormatVariant::parse(f).is_none()
    {
        return Err(StoreError::Invalid(format!("unknown format variant {f:?}")));
    }
    let seq = next_seq(conn)?;
    let n = conn.execute(
        "UPDATE sellers SET popup_override = ?2, format_override = ?3, experiments_seq = ?4 WHERE id = ?1",
        params![seller_id, popup, format, seq],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound("seller"));
    }
    Ok(())
}
