//! Per-seller learning on the simulated population whose model issue 32 fixes
//! (`learn::population`): the learned bar and format choice against today's fixed bar and hash
//! assignment, on held-out seeds, never those the learners' settings were chosen on
//! (`choose_learning_settings`, run by `scripts/learning-figure.sh --choose`).

use std::sync::OnceLock;

use highlights_engine::learn::population::{FormatPolicy, MomentPool, Policy, Totals, regret_curve, simulate};
use highlights_engine::learn::{BarLearning, FormatLearning};

/// Seeds the learners' settings were chosen on.
const TRAINING_SEEDS: std::ops::RangeInclusive<u64> = 1..=10;
/// Seeds the figures and this test are measured on.
const HELD_OUT_SEEDS: std::ops::RangeInclusive<u64> = 1_001..=1_020;
const SELLERS: usize = 200;
const LIVES: usize = 40;

fn pool() -> &'static MomentPool {
    static POOL: OnceLock<MomentPool> = OnceLock::new();
    POOL.get_or_init(|| MomentPool::generate(10, 42))
}

fn learning(bar: BarLearning, format: FormatLearning) -> Policy {
    Policy { bar: Some(bar), format: FormatPolicy::Learning(format) }
}

/// Learning against fixed on one seed: (entries+orders per post, removals per LIVE, posts per
/// LIVE), each as learning's over fixed's.
fn ratios(fixed: &Totals, learned: &Totals) -> [f64; 3] {
    [
        learned.converted_per_post() / fixed.converted_per_post(),
        learned.removals_per_live() / fixed.removals_per_live(),
        learned.posts_per_live() / fixed.posts_per_live(),
    ]
}

/// Mean and 95 % confidence half-width over seeds.
fn mean_ci(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (mean, 1.96 * (var / n).sqrt())
}

/// The ratios of every seed in `seeds`.
fn over(seeds: impl Iterator<Item = u64>, policy: &Policy) -> Vec<[f64; 3]> {
    seeds
        .map(|seed| {
            ratios(
                &simulate(pool(), seed, SELLERS, LIVES, &Policy::FIXED),
                &simulate(pool(), seed, SELLERS, LIVES, policy),
            )
        })
        .collect()
}

#[test]
fn learning_beats_the_fixed_policy_on_held_out_seeds() {
    let per_seed = over(HELD_OUT_SEEDS, &learning(BarLearning::default(), FormatLearning::default()));
    let column = |i: usize| per_seed.iter().map(|r| r[i]).collect::<Vec<_>>();
    let (converted, c) = mean_ci(&column(0));
    let (removals, r) = mean_ci(&column(1));
    let (posts, p) = mean_ci(&column(2));
    println!(
        "held-out seeds: entries+orders per post x{converted:.3} ± {c:.3}, removals per LIVE x{removals:.3} ± {r:.3}, posts per LIVE x{posts:.3} ± {p:.3}"
    );
    // The goals, held by the confidence interval's worse end.
    assert!(converted - c >= 1.20, "at least 20 % more entries plus orders per posted clip: x{converted:.3} ± {c:.3}");
    assert!(removals + r <= 0.70, "at least 30 % fewer removals per LIVE: x{removals:.3} ± {r:.3}");
    assert!(posts - p >= 0.90, "at most 10 % fewer posts: x{posts:.3} ± {p:.3}");
}

#[test]
fn a_seller_with_no_feedback_and_no_results_gets_todays_behaviour() {
    // A LIVE each: nobody has given feedback or had results before it.
    for seed in HELD_OUT_SEEDS.take(3) {
        let fixed = simulate(pool(), seed, SELLERS, 1, &Policy::FIXED);
        let learned = simulate(pool(), seed, SELLERS, 1, &learning(BarLearning::default(), FormatLearning::default()));
        assert!(fixed.posts > 0 && fixed.converted > 0.0, "{fixed:?}");
        assert_eq!(fixed, learned, "seed {seed}");
    }
}

