//! After the first LIVE: the seller stays in charge of the next ones (one LIVE excluded, one
//! reviewed before posting, a "remove all" undone and then done) and sees what the first one's
//! videos earned, from viewer events the platform reports.

use std::collections::HashSet;
use std::io::Write;
use std::time::Duration;

use highlights_api::{HighlightList, HighlightStatus};
use highlights_core::Event;
use highlights_core::view::{HighlightBadge, RecordingScreen};
use highlights_server::media::test_pattern::PatternSegment;

use crate::sample;
use crate::{DemoError, World};

/// The LIVE the seller switches off before going LIVE.
pub const EXCLUDED_LIVE: &str = "evening-restock";
/// The LIVE whose posts wait for the seller's OK.
pub const REVIEWED_LIVE: &str = "weekend-flash-sale";
/// Events per ingestion request at most.
const BATCH: usize = 5_000;

/// What the steering part of the story did, for the closing checks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Steering {
    /// Moments kept of the LIVE switched off beforehand (0 when the choice held).
    pub excluded_kept: u32,
    /// Whether the next-LIVE choice turned back on after that LIVE started.
    pub next_live_back_on: bool,
    /// Auto-posts of the reviewed LIVE the seller approved, and how many of those posted.
    pub approved: u32,
    /// Approved posts that went out.
    pub approved_posted: u32,
    /// Posts the seller skipped.
    pub skipped: u32,
    /// Unapproved posts that became recommendations at their post time.
    pub unapproved_to_recommendations: u32,
    /// Rows "remove all" showed as removed, and how many Undo brought back.
    pub undo_restored: u32,
    /// Auto-posts of the reviewed LIVE still on the profile after "remove all" went through.
    pub left_after_remove_all: u32,
    /// Auto-posts "remove all" took down on the server.
    pub removed_by_remove_all: u32,
}

impl World {
    async fn ingest_all(&self, events: &[serde_json::Value]) -> Result<(), DemoError> {
        for chunk in events.chunks(BATCH) {
            let body = serde_json::json!({ "seller_id": "demo-seller", "events": chunk });
            let url = format!("{}{}", self.server.url(), highlights_api::paths::INGEST_EVENTS);
            self.http.post(url).bearer_auth(&self.service_token).json(&body).send().await?.error_for_status()?;
        }
        Ok(())
    }

    /// The recorder's part for a later LIVE: the segments of its first `until_ms` of stream time.
    async fn record_later(
        &self,
        live_id: &str,
        start_ms: i64,
        segments: &[PatternSegment],
        until_ms: i64,
    ) -> Result<(), DemoError> {
        for seg in segments.iter().filter(|s| s.offset_ms < until_ms) {
            let url = format!(
                "{}{}",
                self.server.url(),
                highlights_api::paths::ingest_segment(live_id, start_ms + seg.offset_ms)
            );
            let bytes = std::fs::read(&seg.path)?;
            self.http.put(url).bearer_auth(&self.service_token).body(bytes).send().await?.error_for_status()?;
        }
        Ok(())
    }

    async fn server_highlights(&self, live_id: &str) -> Result<HighlightList, DemoError> {
        let url = format!("{}{}", self.server.url(), highlights_api::paths::live_highlights(live_id));
        Ok(self.http.get(url).bearer_auth(&self.seller_token).send().await?.error_for_status()?.json().await?)
    }

    fn open(&self, live_id: &str) -> Result<RecordingScreen, DemoError> {
        self.core.dispatch(Event::OpenRecording { recording_id: live_id.into() })?;
        Ok(self.core.view()?.recording.ok_or("the recording did not open")?)
    }

