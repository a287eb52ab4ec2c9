//! The seller's afternoon, step by step: set-up in the app, the LIVE, the highlights arriving.

use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::Ordering;
use std::time::Duration;

use highlights_core::api::VideoState;
use highlights_core::view::{HighlightBadge, HighlightRow, Screen};
use highlights_core::{Event, ViewState};
use highlights_server::media::test_pattern::PatternSegment;

use crate::sample::{self, LIVE_ID};
use crate::summary::{self, Summary};
use crate::{DemoError, World};

/// Wall time between two looks at the app while the LIVE runs.
const TICK: Duration = Duration::from_millis(150);
/// Events per ingestion request at most.
const BATCH: usize = 5_000;

impl World {
    /// "[mm:ss]" of the LIVE for a stream time.
    fn at(&self, ms: i64) -> String {
        let s = ((ms - self.live_start_ms) / 1000).max(0);
        format!("[{:02}:{:02}]", s / 60, s % 60)
    }

    async fn ingest(&self, events: &[serde_json::Value]) -> Result<(u64, u64), DemoError> {
        let body = serde_json::json!({ "seller_id": "demo-seller", "events": events });
        let resp = self
            .http
            .post(format!("{}/v1/ingest/events", self.server.url()))
            .bearer_auth(&self.service_token)
            .json(&body)
            .send()
            .await?
            .error_for_status()?;
        let r: highlights_api::IngestResult = resp.json().await?;
        Ok((r.accepted, r.skipped))
    }

    /// The recorder's part: sends every segment of the recording that has ended by `now`.
    async fn record(&self, segments: &[PatternSegment], next: &mut usize, now: i64) -> Result<(), DemoError> {
        while let Some(seg) = segments.get(*next) {
            let start = self.live_start_ms + seg.offset_ms;
            if start + seg.duration_ms > now {
                break;
            }
            let bytes = std::fs::read(&seg.path)?;
            let url = format!("{}{}", self.server.url(), highlights_api::paths::ingest_segment(LIVE_ID, start));
            self.http.put(url).bearer_auth(&self.service_token).body(bytes).send().await?.error_for_status()?;
            *next += 1;
        }
        Ok(())
    }

    /// Keeps the app in sync until no highlight of the recording waits for its post (or its
    /// video), or `limit` of wall time has passed.
    async fn wait_for_posts(
        &self,
        out: &mut (dyn Write + Send),
        seen: &mut Seen,
        live_now_posts: &mut u32,
        limit: Duration,
    ) -> Result<(), DemoError> {
        let until = std::time::Instant::now() + limit;
        loop {
            self.advance();
            self.syncer.sync().await?;
            narrate(self, out, seen, live_now_posts)?;
            let v = self.view()?;
            let waiting = v.recording.as_ref().is_some_and(|r| {
                r.highlights.iter().any(|h| matches!(h.badge, HighlightBadge::Scheduled | HighlightBadge::Pending))
            });
            if !waiting || std::time::Instant::now() > until {
                return Ok(());
            }
            tokio::time::sleep(TICK).await;
        }
    }

    pub(crate) fn now(&self) -> i64 {
        self.clock.load(Ordering::SeqCst)
    }

    /// Moves the demo's time one tick forward: `speed` stream seconds per wall second.
    fn advance(&self) -> i64 {
        let step = (TICK.as_secs_f64() * 1000.0 * self.speed) as i64;
        self.clock.fetch_add(step, Ordering::SeqCst) + step
    }

    fn view(&self) -> Result<ViewState, DemoError> {
        Ok(self.core.view()?)
    }
}

fn product_name(v: &ViewState, id: &Option<String>) -> String {
    let Some(id) = id else { return "no product".into() };
    v.recording.as_ref().and_then(|r| r.products.iter().find(|p| &p.id == id)).map_or(id.clone(), |p| p.name.clone())
}

/// What the narration last said of each highlight: its badge and its video's state.
#[derive(Default)]
struct Seen {
    badges: HashMap<String, HighlightBadge>,
    videos: HashMap<String, VideoState>,
}

