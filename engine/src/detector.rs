//! Online peak detection for one LIVE: a decision at stream time t uses only events up to t.
//!
//! Events are counted into one-second buckets. A second is scored once `lateness_ms` of stream time
//! has passed it, on a window of the last `window_s` seconds against the LIVE's own slowly moving
//! baseline. A run of high scores is a moment; it is identified when its peak is confirmed (the
//! score fell well below it, or was not beaten for a few seconds), which bounds the delay.

use serde::{Deserialize, Serialize};

use crate::bar::AutoPostBar;
use crate::chat::{self, Message};
use crate::event::{EventKind, LiveEvent};
use crate::moment::Moment;
use crate::settings::{EngineSettings, RING_S};
use crate::signals::{self, Baseline, CHAT, Counts, Lead, N, idx};
use crate::sketch::{Distinct, Echoes, OPENING_SLOTS, Posters};
use highlights_api::Reason;

/// Products remembered per LIVE; the one with the least conversion weight is forgotten first.
const MAX_PRODUCTS: usize = 8;
/// A gap in the stream longer than this skips ahead instead of scoring every silent second.
const MAX_GAP_S: i64 = 3_600;
/// Seconds between readings of the bars from the idle-score histogram.
const BARS_EVERY_S: i64 = 5;

#[derive(Debug, Clone, Serialize, Deserialize)]
enum Phase {
    Idle,
    Active { start_s: i64, peak_s: i64, peak_score: f32, peak_z: Counts, peak_window: Counts, below: u8 },
    Cooldown,
}

/// Running mean and spread of one number.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
struct Running {
    mean: f32,
    var: f32,
    samples: u32,
}

impl Running {
    fn learn(&mut self, x: f32, horizon: f32) {
        // Clipped, so a near miss does not raise the bar for the next moment.
        let x = if self.samples > 30 { x.min(self.mean + 3.0 * self.var.sqrt()) } else { x };
        self.samples = self.samples.saturating_add(1);
        let alpha = (1.0 / self.samples as f32).max(1.0 / horizon);
        let d = x - self.mean;
        self.mean += alpha * d;
        self.var += alpha * (d * d - self.var);
    }
}

/// Bins of the idle-score histogram: one for (near) zero, then geometric steps up to about 37.
const SPREAD_BINS: usize = 24;
const SPREAD_FIRST: f32 = 0.05;
const SPREAD_STEP: f32 = 1.35;

/// How a LIVE's score is spread when nothing happens, as a slowly forgetting histogram: its
/// median and 90th percentile give a bar that heavy-tailed noise does not push around, and that
/// the LIVE's own moments (clipped out by the caller) barely move.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct IdleScores {
    counts: [f32; SPREAD_BINS],
    /// Weight of the next sample: growing instead of shrinking every count, so learning is one add.
    weight: f32,
    samples: u32,
}

impl IdleScores {
    fn edge(bin: usize) -> f32 {
        if bin == 0 { 0.0 } else { SPREAD_FIRST * SPREAD_STEP.powi(bin as i32 - 1) }
    }

    fn learn(&mut self, score: f32, horizon: f32) {
        self.weight /= 1.0 - 1.0 / horizon;
        if self.weight > 1e20 {
            for c in &mut self.counts {
                *c /= self.weight;
            }
            self.weight = 1.0;
        }
        let bin = if score < SPREAD_FIRST {
            0
        } else {
            (1 + ((score / SPREAD_FIRST).ln() / SPREAD_STEP.ln()) as usize).min(SPREAD_BINS - 1)
        };
        self.counts[bin] += self.weight;
        self.samples = self.samples.saturating_add(1);
    }

    /// The score below which a fraction `p` of idle seconds fell, interpolated within its bin.
    fn quantile(&self, p: f32) -> f32 {
        let total: f32 = self.counts.iter().sum();
        let mut below = 0.0;
        for (bin, c) in self.counts.iter().enumerate() {
            if *c > 0.0 && below + c >= p * total {
                let (lo, hi) = (Self::edge(bin), Self::edge(bin + 1));
                return lo + (hi - lo) * ((p * total - below) / c).clamp(0.0, 1.0);
            }
            below += c;
        }
        Self::edge(SPREAD_BINS)
    }
}

