//! Every tunable of detection and of the auto-post bar: a server-side setting an admin can change.
//!
//! The defaults were learned on real viewer chat (the Lightor Dota2 training split) and checked on
//! the synthetic generator; `highlights-server eval` measures any other choice.

use serde::{Deserialize, Serialize};

/// Seconds of buckets a detector keeps; the window plus lateness must fit with room to spare.
pub(crate) const RING_S: i64 = 16;
/// Chat signals, whose weights [`SignalWeights::chat`] lists (`signals::CHAT`, kept here so the
/// settings need not import the signals that read them).
pub(crate) const CHAT_SIGNALS: usize = 8;

/// How much each signal counts inside its category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SignalWeights {
    /// Comments.
    pub comments: f32,
    /// Distinct chatters.
    pub chatters: f32,
    /// Messages echoing what another viewer just wrote.
    pub echoes: f32,
    /// Short reactions (a few words, emotes, emoji).
    pub reactions: f32,
    /// Messages ending in a question mark.
    pub questions: f32,
    /// Messages ending in an exclamation mark.
    pub exclamations: f32,
    /// Messages of at least `long_min_words` words.
    pub long_messages: f32,
    /// Messages opening with the word another viewer's recent message opened with (exact echoes
    /// aside).
    pub similar: f32,
    /// Multiplies the chat voice (the weighted mean of the chat signals' z): weights learned by
    /// `highlights-server train` come with the scale that keeps the voice's busiest seconds where
    /// the bars (`enter_score`, the auto-post floors) expect them, whatever signals they favour.
    pub chat_scale: f32,
    /// Likes.
    pub likes: f32,
    /// Shares.
    pub shares: f32,
    /// Gifts, in typical-gift units.
    pub gifts: f32,
    /// Viewer joins.
    pub joins: f32,
    /// Product clicks.
    pub clicks: f32,
    /// Add-to-carts.
    pub carts: f32,
    /// Ordered units.
    pub orders: f32,
    /// GMV, in typical-order units.
    pub gmv: f32,
}

impl Default for SignalWeights {
    /// The chat weights were chosen on real chat (the Lightor Dota2 training split, checked by
    /// leaving one Dota2 or LoL training stream out at a time). The content weights (questions,
    /// exclamations, long and similar messages) are 0, so off: weights learned by `highlights-server
    /// train` on those streams did not do better left-out than these (`eval --cv` prints both), and
    /// a deployment can learn its own from its labelled LIVEs. The shop
    /// weights (likes, shares, gifts, joins, purchases) could not be, that chat has none of them:
    /// they are the generator's best (quiet and spam-only LIVEs, every audience size), and change
    /// nothing on real chat. Likes, shares and gifts are lumpy single counters, so they weigh less.
    fn default() -> Self {
        Self {
            comments: 1.0,
            chatters: 2.0,
            echoes: 1.0,
            reactions: 1.0,
            questions: 0.0,
            exclamations: 0.0,
            long_messages: 0.0,
            similar: 0.0,
            chat_scale: 1.0,
            likes: 0.75,
            shares: 0.5,
            gifts: 0.5,
            joins: 1.25,
            clicks: 1.0,
            carts: 1.0,
            orders: 1.0,
            gmv: 1.0,
        }
    }
}

impl SignalWeights {
    /// The chat weights in the order of the chat signals (`signals::idx::COMMENTS` up to
    /// `CHAT_SIGNALS`), so code that learns or scores them together need not name each one.
    pub fn chat(&self) -> [f32; CHAT_SIGNALS] {
        [
            self.comments,
            self.chatters,
            self.echoes,
            self.reactions,
            self.questions,
            self.exclamations,
            self.long_messages,
            self.similar,
        ]
    }

    /// Sets the chat weights from values in [`SignalWeights::chat`]'s order.
    pub fn set_chat(&mut self, w: [f32; CHAT_SIGNALS]) {
        [
            self.comments,
            self.chatters,
            self.echoes,
            self.reactions,
            self.questions,
            self.exclamations,
            self.long_messages,
            self.similar,
        ] = w;
    }
}

