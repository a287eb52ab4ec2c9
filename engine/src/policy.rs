//! What happens to a moment: auto-posted after the post delay, or kept as a recommendation.

use std::collections::HashMap;

use highlights_api::RemoteConfig;

use crate::moment::Moment;

/// The server-side limits and timings that decide auto-posting.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Most auto-posts per LIVE.
    pub max_per_live: u32,
    /// Most auto-posts per pinned product in one LIVE.
    pub max_per_product: u32,
    /// Delay between identification and posting (ms).
    pub post_delay_ms: i64,
}

/// The defaults of a fresh server's remote config.
impl Default for Policy {
    fn default() -> Self {
        Self::from_config(&RemoteConfig::default())
    }
}

/// The fate of one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Post it at this time (epoch ms).
    AutoPost {
        /// Identification time plus the post delay.
        post_at_ms: i64,
    },
    /// Offer it to the seller in the module.
    Recommend,
}

impl Policy {
    /// The posting rules of a remote config, where an admin sets them.
    pub fn from_config(c: &RemoteConfig) -> Self {
        Self {
            max_per_live: c.max_posts_per_live,
            max_per_product: c.max_posts_per_product,
            post_delay_ms: i64::from(c.post_delay_s) * 1000,
        }
    }

    /// Decides a moment given how many auto-posts its LIVE and its product already have: posted
    /// when it is shoppable (tied to a product), cleared its LIVE's bar and both caps leave room.
    pub fn decide(&self, m: &Moment, posted_in_live: u32, posted_for_product: u32) -> Decision {
        // A video nobody can buy from is not what the seller turned the feature on for: without a
        // product a moment stays a recommendation.
        if m.product_id.is_none()
            || !m.above_bar
            || posted_in_live >= self.max_per_live
            || posted_for_product >= self.max_per_product
        {
            return Decision::Recommend;
        }
        Decision::AutoPost { post_at_ms: m.identified_at_ms + self.post_delay_ms }
    }
}

/// Counts auto-posts per LIVE and per (LIVE, product), for replays that have no database.
#[derive(Debug, Default)]
pub struct CapCounter {
    per_live: HashMap<String, u32>,
    per_product: HashMap<(String, Option<String>), u32>,
}

impl CapCounter {
    /// Decides `m` under `policy` and counts it if auto-posted.
    pub fn decide(&mut self, policy: &Policy, m: &Moment) -> Decision {
        let live = self.per_live.get(&m.live_id).copied().unwrap_or(0);
        let key = (m.live_id.clone(), m.product_id.clone());
        let product = self.per_product.get(&key).copied().unwrap_or(0);
        let d = policy.decide(m, live, product);
        if let Decision::AutoPost { .. } = d {
            *self.per_live.entry(m.live_id.clone()).or_default() += 1;
            *self.per_product.entry(key).or_default() += 1;
        }
        d
    }
}
