//! Seeded synthetic LIVE streams with planted moments: for tests, benchmarks and the demo.
//!
//! Rates scale with the audience, wobble over time (noise) and ramp up at the start like a real
//! LIVE; planted moments raise some signals along a triangular profile around their peak.

use crate::event::{EventKind, LiveEvent};

/// Which signals a planted moment lifts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Burst {
    /// Comments, likes, shares, gifts.
    Engagement,
    /// Clicks, add-to-carts and orders of the pinned product (and some chatter).
    Conversion,
    /// Viewer joins.
    Traffic,
    /// All of the above.
    Mixed,
}

/// A moment planted in a stream: the ground truth the engine should find.
#[derive(Debug, Clone, PartialEq)]
pub struct Planted {
    /// Peak, seconds after the start.
    pub at_s: i64,
    /// Full width of the burst, seconds.
    pub dur_s: i64,
    /// What rises.
    pub kind: Burst,
    /// Rate multiplier at the peak (e.g. 5.0).
    pub strength: f64,
}

/// A stream to generate.
#[derive(Debug, Clone)]
pub struct StreamSpec {
    /// LIVE id.
    pub live_id: String,
    /// Title for `live_start`.
    pub title: String,
    /// Start (epoch ms).
    pub start_ms: i64,
    /// Length, seconds.
    pub duration_s: i64,
    /// Typical concurrent audience (20 to 200,000).
    pub viewers: f64,
    /// (id, name) of the products, pinned in turn.
    pub products: Vec<(String, String)>,
    /// Seconds between pins.
    pub pin_every_s: i64,
    /// Moments to plant.
    pub planted: Vec<Planted>,
    /// Relative wobble of all rates, changing every 10 s (0.0 = steady).
    pub noise: f64,
    /// Events are delivered up to this late (ms), so some arrive out of order.
    pub jitter_ms: i64,
    /// Emit `live_start` / `live_end`.
    pub with_start_end: bool,
    /// Only comments (chat-only recordings).
    pub comments_only: bool,
    /// RNG seed.
    pub seed: u64,
}

impl StreamSpec {
    /// A 45-minute, 500-viewer LIVE with three products and no planted moments.
    pub fn new(live_id: &str, start_ms: i64, seed: u64) -> Self {
        Self {
            live_id: live_id.into(),
            title: format!("LIVE {live_id}"),
            start_ms,
            duration_s: 45 * 60,
            viewers: 500.0,
            products: vec![
                ("sku-serum".into(), "Vitamin C serum".into()),
                ("sku-tint".into(), "Lip tint".into()),
                ("sku-mask".into(), "Sheet masks (10)".into()),
            ],
            pin_every_s: 600,
            planted: Vec::new(),
            noise: 0.15,
            jitter_ms: 1_500,
            with_start_end: true,
            comments_only: false,
            seed,
        }
    }

    /// The product pinned `t` seconds in.
    pub fn pinned_at(&self, t: i64) -> Option<&(String, String)> {
        if self.products.is_empty() {
            return None;
        }
        self.products.get((t.max(0) / self.pin_every_s.max(1)) as usize % self.products.len())
    }

    /// Plants `n` moments at random, well apart, with random kinds and strengths.
    pub fn plant_random(mut self, n: usize) -> Self {
        let mut rng = fastrand::Rng::with_seed(self.seed ^ 0x5eed);
        let slot = (self.duration_s - 120) / n.max(1) as i64;
        for i in 0..n as i64 {
            let kind = if self.comments_only {
                Burst::Engagement
            } else {
                [Burst::Engagement, Burst::Conversion, Burst::Traffic, Burst::Mixed][rng.usize(0..4)]
            };
            self.planted.push(Planted {
                at_s: 90 + i * slot + rng.i64(20..(slot - 20).max(21)),
                dur_s: rng.i64(12..30),
                kind,
                strength: 4.0 + rng.f64() * 4.0,
            });
        }
        self
    }
}

fn poisson(rng: &mut fastrand::Rng, lambda: f64) -> u64 {
    if lambda <= 0.0 {
        return 0;
    }
    if lambda < 30.0 {
        let l = (-lambda).exp();
        let (mut k, mut p) = (0u64, 1.0);
        loop {
            p *= rng.f64();
            if p <= l {
                return k;
            }
            k += 1;
        }
    }
    let (u1, u2) = (rng.f64().max(1e-12), rng.f64());
    let n = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
    (lambda + lambda.sqrt() * n).round().max(0.0) as u64
}

/// Per-viewer, per-second base rates.
const COMMENT: f64 = 0.01;
const LIKE: f64 = 0.05;
const SHARE: f64 = 0.0005;
const GIFT: f64 = 0.0005;
const JOIN: f64 = 0.004;
const CLICK: f64 = 0.003;
const CART: f64 = 0.0008;
const ORDER: f64 = 0.0004;

