//! A recording whose every frame says when it was shown, for tests, the demo and the render
//! benchmark: a test pattern with a burned-in frame counter (a binary stripe a test reads back
//! without OCR) and a tone, cut into segments as a recorder would. A scripted one also has the
//! seller's sentences (spoken by espeak-ng, with the captions a captioner would send), pauses and
//! scene cuts at known times, for the tests of where clips end.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::ffmpeg::{self, Container, Ffmpeg, FfmpegError};
use super::render::{HEIGHT, WIDTH};

/// Source frame width: small, so generating is cheap; vertical, like a phone's LIVE.
pub const SOURCE_WIDTH: u32 = 180;
/// Source frame height.
pub const SOURCE_HEIGHT: u32 = 320;
/// Source frame rate for frame-exact checks (the render's own rate, so frames map one to one).
pub const SOURCE_FPS: u32 = 25;
/// Bits of the frame counter: about 11.6 hours of frames at 25 fps.
pub const COUNTER_BITS: u32 = 20;
/// Horizontal distance between two bit boxes in the source.
const PITCH: u32 = 9;

/// One segment of a generated recording.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternSegment {
    /// The file.
    pub path: PathBuf,
    /// Its start from the recording's start, in ms.
    pub offset_ms: i64,
    /// Its length in ms.
    pub duration_ms: i64,
}

/// The frame counter: a black stripe with one box per bit, white when the bit is set.
fn counter() -> String {
    let mut vf = format!("drawbox=x=0:y=0:w={SOURCE_WIDTH}:h=10:color=black:t=fill");
    for k in 0..COUNTER_BITS {
        vf.push_str(&format!(
            ",drawbox=x={}:y=1:w=8:h=8:color=white:t=fill:enable='eq(mod(floor(n/{}),2),1)'",
            k * PITCH,
            1u64 << k
        ));
    }
    vf
}

/// Generates `seconds` of recording at `fps` in `dir`, cut into segments of about `segment_s`
/// seconds. The counter counts frames, so it reads as time only at [`SOURCE_FPS`]; a lower rate
/// makes long recordings cheap (the demo's). The sound is MP2: quick to encode, and renders
/// re-encode it anyway.
pub async fn generate(
    ff: &Ffmpeg,
    dir: &Path,
    seconds: u32,
    segment_s: u32,
    fps: u32,
) -> Result<Vec<PatternSegment>, FfmpegError> {
    let graph = format!("[0:v]{}[v];[1:a]anull[a]", counter());
    encode(ff, dir, seconds, segment_s, fps, Vec::new(), graph).await
}

/// Encodes the pattern (input 0 the picture, 1 the tone, then `extra` inputs) through `graph`,
/// which ends in `[v]` and `[a]`, into segments.
async fn encode(
    ff: &Ffmpeg,
    dir: &Path,
    seconds: u32,
    segment_s: u32,
    fps: u32,
    extra: Vec<String>,
    graph: String,
) -> Result<Vec<PatternSegment>, FfmpegError> {
    let mut args: Vec<String> = [
        "-f",
        "lavfi",
        "-i",
        &format!("testsrc=s={SOURCE_WIDTH}x{SOURCE_HEIGHT}:r={fps}:d={seconds}"),
        "-f",
        "lavfi",
        "-i",
        &format!("sine=frequency=440:sample_rate=44100:d={seconds}"),
    ]
    .map(String::from)
    .to_vec();
    args.extend(extra);
    args.extend(
        [
            "-filter_complex",
            &graph,
            "-map",
            "[v]",
            "-map",
            "[a]",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-crf",
            "16",
            "-pix_fmt",
            "yuv420p",
            "-force_key_frames",
            &format!("expr:gte(t,n_forced*{segment_s})"),
            "-c:a",
            "mp2",
            "-b:a",
            "128k",
            "-f",
            "segment",
            "-segment_time",
            &segment_s.to_string(),
            "-reset_timestamps",
            "1",
            "-segment_list",
            "segments.csv",
            "-segment_list_type",
            "csv",
            "seg%04d.ts",
        ]
        .map(String::from),
    );
    ff.ffmpeg(dir, &args, Duration::from_secs(60 + u64::from(seconds))).await?;
    let list =
        tokio::fs::read_to_string(dir.join("segments.csv")).await.map_err(|e| FfmpegError::Output(e.to_string()))?;
    let mut out = Vec::new();
    for line in list.lines().filter(|l| !l.trim().is_empty()) {
        let mut parts = line.split(',');
        let (Some(name), Some(start), Some(end)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(FfmpegError::Output(format!("segment list line {line:?}")));
        };
        let secs = |s: &str| s.trim().parse::<f64>().map_err(|e| FfmpegError::Output(e.to_string()));
        let (start, end) = (secs(start)?, secs(end)?);
        out.push(PatternSegment {
            path: dir.join(name),
            offset_ms: (start * 1000.0).round() as i64,
            duration_ms: ((end - start) * 1000.0).round() as i64,
        });
    }
    Ok(out)
}

