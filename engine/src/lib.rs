//! Highlight engine of Auto LIVE Highlights.
//!
//! Finds the moments of a LIVE that drive engagement, traffic and conversion, online (a decision at
//! stream time t uses only events up to t), and decides which are auto-posted under the caps.

// Per-signal arrays (window, baseline, z) are walked in lockstep by index; iterator zips read worse.
#![allow(clippy::needless_range_loop)]

mod bar;
pub mod chat;
mod detector;
mod engine;
pub mod eval;
pub mod event;
pub mod learn;
mod lives;
mod moment;
mod policy;
mod prefetch;
pub mod replay;
mod settings;
pub mod signals;
pub mod sim;
mod sketch;

pub use detector::Detector;
pub use engine::{CheckpointError, Engine};
pub use event::{EventKind, LiveEvent, Parsed, SkipReason};
pub use moment::Moment;
pub use policy::{CapCounter, Decision, Policy};
pub use settings::{EngineSettings, SignalWeights};