/// Tunables of detection, clip placement and the per-LIVE auto-post bar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngineSettings {
    /// Seconds of activity a second is scored on (3 to 10).
    pub window_s: u32,
    /// Memory of a LIVE's baseline, in seconds.
    pub baseline_horizon_s: u32,
    /// Closed seconds needed before anything is detected, so the baseline means something.
    pub warmup_s: u32,
    /// Least variance of a signal on its stable scale (1 is pure counting noise): a handful of
    /// extra events in a tiny LIVE is chance, not a moment.
    pub prior_var: f32,
    /// The same least variance for the shop signals (likes, shares, gifts, joins, purchases):
    /// app counters come in waves (likes sent in batches, viewers arriving from a feed), so a
    /// handful of them in a small LIVE is chance more often than the same in chat.
    pub shop_prior_var: f32,
    /// Events per window a rare signal is judged as if it usually had.
    pub rare_floor: f32,
    /// Relative spread a busy LIVE always has (even 200,000 viewers never chat perfectly evenly);
    /// it shapes the scale counts are compared on.
    pub overdispersion: f32,
    /// How much more than by chance the share of echoes and reactions in chat varies (1 = binomial).
    pub share_dispersion: f32,
    /// Lowest score at which a second can start a moment.
    pub enter_score: f32,
    /// Standard deviations of this LIVE's ordinary score wobble a moment must also clear.
    pub noise_sigmas: f32,
    /// Score below which a finished moment re-arms detection.
    pub exit_score: f32,
    /// A peak not beaten for this many seconds is confirmed.
    pub peak_hold_s: u32,
    /// A peak is confirmed as soon as the score falls below this fraction of it (0 to 1).
    pub confirm_drop: f32,
    /// How long events may arrive late (ms); the engine waits this long before scoring a second.
    pub lateness_ms: i64,
    /// Moments of the same product closer than this (peak to peak, ms) are near-duplicates.
    pub min_gap_ms: i64,
    /// How far before the peak the clip starts (ms) when chat leads the moment: viewers write
    /// after the moment itself (learned on labelled chat).
    pub lead_in_ms: i64,
    /// The same when likes, shares or gifts lead: a tap follows what the seller shows within
    /// seconds (stated, settable: real chat cannot teach it).
    pub lead_in_taps_ms: i64,
    /// The same when viewer joins lead: newcomers arrive from a feed or a share a little after
    /// the moment (stated, settable).
    pub lead_in_joins_ms: i64,
    /// The same when clicks, add-to-carts or orders lead: a purchase follows the pitch by the
    /// time it takes to open the product and pay (stated, settable).
    pub lead_in_purchases_ms: i64,
    /// Shortest clip (ms); clamped into the remote config's clip bounds by the server.
    pub clip_min_ms: i64,
    /// Longest clip (ms); clamped into the remote config's clip bounds by the server.
    pub clip_max_ms: i64,
    /// A message echoes another viewer's if that viewer wrote the same within this many seconds.
    pub echo_window_s: u32,
    /// Messages per chatter in a window, as a multiple of the LIVE's usual, beyond which the
    /// extra messages are spam and do not count.
    pub spam_ratio: f32,
    /// Weight of engagement (chat, likes, shares, gifts) in the score.
    pub engagement_weight: f32,
    /// Weight of traffic (joins) in the score.
    pub traffic_weight: f32,
    /// Weight of conversion (clicks, carts, orders, GMV) in the score.
    pub conversion_weight: f32,
    /// Per-signal weights inside the categories.
    pub weights: SignalWeights,
    /// No moment scoring below this is auto-posted, however the LIVE has gone so far.
    pub auto_post_floor: f64,
    /// A moment scoring at least this is clear: auto-posted whatever the LIVE's earlier moments
    /// (caps permitting). A LIVE's first auto-post needs it; once one of its moments has reached
    /// it, weaker ones from `auto_post_floor` up post when they clear the quantile or score above
    /// a moment already posted. A LIVE shows one clear moment before weaker ones reach the
    /// seller's profile, so the chance wobble of a quiet LIVE never does.
    pub auto_post_first_floor: f64,
    /// A moment below `auto_post_first_floor` is auto-posted only if it scores at least this
    /// quantile (0 to 1) of the moments this LIVE has had so far, or above one it already
    /// posted: the bar follows the LIVE, never above what its own posts justify.
    pub auto_post_quantile: f64,
    /// Moments a LIVE needs before the quantile applies; before that only the floor does.
    pub auto_post_min_history: u32,
    /// Share of the other signal groups' scores added to the strongest one (0 to 1): together
    /// they confirm, but the ordinary wobble of many groups must not add up to a moment.
    pub group_others: f32,
    /// Share of the present groups' standardised sum that can score a moment on its own (0 turns
    /// it off): a moment the whole room joins in, every group up a little, is one even where no
    /// group clears its discounted bar alone. Shop LIVEs only: a chat-only LIVE has one group.
    pub group_together: f32,
    /// Events per window below which a signal group counts as absent from a LIVE, so a chat-only
    /// LIVE is not judged as if it had likes and orders to be noisy with.
    pub group_present: f32,
    /// Largest z a signal can reach: one absurd count cannot outweigh everything else.
    pub z_cap: f32,
    /// Memory of a LIVE's ordinary score wobble (the idle-score histogram the bars come from), in
    /// closed seconds.
    pub idle_horizon_s: u32,
    /// Messages of at most this many words are short reactions (or mostly emotes, whatever their length).
    pub reaction_max_words: u32,
    /// Messages longer than this many characters are sentences whatever their words.
    pub reaction_max_chars: u32,
    /// Messages of at least this many words are long (the `long_messages` signal).
    pub long_min_words: u32,
    /// Share of a viewer's recent-message count kept each second (0 to 1; 0.8 remembers about
    /// five seconds): while it lasts, that viewer writing again counts once, not per message.
    pub repeat_keep: f32,
    /// A moment that chat leads is dropped when the messages left out as repeats lately (an
    /// account writing again within seconds) outnumber those counted by this factor: a few
    /// accounts flooding, not a crowd reacting.
    pub flood_ratio: f32,
    /// Whether and how the server learns each seller's bar and formats (the learning arm only).
    pub learning: crate::learn::tuning::Learning,
}

