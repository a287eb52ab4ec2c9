//! Sellers, their tokens and the service token, and experiment pins. Tokens are random 256-bit
//! secrets handed out once; only their SHA-256 is stored.

use highlights_api::FormatVariant;
use tokio_postgres::error::SqlState;

use super::shared::{Tx, exec, exists, next_seq, one, row, rows};
use crate::clock::now_ms;
use crate::store::contract::{Caller, StoreError, token_hash};
use crate::store::rules::random_id;
use crate::store::rules::{one_token, parse_token_id};
use crate::store::tokens::{TokenInfo, TokenKind, TokenLifetime};

/// The two kinds of token, as stored.
const SELLER: &str = "seller";
const SERVICE: &str = "service";

/// Creates a token of `kind`, stores its hash and returns the secret once.
async fn issue(
    tx: &Tx<'_>,
    kind: &str,
    seller_id: Option<&str>,
    lifetime: TokenLifetime,
) -> Result<String, StoreError> {
    let token = random_id("hlt", 32)?;
    let now = now_ms();
    exec(
        tx,
        "INSERT INTO tokens (hash, seller_id, kind, created_at_ms, expires_at_ms) VALUES ($1, $2, $3, $4, $5)",
        &[&token_hash(&token), &seller_id, &kind, &now, &lifetime.expires_at_ms(now)],
    )
    .await?;
    Ok(token)
}

/// Who the token with this hash speaks for, while it is neither expired nor revoked.
pub(super) async fn caller(tx: &Tx<'_>, hash: &str) -> Result<Caller, StoreError> {
    let r = row(
        tx,
        "SELECT kind, seller_id FROM tokens WHERE hash = $1
         AND revoked_at_ms IS NULL AND (expires_at_ms IS NULL OR expires_at_ms > $2)",
        &[&hash, &now_ms()],
    )
    .await?;
    let r: Option<(String, Option<String>)> = match r {
        Some(r) => Some((r.try_get(0)?, r.try_get(1)?)),
        None => None,
    };
    match r {
        Some((kind, Some(seller))) if kind == SELLER => Ok(Caller::Seller(seller)),
        Some((kind, _)) if kind == SERVICE => Ok(Caller::Service),
        _ => Err(StoreError::UnknownToken),
    }
}

/// Creates a seller with default settings and returns a fresh seller token for it.
pub(super) async fn create(
    tx: &Tx<'_>,
    seller_id: &str,
    name: &str,
    lifetime: TokenLifetime,
) -> Result<String, StoreError> {
    if !highlights_api::is_valid_id(seller_id) {
        return Err(StoreError::Invalid("invalid seller id".into()));
    }
    let now = now_ms();
    let seq = next_seq(tx).await?;
    exec(
        tx,
        "INSERT INTO sellers (id, name, experiments_seq, created_at_ms) VALUES ($1, $2, $3, $4)",
        &[&seller_id, &name, &seq, &now],
    )
    .await
    .map_err(|e| match e {
        StoreError::Backend { source, .. }
            if source
                .downcast_ref::<tokio_postgres::Error>()
                .is_some_and(|e| e.code() == Some(&SqlState::UNIQUE_VIOLATION)) =>
        {
            StoreError::Invalid(format!("seller {seller_id} already exists"))
        }
        e => e,
    })?;
    exec(tx, "INSERT INTO settings (seller_id, updated_at_ms, seq) VALUES ($1, $2, $3)", &[&seller_id, &now, &seq])
        .await?;
    issue(tx, SELLER, Some(seller_id), lifetime).await
}

/// Issues one more token for an existing seller (a second device, say).
pub(super) async fn token(tx: &Tx<'_>, seller_id: &str, lifetime: TokenLifetime) -> Result<String, StoreError> {
    known_seller(tx, seller_id).await?;
    issue(tx, SELLER, Some(seller_id), lifetime).await
}

