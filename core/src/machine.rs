//! The core itself: events in, view state out, every change persisted before it is shown.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use highlights_api::{Experiments, Highlight, HighlightKind, HighlightStatus, RemoteConfig, Settings};
use rusqlite::{Connection, OptionalExtension, params};

use crate::clock::{Clock, SystemClock};
use crate::error::check_id;
use crate::outbox::{self, Action, OutboxEntry};
use crate::settings::{Effective, effective, popup_due};
use crate::view::*;
use crate::{CoreError, Event, cache, db, module, present};

/// Receives a fresh view state after every change; implemented by the shells.
pub trait StateObserver: Send + Sync {
    /// Called with the whole new state; must not block.
    fn on_state(&self, state: &ViewState);
}

/// Handle of a subscription, to end it.
pub type SubscriptionId = u64;

/// Message shown when the cache had to be rebuilt from scratch.
const REBUILT_NOTICE: &str =
    "Highlights data on this device was damaged and has been reset; it reloads from the server.";

/// Stores a message for the seller; shown until dismissed, across restarts.
pub(crate) fn add_notice(conn: &Connection, seller: &str, message: &str, now_ms: i64) -> Result<(), CoreError> {
    conn.prepare_cached("INSERT INTO notices (seller_id, message, created_at_ms) VALUES (?1, ?2, ?3)")?
        .execute(params![seller, message, now_ms])?;
    Ok(())
}

pub(crate) struct Inner {
    pub conn: Connection,
    pub seller: String,
    pub clock: Arc<dyn Clock>,
    pub server_settings: Option<Settings>,
    pub config: Option<RemoteConfig>,
    pub experiments: Option<Experiments>,
    pub pending: Vec<OutboxEntry>,
    pub screen: Screen,
    pub onboarding: Option<OnboardingOrigin>,
    pub popup: bool,
    pub module: Vec<RecordingRow>,
    pub module_has_more: bool,
    pub recording: Option<String>,
    pub online: bool,
    pub last_synced: Option<i64>,
    pub notice: Option<Notice>,
}

/// The app core of Auto LIVE Highlights for one signed-in seller.
///
/// Thread-safe: shells and the sync layer may call it from any thread.
pub struct HighlightsCore {
    inner: Mutex<Inner>,
    observers: Mutex<Vec<(SubscriptionId, Arc<dyn StateObserver>)>>,
    next_subscription: std::sync::atomic::AtomicU64,
}

impl HighlightsCore {
    /// Opens the cache at `db_path` for `seller_id`, creating or repairing it as needed.
    pub fn open(db_path: &Path, seller_id: &str) -> Result<Self, CoreError> {
        Self::open_with_clock(db_path, seller_id, Arc::new(SystemClock))
    }

    /// Like [`HighlightsCore::open`], reading time from `clock`.
    pub fn open_with_clock(db_path: &Path, seller_id: &str, clock: Arc<dyn Clock>) -> Result<Self, CoreError> {
        check_id("seller", seller_id)?;
        let (conn, rebuilt) = db::open(db_path)?;
        let seller = seller_id.to_string();
        if rebuilt.is_some() {
            add_notice(&conn, &seller, REBUILT_NOTICE, clock.now_ms())?;
        }
        let mut inner = Inner {
            server_settings: cache::settings(&conn, &seller)?,
            config: cache::config(&conn, &seller)?,
            experiments: cache::experiments(&conn, &seller)?,
            pending: outbox::load(&conn, &seller)?,
            last_synced: cache::last_synced(&conn, &seller)?,
            conn,
            seller,
            clock,
            screen: Screen::Products,
            onboarding: None,
            popup: false,
            module: Vec::new(),
            module_has_more: false,
            recording: None,
            online: false,
            notice: None,
        };
        inner.reload_notice()?;
        Ok(Self {
            inner: Mutex::new(inner),
            observers: Mutex::new(Vec::new()),
            next_subscription: std::sync::atomic::AtomicU64::new(1),
        })
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere must not turn every later call into a panic across the FFI.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Handles one seller event; on error nothing changed and the last good state stays.
    pub fn dispatch(&self, event: Event) -> Result<(), CoreError> {
        let state = {
            let mut inner = self.lock();
            inner.handle(event)?;
            inner.view()?
        };
        self.publish(&state);
        Ok(())
    }

    /// The current view state.
    pub fn view(&self) -> Result<ViewState, CoreError> {
        self.lock().view()
    }

    /// Registers an observer; it gets the current state at once and every change after.
    pub fn subscribe(&self, observer: Arc<dyn StateObserver>) -> Result<SubscriptionId, CoreError> {
        let id = self.next_subscription.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let state = self.view()?;
        observer.on_state(&state);
        self.observers.lock().unwrap_or_else(|e| e.into_inner()).push((id, observer));
        Ok(id)
    }

    /// Ends a subscription; unknown ids are ignored.
    pub fn unsubscribe(&self, id: SubscriptionId) {
        self.observers.lock().unwrap_or_else(|e| e.into_inner()).retain(|(i, _)| *i != id);
    }

    /// The seller this core serves.
    pub fn seller_id(&self) -> String {
        self.lock().seller.clone()
    }

    /// Sends `state` to every observer, outside the core's lock so observers may call back in.
    pub(crate) fn publish(&self, state: &ViewState) {
        let observers: Vec<_> =
            self.observers.lock().unwrap_or_else(|e| e.into_inner()).iter().map(|(_, o)| o.clone()).collect();
        for o in observers {
            o.on_state(state);
        }
    }

    /// Rebuilds the view and tells observers; used after the sync layer changed the cache.
    pub(crate) fn republish(&self) -> Result<(), CoreError> {
        let state = self.lock().view()?;
        self.publish(&state);
        Ok(())
    }
}

impl Inner {
    pub(crate) fn effective(&self) -> Effective {
        effective(self.server_settings.as_ref(), &self.pending)
    }

