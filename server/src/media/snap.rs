//! Where a clip's edges go: to the natural breaks near them (the end of the seller's sentence, a
//! pause in the sound, a scene cut), within a bounded window, never past the peak and never out of
//! the clip length limits. Pure: the breaks are found elsewhere (`breaks.rs`), so every rule here
//! is tested without ffmpeg.

use std::time::Duration;

/// How far a clip's edges may move at render time, and how long a render waits for the recording
/// and captions past the clip's end to find a break there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapping {
    /// How far either edge may move, either way (zero: clips are cut exactly as found).
    pub window: Duration,
    /// How long after its job was first due a render of a LIVE still on is put back (not
    /// holding a worker) while the recording or the LIVE's events stop short of the window after
    /// the clip's end; then it snaps with what there is.
    pub wait: Duration,
}

impl Snapping {
    /// Widest window allowed: past it a "break" is a different clip.
    pub const MAX_WINDOW: Duration = Duration::from_secs(15);
    /// Longest wait allowed: the post waits for its video, and the seller for the post.
    pub const MAX_WAIT: Duration = Duration::from_secs(120);

    /// Clips cut exactly as found.
    pub fn off() -> Self {
        Self { window: Duration::ZERO, wait: Duration::ZERO }
    }

    /// The window in ms, within [`Snapping::MAX_WINDOW`].
    pub fn window_ms(&self) -> i64 {
        self.window.min(Self::MAX_WINDOW).as_millis() as i64
    }

    /// The wait, within [`Snapping::MAX_WAIT`].
    pub fn wait(&self) -> Duration {
        self.wait.min(Self::MAX_WAIT)
    }

    /// The wait in ms, within [`Snapping::MAX_WAIT`].
    pub fn wait_ms(&self) -> i64 {
        self.wait().as_millis() as i64
    }
}

impl Default for Snapping {
    fn default() -> Self {
        // A seller's sentence lasts a few seconds, so 4 s reaches the end of most a clip would cut;
        // recorders send a segment every few seconds, so 10 s brings the next two or three.
        Self { window: Duration::from_secs(4), wait: Duration::from_secs(10) }
    }
}

/// A stretch of stream time, `[from_ms, to_ms)` in epoch ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Its start.
    pub from_ms: i64,
    /// Its end.
    pub to_ms: i64,
}

impl Span {
    /// `[from_ms, to_ms)`.
    pub fn new(from_ms: i64, to_ms: i64) -> Self {
        Self { from_ms, to_ms }
    }

    fn strictly_inside(&self, t: i64) -> bool {
        self.from_ms < t && t < self.to_ms
    }
}

/// The natural breaks found near a clip's edges.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Breaks {
    /// What the seller says (caption spans): an edge never falls strictly inside one.
    pub speech: Vec<Span>,
    /// Pauses in the recording's sound.
    pub silences: Vec<Span>,
    /// Scene cuts: when the new scene's first frame shows.
    pub cuts: Vec<i64>,
}

/// A clip's edges and its peak, in epoch ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clip {
    /// First instant shown.
    pub start_ms: i64,
    /// First instant no longer shown.
    pub end_ms: i64,
    /// Where the thumbnail is taken; the start never moves past it, nor the end before it.
    pub peak_ms: i64,
}

/// What bounds a snap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// How far an edge may move, either way, in ms.
    pub window_ms: i64,
    /// Shortest clip allowed, in ms.
    pub min_ms: i64,
    /// Longest clip allowed, in ms.
    pub max_ms: i64,
    /// The recording held without a hole around the clip: edges stay inside it.
    pub held: Span,
}

/// A scene cut this close to an edge, on the side that keeps the other scene out of the clip, is
/// at the edge (a frame at 25 fps): an end this much before a cut, a start this much after one.
const ON_CUT_MS: i64 = 40;
/// How far into a pause an edge goes at most: far enough not to clip a word's tail or onset, near
/// enough to keep the pause short in the clip.
const INTO_PAUSE_MS: i64 = 250;