    /// Syncs until `done` holds for the open recording, or `limit` has passed.
    async fn sync_until(
        &self,
        live_id: &str,
        limit: Duration,
        done: impl Fn(&RecordingScreen) -> bool,
    ) -> Result<RecordingScreen, DemoError> {
        let until = std::time::Instant::now() + limit;
        loop {
            self.syncer.sync().await?;
            let rec = self.open(live_id)?;
            if done(&rec) || std::time::Instant::now() > until {
                return Ok(rec);
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

/// "1 auto-post", "3 auto-posts".
fn posts(n: usize) -> String {
    format!("{n} auto-post{}", if n == 1 { "" } else { "s" })
}

/// One LIVE switched off beforehand, one reviewed before posting, "remove all" with undo.
pub(crate) async fn steer(
    w: &World,
    out: &mut (dyn Write + Send),
    segments: &[PatternSegment],
) -> Result<Steering, DemoError> {
    let mut s = Steering::default();
    writeln!(out, "\n5. The next LIVE: the seller switches highlights off for it in the pre-LIVE flow")?;
    w.core.dispatch(Event::SetNextLiveHighlights { on: false })?;
    w.syncer.sync().await?;
    let start = w.now() + 60_000;
    let events: Vec<_> =
        sample::later_live(EXCLUDED_LIVE, "Evening restock", start, 10, 3, 7).iter().map(|e| e.to_json()).collect();
    w.ingest_all(&events).await?;
    w.syncer.sync().await?;
    s.excluded_kept = w.server_highlights(EXCLUDED_LIVE).await?.highlights.len() as u32;
    s.next_live_back_on = w.core.view()?.highlights.next_live_on;
    writeln!(
        out,
        "   \"Evening restock\" went LIVE for 10 minutes: {} moments kept, nothing posted. The choice is used up: highlights are {} for the LIVE after.",
        s.excluded_kept,
        if s.next_live_back_on { "on again" } else { "still off" }
    )?;

    writeln!(out, "\n6. The seller switches on \"Ask me before posting\" and goes LIVE again")?;
    w.core.dispatch(Event::SetReviewBeforePosting { on: true })?;
    w.syncer.sync().await?;
    let start = start + 15 * 60_000;
    let minutes = 20;
    let events: Vec<_> = sample::later_live(REVIEWED_LIVE, "Weekend flash sale", start, minutes, 10, 11)
        .iter()
        .map(|e| e.to_json())
        .collect();
    // The LIVE exists from its first event on; the recorder then sends what it holds.
    w.ingest_all(&events[..1]).await?;
    w.record_later(REVIEWED_LIVE, start, segments, minutes * 60_000).await?;
    // Minute by minute, until two posts wait for the seller's OK at once (their post time ahead).
    let waiting_now = |r: &RecordingScreen| {
        r.highlights
            .iter()
            .filter(|h| h.badge == HighlightBadge::AwaitingApproval)
            .map(|h| h.id.clone())
            .collect::<Vec<_>>()
    };
    let mut asked: HashSet<String> = HashSet::new();
    let (mut next, mut minute) = (1, 0);
    let rec = loop {
        minute += 1;
        let cut = events
            .iter()
            .position(|e| e["ts_ms"].as_i64().unwrap_or(0) > start + minute * 60_000)
            .unwrap_or(events.len());
        w.ingest_all(&events[next..cut]).await?;
        next = cut;
        w.syncer.sync().await?;
        let rec = w.open(REVIEWED_LIVE)?;
        asked.extend(waiting_now(&rec));
        if waiting_now(&rec).len() >= 2 || next == events.len() {
            break rec;
        }
    };
    let waiting: Vec<_> = rec.highlights.iter().filter(|h| h.badge == HighlightBadge::AwaitingApproval).collect();
    writeln!(out, "   {minute} minutes in, {} wait for the seller's OK in the module:", posts(waiting.len()))?;
    let mut approved = Vec::new();
    for (i, h) in waiting.iter().enumerate() {
        let at = |ms: i64| format!("{}:{:02}", (ms - start) / 60_000, (ms - start) / 1000 % 60);
        let verdict = if i % 2 == 0 { "Approve" } else { "Skip" };
        writeln!(out, "     {}–{} ({}) -> {verdict}", at(h.start_ms), at(h.end_ms), h.signals.join(", "))?;
        if i % 2 == 0 {
            w.core.dispatch(Event::ApproveHighlight { highlight_id: h.id.clone() })?;
            approved.push(h.id.clone());
        } else {
            w.core.dispatch(Event::RemoveHighlight { highlight_id: h.id.clone() })?;
            s.skipped += 1;
        }
    }
    s.approved = approved.len() as u32;
    w.syncer.sync().await?;
    w.ingest_all(&events[next..]).await?;
    w.syncer.sync().await?;
    asked.extend(waiting_now(&w.open(REVIEWED_LIVE)?));
    // Time passes beyond the last post time: every post is decided.
    let last_post = events.last().and_then(|e| e["ts_ms"].as_i64()).unwrap_or(start) + 6 * 60_000;
    w.clock.fetch_max(last_post, std::sync::atomic::Ordering::SeqCst);
    let rec = w
        .sync_until(REVIEWED_LIVE, Duration::from_secs(90), |r| {
            r.highlights
                .iter()
                .all(|h| !matches!(h.badge, HighlightBadge::Scheduled | HighlightBadge::AwaitingApproval))
        })
        .await?;
    let list = w.server_highlights(REVIEWED_LIVE).await?;
    s.approved_posted =
        list.highlights.iter().filter(|h| approved.contains(&h.id) && h.status == HighlightStatus::Posted).count()
            as u32;
    s.unapproved_to_recommendations =
        list.highlights.iter().filter(|h| asked.contains(&h.id) && h.status == HighlightStatus::Suggested).count()
            as u32;
    writeln!(
        out,
        "   LIVE over: {} approved and posted, {} skipped, {} never approved became recommendations at their post time ({} recommendations in the module).",
        s.approved_posted,
        s.skipped,
        s.unapproved_to_recommendations,
        rec.recommendations.len()
    )?;

    writeln!(out, "\n7. \"Remove all\" on the flash sale: the seller confirms, then taps Undo")?;
    let before = w.open(REVIEWED_LIVE)?;
    let to_remove: Vec<String> = before
        .highlights
        .iter()
        .filter(|h| h.kind == highlights_api::HighlightKind::Auto && h.badge != HighlightBadge::Removed)
        .map(|h| h.id.clone())
        .collect();
    w.core.dispatch(Event::RemoveAllHighlights { recording_id: Some(REVIEWED_LIVE.into()) })?;
    let v = w.core.view()?;
    let offer = v.undo.ok_or("no undo offered")?;
    writeln!(
        out,
        "   Removed at once on screen: {} ({} left to remove); Undo is offered for {} s.",
        posts(to_remove.len()),
        v.recording.as_ref().map_or(0, |r| r.auto_posts),
        (offer.until_ms - highlights_server::clock::now_ms()).max(0) / 1000 + 1
    )?;
    w.core.dispatch(Event::UndoRemoveAll)?;
    let back = w.open(REVIEWED_LIVE)?;
    s.undo_restored = if back.auto_posts as usize == to_remove.len() { back.auto_posts } else { 0 };
    writeln!(out, "   Undo: {} back on the profile, nothing was sent.", posts(back.auto_posts as usize))?;
    w.core.dispatch(Event::RemoveAllHighlights { recording_id: Some(REVIEWED_LIVE.into()) })?;
    writeln!(out, "   Remove all again, and this time the seller lets the undo window pass.")?;
    let until = w.core.view()?.undo.map_or(0, |u| u.until_ms);
    while highlights_server::clock::now_ms() <= until {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let rec = w.sync_until(REVIEWED_LIVE, Duration::from_secs(10), |r| r.auto_posts == 0).await?;
    s.left_after_remove_all = rec.auto_posts;
    let list = w.server_highlights(REVIEWED_LIVE).await?;
    s.removed_by_remove_all =
        list.highlights.iter().filter(|h| to_remove.contains(&h.id) && h.status == HighlightStatus::Removed).count()
            as u32;
    if s.removed_by_remove_all as usize != to_remove.len() {
        s.left_after_remove_all = s.left_after_remove_all.max(1);
    }
    writeln!(
        out,
        "   Sent: {} taken down on the server and out of the profile feed; the LIVE's recommendations stay.",
        posts(s.removed_by_remove_all as usize)
    )?;
    Ok(s)
}
