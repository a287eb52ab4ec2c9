//! Pull: everything that changed since the cursor, page by page, each page applied atomically.

use super::http::failure;
use super::syncer::Syncer;
use super::transport::Method;
use crate::CoreError;
use highlights_api::{Changes, Highlight, paths};

/// Makes a path on the API's host a full URL; an absolute one (a CDN) stays as it is.
pub(super) fn resolve(base: &str, url: &mut String) {
    if url.starts_with('/') && !url.starts_with("//") {
        *url = format!("{base}{url}");
    }
}

impl Syncer {
    /// Makes the media paths the server sends (relative to the API's host) full URLs a player
    /// opens; absolute ones (a CDN) are kept as they are and checked by the cache.
    pub(super) fn resolve_media(&self, highlight: &mut Highlight) {
        let base = &self.http.config().base_url;
        if let Some(video) = highlight.video.as_mut() {
            let storyboard = video.storyboard.as_mut().map(|b| &mut b.url);
            for url in [video.video_url.as_mut(), video.thumbnail_url.as_mut(), storyboard].into_iter().flatten() {
                resolve(base, url);
            }
        }
    }

    /// Brings the cache up to date; returns the number of pages fetched (1 when nothing changed).
    #[tracing::instrument(name = "sync.pull", skip_all)]
    pub(crate) async fn pull(&self) -> Result<u32, CoreError> {
        let mut cursor = self.core.change_cursor()?;
        let mut pages = 0;
        loop {
            let path = paths::changes(cursor, self.http.config().page_limit);
            let answer = self.http.send(Method::GET, &path, None, None).await?;
            if !answer.success() {
                return Err(failure(&answer));
            }
            let mut changes: Changes = answer.json()?;
            changes.highlights.iter_mut().for_each(|h| self.resolve_media(h));
            if changes.cursor < cursor {
                return Err(CoreError::BadServerData { message: "the change cursor went backwards".into() });
            }
            self.core.apply_page(&changes)?;
            pages += 1;
            tracing::debug!(
                page = pages,
                lives = changes.lives.len(),
                highlights = changes.highlights.len(),
                "applied"
            );
            if !changes.has_more {
                return Ok(pages);
            }
            if changes.cursor == cursor {
                return Err(CoreError::BadServerData {
                    message: "more changes announced but the cursor did not move".into(),
                });
            }
            cursor = changes.cursor;
        }
    }
}
