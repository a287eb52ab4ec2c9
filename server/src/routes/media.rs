//! Watching: a highlight's MP4 (with byte ranges, so players seek) and thumbnail, for its seller
//! once ready and for anyone once posted; and a seller's public profile feed.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use highlights_api::{ErrorBody, Feed, paths};

use super::error::HttpError;
use super::extract::{PathParam, Viewer, known_id};
use super::state::AppState;
use crate::media::MediaError;

/// Most videos a feed answer lists.
pub const FEED_LIMIT: u32 = 50;

/// Largest part answered to one range request; a player asks again for the rest.
const MAX_PART: u64 = 8 * 1024 * 1024;

/// One byte range of a `Range` header, resolved against the file's size.
fn byte_range(headers: &HeaderMap, size: u64) -> Result<Option<(u64, u64)>, HttpError> {
    let Some(value) = headers.get(header::RANGE) else {
        return Ok(None);
    };
    let unsatisfiable = || HttpError::Rejected {
        status: StatusCode::RANGE_NOT_SATISFIABLE,
        message: format!("the range is outside the {size} bytes of the file"),
    };
    let spec = value.to_str().ok().and_then(|v| v.trim().strip_prefix("bytes="));
    // Several ranges, or a unit we do not speak: answer the whole file, as RFC 9110 allows.
    let Some(spec) = spec.filter(|s| !s.contains(',')) else {
        return Ok(None);
    };
    let (first, last) = spec.split_once('-').ok_or_else(unsatisfiable)?;
    let (first, last) = match (first.trim(), last.trim()) {
        ("", suffix) => {
            let n: u64 = suffix.parse().map_err(|_| unsatisfiable())?;
            if n == 0 {
                return Err(unsatisfiable());
            }
            (size.saturating_sub(n), size.saturating_sub(1))
        }
        (a, "") => (a.parse().map_err(|_| unsatisfiable())?, size.saturating_sub(1)),
        (a, b) => {
            let a: u64 = a.parse().map_err(|_| unsatisfiable())?;
            let b: u64 = b.parse().map_err(|_| unsatisfiable())?;
            (a, b.min(size.saturating_sub(1)))
        }
    };
    if size == 0 || first >= size || first > last {
        return Err(unsatisfiable());
    }
    Ok(Some((first, last.min(first + MAX_PART - 1))))
}

/// A blocking media task that panicked or was cancelled: our fault, not the request's.
fn task_failed(e: tokio::task::JoinError) -> HttpError {
    HttpError::Media(MediaError::Io { context: "media task", source: std::io::Error::other(e) })
}

async fn serve_file(
    s: &AppState,
    key: String,
    content_type: &'static str,
    headers: &HeaderMap,
) -> Result<Response, HttpError> {
    let media = s.media.clone();
    let k = key.clone();
    let size = tokio::task::spawn_blocking(move || media.size(&k)).await.map_err(task_failed)??;
    let range = byte_range(headers, size)?;
    let (first, last) = range.unwrap_or((0, size.saturating_sub(1)));
    let media = s.media.clone();
    let bytes = if size == 0 {
        Vec::new()
    } else {
        tokio::task::spawn_blocking(move || media.read_range(&key, first, last - first + 1))
            .await
            .map_err(task_failed)??
    };
    let mut response =
        (if range.is_some() { StatusCode::PARTIAL_CONTENT } else { StatusCode::OK }, bytes).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if range.is_some()
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

    fn range(v: &str, size: u64) -> Result<Option<(u64, u64)>, HttpError> {
        let mut h = HeaderMap::new();
        h.insert(header::RANGE, HeaderValue::from_str(v).unwrap());
        byte_range(&h, size)
    }

    #[test]
    fn ranges_resolve_against_the_size() {
        assert_eq!(range("bytes=0-99", 1000).unwrap(), Some((0, 99)));
        assert_eq!(range("bytes=900-", 1000).unwrap(), Some((900, 999)));
        assert_eq!(range("bytes=-100", 1000).unwrap(), Some((900, 999)));
        assert_eq!(range("bytes=990-2000", 1000).unwrap(), Some((990, 999)));
        assert_eq!(range("bytes=0-1,5-6", 1000).unwrap(), None, "several ranges get the whole file");
        assert_eq!(range("items=0-1", 1000).unwrap(), None);
        for bad in ["bytes=1000-", "bytes=5-2", "bytes=-0", "bytes=x-1", "bytes=12"] {
            assert!(range(bad, 1000).is_err(), "{bad}");
        }
        assert_eq!(byte_range(&HeaderMap::new(), 10).unwrap(), None);
    }
}
