//! Sellers, their tokens and the service token, and experiment pins. Tokens are random 256-bit
//! secrets handed out once; only their SHA-256 is stored.

use highlights_api::FormatVariant;
use tokio_postgres::error::SqlState;

use super::shared::{Tx, exec, exists, next_seq, row};
use crate::clock::now_ms;
use crate::store::contract::{Caller, StoreError, token_hash};
use crate::store::rules::random_id;

/// The two kinds of token, as stored.
const SELLER: &str = "seller";
const SERVICE: &str = "service";

/// Creates a token of `kind`, stores its hash and returns the secret once.
async fn issue(tx: &Tx<'_>, kind: &str, seller_id: Option<&str>) -> Result<String, StoreError> {
    let token = random_id("hlt", 32)?;
    exec(
        tx,
        "INSERT INTO tokens (hash, seller_id, kind, created_at_ms) VALUES ($1, $2, $3, $4)",
        &[&token_hash(&token), &seller_id, &kind, &now_ms()],
    )
    .await?;
    Ok(token)
}

/// Who the token with this hash speaks for.
pub(super) async fn caller(tx: &Tx<'_>, hash: &str) -> Result<Caller, StoreError> {
    let r = row(tx, "SELECT kind, seller_id FROM tokens WHERE hash = $1", &[&hash]).await?;
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
pub(super) async fn create(tx: &Tx<'_>, seller_id: &str, name: &str) -> Result<String, StoreError> {
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
    issue(tx, SELLER, Some(seller_id)).await
}

/// Issues one more token for an existing seller (a second device, say).
pub(super) async fn token(tx: &Tx<'_>, seller_id: &str) -> Result<String, StoreError> {
    if !exists(tx, "SELECT 1 FROM sellers WHERE id = $1", &[&seller_id]).await? {
        return Err(StoreError::NotFound("seller"));
    }
    issue(tx, SELLER, Some(seller_id)).await
}

/// Issues a token for the streaming service that feeds LIVE events.
pub(super) async fn service_token(tx: &Tx<'_>) -> Result<String, StoreError> {
    issue(tx, SERVICE, None).await
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
