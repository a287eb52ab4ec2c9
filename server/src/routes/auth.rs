//! The bearer token of a request, and who the rate limits found it speaks for.

use axum::http::HeaderMap;

use super::error::HttpError;
use crate::store::Caller;

/// What the rate limits decided about a request's token, for the extractors to use as is.
#[derive(Debug, Clone)]
pub struct Checked(pub Option<Caller>);

/// The bearer token of a request; the scheme's name is case-insensitive (RFC 9110).
pub fn bearer(headers: &HeaderMap) -> Result<String, HttpError> {
    let value = headers.get(axum::http::header::AUTHORIZATION).ok_or(HttpError::Unauthorized)?;
    let value = value.to_str().map_err(|_| HttpError::Unauthorized)?;
    let (scheme, token) = value.split_once(' ').ok_or(HttpError::Unauthorized)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() || token.len() > 256 {
        return Err(HttpError::Unauthorized);
    }
    Ok(token.to_string())
}
