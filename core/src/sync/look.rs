//! Looking without caching: media bytes and a recording's storyboard, fetched when a screen needs
//! them (the change feed carries neither; both are large and only wanted on screen).

use super::http::failure;
use super::pull::resolve;
use super::syncer::Syncer;
use super::transport::Method;
use crate::CoreError;
use highlights_api::{RecordingStoryboard, paths};

impl Syncer {
    /// The bytes of a media URL from the view (thumbnail, storyboard, video): with the seller's
    /// token on the API's host, without it elsewhere.
    pub async fn media(&self, url: &str) -> Result<Vec<u8>, CoreError> {
        self.http.media(url).await
    }

    /// A recording's storyboard strips so far, in time order, with full URLs.
    pub async fn recording_storyboard(&self, recording_id: &str) -> Result<RecordingStoryboard, CoreError> {
        crate::error::check_id("recording", recording_id)?;
        let answer = self.http.send(Method::GET, &paths::live_storyboard(recording_id), None, None).await?;
        if !answer.success() {
            return Err(failure(&answer));
        }
        let mut board: RecordingStoryboard = answer.json()?;
        for strip in &mut board.strips {
            resolve(&self.http.config().base_url, &mut strip.storyboard.url);
        }
        // A strip that is no usable grid, or not at an http(s) URL, is left out: the timeline
        // shows that stretch blank.
        let usable = |s: &highlights_api::StoryboardStrip| {
            let url = &s.storyboard.url;
            s.end_ms >= s.start_ms
                && s.storyboard.is_sane()
                && (url.starts_with("https://") || url.starts_with("http://"))
        };
        board.strips.retain(usable);
        board.strips.sort_by_key(|s| s.start_ms);
        Ok(board)
    }
}
