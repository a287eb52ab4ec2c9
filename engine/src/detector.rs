//! Online peak detection for one LIVE: a decision at stream time t uses only events up to t.
//!
//! Events are counted into one-second buckets. A second is scored once `lateness_ms` of stream time
//! has passed it, on a 5-second window against the LIVE's own slowly moving baseline. A run of high
//! scores is a moment; it is identified when its peak is confirmed (the score fell well below it, or
//! was not beaten for a few seconds), which bounds the identification delay.

use crate::event::{EventKind, LiveEvent};
use crate::moment::{EngineConfig, Moment};
use crate::signals::{self, Baseline, Counts, N, idx};

/// Seconds in the scoring window.
const WINDOW_S: i64 = 5;
/// Seconds of buckets kept; must exceed the window plus the lateness.
const RING_S: i64 = 16;
/// Products remembered per LIVE; older ones are forgotten first.
const MAX_PRODUCTS: usize = 16;
/// A peak not beaten for this many seconds is confirmed.
const PEAK_HOLD_S: i64 = 3;
/// Standard deviations of ordinary score wobble a moment must clear.
const NOISE_SIGMAS: f32 = 6.0;
/// A gap in the stream longer than this skips ahead instead of scoring every silent second.
const MAX_GAP_S: i64 = 3_600;

#[derive(Debug, Clone)]
enum Phase {
    Idle,
    Active { start_s: i64, peak_s: i64, peak_score: f32, peak_z: Counts, peak_window: Counts, below: u8 },
    Cooldown,
}

/// Detection state of one LIVE; about 1.5 KB.
#[derive(Debug, Clone)]
pub struct Detector {
    ring: [Counts; RING_S as usize],
    window: Counts,
    baseline: Baseline,
    episode: Counts,
    /// Next second to close; `None` before the first event.
    next_close_s: Option<i64>,
    max_ts: i64,
    origin_ms: i64,
    products: Vec<(String, f32)>,
    pinned: Option<usize>,
    phase: Phase,
    last: Option<(i64, i64, Option<usize>)>,
    ended: bool,
    late: u64,
    /// Running mean value of a gift and of an order, so value signals count in "typical" units.
    avg_gift: f32,
    avg_order_cents: f32,
    episode_gmv_cents: f64,
    /// How this LIVE's score moves when nothing happens; busy LIVEs wobble more.
    score_noise: Baseline1,
}

/// Running mean and spread of one number.
#[derive(Debug, Clone, Default)]
struct Baseline1 {
    mean: f32,
    var: f32,
    samples: u32,
}

impl Baseline1 {
    fn learn(&mut self, x: f32) {
        // Clipped, so a near-miss moment does not raise the bar for the next one.
        let x = if self.samples > 30 { x.min(self.mean + 3.0 * self.var.sqrt()) } else { x };
        self.samples = self.samples.saturating_add(1);
        let alpha = (1.0 / self.samples as f32).max(1.0 / 300.0);
        let d = x - self.mean;
        self.mean += alpha * d;
        self.var += alpha * (d * d - self.var);
    }
}

impl Default for Detector {
    fn default() -> Self {
        Self {
            ring: [[0.0; N]; RING_S as usize],
            window: [0.0; N],
            baseline: Baseline::default(),
            episode: [0.0; N],
            next_close_s: None,
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
            score_noise: Baseline1::default(),
        }
    }
}

fn slot(s: i64) -> usize {
    s.rem_euclid(RING_S) as usize
}

impl Detector {
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
            // Forget the product with the least conversion weight that is not pinned.
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

