//! Idempotency keys: a retried request with the same key gets the first answer and changes nothing.

use axum::http::HeaderMap;
use highlights_api::IDEMPOTENCY_KEY_HEADER;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Serialize, de::DeserializeOwned};
use sha2::{Digest, Sha256};

use crate::db::{hex, now_ms};
use crate::error::ApiError;

/// Reads and checks the `Idempotency-Key` header, if any.
pub fn key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(v) = headers.get(IDEMPOTENCY_KEY_HEADER) else {
        return Ok(None);
    };
    let v = v.to_str().map_err(|_| ApiError::BadRequest("Idempotency-Key must be ASCII".into()))?;
    if v.is_empty() || v.len() > 128 {
        return Err(ApiError::BadRequest("Idempotency-Key must be 1 to 128 characters".into()));
    }
    Ok(Some(v.to_string()))
}

/// Hash of what a request asks for, so a key reused for a different request is caught.
pub fn fingerprint<T: Serialize>(route: &str, body: &T) -> String {
    let json = serde_json::to_string(body).unwrap_or_default();
    hex(&Sha256::digest(format!("{route}\n{json}").as_bytes()))
}

/// Runs `f` once per (seller, key), inside the caller's transaction; replays return the stored answer.
pub fn once<T, F>(conn: &Connection, seller_id: &str, key: Option<&str>, fingerprint: &str, f: F) -> Result<T, ApiError>
where
    T: Serialize + DeserializeOwned,
    F: FnOnce(&Connection) -> Result<T, ApiError>,
{
    let Some(key) = key else { return f(conn) };
    let stored: Option<(String, String)> = conn
        .prepare_cached("SELECT fingerprint, body FROM idempotency WHERE seller_id = ?1 AND key = ?2")?
        .query_row(params![seller_id, key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((fp, body)) = stored {
        if fp != fingerprint {
            return Err(ApiError::Unprocessable {
                code: "idempotency_key_reused",
                message: "this Idempotency-Key was used for a different request".into(),
            });
        }
        return serde_json::from_str(&body).map_err(|e| ApiError::Internal(format!("stored answer: {e}")));
    }
    let answer = f(conn)?;
    let body = serde_json::to_string(&answer).map_err(|e| ApiError::Internal(e.to_string()))?;
    conn.prepare_cached(
        "INSERT INTO idempotency (seller_id, key, fingerprint, status, body, created_at_ms) VALUES (?1, ?2, ?3, 200, ?4, ?5)",
    )?
    .execute(params![seller_id, key, fingerprint, body, now_ms()])?;
    Ok(answer)
}
