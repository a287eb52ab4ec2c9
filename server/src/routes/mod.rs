//! The REST API, one module per concept; the OpenAPI document is collected from the same routes.

pub mod changes;
pub mod config;
pub mod highlights;
pub mod ingest;
pub mod lives;
pub mod settings;
pub mod videos;
