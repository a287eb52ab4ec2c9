//! Idempotency keys: a retried request with the same key gets the first answer and changes nothing.

use serde::{Serialize, de::DeserializeOwned};

use super::shared::{Tx, exec, row};
use crate::store::contract::{Idempotency, PRUNE_BATCH, StoreError};

/// The stored answer to an earlier request with this key, if any. Requests with the same key
/// take turns from here to the end of their transaction (an advisory lock), so two retries
/// arriving together do not both run.
pub(super) async fn replay<T: DeserializeOwned>(
    tx: &Tx<'_>,
    seller_id: &str,
    key: Option<&Idempotency>,
) -> Result<Option<T>, StoreError> {
    let Some(Idempotency { scope, key, fingerprint }) = key else { return Ok(None) };
    let scope = scope.as_str();
    exec(
        tx,
        "SELECT pg_advisory_xact_lock(hashtextextended($1 || chr(10) || $2 || chr(10) || $3, 0))",
        &[&scope, &seller_id, key],
    )
    .await?;
    let Some(r) = row(
        tx,
        "SELECT fingerprint, body FROM idempotency WHERE scope = $1 AND seller_id = $2 AND key = $3",
        &[&scope, &seller_id, key],
    )
    .await?
    else {
        return Ok(None);
    };
    let (fp, body): (String, String) = (r.try_get(0)?, r.try_get(1)?);
    if fp != *fingerprint {
        return Err(StoreError::rule(
            "idempotency_key_reused",
            "this Idempotency-Key was used for a different request",
        ));
    }
    serde_json::from_str(&body).map(Some).map_err(|e| StoreError::backend("reading a stored answer", e))
}

/// Keeps the answer to a request with this key, for its retries.
pub(super) async fn remember<T: Serialize>(
    tx: &Tx<'_>,
    seller_id: &str,
    key: Option<&Idempotency>,
    answer: &T,
) -> Result<(), StoreError> {
    let Some(Idempotency { scope, key, fingerprint }) = key else { return Ok(()) };
    let body = serde_json::to_string(answer).map_err(|e| StoreError::backend("storing an answer", e))?;
    exec(
        tx,
        "INSERT INTO idempotency (scope, seller_id, key, fingerprint, status, body, created_at_ms)
         VALUES ($1, $2, $3, $4, 200, $5, $6)",
        &[&scope.as_str(), &seller_id, key, fingerprint, &body, &crate::clock::now_ms()],
    )
    .await?;
    Ok(())
}

/// Deletes the keys stored before `older_than_ms`.
pub(super) async fn prune(tx: &Tx<'_>, older_than_ms: i64) -> Result<u64, StoreError> {
    // Rows another API server is pruning right now are skipped, not waited for.
    let sql = "DELETE FROM idempotency WHERE ctid IN
        (SELECT ctid FROM idempotency WHERE created_at_ms < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)";
    exec(tx, sql, &[&older_than_ms, &(PRUNE_BATCH as i64)]).await
}
