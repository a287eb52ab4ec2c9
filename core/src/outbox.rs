//! Seller actions the backend must learn about, queued in the same transaction as the local change.

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use crate::CoreError;

/// One seller action waiting for delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// The toggle was flipped.
    SetHighlights {
        /// New value.
        on: bool,
    },
    /// The seller confirmed the onboarding overlay.
    CompleteOnboarding,
    /// The pre-LIVE pop-up was shown once more.
    PopupShown,
    /// The seller closed the pre-LIVE pop-up.
    PopupDismissed {
        /// When (epoch ms), which starts the cooldown.
        at_ms: i64,
    },
    /// The seller posted a recommendation.
    PostRecommendation {
        /// The recommendation.
        highlight_id: String,
        /// Its recording, so the module can count it before the server confirms.
        live_id: String,
    },
    /// The seller took a highlight down.
    RemoveHighlight {
        /// The highlight.
        highlight_id: String,
        /// Its recording, so the module can count it before the server confirms.
        live_id: String,
    },
    /// The seller cut a shoppable video from a recording.
    CreateVideo {
        /// Local id shown until the server assigns one.
        local_id: String,
        /// The recording.
        live_id: String,
        /// Segment start (epoch ms).
        start_ms: i64,
        /// Segment end (epoch ms).
        end_ms: i64,
        /// The product.
        product_id: String,
    },
}

impl Action {
    /// Whether this action changes the settings (as opposed to a highlight).
    pub fn is_settings(&self) -> bool {
        matches!(
            self,
            Action::SetHighlights { .. }
                | Action::CompleteOnboarding
                | Action::PopupShown
                | Action::PopupDismissed { .. }
        )
    }
}

/// A queued action with its delivery bookkeeping.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    /// Queue position; delivery follows it.
    pub id: i64,
    /// Sent with the request so a retry never acts twice.
    pub idempotency_key: String,
    /// What the seller did.
    pub action: Action,
    /// When the seller did it (epoch ms, device clock).
    pub created_at_ms: i64,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// Not to be retried before this time (epoch ms).
    pub next_attempt_at_ms: i64,
}

/// Fresh random idempotency key: 128 bits, hex.
pub(crate) fn new_key() -> Result<String, CoreError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| CoreError::Storage { message: format!("no randomness: {e}") })?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

pub(crate) fn enqueue(conn: &Connection, seller: &str, action: &Action, now_ms: i64) -> Result<OutboxEntry, CoreError> {
    let key = new_key()?;
    let op = serde_json::to_string(action).map_err(|e| CoreError::Storage { message: e.to_string() })?;
    conn.prepare_cached("INSERT INTO outbox (seller_id, idempotency_key, op, created_at_ms) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![seller, key, op, now_ms])?;
    Ok(OutboxEntry {
        id: conn.last_insert_rowid(),
        idempotency_key: key,
        action: action.clone(),
        created_at_ms: now_ms,
        attempts: 0,
        next_attempt_at_ms: 0,
    })
}

pub(crate) fn load(conn: &Connection, seller: &str) -> Result<Vec<OutboxEntry>, CoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, idempotency_key, op, created_at_ms, attempts, next_attempt_at_ms
         FROM outbox WHERE seller_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([seller], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, key, op, created_at_ms, attempts, next_attempt_at_ms) = row?;
        match serde_json::from_str::<Action>(&op) {
            Ok(action) => {
                out.push(OutboxEntry { id, idempotency_key: key, action, created_at_ms, attempts, next_attempt_at_ms })
            }
            // A row this build cannot read (written by a newer build) stays in the table untouched.
            Err(e) => {
                tracing::warn!(outbox_id = id, error = %e, "skipping unreadable outbox entry")
            }
        }
    }
    Ok(out)
}

pub(crate) fn remove(conn: &Connection, seller: &str, id: i64) -> Result<(), CoreError> {
    conn.prepare_cached("DELETE FROM outbox WHERE seller_id = ?1 AND id = ?2")?.execute(params![seller, id])?;
    Ok(())
}

pub(crate) fn reschedule(conn: &Connection, seller: &str, id: i64, next_attempt_at_ms: i64) -> Result<(), CoreError> {
    conn.prepare_cached(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at_ms = ?3 WHERE seller_id = ?1 AND id = ?2",
    )?
    .execute(params![seller, id, next_attempt_at_ms])?;
    Ok(())
}
