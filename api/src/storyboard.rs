//! Frames to look at before playing: a clip's storyboard, and the recording's, strip by strip.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// A grid of frames in one JPEG: frame `i` is the tile at column `i % columns`, row
/// `i / columns`, and shows the clip (or strip) `i * interval_ms` after its start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Storyboard {
    /// Path of the JPEG on the API's host (the app makes it a full URL).
    pub url: String,
    /// Frames in the grid.
    pub frames: u32,
    /// Tiles per row.
    pub columns: u32,
    /// Width of one tile, in pixels.
    pub frame_width: u32,
    /// Height of one tile, in pixels.
    pub frame_height: u32,
    /// Time between frames, in ms.
    pub interval_ms: i64,
}

impl Storyboard {
    /// Whether the geometry describes a grid an app can cut tiles from: some frames, no more
    /// columns than frames, tiles of a sane size, frames moving forward in time.
    pub fn is_sane(&self) -> bool {
        (1..=1000).contains(&self.frames)
            && (1..=self.frames).contains(&self.columns)
            && (1..=4096).contains(&self.frame_width)
            && (1..=4096).contains(&self.frame_height)
            && self.interval_ms > 0
    }
}

/// One received stretch of a recording, as frames.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StoryboardStrip {
    /// Start of the stretch (epoch ms).
    pub start_ms: i64,
    /// End of the stretch (epoch ms).
    pub end_ms: i64,
    /// Its frames.
    pub storyboard: Storyboard,
}

/// A recording's frames so far, in time order: what the clip editor's timeline shows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RecordingStoryboard {
    /// Strips in time order; empty before any video arrived.
    pub strips: Vec<StoryboardStrip>,
}
