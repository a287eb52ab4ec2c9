//! Push: the outbox delivered in order, each action with its idempotency key.
//!
//! Conflict rule for the toggle (two devices, or a stale write answered 409): the seller's latest
//! action wins, compared on the server's clock. Every settings change carries when the seller acted
//! (the device time moved onto the server clock with the offset measured from the server's `Date`
//! header), and the server keeps that as `updated_at_ms`. On 409, if this action is newer than the
//! server's last change, it is re-sent on top of the current version; otherwise the newer change
//! from the other device stands and this action is settled without effect. Arrival order does not
//! matter: a phone that was offline for an hour cannot undo what the seller did since on a tablet.

use highlights_api::{
    CreateVideo, Highlight, Live, LivePatch, RemovedCount, Settings, SettingsPatch, StaleSettings, paths,
};

use super::http::{Answer, Body};
use super::report::PushReport;
use super::syncer::Syncer;
use super::transport::Method;
use crate::CoreError;
use crate::model::{Action, OutboxEntry};
use crate::store::Settled;
use crate::view::NoticeKind;

/// How many times a conflicting toggle is re-sent on top of a newer version before giving up for now.
const MAX_REBASES: u32 = 3;

/// The request that delivers one action: method, path and body, all from the contract.
fn request(
    entry: &OutboxEntry,
    known_version: Option<i64>,
    to_server_time: impl Fn(i64) -> i64,
) -> (Method, String, Option<Body>) {
    let settings = |patch: SettingsPatch| {
        let patch = SettingsPatch { acted_at_ms: Some(to_server_time(entry.created_at_ms)), ..patch };
        (Method::PATCH, paths::SETTINGS.to_string(), Some(Body::Settings(patch)))
    };
    match &entry.action {
        Action::SetToggle { on } => {
            settings(SettingsPatch { expected_version: known_version, highlights_on: Some(*on), ..Default::default() })
        }
        Action::CompleteOnboarding => {
            settings(SettingsPatch { onboarding_completed: Some(true), ..Default::default() })
        }
        Action::PopupShown => settings(SettingsPatch { popup_shows_delta: Some(1), ..Default::default() }),
        Action::SetOnlyProducts { product_ids } => {
            settings(SettingsPatch { only_products: Some(product_ids.clone()), ..Default::default() })
        }
        Action::SetReviewBeforePosting { on } => {
            settings(SettingsPatch { review_before_posting: Some(*on), ..Default::default() })
        }
        Action::ResetPostingBar => settings(SettingsPatch { reset_posting_bar: Some(true), ..Default::default() }),
        Action::ApproveHighlight { highlight_id, .. } => (Method::POST, paths::highlight_approve(highlight_id), None),
        Action::SetNextLiveHighlights { on } => {
            settings(SettingsPatch { next_live_highlights_on: Some(*on), ..Default::default() })
        }
        Action::PopupDismissed { at_ms } => {
            settings(SettingsPatch { popup_dismissed_at_ms: Some(to_server_time(*at_ms)), ..Default::default() })
        }
        Action::PostRecommendation { highlight_id, .. } => (Method::POST, paths::highlight_post(highlight_id), None),
        Action::RemoveHighlight { highlight_id, .. } => (Method::DELETE, paths::highlight(highlight_id), None),
        Action::RemoveAllHighlights { recording_id: Some(id) } => (Method::DELETE, paths::live_highlights(id), None),
        Action::RemoveAllHighlights { recording_id: None } => (Method::DELETE, paths::HIGHLIGHTS.to_string(), None),
        Action::SetLiveHighlights { recording_id, on } => {
            (Method::PATCH, paths::live(recording_id), Some(Body::Live(LivePatch { highlights_on: *on })))
        }
        Action::CreateVideo { recording_id, start_ms, end_ms, product_id, .. } => (
            Method::POST,
            paths::VIDEOS.to_string(),
            Some(Body::Video(CreateVideo {
                live_id: recording_id.clone(),
                start_ms: *start_ms,
                end_ms: *end_ms,
                product_id: product_id.clone(),
            })),
        ),
    }
}

/// Where one queued action stands after a delivery attempt.
enum Attempt {
    Delivered,
    Rejected,
    Waiting,
}

/// What to do with an entry after one try.
enum Next {
    Settle(Box<Settled>),
    Rebase(i64),
    RetryAt(i64),
    Stop(CoreError),
}

