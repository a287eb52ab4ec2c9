//! Subtitles from timed words: a recogniser's words grouped into cues people can read (at most two
//! lines of about 42 characters, split at pauses, shown from the first word to a short hold after
//! the last), merged with the platform's captions, which win wherever both cover a moment. Pure:
//! the stores call it when they read a LIVE's captions, the figures when they measure it.

/// One recognised word, with its times in the LIVE's stream time (epoch ms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimedWord {
    /// The word, as the recogniser spells it.
    pub text: String,
    /// When it starts.
    pub start_ms: i64,
    /// When it ends.
    pub end_ms: i64,
}

/// One subtitle cue: lines joined by `\n`, shown over `[at_ms, at_ms + duration_ms)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cue {
    /// When it appears (epoch ms).
    pub at_ms: i64,
    /// How long it stays.
    pub duration_ms: i64,
    /// One or two lines.
    pub text: String,
}

/// Most characters on one line: what a phone screen shows in a readable size (broadcast
/// guidelines say 37 to 42).
pub const LINE_CHARS: usize = 42;
/// A silence this long between two words ends a cue: the speaker paused, so a reader may too.
pub const PAUSE_MS: i64 = 500;
/// A cue stays this long after its last word (never into the next one), so it can be finished.
pub const HOLD_MS: i64 = 600;
/// Longest cue: past this a new one starts even without a pause, so the text follows the voice.
pub const MAX_CUE_MS: i64 = 7_000;

/// `words` as at most two lines of at most [`LINE_CHARS`] (a longer single word stands alone on
/// its line), or `None` when they need more.
pub fn lines(words: &[&str]) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for w in words {
        match out.last_mut() {
            Some(line) if line.chars().count() + 1 + w.chars().count() <= LINE_CHARS => {
                line.push(' ');
                line.push_str(w);
            }
            _ => out.push((*w).to_string()),
        }
        if out.len() > 2 {
            return None;
        }
    }
    Some(out)
}

/// Whether a word ends a sentence: recognisers that punctuate (Whisper, cloud APIs) say so.
fn ends_sentence(w: &TimedWord) -> bool {
    w.text.ends_with(['.', '?', '!'])
}

/// The cues of a run of recognised words (sorted by start here; empty words dropped): a cue ends
/// at a pause, at a sentence's end, or where two lines are full.
pub fn cues(words: &[TimedWord]) -> Vec<Cue> {
    let mut sorted: Vec<&TimedWord> = words.iter().filter(|w| !w.text.trim().is_empty()).collect();
    sorted.sort_by_key(|w| (w.start_ms, w.end_ms));
    let mut groups: Vec<Vec<&TimedWord>> = Vec::new();
    for w in sorted {
        let joins = groups.last().is_some_and(|g| {
            let (first, last) = (g[0], g[g.len() - 1]);
            if ends_sentence(last) {
                return false;
            }
            let texts: Vec<&str> = g.iter().map(|x| x.text.as_str()).chain([w.text.as_str()]).collect();
            w.start_ms - last.end_ms < PAUSE_MS && w.end_ms - first.start_ms <= MAX_CUE_MS && lines(&texts).is_some()
        });
        match groups.last_mut() {
            Some(g) if joins => g.push(w),
            _ => groups.push(vec![w]),
        }
    }
    let mut out: Vec<Cue> = Vec::with_capacity(groups.len());
    for (i, g) in groups.iter().enumerate() {
        let at_ms = g[0].start_ms;
        let last = g[g.len() - 1].end_ms;
        let next = groups.get(i + 1).map_or(i64::MAX, |n| n[0].start_ms);
        // A cue cut for length, not at a pause, runs 1 ms into the next: one sentence to the
        // snapping (which takes touching spans as a break), invisible on screen at 25 fps.
        let split_for_length = next - last < PAUSE_MS && !ends_sentence(g[g.len() - 1]);
        let end = if split_for_length { next + 1 } else { (last + HOLD_MS).min(next) }.max(at_ms + 1);
        let texts: Vec<&str> = g.iter().map(|w| w.text.as_str()).collect();
        let text = lines(&texts).unwrap_or_else(|| vec![texts.join(" ")]).join("\n");
        out.push(Cue { at_ms, duration_ms: end - at_ms, text });
    }
    out
}