/// What a scripted recording holds besides the pattern: the seller's sentences, the pauses, and
/// scene cuts, at known times (ms from the recording's start).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Script {
    /// Sentences said from these times; put them where the tone is off.
    pub sentences: Vec<(i64, String)>,
    /// Spans `(from, to)` where the tone is off: the pauses, and the sentences between them.
    pub quiet: Vec<(i64, i64)>,
    /// Times at which the picture cuts to another scene (its colours inverted, then back).
    pub cuts: Vec<i64>,
    /// Recordings of a real voice (WAV files) played from these times, with what they say:
    /// speech no synthesiser made, for recognition. Put them where the tone is off too.
    pub voices: Vec<(i64, PathBuf, String)>,
}

/// A sentence as said in a scripted recording: the caption a captioner would send for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Said {
    /// When it starts, in ms from the recording's start.
    pub at_ms: i64,
    /// How long it lasts, in ms (the speech synthesiser's whole output).
    pub duration_ms: i64,
    /// The words.
    pub text: String,
}

/// espeak-ng from the PATH, which says a scripted recording's sentences.
pub fn speaker() -> Option<PathBuf> {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("espeak-ng"))
        .find(|p| p.is_file())
}

/// Length in ms of a PCM WAV file's sound, from its `fmt ` and `data` chunks.
fn wav_ms(bytes: &[u8]) -> Option<i64> {
    if bytes.get(..4)? != b"RIFF" || bytes.get(8..12)? != b"WAVE" {
        return None;
    }
    let (mut at, mut byte_rate, mut data) = (12usize, None, None);
    while at + 8 <= bytes.len() {
        let size = u32::from_le_bytes(bytes.get(at + 4..at + 8)?.try_into().ok()?) as usize;
        let body = at + 8;
        match bytes.get(at..at + 4)? {
            b"fmt " => byte_rate = Some(u32::from_le_bytes(bytes.get(body + 8..body + 12)?.try_into().ok()?)),
            // A streaming writer may leave the size unset: the data then runs to the end.
            b"data" => data = Some(size.min(bytes.len() - body)),
            _ => {}
        }
        at = body.checked_add(size)?.checked_add(size % 2)?;
    }
    let rate = i64::from(byte_rate?).max(1);
    Some(data? as i64 * 1000 / rate)
}

/// Says `text` with `speaker` (espeak-ng) into the WAV file `name` in `dir`; answers its length
/// in ms, so a script can place sentences one after another.
pub async fn say(speaker: &Path, dir: &Path, name: &str, text: &str) -> Result<i64, FfmpegError> {
    let program = || speaker.display().to_string();
    let run = tokio::process::Command::new(speaker)
        .args(["-w", name, text])
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(30), run)
        .await
        .map_err(|_| FfmpegError::Timeout { program: program(), seconds: 30 })?
        .map_err(|source| FfmpegError::Spawn { program: program(), source })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr).chars().take(500).collect();
        return Err(FfmpegError::Failed { program: program(), status: out.status.to_string(), stderr });
    }
    let bytes = tokio::fs::read(dir.join(name)).await.map_err(|e| FfmpegError::Output(e.to_string()))?;
    wav_ms(&bytes).ok_or_else(|| FfmpegError::Output(format!("{name} is not a WAV file")))
}

/// `t` inside any of the spans (seconds), as an ffmpeg expression; `0` when there are none.
fn during(spans: &[(i64, i64)]) -> String {
    let terms: Vec<String> =
        spans.iter().map(|&(a, b)| format!("gte(t,{:.3})*lt(t,{:.3})", a as f64 / 1000.0, b as f64 / 1000.0)).collect();
    if terms.is_empty() { "0".into() } else { terms.join("+") }
}

