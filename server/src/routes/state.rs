//! What every handler shares: the store and the engine host.

use std::sync::Arc;

use crate::engine_host::EngineHost;
use crate::store::Store;

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    /// The data.
    pub store: Arc<dyn Store>,
    /// The highlight engine.
    pub engine: EngineHost,
}
