//! Seeded synthetic LIVE streams with planted moments and hard negatives: for tests, benchmarks
//! and the demo.
//!
//! Honest on purpose: counts are over-dispersed (a Poisson rate that itself wobbles, gamma
//! distributed, so counts are negative binomial), the audience drifts slowly and can jump for good
//! (a raid), and the hard negatives look like moments in some way: near-miss bumps, and spam or
//! emote walls from a few accounts with no conversion. Chat has users and text: sentences and short
//! reactions, a moment's catchphrase repeated by many viewers, spam repeated by few.

mod spec;
mod talk;
pub mod truth;

pub use spec::{Burst, Flood, Planted, Raid, StreamSpec};
use spec::{CART, CLICK, COMMENT, GIFT, JOIN, LIKE, ORDER, SHARE};

use crate::event::{EventKind, LiveEvent};

/// A rate multiplier that wobbles like real chat between highlights: measured on the Lightor
/// training streams, 8-second windows away from labelled highlights spread 0.2 to 0.55 relative
/// beyond Poisson (median 0.43, which still holds the reactions nobody labelled), a quarter of it
/// shared by neighbouring windows (slow swings), the rest quick bursts of a few seconds. The
/// default (shape 20) spreads windows about 0.25, like the calmest streams: what is left there of
/// reactions nobody labelled is not noise a detector should ignore.
#[derive(Debug, Clone, Copy)]
struct Wobble {
    fast: f64,
    fast_left: i64,
    slow: f64,
    slow_left: i64,
}

impl Wobble {
    const STILL: Wobble = Wobble { fast: 1.0, fast_left: 0, slow: 1.0, slow_left: 0 };

    fn next(&mut self, rng: &mut fastrand::Rng, shape: f64) -> f64 {
        if shape <= 0.0 {
            return 1.0;
        }
        if self.fast_left == 0 {
            (self.fast, self.fast_left) = (gamma_unit(rng, shape), rng.i64(2..7));
        }
        if self.slow_left == 0 {
            (self.slow, self.slow_left) = (gamma_unit(rng, shape * 3.0), rng.i64(20..60));
        }
        self.fast_left -= 1;
        self.slow_left -= 1;
        self.fast * self.slow
    }
}

