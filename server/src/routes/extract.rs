//! What handlers take from a request: the caller proven by a bearer token, JSON bodies, path and
//! query parameters whose rejections are JSON errors, and the idempotency key.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use highlights_api::IDEMPOTENCY_KEY_HEADER;

use super::auth::{Checked, bearer};
use super::error::HttpError;
use super::state::AppState;
use crate::store::{Caller, token_hash};

/// Who the request's token speaks for: as the rate limits already found, or looked up now.
async fn caller(parts: &Parts, state: &AppState) -> Result<Caller, HttpError> {
    if let Some(Checked(checked)) = parts.extensions.get::<Checked>() {
        return checked.clone().ok_or(HttpError::Unauthorized);
    }
    let hash = token_hash(&bearer(&parts.headers)?);
    Ok(state.store.caller(hash).await?)
}

/// The seller a request acts for, proven by a seller token.
pub struct Seller(pub String);

impl FromRequestParts<AppState> for Seller {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match caller(parts, state).await? {
            Caller::Seller(id) => Ok(Seller(id)),
            Caller::Service => Err(HttpError::Unauthorized),
        }
    }
}

/// Whoever asks for public media: a seller proven by a token, or anyone without one. A token that
/// is sent but unknown is refused, never silently treated as anonymous.
pub struct Viewer(pub Option<String>);

impl FromRequestParts<AppState> for Viewer {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if !parts.headers.contains_key(axum::http::header::AUTHORIZATION) {
            return Ok(Viewer(None));
        }
        match caller(parts, state).await? {
            Caller::Seller(id) => Ok(Viewer(Some(id))),
            Caller::Service => Ok(Viewer(None)),
        }
    }
}

/// A request from the streaming service, proven by a service token.
pub struct Service;

impl FromRequestParts<AppState> for Service {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match caller(parts, state).await? {
            Caller::Service => Ok(Service),
            Caller::Seller(_) => Err(HttpError::Unauthorized),
        }
    }
}

/// `axum::Json` whose rejections are JSON errors too.
#[derive(axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(HttpError))]
pub struct JsonBody<T>(pub T);

/// A raw request body whose rejections (too large, cut short) are JSON errors too.
pub struct RawBody(pub axum::body::Bytes);

impl<S: Send + Sync> axum::extract::FromRequest<S> for RawBody {
    type Rejection = HttpError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        Ok(RawBody(axum::body::Bytes::from_request(req, state).await?))
    }
}

/// `axum::extract::Path` whose rejections are JSON errors.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(HttpError))]
pub struct PathParam<T>(pub T);

/// `axum::extract::Query` whose rejections are JSON errors.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(HttpError))]
pub struct QueryParams<T>(pub T);

/// Reads and checks the `Idempotency-Key` header, if any.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, HttpError> {
    let Some(v) = headers.get(IDEMPOTENCY_KEY_HEADER) else {
        return Ok(None);
    };
    let v = v.to_str().map_err(|_| HttpError::BadRequest("Idempotency-Key must be ASCII".into()))?;
    if v.is_empty() || v.len() > 128 {
        return Err(HttpError::BadRequest("Idempotency-Key must be 1 to 128 characters".into()));
    }
    Ok(Some(v.to_string()))
}

/// Checks an id that must name something that exists: one that could never exist is simply not
/// found (404), like any other unknown id.
pub fn known_id(what: &'static str, id: &str) -> Result<(), HttpError> {
    if highlights_api::is_valid_id(id) { Ok(()) } else { Err(HttpError::NotFound(what)) }
}
