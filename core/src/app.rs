//! The core a shell holds: events in, the model's rules applied, their effects run against the
//! store, and a fresh view state out to every observer.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use highlights_api::Highlight;

use crate::clock::{Clock, SystemClock};
use crate::delivery::{Delivery, Stamped, StateObserver, SubscriptionId};
use crate::error::check_id;
use crate::model::{self, Effect, Facts, Model};
use crate::screens::{ModuleList, view_state};
use crate::store::Store;
use crate::view::{Notice, ProductRow, RecordingRow, Screen};
use crate::{CoreError, Event, ViewState};

/// Message shown when the cache had to be rebuilt from scratch.
const REBUILT_NOTICE: &str =
    "Highlights data on this device was damaged and has been reset; it reloads from the server.";

/// The state behind the core's lock: the model, the cache, and what the screens have loaded.
pub(crate) struct State {
    pub model: Model,
    pub store: Store,
    pub module: ModuleList,
    pub notice: Option<Notice>,
}

/// The app core of Auto LIVE Highlights for one signed-in seller.
///
/// Thread-safe: shells and the sync layer may call it from any thread.
pub struct HighlightsCore {
    state: Mutex<State>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) delivery: Delivery,
    next_subscription: AtomicU64,
    /// Fired by the outbox when an action is queued.
    pub(crate) queued: Arc<tokio::sync::Notify>,
}

/// The store and clock as the model's [`Facts`].
struct StoreFacts<'a> {
    store: &'a Store,
    clock: &'a dyn Clock,
}

impl Facts for StoreFacts<'_> {
    fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
    fn fresh_id(&self) -> Result<String, CoreError> {
        Ok(crate::store::random_key()?)
    }
    fn recording(&self, id: &str) -> Result<Option<RecordingRow>, CoreError> {
        Ok(self.store.recording(id)?)
    }
    fn products(&self, recording_id: &str) -> Result<Vec<ProductRow>, CoreError> {
        Ok(self.store.products(recording_id)?)
    }
    fn highlight(&self, id: &str) -> Result<Option<Highlight>, CoreError> {
        Ok(self.store.highlight(id)?)
    }
}

impl HighlightsCore {
    /// Opens the cache at `db_path` for `seller_id`, creating or repairing it as needed.
    pub fn open(db_path: &Path, seller_id: &str) -> Result<Self, CoreError> {
        Self::open_inner(db_path, seller_id, Arc::new(SystemClock))
    }

    /// Like [`HighlightsCore::open`], reading time from `clock` (tests and replays).
    #[cfg(feature = "testing")]
    pub fn open_with_clock(db_path: &Path, seller_id: &str, clock: Arc<dyn Clock>) -> Result<Self, CoreError> {
        Self::open_inner(db_path, seller_id, clock)
    }

    fn open_inner(db_path: &Path, seller_id: &str, clock: Arc<dyn Clock>) -> Result<Self, CoreError> {
        check_id("seller", seller_id)?;
        let (store, rebuilt) = Store::open(db_path, seller_id)?;
        if rebuilt.is_some() {
            store.add_notice(crate::view::NoticeKind::CacheReset, REBUILT_NOTICE, clock.now_ms())?;
        }
        let model = Model {
            server: store.settings()?,
            config: store.config()?,
            experiments: store.experiments()?,
            pending: store.outbox()?,
            last_synced: store.last_synced()?,
            ..Model::default()
        };
        let notice = store.first_notice()?;
        let queued = store.queued_signal();
        Ok(Self {
            state: Mutex::new(State { model, store, module: ModuleList::default(), notice }),
            clock,
            delivery: Delivery::default(),
            next_subscription: AtomicU64::new(1),
            queued,
        })
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere must not turn every later call into a panic across the FFI.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Handles one seller event; on error nothing changed and the last good state stays.
    pub fn dispatch(&self, event: Event) -> Result<(), CoreError> {
        let view = {
            let mut state = self.lock();
            state.handle(event, self.clock.as_ref())?;
            self.stamped(&state)?
        };
        self.delivery.deliver(view);
        Ok(())
    }

    /// The current view state.
    pub fn view(&self) -> Result<ViewState, CoreError> {
        self.lock().view()
    }

    /// Registers an observer; it gets the current state and every change after, in order.
    pub fn subscribe(&self, observer: Arc<dyn StateObserver>) -> Result<SubscriptionId, CoreError> {
        let id = self.next_subscription.fetch_add(1, Ordering::Relaxed);
        // Added first, so a view another thread delivers meanwhile reaches it too.
        self.delivery.add(id, observer);
        let view = self.stamped(&self.lock());
        match view {
            Ok(view) => {
                self.delivery.deliver(view);
                Ok(id)
            }
            Err(e) => {
                self.delivery.remove(id);
                Err(e)
            }
        }
    }

    /// Ends a subscription; unknown ids are ignored.
    pub fn unsubscribe(&self, id: SubscriptionId) {
        self.delivery.remove(id);
    }

    /// Makes the view of `state` (whose lock the caller holds) with its place in the order.
    pub(crate) fn stamped(&self, state: &State) -> Result<Stamped, CoreError> {
        Ok(self.delivery.stamp(state.view()?))
    }
}

impl State {
    /// Applies the model's rule for `event` and runs its effects; the navigation changes only
    /// once they all succeeded.
    fn handle(&mut self, event: Event, clock: &dyn Clock) -> Result<(), CoreError> {
        let step = model::update(&self.model, event, &StoreFacts { store: &self.store, clock })?;
        for effect in step.effects {
            match effect {
                Effect::LoadModule => self.module.load_first(&self.store)?,
                Effect::LoadMoreRecordings => self.module.load_more(&self.store)?,
                Effect::DismissNotification(id) => self.store.dismiss_notification(id)?,
                Effect::DismissNotice(id) => {
                    self.store.dismiss_notice(id)?;
                    self.notice = self.store.first_notice()?;
                }
                Effect::Enqueue(actions) => {
                    let added = self.store.enqueue(&actions, clock.now_ms(), 0)?;
                    self.model.pending.extend(added);
                }
                Effect::EnqueueHeld(action, hold_ms) => {
                    let now = clock.now_ms();
                    let added = self.store.enqueue(&[action], now, now + hold_ms)?;
                    self.model.pending.extend(added);
                }
                Effect::Unqueue(id) => {
                    if !self.store.unqueue(id, clock.now_ms())? {
                        return Err(CoreError::NotAllowed { reason: "the removal has already been sent".into() });
                    }
                    self.model.pending.retain(|e| e.id != id);
                }
            }
        }
        self.model.nav = step.nav;
        self.model.settle();
        Ok(())
    }

    /// Re-reads what the screens show after the cache changed underneath them (a sync, a
    /// delivery), and lets the model close what is gone.
    pub(crate) fn refresh(&mut self) -> Result<(), CoreError> {
        self.model.server = self.store.settings()?;
        self.notice = self.store.first_notice()?;
        let nav = &self.model.nav;
        if !self.module.rows.is_empty() || matches!(nav.screen, Screen::Module | Screen::Recording) {
            self.module.reload(&self.store)?;
        }
        if let Some(id) = &self.model.nav.recording
            && self.store.recording(id)?.is_none()
        {
            self.model.close_missing_recording();
        }
        self.model.settle();
        Ok(())
    }

    pub(crate) fn view(&self) -> Result<ViewState, CoreError> {
        Ok(view_state(&self.model, &self.module, self.notice.as_ref(), &self.store)?)
    }
}
