//! The loop every media worker runs: look for due jobs now and then, take them one after another
//! until none is due, and stop the moment the server does (the job under way abandoned, its lease
//! letting another worker take it later).

use std::future::Future;
use std::time::Duration;

use crate::store::StoreError;

/// Runs `next` (claim and do one job; `None` when nothing was due) until `stop` turns true:
/// every 300 ms, as many times in a row as jobs are due. `queue` names the jobs for the log.
pub(crate) async fn drain<T, F, Fut>(mut stop: tokio::sync::watch::Receiver<bool>, queue: &str, mut next: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, StoreError>>,
{
    let mut tick = tokio::time::interval(Duration::from_millis(300));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return,
        }
        loop {
            let done = tokio::select! {
                r = next() => r,
                _ = stop.changed() => return,
            };
            match done {
                Ok(Some(_)) => continue,
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!(error = %e, queue, "job queue unavailable; retrying");
                    break;
                }
            }
        }
    }
}
