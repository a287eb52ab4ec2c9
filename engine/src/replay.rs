//! `replay`: a recorded JSONL stream run through the engine as if live, auto-posts (and, on request,
//! recommendations) printed as JSON lines.

use std::io::{BufRead, Write};

use serde::Serialize;

use crate::engine::Engine;
use crate::event::{LiveEvent, SkipReason};
use crate::moment::Moment;
use crate::policy::{CapCounter, Decision, Policy};
use crate::settings::EngineSettings;

/// What became of a printed moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Auto-posted at `post_at_ms`.
    Auto,
    /// Kept for the seller as a recommendation.
    Recommendation,
}

/// One highlight, as printed (field order is the interface; `kind` only with `--all`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostedHighlight {
    /// Auto-post or recommendation; printed only when recommendations are printed too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
    /// LIVE.
    pub live_id: String,
    /// Clip start (epoch ms).
    pub start_ms: i64,
    /// Clip end (epoch ms).
    pub end_ms: i64,
    /// Peak (epoch ms).
    pub peak_ms: i64,
    /// Identification (epoch ms, stream time).
    pub identified_at_ms: i64,
    /// Posting time (epoch ms); `null` for a recommendation.
    pub post_at_ms: Option<i64>,
    /// Tied product.
    pub product_id: Option<String>,
    /// Score.
    pub score: f64,
    /// Reasons.
    pub signals: Vec<String>,
}

impl PostedHighlight {
    fn new(m: Moment, kind: Option<Kind>, post_at_ms: Option<i64>) -> Self {
        let signals = m.signals();
        Self {
            kind,
            live_id: m.live_id,
            start_ms: m.start_ms,
            end_ms: m.end_ms,
            peak_ms: m.peak_ms,
            identified_at_ms: m.identified_at_ms,
            post_at_ms,
            product_id: m.product_id,
            score: m.score,
            signals,
        }
    }
}

/// What a replay saw.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReplayStats {
    /// Input lines read (blank ones included).
    pub lines: u64,
    /// Events fed to the engine.
    pub events: u64,
    /// Lines skipped as malformed.
    pub malformed: u64,
    /// Lines skipped for an unknown type.
    pub unknown_type: u64,
    /// Events that arrived after their second was scored.
    pub late: u64,
    /// Moments identified.
    pub moments: u64,
    /// Of those, auto-posted.
    pub auto_posted: u64,
    /// Of those, kept as recommendations.
    pub recommended: u64,
}

/// Warnings printed per kind of problem before going quiet (the totals still count everything).
const WARN_LIMIT: u64 = 10;

/// Runs the engine over `input` and writes auto-posted highlights to `out`, in posting order; with
/// `all`, recommendations too (each line then says its `kind`), in the order they take effect.
pub fn replay(
    input: impl BufRead,
    out: &mut impl Write,
    diag: &mut impl Write,
    settings: EngineSettings,
    policy: &Policy,
    all: bool,
) -> std::io::Result<ReplayStats> {
    let mut engine = Engine::new(settings);
    let mut caps = CapCounter::default();
    let mut stats = ReplayStats::default();
    let mut posted: Vec<PostedHighlight> = Vec::new();
    let mut decide = |m: Moment, stats: &mut ReplayStats, posted: &mut Vec<PostedHighlight>| {
        stats.moments += 1;
        match caps.decide(policy, &m) {
            Decision::AutoPost { post_at_ms } => {
                stats.auto_posted += 1;
                posted.push(PostedHighlight::new(m, all.then_some(Kind::Auto), Some(post_at_ms)));
            }
            Decision::Recommend => {
                stats.recommended += 1;
                if all {
                    posted.push(PostedHighlight::new(m, Some(Kind::Recommendation), None));
                }
            }
        }
    };
    for line in input.split(b'\n') {
        let line = line?;
        stats.lines += 1;
        let text = String::from_utf8_lossy(&line);
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        match LiveEvent::parse_line(text) {
            Ok(e) => {
                stats.events += 1;
                for m in engine.push(&e) {
                    decide(m, &mut stats, &mut posted);
                }
            }
            Err(reason) => {
                let n = match reason {
                    SkipReason::Malformed(_) => {
                        stats.malformed += 1;
                        stats.malformed
                    }
                    SkipReason::UnknownType(_) => {
                        stats.unknown_type += 1;
                        stats.unknown_type
                    }
                };
                if n <= WARN_LIMIT {
                    writeln!(diag, "warning: line {}: {reason}; skipped", stats.lines)?;
                }
            }
        }
    }
    for m in engine.flush_all() {
        decide(m, &mut stats, &mut posted);
    }
    stats.late = engine.late_events();
    // Identification order per LIVE is already time order; across LIVEs, posting time decides.
    posted.sort_by_key(|p| p.post_at_ms.unwrap_or(p.identified_at_ms));
    for p in &posted {
        serde_json::to_writer(&mut *out, p)?;
        out.write_all(b"\n")?;
    }
    writeln!(
        diag,
        "replay: {} lines, {} events, {} malformed, {} unknown type, {} late; {} moments: {} auto-posted, {} recommended",
        stats.lines,
        stats.events,
        stats.malformed,
        stats.unknown_type,
        stats.late,
        stats.moments,
        stats.auto_posted,
        stats.recommended
    )?;
    Ok(stats)
}
