//! Background refresh while a screen is open, pull-to-refresh, cancellation and clean shutdown.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use super::syncer::Syncer;

/// Refresh interval used until remote config says otherwise.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(30);

/// A running background sync loop.
pub struct BackgroundSync {
    stop: watch::Sender<bool>,
    kick: Arc<Notify>,
    cancel: Arc<Notify>,
    task: JoinHandle<()>,
}

impl BackgroundSync {
    /// Starts syncing now and then every `refresh_interval_s` of remote config, on `runtime`.
    pub fn start(syncer: Arc<Syncer>, runtime: &tokio::runtime::Handle) -> Self {
        let (stop, mut stopped) = watch::channel(false);
        let kick = Arc::new(Notify::new());
        let cancel = Arc::new(Notify::new());
        // The outbox fires this when the seller queues an action, so it leaves the phone at once.
        let queued = syncer.core().queued.clone();
        let (s, k, c) = (syncer.clone(), kick.clone(), cancel.clone());
        let task = runtime.spawn(async move {
            loop {
                tokio::select! {
                    r = s.sync() => { let _ = r; }
                    _ = c.notified() => tracing::info!("sync cancelled"),
                    _ = stopped.changed() => return,
                }
                let interval = s.core().refresh_interval().unwrap_or(DEFAULT_INTERVAL);
                let retry = s.core().next_retry_in();
                let wait = retry.map_or(interval, |r| r.min(interval));
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = k.notified() => {}
                    _ = queued.notified() => {}
                    _ = stopped.changed() => return,
                }
            }
        });
        Self { stop, kick, cancel, task }
    }

    /// Pull-to-refresh: sync now instead of at the next interval.
    pub fn refresh_now(&self) {
        self.kick.notify_one();
    }

    /// Abandons the sync in flight (if any); what was already applied stays, the rest comes next time.
    pub fn cancel_in_flight(&self) {
        self.cancel.notify_one();
    }

    /// Stops the loop, abandoning any sync in flight, and waits for it to end.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}