/// Generates the stream, in delivery order (which is not quite time order when jitter > 0).
pub fn generate(spec: &StreamSpec) -> Vec<LiveEvent> {
    let mut rng = fastrand::Rng::with_seed(spec.seed);
    let mut out: Vec<(i64, LiveEvent)> = Vec::new();
    let live = spec.live_id.clone();
    let ev = |ts: i64, kind: EventKind| LiveEvent { ts_ms: ts, live_id: live.clone(), kind };
    if spec.with_start_end {
        out.push((spec.start_ms, ev(spec.start_ms, EventKind::LiveStart { title: Some(spec.title.clone()) })));
    }
    let mut wobble = 1.0;
    let mut pinned: Option<String> = None;
    for t in 0..spec.duration_s {
        if t % 10 == 0 {
            wobble = 1.0 + spec.noise * (rng.f64() * 2.0 - 1.0);
        }
        let sec_ms = spec.start_ms + t * 1000;
        let now_pinned = spec.pinned_at(t).cloned();
        if !spec.comments_only && now_pinned.as_ref().map(|p| &p.0) != pinned.as_ref() {
            if let Some((id, name)) = &now_pinned {
                out.push((
                    sec_ms,
                    ev(sec_ms, EventKind::ProductPin { product_id: id.clone(), name: Some(name.clone()) }),
                ));
            }
            pinned = now_pinned.map(|p| p.0);
        }
        // Audience builds over the first five minutes.
        let ramp = 0.5 + 0.5 * (t as f64 / 300.0).min(1.0);
        let base = spec.viewers * ramp * wobble;
        let mut lift = [1.0f64; 4];
        for p in &spec.planted {
            let half = (p.dur_s as f64 / 2.0).max(1.0);
            let tri = (1.0 - ((t - p.at_s) as f64).abs() / half).max(0.0);
            let m = 1.0 + (p.strength - 1.0) * tri;
            let chatter = 1.0 + (m - 1.0) * 0.3;
            match p.kind {
                Burst::Engagement => lift[0] *= m,
                Burst::Conversion => {
                    lift[2] *= m;
                    lift[0] *= chatter;
                }
                Burst::Traffic => {
                    // New viewers in the room chat and browse too.
                    lift[1] *= m;
                    lift[0] *= 1.0 + (m - 1.0) * 0.5;
                    lift[2] *= chatter;
                }
                Burst::Mixed => {
                    lift[0] *= m;
                    lift[1] *= m;
                    lift[2] *= m;
                }
            }
        }
        let mut emit = |rng: &mut fastrand::Rng, n: u64, make: &dyn Fn(&mut fastrand::Rng) -> EventKind| {
            for _ in 0..n {
                let ts = sec_ms + rng.i64(0..1000);
                let deliver = ts + if spec.jitter_ms > 0 { rng.i64(0..spec.jitter_ms) } else { 0 };
                out.push((deliver, ev(ts, make(rng))));
            }
        };
        let n = poisson(&mut rng, base * COMMENT * lift[0]);
        emit(&mut rng, n, &|_| EventKind::Comment);
        if spec.comments_only {
            continue;
        }
        // Likes arrive batched, as real apps send them.
        let likes = poisson(&mut rng, base * LIKE * lift[0]);
        let batches = likes.min(20);
        for i in 0..batches {
            let count = (likes / batches + u64::from(i < likes % batches)) as u32;
            emit(&mut rng, 1, &|_| EventKind::Like { count });
        }
        let n = poisson(&mut rng, base * SHARE * lift[0]);
        emit(&mut rng, n, &|_| EventKind::Share);
        let n = poisson(&mut rng, base * GIFT * lift[0]);
        emit(&mut rng, n, &|r| EventKind::Gift { value: f64::from(r.u32(1..50)) });
        let n = poisson(&mut rng, base * JOIN * lift[1]);
        emit(&mut rng, n, &|_| EventKind::ViewerJoin);
        let n = poisson(&mut rng, base * JOIN);
        emit(&mut rng, n, &|_| EventKind::ViewerLeave);
        if let Some(p) = pinned.clone() {
            let id = p.clone();
            let n = poisson(&mut rng, base * CLICK * lift[2]);
            emit(&mut rng, n, &move |_| EventKind::ProductClick { product_id: id.clone() });
            let id = p.clone();
            let n = poisson(&mut rng, base * CART * lift[2]);
            emit(&mut rng, n, &move |_| EventKind::AddToCart { product_id: id.clone() });
            let n = poisson(&mut rng, base * ORDER * lift[2]);
            emit(&mut rng, n, &move |r| EventKind::Order {
                product_id: p.clone(),
                quantity: r.u32(1..3),
                amount_cents: r.i64(999..5999),
            });
        }
    }
    let end = spec.start_ms + spec.duration_s * 1000;
    if spec.with_start_end {
        out.push((end + spec.jitter_ms + 1, ev(end, EventKind::LiveEnd)));
    }
    out.sort_by_key(|(deliver, _)| *deliver);
    out.into_iter().map(|(_, e)| e).collect()
}
