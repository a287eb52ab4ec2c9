//! What a synthetic stream is made of: its audience, products, planted moments and hard negatives.

/// Which signals a planted moment lifts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Burst {
    /// Chat, likes, shares, gifts.
    Engagement,
    /// Clicks, add-to-carts and orders of the pinned product (and some chatter).
    Conversion,
    /// Viewer joins (and the newcomers' chatter).
    Traffic,
    /// All of the above.
    Mixed,
}

/// A rise planted in a stream: a moment (ground truth) or, when weak, a near miss.
#[derive(Debug, Clone, PartialEq)]
pub struct Planted {
    /// Peak, seconds after the start.
    pub at_s: i64,
    /// Full width of the rise, seconds.
    pub dur_s: i64,
    /// What rises.
    pub kind: Burst,
    /// Rate multiplier at the peak (e.g. 4.0).
    pub strength: f64,
}

/// A few accounts flooding the chat (spam, emote walls): loud, but nobody else reacts.
#[derive(Debug, Clone, PartialEq)]
pub struct Flood {
    /// Start, seconds after the start of the LIVE.
    pub at_s: i64,
    /// Length, seconds.
    pub dur_s: i64,
    /// Accounts posting.
    pub accounts: u32,
    /// Messages per second, all accounts together.
    pub per_s: f64,
}

