//! A seller's LIVE as the clip suites drive it: the engine's stand-in that turns a comment into a
//! moment, a LIVE gone on with its captions, its recording sent, its videos fetched, and a clock
//! moved on by hand, shared by the snapping and speech suites.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use highlights_api::{IngestBatch, VideoState, paths};
use highlights_engine::{EngineSettings, EventKind, LiveEvent, Moment};
use highlights_server::media::test_pattern::{PatternSegment, Said};
use highlights_server::media::{Ffmpeg, RenderWorker};
use highlights_server::serve::{Clock, ServeOptions, Videos};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::TestServer;

/// The engine's stand-in: a comment `clip START END PEAK` (epoch ms) is a moment with that span,
/// to post, of a product of its own (so no cap turns it into a recommendation).
pub struct Clips;

impl highlights_server::store::Scorer for Clips {
    fn knows(&self, _: &str) -> bool {
        true
    }
    fn open(&self, _: &str, _: f64) {}

    fn warm_up(&self, _: &EngineSettings, _: &str, _: f64, _: &[LiveEvent]) {}
    fn score(&self, _: &EngineSettings, events: &[LiveEvent]) -> Vec<Moment> {
        events
            .iter()
            .filter_map(|e| {
                let EventKind::Comment { text, .. } = &e.kind else { return None };
                let n: Vec<i64> = text.strip_prefix("clip ")?.split(' ').filter_map(|w| w.parse().ok()).collect();
                let [start_ms, end_ms, peak_ms] = n[..] else { return None };
                Some(Moment {
                    live_id: e.live_id.clone(),
                    start_ms,
                    end_ms,
                    peak_ms,
                    identified_at_ms: end_ms,
                    product_id: Some(format!("p{start_ms}")),
                    score: 5.0,
                    above_bar: true,
                    reasons: vec![highlights_api::Reason::over_usual(highlights_api::Signal::Comments, 2.0, 20)],
                })
            })
            .collect()
    }
}

/// A seller LIVE that started 100 s ago with the highlights toggle on and these captions.
pub struct Live {
    pub seller: String,
    pub token: String,
    pub live_id: String,
    pub started_at_ms: i64,
}

pub async fn go_live(s: &TestServer, seller: &str, said: &[Said]) -> Live {
    go_live_in(s, seller, said, "control").await
}

/// [`go_live`] with the seller's videos in this format variant (e.g. `auto_subtitles`).
pub async fn go_live_in(s: &TestServer, seller: &str, said: &[Said], variant: &str) -> Live {
    let token = s.seller(seller).await;
    s.store().pin_experiments(seller.into(), Some(false), Some(variant.into())).await.unwrap();
    let patch = json!({ "highlights_on": true, "onboarding_completed": true });
    assert_eq!(s.call(Method::PATCH, paths::SETTINGS, Some(&token), Some(patch)).await.0, StatusCode::OK);
    let live_id = format!("live-{seller}");
    let started_at_ms = highlights_server::clock::now_ms() - 100_000;
    let mut events = vec![json!({ "ts_ms": started_at_ms, "live_id": live_id, "type": "live_start", "title": "Sale" })];
    events.extend(said.iter().map(|l| {
        json!({ "ts_ms": started_at_ms + l.at_ms, "live_id": live_id, "type": "caption", "text": l.text, "duration_ms": l.duration_ms })
    }));
    let (status, body) = s.ingest(seller, json!(events)).await;
    assert_eq!((status, body["accepted"].as_u64()), (StatusCode::OK, Some(events.len() as u64)), "{body}");
    Live { seller: seller.into(), token, live_id, started_at_ms }
}

pub async fn send(s: &TestServer, live: &Live, segments: &[PatternSegment]) {
    for seg in segments {
        let url = s.url(&paths::ingest_segment(&live.live_id, live.started_at_ms + seg.offset_ms));
        let body = std::fs::read(&seg.path).unwrap();
        let resp = s.http.put(url).bearer_auth(&s.service_token).body(body).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
    }
}

/// The engine finds a moment `[start, end)` with its peak (ms from the LIVE's start); answers
/// the highlight's id once its render job is queued.
pub async fn moment(s: &TestServer, live: &Live, start: i64, end: i64, peak: i64) -> String {
    let at = |ms: i64| live.started_at_ms + ms;
    let text = format!("clip {} {} {}", at(start), at(end), at(peak));
    let events =
        vec![json!({ "type": "comment", "live_id": live.live_id, "ts_ms": at(end), "user": "u", "text": text })];
    let batch = IngestBatch { seller_id: live.seller.clone(), events };
    assert_eq!(s.store().ingest(batch, None, Arc::new(Clips)).await.unwrap().accepted, 1);
    let list = s.store().highlights(live.seller.clone(), live.live_id.clone()).await.unwrap().highlights;
    let h =
        list.iter().find(|h| h.start_ms == at(start)).unwrap_or_else(|| panic!("no highlight at {start}: {list:?}"));
    h.id.clone()
}

