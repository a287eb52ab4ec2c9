//! Idempotency keys: a retried request with the same key gets the first answer and changes nothing.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Serialize, de::DeserializeOwned};

use crate::store::contract::{Idempotency, PRUNE_BATCH, StoreError};

/// Runs `f` once per (scope, seller, key), inside the caller's transaction; replays return the
/// stored answer.
pub(super) fn once<T, F>(conn: &Connection, seller_id: &str, key: Option<&Idempotency>, f: F) -> Result<T, StoreError>
where
    T: Serialize + DeserializeOwned,
    F: FnOnce(&Connection) -> Result<T, StoreError>,
{
    let Some(Idempotency { scope, key, fingerprint }) = key else { return f(conn) };
    let scope = scope.as_str();
    let stored: Option<(String, String)> = conn
        .prepare_cached("SELECT fingerprint, body FROM idempotency WHERE scope = ?1 AND seller_id = ?2 AND key = ?3")?
        .query_row(params![scope, seller_id, key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((fp, body)) = stored {
        if fp != *fingerprint {
            return Err(StoreError::rule(
                "idempotency_key_reused",
                "this Idempotency-Key was used for a different request",
            ));
        }
        return serde_json::from_str(&body).map_err(|e| StoreError::backend("reading a stored answer", e));
    }
    let answer = f(conn)?;
    let body = serde_json::to_string(&answer).map_err(|e| StoreError::backend("storing an answer", e))?;
    conn.prepare_cached(
        "INSERT INTO idempotency (scope, seller_id, key, fingerprint, status, body, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, 200, ?5, ?6)",
    )?
    .execute(params![scope, seller_id, key, fingerprint, body, crate::clock::now_ms()])?;
    Ok(answer)
}

/// Deletes the keys stored before `older_than_ms`.
pub(super) fn prune(conn: &Connection, older_than_ms: i64) -> Result<u64, StoreError> {
    let sql = "DELETE FROM idempotency WHERE rowid IN
        (SELECT rowid FROM idempotency WHERE created_at_ms < ?1 LIMIT ?2)";
    Ok(conn.prepare_cached(sql)?.execute(params![older_than_ms, PRUNE_BATCH as i64])? as u64)
}