/// Generates `seconds` of recording at [`SOURCE_FPS`] in `dir` as [`generate`] does, with the
/// script's sentences said by `speaker` (espeak-ng), its voices played, its pauses and its scene
/// cuts; answers the segments and the sentences as said (the voices' after the synthesised ones).
pub async fn generate_scripted(
    ff: &Ffmpeg,
    speaker: &Path,
    dir: &Path,
    seconds: u32,
    segment_s: u32,
    script: &Script,
) -> Result<(Vec<PatternSegment>, Vec<Said>), FfmpegError> {
    let mut said = Vec::new();
    let mut extra = Vec::new();
    let mut graph = String::new();
    for (i, (at_ms, text)) in script.sentences.iter().enumerate() {
        let name = format!("said{i}.wav");
        let duration_ms = say(speaker, dir, &name, text).await?;
        said.push(Said { at_ms: *at_ms, duration_ms, text: text.clone() });
        extra.extend(["-i".to_string(), name]);
        graph.push_str(&format!("[{}:a]aresample=44100,adelay={at_ms}:all=1[s{i}];", i + 2));
    }
    for (at_ms, file, text) in &script.voices {
        let i = said.len();
        let bytes = tokio::fs::read(file).await.map_err(|e| FfmpegError::Output(format!("{}: {e}", file.display())))?;
        let duration_ms =
            wav_ms(&bytes).ok_or_else(|| FfmpegError::Output(format!("{} is not a WAV file", file.display())))?;
        said.push(Said { at_ms: *at_ms, duration_ms, text: text.clone() });
        extra.extend(["-i".to_string(), file.display().to_string()]);
        graph.push_str(&format!("[{}:a]aresample=44100,adelay={at_ms}:all=1[s{i}];", i + 2));
    }
    // Scenes alternate: the colours inverted from the first cut to the second, and so on.
    let mut cuts = script.cuts.clone();
    cuts.sort_unstable();
    let inverted: Vec<(i64, i64)> =
        cuts.chunks(2).map(|c| (c[0], c.get(1).copied().unwrap_or(i64::from(seconds) * 1000 + 1000))).collect();
    graph.push_str(&format!("[0:v]negate=enable='{}',{}[v];", during(&inverted), counter()));
    graph.push_str(&format!("[1:a]volume=0:enable='{}'[tone];[tone]", during(&script.quiet)));
    for i in 0..said.len() {
        graph.push_str(&format!("[s{i}]"));
    }
    graph.push_str(&format!("amix=inputs={}:duration=first:normalize=0[a]", said.len() + 1));
    let segments = encode(ff, dir, seconds, segment_s, SOURCE_FPS, extra, graph).await?;
    Ok((segments, said))
}

/// One rendered frame at `at_s` seconds, as 8-bit grey, `WIDTH` x `HEIGHT`.
pub async fn grey_frame(ff: &Ffmpeg, video: &Path, at_s: f64) -> Result<Vec<u8>, FfmpegError> {
    let dir = video.parent().unwrap_or(Path::new("."));
    let mut args = vec!["-ss".to_string(), format!("{at_s:.3}")];
    args.extend(ffmpeg::input(Container::Mp4, &video.display().to_string()));
    args.extend(["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"].map(String::from));
    let frame = ff.ffmpeg(dir, &args, Duration::from_secs(30)).await?;
    if frame.len() != (WIDTH * HEIGHT) as usize {
        return Err(FfmpegError::Output(format!("a frame of {} bytes", frame.len())));
    }
    Ok(frame)
}

/// Reads the frame counter burned into a rendered frame (the source is scaled 4x into the
/// 720x1280 output, so each bit box is 32 px wide).
pub fn frame_counter(frame: &[u8]) -> u32 {
    let scale = WIDTH / SOURCE_WIDTH;
    (0..COUNTER_BITS)
        .filter(|k| {
            let (x, y) = ((k * PITCH + 4) * scale, 5 * scale);
            frame[(y * WIDTH + x) as usize] > 128
        })
        .fold(0, |n, k| n | (1 << k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wav_lengths_come_from_the_header_and_nothing_else_passes() {
        let mut wav = b"RIFF\0\0\0\0WAVEfmt \x10\0\0\0".to_vec();
        // PCM, mono, 22050 Hz, 44100 bytes a second, 2-byte frames, 16 bits.
        wav.extend([1, 0, 1, 0, 0x22, 0x56, 0, 0, 0x44, 0xAC, 0, 0, 2, 0, 16, 0]);
        wav.extend(b"data");
        wav.extend(88_200u32.to_le_bytes());
        wav.extend(vec![0u8; 88_200]);
        assert_eq!(wav_ms(&wav), Some(2_000));
        assert_eq!(wav_ms(b"RIFF\0\0\0\0WAVE"), None);
        assert_eq!(wav_ms(b"not a wav"), None);
        assert_eq!(during(&[]), "0");
        assert_eq!(during(&[(1_000, 2_500)]), "gte(t,1.000)*lt(t,2.500)");
    }
}
