//! Watching: a highlight's MP4 (with byte ranges, so players seek), thumbnail and storyboard, for
//! its seller once ready and for anyone once posted; and a seller's public profile feed.

use std::io::Read;
use std::sync::Arc;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use highlights_api::{ErrorBody, Feed, paths};

use super::error::HttpError;
use super::extract::{PathParam, Viewer, known_id};
use super::state::AppState;
use crate::media::{MediaError, MediaReader, MediaStore};

/// Most videos a feed answer lists.
pub const FEED_LIMIT: u32 = 50;

/// Largest part answered to one range request; a player asks again for the rest.
const MAX_PART: u64 = 8 * 1024 * 1024;

/// Bytes read from the media store at a time: what one response holds in memory, however slowly
/// its client reads and however large the file.
const CHUNK: u64 = 64 * 1024;

/// What a `Range` header asks of a file of `size` bytes, decided by a maintained parser.
#[derive(Debug, PartialEq, Eq)]
enum Ranged {
    /// The whole file: no header, a unit we do not speak, several ranges or a malformed one, all
    /// of which RFC 9110 lets a server ignore.
    Whole,
    /// One satisfiable range, first and last byte inclusive (capped at [`MAX_PART`]).
    Part(u64, u64),
    /// A well-formed range that lies outside the file: 416.
    Unsatisfiable,
}

fn ranged(headers: &HeaderMap, size: u64) -> Ranged {
    let Some(value) = headers.get(header::RANGE).and_then(|v| v.to_str().ok()) else {
        return Ranged::Whole;
    };
    let parsed = http_range_header::parse_range_header(value).and_then(|r| r.validate(size));
    match parsed.as_deref() {
        Ok([one]) => Ranged::Part(*one.start(), (*one.end()).min(one.start() + MAX_PART - 1)),
        Err(http_range_header::RangeUnsatisfiableError::Unsatisfiable) => Ranged::Unsatisfiable,
        _ => Ranged::Whole,
    }
}

/// A blocking media task that panicked or was cancelled: our fault, not the request's.
fn task_failed(e: tokio::task::JoinError) -> HttpError {
    HttpError::Media(MediaError::Io { context: "media task", source: std::io::Error::other(e) })
}

/// Where a streamed response is: the file is opened on the first chunk asked for, so a HEAD
/// request, or a client that leaves before reading, never reads media at all.
enum Stream {
    Closed { media: Arc<dyn MediaStore>, key: String, first: u64, len: u64 },
    Open(MediaReader),
}

/// `len` bytes from `first` of `key`, read [`CHUNK`] by [`CHUNK`] on the blocking pool as the
/// client takes them: memory per response stays bounded and a slow client holds no thread.
fn streamed(media: Arc<dyn MediaStore>, key: String, first: u64, len: u64) -> Body {
    let start = Some(Stream::Closed { media, key, first, len });
    Body::from_stream(futures_util::stream::unfold(start, |state| async move {
        let state = state?;
        let read = tokio::task::spawn_blocking(move || -> std::io::Result<Option<(Bytes, MediaReader)>> {
            let mut reader = match state {
                Stream::Closed { media, key, first, len } => {
                    media.open_range(&key, first, len).map_err(std::io::Error::other)?
                }
                Stream::Open(reader) => reader,
            };
            let mut chunk = Vec::with_capacity(CHUNK as usize);
            (&mut reader).take(CHUNK).read_to_end(&mut chunk)?;
            Ok((!chunk.is_empty()).then(|| (Bytes::from(chunk), reader)))
        })
        .await
        .unwrap_or_else(|e| Err(std::io::Error::other(e)));
        match read {
            Ok(Some((chunk, reader))) => Some((Ok(chunk), Some(Stream::Open(reader)))),
            Ok(None) => None,
            // The status line is gone already: ending the body early is how the client learns.
            Err(e) => {
                tracing::warn!(error = %e, "media stream failed");
                Some((Err(e), None))
            }
        }
    }))
}

/// Streams the file under `key` as `content_type`, honouring one byte range of `headers`.
pub(super) async fn serve_file(
    s: &AppState,
    key: String,
    content_type: &'static str,
    headers: &HeaderMap,
) -> Result<Response, HttpError> {
    let media = s.media.clone();
    let k = key.clone();
    let size = tokio::task::spawn_blocking(move || media.size(&k)).await.map_err(task_failed)??;
    let (status, first, last) = match ranged(headers, size) {
        Ranged::Part(first, last) => (StatusCode::PARTIAL_CONTENT, first, last),
        Ranged::Whole => (StatusCode::OK, 0, size.saturating_sub(1)),
        Ranged::Unsatisfiable => {
            let body = ErrorBody {
                code: "range_not_satisfiable".into(),
                message: format!("the range is outside the {size} bytes of the file"),
            };
            let mut response = (StatusCode::RANGE_NOT_SATISFIABLE, Json(body)).into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                response.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return Ok(response);
        }
    };
    let len = if size == 0 { 0 } else { last - first + 1 };
    let mut response = Response::new(streamed(s.media.clone(), key, first, len));
    *response.status_mut() = status;
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(v) = HeaderValue::from_str(&format!("bytes {first}-{last}/{size}"))
    {
        h.insert(header::CONTENT_RANGE, v);
    }
    Ok(response)
}

