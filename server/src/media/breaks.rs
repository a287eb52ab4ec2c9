//! Finding the natural breaks near a clip's edges with one cheap ffmpeg pass over only the few
//! seconds around each edge (pauses by `silencedetect` on the sound, cuts by scene scores on
//! small frames), then moving the clip's edges to them (`snap.rs`). Done once per clip, before
//! the render, whatever the format.

use std::path::Path;
use std::time::Duration;

use super::ffmpeg::Ffmpeg;
use super::render::{self, RenderError, SegmentFile};
use super::snap::{self, Bounds, Breaks, Clip, Span};
use crate::store::{CaptionLine, RenderTask};

/// Sound this far under full scale is a pause: speech and music sit well above it.
const SILENCE_DB: i32 = -35;
/// A pause is at least this long (seconds); shorter ones are breaths between words.
const SILENCE_MIN_S: &str = "0.3";
/// Scene score (0 to 1) above which two frames are different shots.
const SCENE_SCORE: &str = "0.3";
/// Width of the frames scene scores are computed on: cuts show at any size, and small is cheap.
const SCENE_WIDTH: u32 = 96;

/// The pauses and scene cuts found in the spans looked at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Found {
    /// Pauses in the sound (epoch ms).
    pub silences: Vec<Span>,
    /// Scene cuts (epoch ms).
    pub cuts: Vec<i64>,
}

/// Lines `key=value` printed by ffmpeg's `metadata`/`ametadata` filters, with the frame time
/// each follows (seconds from the span's start; `None` when unknown: no frame line yet, or one
/// without a time, e.g. `pts_time:NOPTS`). Values that are not finite numbers are dropped.
fn metadata_values<'a>(text: &'a str, key: &'a str) -> impl Iterator<Item = (Option<f64>, f64)> + 'a {
    let mut frame_time = None;
    text.lines().filter_map(move |line| {
        if let Some(t) = line.split_whitespace().find_map(|w| w.strip_prefix("pts_time:")) {
            // A frame without a usable time must not lend a value the previous frame's.
            frame_time = t.parse::<f64>().ok().filter(|t| t.is_finite());
            return None;
        }
        let value = line.strip_prefix(key)?.strip_prefix('=')?.trim().parse::<f64>().ok().filter(|v| v.is_finite())?;
        Some((frame_time, value))
    })
}

/// `seconds` after the span's start as epoch ms, kept inside the span: ffmpeg's times are of
/// what it decoded there, so one outside is noise (and a huge one must not overflow).
fn at(span: Span, seconds: f64) -> i64 {
    // `as` saturates; the sum saturates too, then the clamp keeps it in the span.
    span.from_ms.saturating_add((seconds * 1000.0).round() as i64).clamp(span.from_ms, span.to_ms.max(span.from_ms))
}

/// Scene cuts in one span's `metadata=print` output (only frames past the score are printed);
/// a score whose frame time is unknown says nothing of when the cut was.
fn parse_cuts(text: &str, span: Span) -> Vec<i64> {
    metadata_values(text, "lavfi.scene_score").filter_map(|(t, _)| Some(at(span, t?))).collect()
}

/// Pauses in one span's `silencedetect` output; one still going at the span's end runs to it.
/// The values are times themselves, so the frame time they follow does not matter.
fn parse_silences(text: &str, span: Span) -> Vec<Span> {
    let mut starts = metadata_values(text, "lavfi.silence_start").map(|(_, v)| v).collect::<Vec<_>>().into_iter();
    let ends: Vec<f64> = metadata_values(text, "lavfi.silence_end").map(|(_, v)| v).collect();
    let mut out = Vec::new();
    for end in ends {
        let start = starts.next().unwrap_or(0.0);
        out.push(Span::new(at(span, start), at(span, end)));
    }
    out.extend(starts.map(|start| Span::new(at(span, start), span.to_ms)));
    out.retain(|p| p.to_ms > p.from_ms);
    out
}

/// Spans around the clip's edges to look at: a window either side of each, inside what is held,
/// one span when they meet.
pub fn spans(start_ms: i64, end_ms: i64, window_ms: i64, held: Span) -> Vec<Span> {
    let clip = |a: i64, b: i64| Span::new(a.max(held.from_ms), b.min(held.to_ms));
    let (head, tail) = (clip(start_ms - window_ms, start_ms + window_ms), clip(end_ms - window_ms, end_ms + window_ms));
    let spans = if head.to_ms >= tail.from_ms { vec![Span::new(head.from_ms, tail.to_ms)] } else { vec![head, tail] };
    spans.into_iter().filter(|s| s.to_ms > s.from_ms).collect()
}