/// Events of a LIVE, `(type, ms from its start, fields)`, through the store as the ingestion
/// route would (the comments are no moment to [`Clips`]).
pub async fn events(s: &TestServer, live: &Live, list: &[(&str, i64, Value)]) {
    let events: Vec<Value> = list
        .iter()
        .map(|(kind, at, fields)| {
            let mut e = json!({ "type": kind, "live_id": live.live_id, "ts_ms": live.started_at_ms + at });
            e.as_object_mut().unwrap().extend(fields.as_object().cloned().unwrap_or_default());
            e
        })
        .collect();
    let batch = IngestBatch { seller_id: live.seller.clone(), events };
    let n = list.len() as u64;
    assert_eq!(s.store().ingest(batch, None, Arc::new(Clips)).await.unwrap().accepted, n);
}

/// A chat comment at `at` ms: the LIVE's stream clock reaches it, as it does while viewers talk.
pub async fn chat(s: &TestServer, live: &Live, at: i64) {
    events(s, live, &[("comment", at, json!({ "user": "v", "text": "nice" }))]).await;
}

/// The video of a highlight, which must be made: the highlight's span (ms from the LIVE's start),
/// as the seller sees it, and the MP4, copied into `dir`.
pub async fn made(s: &TestServer, live: &Live, id: &str, dir: &Path) -> ((i64, i64), PathBuf) {
    let job = s.store().video_job(id.into()).await.unwrap().unwrap();
    assert_eq!(job.state, VideoState::Ready, "{id}: {job:?}");
    let media = s.store().media(id.into(), Some(live.seller.clone())).await.unwrap();
    let path = dir.join(format!("{id}.mp4"));
    s.server.state.media.fetch(&media.video_key, &path).unwrap();
    let (_, list) = s.get(&paths::live_highlights(&live.live_id), &live.token).await;
    let h = list["highlights"].as_array().unwrap().iter().find(|h| h["id"] == id).cloned().unwrap();
    let span =
        (h["start_ms"].as_i64().unwrap() - live.started_at_ms, h["end_ms"].as_i64().unwrap() - live.started_at_ms);
    (span, path)
}

/// The wall clock moved on by hand: what a worker driven by it sees as "now".
#[derive(Clone, Default)]
pub struct TestClock(pub Arc<AtomicI64>);

impl TestClock {
    pub fn clock(&self) -> Clock {
        let ahead = self.0.clone();
        Arc::new(move || highlights_server::clock::now_ms() + ahead.load(Ordering::SeqCst))
    }

    pub fn advance(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

/// A server queuing renders that no worker of its own takes: the test drives one.
pub fn server_options(ff: Option<&Ffmpeg>) -> ServeOptions {
    ServeOptions {
        videos: ff.map_or(Videos::Render, |ff| Videos::RenderWith(ff.clone())),
        render_workers: 0,
        ..Default::default()
    }
}

/// What one due job's claim came to, and that nothing else was due.
pub async fn render_all(w: &RenderWorker) -> Vec<VideoState> {
    let mut states = Vec::new();
    while let Some(state) = w.render_next().await.unwrap() {
        states.push(state);
        assert!(states.len() < 100, "a job due again at once: {states:?}");
    }
    states
}

/// How much two rendered grey frames differ over these rows, on average per pixel (0 to 255).
pub fn diff(a: &[u8], b: &[u8], rows: std::ops::Range<u32>) -> f64 {
    let w = highlights_server::media::render::WIDTH;
    let (lo, hi) = ((rows.start * w) as usize, (rows.end * w) as usize);
    a[lo..hi].iter().zip(&b[lo..hi]).map(|(&x, &y)| (f64::from(x) - f64::from(y)).abs()).sum::<f64>() / (hi - lo) as f64
}

/// What a seller says on a generated LIVE: the sentences the speech figures have espeak-ng read.
pub const SELLER_SAYS: [&str; 7] = [
    "Only today, this linen shirt is half price.",
    "Tap the button to join the live.",
    "It comes in blue, white and sand.",
    "Look at the stitching on the collar.",
    "We have twelve left in medium.",
    "Shipping is free until midnight.",
    "Ask me anything in the comments.",
];
