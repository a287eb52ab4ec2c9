//! Background refresh while a screen is open, pull-to-refresh, cancellation and clean shutdown.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use super::Syncer;
use crate::{StateObserver, SubscriptionId, ViewState};

/// Refresh interval used until remote config says otherwise.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(30);

/// Kicks a sync when the seller queues a new action, so it leaves the phone at once.
struct ActionWatcher {
    kick: Arc<Notify>,
    pending: AtomicU32,
}

impl StateObserver for ActionWatcher {
    fn on_state(&self, state: &ViewState) {
        let before = self.pending.swap(state.sync.pending_actions, Ordering::Relaxed);
        if state.sync.pending_actions > before {
            self.kick.notify_one();
        }
    }
}

/// A running background sync loop.
pub struct BackgroundSync {
    stop: watch::Sender<bool>,
    kick: Arc<Notify>,
    cancel: Arc<Notify>,
    task: JoinHandle<()>,
    syncer: Arc<Syncer>,
    subscription: SubscriptionId,
}

impl BackgroundSync {
    /// Starts syncing now and then every `refresh_interval_s` of remote config, on `runtime`.
    pub fn start(syncer: Arc<Syncer>, runtime: &tokio::runtime::Handle) -> Self {
        let (stop, mut stopped) = watch::channel(false);
        let kick = Arc::new(Notify::new());
        let cancel = Arc::new(Notify::new());
        let watcher = Arc::new(ActionWatcher { kick: kick.clone(), pending: AtomicU32::new(0) });
        let subscription = syncer.core().subscribe(watcher).unwrap_or(0);
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
                    _ = stopped.changed() => return,
                }
            }
        });
        Self { stop, kick, cancel, task, syncer, subscription }
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
        self.syncer.core().unsubscribe(self.subscription);
    }
}
