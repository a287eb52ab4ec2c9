//! Every path of the REST API: route templates for the server (`{name}` segments, as axum and
//! OpenAPI write them) and builders for clients, so no side spells a path by hand.

/// The seller's settings (GET, PATCH).
pub const SETTINGS: &str = "/v1/settings";
/// Remote config (GET).
pub const CONFIG: &str = "/v1/config";
/// The seller's experiment assignment (GET).
pub const EXPERIMENTS: &str = "/v1/experiments";
/// The seller's LIVEs (GET).
pub const LIVES: &str = "/v1/lives";
/// One LIVE (GET).
pub const LIVE: &str = "/v1/lives/{live_id}";
/// Highlights of one LIVE (GET, DELETE).
pub const LIVE_HIGHLIGHTS: &str = "/v1/lives/{live_id}/highlights";
/// One highlight (DELETE).
pub const HIGHLIGHT: &str = "/v1/highlights/{highlight_id}";
/// Posting one recommendation (POST).
pub const HIGHLIGHT_POST: &str = "/v1/highlights/{highlight_id}/post";
/// Seller-made videos (POST).
pub const VIDEOS: &str = "/v1/videos";
/// The changes feed (GET).
pub const CHANGES: &str = "/v1/changes";
/// LIVE event ingestion from the streaming service (POST).
pub const INGEST_EVENTS: &str = "/v1/ingest/events";

/// Percent-encodes an id for one path segment; ids are any printable text.
fn segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// [`LIVE`] for one LIVE.
pub fn live(live_id: &str) -> String {
    format!("/v1/lives/{}", segment(live_id))
}

/// [`LIVE_HIGHLIGHTS`] for one LIVE.
pub fn live_highlights(live_id: &str) -> String {
    format!("/v1/lives/{}/highlights", segment(live_id))
}

/// [`HIGHLIGHT`] for one highlight.
pub fn highlight(highlight_id: &str) -> String {
    format!("/v1/highlights/{}", segment(highlight_id))
}

/// [`HIGHLIGHT_POST`] for one highlight.
pub fn highlight_post(highlight_id: &str) -> String {
    format!("/v1/highlights/{}/post", segment(highlight_id))
}

/// [`CHANGES`] from a cursor, at most `limit` LIVEs plus highlights.
pub fn changes(since: i64, limit: u32) -> String {
    format!("{CHANGES}?since={since}&limit={limit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builders_fill_the_templates() {
        assert_eq!(live("l1"), LIVE.replace("{live_id}", "l1"));
        assert_eq!(live_highlights("l1"), LIVE_HIGHLIGHTS.replace("{live_id}", "l1"));
        assert_eq!(highlight("h1"), HIGHLIGHT.replace("{highlight_id}", "h1"));
        assert_eq!(highlight_post("h1"), HIGHLIGHT_POST.replace("{highlight_id}", "h1"));
        assert_eq!(changes(7, 100), "/v1/changes?since=7&limit=100");
        assert_eq!(highlight("a/b c"), "/v1/highlights/a%2Fb%20c", "an id stays one segment");
    }
}
