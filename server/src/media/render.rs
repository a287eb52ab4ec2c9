//! Cutting and formatting one clip: which segments cover it, the ffmpeg filter graph for the
//! seller's format (subtitles, arrow to the LIVE button, CLICK NOW end card, music), and checks
//! that what came out is what was asked for.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::ffmpeg::{self, Container, Ffmpeg, FfmpegError};
use super::music;
use crate::store::{CaptionLine, JOIN_TOLERANCE_MS, RenderTask, SegmentRef};

/// Output frame width: vertical 9:16.
pub const WIDTH: u32 = 720;
/// Output frame height.
pub const HEIGHT: u32 = 1280;
/// Output frame rate.
pub const FPS: u32 = 25;
/// Length of the CLICK NOW end card.
pub const END_CARD_MS: i64 = 2_000;
/// Rendered length may differ from the asked one by this much (audio frames, rounding).
pub const LENGTH_TOLERANCE_MS_MS: i64 = 100;

/// Why a clip could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The recording has a hole in the clip (perhaps not sent yet).
    #[error("recording missing from {from_ms} to {to_ms}")]
    Missing {
        /// Start of the hole (epoch ms).
        from_ms: i64,
        /// End of the hole (epoch ms).
        to_ms: i64,
    },
    /// A segment in the clip could not be read when it arrived.
    #[error("recording segment at {start_ms} is unreadable")]
    Unreadable {
        /// The segment's start (epoch ms).
        start_ms: i64,
    },
    /// ffmpeg failed, overran or was killed.
    #[error(transparent)]
    Ffmpeg(#[from] FfmpegError),
    /// A segment file handed in is not one this render may read.
    #[error("render input: {0}")]
    Input(String),
    /// ffmpeg said it succeeded but the file is not the clip asked for.
    #[error("rendered file rejected: {0}")]
    Output(String),
    /// Local scratch files could not be written.
    #[error("scratch files: {0}")]
    Scratch(#[from] std::io::Error),
}

/// The segments of a clip, checked to cover it without holes or unreadable parts.
pub fn covering(task: &RenderTask) -> Result<Vec<SegmentRef>, RenderError> {
    // A hole where an unreadable segment sits is reported as that segment: the recorder can
    // re-send it.
    let hole = |from_ms: i64, to_ms: i64| match task
        .segments
        .iter()
        .find(|s| !s.readable && s.start_ms >= from_ms - JOIN_TOLERANCE_MS && s.start_ms < to_ms)
    {
        Some(s) => RenderError::Unreadable { start_ms: s.start_ms },
        None => RenderError::Missing { from_ms, to_ms },
    };
    let mut used = Vec::new();
    let mut reached = task.start_ms;
    for s in task.segments.iter().filter(|s| s.readable) {
        if s.start_ms + s.duration_ms <= reached {
            continue;
        }
        if s.start_ms > reached + JOIN_TOLERANCE_MS {
            return Err(hole(reached, s.start_ms.min(task.end_ms)));
        }
        used.push(s.clone());
        reached = s.start_ms + s.duration_ms;
        if reached + JOIN_TOLERANCE_MS >= task.end_ms {
            return Ok(used);
        }
    }
    Err(hole(reached, task.end_ms))
}

/// The readable segments that hold `[start_ms, end_ms)` and, without a hole, as much of
/// `[from_ms, to_ms)` around it as the recorder has sent, with the span they hold there (never
/// less than the clip): where a clip's edges may move. `None` when the clip itself is not held.
pub fn held(
    segments: &[SegmentRef],
    start_ms: i64,
    end_ms: i64,
    from_ms: i64,
    to_ms: i64,
) -> Option<(i64, i64, Vec<SegmentRef>)> {
    let mut chain: Vec<&SegmentRef> = Vec::new();
    let mut reached = i64::MIN;
    let mut readable = segments.iter().filter(|s| s.readable).peekable();
    while let Some(s) = readable.next() {
        if chain.is_empty() || s.start_ms > reached + JOIN_TOLERANCE_MS {
            chain.clear();
        }
        chain.push(s);
        reached = reached.max(s.start_ms + s.duration_ms);
        let chain_from = chain[0].start_ms;
        let continues = readable.peek().is_some_and(|n| n.start_ms <= reached + JOIN_TOLERANCE_MS);
        if continues {
            continue;
        }
        if chain_from <= start_ms + JOIN_TOLERANCE_MS && reached + JOIN_TOLERANCE_MS >= end_ms {
            let used = chain
                .iter()
                .filter(|s| s.start_ms < to_ms && s.start_ms + s.duration_ms > from_ms)
                .map(|s| (*s).clone());
            return Some((chain_from.max(from_ms).min(start_ms), reached.min(to_ms).max(end_ms), used.collect()));
        }
        reached = i64::MIN;
    }
    None
}

fn srt_time(ms: i64) -> String {
    let ms = ms.max(0);
    format!("{:02}:{:02}:{:02},{:03}", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
}

/// Subtitles of the captions in a clip, timed from its start. Markup characters are dropped so a
/// caption cannot restyle or move the subtitle; a cue keeps at most its first line break (the
/// recogniser's cues come as two lines), other control characters become spaces.
pub fn srt(captions: &[CaptionLine], start_ms: i64, length_ms: i64) -> String {
    let mut out = String::new();
    let mut n = 0;
    for c in captions {
        let from = (c.at_ms - start_ms).max(0);
        let to = (c.at_ms + c.duration_ms - start_ms).min(length_ms);
        let clean = |s: &str| -> String {
            s.chars()
                .filter(|ch| !matches!(ch, '{' | '}' | '<' | '>' | '\\'))
                .map(|ch| if ch.is_control() { ' ' } else { ch })
                .collect::<String>()
                .trim()
                .to_string()
        };
        let (first, rest) = c.text.split_once('\n').unwrap_or((&c.text, ""));
        let lines: Vec<String> = [clean(first), clean(rest)].into_iter().filter(|l| !l.is_empty()).collect();
        if to <= from || lines.is_empty() {
            continue;
        }
        n += 1;
        let _ = write!(out, "{n}\n{} --> {}\n{}\n\n", srt_time(from), srt_time(to), lines.join("\n"));
    }
    out
}

/// A local copy of one segment, in the render's scratch directory.
#[derive(Debug, Clone)]
pub struct SegmentFile {
    /// The file: a plain name (letters, digits, `.`, `_`, `-`) directly in the scratch directory,
    /// which ffmpeg's concat demuxer accepts in its safe mode.
    pub path: PathBuf,
    /// Its stream-time start and length.
    pub segment: SegmentRef,
    /// What its bytes are.
    pub container: Container,
}

/// Everything one render needs besides the task: local copies of the segments, in order.
pub struct Inputs {
    /// Local segment files with their stream-time starts and lengths.
    pub segments: Vec<SegmentFile>,
    /// Whether the recording carries sound (silence is used otherwise).
    pub has_audio: bool,
}

/// A rendered clip in the scratch directory.
pub struct Rendered {
    /// The MP4.
    pub video: PathBuf,
    /// The JPEG thumbnail.
    pub thumbnail: PathBuf,
    /// Its length, end card included.
    pub duration_ms: i64,
    /// The subtitle cues burned into it (SRT), when it has any: kept beside the video, for
    /// players that show subtitles themselves and to check what was burned in.
    pub subtitles: Option<PathBuf>,
}

/// Seconds with millisecond precision, as ffmpeg takes them.
pub(crate) fn seconds(ms: i64) -> String {
    format!("{:.3}", ms as f64 / 1000.0)
}

/// The options every drawn text starts with: the font, and `expansion=none` so that a product
/// name's `%{...}` is drawn as written, never run.
fn text_options(ff: &Ffmpeg) -> String {
    let font = ff.font.as_ref().map(|f| format!("fontfile={}:", f.display())).unwrap_or_default();
    format!("{font}expansion=none:")
}

/// The concat list of the segments, by plain name; a name safe mode would refuse is not ours.
pub(crate) fn concat_list(segments: &[SegmentFile], dir: &Path) -> Result<String, RenderError> {
    let mut list = String::from("ffconcat version 1.0\n");
    for f in segments {
        let name = f.path.file_name().and_then(|n| n.to_str()).filter(|n| {
            !n.starts_with('.') && n.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        });
        let (Some(name), Some(true)) = (name, f.path.parent().map(|p| p == dir)) else {
            return Err(RenderError::Input(format!(
                "{} is not a plain name in the scratch directory",
                f.path.display()
            )));
        };
        let _ = write!(list, "file '{name}'\nduration {}\n", seconds(f.segment.duration_ms));
    }
    Ok(list)
}

/// Writes the render's text files (the concat list, subtitles, drawn texts) off the async threads.
pub(crate) async fn write_files(dir: &Path, files: Vec<(&'static str, String)>) -> Result<(), RenderError> {
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || files.iter().try_for_each(|(name, text)| std::fs::write(dir.join(name), text)))
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))??;
    Ok(())
}

