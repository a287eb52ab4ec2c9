//! The render quota of seller-made videos: how many may be in the making at once and how many a
//! seller may create in a day. Both backends count inside the transaction that queues the video,
//! so two requests at once cannot both take the last place.

use highlights_api::VIDEO_QUOTA_REACHED;

use super::contract::StoreError;
use super::tokens::utc;

/// The rolling window of [`RenderQuota::max_per_day`].
pub const QUOTA_WINDOW_MS: i64 = 24 * 60 * 60 * 1000;

/// How many videos a seller may have made: render time is shared by every seller, so one seller's
/// cuts must not hold up the others'. Only seller-made videos count; auto highlights never do and
/// are never refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderQuota {
    /// Seller-made videos in the making (queued or rendering: neither ready nor failed) at once.
    pub max_queued: u32,
    /// Seller-made videos created in any 24 hours ([`QUOTA_WINDOW_MS`]).
    pub max_per_day: u32,
}

impl Default for RenderQuota {
    fn default() -> Self {
        // A seller cuts clips by hand one or a few at a time and watches each come out: 5 in the
        // making covers that, while a render takes up to about 20 s of one core (a 60 s clip at a
        // third of real time), so one seller holds at most a couple of minutes of the queue ahead
        // of everyone's auto highlights. 100 a day is five times a LIVE's auto-posts (20), beyond
        // any seller working by hand, and bounds one account at about half an hour of render a day.
        Self { max_queued: 5, max_per_day: 100 }
    }
}

impl RenderQuota {
    /// Admits one more seller-made video, or refuses it (`video_quota_reached`) naming the limit
    /// reached and when it frees up. `queued` are in the making; `made` are the creation times
    /// (epoch ms) of the seller's videos within the window before `now_ms`, oldest first.
    pub(crate) fn admit(&self, queued: u32, made: &[i64], now_ms: i64) -> Result<(), StoreError> {
        if queued >= self.max_queued {
            return Err(StoreError::rule(
                VIDEO_QUOTA_REACHED,
                format!(
                    "videos in the making: {queued}, and at most {} can be at once: try again when one is ready",
                    self.max_queued
                ),
            ));
        }
        let max = self.max_per_day as usize;
        if made.len() < max {
            return Ok(());
        }
        // Below the limit again once enough of the oldest leave the window.
        let message = match made.get(made.len() - max) {
            Some(oldest) => {
                let at = oldest + QUOTA_WINDOW_MS;
                format!(
                    "videos made in the last 24 hours: {}, and at most {max} can be: the next can be made from {} (in {})",
                    made.len(),
                    utc(at),
                    wait(at - now_ms)
                )
            }
            None => "videos cannot be made here: the daily quota is 0".to_string(),
        };
        Err(StoreError::rule(VIDEO_QUOTA_REACHED, message))
    }
}

/// A wait in whole hours and minutes, rounded up: "2 h 5 min", "1 min".
fn wait(ms: i64) -> String {
    let minutes = (ms.max(0) + 59_999) / 60_000;
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{} min", m.max(1)),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(r: Result<(), StoreError>) -> String {
        match r {
            Err(StoreError::Rule { code, message }) => {
                assert_eq!(code, VIDEO_QUOTA_REACHED);
                message
            }
            other => panic!("not a quota refusal: {other:?}"),
        }
    }

    #[test]
    fn the_queue_and_the_day_each_refuse_with_when_they_free_up() {
        let q = RenderQuota { max_queued: 2, max_per_day: 3 };
        let now = 1_793_491_261_000; // 2026-11-01T00:01:01Z
        assert!(q.admit(1, &[now - 1_000, now - 500], now).is_ok());
        let queued = refusal(q.admit(2, &[], now));
        assert!(queued.contains("videos in the making: 2, and at most 2 can be at once"), "{queued}");
        let made = [now - QUOTA_WINDOW_MS + 90 * 60_000 + 30_000, now - 60_000, now - 1_000];
        let day = refusal(q.admit(0, &made, now));
        assert!(day.contains("videos made in the last 24 hours: 3, and at most 3 can be"), "{day}");
        assert!(day.contains("from 2026-11-01T01:31:31Z (in 1 h 31 min)"), "{day}");
        // A quota lowered below what was made frees up only once enough have left the window.
        let lower = RenderQuota { max_queued: 2, max_per_day: 2 };
        assert!(refusal(lower.admit(0, &made, now)).contains("from 2026-11-02T00:00:01Z"));
        let off = RenderQuota { max_queued: 2, max_per_day: 0 };
        assert!(refusal(off.admit(0, &[], now)).contains("the daily quota is 0"));
    }

    #[test]
    fn waits_read_in_hours_and_minutes() {
        assert_eq!(wait(-5), "1 min");
        assert_eq!(wait(61_000), "2 min");
        assert_eq!(wait(3_600_000), "1 h");
        assert_eq!(wait(24 * 3_600_000 - 1), "24 h");
    }
}
