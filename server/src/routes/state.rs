//! What every handler shares: the store, the engine host and the media.

use std::path::PathBuf;
use std::sync::Arc;

use crate::clock::Clock;
use crate::cluster::EventLog;
use crate::engine_host::EngineHost;
use crate::media::{Ffmpeg, MediaStore};
use crate::rate::Throttle;
use crate::store::Store;
use crate::window::IngestWindow;

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    /// The data.
    pub store: Arc<dyn Store>,
    /// The highlight engine.
    pub engine: EngineHost,
    /// Recordings and rendered videos.
    pub media: Arc<dyn MediaStore>,
    /// The media programs, when installed (segments are probed with them).
    pub ffmpeg: Option<Ffmpeg>,
    /// Local scratch space for probing.
    pub scratch: PathBuf,
    /// The speech recogniser, when this deployment turns LIVEs' sound into captions: received
    /// segments are then queued for it (and the privacy notice says so).
    pub speech: Option<Arc<dyn crate::media::Recognizer>>,
    /// The event log in the distributed mode: ingestion appends to it and workers store what
    /// it holds. `None`: this process ingests into the store itself.
    pub log: Option<EventLog>,
    /// The request rate limits and what they have counted.
    pub throttle: Arc<Throttle>,
    /// The server's clock, which ingested times are checked against.
    pub clock: Clock,
    /// The times an ingested event or segment may carry, around the server's clock.
    pub window: IngestWindow,
}
