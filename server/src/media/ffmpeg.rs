//! ffmpeg and ffprobe, run as processes: found on the PATH, killed when they overrun or when the
//! caller gives up, their errors kept short and typed.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// Why a media program did not do its job.
#[derive(Debug, thiserror::Error)]
pub enum FfmpegError {
    /// It could not be started.
    #[error("starting {program}: {source}")]
    Spawn {
        /// Which program.
        program: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// It ran longer than allowed and was killed.
    #[error("{program} overran {seconds} s and was killed")]
    Timeout {
        /// Which program.
        program: String,
        /// The limit.
        seconds: u64,
    },
    /// It ended with a failure (or was killed by a signal).
    #[error("{program} failed ({status}): {stderr}")]
    Failed {
        /// Which program.
        program: String,
        /// Its exit status.
        status: String,
        /// The end of what it printed.
        stderr: String,
    },
    /// Its output could not be read.
    #[error("unreadable probe output: {0}")]
    Output(String),
}

/// The containers a recorder sends, told apart by their first bytes in Rust: ffmpeg's own probing
/// would as readily follow an HLS playlist or a concat list sent as a segment to other files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Container {
    /// MPEG transport stream: a 0x47 sync byte every 188 bytes.
    MpegTs,
    /// MP4, fragmented or whole: it opens with an `ftyp`, `styp` or `moof` box.
    Mp4,
}

/// Size of an MPEG-TS packet.
const TS_PACKET: usize = 188;

impl Container {
    /// How many leading bytes [`Container::sniff`] looks at.
    pub const HEAD_BYTES: usize = 8 * TS_PACKET;

    /// The container `head` (a file's first bytes, up to [`Container::HEAD_BYTES`]) is in, if it
    /// is one a recorder sends.
    pub fn sniff(head: &[u8]) -> Option<Self> {
        let packets = head.len().min(Self::HEAD_BYTES) / TS_PACKET;
        if packets > 0 && (0..packets).all(|i| head[i * TS_PACKET] == 0x47) {
            return Some(Self::MpegTs);
        }
        let size = u32::from_be_bytes(head.get(..4)?.try_into().ok()?);
        // 0: the box runs to the end of the file; 1: a 64-bit size follows.
        let sized = size <= 1 || size >= 8;
        // Fragmented MP4 segments may also open with an index, event message or time reference;
        // the `mov` demuxer is forced whatever the first box, so accepting them is safe.
        let first = head.get(4..8)?;
        (sized && matches!(first, b"ftyp" | b"styp" | b"moof" | b"sidx" | b"emsg" | b"prft")).then_some(Self::Mp4)
    }

    /// The ffmpeg demuxer that reads it (`mov` reads MP4).
    pub fn demuxer(self) -> &'static str {
        match self {
            Self::MpegTs => "mpegts",
            Self::Mp4 => "mov",
        }
    }
}

/// The arguments that open `file` as one input: its demuxer forced rather than guessed, and only
/// local files readable, so no input can make ffmpeg open a URL.
pub fn input(container: Container, file: &str) -> [String; 6] {
    ["-f", container.demuxer(), "-protocol_whitelist", "file", "-i", file].map(String::from)
}

/// The media programs this process runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ffmpeg {
    /// The ffmpeg program.
    pub ffmpeg: PathBuf,
    /// The ffprobe program.
    pub ffprobe: PathBuf,
    /// A TrueType font for text drawn on frames (fontconfig's default when absent).
    pub font: Option<PathBuf>,
    /// Encoder threads per render: 1 keeps one render on one core, so a machine's cores render
    /// as many clips side by side.
    pub threads: u32,
    /// x264 preset: `veryfast` renders a 30 s clip in about a third of real time on one core.
    pub preset: String,
}

/// Fonts tried, in order, for drawn text: Debian's DejaVu first.
const FONTS: [&str; 3] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
];

/// A program of that name on the PATH.
pub(crate) fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").iter().flat_map(std::env::split_paths).map(|dir| dir.join(name)).find(|p| p.is_file())
}

impl Ffmpeg {
    /// ffmpeg and ffprobe from the PATH, if both are there.
    pub fn find() -> Option<Self> {
        Some(Self::with_programs(on_path("ffmpeg")?, on_path("ffprobe")?))
    }

    /// These two programs (a test may wrap one to inject faults).
    pub fn with_programs(ffmpeg: PathBuf, ffprobe: PathBuf) -> Self {
        let font = FONTS.iter().map(PathBuf::from).find(|p| p.is_file());
        Self { ffmpeg, ffprobe, font, threads: 1, preset: "veryfast".into() }
    }

    /// Runs `program` with `args` in `dir`, killed after `limit`.
    async fn run(&self, program: &Path, dir: &Path, args: &[String], limit: Duration) -> Result<Vec<u8>, FfmpegError> {
        run_program(program, dir, args, limit).await
    }

    /// Runs ffmpeg with `args` in `dir` (relative file names resolve there), killed after `limit`;
    /// answers what it wrote to its standard output.
    pub async fn ffmpeg(&self, dir: &Path, args: &[String], limit: Duration) -> Result<Vec<u8>, FfmpegError> {
        let mut all = vec!["-nostdin".into(), "-hide_banner".into(), "-loglevel".into(), "error".into(), "-y".into()];
        all.extend_from_slice(args);
        self.run(&self.ffmpeg, dir, &all, limit).await
    }

