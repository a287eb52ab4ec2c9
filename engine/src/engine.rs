//! Many LIVEs at once: one detector per LIVE, events routed by `live_id`.

use crate::detector::Detector;
use crate::event::LiveEvent;
use crate::lives::{self, Lives};
use crate::moment::Moment;
use crate::settings::EngineSettings;

/// How many events ahead [`Engine::push_all`] asks for a LIVE's memory: far enough for the
/// misses to arrive before the event is reached, near enough for the lines to still be in L1.
const AHEAD: usize = 16;

/// Version of the checkpoint layout; a checkpoint of another version is refused, never misread
/// (the LIVE's detector is then rebuilt from its stored events). 5 and 6 both changed it in one
/// release: the content signals, then the auto-post bar's memory of what it posted; 7 added the
/// seller's learned shift of the bar.
const CHECKPOINT_FORMAT: u8 = 7;

/// Why checkpoint bytes could not be resumed.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// No bytes at all.
    #[error("empty checkpoint")]
    Empty,
    /// Written by an engine with another layout.
    #[error("checkpoint format {0} is not this engine's")]
    Format(u8),
    /// The bytes do not decode to a detector.
    #[error("checkpoint does not decode: {0}")]
    Decode(#[source] postcard::Error),
}

/// Detection over any number of interleaved LIVE streams.
#[derive(Debug, Default, Clone)]
pub struct Engine {
    settings: EngineSettings,
    lives: Lives,
}

impl Engine {
    /// An engine with the given tunables.
    pub fn new(settings: EngineSettings) -> Self {
        Self { settings, lives: Lives::default() }
    }

    /// The tunables in force.
    pub fn settings(&self) -> &EngineSettings {
        &self.settings
    }

    /// Replaces the tunables (an admin changed them); detectors keep their state.
    pub fn set_settings(&mut self, settings: EngineSettings) {
        self.settings = settings;
    }

    /// Starts a LIVE's detector afresh, its auto-post floors moved by the seller's learned
    /// `bar_shift` (0: the settings' floors, as for a LIVE never opened), replacing whatever was
    /// held for it. Called once per LIVE, so the bar costs its events nothing.
    pub fn open(&mut self, live_id: &str, bar_shift: f64) {
        self.lives.insert(live_id, Detector::with_bar_shift(bar_shift));
    }

    /// Feeds one event; returns the moments it confirms (usually none, rarely more than one).
    pub fn push(&mut self, e: &LiveEvent) -> Vec<Moment> {
        let mut out = Vec::new();
        self.lives.get_or_insert(&e.live_id).push(&self.settings, &e.live_id, e, &mut out);
        out
    }

    /// Feeds a batch of events in order; returns the moments they confirm. The same moments as
    /// [`Engine::push`] one event at a time, sooner: each event's detector is asked for a few
    /// events ahead, so with many LIVEs the cache misses of several events overlap.
    pub fn push_all(&mut self, events: &[LiveEvent]) -> Vec<Moment> {
        let hashes: Vec<u64> = events.iter().map(|e| lives::hash(&e.live_id)).collect();
        let mut out = Vec::new();
        for (i, (e, h)) in events.iter().zip(&hashes).enumerate() {
            if let Some(ahead) = hashes.get(i + AHEAD) {
                self.lives.prefetch(*ahead);
            }
            self.lives.get_or_insert_hashed(*h, &e.live_id).push(&self.settings, &e.live_id, e, &mut out);
        }
        out
    }

    /// Whether this engine has state for a LIVE.
    pub fn knows(&self, live_id: &str) -> bool {
        self.lives.get(live_id).is_some()
    }

    /// Ends every stream (input exhausted): confirms moments still open.
    pub fn flush_all(&mut self) -> Vec<Moment> {
        let mut out = Vec::new();
        for (id, d) in self.lives.iter_mut().filter(|(_, d)| !d.ended()) {
            d.flush(&self.settings, id, &mut out);
        }
        out.sort_by(|a, b| (a.identified_at_ms, &a.live_id).cmp(&(b.identified_at_ms, &b.live_id)));
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
        self.lives.bytes()
    }

    /// One LIVE's detection state as bytes, so another process can resume it exactly (a worker
    /// taking a partition over); `None` if this engine holds nothing for the LIVE.
    pub fn checkpoint(&self, live_id: &str) -> Option<Vec<u8>> {
        let d = self.lives.get(live_id)?;
        let mut out = vec![CHECKPOINT_FORMAT];
        // Serialising plain numbers into a growing Vec cannot fail.
        postcard::to_io(d, &mut out).ok()?;
        Some(out)
    }

    /// Resumes a LIVE from [`Engine::checkpoint`] bytes, replacing whatever was held for it.
    pub fn restore(&mut self, live_id: &str, bytes: &[u8]) -> Result<(), CheckpointError> {
        let (format, body) = bytes.split_first().ok_or(CheckpointError::Empty)?;
        if *format != CHECKPOINT_FORMAT {
            return Err(CheckpointError::Format(*format));
        }
        let d: Detector = postcard::from_bytes(body).map_err(CheckpointError::Decode)?;
        self.lives.insert(live_id, d);
        Ok(())
    }

    /// Events counted late across all LIVEs.
    pub fn late_events(&self) -> u64 {
        self.lives.iter().map(|(_, d)| d.late_events()).sum()
    }
}