    /// Queues actions in one transaction; only once it commits do they count as done.
    fn enqueue(&mut self, actions: &[Action]) -> Result<(), CoreError> {
        let now = self.clock.now_ms();
        let tx = self.conn.transaction()?;
        let mut added = Vec::with_capacity(actions.len());
        for a in actions {
            added.push(outbox::enqueue(&tx, &self.seller, a, now)?);
        }
        tx.commit()?;
        self.pending.extend(added);
        Ok(())
    }

    fn handle(&mut self, event: Event) -> Result<(), CoreError> {
        match event {
            Event::OpenHighlights => self.screen = Screen::Highlights,
            Event::OpenModule => self.open_module()?,
            Event::LoadMoreRecordings => self.load_more()?,
            Event::OpenRecording { recording_id } => {
                check_id("recording", &recording_id)?;
                if module::recording(&self.conn, &self.seller, &recording_id)?.is_none() {
                    return Err(CoreError::UnknownRecording { id: recording_id });
                }
                self.recording = Some(recording_id);
                self.screen = Screen::Recording;
            }
            Event::Back => self.back()?,
            Event::SetToggle { on } => self.set_toggle(on)?,
            Event::ConfirmOnboarding => {
                if self.onboarding.is_none() {
                    return Err(CoreError::NotAllowed { reason: "the onboarding overlay is not shown".into() });
                }
                let mut actions = vec![Action::CompleteOnboarding];
                if !self.effective().highlights_on {
                    actions.push(Action::SetHighlights { on: true });
                }
                self.enqueue(&actions)?;
                self.onboarding = None;
                self.popup = false;
                self.open_module()?;
            }
            Event::DismissOnboarding => self.onboarding = None,
            Event::ShoppingBagTapped => {
                let now = self.clock.now_ms();
                let due =
                    !self.popup && popup_due(&self.effective(), self.config.as_ref(), self.experiments.as_ref(), now);
                if due {
                    self.enqueue(&[Action::PopupShown])?;
                    self.popup = true;
                }
            }
            Event::PopupTurnOn => {
                self.require_popup()?;
                self.popup = false;
                self.set_toggle(true)?;
                if self.onboarding.is_some() {
                    self.onboarding = Some(OnboardingOrigin::Popup);
                }
            }
            Event::PopupDismiss => {
                self.require_popup()?;
                let at_ms = self.clock.now_ms();
                self.enqueue(&[Action::PopupDismissed { at_ms }])?;
                self.popup = false;
            }
            Event::PostRecommendation { highlight_id } => {
                let h = self.highlight(&highlight_id)?;
                if h.kind != HighlightKind::Recommendation || h.status != HighlightStatus::Suggested {
                    return Err(CoreError::NotAllowed {
                        reason: format!("highlight {highlight_id} is not a recommendation to post"),
                    });
                }
                self.require_not_pending(&highlight_id)?;
                self.enqueue(&[Action::PostRecommendation { highlight_id, live_id: h.live_id }])?;
            }
            Event::RemoveHighlight { highlight_id } => {
                let h = self.highlight(&highlight_id)?;
                if !matches!(h.status, HighlightStatus::Scheduled | HighlightStatus::Posted) {
                    return Err(CoreError::NotAllowed {
                        reason: format!("highlight {highlight_id} is not on the profile"),
                    });
                }
                self.require_not_pending(&highlight_id)?;
                self.enqueue(&[Action::RemoveHighlight { highlight_id, live_id: h.live_id }])?;
            }
            Event::CreateVideo { recording_id, start_ms, end_ms, product_id } => {
                crate::video::validate(self, &recording_id, start_ms, end_ms, &product_id)?;
                let local_id = format!("local-{}", outbox::new_key()?);
                self.enqueue(&[Action::CreateVideo { local_id, live_id: recording_id, start_ms, end_ms, product_id }])?;
            }
            Event::DismissNotice { id } => {
                self.conn.execute("DELETE FROM notices WHERE seller_id = ?1 AND id = ?2", params![self.seller, id])?;
                self.reload_notice()?;
            }
        }
        Ok(())
    }

