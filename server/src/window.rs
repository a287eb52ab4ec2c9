//! Which times an ingested event or segment may carry: a window around the server's clock.

use std::time::Duration;

/// How far from the server's clock an ingested event or segment may be. An event far in the
/// future would become its LIVE's clock and make every scheduled post due at once (skipping the
/// post delay and the review window); one far in the past would do the same to a new LIVE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngestWindow {
    /// How long ago an event may have happened: a backlog the service re-sends after an outage.
    pub past: Duration,
    /// How far ahead of the server's clock an event may be: clock skew between machines.
    pub future: Duration,
}

impl Default for IngestWindow {
    fn default() -> Self {
        Self { past: Duration::from_secs(6 * 3600), future: Duration::from_secs(300) }
    }
}

impl IngestWindow {
    /// Most either side may be widened to, so bounds and the times inside them never overflow.
    pub const MAX_SIDE: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

    /// A century either side: for suites and replays of LIVEs recorded at fixed dates.
    pub fn widest() -> Self {
        Self { past: Self::MAX_SIDE, future: Self::MAX_SIDE }
    }

    /// Whether an event or segment at `ts_ms` may be taken when the server's clock reads `now_ms`.
    pub fn admits(&self, now_ms: i64, ts_ms: i64) -> bool {
        let side = |d: Duration| d.min(Self::MAX_SIDE).as_millis() as i64;
        (now_ms.saturating_sub(side(self.past))..=now_ms.saturating_add(side(self.future))).contains(&ts_ms)
    }

    /// Takes the events of `events` whose `ts_ms` lies outside the window; how many it took.
    /// Events without a usable time stay for the store, which skips them as malformed.
    pub fn drop_outside(&self, now_ms: i64, events: &mut Vec<serde_json::Value>) -> u64 {
        let before = events.len();
        events.retain(|e| e.get("ts_ms").and_then(serde_json::Value::as_i64).is_none_or(|ts| self.admits(now_ms, ts)));
        (before - events.len()) as u64
    }
}