impl Default for EngineSettings {
    /// Learned on the Lightor Dota2 training split (real chat, human labels) and checked on the
    /// generator: `highlights-server eval --lightor DIR` measures any change. What real chat cannot
    /// teach, having no shop signals (`shop_prior_var`, `rare_floor` and the shop weights), is the
    /// generator's best, checked on streams of other seeds than the detection test's; so is
    /// `flood_ratio`, which leaves the real figures unchanged anywhere from 0.3 up, and
    /// `auto_post_first_floor`, the lowest of 1.8, 1.9 and 2.0 that posts nothing in the quiet
    /// LIVEs of five seed sets.
    fn default() -> Self {
        Self {
            window_s: 6,
            baseline_horizon_s: 90,
            warmup_s: 60,
            prior_var: 2.0,
            shop_prior_var: 2.5,
            rare_floor: 0.5,
            overdispersion: 0.25,
            share_dispersion: 2.0,
            enter_score: 1.3,
            noise_sigmas: 2.5,
            exit_score: 0.5,
            peak_hold_s: 1,
            confirm_drop: 0.9,
            lateness_ms: 1_500,
            min_gap_ms: 20_000,
            lead_in_ms: 18_000,
            lead_in_taps_ms: 12_000,
            lead_in_joins_ms: 15_000,
            lead_in_purchases_ms: 25_000,
            clip_min_ms: i64::from(highlights_api::defaults::CLIP_MIN_S) * 1000,
            clip_max_ms: i64::from(highlights_api::defaults::CLIP_MAX_S) * 1000,
            echo_window_s: 30,
            spam_ratio: 2.0,
            engagement_weight: 1.0,
            traffic_weight: 0.85,
            conversion_weight: 0.8,
            weights: SignalWeights::default(),
            auto_post_floor: 1.5,
            auto_post_first_floor: 2.0,
            auto_post_quantile: 0.5,
            auto_post_min_history: 3,
            group_others: 0.1,
            group_together: 0.5,
            group_present: 0.5,
            z_cap: 20.0,
            idle_horizon_s: 600,
            reaction_max_words: 3,
            reaction_max_chars: 40,
            long_min_words: 8,
            repeat_keep: 0.8,
            flood_ratio: 1.0,
            learning: crate::learn::tuning::Learning::default(),
        }
    }
}