/// Prints what changed in the open recording since the last look.
fn narrate(
    w: &World,
    out: &mut (dyn Write + Send),
    seen: &mut Seen,
    live_now_posts: &mut u32,
) -> Result<(), DemoError> {
    let v = w.view()?;
    let Some(rec) = &v.recording else { return Ok(()) };
    let now = w.now();
    let rows: Vec<&HighlightRow> = rec.highlights.iter().chain(rec.recommendations.iter()).collect();
    for h in rows {
        if let Some(video) = &h.video
            && seen.videos.insert(h.id.clone(), video.state) != Some(video.state)
        {
            let product = product_name(&v, &h.product_id);
            match video.state {
                VideoState::Ready => writeln!(
                    out,
                    "{} video rendered for {product}: {:.1} s MP4, thumbnail at the peak",
                    w.at(now),
                    video.duration_ms.unwrap_or(0) as f64 / 1000.0
                )?,
                VideoState::Failed => {
                    writeln!(out, "{} video for {product} failed; back in recommendations", w.at(now))?
                }
                VideoState::Rendering => {}
            }
        }
        let before = seen.badges.insert(h.id.clone(), h.badge);
        if before == Some(h.badge) {
            continue;
        }
        let product = product_name(&v, &h.product_id);
        let why = h.signals.join(", ");
        let line = match (before, h.badge) {
            (_, HighlightBadge::Scheduled) if h.kind == highlights_core::api::HighlightKind::Manual => {
                format!("seller-made video for {product} accepted; it posts once its video is rendered")
            }
            (Some(HighlightBadge::Pending), HighlightBadge::Scheduled) => {
                format!("recommendation for {product} accepted; it posts once its video is rendered")
            }
            (None, HighlightBadge::Scheduled) => format!(
                "moment found ({why}) -> auto-post of a {}s clip for {product} scheduled at {}",
                (h.end_ms - h.start_ms) / 1000,
                w.at(h.post_at_ms.unwrap_or(now))
            ),
            (None, HighlightBadge::Recommended) => {
                format!(
                    "moment found ({why}) -> kept as a recommendation for {product} (cap reached or below the auto-post bar)"
                )
            }
            (_, HighlightBadge::LiveNow) => {
                *live_now_posts += 1;
                format!("posted to the profile with LIVE now: viewers tap it to join the room ({product})")
            }
            (Some(HighlightBadge::LiveNow), HighlightBadge::Posted) => continue,
            (_, HighlightBadge::Posted) => format!("posted to the profile ({product})"),
            (_, other) => format!("{} is now {other:?}", h.id),
        };
        writeln!(out, "{} {line}", w.at(now))?;
    }
    Ok(())
}