/// Sees every second a detector scores, so the chat weights can be learned offline from the very
/// figures the engine scores (`eval::train`); the engine itself passes `()`, which compiles to nothing.
pub(crate) trait Observe {
    /// Second `sec` (epoch s, the end of its window) had these z, before any weight applied.
    fn second(&mut self, sec: i64, z: &Counts);
}

impl Observe for () {
    #[inline(always)]
    fn second(&mut self, _: i64, _: &Counts) {}
}

/// The chat content signals, `idx::QUESTIONS` to `idx::SIMILAR`.
const CONTENT: std::ops::Range<usize> = idx::QUESTIONS..CHAT;
/// Signals a bucket keeps as `f32`.
const MEASURED: usize = N - (CHAT - idx::QUESTIONS);

/// One second's counts. The chat content counts (questions, exclamations, long and similar
/// messages) are whole numbers of messages, kept in 16 bits: every byte here is carried by every
/// LIVE, sixteen times over, and the whole state is fetched for each of its events.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
struct Bucket {
    /// Every other signal, in index order with the content ones left out.
    measured: [f32; MEASURED],
    content: [u16; CHAT - idx::QUESTIONS],
}

impl Bucket {
    /// Where signal `k` (not a content one) is kept in `measured`.
    const fn column(k: usize) -> usize {
        if k < idx::QUESTIONS { k } else { k - (CHAT - idx::QUESTIONS) }
    }

    /// Counts one message of content signal `k` if `yes`.
    fn count(&mut self, k: usize, yes: bool) {
        let c = &mut self.content[k - idx::QUESTIONS];
        *c = c.saturating_add(u16::from(yes));
    }

    /// All the signals, in index order.
    fn counts(&self) -> Counts {
        let mut out = [0.0; N];
        for k in 0..N {
            out[k] = if CONTENT.contains(&k) {
                f32::from(self.content[k - idx::QUESTIONS])
            } else {
                self.measured[Self::column(k)]
            };
        }
        out
    }
}

impl std::ops::Index<usize> for Bucket {
    type Output = f32;

    fn index(&self, k: usize) -> &f32 {
        debug_assert!(!CONTENT.contains(&k), "content signals are read with Bucket::counts");
        &self.measured[Self::column(k)]
    }
}

impl std::ops::IndexMut<usize> for Bucket {
    fn index_mut(&mut self, k: usize) -> &mut f32 {
        debug_assert!(!CONTENT.contains(&k), "content signals are counted with Bucket::count");
        &mut self.measured[Self::column(k)]
    }
}

/// Detection state of one LIVE; about 3 KB whatever its audience.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Detector {
    ring: [Bucket; RING_S as usize],
    chatters: [Distinct; RING_S as usize],
    window: Counts,
    baseline: Baseline,
    episode: Counts,
    /// Next second to close; `None` before the first event.
    next_close_s: Option<i64>,
    first_s: i64,
    max_ts: i64,
    origin_ms: i64,
    products: Vec<(String, f32)>,
    pinned: Option<usize>,
    phase: Phase,
    /// Peak, clip end and product hash of the last moment, to suppress near-duplicates.
    last: Option<(i64, i64, Option<u64>)>,
    ended: bool,
    late: u64,
    /// Running mean value of a gift and of an order, so value signals count in "typical" units.
    avg_gift: f32,
    avg_order_cents: f32,
    episode_gmv_cents: f64,
    /// How this LIVE's score moves when nothing happens; busy LIVEs wobble more.
    idle: IdleScores,
    /// Messages per chatter when nothing happens: the measure spam is judged against.
    per_chatter: Running,
    echoes: Echoes,
    /// Recent opening words, for messages worded differently that open alike.
    openings: Echoes<OPENING_SLOTS>,
    posters: Posters,
    /// Comments without a user so far; each counts as a chatter of its own.
    anonymous: u64,
    bar: AutoPostBar,
    /// The bars in force and the second they were read from the idle scores (every few seconds:
    /// they move slowly, and reading them is a good part of a second's work).
    bars: (f32, f32, i64),
}