    /// Reads a media file's length and streams, as `container` only.
    pub async fn probe(&self, file: &Path, container: Container) -> Result<Probe, FfmpegError> {
        let args: Vec<String> = [
            "-v",
            "error",
            "-show_entries",
            "format=duration,format_name:stream=codec_type,codec_name,width,height",
            "-of",
            "json",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain(input(container, &file.display().to_string()))
        .collect();
        let dir = file.parent().unwrap_or(Path::new("."));
        let out = self.run(&self.ffprobe, dir, &args, Duration::from_secs(30)).await?;
        Probe::parse(&out)
    }
}

/// Runs a media program (ffmpeg, ffprobe, a speech recogniser) with `args` in `dir`, killed after
/// `limit`, without the server's secrets in its environment; answers its standard output.
pub(crate) async fn run_program(
    program: &Path,
    dir: &Path,
    args: &[String],
    limit: Duration,
) -> Result<Vec<u8>, FfmpegError> {
    let name = program.file_name().map_or_else(|| program.display().to_string(), |n| n.to_string_lossy().into());
    let child = tokio::process::Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        // Programs that parse untrusted media get none of the server's secrets.
        .env_remove("HIGHLIGHTS_DATABASE_URL")
        .spawn()
        .map_err(|source| FfmpegError::Spawn { program: name.clone(), source })?;
    let out = match tokio::time::timeout(limit, child.wait_with_output()).await {
        Ok(out) => out.map_err(|source| FfmpegError::Spawn { program: name.clone(), source })?,
        Err(_) => return Err(FfmpegError::Timeout { program: name, seconds: limit.as_secs() }),
    };
    if out.status.success() {
        return Ok(out.stdout);
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tail: String =
        stderr.lines().rev().take(3).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join(" | ");
    Err(FfmpegError::Failed { program: name, status: out.status.to_string(), stderr: tail.chars().take(500).collect() })
}

/// One stream of a media file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamInfo {
    /// `video` or `audio` (or another ffprobe type).
    pub kind: String,
    /// Codec, e.g. `h264`, `aac`.
    pub codec: String,
    /// Frame width for video.
    pub width: Option<u32>,
    /// Frame height for video.
    pub height: Option<u32>,
}

/// What ffprobe says of a media file.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// Container length in ms.
    pub duration_ms: i64,
    /// Container format names, e.g. `mpegts`.
    pub format: String,
    /// Its streams.
    pub streams: Vec<StreamInfo>,
}

impl Probe {
    fn parse(json: &[u8]) -> Result<Self, FfmpegError> {
        #[derive(serde::Deserialize)]
        struct Out {
            format: Option<Format>,
            #[serde(default)]
            streams: Vec<Stream>,
        }
        #[derive(serde::Deserialize)]
        struct Format {
            duration: Option<String>,
            format_name: Option<String>,
        }
        #[derive(serde::Deserialize)]
        struct Stream {
            codec_type: Option<String>,
            codec_name: Option<String>,
            width: Option<u32>,
            height: Option<u32>,
        }
        let out: Out = serde_json::from_slice(json).map_err(|e| FfmpegError::Output(e.to_string()))?;
        let format = out.format.ok_or_else(|| FfmpegError::Output("no format section".into()))?;
        let seconds: f64 = format.duration.as_deref().and_then(|d| d.parse().ok()).unwrap_or(0.0);
        Ok(Probe {
            duration_ms: (seconds * 1000.0).round() as i64,
            format: format.format_name.unwrap_or_default(),
            streams: out
                .streams
                .into_iter()
                .map(|s| StreamInfo {
                    kind: s.codec_type.unwrap_or_default(),
                    codec: s.codec_name.unwrap_or_default(),
                    width: s.width,
                    height: s.height,
                })
                .collect(),
        })
    }

    /// The first stream of a kind.
    pub fn stream(&self, kind: &str) -> Option<&StreamInfo> {
        self.streams.iter().find(|s| s.kind == kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_are_told_by_their_magic_and_nothing_else_passes() {
        let mut ts = vec![0u8; 3 * TS_PACKET + 20];
        (0..4).for_each(|i| ts[i * TS_PACKET] = 0x47);
        assert_eq!(Container::sniff(&ts), Some(Container::MpegTs));
        ts[2 * TS_PACKET] = 0;
        assert_eq!(Container::sniff(&ts), None, "a sync byte missing");
        for (size, kind) in [(24u32, b"ftyp"), (0, b"styp"), (1, b"moof")] {
            let mp4 = [&size.to_be_bytes()[..], &kind[..], b"isom\0\0\x02\0"].concat();
            assert_eq!(Container::sniff(&mp4), Some(Container::Mp4), "{size} {kind:?}");
        }
        let smuggled: [&[u8]; 6] = [
            b"#EXTM3U\n#EXTINF:4.0,\nfile:///etc/passwd\n",
            b"ffconcat version 1.0\nfile '/etc/passwd'\n",
            &b"\x47 definitely not MPEG-TS".repeat(200),
            b"\0\0\0\x04ftyp",
            b"\0\0\0\x18mdat",
            b"",
        ];
        for bytes in smuggled {
            assert_eq!(Container::sniff(bytes), None, "{:?}", String::from_utf8_lossy(&bytes[..bytes.len().min(24)]));
        }
        assert_eq!(input(Container::Mp4, "v.mp4").join(" "), "-f mov -protocol_whitelist file -i v.mp4");
    }
}
