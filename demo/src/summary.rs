//! The closing table: what happened, checked against the caps and the LIVE-now rule.

use std::collections::BTreeMap;
use std::io::Write;

use highlights_api::{HighlightKind, HighlightList, HighlightStatus, RemoteConfig, VideoState};

use crate::results::ResultsTable;
use crate::sample::LIVE_ID;
use crate::steering::Steering;
use crate::{DemoError, World};

/// The demo's outcome, read back from the server's API.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Events accepted by ingestion.
    pub events: u64,
    /// Events skipped by ingestion.
    pub skipped: u64,
    /// Moments the engine stored (auto-posts and recommendations).
    pub moments: u32,
    /// Auto-posted highlights (posted or still scheduled).
    pub auto_posted: u32,
    /// Auto-posts per product id.
    pub per_product: BTreeMap<String, u32>,
    /// Posts that went out while the LIVE was on (with LIVE now).
    pub posted_live_now: u32,
    /// Highlights still flagged LIVE now after the LIVE ended.
    pub live_now_after_end: u32,
    /// Recommendations left to post.
    pub recommendations: u32,
    /// Recommendations the seller posted by hand.
    pub posted_by_hand: u32,
    /// Videos the seller cut from the recording.
    pub seller_videos: u32,
    /// Auto-posts not posted yet.
    pub still_scheduled: u32,
    /// Cap per LIVE in force.
    pub cap_live: u32,
    /// Cap per product in force.
    pub cap_product: u32,
    /// Posted highlights.
    pub posted: u32,
    /// Posted highlights whose video is ready (0 when the server posts without videos).
    pub posted_with_video: u32,
    /// Whether videos were rendered in this run (ffmpeg was found).
    pub rendering: bool,
    /// The MP4 files rendered, with their sizes in bytes.
    pub mp4_files: Vec<(std::path::PathBuf, u64)>,
    /// The later LIVEs: one excluded, one reviewed, "remove all" with undo.
    pub steering: Steering,
    /// What the first LIVE's videos earned, as the module showed it.
    pub results: ResultsTable,
}

impl Summary {
    /// Every check the demo makes: caps held, LIVE now cleared, everything posted, both seller actions done.
    pub fn checks(&self) -> Vec<(&'static str, bool)> {
        vec![
            ("auto-posts within the cap per LIVE", self.auto_posted <= self.cap_live),
            ("auto-posts within the cap per product", self.per_product.values().all(|n| *n <= self.cap_product)),
            ("at least one auto-post", self.auto_posted > 0),
            ("posts during the LIVE carried LIVE now", self.posted_live_now > 0),
            ("LIVE now cleared after the LIVE", self.live_now_after_end == 0),
            ("no post left waiting", self.still_scheduled == 0),
            ("recommendation posted by hand", self.posted_by_hand == 1),
            ("seller-made video posted", self.seller_videos == 1),
            (
                "every posted highlight has its MP4",
                !self.rendering || (self.posted_with_video == self.posted && !self.mp4_files.is_empty()),
            ),
            (
                "the LIVE switched off beforehand kept no moment, the next one is on again",
                self.steering.excluded_kept == 0 && self.steering.next_live_back_on,
            ),
            (
                "under review: approved posts went out, skipped ones did not",
                self.steering.approved > 0
                    && self.steering.approved_posted == self.steering.approved
                    && self.steering.skipped > 0,
            ),
            ("Undo brought every auto-post back", self.steering.undo_restored > 0),
            (
                "remove all took every auto-post of the LIVE down",
                self.steering.removed_by_remove_all > 0 && self.steering.left_after_remove_all == 0,
            ),
            (
                "results shown for every posted video, adding up to the LIVE's",
                !self.results.rows.is_empty()
                    && self.results.rows.len() as u32 == self.posted
                    && self.results.rows.iter().all(|(_, _, r)| r.is_some_and(|r| r.views > 0))
                    && self.results.sum_of_rows == self.results.live,
            ),
        ]
    }

    /// Whether every check held.
    pub fn ok(&self) -> bool {
        self.checks().iter().all(|(_, ok)| *ok)
    }