/// The platform's captions with the recogniser's cues where the platform said nothing: a cue
/// overlapping any platform caption is dropped (the platform's text is the seller's own words).
/// Sorted by start.
pub fn merge(platform: Vec<Cue>, recognised: Vec<Cue>) -> Vec<Cue> {
    let overlaps =
        |c: &Cue| platform.iter().any(|p| c.at_ms < p.at_ms + p.duration_ms && p.at_ms < c.at_ms + c.duration_ms);
    let kept: Vec<Cue> = recognised.into_iter().filter(|c| !overlaps(c)).collect();
    let mut all = platform;
    all.extend(kept);
    all.sort_by_key(|c| c.at_ms);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(text: &str, start_ms: i64, step_ms: i64) -> Vec<TimedWord> {
        text.split(' ')
            .enumerate()
            .map(|(i, w)| {
                let start = start_ms + i as i64 * step_ms;
                TimedWord { text: w.into(), start_ms: start, end_ms: start + step_ms - 50 }
            })
            .collect()
    }

    #[test]
    fn words_become_cues_of_two_short_lines_split_at_pauses_and_held_a_moment() {
        let mut words = said("this serum is only twenty dollars today", 10_000, 300);
        words.extend(said("tap the bag", 14_000, 300));
        let cues = cues(&words);
        assert_eq!(cues.len(), 2, "{cues:?}");
        assert_eq!(cues[0].text, "this serum is only twenty dollars today");
        assert_eq!(cues[0].at_ms, 10_000);
        // Last word ends at 10 000 + 6·300 + 250; held 600 more.
        assert_eq!(cues[0].at_ms + cues[0].duration_ms, 12_050 + HOLD_MS);
        assert_eq!(cues[1].text, "tap the bag");

        let long = said(
            "and this one is the best selling lip tint we have ever had in the shop so grab it while it lasts okay",
            0,
            250,
        );
        let cues = super::cues(&long);
        assert!(cues.len() >= 2, "{cues:?}");
        for c in &cues {
            let lines: Vec<&str> = c.text.split('\n').collect();
            assert!(lines.len() <= 2 && lines.iter().all(|l| l.chars().count() <= LINE_CHARS), "{c:?}");
        }
        // Every word is shown once, in order.
        let shown: Vec<String> =
            cues.iter().flat_map(|c| c.text.split_whitespace().map(String::from).collect::<Vec<_>>()).collect();
        assert_eq!(shown, long.iter().map(|w| w.text.clone()).collect::<Vec<_>>());
        // Back to back without a pause: one sentence, so each cue runs just into the next.
        assert!(cues.windows(2).all(|w| w[0].at_ms + w[0].duration_ms == w[1].at_ms + 1));
    }

    #[test]
    fn a_sentence_end_ends_a_cue_without_a_pause_and_is_a_break_for_snapping() {
        let words = said("Only today. Tap the bag!", 0, 300);
        let cues = cues(&words);
        assert_eq!(cues.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(), ["Only today.", "Tap the bag!"]);
        // Held no further than the next sentence's start: the two never overlap.
        assert!(cues[0].at_ms + cues[0].duration_ms <= cues[1].at_ms, "{cues:?}");
    }

    #[test]
    fn a_word_too_long_for_a_line_stands_alone_and_blank_words_vanish() {
        let w = "x".repeat(60);
        assert_eq!(lines(&[&w, "a"]), Some(vec![w.clone(), "a".into()]));
        assert_eq!(lines(&[&w, &w, &w]), None);
        let cues = cues(&[
            TimedWord { text: " ".into(), start_ms: 0, end_ms: 10 },
            TimedWord { text: w.clone(), start_ms: 20, end_ms: 900 },
        ]);
        assert_eq!(cues.len(), 1);
        assert_eq!(cues[0].text, w);
    }

    #[test]
    fn the_platforms_captions_win_where_both_cover_a_moment() {
        let platform = vec![Cue { at_ms: 1_000, duration_ms: 2_000, text: "Only today".into() }];
        let recognised = vec![
            Cue { at_ms: 500, duration_ms: 1_000, text: "only to day".into() },
            Cue { at_ms: 3_000, duration_ms: 1_000, text: "tap the bag".into() },
        ];
        let merged = merge(platform, recognised);
        assert_eq!(merged.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(), ["Only today", "tap the bag"]);
    }
}