/// Speech spans by start, overlapping ones merged: a clip may end between two captions that touch
/// (one sentence ending as the next begins), never inside either.
fn merged(speech: &[Span]) -> Vec<Span> {
    let mut spans: Vec<Span> = speech.iter().copied().filter(|s| s.to_ms > s.from_ms).collect();
    spans.sort_by_key(|s| s.from_ms);
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.from_ms < last.to_ms => last.to_ms = last.to_ms.max(s.to_ms),
            _ => out.push(s),
        }
    }
    out
}

/// Which edge is being placed: they look into a pause from opposite sides.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Edge {
    Start,
    End,
}

/// Where `edge` at `at` could go, best first, the edge as it is last.
fn candidates(edge: Edge, at: i64, speech: &[Span], breaks: &Breaks, window_ms: i64) -> Vec<i64> {
    if let Some(s) = speech.iter().find(|s| s.strictly_inside(at)) {
        // Inside a sentence: take it whole where the window allows (an end goes to its end, a
        // start to its start), else leave it out.
        let (whole, without) = match edge {
            Edge::End => (s.to_ms, s.from_ms),
            Edge::Start => (s.from_ms, s.to_ms),
        };
        return vec![whole, without, at];
    }
    // Only one side of a cut counts: an end past it (a start before it) would show frames of the
    // other scene.
    let on_cut = |c: i64| match edge {
        Edge::End => (at..=at.saturating_add(ON_CUT_MS)).contains(&c),
        Edge::Start => (at.saturating_sub(ON_CUT_MS)..=at).contains(&c),
    };
    let at_break =
        breaks.silences.iter().any(|p| p.from_ms <= at && at <= p.to_ms) || breaks.cuts.iter().any(|&c| on_cut(c));
    if at_break {
        return vec![at];
    }
    let (lo, hi) = (at - window_ms, at + window_ms);
    let mut points: Vec<i64> = breaks.cuts.iter().copied().filter(|c| (lo..=hi).contains(c)).collect();
    for p in &breaks.silences {
        let (from, to) = (p.from_ms.max(lo), p.to_ms.min(hi));
        if from > to {
            continue;
        }
        // An end goes a little into the pause after the last word; a start a little before the
        // first word after the pause.
        let pad = ((p.to_ms - p.from_ms) / 2).min(INTO_PAUSE_MS);
        let point = match edge {
            Edge::End => p.from_ms + pad,
            Edge::Start => p.to_ms - pad,
        };
        points.push(point.clamp(from, to));
    }
    points.retain(|t| !speech.iter().any(|s| s.strictly_inside(*t)));
    points.sort_by_key(|t| ((t - at).abs(), *t));
    points.push(at);
    points
}

/// The clip with its edges moved to the natural breaks near them: an end inside a sentence goes
/// to the sentence's end when the window reaches it, else back to before it starts; an end not
/// inside one goes to the nearest pause or scene cut in the window; the start likewise, never
/// past the peak. Length limits win over a break (the end first: a clip that ends well matters
/// more than one that starts well); an edge with no break near is left where it is.
pub fn snap(clip: Clip, bounds: &Bounds, breaks: &Breaks) -> Clip {
    if bounds.window_ms <= 0 || clip.end_ms <= clip.start_ms {
        return clip;
    }
    let speech = merged(&breaks.speech);
    let w = bounds.window_ms;
    let length = clip.end_ms - clip.start_ms;
    // A clip already outside the limits (they changed since it was found) may stay as long as it is.
    let (min_ms, max_ms) = (bounds.min_ms.min(length), bounds.max_ms.max(length));
    let ends: Vec<i64> = candidates(Edge::End, clip.end_ms, &speech, breaks, w)
        .into_iter()
        .filter(|t| (t - clip.end_ms).abs() <= w && *t > clip.peak_ms && *t <= bounds.held.to_ms)
        .collect();
    let starts: Vec<i64> = candidates(Edge::Start, clip.start_ms, &speech, breaks, w)
        .into_iter()
        .filter(|t| (t - clip.start_ms).abs() <= w && *t <= clip.peak_ms && *t >= bounds.held.from_ms)
        .collect();
    for &end_ms in &ends {
        if let Some(&start_ms) = starts.iter().find(|&&s| (min_ms..=max_ms).contains(&(end_ms - s))) {
            return Clip { start_ms, end_ms, peak_ms: clip.peak_ms };
        }
    }
    clip
}

