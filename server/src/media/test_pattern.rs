//! A recording whose every frame says when it was shown, for tests, the demo and the render
//! benchmark: a test pattern with a burned-in frame counter (a binary stripe a test reads back
//! without OCR) and a tone, cut into segments as a recorder would.

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
    let mut vf = format!("drawbox=x=0:y=0:w={SOURCE_WIDTH}:h=10:color=black:t=fill");
    for k in 0..COUNTER_BITS {
        vf.push_str(&format!(
            ",drawbox=x={}:y=1:w=8:h=8:color=white:t=fill:enable='eq(mod(floor(n/{}),2),1)'",
            k * PITCH,
            1u64 << k
        ));
    }
    let args: Vec<String> = [
        "-f",
        "lavfi",
        "-i",
        &format!("testsrc=s={SOURCE_WIDTH}x{SOURCE_HEIGHT}:r={fps}:d={seconds}"),
        "-f",
        "lavfi",
        "-i",
        &format!("sine=frequency=440:sample_rate=44100:d={seconds}"),
        "-vf",
        &vf,
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
    .map(String::from)
    .to_vec();
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
