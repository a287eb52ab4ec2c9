//! OpenAPI links from the operations that list ids to those that take them, so a client
//! generator or a stateful fuzzer can walk from a seller's LIVEs to their highlights and videos.

use highlights_api::paths;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{HttpMethod, Operation};
use utoipa::openapi::{OpenApi, RefOr};

/// (from path, method, status, link name, to operation id, parameter, where the value is).
const LINKS: &[(&str, HttpMethod, &str, &str, &str, &str, &str)] = &[
    (paths::LIVES, HttpMethod::Get, "200", "live", "get_live", "live_id", "$response.body#/lives/0/id"),
    (paths::LIVES, HttpMethod::Get, "200", "highlights", "list_highlights", "live_id", "$response.body#/lives/0/id"),
    (paths::LIVE_HIGHLIGHTS, HttpMethod::Get, "200", "post", "post_highlight", "highlight_id", FIRST),
    (paths::LIVE_HIGHLIGHTS, HttpMethod::Get, "200", "approve", "approve_highlight", "highlight_id", FIRST),
    (paths::LIVE_HIGHLIGHTS, HttpMethod::Get, "200", "remove", "remove_highlight", "highlight_id", FIRST),
    (paths::LIVE_HIGHLIGHTS, HttpMethod::Get, "200", "video", "get_video", "highlight_id", FIRST),
    (paths::VIDEOS, HttpMethod::Post, "201", "video", "get_video", "highlight_id", "$response.body#/id"),
    (paths::VIDEOS, HttpMethod::Post, "201", "thumbnail", "get_thumbnail", "highlight_id", "$response.body#/id"),
];

/// The first highlight of a LIVE's list.
const FIRST: &str = "$response.body#/highlights/0/id";

fn operation<'a>(openapi: &'a mut OpenApi, path: &str, method: &HttpMethod) -> Option<&'a mut Operation> {
    let item = openapi.paths.paths.get_mut(path)?;
    match method {
        HttpMethod::Get => item.get.as_mut(),
        HttpMethod::Post => item.post.as_mut(),
        _ => None,
    }
}

/// Adds [`LINKS`] to the document; a link whose operation or answer is missing is skipped, and
/// `server/tests/openapi.rs` holds every one present and pointing at a real operation.
pub fn add(openapi: &mut OpenApi) {
    for (path, method, status, name, target, parameter, value) in LINKS {
        let Some(op) = operation(openapi, path, method) else { continue };
        let Some(RefOr::T(response)) = op.responses.responses.get_mut(*status) else { continue };
        let link = LinkBuilder::new().operation_id(*target).parameter(*parameter, *value).build();
        response.links.insert((*name).to_string(), RefOr::T(link));
    }
}
