//! The surface the sync layer drives: server changes in, outbox entries out, delivery outcomes back.

use highlights_api::{Changes, Highlight, Settings};

use crate::outbox::{self, OutboxEntry};
use crate::{CoreError, HighlightsCore, cache};

/// What the server answered to a delivered action, applied together with removing it from the outbox.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivered {
    /// The settings after the change.
    Settings(Settings),
    /// The highlight after the change (posted, removed or newly created).
    Highlight(Highlight),
    /// Nothing to apply.
    Nothing,
}

impl HighlightsCore {
    /// The change cursor to resume the next pull from.
    pub fn sync_cursor(&self) -> Result<i64, CoreError> {
        let inner = self.lock();
        cache::cursor(&inner.conn, &inner.seller)
    }

    /// Applies one page of server changes atomically and refreshes the screens.
    pub fn apply_changes(&self, changes: &Changes) -> Result<(), CoreError> {
        {
            let mut inner = self.lock();
            let now = inner.clock.now_ms();
            let seller = inner.seller.clone();
            cache::apply_changes(&mut inner.conn, &seller, changes, now)?;
            if changes.config.is_some() {
                inner.config = changes.config.clone();
            }
            if changes.experiments.is_some() {
                inner.experiments = changes.experiments.clone();
            }
            inner.server_settings = cache::settings(&inner.conn, &seller)?;
            inner.last_synced = Some(now);
            inner.online = true;
            inner.reload_module()?;
        }
        self.republish()
    }

    /// Seller actions waiting for delivery, oldest first.
    pub fn pending_actions(&self) -> Vec<OutboxEntry> {
        self.lock().pending.clone()
    }

    /// The server accepted an action: apply its answer and drop the action, in one transaction.
    pub fn action_delivered(&self, entry_id: i64, outcome: Delivered) -> Result<(), CoreError> {
        self.finish(entry_id, |tx, seller| match &outcome {
            Delivered::Settings(s) => cache::save_settings(tx, seller, s),
            Delivered::Highlight(h) => cache::upsert_highlight(tx, seller, h),
            Delivered::Nothing => Ok(()),
        })
    }

    /// The server refused an action for good: drop it, tell the seller, fall back to the server's state.
    pub fn action_rejected(&self, entry_id: i64, message: &str) -> Result<(), CoreError> {
        let now = self.now_ms();
        self.finish(entry_id, move |tx, seller| crate::machine::add_notice(tx, seller, message, now))
    }

    /// A delivery failed for now; try again no earlier than `next_attempt_at_ms`.
    pub fn action_retry_at(&self, entry_id: i64, next_attempt_at_ms: i64) -> Result<(), CoreError> {
        let mut inner = self.lock();
        let seller = inner.seller.clone();
        outbox::reschedule(&inner.conn, &seller, entry_id, next_attempt_at_ms)?;
        if let Some(e) = inner.pending.iter_mut().find(|e| e.id == entry_id) {
            e.attempts += 1;
            e.next_attempt_at_ms = next_attempt_at_ms;
        }
        Ok(())
    }

    /// The core's clock, for retry times.
    pub fn now_ms(&self) -> i64 {
        self.lock().clock.now_ms()
    }

    /// The settings version last confirmed by the server, if any.
    pub fn settings_version(&self) -> Option<i64> {
        self.lock().server_settings.as_ref().map(|s| s.version)
    }

    /// Background refresh interval from remote config, once synced.
    pub fn refresh_interval(&self) -> Option<std::time::Duration> {
        self.lock().config.as_ref().map(|c| std::time::Duration::from_secs(u64::from(c.refresh_interval_s.max(1))))
    }

    /// Time until the earliest queued action may be retried, if any is waiting.
    pub fn next_retry_in(&self) -> Option<std::time::Duration> {
        let inner = self.lock();
        let now = inner.clock.now_ms();
        inner
            .pending
            .iter()
            .map(|e| e.next_attempt_at_ms)
            .min()
            .map(|at| std::time::Duration::from_millis((at - now).max(0) as u64))
    }

    /// Records whether the server was reachable, for the offline indicator.
    pub fn set_online(&self, online: bool) -> Result<(), CoreError> {
        let changed = {
            let mut inner = self.lock();
            std::mem::replace(&mut inner.online, online) != online
        };
        if changed { self.republish() } else { Ok(()) }
    }

    fn finish(
        &self,
        entry_id: i64,
        apply: impl FnOnce(&rusqlite::Connection, &str) -> Result<(), CoreError>,
    ) -> Result<(), CoreError> {
        {
            let mut inner = self.lock();
            let seller = inner.seller.clone();
            let tx = inner.conn.transaction()?;
            apply(&tx, &seller)?;
            outbox::remove(&tx, &seller, entry_id)?;
            tx.commit()?;
            inner.pending.retain(|e| e.id != entry_id);
            inner.server_settings = cache::settings(&inner.conn, &seller)?;
            inner.reload_notice()?;
            inner.reload_module()?;
        }
        self.republish()
    }
}