/// A highlight's MP4: its seller's once rendered, anyone's once posted. Honours one byte range.
#[utoipa::path(get, path = paths::MEDIA_VIDEO, tag = "media",
    params(("highlight_id" = String, Path, description = "highlight id", min_length = 1, max_length = 128),
        ("Range" = Option<String>, Header, description = "one byte range, e.g. bytes=0-1023")),
    responses((status = 200, content_type = "video/mp4", body = Vec<u8>), (status = 206, content_type = "video/mp4", body = Vec<u8>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 416, body = ErrorBody),
        (status = 503, body = ErrorBody)),
    security((), ("bearer" = [])))]
pub async fn get_video(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    PathParam(highlight_id): PathParam<String>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    known_id("video", &highlight_id)?;
    let media = s.store.media(highlight_id, viewer).await?;
    serve_file(&s, media.video_key, "video/mp4", &headers).await
}

/// A highlight's thumbnail (JPEG at the moment's peak), on the same terms as its video.
#[utoipa::path(get, path = paths::MEDIA_THUMBNAIL, tag = "media",
    params(("highlight_id" = String, Path, description = "highlight id", min_length = 1, max_length = 128)),
    responses((status = 200, content_type = "image/jpeg", body = Vec<u8>), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)),
    security((), ("bearer" = [])))]
pub async fn get_thumbnail(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    PathParam(highlight_id): PathParam<String>,
) -> Result<Response, HttpError> {
    known_id("video", &highlight_id)?;
    let media = s.store.media(highlight_id, viewer).await?;
    serve_file(&s, media.thumbnail_key, "image/jpeg", &HeaderMap::new()).await
}

/// A highlight's storyboard (a JPEG grid of its frames, laid out as its video's `storyboard`
/// says), on the same terms as its video; videos made before storyboards have none (404).
#[utoipa::path(get, path = paths::MEDIA_STORYBOARD, tag = "media",
    params(("highlight_id" = String, Path, description = "highlight id", min_length = 1, max_length = 128)),
    responses((status = 200, content_type = "image/jpeg", body = Vec<u8>), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)),
    security((), ("bearer" = [])))]
pub async fn get_storyboard(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    PathParam(highlight_id): PathParam<String>,
) -> Result<Response, HttpError> {
    known_id("video", &highlight_id)?;
    let key = s.store.media(highlight_id, viewer).await?.storyboard_key.ok_or(HttpError::NotFound("storyboard"))?;
    serve_file(&s, key, "image/jpeg", &HeaderMap::new()).await
}

/// A seller's public profile feed (no token): posted videos only, newest first, each with its
/// product and, while its LIVE is on, the link into the room.
#[utoipa::path(get, path = paths::FEED, tag = "media",
    params(("seller_id" = String, Path, description = "seller id", min_length = 1, max_length = 128)),
    responses((status = 200, body = Feed), (status = 404, body = ErrorBody)))]
pub async fn get_feed(
    State(s): State<AppState>,
    PathParam(seller_id): PathParam<String>,
) -> Result<Json<Feed>, HttpError> {
    known_id("seller", &seller_id)?;
    Ok(Json(s.store.feed(seller_id, FEED_LIMIT).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(v: &str, size: u64) -> Ranged {
        let mut h = HeaderMap::new();
        h.insert(header::RANGE, HeaderValue::from_str(v).unwrap());
        ranged(&h, size)
    }

    #[test]
    fn ranges_resolve_against_the_size() {
        use Ranged::*;
        assert_eq!(range("bytes=0-99", 1000), Part(0, 99));
        assert_eq!(range("BYTES=0-99", 1000), Part(0, 99), "the unit is case-insensitive");
        assert_eq!(range("bytes=900-", 1000), Part(900, 999));
        assert_eq!(range("bytes=-100", 1000), Part(900, 999));
        assert_eq!(range("bytes=990-2000", 1000), Part(990, 999));
        assert_eq!(range("bytes=0-", 100 << 20), Part(0, MAX_PART - 1), "one answer is capped");
        for whole in ["bytes=0-1,5-6", "items=0-1", "bytes=5-2", "bytes=x-1", "bytes=12", "bytes=0-1 ", ""] {
            assert_eq!(range(whole, 1000), Whole, "{whole:?} is ignored: the whole file, streamed");
        }
        for outside in ["bytes=1000-", "bytes=-0", "bytes=5000-6000"] {
            assert_eq!(range(outside, 1000), Unsatisfiable, "{outside:?}");
        }
        assert_eq!(ranged(&HeaderMap::new(), 10), Whole);
    }
}
