//! The HTTP edge of every failure: store errors, malformed requests and framework rejections
//! become a status and a JSON [`ErrorBody`] here, and nowhere else.

use axum::Json;
use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use highlights_api::{ErrorBody, StaleSettings};

use crate::cluster::LogError;
use crate::media::MediaError;
use crate::media::intake::IntakeError;
use crate::store::StoreError;

/// A request that could not be served.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The media store could not serve or keep a file.
    #[error(transparent)]
    Media(#[from] MediaError),
    /// The request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// Missing or unknown bearer token.
    #[error("missing or invalid bearer token")]
    Unauthorized,
    /// Nothing is routed here, or the id could never name anything.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The event log did not take a batch (distributed mode): the sender retries with its key.
    #[error(transparent)]
    Log(#[from] LogError),
    /// A rejection produced by the framework's extractors, already classified.
    #[error("{message}")]
    Rejected {
        /// Status chosen by the extractor (400, 405, 413, 415, 422…).
        status: StatusCode,
        /// Explanation.
        message: String,
    },
}

fn rejection_code(status: StatusCode) -> &'static str {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => "body_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid_body",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::RANGE_NOT_SATISFIABLE => "range_not_satisfiable",
        StatusCode::URI_TOO_LONG => "uri_too_long",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "headers_too_large",
        _ => "bad_request",
    }
}

fn body(status: StatusCode, code: &str, message: String) -> Response {
    (status, Json(ErrorBody { code: code.into(), message })).into_response()
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        match self {
            HttpError::Store(StoreError::Stale { current, .. }) => {
                let answer = StaleSettings {
                    code: "stale_version".into(),
                    message: "settings changed on the server; rebase on `current`".into(),
                    current: *current,
                };
                (StatusCode::CONFLICT, Json(answer)).into_response()
            }
            HttpError::Store(e @ StoreError::NotFound(_)) => body(StatusCode::NOT_FOUND, "not_found", e.to_string()),
            HttpError::Store(StoreError::Rule { code, message }) => {
                body(StatusCode::UNPROCESSABLE_ENTITY, code, message)
            }
            HttpError::Store(StoreError::Invalid(message)) | HttpError::BadRequest(message) => {
                body(StatusCode::BAD_REQUEST, "bad_request", message)
            }
            HttpError::Store(StoreError::UnknownToken) | HttpError::Unauthorized => {
                body(StatusCode::UNAUTHORIZED, "unauthorized", HttpError::Unauthorized.to_string())
            }
            HttpError::Store(e @ StoreError::Backend { .. }) => {
                // Our own fault: the details go to the log, never to the client.
                tracing::error!(error = %e, source = ?std::error::Error::source(&e), "request failed");
                body(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error".into())
            }
            e @ HttpError::NotFound(_) => body(StatusCode::NOT_FOUND, "not_found", e.to_string()),
            HttpError::Media(MediaError::Missing(_)) => {
                body(StatusCode::NOT_FOUND, "not_found", "video not found".into())
            }
            HttpError::Media(e) => {
                // Our own fault (disk full, permissions): details to the log only.
                tracing::error!(error = %e, source = ?std::error::Error::source(&e), "media request failed");
                body(StatusCode::SERVICE_UNAVAILABLE, "media_unavailable", "media store unavailable".into())
            }
            HttpError::Log(e) => {
                tracing::error!(error = %e, "the event log did not take a batch");
                body(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "log_unavailable",
                    "event log unavailable; retry with the same key".into(),
                )
            }
            HttpError::Rejected { status, message } => body(status, rejection_code(status), message),
        }
    }
}

impl From<JsonRejection> for HttpError {
    fn from(r: JsonRejection) -> Self {
        HttpError::Rejected { status: r.status(), message: r.body_text() }
    }
}

impl From<BytesRejection> for HttpError {
    fn from(r: BytesRejection) -> Self {
        HttpError::Rejected { status: r.status(), message: r.body_text() }
    }
}

impl From<PathRejection> for HttpError {
    fn from(r: PathRejection) -> Self {
        HttpError::Rejected { status: StatusCode::BAD_REQUEST, message: r.body_text() }
    }
}

impl From<QueryRejection> for HttpError {
    fn from(r: QueryRejection) -> Self {
        HttpError::Rejected { status: StatusCode::BAD_REQUEST, message: r.body_text() }
    }
}

impl From<IntakeError> for HttpError {
    fn from(e: IntakeError) -> Self {
        match e {
            IntakeError::Store(e) => HttpError::Store(e),
            IntakeError::Media(e) => HttpError::Media(e),
            IntakeError::Scratch(e) => HttpError::Media(MediaError::Io { context: "scratch space", source: e }),
        }
    }
}