/// Finds pauses and scene cuts in `spans` of the recording in `segments` (local copies in `dir`,
/// by start), with one ffmpeg run decoding each span once.
pub async fn find(
    ff: &Ffmpeg,
    dir: &Path,
    segments: &[SegmentFile],
    has_audio: bool,
    spans: &[Span],
) -> Result<Found, RenderError> {
    // Two spans at most (see `spans`): each is one input of its own, read from its own list.
    const LISTS: [&str; 2] = ["near0.ffconcat", "near1.ffconcat"];
    let mut args: Vec<String> = Vec::new();
    let mut graph: Vec<String> = Vec::new();
    let mut files = Vec::new();
    let mut outputs = Vec::new();
    let mut looked: Vec<Span> = Vec::new();
    for (span, list) in spans.iter().zip(LISTS) {
        let used: Vec<SegmentFile> = segments
            .iter()
            .filter(|s| s.segment.start_ms < span.to_ms && s.segment.start_ms + s.segment.duration_ms > span.from_ms)
            .cloned()
            .collect();
        let Some(first) = used.first() else { continue };
        let offset = render::seconds(span.from_ms - first.segment.start_ms);
        let length = render::seconds(span.to_ms - span.from_ms);
        files.push((list, render::concat_list(&used, dir)?));
        let mut demuxers = vec!["concat"];
        for s in &used {
            if !demuxers.contains(&s.container.demuxer()) {
                demuxers.push(s.container.demuxer());
            }
        }
        args.extend(["-f", "concat", "-protocol_whitelist", "file", "-format_whitelist"].map(String::from));
        args.extend([demuxers.join(","), "-i".into(), list.into()]);
        let n = looked.len();
        graph.push(format!(
            "[{n}:v]trim=start={offset}:duration={length},setpts=PTS-STARTPTS,scale={SCENE_WIDTH}:-2,\
             select='gt(scene,{SCENE_SCORE})',metadata=print:file=cuts{n}.txt[v{n}]"
        ));
        outputs.push(format!("[v{n}]"));
        if has_audio {
            graph.push(format!(
                "[{n}:a]atrim=start={offset}:duration={length},asetpts=PTS-STARTPTS,\
                 aformat=channel_layouts=mono,silencedetect=n={SILENCE_DB}dB:d={SILENCE_MIN_S},\
                 ametadata=print:file=silences{n}.txt[a{n}]"
            ));
            outputs.push(format!("[a{n}]"));
        }
        looked.push(*span);
    }
    if looked.is_empty() {
        return Ok(Found::default());
    }
    render::write_files(dir, files).await?;
    let threads = ff.threads.max(1).to_string();
    args.extend(["-filter_complex_threads".into(), threads.clone(), "-filter_complex".into(), graph.join(";")]);
    for o in outputs {
        args.extend(["-map".into(), o]);
    }
    args.extend(["-threads", &threads, "-f", "null", "-"].map(String::from));
    let seconds: i64 = looked.iter().map(|s| s.to_ms - s.from_ms).sum::<i64>() / 1000;
    ff.ffmpeg(dir, &args, Duration::from_secs(30 + 2 * seconds.max(0) as u64)).await?;

    let mut found = Found::default();
    for (i, span) in looked.iter().enumerate() {
        let read = |name: String| {
            let path = dir.join(name);
            async move {
                match tokio::fs::read_to_string(&path).await {
                    Ok(text) => Ok(text),
                    // Nothing past the threshold: the filter never opened its file.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
                    Err(e) => Err(RenderError::Scratch(e)),
                }
            }
        };
        found.cuts.extend(parse_cuts(&read(format!("cuts{i}.txt")).await?, *span));
        if has_audio {
            found.silences.extend(parse_silences(&read(format!("silences{i}.txt")).await?, *span));
        }
    }
    Ok(found)
}

/// Caption spans as speech.
pub fn speech(captions: &[CaptionLine]) -> Vec<Span> {
    captions.iter().map(|c| Span::new(c.at_ms, c.at_ms + c.duration_ms)).collect()
}