/// An audience shift that stays: from `at_s` on, `factor` times the viewers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Raid {
    /// When the raiders arrive, seconds after the start.
    pub at_s: i64,
    /// Audience multiplier for the rest of the LIVE.
    pub factor: f64,
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
    /// Moments to plant: the ground truth.
    pub planted: Vec<Planted>,
    /// Weak rises that are not moments.
    pub near_misses: Vec<Planted>,
    /// Spam and emote walls from a few accounts.
    pub floods: Vec<Flood>,
    /// Audience shifts that stay (each also plants the raid's arrival as a traffic moment).
    pub raids: Vec<Raid>,
    /// Burstiness: shape of the gamma-distributed rate wobble, held for a few seconds at a time
    /// (smaller is burstier; 0 = none). A slower swing, held for half a minute or so, comes with
    /// it; chat, likes, joins and purchases each wobble on their own.
    pub dispersion: f64,
    /// Slow drift of the audience over the LIVE, relative (0.3 = ±30 %).
    pub drift: f64,
    /// Seconds between the platform's viewer counts (0: none), as live platforms send room stats.
    pub viewer_count_every_s: i64,
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
    /// A 45-minute, 500-viewer LIVE with three products, bursty counts and nothing planted.
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
            near_misses: Vec::new(),
            floods: Vec::new(),
            raids: Vec::new(),
            dispersion: 20.0,
            drift: 0.0,
            jitter_ms: 1_500,
            viewer_count_every_s: 5,
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

    /// Plants `n` moments at random, well apart, with random kinds and strengths (4x to 8x at the
    /// peak: a clear moment, several times the noise of any one signal).
    pub fn plant_random(self, n: usize) -> Self {
        self.plant_random_within(n, 12..30, 4.0..8.0, false)
    }

    /// Plants `n` moments like [`StreamSpec::plant_random`], with widths (seconds) and peak
    /// strengths drawn from the given ranges, lifting every signal at once when `mixed` (a
    /// moment the whole room joins in, as the product owner's generator plants them): what
    /// sellers have is also weaker and longer than the clear moments the detection floors were set on.
    pub fn plant_random_within(
        mut self,
        n: usize,
        dur_s: std::ops::Range<i64>,
        strength: std::ops::Range<f64>,
        mixed: bool,
    ) -> Self {
        let mut rng = fastrand::Rng::with_seed(self.seed ^ 0x5eed);
        let slot = (self.duration_s - 120) / n.max(1) as i64;
        for i in 0..n as i64 {
            let any = [Burst::Engagement, Burst::Conversion, Burst::Traffic, Burst::Mixed][rng.usize(0..4)];
            let kind = if self.comments_only {
                Burst::Engagement
            } else if mixed {
                Burst::Mixed
            } else {
                any
            };
            self.planted.push(Planted {
                at_s: 90 + i * slot + rng.i64(20..(slot - 20).max(21)),
                dur_s: rng.i64(dur_s.clone()),
                kind,
                strength: strength.start + rng.f64() * (strength.end - strength.start),
            });
        }
        self
    }

    /// Adds the hard negatives between the planted moments (at least a minute from each): near-miss
    /// bumps (1.3x to 1.6x more of the ordinary activity, with no crowd reacting), spam and emote
    /// walls from one to three accounts, and a slow drift.
    pub fn with_distractions(mut self) -> Self {
        let mut rng = fastrand::Rng::with_seed(self.seed ^ 0xd157);
        self.drift = 0.3;
        let clear = |s: &StreamSpec, t: i64| s.planted.iter().all(|p| (p.at_s - t).abs() > 60);
        let mut t = 120;
        // Near misses and floods take turns, so even a short LIVE gets one of each.
        let mut flood_next = rng.bool();
        while t < self.duration_s - 60 {
            if clear(&self, t) {
                flood_next = !flood_next;
                if !flood_next {
                    let kind = if self.comments_only { Burst::Engagement } else { Burst::Mixed };
                    self.near_misses.push(Planted {
                        at_s: t,
                        dur_s: rng.i64(10..30),
                        kind,
                        strength: 1.3 + rng.f64() * 0.3,
                    });
                } else {
                    self.floods.push(Flood {
                        at_s: t,
                        dur_s: rng.i64(15..60),
                        accounts: rng.u32(1..4),
                        per_s: 1.0 + rng.f64() * 4.0,
                    });
                }
            }
            t += rng.i64(90..240);
        }
        self
    }

    /// A raid at `at_s`: `factor` times the viewers from then on; their arrival is a traffic moment.
    pub fn raid(mut self, at_s: i64, factor: f64) -> Self {
        self.raids.push(Raid { at_s, factor });
        // Raiders join within about 20 s (a triangle holding 10 s of peak rate): per second, many
        // times the usual trickle of joins.
        let strength = 1.0 + (factor - 1.0) / (10.0 * JOIN);
        self.planted.push(Planted { at_s: at_s + 10, dur_s: 20, kind: Burst::Traffic, strength });
        self
    }

    /// A raid (see [`StreamSpec::raid`]) in the middle of the widest gap between planted moments.
    pub fn raid_in_a_gap(self, factor: f64) -> Self {
        let mut times: Vec<i64> = self.planted.iter().map(|p| p.at_s).collect();
        times.extend([60, self.duration_s]);
        times.sort_unstable();
        let (a, b) = times.windows(2).map(|w| (w[0], w[1])).max_by_key(|(a, b)| b - a).unwrap_or((0, self.duration_s));
        self.raid((a + b) / 2 - 10, factor)
    }

    /// Audience at second `t`: ramp-up over five minutes, drift, raids that stay.
    pub(super) fn audience(&self, t: i64) -> f64 {
        let ramp = 0.5 + 0.5 * (t as f64 / 300.0).min(1.0);
        let phase = (self.seed % 628) as f64 / 100.0;
        let drift = 1.0 + self.drift * (std::f64::consts::TAU * t as f64 / self.duration_s.max(1) as f64 + phase).sin();
        let raids: f64 =
            self.raids.iter().map(|r| 1.0 + (r.factor - 1.0) * ((t - r.at_s) as f64 / 20.0).clamp(0.0, 1.0)).product();
        self.viewers * ramp * drift * raids
    }
}

/// Per-viewer, per-second base rates.
pub(super) const COMMENT: f64 = 0.01;
pub(super) const LIKE: f64 = 0.05;
pub(super) const SHARE: f64 = 0.0005;
pub(super) const GIFT: f64 = 0.0005;
pub(super) const JOIN: f64 = 0.004;
pub(super) const CLICK: f64 = 0.003;
pub(super) const CART: f64 = 0.0008;
pub(super) const ORDER: f64 = 0.0004;
