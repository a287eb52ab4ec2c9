//! The sync layer's port into the core: server changes in, outbox entries out, how each delivery
//! settled back. Crate-private: shells sync through [`Syncer`](super::Syncer), never through this.
//!
//! Each call takes the core's lock once and, when the screens change, publishes the new view
//! built under that same lock.

use std::time::Duration;

use highlights_api::Changes;

use crate::model::OutboxEntry;
use crate::store::Settled;
use crate::{CoreError, HighlightsCore};

/// A sync in progress, as the screens see it; dropping it ends it.
pub(crate) struct SyncRunning<'a>(&'a HighlightsCore);

impl Drop for SyncRunning<'_> {
    fn drop(&mut self) {
        self.0.count_sync(-1);
    }
}

impl HighlightsCore {
    /// The change cursor to resume the next pull from.
    pub(crate) fn change_cursor(&self) -> Result<i64, CoreError> {
        Ok(self.lock().store.cursor()?)
    }

    /// Applies one page of server changes atomically and refreshes the screens.
    pub(crate) fn apply_page(&self, changes: &Changes) -> Result<(), CoreError> {
        let now = self.clock.now_ms();
        let view = {
            let mut state = self.lock();
            state.store.apply_changes(changes, now)?;
            if changes.config.is_some() {
                state.model.config = changes.config.clone();
            }
            if changes.experiments.is_some() {
                state.model.experiments = changes.experiments.clone();
            }
            state.model.last_synced = Some(now);
            state.model.online = true;
            state.refresh()?;
            self.stamped(&state)?
        };
        self.delivery.deliver(view);
        Ok(())
    }

    /// Seller actions waiting for delivery, oldest first, and the settings version they are based on.
    pub(crate) fn queued_actions(&self) -> Vec<OutboxEntry> {
        self.lock().model.pending.clone()
    }

    /// The settings version last confirmed by the server, if any.
    pub(crate) fn settings_version(&self) -> Option<i64> {
        self.lock().model.server.as_ref().map(|s| s.version)
    }

    /// Stores how a delivery ended and drops the action, in one transaction.
    pub(crate) fn settle_action(&self, entry_id: i64, how: &Settled) -> Result<(), CoreError> {
        let now = self.clock.now_ms();
        let view = {
            let mut state = self.lock();
            state.store.settle(entry_id, how, now)?;
            state.model.pending.retain(|e| e.id != entry_id);
            state.refresh()?;
            self.stamped(&state)?
        };
        self.delivery.deliver(view);
        Ok(())
    }

    /// A delivery failed for now; try again no earlier than `next_attempt_at_ms`.
    pub(crate) fn retry_action_at(&self, entry_id: i64, next_attempt_at_ms: i64) -> Result<(), CoreError> {
        let mut state = self.lock();
        state.store.reschedule(entry_id, next_attempt_at_ms)?;
        if let Some(e) = state.model.pending.iter_mut().find(|e| e.id == entry_id) {
            e.attempts += 1;
            e.next_attempt_at_ms = next_attempt_at_ms;
        }
        Ok(())
    }

    /// The core's clock, for retry times.
    pub(crate) fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Background refresh interval from remote config, once synced.
    pub(crate) fn refresh_interval(&self) -> Option<Duration> {
        self.lock().model.config.as_ref().map(|c| Duration::from_secs(u64::from(c.refresh_interval_s.max(1))))
    }

    /// Time until the earliest queued action may be retried, if any is waiting.
    pub(crate) fn next_retry_in(&self) -> Option<Duration> {
        let now = self.clock.now_ms();
        let state = self.lock();
        let at = state.model.pending.iter().map(|e| e.next_attempt_at_ms).min()?;
        Some(Duration::from_millis((at - now).max(0) as u64))
    }

    /// Marks a sync as running until the returned guard drops (also when the sync is cancelled),
    /// so the screens tell loading from offline. The count changes before anything can fail, so
    /// the guard always takes it back.
    pub(crate) fn sync_started(&self) -> SyncRunning<'_> {
        self.count_sync(1);
        SyncRunning(self)
    }

    /// Counts a sync in or out and shows it; a view that cannot be built now only means the
    /// screens learn it with the next change.
    fn count_sync(&self, delta: i32) {
        let view = {
            let mut state = self.lock();
            let m = &mut state.model;
            if delta > 0 {
                m.syncing += 1;
            } else {
                m.syncing = m.syncing.saturating_sub(1);
                m.attempted = true;
            }
            self.stamped(&state)
        };
        match view {
            Ok(view) => self.delivery.deliver(view),
            Err(e) => tracing::warn!(error = %e, "could not show the sync's progress"),
        }
    }

    /// Records whether the server was reachable, for the offline indicator.
    pub(crate) fn set_online(&self, online: bool) -> Result<(), CoreError> {
        let view = {
            let mut state = self.lock();
            if std::mem::replace(&mut state.model.online, online) == online {
                return Ok(());
            }
            self.stamped(&state)?
        };
        self.delivery.deliver(view);
        Ok(())
    }
}