    fn set_toggle(&mut self, on: bool) -> Result<(), CoreError> {
        let eff = self.effective();
        if eff.highlights_on == on {
            return Ok(());
        }
        if on && !eff.onboarding_completed {
            // Whatever the entry point, the first turn-on goes through the overlay.
            self.onboarding = Some(OnboardingOrigin::Toggle);
            return Ok(());
        }
        self.enqueue(&[Action::SetHighlights { on }])
    }

    fn require_popup(&self) -> Result<(), CoreError> {
        if self.popup { Ok(()) } else { Err(CoreError::NotAllowed { reason: "the pop-up is not shown".into() }) }
    }

    fn require_not_pending(&self, highlight_id: &str) -> Result<(), CoreError> {
        let busy = self.pending.iter().any(|e| match &e.action {
            Action::PostRecommendation { highlight_id: h, .. } | Action::RemoveHighlight { highlight_id: h, .. } => {
                h == highlight_id
            }
            _ => false,
        });
        if busy {
            return Err(CoreError::NotAllowed {
                reason: format!("highlight {highlight_id} already has a change on its way"),
            });
        }
        Ok(())
    }

    fn highlight(&self, id: &str) -> Result<Highlight, CoreError> {
        check_id("highlight", id)?;
        cache::highlight(&self.conn, &self.seller, id)?
            .ok_or_else(|| CoreError::UnknownHighlight { id: id.to_string() })
    }

    fn back(&mut self) -> Result<(), CoreError> {
        if self.onboarding.take().is_some() {
            return Ok(());
        }
        if self.popup {
            // System back on the pop-up means the same as its X.
            return self.handle(Event::PopupDismiss);
        }
        self.screen = match self.screen {
            Screen::Recording => {
                self.recording = None;
                Screen::Module
            }
            Screen::Module => Screen::Highlights,
            Screen::Highlights | Screen::Products => Screen::Products,
        };
        Ok(())
    }

    /// Fetches one page past `after`, and whether another follows.
    fn fetch_page(&self, after: Option<&RecordingRow>, limit: u32) -> Result<(Vec<RecordingRow>, bool), CoreError> {
        let mut rows = module::page(&self.conn, &self.seller, after, limit + 1)?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        Ok((rows, more))
    }

    fn open_module(&mut self) -> Result<(), CoreError> {
        let (rows, more) = self.fetch_page(None, module::PAGE_SIZE)?;
        self.module = rows;
        self.module_has_more = more;
        self.recording = None;
        self.screen = Screen::Module;
        Ok(())
    }

    fn load_more(&mut self) -> Result<(), CoreError> {
        if !self.module_has_more {
            return Ok(());
        }
        let (rows, more) = self.fetch_page(self.module.last(), module::PAGE_SIZE)?;
        self.module.extend(rows);
        self.module_has_more = more;
        Ok(())
    }

    /// Re-reads the pages already loaded, after the cache changed underneath them.
    pub(crate) fn reload_module(&mut self) -> Result<(), CoreError> {
        if self.module.is_empty() && !matches!(self.screen, Screen::Module | Screen::Recording) {
            return Ok(());
        }
        let limit = (self.module.len() as u32).max(module::PAGE_SIZE);
        let (rows, more) = self.fetch_page(None, limit)?;
        self.module = rows;
        self.module_has_more = more;
        if let Some(id) = &self.recording
            && module::recording(&self.conn, &self.seller, id)?.is_none()
        {
            self.recording = None;
            self.screen = Screen::Module;
        }
        Ok(())
    }

    pub(crate) fn reload_notice(&mut self) -> Result<(), CoreError> {
        self.notice = self
            .conn
            .prepare_cached("SELECT id, message FROM notices WHERE seller_id = ?1 ORDER BY id LIMIT 1")?
            .query_row([&self.seller], |r| Ok(Notice { id: r.get(0)?, message: r.get(1)? }))
            .optional()?;
        Ok(())
    }

    pub(crate) fn view(&self) -> Result<ViewState, CoreError> {
        let eff = self.effective();
        let limits = self.config.as_ref().map(present::limits);
        let mut module = ModuleScreen { recordings: self.module.clone(), has_more: self.module_has_more };
        if self.pending.iter().any(|e| !e.action.is_settings()) {
            for r in &mut module.recordings {
                present::adjust_counts(r, &self.pending);
            }
        }
        let recording = match &self.recording {
            Some(id) => present::recording(&self.conn, &self.seller, id, &self.pending)?,
            None => None,
        };
        Ok(ViewState {
            screen: self.screen,
            toggle: ToggleScreen { on: eff.highlights_on, pending: eff.toggle_pending, limits: limits.clone() },
            onboarding: self.onboarding.map(|origin| OnboardingOverlay { origin, limits }),
            popup: self.popup.then(|| AutoPostPopup {
                max_posts_per_live: self.config.as_ref().map_or(0, |c| c.max_posts_per_live),
            }),
            module,
            recording,
            sync: SyncIndicator {
                online: self.online,
                last_updated_ms: self.last_synced,
                pending_actions: self.pending.len() as u32,
            },
            notice: self.notice.clone(),
        })
    }
}
