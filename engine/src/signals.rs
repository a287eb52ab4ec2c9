//! The signals a LIVE is scored on, and how a window of them compares with the LIVE's own baseline.

use crate::settings::EngineSettings;
use highlights_api::Signal;

/// Number of signals tracked per window.
pub const N: usize = 16;
/// Signals `0..CHAT` are chat's (what viewers write); the rest are the shop's.
pub const CHAT: usize = crate::settings::CHAT_SIGNALS;

/// Index of each signal in a window.
pub mod idx {
    /// Comments.
    pub const COMMENTS: usize = 0;
    /// Distinct chatters (not additive: counted by sketch per window).
    pub const CHATTERS: usize = 1;
    /// Comments echoing another viewer's recent message.
    pub const ECHOES: usize = 2;
    /// Short reactions: a few words, emotes, emoji.
    pub const REACTIONS: usize = 3;
    /// Comments ending in a question mark.
    pub const QUESTIONS: usize = 4;
    /// Comments ending in an exclamation mark.
    pub const EXCLAMATIONS: usize = 5;
    /// Comments of at least `long_min_words` words.
    pub const LONG_MESSAGES: usize = 6;
    /// Comments opening with the word another viewer's recent comment opened with, exact echoes aside.
    pub const SIMILAR: usize = 7;
    /// Likes (sum of counts).
    pub const LIKES: usize = 8;
    /// Shares.
    pub const SHARES: usize = 9;
    /// Gift value, in typical-gift units.
    pub const GIFTS: usize = 10;
    /// Viewer joins.
    pub const JOINS: usize = 11;
    /// Product clicks.
    pub const CLICKS: usize = 12;
    /// Add-to-cart.
    pub const CARTS: usize = 13;
    /// Ordered units.
    pub const ORDERS: usize = 14;
    /// GMV, in typical-order units.
    pub const GMV: usize = 15;
}

/// Chat signals judged by their share of the comments rather than their number: what chat says,
/// not how much of it there is.
const SHARED: [usize; 6] =
    [idx::ECHOES, idx::REACTIONS, idx::QUESTIONS, idx::EXCLAMATIONS, idx::LONG_MESSAGES, idx::SIMILAR];
/// Of those, the ones judged by their share alone (their level on the stable scale would be
/// computed every second for nothing). Echoes and reactions predate them and keep their level.
const SHARE_ONLY: std::ops::Range<usize> = SHARED.len() - (CHAT - idx::QUESTIONS)..SHARED.len();
/// The signals followed on the stable scale.
const STABLE: [usize; 12] = [
    idx::COMMENTS,
    idx::CHATTERS,
    idx::ECHOES,
    idx::REACTIONS,
    idx::LIKES,
    idx::SHARES,
    idx::GIFTS,
    idx::JOINS,
    idx::CLICKS,
    idx::CARTS,
    idx::ORDERS,
    idx::GMV,
];

/// Which signal each index is, for the reasons that explain a moment.
pub const SIGNALS: [Signal; N] = [
    Signal::Comments,
    Signal::Chatters,
    Signal::EchoedMessages,
    Signal::Reactions,
    Signal::Questions,
    Signal::Exclamations,
    Signal::LongMessages,
    Signal::SimilarMessages,
    Signal::Likes,
    Signal::Shares,
    Signal::Gifts,
    Signal::ViewerJoins,
    Signal::ProductClicks,
    Signal::AddToCarts,
    Signal::Orders,
    Signal::Gmv,
];

/// Per-signal values.
pub type Counts = [f32; N];

/// Slowly moving mean of each signal's window value, and how much it wobbles on a stabilised scale.
///
/// Counts are compared on the scale that makes their noise alike whatever the audience: the
/// variance-stabilising transform of a negative binomial, `2/√φ · asinh(√(φ x))` with `φ` the
/// squared `overdispersion`. Small counts behave like `2√x` (Poisson noise, variance 1), large ones
/// like `ln x / √φ` (activity wobbles by a share, not by a number of messages), so a crowd reacting
/// several times over stands out in a LIVE of 20 and of 200,000 alike, and bursts of ordinary chat,
/// heavy-tailed in counts, stay tame.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Baseline {
    mean: Counts,
    /// The baseline on the stable scale: a moving average of the transformed windows.
    level: Counts,
    var: Counts,
    /// What the share of each of [`SHARED`] has shown beyond chance (variance of the residual).
    share_var: [f32; SHARED.len()],
    samples: u32,
}

