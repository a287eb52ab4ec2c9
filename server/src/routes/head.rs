//! How large a request's head may be. These limits sit under the HTTP layer's own (hyper's
//! 64 KiB URI, `MAX_HEADERS` headers and its read buffer), so an oversized head is answered here
//! with a JSON error like every other refusal, not with hyper's bodiless one.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::HttpError;

/// Longest URI (path and query) answered: ids and cursors are short.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Most header fields answered; hyper itself is given room for more, see `listen`.
pub const MAX_HEADERS: usize = 64;
/// Most bytes of header names and values together.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Refuses heads over the limits above with 414 or 431 and a JSON body.
pub async fn limit(req: Request, next: Next) -> Response {
    let uri = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if uri > MAX_URI_BYTES {
        let message = format!("the URI is longer than {MAX_URI_BYTES} bytes");
        return HttpError::Rejected { status: StatusCode::URI_TOO_LONG, message }.into_response();
    }
    let headers = req.headers();
    let bytes: usize = headers.iter().map(|(k, v)| k.as_str().len() + v.len()).sum();
    if headers.len() > MAX_HEADERS || bytes > MAX_HEADER_BYTES {
        let message = format!("at most {MAX_HEADERS} header fields and {MAX_HEADER_BYTES} bytes of them");
        return HttpError::Rejected { status: StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, message }.into_response();
    }
    next.run(req).await
}