/// A standard normal draw (Box-Muller); the learners' simulation and format choice draw with it too.
pub(crate) fn normal(rng: &mut fastrand::Rng) -> f64 {
    let (u1, u2) = (rng.f64().max(1e-12), rng.f64());
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A Poisson draw: exact below 30 (Knuth), the normal approximation above.
pub(crate) fn poisson(rng: &mut fastrand::Rng, lambda: f64) -> u64 {
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
    (lambda + lambda.sqrt() * normal(rng)).round().max(0.0) as u64
}

/// A gamma(shape, 1/shape) draw: mean 1, variance 1/shape (Marsaglia and Tsang).
fn gamma_unit(rng: &mut fastrand::Rng, shape: f64) -> f64 {
    if shape < 1.0 {
        return gamma_unit(rng, shape + 1.0) * (shape + 1.0) / shape * rng.f64().max(1e-12).powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal(rng);
        let v = (1.0 + c * x).powi(3);
        if v > 0.0 && rng.f64().max(1e-12).ln() < 0.5 * x * x + d - d * v + d * v.ln() {
            return d * v / shape;
        }
    }
}

/// Extra events a planted moment brings at least, in the signals it lifts: in a tiny LIVE a moment
/// is a handful of viewers acting at once, many times the usual trickle.
const MIN_EXTRA: f64 = 12.0;

/// Rate multipliers at second `t`, [chat, traffic, conversion, other engagement], from planted
/// moments (lifting at least [`MIN_EXTRA`] events given the per-second `rates` of each) and near
/// misses (as weak as they are); and the catchphrase of the strongest chat rise.
fn lifts(moments: &[Planted], near_misses: &[Planted], rates: [f64; 4], t: i64) -> ([f64; 4], usize) {
    let mut lift = [1.0f64; 4];
    let (mut best, mut phrase) = (1.0, 0);
    let rises = moments.iter().map(|p| (p, true)).chain(near_misses.iter().map(|p| (p, false)));
    for (i, (p, moment)) in rises.enumerate() {
        let half = (p.dur_s as f64 / 2.0).max(1.0);
        let tri = (1.0 - ((t - p.at_s) as f64).abs() / half).max(0.0);
        if tri == 0.0 {
            continue;
        }
        let primary: &[usize] = match p.kind {
            Burst::Engagement => &[0, 3],
            Burst::Traffic => &[1],
            Burst::Conversion => &[2],
            Burst::Mixed => &[0, 1, 2, 3],
        };
        let mut m = [1.0f64; 4];
        for f in 0..4 {
            let strength = if moment && primary.contains(&f) {
                p.strength.max(1.0 + MIN_EXTRA / (rates[f] * half).max(1e-9))
            } else {
                p.strength
            };
            m[f] = 1.0 + (strength - 1.0) * tri;
        }
        // Side effects: conversion and traffic moments get people talking a little; newcomers browse.
        let side = |x: f64, share: f64| 1.0 + (x - 1.0) * share;
        let factors = match p.kind {
            Burst::Engagement => [m[0], 1.0, 1.0, m[3]],
            Burst::Conversion => [side(m[2], 0.3), 1.0, m[2], 1.0],
            Burst::Traffic => [side(m[1], 0.1), m[1], side(m[1], 0.3), 1.0],
            Burst::Mixed => m,
        };
        for f in 0..4 {
            lift[f] *= factors[f];
        }
        if factors[0] > best {
            (best, phrase) = (factors[0], i + p.at_s as usize);
        }
    }
    (lift, phrase % talk::CATCHPHRASE_COUNT)
}

/// Generates the stream, in delivery order (which is not quite time order when jitter > 0).
pub fn generate(spec: &StreamSpec) -> Vec<LiveEvent> {
    let mut rng = fastrand::Rng::with_seed(spec.seed);
    let mut out: Vec<(i64, LiveEvent)> = Vec::new();
    let live = spec.live_id.clone();
    let ev = |ts: i64, kind: EventKind| LiveEvent { ts_ms: ts, live_id: live.clone(), kind };
    if spec.with_start_end {
        out.push((spec.start_ms, ev(spec.start_ms, EventKind::LiveStart { title: Some(spec.title.clone()) })));
    }
    // Chat, other engagement, traffic and purchases.
    let mut wobbles = [Wobble::STILL; 4];
    let mut pinned: Option<String> = None;
    let chat_rate = COMMENT * (1.0 + 40.0 / spec.viewers.max(1.0));
    for t in 0..spec.duration_s {
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
        let audience = spec.audience(t);
        if spec.viewer_count_every_s > 0 && t % spec.viewer_count_every_s == 0 {
            out.push((sec_ms, ev(sec_ms, EventKind::ViewerCount { count: audience.round() as u32 })));
        }
        let [chat, engagement, traffic, purchases] = wobbles.map(|mut w| {
            let f = w.next(&mut rng, spec.dispersion);
            (w, f)
        });
        wobbles = [chat.0, engagement.0, traffic.0, purchases.0];
        let rates = [audience * chat_rate, audience * JOIN, audience * CLICK, audience * LIKE];
        let (lift, phrase) = lifts(&spec.planted, &[], rates, t);
        // A near miss is more of the same: busier ordinary chat and activity, nobody shouting.
        let (near, _) = lifts(&[], &spec.near_misses, rates, t);
        let lift = [lift[0], lift[1] * near[1], lift[2] * near[2], lift[3] * near[3]];
        let mut emit = |rng: &mut fastrand::Rng, n: u64, make: &mut dyn FnMut(&mut fastrand::Rng) -> EventKind| {
            for _ in 0..n {
                let ts = sec_ms + rng.i64(0..1000);
                let deliver = ts + if spec.jitter_ms > 0 { rng.i64(0..spec.jitter_ms) } else { 0 };
                out.push((deliver, ev(ts, make(rng))));
            }
        };
        let n = poisson(&mut rng, audience * chat.1 * chat_rate * near[0]);
        emit(&mut rng, n, &mut |r| EventKind::Comment { user: talk::chatter(r, audience), text: talk::ordinary(r) });
        // What a rise adds to chat is the crowd reacting: many viewers, short, often the same words.
        let n = poisson(&mut rng, audience * chat.1 * chat_rate * (lift[0] - 1.0));
        emit(&mut rng, n, &mut |r| EventKind::Comment {
            user: talk::anyone(r, audience),
            text: talk::reaction(r, phrase),
        });
        for (i, f) in spec.floods.iter().enumerate().filter(|(_, f)| (f.at_s..f.at_s + f.dur_s).contains(&t)) {
            let n = poisson(&mut rng, f.per_s);
            emit(&mut rng, n, &mut |r| EventKind::Comment {
                user: format!("spammer-{i}-{}", r.u32(0..f.accounts)),
                text: talk::spam(i),
            });
        }
        if spec.comments_only {
            continue;
        }
        // Likes arrive batched, as real apps send them.
        let likes = poisson(&mut rng, audience * engagement.1 * LIKE * lift[3]);
        let batches = likes.min(20);
        for i in 0..batches {
            let count = (likes / batches + u64::from(i < likes % batches)) as u32;
            emit(&mut rng, 1, &mut |_| EventKind::Like { count });
        }
        let n = poisson(&mut rng, audience * engagement.1 * SHARE * lift[3]);
        emit(&mut rng, n, &mut |_| EventKind::Share);
        let n = poisson(&mut rng, audience * engagement.1 * GIFT * lift[3]);
        emit(&mut rng, n, &mut |r| EventKind::Gift { value: f64::from(r.u32(1..50)) });
        let n = poisson(&mut rng, audience * traffic.1 * JOIN * lift[1]);
        emit(&mut rng, n, &mut |_| EventKind::ViewerJoin);
        let n = poisson(&mut rng, audience * traffic.1 * JOIN);
        emit(&mut rng, n, &mut |_| EventKind::ViewerLeave);
        if let Some(p) = &pinned {
            let n = poisson(&mut rng, audience * purchases.1 * CLICK * lift[2]);
            emit(&mut rng, n, &mut |_| EventKind::ProductClick { product_id: p.clone() });
            let n = poisson(&mut rng, audience * purchases.1 * CART * lift[2]);
            emit(&mut rng, n, &mut |_| EventKind::AddToCart { product_id: p.clone() });
            let n = poisson(&mut rng, audience * purchases.1 * ORDER * lift[2]);
            emit(&mut rng, n, &mut |r| EventKind::Order {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_over_dispersed_like_real_chat() {
        let mut s = StreamSpec::new("d", 1_000_000, 3);
        s.comments_only = true;
        s.viewers = 2_000.0;
        s.duration_s = 1_800;
        let per_10s = generate(&s).iter().fold(vec![0f64; 180], |mut v, e| {
            v[((e.ts_ms - 1_000_000) / 10_000).clamp(0, 179) as usize] += 1.0;
            v
        });
        let steady = &per_10s[40..];
        let mean = steady.iter().sum::<f64>() / steady.len() as f64;
        let var = steady.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / steady.len() as f64;
        assert!(var > 3.0 * mean, "variance {var:.0} vs mean {mean:.0}: negative binomial, not Poisson");
    }

    #[test]
    fn gamma_draws_have_mean_one() {
        let mut rng = fastrand::Rng::with_seed(1);
        for shape in [0.5, 2.0, 8.0] {
            let mean = (0..20_000).map(|_| gamma_unit(&mut rng, shape)).sum::<f64>() / 20_000.0;
            assert!((mean - 1.0).abs() < 0.05, "shape {shape}: mean {mean}");
        }
    }

    #[test]
    fn a_raid_stays_and_floods_come_from_few_accounts() {
        let s = StreamSpec::new("r", 1_000_000, 4).raid(600, 2.0).with_distractions();
        assert!(s.audience(1_200) > 1.5 * s.audience(500) / (1.0 + s.drift), "the raid stays");
        assert!(s.planted.iter().any(|p| p.kind == Burst::Traffic && p.at_s == 610), "its arrival is a moment");
        assert!(!s.floods.is_empty() && !s.near_misses.is_empty());
        let events = generate(&s);
        let spam: std::collections::HashSet<_> = events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Comment { user, .. } if user.starts_with("spammer-") => Some(user.clone()),
                _ => None,
            })
            .collect();
        assert!(!spam.is_empty() && spam.len() <= 3 * s.floods.len());
    }
}
