//! The reference floor: the naive chat-rate detector any team would write first. Comments per
//! 10 s against their 2-minute moving average; a run more than 2 standard deviations above it is a
//! peak; the clip starts 15 s before the peak. Online like the engine.

use crate::event::{EventKind, LiveEvent};

/// A naive prediction: where the clip starts, how far above average the peak was, and when the
/// detector knew (the end of the run above the bar).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NaivePeak {
    /// Clip start (epoch ms).
    pub start_ms: i64,
    /// Standard deviations above the moving average at the peak.
    pub score: f64,
    /// When the run above the bar ended (epoch ms).
    pub identified_at_ms: i64,
}

const COUNT_S: usize = 10;
const AVERAGE_S: usize = 120;
const SIGMAS: f64 = 2.0;
const LEAD_MS: i64 = 15_000;

/// Runs the naive detector over one stream's events, in time order.
pub fn naive_peaks(events: &[LiveEvent]) -> Vec<NaivePeak> {
    let comments: Vec<i64> = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Comment { .. }))
        .map(|e| e.ts_ms.div_euclid(1000))
        .collect();
    let (Some(&first), Some(&last)) = (comments.iter().min(), comments.iter().max()) else {
        return Vec::new();
    };
    let mut per_second = vec![0u32; (last - first + 1) as usize];
    for s in &comments {
        per_second[(s - first) as usize] += 1;
    }
    let counts: Vec<f64> = (0..per_second.len())
        .map(|s| per_second[s.saturating_sub(COUNT_S - 1)..=s].iter().sum::<u32>() as f64)
        .collect();
    let mut peaks = Vec::new();
    let mut run: Option<(usize, f64)> = None;
    for s in AVERAGE_S..counts.len() {
        let history = &counts[s - AVERAGE_S..s];
        let mean = history.iter().sum::<f64>() / AVERAGE_S as f64;
        // A standard deviation of at least one comment, so one comment after silence is no peak.
        let sd = (history.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / AVERAGE_S as f64).sqrt().max(1.0);
        let z = (counts[s] - mean) / sd;
        if z > SIGMAS {
            if run.is_none_or(|(_, best)| z > best) {
                run = Some((s, z));
            }
        } else if let Some((peak, best)) = run.take() {
            peaks.push(NaivePeak {
                start_ms: (first + peak as i64) * 1000 - LEAD_MS,
                score: best,
                identified_at_ms: (first + s as i64) * 1000,
            });
        }
    }
    if let Some((peak, best)) = run {
        peaks.push(NaivePeak {
            start_ms: (first + peak as i64) * 1000 - LEAD_MS,
            score: best,
            identified_at_ms: (last + 1) * 1000,
        });
    }
    peaks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_after_steady_chat_is_one_peak_starting_15_s_early() {
        let mut events = Vec::new();
        let comment = |ts_ms| LiveEvent {
            ts_ms,
            live_id: "l".into(),
            kind: EventKind::Comment { user: String::new(), text: String::new() },
        };
        for s in 0..400i64 {
            let n = if (300..305).contains(&s) { 8 } else { s % 2 };
            for i in 0..n {
                events.push(comment(s * 1000 + i));
            }
        }
        let peaks = naive_peaks(&events);
        assert_eq!(peaks.len(), 1, "{peaks:?}");
        assert!((280_000..=295_000).contains(&peaks[0].start_ms), "15 s before the peak of the burst: {peaks:?}");
        assert!(peaks[0].score > SIGMAS);
        assert!(naive_peaks(&[]).is_empty());
    }
}