impl Default for Detector {
    fn default() -> Self {
        Self {
            ring: [Bucket::default(); RING_S as usize],
            chatters: [Distinct::default(); RING_S as usize],
            window: [0.0; N],
            baseline: Baseline::default(),
            episode: [0.0; N],
            next_close_s: None,
            first_s: 0,
            max_ts: 0,
            origin_ms: i64::MAX,
            products: Vec::new(),
            pinned: None,
            phase: Phase::Idle,
            last: None,
            ended: false,
            late: 0,
            avg_gift: 0.0,
            avg_order_cents: 0.0,
            episode_gmv_cents: 0.0,
            idle: IdleScores { counts: [0.0; SPREAD_BINS], weight: 1.0, samples: 0 },
            per_chatter: Running::default(),
            echoes: Echoes::default(),
            openings: Echoes::default(),
            posters: Posters::default(),
            anonymous: 0,
            bar: AutoPostBar::default(),
            bars: (0.0, 0.0, i64::MIN),
        }
    }
}

fn slot(s: i64) -> usize {
    s.rem_euclid(RING_S) as usize
}

impl Detector {
    /// A detector for a LIVE whose auto-post floors sit `bar_shift` above the settings' (the
    /// seller's learned bar, fixed for the LIVE).
    pub fn with_bar_shift(bar_shift: f64) -> Self {
        Self { bar: AutoPostBar::shifted(bar_shift), ..Self::default() }
    }