/// A window on the stable scale, computed once per second for scoring and learning alike.
pub type Stable = Counts;

/// The stabilising transform.
fn stable(s: &EngineSettings, x: f32) -> f32 {
    if x <= 0.0 {
        return 0.0;
    }
    let phi = s.overdispersion * s.overdispersion;
    // asinh(y) = ln(y + √(y² + 1)), with y² = φx: two square roots and a log, cheaper than asinh.
    2.0 / phi.sqrt() * ((phi * x).sqrt() + (phi * x + 1.0).sqrt()).ln()
}

/// Its inverse.
fn unstable(s: &EngineSettings, y: f32) -> f32 {
    let phi = s.overdispersion * s.overdispersion;
    (y * phi.sqrt() / 2.0).sinh().powi(2) / phi
}

impl Baseline {
    /// Closed seconds seen so far.
    pub fn samples(&self) -> u32 {
        self.samples
    }

    /// The baseline mean of each signal.
    pub fn mean(&self) -> &Counts {
        &self.mean
    }

    /// Spread on the stable scale: never less than `prior_var` (1 is pure counting noise; shop
    /// signals take `shop_prior_var`), nor than what this LIVE has shown.
    fn sd(&self, s: &EngineSettings, k: usize) -> f32 {
        let prior = if k >= idx::LIKES { s.shop_prior_var } else { s.prior_var };
        self.var[k].max(prior).sqrt()
    }

    /// `window` on the stable scale (0 for the signals judged by their share alone).
    pub fn stabilise(s: &EngineSettings, window: &Counts) -> Stable {
        let mut g = [0.0; N];
        for k in STABLE {
            g[k] = stable(s, window[k]);
        }
        g
    }

    /// How far above its baseline each signal of `window` (`g` on the stable scale) is, in
    /// standard deviations on that scale.
    pub fn z(&self, s: &EngineSettings, window: &Counts, g: &Stable) -> Counts {
        let mut z = [0.0; N];
        // A rare signal is judged as if it usually had `rare_floor` events a window: one or two
        // gifts where none is usual are chance in a small LIVE, a dozen clicks are not.
        let floor = stable(s, s.rare_floor);
        for k in STABLE {
            z[k] = ((g[k] - self.level[k].max(floor)) / self.sd(s, k)).clamp(0.0, s.z_cap);
        }
        // What chat says, not only how much: echoes, reactions, questions… count as far as they
        // exceed the share this LIVE's chat usually has, so a busy spell of the same chat is not a moment.
        for (i, k) in SHARED.into_iter().enumerate() {
            let (residual, chance) = self.share_residual(s, k, window);
            z[k] = (residual / chance.max(self.share_var[i]).sqrt()).clamp(0.0, s.z_cap);
        }
        z
    }

    /// How many more echoes (or reactions, questions…) a window has than the LIVE's usual share
    /// of its comments, and the variance chance alone gives that number.
    fn share_residual(&self, s: &EngineSettings, k: usize, window: &Counts) -> (f32, f32) {
        let share = (self.mean[k] / self.mean[idx::COMMENTS].max(1e-3)).min(1.0);
        let expected = share * window[idx::COMMENTS];
        let chance =
            expected * (1.0 - share) * s.share_dispersion + (s.overdispersion * expected).powi(2) + s.prior_var;
        (window[k] - expected, chance)
    }

    /// Learns from one more window; values far above the baseline are clipped so peaks barely move it.
    pub fn learn(&mut self, s: &EngineSettings, window: &Counts, g: &Stable) {
        self.learn_with(s, window, g, true)
    }

    /// Learns without clipping: after a moment, a LIVE that stays busier is the new normal.
    pub fn adapt(&mut self, s: &EngineSettings, window: &Counts, g: &Stable) {
        self.learn_with(s, window, g, false)
    }

