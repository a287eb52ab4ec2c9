//! Every path of the REST API: route templates for the server (`{name}` segments, as axum and
//! OpenAPI write them) and builders for clients, so no side spells a path by hand.

/// The seller the token speaks for (GET): how a client signs in with a token.
pub const ME: &str = "/v1/me";
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
/// Every auto-posted highlight of the seller, all LIVEs (DELETE: remove all).
pub const HIGHLIGHTS: &str = "/v1/highlights";
/// Posting one recommendation (POST).
pub const HIGHLIGHT_POST: &str = "/v1/highlights/{highlight_id}/post";
/// Approving one auto-post before it goes out (POST).
pub const HIGHLIGHT_APPROVE: &str = "/v1/highlights/{highlight_id}/approve";
/// Seller-made videos (POST).
pub const VIDEOS: &str = "/v1/videos";
/// The changes feed (GET).
pub const CHANGES: &str = "/v1/changes";
/// LIVE event ingestion from the streaming service (POST).
pub const INGEST_EVENTS: &str = "/v1/ingest/events";
/// Viewer events on posted videos from the platform (POST): views, LIVE-room entries, clicks, orders.
pub const INGEST_VIEWER_EVENTS: &str = "/v1/ingest/viewer-events";
/// One segment of a LIVE's recording from the recorder (PUT, body = the media, `?start_ms=`).
pub const INGEST_SEGMENT: &str = "/v1/ingest/lives/{live_id}/segments";
/// What the backend holds of a LIVE's recording (GET, service).
pub const INGEST_RECORDING: &str = "/v1/ingest/lives/{live_id}/recording";
/// A highlight's video, MP4 with byte ranges (GET: the seller, or anyone once posted).
pub const MEDIA_VIDEO: &str = "/v1/media/{highlight_id}/video.mp4";
/// A highlight's thumbnail, JPEG (GET: the seller, or anyone once posted).
pub const MEDIA_THUMBNAIL: &str = "/v1/media/{highlight_id}/thumbnail.jpg";
/// A highlight's storyboard, JPEG grid of its frames (GET: on the same terms as its video).
pub const MEDIA_STORYBOARD: &str = "/v1/media/{highlight_id}/storyboard.jpg";
/// A LIVE's recording as storyboard strips so far (GET: its seller).
pub const LIVE_STORYBOARD: &str = "/v1/lives/{live_id}/storyboard";
/// One strip of a LIVE's recording storyboard, JPEG (GET: its seller).
pub const LIVE_STORYBOARD_STRIP: &str = "/v1/lives/{live_id}/storyboard/{start_ms}";
/// A seller's public profile feed of posted videos (GET, no token).
pub const FEED: &str = "/v1/sellers/{seller_id}/feed";

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

/// [`HIGHLIGHT_APPROVE`] for one highlight.
pub fn highlight_approve(highlight_id: &str) -> String {
    format!("/v1/highlights/{}/approve", segment(highlight_id))
}

/// [`HIGHLIGHT_POST`] for one highlight.
pub fn highlight_post(highlight_id: &str) -> String {
    format!("/v1/highlights/{}/post", segment(highlight_id))
}

/// [`INGEST_SEGMENT`] for the segment of `live_id` starting at `start_ms` (epoch ms).
pub fn ingest_segment(live_id: &str, start_ms: i64) -> String {
    format!("/v1/ingest/lives/{}/segments?start_ms={start_ms}", segment(live_id))
}

/// [`INGEST_RECORDING`] for one LIVE.
pub fn ingest_recording(live_id: &str) -> String {
    format!("/v1/ingest/lives/{}/recording", segment(live_id))
}

/// [`MEDIA_VIDEO`] for one highlight.
pub fn media_video(highlight_id: &str) -> String {
    format!("/v1/media/{}/video.mp4", segment(highlight_id))
}

/// [`MEDIA_THUMBNAIL`] for one highlight.
pub fn media_thumbnail(highlight_id: &str) -> String {
    format!("/v1/media/{}/thumbnail.jpg", segment(highlight_id))
}

/// [`MEDIA_STORYBOARD`] for one highlight.
pub fn media_storyboard(highlight_id: &str) -> String {
    format!("/v1/media/{}/storyboard.jpg", segment(highlight_id))
}

/// [`LIVE_STORYBOARD`] for one LIVE.
pub fn live_storyboard(live_id: &str) -> String {
    format!("/v1/lives/{}/storyboard", segment(live_id))
}

/// [`LIVE_STORYBOARD_STRIP`] for the strip of `live_id` starting at `start_ms`.
pub fn live_storyboard_strip(live_id: &str, start_ms: i64) -> String {
    format!("/v1/lives/{}/storyboard/{start_ms}", segment(live_id))
}

/// [`FEED`] of one seller.
pub fn feed(seller_id: &str) -> String {
    format!("/v1/sellers/{}/feed", segment(seller_id))
}

/// The app's deep link into a LIVE's room: where a LIVE-now video sends its viewers.
pub fn live_room_link(live_id: &str) -> String {
    format!("liveshop://live/{}", segment(live_id))
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
        assert_eq!(highlight_approve("h1"), HIGHLIGHT_APPROVE.replace("{highlight_id}", "h1"));
        assert_eq!(media_video("h1"), MEDIA_VIDEO.replace("{highlight_id}", "h1"));
        assert_eq!(media_thumbnail("h1"), MEDIA_THUMBNAIL.replace("{highlight_id}", "h1"));
        assert_eq!(media_storyboard("h1"), MEDIA_STORYBOARD.replace("{highlight_id}", "h1"));
        assert_eq!(live_storyboard("l1"), LIVE_STORYBOARD.replace("{live_id}", "l1"));
        assert_eq!(
            live_storyboard_strip("l1", 5),
            LIVE_STORYBOARD_STRIP.replace("{live_id}", "l1").replace("{start_ms}", "5")
        );
        assert_eq!(feed("s1"), FEED.replace("{seller_id}", "s1"));
        assert_eq!(ingest_recording("l1"), INGEST_RECORDING.replace("{live_id}", "l1"));
        assert_eq!(ingest_segment("l1", 5), format!("{}?start_ms=5", INGEST_SEGMENT.replace("{live_id}", "l1")));
        assert_eq!(changes(7, 100), "/v1/changes?since=7&limit=100");
        assert_eq!(highlight("a/b c"), "/v1/highlights/a%2Fb%20c", "an id stays one segment");
    }
}