impl Syncer {
    /// Delivers queued actions in order until the queue is empty or one must wait.
    #[tracing::instrument(name = "sync.push", skip_all)]
    pub(crate) async fn push(&self) -> Result<PushReport, CoreError> {
        let mut report = PushReport::default();
        let pending = self.core.queued_actions();
        for (i, entry) in pending.iter().enumerate() {
            let now = self.core.now_ms();
            if entry.next_attempt_at_ms > now {
                report.waiting = (pending.len() - i) as u32;
                break;
            }
            match self.deliver(entry).await? {
                Attempt::Delivered => report.delivered += 1,
                Attempt::Rejected => report.rejected += 1,
                Attempt::Waiting => {
                    report.waiting = (pending.len() - i) as u32;
                    break;
                }
            }
        }
        tracing::info!(delivered = report.delivered, rejected = report.rejected, waiting = report.waiting, "push done");
        Ok(report)
    }

    /// Tries one entry, re-sending a conflicting toggle on newer versions a few times.
    async fn deliver(&self, entry: &OutboxEntry) -> Result<Attempt, CoreError> {
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
                Next::Settle(how) => {
                    let refused = matches!(*how, Settled::Refused { .. });
                    if refused {
                        tracing::info!("action refused by the server");
                    }
                    self.core.settle_action(entry.id, &how)?;
                    return Ok(if refused { Attempt::Rejected } else { Attempt::Delivered });
                }
                Next::Rebase(v) => version = Some(v),
                Next::RetryAt(at) => {
                    self.core.retry_action_at(entry.id, at)?;
                    return Ok(Attempt::Waiting);
                }
                Next::Stop(e) => return Err(e),
            }
        }
        self.core.retry_action_at(entry.id, self.core.now_ms() + self.backoff(entry.attempts))?;
        Ok(Attempt::Waiting)
    }

    fn judge(&self, entry: &OutboxEntry, answer: &Answer) -> Next {
        let now = self.core.now_ms();
        match answer.status {
            200..=299 => {
                let decoded = if entry.action.is_settings() {
                    answer.json::<Settings>().map(Settled::Settings)
                } else if let Action::RemoveAllHighlights { recording_id } = &entry.action {
                    answer.json::<RemovedCount>().map(|_| Settled::RemovedAll(recording_id.clone()))
                } else if let Action::SetLiveHighlights { .. } = &entry.action {
                    answer.json::<Live>().map(Settled::Live)
                } else {
                    answer.json::<Highlight>().map(|mut h| {
                        self.resolve_media(&mut h);
                        Settled::Highlight(Box::new(h))
                    })
                };
                // A garbled answer to an accepted request: ask again with the same key for the stored answer.
                decoded
                    .map(|s| Next::Settle(Box::new(s)))
                    .unwrap_or_else(|_| Next::RetryAt(now + self.backoff(entry.attempts)))
            }
            409 if matches!(entry.action, Action::SetToggle { .. }) => match answer.json::<StaleSettings>() {
                Ok(stale) if self.http.to_server_time(entry.created_at_ms) > stale.current.updated_at_ms => {
                    Next::Rebase(stale.current.version)
                }
                Ok(stale) => Next::Settle(Box::new(Settled::Settings(stale.current))),
                Err(_) => Next::RetryAt(now + self.backoff(entry.attempts)),
            },
            401 => Next::Stop(CoreError::Unauthorized { message: "the server refused the token".into() }),
            429 => {
                let wait =
                    answer.retry_after.map(|d| d.as_millis() as i64).unwrap_or_else(|| self.backoff(entry.attempts));
                Next::RetryAt(now + wait)
            }
            400..=499 => {
                let error = answer.error();
                let kind = NoticeKind::of_refusal(&error.code);
                Next::Settle(Box::new(Settled::Refused { kind, message: error.message }))
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: Action) -> OutboxEntry {
        OutboxEntry {
            id: 1,
            idempotency_key: "k".into(),
            action,
            created_at_ms: 1_000,
            attempts: 0,
            next_attempt_at_ms: 0,
        }
    }

    #[test]
    fn a_reset_of_the_posting_bar_is_a_settings_patch_saying_only_that() {
        let (method, path, body) = request(&entry(Action::ResetPostingBar), Some(7), |t| t + 500);
        assert_eq!((method, path.as_str()), (Method::PATCH, paths::SETTINGS));
        let expected = SettingsPatch { reset_posting_bar: Some(true), acted_at_ms: Some(1_500), ..Default::default() };
        assert_eq!(body, Some(Body::Settings(expected)));
        let wire = serde_json::to_string(&body.unwrap()).unwrap();
        assert_eq!(wire, r#"{"reset_posting_bar":true,"acted_at_ms":1500}"#);
    }
}