    /// Prints the table.
    pub fn print(&self, out: &mut (dyn Write + Send)) -> std::io::Result<()> {
        let per_product = self
            .per_product
            .iter()
            .map(|(p, n)| format!("{p} {n}/{}", self.cap_product))
            .collect::<Vec<_>>()
            .join(", ");
        writeln!(out, "\nSummary")?;
        let rows = [
            ("events ingested", format!("{} ({} skipped)", self.events, self.skipped)),
            ("moments stored", self.moments.to_string()),
            ("auto-posted", format!("{} of at most {} per LIVE", self.auto_posted, self.cap_live)),
            ("auto-posted per product", per_product),
            ("posted during the LIVE (LIVE now)", self.posted_live_now.to_string()),
            ("LIVE now after the LIVE ended", self.live_now_after_end.to_string()),
            ("recommendations left", self.recommendations.to_string()),
            ("recommendations posted by hand", self.posted_by_hand.to_string()),
            ("seller-made videos", self.seller_videos.to_string()),
            ("still scheduled", self.still_scheduled.to_string()),
        ];
        for (k, v) in rows {
            writeln!(out, "  {k:<36} {v}")?;
        }
        if self.rendering {
            writeln!(out, "  {:<36} {} of {} posted", "posted with their MP4", self.posted_with_video, self.posted)?;
            writeln!(out, "MP4 files rendered ({})", self.mp4_files.len())?;
            for (path, bytes) in &self.mp4_files {
                writeln!(out, "  {} ({} KiB)", path.display(), bytes / 1024)?;
            }
        }
        writeln!(out, "Checks")?;
        for (name, ok) in self.checks() {
            writeln!(out, "  [{}] {name}", if ok { "ok" } else { "FAILED" })?;
        }
        Ok(())
    }
}

/// Reads the outcome back from the server, as the seller's app would.
pub(crate) async fn collect(
    w: &World,
    events: u64,
    skipped: u64,
    posted_live_now: u32,
    posted_by_hand: Option<String>,
) -> Result<Summary, DemoError> {
    let get = |path: String| w.http.get(format!("{}{path}", w.server.url())).bearer_auth(&w.seller_token).send();
    let cfg: RemoteConfig = get("/v1/config".into()).await?.error_for_status()?.json().await?;
    let list: HighlightList = get(format!("/v1/lives/{LIVE_ID}/highlights")).await?.error_for_status()?.json().await?;
    let hs = &list.highlights;
    let count = |f: &dyn Fn(&highlights_api::Highlight) -> bool| hs.iter().filter(|h| f(h)).count() as u32;
    let mut per_product = BTreeMap::new();
    for h in hs.iter().filter(|h| h.kind == HighlightKind::Auto) {
        *per_product.entry(h.product_id.clone().unwrap_or_else(|| "none".into())).or_insert(0) += 1;
    }
    let mut mp4_files: Vec<(std::path::PathBuf, u64)> = std::fs::read_dir(&w.videos_dir)
        .map(|dir| {
            dir.filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "mp4"))
                .map(|e| (e.path(), e.metadata().map(|m| m.len()).unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default();
    mp4_files.sort();
    Ok(Summary {
        posted: count(&|h| h.status == HighlightStatus::Posted),
        posted_with_video: count(&|h| {
            h.status == HighlightStatus::Posted && h.video.as_ref().is_some_and(|v| v.state == VideoState::Ready)
        }),
        rendering: w.rendering,
        mp4_files,
        events,
        skipped,
        moments: count(&|h| h.kind != HighlightKind::Manual),
        auto_posted: count(&|h| h.kind == HighlightKind::Auto),
        per_product,
        posted_live_now,
        live_now_after_end: count(&|h| h.live_now),
        recommendations: count(&|h| h.status == HighlightStatus::Suggested),
        posted_by_hand: count(&|h| Some(&h.id) == posted_by_hand.as_ref() && h.status == HighlightStatus::Posted),
        seller_videos: count(&|h| h.kind == HighlightKind::Manual && h.status == HighlightStatus::Posted),
        still_scheduled: count(&|h| h.status == HighlightStatus::Scheduled),
        cap_live: cfg.max_posts_per_live,
        cap_product: cfg.max_posts_per_product,
        steering: Steering::default(),
        results: ResultsTable::default(),
    })
}
