//! Hosting the highlight engine: one detector per LIVE in this process, fed by ingestion inside
//! the store's transaction. It knows nothing of storage; the store asks it through [`Scorer`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use highlights_engine::{Engine, EngineSettings, EventKind, LiveEvent, Moment};

use crate::store::Scorer;

/// The engine shared by all ingestion requests (or, in a worker, by all its partitions).
#[derive(Clone, Default)]
pub struct EngineHost {
    held: Arc<Mutex<Held>>,
}

/// The detectors, and for LIVEs read from the event log the sequence each reflects.
#[derive(Default)]
struct Held {
    engine: Engine,
    positions: HashMap<String, u64>,
}

impl EngineHost {
    fn held(&self) -> MutexGuard<'_, Held> {
        // A panic in one request must not poison scoring for every later one.
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn engine(&self, settings: &EngineSettings) -> MutexGuard<'_, Held> {
        let mut held = self.held();
        held.engine.set_settings(settings.clone());
        held
    }
}

impl Scorer for EngineHost {
    fn knows(&self, live_id: &str) -> bool {
        self.held().engine.knows(live_id)
    }

    fn open(&self, live_id: &str, bar_shift: f64) {
        self.held().engine.open(live_id, bar_shift);
    }

    fn warm_up(&self, settings: &EngineSettings, live_id: &str, bar_shift: f64, history: &[LiveEvent]) {
        // Nothing stored of it (a LIVE new or another seller's): its first event makes its detector.
        if history.is_empty() && bar_shift == 0.0 {
            return;
        }
        let mut held = self.engine(settings);
        held.engine.open(live_id, bar_shift);
        let _ = held.engine.push_all(history);
    }

    fn score(&self, settings: &EngineSettings, events: &[LiveEvent]) -> Vec<Moment> {
        let mut held = self.engine(settings);
        let mut moments = Vec::new();
        // A LIVE's state goes with its end, so a batch is scored in runs that close with an end.
        for run in events.split_inclusive(|e| e.kind == EventKind::LiveEnd) {
            moments.extend(held.engine.push_all(run));
            if let Some(end) = run.last().filter(|e| e.kind == EventKind::LiveEnd) {
                held.engine.forget(&end.live_id);
            }
        }
        moments
    }

    fn position(&self, live_id: &str) -> Option<u64> {
        self.held().positions.get(live_id).copied()
    }

    fn resume(&self, live_id: &str, seq: u64, checkpoint: Option<&[u8]>) -> bool {
        let mut held = self.held();
        held.engine.forget(live_id);
        held.positions.remove(live_id);
        if let Some(bytes) = checkpoint
            && let Err(e) = held.engine.restore(live_id, bytes)
        {
            tracing::warn!(live_id, error = %e, "detector checkpoint refused");
            return false;
        }
        held.positions.insert(live_id.to_string(), seq);
        true
    }

    fn checkpoint(&self, live_id: &str, seq: u64) -> Option<Vec<u8>> {
        let mut held = self.held();
        held.positions.insert(live_id.to_string(), seq);
        held.engine.checkpoint(live_id)
    }

    fn forget(&self, live_id: &str) {
        let mut held = self.held();
        held.engine.forget(live_id);
        held.positions.remove(live_id);
    }
}