    fn learn_with(&mut self, s: &EngineSettings, window: &Counts, g: &Stable, clip: bool) {
        self.samples = self.samples.saturating_add(1);
        let alpha = (1.0 / self.samples as f32).max(1.0 / s.baseline_horizon_s as f32);
        for k in STABLE {
            let d = g[k] - self.level[k];
            // Only a rise is clipped, so the spread (a square root) is needed only then.
            let sd = if self.samples > 10 && d > 0.0 { self.sd(s, k) } else { f32::INFINITY };
            // The spread never learns from what stands out (winsorised at 2 sd): a moment that was
            // missed, or a new level setting in, must not make the LIVE look noisier than it is.
            let spread = d.min(2.0 * sd);
            let (step, x) =
                if clip && d > 3.0 * sd { (3.0 * sd, unstable(s, self.level[k] + 3.0 * sd)) } else { (d, window[k]) };
            self.level[k] += alpha * step;
            self.mean[k] += alpha * (x - self.mean[k]);
            self.var[k] += alpha * (spread * spread - self.var[k]);
        }
        for i in SHARE_ONLY {
            let k = SHARED[i];
            let (residual, chance) = self.share_residual(s, k, window);
            // As on the stable scale: a share far above the usual barely moves it.
            let limit = 3.0 * chance.max(self.share_var[i]).sqrt();
            let x =
                if clip && self.samples > 10 && residual > limit { window[k] - residual + limit } else { window[k] };
            self.mean[k] += alpha * (x - self.mean[k]);
        }
        for (i, k) in SHARED.into_iter().enumerate() {
            let (residual, chance) = self.share_residual(s, k, window);
            let clipped = residual.min(2.0 * chance.max(self.share_var[i]).sqrt());
            self.share_var[i] += alpha * (clipped * clipped - self.share_var[i]);
        }
    }
}

/// Weighted mean of some signals' z: signals that move together speak with one voice.
fn voice(z: &Counts, members: &[(usize, f32)]) -> f32 {
    let weight: f32 = members.iter().map(|(_, w)| w).sum();
    if weight <= 0.0 {
        return 0.0;
    }
    members.iter().map(|(k, w)| w * z[*k]).sum::<f32>() / weight
}

/// Each group's weighted value and how present it is in the LIVE (its events per window), in the
/// order chat, likes, shares, gifts, joins, purchases.
fn groups(s: &EngineSettings, z: &Counts, mean: &Counts) -> [(f32, f32); 6] {
    use idx::*;
    let w = &s.weights;
    let (e, t, c) = (s.engagement_weight, s.traffic_weight, s.conversion_weight);
    let chat = w.chat();
    let chat_voice = {
        let weight: f32 = chat.iter().sum();
        if weight <= 0.0 { 0.0 } else { (0..CHAT).map(|k| chat[k] * z[k]).sum::<f32>() / weight }
    };
    [
        (e * w.chat_scale * chat_voice, mean[COMMENTS]),
        (e * w.likes * z[LIKES], mean[LIKES]),
        (e * w.shares * z[SHARES], mean[SHARES]),
        (e * w.gifts * z[GIFTS], mean[GIFTS]),
        (t * w.joins * z[JOINS], mean[JOINS]),
        (
            c * voice(z, &[(CLICKS, w.clicks), (CARTS, w.carts), (ORDERS, w.orders), (GMV, w.gmv)]),
            mean[CLICKS] + mean[ORDERS],
        ),
    ]
}

/// Which kind of viewer action leads a moment: each follows what the seller did by its own delay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lead {
    /// Chat.
    Chat,
    /// Likes, shares, gifts.
    Taps,
    /// Viewer joins.
    Joins,
    /// Clicks, add-to-carts, orders, GMV.
    Purchases,
}

/// The kind of action a clip must reach back for: of the groups that stand out on their own
/// (at least `enter_score`), the one that lags the moment most by `lag`; else the strongest. Every
/// group that rose reacted to the same moment, each after its own delay, so the slowest one
/// dates it earliest.
pub fn leading(s: &EngineSettings, z: &Counts, mean: &Counts, lag: impl Fn(Lead) -> i64) -> Lead {
    const LEADS: [Lead; 6] = [Lead::Chat, Lead::Taps, Lead::Taps, Lead::Taps, Lead::Joins, Lead::Purchases];
    let groups = groups(s, z, mean);
    // A group the LIVE does not have (a handful of events in all) dates nothing.
    let present = |g: &usize| groups[*g].1 >= s.group_present;
    let strongest = (0..groups.len()).filter(present).max_by(|a, b| groups[*a].0.total_cmp(&groups[*b].0)).unwrap_or(0);
    (0..groups.len())
        .filter(|g| groups[*g].0 >= s.enter_score && present(g))
        .map(|g| LEADS[g])
        .max_by_key(|l| lag(*l))
        .unwrap_or(LEADS[strongest])
}