impl EngineSettings {
    /// Checks settings an admin wants to store; the message says what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        let max_window = (RING_S - 6) as u32;
        if !(3..=max_window).contains(&self.window_s) {
            return Err(format!("window_s must be between 3 and {max_window}"));
        }
        if self.baseline_horizon_s < 10 || self.baseline_horizon_s > 3_600 {
            return Err("baseline_horizon_s must be between 10 and 3600".into());
        }
        if self.warmup_s > 3_600 || self.peak_hold_s == 0 || self.peak_hold_s > 30 {
            return Err("warmup_s must be at most 3600 and peak_hold_s between 1 and 30".into());
        }
        if !(0..=5_000).contains(&self.lateness_ms) {
            return Err("lateness_ms must be between 0 and 5000".into());
        }
        if self.clip_min_ms < 1_000 || self.clip_min_ms > self.clip_max_ms || self.clip_max_ms > 600_000 {
            return Err("clip_min_ms must be at least 1000 and at most clip_max_ms (at most 600000)".into());
        }
        let lead_ins = [self.lead_in_ms, self.lead_in_taps_ms, self.lead_in_joins_ms, self.lead_in_purchases_ms];
        if lead_ins.iter().any(|l| !(0..=300_000).contains(l)) || !(0..=3_600_000).contains(&self.min_gap_ms) {
            return Err("every lead_in_*ms must be between 0 and 300000, min_gap_ms between 0 and 3600000".into());
        }
        if self.echo_window_s == 0 || self.echo_window_s > 600 {
            return Err("echo_window_s must be between 1 and 600".into());
        }
        let w = &self.weights;
        let numbers = [
            self.prior_var,
            self.shop_prior_var,
            self.rare_floor,
            self.overdispersion,
            self.share_dispersion,
            self.enter_score,
            self.noise_sigmas,
            self.exit_score,
            self.spam_ratio,
            self.flood_ratio,
            self.engagement_weight,
            self.traffic_weight,
            self.conversion_weight,
            w.comments,
            w.chatters,
            w.echoes,
            w.reactions,
            w.questions,
            w.exclamations,
            w.long_messages,
            w.similar,
            w.chat_scale,
            w.likes,
            w.shares,
            w.gifts,
            w.joins,
            w.clicks,
            w.carts,
            w.orders,
            w.gmv,
            self.group_present,
            self.z_cap,
        ];
        if numbers.iter().any(|x| !x.is_finite() || *x < 0.0 || *x > 1_000.0) {
            return Err("weights, scores and ratios must be finite numbers between 0 and 1000".into());
        }
        if w.chat().iter().sum::<f32>() <= 0.0 || w.chat_scale <= 0.0 {
            return Err("at least one chat weight must be positive, and so must chat_scale".into());
        }
        if self.prior_var <= 0.0 || self.shop_prior_var <= 0.0 || self.overdispersion < 0.01 || self.spam_ratio < 1.0 {
            return Err(
                "prior_var and shop_prior_var must be positive, overdispersion at least 0.01, spam_ratio at least 1"
                    .into(),
            );
        }
        if !(0.0..=1.0).contains(&self.group_others)
            || !(0.0..=1.0).contains(&self.group_together)
            || !(0.0..1.0).contains(&self.repeat_keep)
            || self.z_cap < 1.0
        {
            return Err(
                "group_others and group_together must be between 0 and 1, repeat_keep at least 0 and below 1, z_cap at least 1".into()
            );
        }
        if !(10..=36_000).contains(&self.idle_horizon_s) {
            return Err("idle_horizon_s must be between 10 and 36000".into());
        }
        if !(1..=50).contains(&self.reaction_max_words) || !(1..=2_000).contains(&self.reaction_max_chars) {
            return Err("reaction_max_words must be between 1 and 50, reaction_max_chars between 1 and 2000".into());
        }
        if !(1..=200).contains(&self.long_min_words) {
            return Err("long_min_words must be between 1 and 200".into());
        }
        if !(0.0..=1.0).contains(&self.confirm_drop) {
            return Err("confirm_drop must be between 0 and 1".into());
        }
        if !self.auto_post_floor.is_finite()
            || !self.auto_post_first_floor.is_finite()
            || !(0.0..=1.0).contains(&self.auto_post_quantile)
        {
            return Err(
                "auto_post_floor and auto_post_first_floor must be finite, auto_post_quantile between 0 and 1".into()
            );
        }
        self.learning.validate().map_err(|e| format!("learning: {e}"))
    }

    /// These settings with the clip bounds clamped into `[min_ms, max_ms]` (the seller-visible
    /// clip limits), so every highlight is a video the seller could also have cut by hand.
    pub fn within_clip_bounds(mut self, min_ms: i64, max_ms: i64) -> Self {
        self.clip_max_ms = self.clip_max_ms.clamp(min_ms, max_ms);
        self.clip_min_ms = self.clip_min_ms.clamp(min_ms, self.clip_max_ms);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_partial_json_fills_in_defaults() {
        EngineSettings::default().validate().unwrap();
        let s: EngineSettings = serde_json::from_str(r#"{"lead_in_ms": 30000, "weights": {"echoes": 2}}"#).unwrap();
        assert_eq!(s.lead_in_ms, 30_000);
        assert_eq!(s.weights.echoes, 2.0);
        assert_eq!(s.weights.reactions, SignalWeights::default().reactions);
        assert!(serde_json::from_str::<EngineSettings>(r#"{"lead_in": 3}"#).is_err(), "typos are refused");
    }

    #[test]
    fn nonsense_is_refused() {
        for bad in [
            EngineSettings { window_s: 30, ..Default::default() },
            EngineSettings { shop_prior_var: 0.0, ..Default::default() },
            EngineSettings { clip_min_ms: 90_000, ..Default::default() },
            EngineSettings { enter_score: f32::NAN, ..Default::default() },
            EngineSettings { auto_post_quantile: 1.5, ..Default::default() },
            EngineSettings { auto_post_first_floor: f64::NAN, ..Default::default() },
            EngineSettings { group_others: 2.0, ..Default::default() },
            EngineSettings { lead_in_purchases_ms: -1, ..Default::default() },
            EngineSettings { group_together: f32::NAN, ..Default::default() },
            EngineSettings { repeat_keep: 1.0, ..Default::default() },
            EngineSettings { idle_horizon_s: 1, ..Default::default() },
            EngineSettings { reaction_max_words: 0, ..Default::default() },
            EngineSettings { long_min_words: 0, ..Default::default() },
            EngineSettings { z_cap: f32::INFINITY, ..Default::default() },
            EngineSettings { flood_ratio: -1.0, ..Default::default() },
            EngineSettings {
                weights: SignalWeights {
                    comments: 0.0,
                    chatters: 0.0,
                    echoes: 0.0,
                    reactions: 0.0,
                    questions: 0.0,
                    exclamations: 0.0,
                    long_messages: 0.0,
                    similar: 0.0,
                    ..Default::default()
                },
                ..Default::default()
            },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn clip_bounds_follow_the_seller_visible_limits() {
        let s = EngineSettings::default().within_clip_bounds(15_000, 45_000);
        assert_eq!((s.clip_min_ms, s.clip_max_ms), (15_000, 45_000));
    }
}
