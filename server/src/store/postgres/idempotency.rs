//! Idempotency keys: a retried request with the same key gets the first answer and changes nothing.

use std::collections::HashMap;

use serde::{Serialize, de::DeserializeOwned};

use super::shared::{Tx, exec, row, rows};
use crate::store::contract::{Idempotency, KeyScope, PRUNE_BATCH, StoreError};

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

/// The fingerprints stored for these keys of these sellers, by (scope, seller, key): one query
/// for a worker's whole transaction. No lock as in [`replay`]: a key is narrowed to one LIVE, and
/// one worker at a time applies a LIVE's entries (its partition's lease row stays locked).
pub(super) async fn fingerprints<'a>(
    tx: &Tx<'_>,
    keys: impl Iterator<Item = (&'a str, &'a Idempotency)>,
) -> Result<HashMap<(&'static str, String, String), String>, StoreError> {
    let (mut scopes, mut sellers, mut texts) = (Vec::new(), Vec::new(), Vec::new());
    for (seller, k) in keys {
        scopes.push(k.scope.as_str());
        sellers.push(seller);
        texts.push(k.key.as_str());
    }
    if texts.is_empty() {
        return Ok(HashMap::new());
    }
    let found = rows(
        tx,
        "SELECT scope, seller_id, key, fingerprint FROM idempotency
         WHERE (scope, seller_id, key) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))",
        &[&scopes, &sellers, &texts],
    )
    .await?;
    let mut out = HashMap::with_capacity(found.len());
    for r in found {
        let scope: String = r.try_get(0)?;
        let scope = if scope == KeyScope::Seller.as_str() { KeyScope::Seller } else { KeyScope::Service };
        out.insert((scope.as_str(), r.try_get(1)?, r.try_get(2)?), r.try_get(3)?);
    }
    Ok(out)
}

/// Keeps the answers to many keyed requests (a worker's transaction) with one statement.
pub(super) async fn remember_all<T: Serialize>(
    tx: &Tx<'_>,
    answers: &[(&str, &Idempotency, T)],
) -> Result<(), StoreError> {
    if answers.is_empty() {
        return Ok(());
    }
    let mut bodies = Vec::with_capacity(answers.len());
    for (_, _, answer) in answers {
        bodies.push(serde_json::to_string(answer).map_err(|e| StoreError::backend("storing an answer", e))?);
    }
    let scopes: Vec<&str> = answers.iter().map(|a| a.1.scope.as_str()).collect();
    let sellers: Vec<&str> = answers.iter().map(|a| a.0).collect();
    let keys: Vec<&str> = answers.iter().map(|a| a.1.key.as_str()).collect();
    let prints: Vec<&str> = answers.iter().map(|a| a.1.fingerprint.as_str()).collect();
    exec(
        tx,
        "INSERT INTO idempotency (scope, seller_id, key, fingerprint, status, body, created_at_ms)
         SELECT u.scope, u.seller_id, u.key, u.fingerprint, 200, u.body, $6
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(scope, seller_id, key, fingerprint, body)",
        &[&scopes, &sellers, &keys, &prints, &bodies, &crate::clock::now_ms()],
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
