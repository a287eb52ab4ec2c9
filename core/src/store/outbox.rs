//! The outbox: seller actions the backend must learn about, queued in one transaction and removed
//! in the same transaction that stores the server's answer.

use highlights_api::{Highlight, Settings};
use rusqlite::params;

use super::connection::{Store, from_json, to_json};
use super::error::StoreError;
use super::{cache, notices};
use crate::model::{Action, OutboxEntry};

/// Fresh random idempotency key: 128 bits, hex.
pub(crate) fn random_key() -> Result<String, StoreError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| StoreError::Randomness(e.to_string()))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// How a queued action ended, stored together with removing it from the outbox.
#[derive(Debug, Clone, PartialEq)]
pub enum Settled {
    /// The server accepted it and answered with the settings after the change.
    Settings(Settings),
    /// The server accepted it and answered with the highlight after the change.
    Highlight(Box<Highlight>),
    /// The server accepted the seller's choice for a recording and answered with the LIVE.
    Live(highlights_api::Live),
    /// The server removed every auto-posted highlight of this recording (`None`: of all).
    RemovedAll(Option<String>),
    /// The server refused it for good; the seller reads why in a notice of this kind.
    Refused {
        /// What the refusal is about, so that shells word it.
        kind: crate::view::NoticeKind,
        /// The server's reason.
        message: String,
    },
}

impl Store {
    /// Queues `actions` in one transaction, not to be sent before `not_before_ms` (0: at once);
    /// only once it commits do they exist, and only then is the queued signal fired.
    pub(crate) fn enqueue(
        &mut self,
        actions: &[Action],
        now_ms: i64,
        not_before_ms: i64,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let tx = self.conn.transaction()?;
        let mut added = Vec::with_capacity(actions.len());
        for action in actions {
            let key = random_key()?;
            tx.prepare_cached(
                "INSERT INTO outbox (seller_id, idempotency_key, op, created_at_ms, next_attempt_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                self.seller,
                key,
                to_json("outbox action", action)?,
                now_ms,
                not_before_ms
            ])?;
            added.push(OutboxEntry {
                id: tx.last_insert_rowid(),
                idempotency_key: key,
                action: action.clone(),
                created_at_ms: now_ms,
                attempts: 0,
                next_attempt_at_ms: not_before_ms,
            });
        }
        tx.commit()?;
        if !added.is_empty() {
            self.queued.notify_one();
        }
        Ok(added)
    }

    /// Every queued action this build can read, oldest first.
    pub(crate) fn outbox(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, idempotency_key, op, created_at_ms, attempts, next_attempt_at_ms
             FROM outbox WHERE seller_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([&self.seller], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, key, op, created_at_ms, attempts, next_attempt_at_ms) = row?;
            match from_json::<Action>("outbox action", &op) {
                Ok(action) => out.push(OutboxEntry {
                    id,
                    idempotency_key: key,
                    action,
                    created_at_ms,
                    attempts,
                    next_attempt_at_ms,
                }),
                // A row this build cannot read (written by a newer build) stays in the table untouched.
                Err(e) => tracing::warn!(outbox_id = id, error = %e, "skipping unreadable outbox entry"),
            }
        }
        Ok(out)
    }

    /// Stores how an action ended and removes it from the outbox, in one transaction.
    pub(crate) fn settle(&mut self, entry_id: i64, how: &Settled, now_ms: i64) -> Result<(), StoreError> {
        let seller = self.seller.as_str();
        let tx = self.conn.transaction()?;
        match how {
            Settled::Settings(s) => cache::save_settings(&tx, seller, s)?,
            Settled::Highlight(h) => cache::upsert_highlight(&tx, seller, h)?,
            Settled::Live(l) => cache::upsert_live(&tx, seller, l)?,
            Settled::RemovedAll(recording) => cache::remove_auto_highlights(&tx, seller, recording.as_deref())?,
            Settled::Refused { kind, message } => notices::add(&tx, seller, *kind, message, now_ms)?,
        }
        tx.prepare_cached("DELETE FROM outbox WHERE seller_id = ?1 AND id = ?2")?.execute(params![seller, entry_id])?;
        tx.commit()?;
        Ok(())
    }

    /// Takes back a queued action that was never tried and is not yet due (so no sync can be
    /// sending it); false when it is gone or may already be on its way.
    pub(crate) fn unqueue(&self, entry_id: i64, now_ms: i64) -> Result<bool, StoreError> {
        let n = self
            .conn
            .prepare_cached(
                "DELETE FROM outbox WHERE seller_id = ?1 AND id = ?2 AND attempts = 0 AND next_attempt_at_ms > ?3",
            )?
            .execute(params![self.seller, entry_id, now_ms])?;
        Ok(n == 1)
    }

    /// A delivery failed for now: count the attempt and wait until `next_attempt_at_ms`.
    pub(crate) fn reschedule(&self, entry_id: i64, next_attempt_at_ms: i64) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at_ms = ?3 WHERE seller_id = ?1 AND id = ?2",
            )?
            .execute(params![self.seller, entry_id, next_attempt_at_ms])?;
        Ok(())
    }
}