/// Whether `t` falls strictly inside one of the captions' spans: what the snapping figure counts.
pub fn inside_speech(t: i64, speech: &[Span]) -> bool {
    speech.iter().any(|s| s.strictly_inside(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000;

    fn bounds() -> Bounds {
        Bounds { window_ms: 3 * S, min_ms: 10 * S, max_ms: 60 * S, held: Span::new(0, 100 * S) }
    }

    fn clip(start: i64, end: i64) -> Clip {
        Clip { start_ms: start, end_ms: end, peak_ms: (start + end) / 2 }
    }

    #[test]
    fn no_break_near_leaves_the_clip_alone() {
        let far = Breaks {
            speech: vec![Span::new(40 * S, 43 * S)],
            silences: vec![Span::new(50 * S, 51 * S)],
            cuts: vec![15 * S + 1],
        };
        assert_eq!(snap(clip(20 * S, 32 * S), &bounds(), &far), clip(20 * S, 32 * S));
        assert_eq!(snap(clip(20 * S, 32 * S), &bounds(), &Breaks::default()), clip(20 * S, 32 * S));
        let off = Bounds { window_ms: 0, ..bounds() };
        let cut = Breaks { cuts: vec![33 * S], ..Breaks::default() };
        assert_eq!(snap(clip(20 * S, 32 * S), &off, &cut), clip(20 * S, 32 * S), "a zero window is off");
    }

    #[test]
    fn an_end_inside_a_sentence_goes_to_its_end_or_before_it() {
        let said = Breaks { speech: vec![Span::new(31 * S, 34 * S)], ..Breaks::default() };
        assert_eq!(snap(clip(20 * S, 32 * S), &bounds(), &said).end_ms, 34 * S, "extended to the sentence's end");
        let long = Breaks { speech: vec![Span::new(31 * S, 36 * S)], ..Breaks::default() };
        assert_eq!(snap(clip(20 * S, 32 * S), &bounds(), &long).end_ms, 31 * S, "its end is out of reach: before it");
        let longer = Breaks { speech: vec![Span::new(28 * S, 36 * S)], ..Breaks::default() };
        assert_eq!(snap(clip(20 * S, 32 * S), &bounds(), &longer).end_ms, 32 * S, "neither in reach: left alone");
        // Captions that overlap are one stretch of speech; ones that touch leave a break between.
        let chained = Breaks { speech: vec![Span::new(31 * S, 33 * S), Span::new(32 * S, 34 * S)], ..said.clone() };
        assert_eq!(snap(clip(20 * S, 32 * S + 500), &bounds(), &chained).end_ms, 34 * S);
        let touching = Breaks { speech: vec![Span::new(29 * S, 32 * S), Span::new(32 * S, 36 * S)], ..said.clone() };
        assert_eq!(snap(clip(20 * S, 32 * S), &bounds(), &touching).end_ms, 32 * S, "between two sentences already");
    }

    #[test]
    fn pauses_and_cuts_near_an_end_take_it_the_nearest_first() {
        let b = Breaks { silences: vec![Span::new(33 * S, 35 * S)], cuts: vec![30 * S], ..Breaks::default() };
        assert_eq!(
            snap(clip(20 * S, 32 * S), &bounds(), &b).end_ms,
            33 * S + 250,
            "the pause 1.25 s away, not the cut 2 s"
        );
        let b = Breaks { silences: vec![Span::new(32 * S + 500, 35 * S)], cuts: vec![30 * S], ..Breaks::default() };
        assert_eq!(snap(clip(20 * S, 32 * S), &bounds(), &b).end_ms, 32 * S + 750, "a quarter second into the pause");
        let b = Breaks { silences: vec![Span::new(31 * S, 33 * S)], ..Breaks::default() };
        assert_eq!(snap(clip(20 * S, 32 * S), &bounds(), &b).end_ms, 32 * S, "already in a pause");
        // A cut inside a sentence is no break.
        let b = Breaks { speech: vec![Span::new(29 * S, 31 * S)], cuts: vec![30 * S], ..Breaks::default() };
        assert_eq!(snap(clip(20 * S, 32 * S), &bounds(), &b).end_ms, 32 * S);
    }

    #[test]
    fn the_start_moves_to_a_break_but_never_past_the_peak() {
        let b = Breaks { speech: vec![Span::new(19 * S, 21 * S)], ..Breaks::default() };
        assert_eq!(snap(clip(20 * S, 32 * S), &bounds(), &b).start_ms, 19 * S, "the sentence taken whole");
        let b = Breaks { cuts: vec![22 * S], ..Breaks::default() };
        let c = Clip { start_ms: 20 * S, end_ms: 32 * S, peak_ms: 21 * S };
        assert_eq!(snap(c, &bounds(), &b).start_ms, 20 * S, "the cut is after the peak");
        let c = Clip { peak_ms: 23 * S, ..c };
        assert_eq!(snap(c, &bounds(), &b).start_ms, 22 * S);
    }

    #[test]
    fn length_limits_win_over_a_break() {
        // At the longest already: the sentence's end is out, before its start is in.
        let said = Breaks { speech: vec![Span::new(71 * S, 73 * S)], ..Breaks::default() };
        assert_eq!(snap(clip(12 * S, 72 * S), &bounds(), &said).end_ms, 71 * S);
        // At the shortest: the cut before the end would make it too short; the start moves to
        // make room when it can.
        let cut = Breaks { cuts: vec![29 * S], ..Breaks::default() };
        let c = Clip { start_ms: 20 * S, end_ms: 30 * S, peak_ms: 25 * S };
        assert_eq!(snap(c, &bounds(), &cut), c, "no room: the end stays");
        let both = Breaks { cuts: vec![29 * S, 18 * S], ..Breaks::default() };
        assert_eq!(snap(c, &bounds(), &both), Clip { start_ms: 18 * S, end_ms: 29 * S, peak_ms: 25 * S });
        // A clip shorter than the limit (it changed since) is no reason to leave it alone.
        let short = Clip { start_ms: 20 * S, end_ms: 28 * S, peak_ms: 24 * S };
        let cut = Breaks { cuts: vec![29 * S], ..Breaks::default() };
        assert_eq!(snap(short, &bounds(), &cut).end_ms, 29 * S);
    }

    #[test]
    fn edges_stay_in_the_recording_held() {
        let said = Breaks { speech: vec![Span::new(31 * S, 34 * S)], ..Breaks::default() };
        let held = Bounds { held: Span::new(0, 33 * S), ..bounds() };
        assert_eq!(snap(clip(20 * S, 32 * S), &held, &said).end_ms, 31 * S, "the sentence's end is not here yet");
        let before = Breaks { cuts: vec![18 * S], ..Breaks::default() };
        let held = Bounds { held: Span::new(19 * S, 40 * S), ..bounds() };
        assert_eq!(snap(clip(20 * S, 32 * S), &held, &before).start_ms, 20 * S);
    }

    #[test]
    fn an_edge_near_a_cut_counts_as_on_it_only_from_the_side_that_keeps_the_other_scene_out() {
        let cut = 32 * S;
        let b = Breaks { cuts: vec![cut], ..Breaks::default() };
        // An end a frame before the cut shows none of the next scene: it stays.
        assert_eq!(snap(clip(20 * S, cut - 30), &bounds(), &b).end_ms, cut - 30);
        // An end a frame after it would show the next scene's first frame: back to the cut.
        assert_eq!(snap(clip(20 * S, cut + 30), &bounds(), &b).end_ms, cut, "the next scene's frame left out");
        // A start a frame after a cut shows only the new scene: it stays; a frame before, it
        // would open on the old scene's last frame: on to the cut.
        let start_cut = 20 * S;
        let b = Breaks { cuts: vec![start_cut], ..Breaks::default() };
        assert_eq!(snap(clip(start_cut + 30, 32 * S), &bounds(), &b).start_ms, start_cut + 30);
        assert_eq!(
            snap(clip(start_cut - 30, 32 * S), &bounds(), &b).start_ms,
            start_cut,
            "the old scene's frame left out"
        );
    }

    #[test]
    fn inside_speech_is_strict() {
        let s = [Span::new(10, 20)];
        assert!(!inside_speech(10, &s) && inside_speech(11, &s) && !inside_speech(20, &s));
    }
}