    /// Bytes this detector holds, inline and on the heap.
    pub fn bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.products.capacity() * std::mem::size_of::<(String, f32)>()
            + self.products.iter().map(|(p, _)| p.capacity()).sum::<usize>()
    }

    /// Events that arrived after their second had been scored (counted into the next open second).
    pub fn late_events(&self) -> u64 {
        self.late
    }

    /// Whether `live_end` was seen.
    pub fn ended(&self) -> bool {
        self.ended
    }

    fn product(&mut self, id: &str) -> usize {
        if let Some(i) = self.products.iter().position(|(p, _)| p == id) {
            return i;
        }
        if self.products.len() == MAX_PRODUCTS {
            let victim = (0..self.products.len())
                .filter(|i| Some(*i) != self.pinned)
                .min_by(|a, b| self.products[*a].1.total_cmp(&self.products[*b].1))
                .unwrap_or(0);
            self.products.remove(victim);
            if let Some(p) = self.pinned
                && p > victim
            {
                self.pinned = Some(p - 1);
            }
        }
        self.products.push((id.to_string(), 0.0));
        self.products.len() - 1
    }

    fn credit(&mut self, id: &str, weight: f32) {
        if matches!(self.phase, Phase::Active { .. }) {
            let i = self.product(id);
            self.products[i].1 += weight;
        }
    }

    /// Feeds one event; appends to `out` the moments this event's stream time confirms.
    pub fn push(&mut self, s: &EngineSettings, live_id: &str, e: &LiveEvent, out: &mut Vec<Moment>) {
        self.push_observed(s, live_id, e, out, &mut ());
    }

    /// [`Detector::push`], showing `seen` every second it scores.
    pub(crate) fn push_observed<O: Observe>(
        &mut self,
        s: &EngineSettings,
        live_id: &str,
        e: &LiveEvent,
        out: &mut Vec<Moment>,
        seen: &mut O,
    ) {
        if matches!(e.kind, EventKind::Caption { .. }) {
            // Speech is the seller's, not the audience's, and speech-to-text delivers it late:
            // it must neither count as activity nor move the stream clock.
            return;
        }
        let sec = e.ts_ms.div_euclid(1000);
        let next = *self.next_close_s.get_or_insert_with(|| {
            self.first_s = sec;
            sec
        });
        self.origin_ms = self.origin_ms.min(e.ts_ms);
        if sec - next > MAX_GAP_S {
            // A long silence (or a clock jump): the old window means nothing now.
            self.ring = [Bucket::default(); RING_S as usize];
            self.chatters = [Distinct::default(); RING_S as usize];
            self.window = [0.0; N];
            self.next_close_s = Some(sec - 1);
        }
        self.max_ts = self.max_ts.max(e.ts_ms);
        let window_s = i64::from(s.window_s);
        let due = (self.max_ts - s.lateness_ms).div_euclid(1000) - 1;
        let forced = sec - (RING_S - window_s - 1);
        self.close_until(s, live_id, due.max(forced), out, seen);
        let open = self.next_close_s.unwrap_or(sec);
        let at = if sec < open {
            self.late += 1;
            open
        } else {
            sec
        };
        let b = slot(at);
        match &e.kind {
            // These only move the stream clock, above: a LIVE's size is judged by what viewers do.
            EventKind::LiveStart { .. }
            | EventKind::ViewerLeave
            | EventKind::ViewerCount { .. }
            | EventKind::Caption { .. } => {}
            EventKind::LiveEnd => {
                self.ended = true;
                self.flush_observed(s, live_id, out, seen);
            }
            EventKind::Comment { user, text } => {
                self.ring[b][idx::COMMENTS] += 1.0;
                let who = if user.is_empty() {
                    self.anonymous += 1;
                    chat::mix(self.anonymous)
                } else {
                    chat::hash(user.as_bytes())
                };
                self.chatters[b].insert(who);
                // A viewer repeating themselves (or a spam account) reacts once, not per message.
                if self.posters.repeat(who) {
                    return;
                }
                let message = Message::read(s, text);
                let counts = &mut self.ring[b];
                counts[idx::REACTIONS] += f32::from(u8::from(message.reaction));
                counts.count(idx::QUESTIONS, message.question);
                counts.count(idx::EXCLAMATIONS, message.exclamation);
                counts.count(idx::LONG_MESSAGES, message.long);
                let since_start = u32::try_from(at - self.first_s + 1).unwrap_or(u32::MAX);
                let echoed =
                    message.echo_key.is_some_and(|key| self.echoes.echo(key, who, since_start, s.echo_window_s));
                // Opening alike is noted for every message, counted only beyond an exact echo.
                let opened_alike =
                    message.opening_key.is_some_and(|key| self.openings.echo(key, who, since_start, s.echo_window_s));
                let counts = &mut self.ring[b];
                counts[idx::ECHOES] += f32::from(u8::from(echoed));
                counts.count(idx::SIMILAR, opened_alike && !echoed);
            }
            EventKind::Like { count } => self.ring[b][idx::LIKES] += *count as f32,
            EventKind::Share => self.ring[b][idx::SHARES] += 1.0,
            EventKind::Gift { value } => {
                let units = typical_units(&mut self.avg_gift, *value as f32);
                self.ring[b][idx::GIFTS] += units;
            }
            EventKind::ViewerJoin => self.ring[b][idx::JOINS] += 1.0,
            EventKind::ProductPin { product_id, .. } => self.pinned = Some(self.product(product_id)),
            EventKind::ProductUnpin { product_id } => {
                if self.pinned.is_some_and(|p| self.products[p].0 == *product_id) {
                    self.pinned = None;
                }
            }
            EventKind::ProductClick { product_id } => {
                self.ring[b][idx::CLICKS] += 1.0;
                self.credit(product_id, 1.0);
            }
            EventKind::AddToCart { product_id } => {
                self.ring[b][idx::CARTS] += 1.0;
                self.credit(product_id, 2.0);
            }
            EventKind::Order { product_id, quantity, amount_cents } => {
                self.ring[b][idx::ORDERS] += *quantity as f32;
                let units = typical_units(&mut self.avg_order_cents, *amount_cents as f32);
                self.ring[b][idx::GMV] += units;
                if matches!(self.phase, Phase::Active { .. }) {
                    self.episode_gmv_cents += *amount_cents as f64;
                }
                self.credit(product_id, 4.0 * *quantity as f32);
            }
        }
    }

    /// Scores every second up to the newest event and confirms a moment still open: the stream is over.
    pub fn flush(&mut self, s: &EngineSettings, live_id: &str, out: &mut Vec<Moment>) {
        self.flush_observed(s, live_id, out, &mut ());
    }

    /// [`Detector::flush`], showing `seen` every second it scores.
    pub(crate) fn flush_observed<O: Observe>(
        &mut self,
        s: &EngineSettings,
        live_id: &str,
        out: &mut Vec<Moment>,
        seen: &mut O,
    ) {
        let last = self.max_ts.div_euclid(1000);
        self.close_until(s, live_id, last, out, seen);
        if let Phase::Active { .. } = self.phase {
            out.extend(self.emit(s, live_id, last));
            self.phase = Phase::Cooldown;
        }
    }

    fn close_until<O: Observe>(
        &mut self,
        s: &EngineSettings,
        live_id: &str,
        until: i64,
        out: &mut Vec<Moment>,
        seen: &mut O,
    ) {
        while let Some(sec) = self.next_close_s.filter(|sec| *sec <= until) {
            out.extend(self.close(s, live_id, sec, seen));
            self.next_close_s = Some(sec + 1);
        }
    }

    /// The window ending at second `sec`, with spam taken out: messages beyond `spam_ratio` times
    /// the LIVE's usual messages per chatter do not count, so a few accounts flooding the chat
    /// are not a moment.
    fn window_at(&mut self, s: &EngineSettings, sec: i64) -> (Counts, f32) {
        let w = i64::from(s.window_s);
        let (new, old) = (self.ring[slot(sec)].counts(), self.ring[slot(sec - w)].counts());
        for k in 0..N {
            self.window[k] = (self.window[k] + new[k] - old[k]).max(0.0);
        }
        self.ring[slot(sec - w)] = Bucket::default();
        self.chatters[slot(sec - w)] = Distinct::default();
        let mut people = Distinct::default();
        for back in 0..w {
            people.merge(&self.chatters[slot(sec - back)]);
        }
        let mut window = self.window;
        window[idx::CHATTERS] = people.estimate().min(window[idx::COMMENTS]);
        let per_chatter = window[idx::COMMENTS] / window[idx::CHATTERS].max(1.0);
        let allowed = s.spam_ratio * self.per_chatter.mean.max(1.0) * window[idx::CHATTERS].max(1.0);
        if window[idx::COMMENTS] > allowed {
            let keep = allowed / window[idx::COMMENTS];
            for k in (0..CHAT).filter(|k| *k != idx::CHATTERS) {
                window[k] *= keep;
            }
        }
        (window, per_chatter)
    }

    fn close<O: Observe>(&mut self, s: &EngineSettings, live_id: &str, sec: i64, seen: &mut O) -> Option<Moment> {
        self.posters.tick(s.repeat_keep);
        let new = self.ring[slot(sec)].counts();
        let (window, per_chatter) = self.window_at(s, sec);
        let horizon = s.baseline_horizon_s as f32;
        if self.baseline.samples() < s.warmup_s {
            // The scores of a young baseline are noisy: learning them makes the start cautious.
            let g = Baseline::stabilise(s, &window);
            if self.baseline.samples() > 10 {
                self.idle.learn(
                    signals::score(s, &self.baseline.z(s, &window, &g), self.baseline.mean()),
                    s.idle_horizon_s as f32,
                );
            }
            self.baseline.learn(s, &window, &g);
            if window[idx::COMMENTS] > 0.0 {
                self.per_chatter.learn(per_chatter, horizon);
            }
            return None;
        }
        let g = Baseline::stabilise(s, &window);
        let mut z = self.baseline.z(s, &window, &g);
        seen.second(sec, &z);
        // A content signal weighted 0 is off: it explains no moment either, so a deployment that
        // has not learned its weight detects exactly as before it existed.
        let chat_weights = s.weights.chat();
        for k in idx::QUESTIONS..CHAT {
            if chat_weights[k] == 0.0 {
                z[k] = 0.0;
            }
        }
        let score = signals::score(s, &z, self.baseline.mean());
        if sec.saturating_sub(self.bars.2) >= BARS_EVERY_S {
            let (enter, exit) = self.thresholds(s);
            self.bars = (enter, exit, sec);
        }
        let (enter, exit, _) = self.bars;
        let mut out = None;
        match &mut self.phase {
            Phase::Idle if score >= enter => {
                for p in &mut self.products {
                    p.1 = 0.0;
                }
                self.episode = new;
                self.episode_gmv_cents = 0.0;
                self.phase = Phase::Active {
                    start_s: sec - i64::from(s.window_s) + 1,
                    peak_s: sec,
                    peak_score: score,
                    peak_z: z,
                    peak_window: window,
                    below: 0,
                };
            }
            Phase::Idle => {
                self.baseline.learn(s, &window, &g);
                self.idle.learn(score, s.idle_horizon_s as f32);
                if window[idx::COMMENTS] > 0.0 {
                    self.per_chatter.learn(per_chatter, horizon);
                }
            }
            Phase::Active { start_s, peak_s, peak_score, peak_z, peak_window, below } => {
                for k in 0..N {
                    self.episode[k] += new[k];
                }
                if score > *peak_score {
                    (*peak_s, *peak_score, *peak_z, *peak_window) = (sec, score, z, window);
                }
                *below = if score < s.confirm_drop * *peak_score { *below + 1 } else { 0 };
                let confirmed = *below >= 1
                    || sec - *peak_s >= i64::from(s.peak_hold_s)
                    || (sec - *start_s + 1) * 1000 >= s.clip_max_ms;
                if confirmed {
                    out = self.emit(s, live_id, sec);
                    self.phase = if score >= exit { Phase::Cooldown } else { Phase::Idle };
                }
            }
            Phase::Cooldown => {
                // Keep learning, unclipped: a LIVE that settled on a new level (a raid that stays)
                // must not stay in cooldown, nor fire again and again.
                self.baseline.adapt(s, &window, &g);
                self.idle.learn(score.min(enter), s.idle_horizon_s as f32);
                if score < exit {
                    self.phase = Phase::Idle;
                }
            }
        }
        out
    }

    /// The score that starts a moment, and the one that re-arms detection after one. Starting
    /// takes `enter_score` at least, more for LIVEs whose score is noisy by nature (bursty chat,
    /// lumpy orders), so a LIVE's ordinary wobble is never a moment: `noise_sigmas` spreads above
    /// its median idle score, the spread read robustly (median to 90th percentile, as a normal's
    /// 1.28 standard deviations). Re-arming takes a score back among the LIVE's ordinary ones.
    fn thresholds(&self, s: &EngineSettings) -> (f32, f32) {
        if self.idle.samples < 30 {
            return (s.enter_score * 1.5, s.exit_score);
        }
        let median = self.idle.quantile(0.5);
        let sigma = (self.idle.quantile(0.9) - median) / 1.2816;
        let enter = (median + s.noise_sigmas * sigma).max(s.enter_score);
        (enter, (median + sigma).max(s.exit_score).min(0.6 * enter))
    }

    fn emit(&mut self, s: &EngineSettings, live_id: &str, sec: i64) -> Option<Moment> {
        let Phase::Active { peak_s, peak_score, peak_z, peak_window, .. } = self.phase.clone() else {
            return None;
        };
        let led_by_chat = (0..N).max_by(|a, b| peak_z[*a].total_cmp(&peak_z[*b])).is_some_and(|k| k < idx::LIKES);
        if led_by_chat && self.posters.flooding(s.flood_ratio) {
            // The same few accounts writing again and again: spam walls look like a crowd
            // reacting for their first seconds, and by the time the peak is confirmed they don't.
            return None;
        }
        // The window that scored highest is centred half a window before its end.
        let peak_ms = (peak_s + 1) * 1000 - i64::from(s.window_s) * 500;
        let mut end_ms = (sec + 1) * 1000;
        let mut start_ms = (peak_ms
            - lead_in(s, signals::leading(s, &peak_z, self.baseline.mean(), |l| lead_in(s, l))))
        .min(end_ms - s.clip_min_ms)
        .max(self.origin_ms);
        end_ms = end_ms.clamp(start_ms + s.clip_min_ms, start_ms + s.clip_max_ms);
        start_ms = start_ms.max(end_ms - s.clip_max_ms);
        let converted = (0..self.products.len())
            .filter(|i| self.products[*i].1 > 0.0)
            .max_by(|a, b| self.products[*a].1.total_cmp(&self.products[*b].1));
        let product = converted.or(self.pinned);
        let product_key = product.map(|i| chat::hash(self.products[i].0.as_bytes()));
        if let Some((last_peak, last_end, last_product)) = self.last
            && last_product == product_key
        {
            if peak_ms <= last_end || peak_ms - last_peak < s.min_gap_ms {
                return None;
            }
            // A new moment whose lead-in reaches into the last clip (purchases date a moment far
            // back) starts where that clip ended, rather than being lost as the same moment.
            start_ms = start_ms.max(last_end).min(end_ms - s.clip_min_ms);
        }
        self.last = Some((peak_ms, end_ms, product_key));
        let mut totals = self.episode;
        for k in 0..N {
            totals[k] = totals[k].max(peak_window[k]);
        }
        let product_id = product.map(|i| self.products[i].0.clone());
        let reasons = explain(
            &peak_z,
            &peak_window,
            self.baseline.mean(),
            &totals,
            self.episode_gmv_cents,
            (sec + 1 - (peak_s + 1 - i64::from(s.window_s))) * 1000,
            s.window_s,
            &product_id,
        );
        Some(Moment {
            live_id: live_id.to_string(),
            start_ms,
            end_ms,
            peak_ms,
            identified_at_ms: self.max_ts.max(end_ms),
            product_id,
            score: (f64::from(peak_score) * 100.0).round() / 100.0,
            above_bar: self.bar.clears(s, peak_score, (start_ms, end_ms), product.is_some()),
            reasons,
        })
    }
}

