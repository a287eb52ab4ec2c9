//! Sellers, their tokens and the service token, and experiment pins. Tokens are random 256-bit
//! secrets handed out once; only their SHA-256 is stored.

use highlights_api::FormatVariant;
use rusqlite::{Connection, OptionalExtension, params};

use super::shared::{next_seq, random_id};
use crate::clock::now_ms;
use crate::store::contract::{Caller, StoreError, token_hash};
use crate::store::rules::{one_token, parse_token_id};
use crate::store::tokens::{TokenInfo, TokenKind, TokenLifetime};

/// The two kinds of token, as stored.
const SELLER: &str = "seller";
const SERVICE: &str = "service";

/// Creates a token of `kind`, stores its hash and returns the secret once.
fn issue(
    conn: &Connection,
    kind: &str,
    seller_id: Option<&str>,
    lifetime: TokenLifetime,
) -> Result<String, StoreError> {
    let token = random_id("hlt", 32)?;
    let now = now_ms();
    conn.execute(
        "INSERT INTO tokens (hash, seller_id, kind, created_at_ms, expires_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![token_hash(&token), seller_id, kind, now, lifetime.expires_at_ms(now)],
    )?;
    Ok(token)
}

/// Who the token with this hash speaks for, while it is neither expired nor revoked.
pub(super) fn caller(conn: &Connection, hash: &str) -> Result<Caller, StoreError> {
    let row: Option<(String, Option<String>)> = conn
        .prepare_cached(
            "SELECT kind, seller_id FROM tokens WHERE hash = ?1
             AND revoked_at_ms IS NULL AND (expires_at_ms IS NULL OR expires_at_ms > ?2)",
        )?
        .query_row(params![hash, now_ms()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match row {
        Some((kind, Some(seller))) if kind == SELLER => Ok(Caller::Seller(seller)),
        Some((kind, _)) if kind == SERVICE => Ok(Caller::Service),
        _ => Err(StoreError::UnknownToken),
    }
}

/// Creates a seller with default settings and returns a fresh seller token for it.
pub(super) fn create(
    conn: &Connection,
    seller_id: &str,
    name: &str,
    lifetime: TokenLifetime,
) -> Result<String, StoreError> {
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
    issue(conn, SELLER, Some(seller_id), lifetime)
}

/// Issues one more token for an existing seller (a second device, say).
pub(super) fn token(conn: &Connection, seller_id: &str, lifetime: TokenLifetime) -> Result<String, StoreError> {
    known_seller(conn, seller_id)?;
    issue(conn, SELLER, Some(seller_id), lifetime)
}

/// Issues a token for the streaming service that feeds LIVE events.
pub(super) fn service_token(conn: &Connection, lifetime: TokenLifetime) -> Result<String, StoreError> {
    issue(conn, SERVICE, None, lifetime)
}

fn known_seller(conn: &Connection, seller_id: &str) -> Result<(), StoreError> {
    if conn.prepare_cached("SELECT 1 FROM sellers WHERE id = ?1")?.exists([seller_id])? {
        Ok(())
    } else {
        Err(StoreError::NotFound("seller"))
    }
}

/// The columns of a [`TokenInfo`]; the id is cut from the hash here, so the rest of the hash
/// never leaves the database.
const INFO: &str =
    "SELECT substr(hash, 1, 12), kind, seller_id, created_at_ms, expires_at_ms, revoked_at_ms FROM tokens";

fn info(r: &rusqlite::Row<'_>) -> rusqlite::Result<TokenInfo> {
    let kind: String = r.get(1)?;
    Ok(TokenInfo {
        id: r.get(0)?,
        kind: TokenKind::parse(&kind)
            .ok_or_else(|| rusqlite::Error::InvalidColumnType(1, "kind".into(), rusqlite::types::Type::Text))?,
        seller_id: r.get(2)?,
        created_at_ms: r.get(3)?,
        expires_at_ms: r.get(4)?,
        revoked_at_ms: r.get(5)?,
    })
}

/// Every token, oldest first.
pub(super) fn list(conn: &Connection) -> Result<Vec<TokenInfo>, StoreError> {
    let mut q = conn.prepare_cached(&format!("{INFO} ORDER BY created_at_ms, hash"))?;
    Ok(q.query_map([], info)?.collect::<Result<_, _>>()?)
}

/// Revokes the one token whose id is `token_id` (see [`crate::store::Store::revoke_token`]).
pub(super) fn revoke(conn: &Connection, token_id: &str) -> Result<TokenInfo, StoreError> {
    let id = parse_token_id(token_id)?;
    let matching: i64 = conn
        .prepare_cached("SELECT count(*) FROM tokens WHERE substr(hash, 1, 12) = ?1")?
        .query_row([&id], |r| r.get(0))?;
    one_token(&id, matching)?;
    conn.prepare_cached(
        "UPDATE tokens SET revoked_at_ms = coalesce(revoked_at_ms, ?2) WHERE substr(hash, 1, 12) = ?1",
    )?
    .execute(params![id, now_ms()])?;
    Ok(conn.prepare_cached(&format!("{INFO} WHERE substr(hash, 1, 12) = ?1"))?.query_row([&id], info)?)
}

/// Revokes every token of a seller not revoked yet; how many.
pub(super) fn revoke_seller(conn: &Connection, seller_id: &str) -> Result<u32, StoreError> {
    known_seller(conn, seller_id)?;
    let n = conn
        .prepare_cached("UPDATE tokens SET revoked_at_ms = ?2 WHERE seller_id = ?1 AND revoked_at_ms IS NULL")?
        .execute(params![seller_id, now_ms()])?;
    Ok(n as u32)
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
