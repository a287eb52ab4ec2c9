//! Every failure of a request as a 4xx (or, for our own faults only, 5xx) with a JSON `{code, message}`.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use highlights_api::{ApiError as ErrorBody, Settings, StaleSettings};

/// A request that could not be served.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// Missing or unknown bearer token.
    #[error("missing or invalid bearer token")]
    Unauthorized,
    /// No such thing for this caller; also what another seller's ids get, so they do not leak.
    #[error("{0} not found")]
    NotFound(String),
    /// A stale settings write.
    #[error("settings changed since version {expected}")]
    Stale {
        /// Version the client based its write on.
        expected: i64,
        /// The state to rebase on.
        current: Box<Settings>,
    },
    /// Well-formed but not acceptable (invalid segment, unknown product, reused idempotency key).
    #[error("{message}")]
    Unprocessable {
        /// Stable code.
        code: &'static str,
        /// Explanation.
        message: String,
    },
    /// A rejection produced by the framework's extractors, already classified.
    #[error("{message}")]
    Rejected {
        /// Status chosen by the extractor (400, 413, 415, 422...).
        status: StatusCode,
        /// Explanation.
        message: String,
    },
    /// Our own fault; details go to the log, not to the client.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Stale { .. } => (StatusCode::CONFLICT, "stale_version"),
            ApiError::Unprocessable { code, .. } => (StatusCode::UNPROCESSABLE_ENTITY, code),
            ApiError::Rejected { status, .. } => (*status, rejection_code(*status)),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

fn rejection_code(status: StatusCode) -> &'static str {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => "body_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid_body",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        _ => "bad_request",
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let ApiError::Internal(detail) = &self {
            tracing::error!(%detail, "request failed");
        }
        match self {
            ApiError::Stale { current, .. } => {
                let body = StaleSettings {
                    code: code.into(),
                    message: "settings changed on the server; rebase on `current`".into(),
                    current: *current,
                };
                (status, Json(body)).into_response()
            }
            other => (status, Json(ErrorBody { code: code.into(), message: other.to_string() })).into_response(),
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        ApiError::Internal(format!("sqlite: {e}"))
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        ApiError::Rejected { status: r.status(), message: r.body_text() }
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        ApiError::Rejected { status: StatusCode::BAD_REQUEST, message: r.body_text() }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::Rejected { status: StatusCode::BAD_REQUEST, message: r.body_text() }
    }
}

/// `axum::Json` whose rejections are JSON errors too.
#[derive(axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct JsonBody<T>(pub T);

/// `axum::extract::Path` whose rejections are JSON errors.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct PathParam<T>(pub T);

/// `axum::extract::Query` whose rejections are JSON errors.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct QueryParams<T>(pub T);

/// Checks an id a caller wants to create: non-empty, short, printable; else 400.
pub fn check_id(what: &str, id: &str) -> Result<(), ApiError> {
    if highlights_api::is_valid_id(id) { Ok(()) } else { Err(ApiError::BadRequest(format!("invalid {what} id"))) }
}

/// Checks an id that must name something that exists: one that could never exist is simply not
/// found (404), like any other unknown id.
pub fn known_id(what: &str, id: &str) -> Result<(), ApiError> {
    if highlights_api::is_valid_id(id) { Ok(()) } else { Err(ApiError::NotFound(what.to_string())) }
}