/// One number for how remarkable a window is, each signal judged against the LIVE's own baseline
/// (`mean`). Signals form groups: chat (comments, chatters and what they write) as one voice,
/// likes, shares, gifts, joins, and purchases (clicks, add-to-carts, orders, GMV) as one voice;
/// each group is weighted by its category (engagement, traffic, conversion). The strongest group
/// counts fully, the others a share (`group_others`, a tenth by default). The more groups a LIVE has, the more chances its ordinary
/// wobble has to look like a moment in one of them, so each group's z is discounted for the
/// number present (`√(z² − 2 ln k)`, close to a Šidák correction): a LIVE with chat only is
/// judged as before, a LIVE with six lively groups needs a little more. A moment the whole room
/// joins in, every group up a little, scores by the groups' standardised sum instead when that
/// is higher (`group_together`).
pub fn score(s: &EngineSettings, z: &Counts, mean: &Counts) -> f32 {
    let groups = groups(s, z, mean);
    let present = groups.iter().filter(|(_, m)| *m >= s.group_present).count().max(1);
    let discount = if present == 1 { 0.0 } else { 2.0 * (present as f32).ln() };
    let adjusted = groups.map(|(g, _)| (g * g - discount).max(0.0).sqrt());
    let max = adjusted.iter().copied().fold(0.0, f32::max);
    let strongest = max + s.group_others * (adjusted.iter().sum::<f32>() - max);
    strongest.max(s.group_together * together(&groups, present, s.group_present))
}

/// Null mean of a z clamped at 0 (a half-normal's mean, `1/√(2π)`).
const CLAMPED_MEAN: f32 = 0.398_942_3;
/// Null variance of a z clamped at 0 (`1/2 − 1/(2π)`).
const CLAMPED_VAR: f32 = 0.340_845_1;

