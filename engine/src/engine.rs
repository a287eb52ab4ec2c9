//! Many LIVEs at once: one detector per LIVE, events routed by `live_id`.

use std::collections::HashMap;

use crate::detector::Detector;
use crate::event::LiveEvent;
use crate::moment::{EngineConfig, Moment};

/// Detection over any number of interleaved LIVE streams.
#[derive(Debug, Default)]
pub struct Engine {
    config: EngineConfig,
    lives: HashMap<String, Detector>,
}

impl Engine {
    /// An engine with the given tunables.
    pub fn new(config: EngineConfig) -> Self {
        Self { config, lives: HashMap::new() }
    }

    /// The tunables in force.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Replaces the tunables (e.g. after a remote-config change); detectors keep their state.
    pub fn set_config(&mut self, config: EngineConfig) {
        self.config = config;
    }

    /// Feeds one event; returns the moment it confirms, if any.
    pub fn push(&mut self, e: &LiveEvent) -> Option<Moment> {
        let cfg = &self.config;
        let d = match self.lives.get_mut(e.live_id.as_str()) {
            Some(d) => d,
            None => self.lives.entry(e.live_id.clone()).or_default(),
        };
        d.push(cfg, &e.live_id, e)
    }

    /// Whether this engine has state for a LIVE.
    pub fn knows(&self, live_id: &str) -> bool {
        self.lives.contains_key(live_id)
    }

    /// Ends every stream (input exhausted): confirms moments still open.
    pub fn flush_all(&mut self) -> Vec<Moment> {
        let cfg = &self.config;
        let mut out: Vec<Moment> =
            self.lives.iter_mut().filter(|(_, d)| !d.ended()).filter_map(|(id, d)| d.flush(cfg, id)).collect();
        out.sort_by_key(|m| (m.identified_at_ms, m.live_id.clone()));
        out
    }

    /// Drops the state of a LIVE that has ended.
    pub fn forget(&mut self, live_id: &str) {
        self.lives.remove(live_id);
    }

    /// Number of LIVEs tracked.
    pub fn lives(&self) -> usize {
        self.lives.len()
    }

    /// Bytes of detection state, including map keys; for the memory benchmark.
    pub fn state_bytes(&self) -> usize {
        self.lives.iter().map(|(k, d)| k.capacity() + std::mem::size_of::<String>() + d.bytes()).sum()
    }

    /// Events counted late across all LIVEs.
    pub fn late_events(&self) -> u64 {
        self.lives.values().map(Detector::late_events).sum()
    }
}
