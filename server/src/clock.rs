//! The server's wall clock.

/// The server's notion of "now" for posting and for checking ingested times (epoch ms); the wall
/// clock unless a demo speeds it up.
pub type Clock = std::sync::Arc<dyn Fn() -> i64 + Send + Sync>;

/// Milliseconds since the epoch, server clock.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}