#[test]
fn the_format_choice_learns_and_keeps_learning() {
    let mut ratio = Vec::new();
    for seed in HELD_OUT_SEEDS.take(5) {
        let uniform = regret_curve(pool(), seed, SELLERS, 400, FormatPolicy::Uniform);
        let learned = regret_curve(pool(), seed, SELLERS, 400, FormatPolicy::Learning(FormatLearning::default()));
        let sum = |c: &[f64], r: std::ops::Range<usize>| c[r].iter().sum::<f64>();
        assert!(sum(&uniform, 0..400) > 0.0);
        assert!(sum(&learned, 200..400) < sum(&learned, 0..200), "seed {seed}: the second 200 clips add less regret");
        ratio.push(sum(&learned, 0..400) / sum(&uniform, 0..400));
    }
    let (mean, _) = mean_ci(&ratio);
    assert!(mean < 0.5, "under half the uniform assignment's regret after 400 clips: {mean:.3}");
}

/// The learners' settings: a small grid, judged on the training seeds only by entries plus orders
/// per post, among settings that keep removals and posts within the goals there.
#[test]
#[ignore = "chooses the learners' settings: scripts/learning-figure.sh --choose"]
fn choose_learning_settings() {
    let mut best: Option<(f64, BarLearning, FormatLearning)> = None;
    for anchor in [1.6, 1.8, 2.0] {
        for half_weight_signals in [2.0, 4.0, 8.0] {
            for half_life_lives in [6.0, 12.0, 24.0] {
                for prior_views in [100.0, 400.0, 1_600.0] {
                    let bar = BarLearning { anchor, half_weight_signals, half_life_lives, ..BarLearning::default() };
                    let format = FormatLearning { prior_views };
                    let per_seed = over(TRAINING_SEEDS, &learning(bar, format));
                    let mean = |i: usize| per_seed.iter().map(|r| r[i]).sum::<f64>() / per_seed.len() as f64;
                    let (converted, removals, posts) = (mean(0), mean(1), mean(2));
                    println!(
                        "anchor {anchor} half-weight {half_weight_signals} half-life {half_life_lives} prior views {prior_views}: x{converted:.3} removals x{removals:.3} posts x{posts:.3}"
                    );
                    // A margin inside the goals, so the held-out seeds are not met by luck.
                    if removals <= 0.65 && posts >= 0.93 && best.as_ref().is_none_or(|b| converted > b.0) {
                        best = Some((converted, bar, format));
                    }
                }
            }
        }
    }
    println!("chosen: {best:?}");
}

/// The published figures: `scripts/learning-figure.sh` writes them into docs/figures.md.
#[test]
#[ignore = "a figure: scripts/learning-figure.sh"]
fn learning_figure() {
    let policy = learning(BarLearning::default(), FormatLearning::default());
    let per_seed = over(HELD_OUT_SEEDS, &policy);
    let column = |i: usize| per_seed.iter().map(|r| r[i]).collect::<Vec<_>>();
    let (converted, c) = mean_ci(&column(0));
    let (removals, r) = mean_ci(&column(1));
    let (posts, p) = mean_ci(&column(2));
    let (mut total_uniform, mut total_learned, mut first, mut second) = (0.0, 0.0, 0.0, 0.0);
    for seed in HELD_OUT_SEEDS {
        let uniform = regret_curve(pool(), seed, SELLERS, 400, FormatPolicy::Uniform);
        let learned = regret_curve(pool(), seed, SELLERS, 400, FormatPolicy::Learning(FormatLearning::default()));
        total_uniform += uniform.iter().sum::<f64>();
        total_learned += learned.iter().sum::<f64>();
        first += learned[..200].iter().sum::<f64>();
        second += learned[200..].iter().sum::<f64>();
    }
    let seeds = HELD_OUT_SEEDS.count() as f64;
    println!("FIGURE learning_converted_per_post x{converted:.2} ± {c:.2}");
    println!("FIGURE learning_removals_per_live x{removals:.2} ± {r:.2}");
    println!("FIGURE learning_posts_per_live x{posts:.2} ± {p:.2}");
    println!(
        "FIGURE learning_regret_400 {:.1} vs uniform {:.1} ({:.3}x)",
        total_learned / seeds,
        total_uniform / seeds,
        total_learned / total_uniform
    );
    println!("FIGURE learning_regret_halves first 200 {:.1}, second 200 {:.1}", first / seeds, second / seeds);
}