/// How far the present groups stand out together, as one standardised sum (Stouffer's, centred
/// for z clamped at 0): the discount above keeps a LIVE's many groups from wobbling into a moment
/// one at a time, but a moment the whole room joins in lifts every group a little, and no single
/// group of a small shop LIVE then clears the bar on its own. One extra test, so no discount.
/// Only from three groups on: with two the discount is small, and two correlated groups (chat
/// and joins rise together in any LIVE) would pass a balanced rise for more than it is.
fn together(groups: &[(f32, f32)], present: usize, group_present: f32) -> f32 {
    if present < 3 {
        return 0.0;
    }
    let sum: f32 = groups.iter().filter(|(_, m)| *m >= group_present).map(|(g, _)| g).sum();
    let k = present as f32;
    (sum - k * CLAMPED_MEAN) / (k * CLAMPED_VAR).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn z(b: &Baseline, s: &EngineSettings, w: &Counts) -> Counts {
        b.z(s, w, &Baseline::stabilise(s, w))
    }

    fn flat(v: f32) -> Counts {
        [v; N]
    }

    /// Ordinary chat at `scale` messages per window: a third short reactions, a tenth echoes.
    fn chat(scale: f32) -> Counts {
        let mut w = [0.0; N];
        w[idx::COMMENTS] = scale;
        w[idx::CHATTERS] = scale * 0.8;
        w[idx::REACTIONS] = scale * 0.3;
        w[idx::ECHOES] = scale * 0.1;
        w
    }

    #[test]
    fn a_crowd_reacting_stands_out_in_small_and_huge_lives_a_busier_spell_does_not() {
        let s = EngineSettings::default();
        for scale in [20.0_f32, 20_000.0] {
            let mut b = Baseline::default();
            for _ in 0..200 {
                b.learn(&s, &chat(scale), &Baseline::stabilise(&s, &chat(scale)));
            }
            // Three times the people, and most of what they write is the same short reaction.
            let mut w = chat(scale * 3.0);
            w[idx::REACTIONS] = scale * 2.4;
            w[idx::ECHOES] = scale * 1.8;
            let hit = score(&s, &z(&b, &s, &w), b.mean());
            assert!(hit > 2.0 * s.enter_score, "a crowd reacting at scale {scale} scored {hit}");
            assert!(score(&s, &z(&b, &s, &chat(scale)), b.mean()) < 0.5, "ordinary chat");
            let busier = score(&s, &z(&b, &s, &chat(scale * 1.3)), b.mean());
            assert!(busier < hit / 3.0, "a third more of the same chat at scale {scale} scored {busier}");
        }
    }

    #[test]
    fn a_few_events_in_a_tiny_live_are_not_a_moment() {
        let s = EngineSettings::default();
        let mut b = Baseline::default();
        for _ in 0..200 {
            b.learn(&s, &flat(0.5), &Baseline::stabilise(&s, &flat(0.5)));
        }
        let mut w = flat(0.5);
        w[idx::ORDERS] = 2.0;
        assert!(score(&s, &z(&b, &s, &w), b.mean()) < s.enter_score, "two orders where one is usual is chance");
    }

    #[test]
    fn more_groups_need_a_little_more() {
        let s = EngineSettings::default();
        let mut z = [0.0; N];
        z[idx::COMMENTS] = 3.0;
        z[idx::CHATTERS] = 3.0;
        z[idx::ECHOES] = 3.0;
        z[idx::REACTIONS] = 3.0;
        let chat_only = score(&s, &z, &chat(10.0));
        let shop = score(&s, &z, &flat(10.0));
        assert!((chat_only - 3.0).abs() < 1e-4, "{chat_only}");
        assert!(shop < chat_only && shop > 2.0, "six groups present discount a little: {shop}");
    }

    #[test]
    fn the_slowest_group_standing_out_dates_the_moment() {
        let s = EngineSettings::default();
        let lag = |l: Lead| match l {
            Lead::Chat => 18,
            Lead::Taps => 12,
            Lead::Joins => 15,
            Lead::Purchases => 25,
        };
        let mut z = [0.0; N];
        z[idx::COMMENTS] = 6.0;
        z[idx::CHATTERS] = 6.0;
        assert_eq!(leading(&s, &z, &flat(10.0), lag), Lead::Chat, "chat alone");
        z[idx::CLICKS] = 4.0;
        z[idx::CARTS] = 4.0;
        z[idx::ORDERS] = 4.0;
        z[idx::GMV] = 4.0;
        assert_eq!(leading(&s, &z, &flat(10.0), lag), Lead::Purchases, "purchases stand out too, and lag most");
        z[idx::CLICKS] = 0.5;
        z[idx::CARTS] = 0.5;
        z[idx::ORDERS] = 0.5;
        z[idx::GMV] = 0.5;
        assert_eq!(leading(&s, &z, &flat(10.0), lag), Lead::Chat, "purchases barely moved");
        let mut likes_only = [0.0; N];
        likes_only[idx::LIKES] = 0.9;
        assert_eq!(leading(&s, &likes_only, &chat(10.0), lag), Lead::Chat, "a group the LIVE lacks dates nothing");
    }

    #[test]
    fn a_whole_room_lifting_a_little_is_a_moment_one_group_wobbling_is_not() {
        let s = EngineSettings::default();
        let lively = flat(10.0);
        let everything = [2.0; N];
        let all = score(&s, &everything, &lively);
        let alone = score(&s, &everything, &chat(10.0));
        assert!(alone > 1.9, "chat alone at z 2 scores about 2: {alone}");
        assert!(all > s.enter_score * 1.5, "every group at z 2 together: {all}");
        let without = score(&EngineSettings { group_together: 0.0, ..Default::default() }, &everything, &lively);
        assert!(without < all / 2.0, "one group at a time, each discounted for six: {without} against {all}");
        let mut one = [0.0; N];
        one[idx::LIKES] = 2.0;
        assert!(score(&s, &one, &lively) < 1.0, "one group at z 2 among six present is wobble");
        assert_eq!(score(&s, &[0.0; N], &lively), 0.0, "nothing above the baseline scores nothing");
        let mut two = chat(10.0);
        two[idx::JOINS] = 10.0;
        let mut both = [0.0; N];
        (both[idx::COMMENTS], both[idx::CHATTERS], both[idx::JOINS]) = (5.0, 5.0, 5.0);
        let apart = EngineSettings { group_together: 0.0, ..Default::default() };
        assert_eq!(
            score(&s, &both, &two),
            score(&apart, &both, &two),
            "two groups rising together are judged one by one"
        );
    }

    #[test]
    fn a_peak_barely_moves_the_baseline() {
        let s = EngineSettings::default();
        let mut b = Baseline::default();
        for _ in 0..200 {
            b.learn(&s, &flat(10.0), &Baseline::stabilise(&s, &flat(10.0)));
        }
        b.learn(&s, &flat(1_000.0), &Baseline::stabilise(&s, &flat(1_000.0)));
        assert!(b.mean()[0] < 10.5, "{}", b.mean()[0]);
    }
}
