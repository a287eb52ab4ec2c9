//! Push: the outbox delivered in order, each action with its idempotency key.
//!
//! Conflict rule for the toggle (two devices, or a stale write answered 409): the seller's latest
//! action wins, compared on the server's clock. Every settings change carries when the seller acted
//! (the device time moved onto the server clock with the offset measured from the server's `Date`
//! header), and the server keeps that as `updated_at_ms`. On 409, if this action is newer than the
//! server's last change, it is re-sent on top of the current version; otherwise the newer change
//! from the other device stands and this action is settled without effect. Arrival order does not
//! matter: a phone that was offline for an hour cannot undo what the seller did since on a tablet.

use highlights_api::{Highlight, Settings, StaleSettings};
use reqwest::Method;
use serde_json::{Value, json};

use super::Syncer;
use super::http::Answer;
use crate::outbox::{Action, OutboxEntry};
use crate::{CoreError, Delivered};

/// What one push achieved.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PushReport {
    /// Actions the server accepted (or had already accepted).
    pub delivered: u32,
    /// Actions refused for good and shown to the seller.
    pub rejected: u32,
    /// Actions still waiting (for a retry time, or behind one that is).
    pub waiting: u32,
}

/// How many times a conflicting toggle is re-sent on top of a newer version before giving up for now.
const MAX_REBASES: u32 = 3;

fn request(
    entry: &OutboxEntry,
    known_version: Option<i64>,
    to_server_time: impl Fn(i64) -> i64,
) -> (Method, String, Option<Value>) {
    let acted_at_ms = to_server_time(entry.created_at_ms);
    let settings = |mut body: Value| {
        body["acted_at_ms"] = json!(acted_at_ms);
        (Method::PATCH, "/v1/settings".to_string(), Some(body))
    };
    match &entry.action {
        Action::SetHighlights { on } => settings(json!({ "expected_version": known_version, "highlights_on": on })),
        Action::CompleteOnboarding => settings(json!({ "onboarding_completed": true })),
        Action::PopupShown => settings(json!({ "popup_shows_delta": 1 })),
        Action::PopupDismissed { at_ms } => settings(json!({ "popup_dismissed_at_ms": to_server_time(*at_ms) })),
        Action::PostRecommendation { highlight_id, .. } => {
            (Method::POST, format!("/v1/highlights/{highlight_id}/post"), None)
        }
        Action::RemoveHighlight { highlight_id, .. } => {
            (Method::DELETE, format!("/v1/highlights/{highlight_id}"), None)
        }
        Action::CreateVideo { live_id, start_ms, end_ms, product_id, .. } => (
            Method::POST,
            "/v1/videos".to_string(),
            Some(json!({ "live_id": live_id, "start_ms": start_ms, "end_ms": end_ms, "product_id": product_id })),
        ),
    }
}

/// Where one queued action stands after a delivery attempt.
enum Outcome {
    Delivered,
    Rejected,
    Waiting,
}

/// What to do with an entry after one attempt.
enum Next {
    Done(Delivered),
    Rejected(String),
    Rebase(i64),
    RetryAt(i64),
    Stop(CoreError),
}

impl Syncer {
    /// Delivers queued actions in order until the queue is empty or one must wait.
    #[tracing::instrument(name = "sync.push", skip_all)]
    pub async fn push(&self) -> Result<PushReport, CoreError> {
        let mut report = PushReport::default();
        let pending = self.core.pending_actions();
        for (i, entry) in pending.iter().enumerate() {
            let now = self.core.now_ms();
            if entry.next_attempt_at_ms > now {
                report.waiting = (pending.len() - i) as u32;
                break;
            }
            match self.deliver(entry).await? {
                Outcome::Delivered => report.delivered += 1,
                Outcome::Rejected => report.rejected += 1,
                Outcome::Waiting => {
                    report.waiting = (pending.len() - i) as u32;
                    break;
                }
            }
        }
        tracing::info!(delivered = report.delivered, rejected = report.rejected, waiting = report.waiting, "push done");
        Ok(report)
    }

    /// Tries one entry, re-sending a conflicting toggle on newer versions a few times.
    async fn deliver(&self, entry: &OutboxEntry) -> Result<Outcome, CoreError> {
        let mut version = self.core.settings_version();
        for _ in 0..=MAX_REBASES {
            let (method, path, body) = request(entry, version, |t| self.http.to_server_time(t));
            let next = match self.http.send(method, &path, Some(&entry.idempotency_key), body.as_ref()).await {
                Ok(answer) => self.judge(entry, &answer),
                Err(CoreError::Unauthorized { message }) => Next::Stop(CoreError::Unauthorized { message }),
                Err(e @ (CoreError::Network { .. } | CoreError::BadServerData { .. })) => {
                    tracing::info!(error = %e, "delivery failed; will retry");
                    Next::RetryAt(self.core.now_ms() + self.backoff(entry.attempts))
                }
                Err(e) => Next::Stop(e),
            };
            match next {
                Next::Done(outcome) => {
                    self.core.action_delivered(entry.id, outcome)?;
                    return Ok(Outcome::Delivered);
                }
                Next::Rejected(message) => {
                    tracing::info!("action refused by the server");
                    self.core.action_rejected(entry.id, &message)?;
                    return Ok(Outcome::Rejected);
                }
                Next::Rebase(v) => version = Some(v),
                Next::RetryAt(at) => {
                    self.core.action_retry_at(entry.id, at)?;
                    return Ok(Outcome::Waiting);
                }
                Next::Stop(e) => return Err(e),
            }
        }
        self.core.action_retry_at(entry.id, self.core.now_ms() + self.backoff(entry.attempts))?;
        Ok(Outcome::Waiting)
    }

    fn judge(&self, entry: &OutboxEntry, answer: &Answer) -> Next {
        let now = self.core.now_ms();
        match answer.status {
            200..=299 => {
                let decoded = if entry.action.is_settings() {
                    answer.json::<Settings>().map(Delivered::Settings)
                } else {
                    answer.json::<Highlight>().map(Delivered::Highlight)
                };
                // A garbled answer to an accepted request: ask again with the same key for the stored answer.
                decoded.map(Next::Done).unwrap_or_else(|_| Next::RetryAt(now + self.backoff(entry.attempts)))
            }
            409 if matches!(entry.action, Action::SetHighlights { .. }) => match answer.json::<StaleSettings>() {
                Ok(stale) if self.http.to_server_time(entry.created_at_ms) > stale.current.updated_at_ms => {
                    Next::Rebase(stale.current.version)
                }
                Ok(stale) => Next::Done(Delivered::Settings(stale.current)),
                Err(_) => Next::RetryAt(now + self.backoff(entry.attempts)),
            },
            401 => Next::Stop(CoreError::Unauthorized { message: "the server refused the token".into() }),
            429 => {
                let wait =
                    answer.retry_after.map(|d| d.as_millis() as i64).unwrap_or_else(|| self.backoff(entry.attempts));
                Next::RetryAt(now + wait)
            }
            400..=499 => Next::Rejected(answer.error_message()),
            _ => Next::RetryAt(now + self.backoff(entry.attempts)),
        }
    }

    /// Exponential backoff with jitter: base · 2^attempts, capped, times a random 50–100 %.
    pub(crate) fn backoff(&self, attempts: u32) -> i64 {
        let cfg = self.http.config();
        let exp = cfg.backoff_base.as_millis() as i64 * (1i64 << attempts.min(20));
        let capped = exp.min(cfg.backoff_max.as_millis() as i64);
        capped / 2 + fastrand::i64(0..=capped / 2)
    }
}
