//! Highlight engine of Auto LIVE Highlights.

pub mod event;

pub use event::{EventKind, LiveEvent, SkipReason};