/// Issues a token for the streaming service that feeds LIVE events.
pub(super) async fn service_token(tx: &Tx<'_>, lifetime: TokenLifetime) -> Result<String, StoreError> {
    issue(tx, SERVICE, None, lifetime).await
}

async fn known_seller(tx: &Tx<'_>, seller_id: &str) -> Result<(), StoreError> {
    if exists(tx, "SELECT 1 FROM sellers WHERE id = $1", &[&seller_id]).await? {
        Ok(())
    } else {
        Err(StoreError::NotFound("seller"))
    }
}

/// The columns of a [`TokenInfo`]; the id is cut from the hash here, so the rest of the hash
/// never leaves the database.
const INFO: &str =
    "SELECT substr(hash, 1, 12), kind, seller_id, created_at_ms, expires_at_ms, revoked_at_ms FROM tokens";

fn info(r: &tokio_postgres::Row) -> Result<TokenInfo, StoreError> {
    let kind: String = r.try_get(1)?;
    Ok(TokenInfo {
        id: r.try_get(0)?,
        kind: TokenKind::parse(&kind)
            .ok_or_else(|| StoreError::backend("reading a token", format!("unknown kind {kind:?}")))?,
        seller_id: r.try_get(2)?,
        created_at_ms: r.try_get(3)?,
        expires_at_ms: r.try_get(4)?,
        revoked_at_ms: r.try_get(5)?,
    })
}

/// Every token, oldest first.
pub(super) async fn list(tx: &Tx<'_>) -> Result<Vec<TokenInfo>, StoreError> {
    rows(tx, &format!("{INFO} ORDER BY created_at_ms, hash"), &[]).await?.iter().map(info).collect()
}

/// Revokes the one token whose id is `token_id` (see [`crate::store::Store::revoke_token`]).
pub(super) async fn revoke(tx: &Tx<'_>, token_id: &str) -> Result<TokenInfo, StoreError> {
    let id = parse_token_id(token_id)?;
    let matching: i64 = one(tx, "SELECT count(*) FROM tokens WHERE substr(hash, 1, 12) = $1", &[&id]).await?;
    one_token(&id, matching)?;
    exec(
        tx,
        "UPDATE tokens SET revoked_at_ms = coalesce(revoked_at_ms, $2) WHERE substr(hash, 1, 12) = $1",
        &[&id, &now_ms()],
    )
    .await?;
    let r = row(tx, &format!("{INFO} WHERE substr(hash, 1, 12) = $1"), &[&id]).await?;
    info(&r.ok_or(StoreError::NotFound("token"))?)
}

/// Revokes every token of a seller not revoked yet; how many.
pub(super) async fn revoke_seller(tx: &Tx<'_>, seller_id: &str) -> Result<u32, StoreError> {
    known_seller(tx, seller_id).await?;
    let n = exec(
        tx,
        "UPDATE tokens SET revoked_at_ms = $2 WHERE seller_id = $1 AND revoked_at_ms IS NULL",
        &[&seller_id, &now_ms()],
    )
    .await?;
    Ok(n as u32)
}

/// Pins a seller into experiment arms (`None` leaves that arm to the hash).
pub(super) async fn pin_experiments(
    tx: &Tx<'_>,
    seller_id: &str,
    popup: Option<bool>,
    format: Option<&str>,
) -> Result<(), StoreError> {
    if let Some(f) = format
        && FormatVariant::parse(f).is_none()
    {
        return Err(StoreError::Invalid(format!("unknown format variant {f:?}")));
    }
    let seq = next_seq(tx).await?;
    let n = exec(
        tx,
        "UPDATE sellers SET popup_override = $2, format_override = $3, experiments_seq = $4 WHERE id = $1",
        &[&seller_id, &popup, &format, &seq],
    )
    .await?;
    if n == 0 {
        return Err(StoreError::NotFound("seller"));
    }
    Ok(())
}