    /// Feeds one event; returns a moment when this event's stream time confirms one.
    pub fn push(&mut self, cfg: &EngineConfig, live_id: &str, e: &LiveEvent) -> Option<Moment> {
        let sec = e.ts_ms.div_euclid(1000);
        let next = *self.next_close_s.get_or_insert(sec);
        self.origin_ms = self.origin_ms.min(e.ts_ms);
        if sec - next > MAX_GAP_S {
            // A long silence (or a clock jump): the old window means nothing now.
            self.ring = [[0.0; N]; RING_S as usize];
            self.window = [0.0; N];
            self.next_close_s = Some(sec - 1);
        }
        self.max_ts = self.max_ts.max(e.ts_ms);
        let due = (self.max_ts - cfg.lateness_ms).div_euclid(1000) - 1;
        let forced = sec - (RING_S - WINDOW_S - 1);
        let mut out = self.close_until(cfg, live_id, due.max(forced));
        let open = self.next_close_s.unwrap_or(sec);
        let at = if sec < open {
            self.late += 1;
            open
        } else {
            sec
        };
        let add = |d: &mut Self, k: usize, v: f32| d.ring[slot(at)][k] += v;
        match &e.kind {
            EventKind::LiveStart { .. } | EventKind::ViewerLeave => {}
            EventKind::LiveEnd => {
                self.ended = true;
                out = out.or(self.flush(cfg, live_id));
            }
            EventKind::Comment => add(self, idx::COMMENTS, 1.0),
            EventKind::Like { count } => add(self, idx::LIKES, *count as f32),
            EventKind::Share => add(self, idx::SHARES, 1.0),
            EventKind::Gift { value } => {
                let units = typical_units(&mut self.avg_gift, *value as f32);
                add(self, idx::GIFTS, units);
            }
            EventKind::ViewerJoin => add(self, idx::JOINS, 1.0),
            EventKind::ProductPin { product_id, .. } => self.pinned = Some(self.product(product_id)),
            EventKind::ProductUnpin { product_id } => {
                if self.pinned.is_some_and(|p| self.products[p].0 == *product_id) {
                    self.pinned = None;
                }
            }
            EventKind::ProductClick { product_id } => {
                add(self, idx::CLICKS, 1.0);
                self.credit(product_id, 1.0);
            }
            EventKind::AddToCart { product_id } => {
                add(self, idx::CARTS, 1.0);
                self.credit(product_id, 2.0);
            }
            EventKind::Order { product_id, quantity, amount_cents } => {
                add(self, idx::ORDERS, *quantity as f32);
                let units = typical_units(&mut self.avg_order_cents, *amount_cents as f32);
                add(self, idx::GMV, units);
                if matches!(self.phase, Phase::Active { .. }) {
                    self.episode_gmv_cents += *amount_cents as f64;
                }
                self.credit(product_id, 4.0 * *quantity as f32);
            }
        }
        out
    }

    /// Scores every second up to the newest event and emits a moment still open: the stream is over.
    pub fn flush(&mut self, cfg: &EngineConfig, live_id: &str) -> Option<Moment> {
        let last = self.max_ts.div_euclid(1000);
        let mut out = self.close_until(cfg, live_id, last);
        if let Phase::Active { .. } = self.phase {
            out = out.or(self.emit(cfg, live_id, last));
            self.phase = Phase::Cooldown;
        }
        out
    }

    fn close_until(&mut self, cfg: &EngineConfig, live_id: &str, until: i64) -> Option<Moment> {
        let mut out = None;
        while let Some(s) = self.next_close_s.filter(|s| *s <= until) {
            if let Some(m) = self.close(cfg, live_id, s) {
                out = Some(m);
            }
            self.next_close_s = Some(s + 1);
        }
        out
    }

    fn close(&mut self, cfg: &EngineConfig, live_id: &str, s: i64) -> Option<Moment> {
        let (new, old) = (self.ring[slot(s)], self.ring[slot(s - WINDOW_S)]);
        for k in 0..N {
            self.window[k] = (self.window[k] + new[k] - old[k]).max(0.0);
        }
        self.ring[slot(s - WINDOW_S)] = [0.0; N];
        let window = self.window;
        if self.baseline.samples() < cfg.warmup_s {
            self.baseline.learn(&window);
            return None;
        }
        let z = self.baseline.z(&window);
        let score = signals::score(&z);
        let enter = self.enter_threshold(cfg);
        let mut out = None;
        match &mut self.phase {
            Phase::Idle if score >= enter => {
                for p in &mut self.products {
                    p.1 = 0.0;
                }
                self.episode = new;
                self.episode_gmv_cents = 0.0;
                self.phase = Phase::Active {
                    start_s: s - WINDOW_S + 1,
                    peak_s: s,
                    peak_score: score,
                    peak_z: z,
                    peak_window: window,
                    below: 0,
                };
            }
            Phase::Idle => {
                self.baseline.learn(&window);
                self.score_noise.learn(score);
            }
            Phase::Active { start_s, peak_s, peak_score, peak_z, peak_window, below } => {
                for k in 0..N {
                    self.episode[k] += new[k];
                }
                if score > *peak_score {
                    (*peak_s, *peak_score, *peak_z, *peak_window) = (s, score, z, window);
                }
                *below = if score < 0.6 * *peak_score { *below + 1 } else { 0 };
                let confirmed =
                    *below >= 2 || s - *peak_s >= PEAK_HOLD_S || (s - *start_s + 1) * 1000 >= cfg.clip_max_ms;
                if confirmed {
                    out = self.emit(cfg, live_id, s);
                    self.phase = if score >= cfg.exit_score { Phase::Cooldown } else { Phase::Idle };
                }
            }
            Phase::Cooldown => {
                // Keep learning, unclipped: a LIVE that settled on a new level must not stay in
                // cooldown forever.
                self.baseline.adapt(&window);
                self.score_noise.learn(score.min(enter));
                if score < cfg.exit_score {
                    self.phase = Phase::Idle;
                }
            }
        }
        out
    }

