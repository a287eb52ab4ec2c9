//! Bearer-token auth: sellers use seller tokens, the streaming service uses a service token.
//!
//! Tokens are random 256-bit secrets handed out once; only their SHA-256 is stored.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::db::{hex, now_ms};
use crate::error::ApiError;

/// SHA-256 of a token, as stored.
pub fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Creates a token of `kind` ("seller" or "service"), stores its hash and returns the secret once.
pub fn issue_token(conn: &Connection, kind: &str, seller_id: Option<&str>) -> Result<String, ApiError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| ApiError::Internal(format!("randomness: {e}")))?;
    let token = format!("hlt_{}", hex(&b));
    conn.execute(
        "INSERT INTO tokens (hash, seller_id, kind, created_at_ms) VALUES (?1, ?2, ?3, ?4)",
        params![hash_token(&token), seller_id, kind, now_ms()],
    )?;
    Ok(token)
}

fn bearer(parts: &Parts) -> Result<String, ApiError> {
    let value = parts.headers.get(axum::http::header::AUTHORIZATION).ok_or(ApiError::Unauthorized)?;
    let value = value.to_str().map_err(|_| ApiError::Unauthorized)?;
    let token = value.strip_prefix("Bearer ").ok_or(ApiError::Unauthorized)?.trim();
    if token.is_empty() || token.len() > 256 {
        return Err(ApiError::Unauthorized);
    }
    Ok(token.to_string())
}

async fn lookup(state: &AppState, token: String, kind: &'static str) -> Result<Option<String>, ApiError> {
    let hash = hash_token(&token);
    state
        .db
        .call(move |c| {
            let row: Option<Option<String>> = c
                .prepare_cached("SELECT seller_id FROM tokens WHERE hash = ?1 AND kind = ?2")?
                .query_row(params![hash, kind], |r| r.get(0))
                .optional()?;
            row.ok_or(ApiError::Unauthorized)
        })
        .await
}

/// The seller a request acts for, proven by a seller token.
pub struct Seller(pub String);

impl FromRequestParts<AppState> for Seller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?;
        lookup(state, token, "seller").await?.map(Seller).ok_or(ApiError::Unauthorized)
    }
}

/// A request from the streaming service, proven by a service token.
pub struct Service;

impl FromRequestParts<AppState> for Service {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?;
        lookup(state, token, "service").await?;
        Ok(Service)
    }
}