/// Renders the clip of `task` into `dir`: cut, vertical, formatted, H.264 + AAC, faststart, and a
/// thumbnail at the peak; then checks the file.
pub async fn render(ff: &Ffmpeg, task: &RenderTask, inputs: &Inputs, dir: &Path) -> Result<Rendered, RenderError> {
    let first = inputs.segments.first().ok_or(RenderError::Missing { from_ms: task.start_ms, to_ms: task.end_ms })?;
    let clip_ms = task.end_ms - task.start_ms;
    let mut files = vec![("list.ffconcat", concat_list(&inputs.segments, dir)?)];

    let f = task.format;
    let text = text_options(ff);
    let offset = seconds(task.start_ms - first.segment.start_ms);
    let clip = seconds(clip_ms);
    // The segments open with the demuxers of their containers only (the concat demuxer passes
    // both lists on to each file it opens), in safe mode: plain names in this directory.
    let mut demuxers = vec!["concat"];
    for s in &inputs.segments {
        if !demuxers.contains(&s.container.demuxer()) {
            demuxers.push(s.container.demuxer());
        }
    }
    let mut args: Vec<String> = ["-f", "concat", "-protocol_whitelist", "file", "-format_whitelist"]
        .map(String::from)
        .into_iter()
        .chain([demuxers.join(","), "-i".into(), "list.ffconcat".into()])
        .collect();
    let lavfi = |args: &mut Vec<String>, graph: String| {
        args.extend(["-f".into(), "lavfi".into(), "-i".into(), graph]);
    };
    let mut next_input = 1;
    let silence = (!inputs.has_audio).then(|| {
        lavfi(&mut args, "anullsrc=r=44100:cl=stereo".into());
        next_input += 1;
        next_input - 1
    });
    let music = f.background_music.then(|| {
        let track = music::track_for(&task.highlight_id);
        lavfi(&mut args, format!("aevalsrc=exprs={}:s=44100:d={clip}", track.expr));
        next_input += 1;
        next_input - 1
    });
    let card = f.click_now_end_card.then(|| {
        lavfi(&mut args, format!("color=c=0x141414:s={WIDTH}x{HEIGHT}:r={FPS}:d={}", seconds(END_CARD_MS)));
        lavfi(&mut args, "anullsrc=r=44100:cl=stereo".into());
        next_input += 2;
        next_input - 2
    });

    let mut graph = format!(
        "[0:v]trim=start={offset}:duration={clip},setpts=PTS-STARTPTS,fps={FPS},\
         scale={WIDTH}:{HEIGHT}:force_original_aspect_ratio=decrease,pad={WIDTH}:{HEIGHT}:(ow-iw)/2:(oh-ih)/2:color=black,\
         setsar=1,format=yuv420p"
    );
    if f.auto_subtitles {
        let subs = srt(&task.captions, task.start_ms, clip_ms);
        if !subs.is_empty() {
            graph.push_str(
                ",subtitles=subs.srt:force_style='Fontname=DejaVu Sans,Fontsize=16,Bold=1,Outline=2,MarginV=50'",
            );
        }
        files.push(("subs.srt", subs));
    }
    if f.arrow_to_live && task.live_on {
        files.push(("live.txt", "LIVE".into()));
        files.push(("arrow.txt", "\u{25C0} Tap to join".into()));
        let _ = write!(
            graph,
            ",drawbox=x=24:y=96:w=150:h=64:color=0xE53935@1:t=fill,\
             drawtext={text}textfile=live.txt:x=47:y=106:fontsize=40:fontcolor=white,\
             drawtext={text}textfile=arrow.txt:x=190:y=104:fontsize=42:fontcolor=white:box=1:boxcolor=black@0.55:boxborderw=8"
        );
    }
    graph.push_str("[vclip];");
    let audio = match silence {
        Some(i) => format!("[{i}:a]"),
        None => "[0:a]".into(),
    };
    let _ = write!(
        graph,
        "{audio}atrim=start={},asetpts=PTS-STARTPTS,aresample=44100,aformat=sample_fmts=fltp:channel_layouts=stereo,\
         apad,atrim=end={clip}",
        if silence.is_some() { "0".to_string() } else { offset.clone() }
    );
    match music {
        Some(i) => {
            let _ = write!(
                graph,
                "[live];[{i}:a]aformat=sample_fmts=fltp:channel_layouts=stereo,volume=0.35[music];\
                 [live][music]amix=inputs=2:duration=first:normalize=0[aclip];"
            );
        }
        None => graph.push_str("[aclip];"),
    }
    match card {
        Some(i) => {
            let product = task.product_name.clone().unwrap_or_default();
            files.push(("card.txt", "CLICK NOW".into()));
            files.push(("product.txt", product.chars().take(40).collect()));
            let _ = write!(
                graph,
                "[{i}:v]drawtext={text}textfile=card.txt:fontsize=110:fontcolor=white:x=(w-text_w)/2:y=h*0.38,\
                 drawtext={text}textfile=product.txt:fontsize=52:fontcolor=0xFFD54F:x=(w-text_w)/2:y=h*0.38+160,\
                 setsar=1,format=yuv420p[vcard];\
                 [{a}:a]atrim=duration={card},asetpts=PTS-STARTPTS,aformat=sample_fmts=fltp:channel_layouts=stereo[acard];\
                 [vclip][aclip][vcard][acard]concat=n=2:v=1:a=1[v][a]",
                a = i + 1,
                card = seconds(END_CARD_MS)
            );
        }
        None => graph.push_str("[vclip]null[v];[aclip]anull[a]"),
    }
    let threads = ff.threads.max(1).to_string();
    args.extend(
        [
            "-filter_complex_threads",
            &threads,
            "-filter_complex",
            &graph,
            "-map",
            "[v]",
            "-map",
            "[a]",
            "-c:v",
            "libx264",
            "-preset",
            &ff.preset,
            "-crf",
            "23",
            "-pix_fmt",
            "yuv420p",
            "-r",
            "25",
            "-g",
            "50",
            "-threads",
            &threads,
            "-c:a",
            "aac",
            "-b:a",
            "128k",
            "-ar",
            "44100",
            "-movflags",
            "+faststart",
            "-f",
            "mp4",
            "video.mp4",
        ]
        .map(String::from),
    );
    let subtitles =
        files.iter().any(|(name, text)| *name == "subs.srt" && !text.is_empty()).then(|| dir.join("subs.srt"));
    write_files(dir, files).await?;
    let expected_ms = clip_ms + if card.is_some() { END_CARD_MS } else { 0 };
    let limit = Duration::from_secs(60) + Duration::from_millis(4 * expected_ms as u64);
    ff.ffmpeg(dir, &args, limit).await?;

    let thumb_at = seconds((task.peak_ms - task.start_ms).clamp(0, clip_ms - 1));
    let mut thumb = vec!["-ss".to_string(), thumb_at];
    thumb.extend(ffmpeg::input(Container::Mp4, "video.mp4"));
    thumb.extend(["-frames:v", "1", "-q:v", "4", "-f", "image2", "thumbnail.jpg"].map(String::from));
    ff.ffmpeg(dir, &thumb, Duration::from_secs(30)).await?;

    let video = dir.join("video.mp4");
    let probe = ff.probe(&video, Container::Mp4).await?;
    let v = probe.stream("video").ok_or_else(|| RenderError::Output("no video stream".into()))?;
    if v.codec != "h264" || v.width != Some(WIDTH) || v.height != Some(HEIGHT) {
        return Err(RenderError::Output(format!("video is {} {:?}x{:?}", v.codec, v.width, v.height)));
    }
    if probe.stream("audio").map(|a| a.codec.as_str()) != Some("aac") {
        return Err(RenderError::Output("no AAC audio stream".into()));
    }
    if (probe.duration_ms - expected_ms).abs() > LENGTH_TOLERANCE_MS_MS {
        return Err(RenderError::Output(format!("{} ms long, {expected_ms} ms asked", probe.duration_ms)));
    }
    Ok(Rendered { video, thumbnail: dir.join("thumbnail.jpg"), duration_ms: probe.duration_ms, subtitles })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(start_ms: i64, duration_ms: i64, readable: bool) -> SegmentRef {
        SegmentRef { start_ms, duration_ms, media_key: format!("k{start_ms}"), readable }
    }

    fn task(segments: Vec<SegmentRef>) -> RenderTask {
        RenderTask {
            highlight_id: "h".into(),
            live_id: "l".into(),
            start_ms: 5_000,
            end_ms: 15_000,
            peak_ms: 9_000,
            product_name: None,
            format: Default::default(),
            live_on: false,
            attempt: 1,
            segments,
            captions: Vec::new(),
            snap: true,
            min_ms: 10_000,
            max_ms: 60_000,
            claimable_since_ms: 0,
            output: "videos/bench-0".into(),
        }
    }

    #[test]
    fn covering_finds_holes_and_unreadable_parts() {
        let whole =
            task(vec![seg(0, 4_000, true), seg(4_000, 4_000, true), seg(8_000, 4_000, true), seg(12_000, 4_000, true)]);
        assert_eq!(covering(&whole).unwrap().len(), 3, "the first segment ends before the clip starts");
        let hole = task(vec![seg(4_000, 4_000, true), seg(12_000, 4_000, true)]);
        assert!(matches!(covering(&hole), Err(RenderError::Missing { from_ms: 8_000, to_ms: 12_000 })));
        let short = task(vec![seg(4_000, 4_000, true), seg(8_000, 4_000, true)]);
        assert!(matches!(covering(&short), Err(RenderError::Missing { from_ms: 12_000, to_ms: 15_000 })));
        let bad = task(vec![seg(4_000, 4_000, true), seg(8_000, 0, false), seg(12_000, 4_000, true)]);
        assert!(matches!(covering(&bad), Err(RenderError::Unreadable { start_ms: 8_000 })));
    }

    #[test]
    fn held_reaches_around_the_clip_up_to_a_hole() {
        let segs = vec![
            seg(0, 4_000, true),
            seg(6_000, 4_000, true),
            seg(10_000, 4_000, true),
            seg(14_000, 4_000, false),
            seg(18_000, 4_000, true),
        ];
        let (from, to, used) = held(&segs, 7_000, 12_000, 3_000, 16_000).unwrap();
        assert_eq!((from, to), (6_000, 14_000), "a hole before, an unreadable segment after");
        assert_eq!(used.iter().map(|s| s.start_ms).collect::<Vec<_>>(), [6_000, 10_000]);
        let (from, to, used) = held(&segs, 7_000, 12_000, 6_500, 11_000).unwrap();
        assert_eq!((from, to, used.len()), (6_500, 12_000, 2), "never less than the clip");
        assert!(held(&segs, 2_000, 8_000, 0, 10_000).is_none(), "the clip itself has a hole");
        assert_eq!(held(&segs, 18_500, 21_000, 15_000, 30_000).map(|h| (h.0, h.1)), Some((18_000, 22_000)));
    }

    #[test]
    fn subtitles_are_timed_from_the_clip_and_cannot_carry_markup() {
        let captions = vec![
            CaptionLine { at_ms: 4_000, duration_ms: 2_000, text: "starts before".into() },
            CaptionLine { at_ms: 7_500, duration_ms: 1_500, text: "{\\an8}<b>only\ntoday</b>".into() },
            CaptionLine { at_ms: 14_000, duration_ms: 5_000, text: "runs past the end".into() },
        ];
        let s = srt(&captions, 5_000, 10_000);
        assert_eq!(
            s,
            "1\n00:00:00,000 --> 00:00:01,000\nstarts before\n\n\
             2\n00:00:02,500 --> 00:00:04,000\nan8bonly\ntoday/b\n\n\
             3\n00:00:09,000 --> 00:00:10,000\nruns past the end\n\n"
        );
        // Two lines at most, and never a blank line that would end the cue and start a forged one.
        let forged =
            [CaptionLine { at_ms: 5_000, duration_ms: 1_000, text: "a\n\n9\n00:00:00,000 --> 00:00:09,000\nb".into() }];
        assert_eq!(
            srt(&forged, 5_000, 10_000),
            "1\n00:00:00,000 --> 00:00:01,000\na\n9 00:00:00,000 -- 00:00:09,000 b\n\n"
        );
    }
}
