//! Reference backend of Auto LIVE Highlights: the REST API the app core syncs with, bearer auth,
//! the highlight engine, and an embedded SQLite store, so the whole system runs on one machine.

#![warn(missing_docs)]

pub mod admin;
pub mod app;
pub mod auth;
pub mod db;
pub mod engine_settings;
pub mod error;
pub mod highlighter;
pub mod idempotency;
pub mod listen;
pub mod routes;
pub mod serve;

pub use app::{AppState, router};
pub use db::Db;
