//! What a rule may ask about the cache and the world, so rules stay pure.

use highlights_api::Highlight;

use crate::CoreError;
use crate::view::{ProductRow, RecordingRow};

/// What a rule may ask about the cache and the world.
pub(crate) trait Facts {
    /// Now, in epoch ms.
    fn now_ms(&self) -> i64;
    /// A fresh random id, for a video not yet confirmed by the server.
    fn fresh_id(&self) -> Result<String, CoreError>;
    /// A cached recording.
    fn recording(&self, id: &str) -> Result<Option<RecordingRow>, CoreError>;
    /// The products of a cached recording.
    fn products(&self, recording_id: &str) -> Result<Vec<ProductRow>, CoreError>;
    /// A cached highlight.
    fn highlight(&self, id: &str) -> Result<Option<Highlight>, CoreError>;
}