/// How far before the peak a clip starts when `leading` stands out most.
fn lead_in(s: &EngineSettings, leading: Lead) -> i64 {
    match leading {
        Lead::Chat => s.lead_in_ms,
        Lead::Taps => s.lead_in_taps_ms,
        Lead::Joins => s.lead_in_joins_ms,
        Lead::Purchases => s.lead_in_purchases_ms,
    }
}

/// Counts a value (gift, order amount) in multiples of the typical one, at most 2, so one big gift
/// or order weighs like two ordinary ones: in a small LIVE a single one must not look like a storm.
fn typical_units(avg: &mut f32, value: f32) -> f32 {
    if value <= 0.0 {
        return 0.0;
    }
    *avg = if *avg == 0.0 { value } else { *avg + 0.05 * (value - *avg) };
    (value / *avg).min(2.0)
}

/// The strongest reasons, as the values a seller reads them by: counts of sales over the
/// episode, other signals as a factor over their usual rate (or a count when usually about 0).
#[allow(clippy::too_many_arguments)]
fn explain(
    z: &Counts,
    window: &Counts,
    mean: &Counts,
    episode: &Counts,
    gmv_cents: f64,
    dur_ms: i64,
    window_s: u32,
    product_id: &Option<String>,
) -> Vec<Reason> {
    // The signals that stood out most; at least the strongest one, whatever its size. Sales
    // that stood out come first, orders before carts before clicks: they are what a seller reads
    // a highlight for, and the chat or likes a sale sets off often stand out more.
    let mut order: Vec<usize> = (0..N).filter(|k| z[*k] > 0.0).collect();
    order.sort_by(|a, b| z[*b].total_cmp(&z[*a]));
    let strong = order.iter().filter(|k| z[**k] >= 1.0).count().max(1);
    order.truncate(strong);
    order.sort_by_key(|k| match *k {
        idx::ORDERS => 0,
        idx::CARTS => 1,
        idx::CLICKS => 2,
        idx::GMV => 3,
        _ => 4,
    });
    let secs = (dur_ms / 1000).max(1) as u32;
    let reason = |k: usize, window_s: u32| Reason {
        signal: signals::SIGNALS[k],
        count: None,
        factor: None,
        amount_minor: None,
        window_s,
        product_id: product_id.clone(),
    };
    order
        .into_iter()
        .take(3)
        .map(|k| match k {
            idx::ORDERS | idx::CARTS => Reason { count: Some(episode[k].round() as u64), ..reason(k, secs) },
            idx::GMV => Reason { amount_minor: Some(gmv_cents.round() as i64), ..reason(k, secs) },
            _ if mean[k] >= 0.5 => {
                Reason { factor: Some((f64::from(window[k] / mean[k]) * 10.0).round() / 10.0), ..reason(k, window_s) }
            }
            _ => Reason { count: Some(window[k].round() as u64), ..reason(k, window_s) },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_keeps_every_signal_in_its_place_content_in_16_bits() {
        let mut b = Bucket::default();
        for k in (0..N).filter(|k| !CONTENT.contains(k)) {
            b[k] += k as f32 + 0.5;
        }
        for _ in 0..3 {
            b.count(idx::QUESTIONS, true);
            b.count(idx::SIMILAR, true);
            b.count(idx::EXCLAMATIONS, false);
        }
        let counts = b.counts();
        for k in (0..N).filter(|k| !CONTENT.contains(k)) {
            assert_eq!(counts[k], k as f32 + 0.5, "signal {k}");
        }
        assert_eq!(
            [counts[idx::QUESTIONS], counts[idx::EXCLAMATIONS], counts[idx::LONG_MESSAGES], counts[idx::SIMILAR]],
            [3.0, 0.0, 0.0, 3.0]
        );
        b.content[0] = u16::MAX;
        b.count(idx::QUESTIONS, true);
        assert_eq!(b.counts()[idx::QUESTIONS], f32::from(u16::MAX), "a flood saturates, never wraps");
    }
}