/// Runs the whole story and returns the summary.
pub(crate) async fn tell(mut w: World, out: &mut (dyn Write + Send)) -> Result<Summary, DemoError> {
    writeln!(out, "\n1. The seller opens the LIVE section -> Products -> Highlights")?;
    w.syncer.sync().await?;
    w.core.dispatch(Event::OpenHighlights)?;
    let v = w.view()?;
    let limits = v.highlights.limits.clone().ok_or("limits did not sync")?;
    writeln!(
        out,
        "   Highlights toggle: {}. Limits from the server: up to {} videos per LIVE, {} per pinned product, posted about {} min after a moment.",
        if v.highlights.on { "ON" } else { "OFF" },
        limits.max_posts_per_live,
        limits.max_posts_per_product,
        limits.post_delay_s / 60
    )?;

    writeln!(out, "\n2. Before going LIVE, the seller taps the shopping bag")?;
    w.core.dispatch(Event::ShoppingBagTapped)?;
    let popup = w.view()?.popup.ok_or("the pop-up did not show")?;
    writeln!(
        out,
        "   Pop-up: \"Auto-post highlights of this LIVE? Up to {} short videos.\"  [Turn on]  [X]",
        popup.max_posts_per_live
    )?;
    w.core.dispatch(Event::PopupTurnOn)?;
    let v = w.view()?;
    if v.onboarding.is_some() {
        writeln!(
            out,
            "   Turn on -> first time, so the onboarding overlay: benefits, and how LIVE data is used.  [Turn on]"
        )?;
    }
    w.core.dispatch(Event::ConfirmOnboarding)?;
    let report = w.syncer.sync().await?;
    let v = w.view()?;
    writeln!(
        out,
        "   Confirmed: Highlights ON, landed in the {} (settings delivered to the server: {} actions).",
        if v.screen == Screen::Module { "LIVE highlight module" } else { "app" },
        report.push.delivered
    )?;

    let segments = match w.recording.take() {
        Some(generating) => generating.await??,
        None => Vec::new(),
    };
    let mut next_segment = 0;
    writeln!(out, "\n3. The seller goes LIVE: 45 minutes, three products pinned in turn (replayed at {}x)", w.speed)?;
    if !segments.is_empty() {
        writeln!(
            out,
            "   The recorder sends the LIVE as it goes: {} segments of about 6 s (a test pattern with a burned-in clock)",
            segments.len()
        )?;
    }
    w.live_start_ms = w.now();
    let events: Vec<_> = sample::events(w.live_start_ms).iter().map(|e| e.to_json()).collect();
    let (mut accepted, mut skipped, mut next) = (0u64, 0u64, 0usize);
    let mut seen = Seen::default();
    let mut live_now_posts = 0;
    let mut opened = false;
    let mut last_progress = 0;
    while next < events.len() {
        let now = w.advance();
        loop {
            let due = events[next..].iter().take(BATCH).take_while(|e| e["ts_ms"].as_i64().unwrap_or(0) <= now).count();
            if due == 0 {
                break;
            }
            let (a, s) = w.ingest(&events[next..next + due]).await?;
            accepted += a;
            skipped += s;
            next += due;
        }
        w.record(&segments, &mut next_segment, now).await?;
        let _ = w.syncer.sync().await;
        if !opened && w.core.dispatch(Event::OpenRecording { recording_id: LIVE_ID.into() }).is_ok() {
            opened = true;
        }
        narrate(&w, out, &mut seen, &mut live_now_posts)?;
        let minute = ((now - w.live_start_ms) / 60_000) as i32;
        if minute >= last_progress + 5 {
            last_progress = minute - minute % 5;
            let v = w.view()?;
            let (posted, scheduled) = v.recording.as_ref().map_or((0, 0), |r| {
                let count = |b: &[HighlightBadge]| r.highlights.iter().filter(|h| b.contains(&h.badge)).count();
                (count(&[HighlightBadge::Posted, HighlightBadge::LiveNow]), count(&[HighlightBadge::Scheduled]))
            });
            writeln!(
                out,
                "{} LIVE going: {accepted} events so far, {posted} videos posted, {scheduled} scheduled",
                w.at(now)
            )?;
        }
        tokio::time::sleep(TICK).await;
    }
    writeln!(
        out,
        "{} LIVE ended ({accepted} events ingested, {skipped} skipped). Videos still waiting for their post time follow.",
        w.at(w.now())
    )?;

    w.record(&segments, &mut next_segment, i64::MAX).await?;
    // Let the last scheduled posts come due (they are identified up to the end of the LIVE) and
    // their videos finish rendering.
    w.wait_for_posts(out, &mut seen, &mut live_now_posts, Duration::from_secs(120)).await?;
    let v = w.view()?;
    let rec = v.recording.clone().ok_or("the recording did not arrive")?;
    let still_live_now = rec.highlights.iter().filter(|h| h.badge == HighlightBadge::LiveNow).count();
    writeln!(out, "   After live_end: {still_live_now} videos still carry LIVE now (cleared when the LIVE ended).")?;

    writeln!(out, "\n4. In the LIVE highlight module the seller reviews the recording")?;
    let mut posted_by_hand = None;
    if let Some(best) = rec.recommendations.first() {
        writeln!(
            out,
            "   Posts the best recommendation by hand: {} ({})",
            best.signals.join(", "),
            product_name(&v, &best.product_id)
        )?;
        w.core.dispatch(Event::PostRecommendation { highlight_id: best.id.clone() })?;
        posted_by_hand = Some(best.id.clone());
    }
    let product = rec.products.first().map(|p| p.id.clone()).ok_or("no products")?;
    let start = rec.recording.started_at_ms + 20 * 60_000;
    writeln!(
        out,
        "   Creates a 25 s shoppable video from 20:00 of the recording, tied to {}",
        product_name(&v, &Some(product.clone()))
    )?;
    w.core.dispatch(Event::CreateVideo {
        recording_id: LIVE_ID.into(),
        start_ms: start,
        end_ms: start + 25_000,
        product_id: product,
    })?;
    let report = w.syncer.sync().await?;
    writeln!(out, "   Synced: {} actions delivered, {} refused.", report.push.delivered, report.push.rejected)?;
    w.wait_for_posts(out, &mut seen, &mut live_now_posts, Duration::from_secs(60)).await?;

    let steering = crate::steering::steer(&w, out, &segments).await?;
    let results = crate::results::report(&w, out).await?;
    let mut summary = summary::collect(&w, accepted, skipped, live_now_posts, posted_by_hand).await?;
    summary.steering = steering;
    summary.results = results;
    summary.print(out)?;
    w.server.stop().await?;
    Ok(summary)
}