/// `task` with its edges moved to the natural breaks within `window_ms` of them, in the
/// recording held over `held` (local copies in `segments`); the task as it is when it may not
/// move (a seller's cut) or the window is zero. A failed look for pauses and cuts leaves the
/// captions to go by: a clip that cannot be snapped well is still rendered.
pub async fn snap_task(
    ff: &Ffmpeg,
    dir: &Path,
    task: &RenderTask,
    segments: &[SegmentFile],
    has_audio: bool,
    held: Span,
    window_ms: i64,
) -> RenderTask {
    if !task.snap || window_ms <= 0 {
        return task.clone();
    }
    let looked = spans(task.start_ms, task.end_ms, window_ms, held);
    let found = match find(ff, dir, segments, has_audio, &looked).await {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!(highlight_id = %task.highlight_id, error = %e, "no pauses or cuts found; snapping to captions only");
            Found::default()
        }
    };
    let breaks = Breaks { speech: speech(&task.captions), silences: found.silences, cuts: found.cuts };
    let bounds = Bounds { window_ms, min_ms: task.min_ms, max_ms: task.max_ms, held };
    let clip = Clip { start_ms: task.start_ms, end_ms: task.end_ms, peak_ms: task.peak_ms };
    let snapped = snap::snap(clip, &bounds, &breaks);
    RenderTask { start_ms: snapped.start_ms, end_ms: snapped.end_ms, ..task.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ffmpeg_prints_are_read_as_times_in_the_span() {
        let span = Span::new(10_000, 18_000);
        let cuts = "frame:0    pts:270000  pts_time:3\nlavfi.scene_score=1.000000\n\
                    frame:1    pts:273600  pts_time:5.04\nlavfi.scene_score=0.41\n";
        assert_eq!(parse_cuts(cuts, span), [13_000, 15_040]);
        let silences = "frame:11   pts:12443   pts_time:0.282154\nlavfi.silence_start=0\n\
                        frame:78   pts:89627   pts_time:2.03236\nlavfi.silence_end=2.04934\nlavfi.silence_duration=2.04934\n\
                        frame:154  pts:177179  pts_time:4.01766\nlavfi.silence_start=3.7359\n";
        assert_eq!(parse_silences(silences, span), [Span::new(10_000, 12_049), Span::new(13_736, 18_000)]);
        assert!(parse_cuts("garbage\nlavfi.scene_score=x\n", span).is_empty());
    }

    #[test]
    fn non_finite_and_huge_values_are_dropped_or_kept_in_the_span() {
        let span = Span::new(10_000, 18_000);
        // `f64::parse` takes these; none is a time.
        for bad in ["inf", "-inf", "nan", "NaN", "infinity"] {
            let cuts = format!("frame:0 pts:1 pts_time:{bad}\nlavfi.scene_score=0.9\n");
            assert!(parse_cuts(&cuts, span).is_empty(), "pts_time:{bad}");
            let cuts = format!("frame:0 pts:1 pts_time:2\nlavfi.scene_score={bad}\n");
            assert!(parse_cuts(&cuts, span).is_empty(), "scene_score={bad}");
            let silences = format!("lavfi.silence_start={bad}\nlavfi.silence_end=2\n");
            assert_eq!(parse_silences(&silences, span), [Span::new(10_000, 12_000)], "silence_start={bad}");
            let silences = format!("lavfi.silence_start=1\nlavfi.silence_end={bad}\n");
            assert_eq!(parse_silences(&silences, span), [Span::new(11_000, 18_000)], "silence_end={bad}");
        }
        // Finite but absurd: no overflow, and nothing outside what was looked at.
        let cuts =
            "frame:0 pts:1 pts_time:1e300\nlavfi.scene_score=0.9\nframe:1 pts:2 pts_time:-5\nlavfi.scene_score=0.9\n";
        assert_eq!(parse_cuts(cuts, span), [18_000, 10_000]);
        let silences = "lavfi.silence_start=-1e300\nlavfi.silence_end=1e300\n";
        assert_eq!(parse_silences(silences, span), [span]);
        assert_eq!(at(Span::new(i64::MAX - 5, i64::MAX), 1e300), i64::MAX);
    }

    #[test]
    fn a_score_after_a_frame_without_a_time_is_skipped() {
        let span = Span::new(10_000, 18_000);
        let cuts = "frame:0 pts:270000 pts_time:3\nlavfi.scene_score=1.0\n\
                    frame:1 pts:NOPTS pts_time:NOPTS\nlavfi.scene_score=0.8\n\
                    frame:2 pts:360000 pts_time:4\nlavfi.scene_score=0.5\n";
        assert_eq!(parse_cuts(cuts, span), [13_000, 14_000], "not the NOPTS frame at the previous one's 3 s");
        // Nor one before any frame line.
        assert!(parse_cuts("lavfi.scene_score=0.9\n", span).is_empty());
    }

    #[test]
    fn spans_are_a_window_around_each_edge_inside_what_is_held() {
        let held = Span::new(0, 100_000);
        assert_eq!(spans(20_000, 50_000, 4_000, held), [Span::new(16_000, 24_000), Span::new(46_000, 54_000)]);
        assert_eq!(spans(20_000, 26_000, 4_000, held), [Span::new(16_000, 30_000)], "they meet: one");
        assert_eq!(spans(2_000, 98_000, 4_000, held), [Span::new(0, 6_000), Span::new(94_000, 100_000)]);
    }
}