    /// Score that starts a moment: `enter_score` at least, higher for LIVEs whose score is noisy by
    /// nature (many viewers, lumpy orders), so a big LIVE's ordinary wobble is never a moment.
    fn enter_threshold(&self, cfg: &EngineConfig) -> f32 {
        if self.score_noise.samples < 30 {
            return cfg.enter_score * 1.5;
        }
        (self.score_noise.mean + NOISE_SIGMAS * self.score_noise.var.sqrt()).max(cfg.enter_score)
    }

    fn emit(&mut self, cfg: &EngineConfig, live_id: &str, s: i64) -> Option<Moment> {
        let Phase::Active { start_s, peak_s, peak_score, peak_z, peak_window, .. } = self.phase.clone() else {
            return None;
        };
        let end_ms = (s + 1) * 1000;
        let wanted = end_ms - start_s * 1000 + cfg.lead_in_ms;
        let len = wanted.clamp(cfg.clip_min_ms, cfg.clip_max_ms);
        let start_ms = (end_ms - len).max(self.origin_ms);
        let converted = (0..self.products.len())
            .filter(|i| self.products[*i].1 > 0.0)
            .max_by(|a, b| self.products[*a].1.total_cmp(&self.products[*b].1));
        let product = converted.or(self.pinned);
        // The window that scored highest is centred WINDOW_S / 2 before its last second.
        let peak_ms = (peak_s - WINDOW_S / 2) * 1000 + 500;
        if let Some((last_peak, last_end, last_product)) = self.last
            && last_product == product
            && (start_ms < last_end || peak_ms - last_peak < cfg.min_gap_ms)
        {
            return None;
        }
        self.last = Some((peak_ms, end_ms, product));
        let mut totals = self.episode;
        for k in 0..N {
            totals[k] = totals[k].max(peak_window[k]);
        }
        let signals = explain(
            &peak_z,
            &peak_window,
            self.baseline.mean(),
            &totals,
            self.episode_gmv_cents,
            end_ms - start_s * 1000,
        );
        Some(Moment {
            live_id: live_id.to_string(),
            start_ms,
            end_ms,
            peak_ms,
            identified_at_ms: self.max_ts.max(end_ms),
            product_id: product.map(|i| self.products[i].0.clone()),
            score: (f64::from(peak_score) * 100.0).round() / 100.0,
            signals,
        })
    }
}

/// Counts a value (gift, order amount) in multiples of the typical one, at most 5, so one big order
/// weighs like a few ordinary ones instead of swamping the score.
fn typical_units(avg: &mut f32, value: f32) -> f32 {
    if value <= 0.0 {
        return 0.0;
    }
    *avg = if *avg == 0.0 { value } else { *avg + 0.05 * (value - *avg) };
    (value / *avg).min(5.0)
}

/// The strongest reasons, in words a seller understands.
fn explain(z: &Counts, window: &Counts, mean: &Counts, episode: &Counts, gmv_cents: f64, dur_ms: i64) -> Vec<String> {
    let mut order: Vec<usize> = (0..N).filter(|k| z[*k] >= 2.0).collect();
    order.sort_by(|a, b| z[*b].total_cmp(&z[*a]));
    let secs = (dur_ms / 1000).max(1);
    order
        .into_iter()
        .take(3)
        .map(|k| match k {
            idx::ORDERS => format!("{} orders in {secs} s", episode[k].round() as i64),
            idx::GMV => format!("GMV {:.2} in {secs} s", gmv_cents / 100.0),
            idx::CARTS => format!("{} add-to-carts in {secs} s", episode[k].round() as i64),
            _ if mean[k] >= 0.5 => {
                format!("{} {:.1}x baseline", signals::NAMES[k], window[k] / mean[k])
            }
            _ => format!("{} {} in 5 s (usually ~0)", signals::NAMES[k], window[k].round() as i64),
        })
        .collect()
}
