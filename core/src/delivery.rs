//! Fresh view states to the shell's observers, in the order the core made them, whichever
//! thread made them.
//!
//! The core makes a view under its lock and hands it to observers outside it, so they may call
//! back in. Two threads (a seller's tap and a background delivery, say) could then hand their
//! views over in the opposite order and leave a screen on a state older than the core's. So each
//! view is stamped under the core's lock, and one thread at a time delivers: a view older than
//! one already handed over is dropped, and a view made while another thread is delivering is
//! delivered by that thread next (only the newest: each state supersedes the ones before it).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::ViewState;

/// Receives a fresh view state after every change; implemented by the shells.
pub trait StateObserver: Send + Sync {
    /// Called with the whole new state; must not block.
    fn on_state(&self, state: &ViewState);
}

/// Handle of a subscription, to end it.
pub type SubscriptionId = u64;

/// A view state and its place in the order the core made them.
pub(crate) struct Stamped(u64, ViewState);

/// What waits to be delivered.
#[derive(Default)]
struct Queue {
    /// Stamp of the newest view handed over.
    newest: u64,
    waiting: Option<ViewState>,
    delivering: bool,
}

/// The observers and the views on their way to them.
#[derive(Default)]
pub(crate) struct Delivery {
    observers: Mutex<Vec<(SubscriptionId, Arc<dyn StateObserver>)>>,
    stamps: AtomicU64,
    queue: Mutex<Queue>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // An observer that panicked must not stop every later state.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Lets another thread deliver again if an observer panics mid-delivery.
struct Unwinding<'a>(&'a Mutex<Queue>);

impl Drop for Unwinding<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            lock(self.0).delivering = false;
        }
    }
}

impl Delivery {
    /// Gives `view` its place in the order; call it holding the core's lock the view was made under.
    pub fn stamp(&self, view: ViewState) -> Stamped {
        Stamped(self.stamps.fetch_add(1, Ordering::Relaxed) + 1, view)
    }

    /// Adds an observer; it gets the next view delivered.
    pub fn add(&self, id: SubscriptionId, observer: Arc<dyn StateObserver>) {
        lock(&self.observers).push((id, observer));
    }

    /// Removes an observer; unknown ids are ignored.
    pub fn remove(&self, id: SubscriptionId) {
        lock(&self.observers).retain(|(i, _)| *i != id);
    }

    /// Hands `view` to every observer, unless a newer one was handed over already.
    pub fn deliver(&self, Stamped(stamp, view): Stamped) {
        {
            let mut q = lock(&self.queue);
            if stamp <= q.newest {
                return;
            }
            q.newest = stamp;
            q.waiting = Some(view);
            if q.delivering {
                return;
            }
            q.delivering = true;
        }
        let _unwinding = Unwinding(&self.queue);
        loop {
            let view = {
                let mut q = lock(&self.queue);
                match q.waiting.take() {
                    Some(view) => view,
                    None => {
                        q.delivering = false;
                        return;
                    }
                }
            };
            let observers: Vec<_> = lock(&self.observers).iter().map(|(_, o)| o.clone()).collect();
            for o in observers {
                o.on_state(&view);
            }
        }
    }
}
