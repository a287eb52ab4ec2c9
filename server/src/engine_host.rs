//! Hosting the highlight engine: one detector per LIVE in this process, fed by ingestion inside
//! the store's transaction. It knows nothing of storage; the store asks it through [`Scorer`].

use std::sync::{Arc, Mutex, MutexGuard};

use highlights_engine::{Engine, EngineSettings, EventKind, LiveEvent, Moment};

use crate::store::Scorer;

/// The engine shared by all ingestion requests.
#[derive(Clone, Default)]
pub struct EngineHost {
    engine: Arc<Mutex<Engine>>,
}

impl EngineHost {
    fn engine(&self, settings: &EngineSettings) -> MutexGuard<'_, Engine> {
        // A panic in one request must not poison scoring for every later one.
        let mut engine = self.engine.lock().unwrap_or_else(|e| e.into_inner());
        engine.set_settings(settings.clone());
        engine
    }
}

impl Scorer for EngineHost {
    fn knows(&self, live_id: &str) -> bool {
        self.engine.lock().unwrap_or_else(|e| e.into_inner()).knows(live_id)
    }

    fn warm_up(&self, settings: &EngineSettings, history: &[LiveEvent]) {
        let mut engine = self.engine(settings);
        for e in history {
            let _ = engine.push(e);
        }
    }

    fn score(&self, settings: &EngineSettings, events: &[LiveEvent]) -> Vec<Moment> {
        let mut engine = self.engine(settings);
        let mut moments = Vec::new();
        for e in events {
            moments.extend(engine.push(e));
            if e.kind == EventKind::LiveEnd {
                engine.forget(&e.live_id);
            }
        }
        moments
    }
}
