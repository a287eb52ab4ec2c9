//! The distributed mode: LIVE events go to a NATS JetStream log split into partitions by LIVE,
//! and workers that lease partitions apply them to the store (see README, "Past one machine").
//!
//! The API servers publish ([`EventLog::publish`]) and answer once JetStream stored the batch;
//! the workers ([`worker::run`]) read their partitions in order and apply each entry in one store
//! transaction with the partition's position and the LIVE's detector checkpoint, so a worker that
//! takes a partition over resumes exactly where the last commit left it.

mod log;
pub mod worker;

pub use log::{DEFAULT_RETENTION, EventLog, LogError, live_token};
