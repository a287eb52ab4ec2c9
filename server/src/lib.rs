//! Reference backend of Auto LIVE Highlights: the REST API the app core syncs with, bearer auth,
//! the highlight engine, and an embedded SQLite store, so the whole system runs on one machine.
//!
//! `routes/` parse requests and map answers, `store/` holds the data and its rules behind the
//! `Store` trait, `engine_host` runs the detectors, `media` keeps recordings and renders videos
//! with ffmpeg, `serve` wires them to a listener, the posting scheduler and the render workers;
//! `cluster` is the distributed mode (a NATS JetStream event log read by partition workers).
//! Facing the open internet: `listen` caps connections (in all and per `client` address),
//! `connection` closes stalled responses and gives hyper's own refusals JSON bodies, `rate` limits requests per token and per address, `window` bounds the times
//! ingested events may carry (docs/deployment.md).

pub mod client;
pub mod clock;
pub mod cluster;
pub mod connection;
pub mod engine_host;
pub mod listen;
pub mod media;
pub mod private;
pub mod rate;
pub mod routes;
pub mod serve;
pub mod store;
pub mod subtitles;
pub mod tls;
pub mod window;

pub use routes::{AppState, router};
pub use store::{SqliteStore, Store, StoreError};

/// An error with its causes, on one line, for a log or a refusal to start: a store's error says
/// "postgres", its source says why.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}
