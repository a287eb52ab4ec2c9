//! Speech to text behind a seam: a [`Recognizer`] takes 16 kHz mono audio and answers timed
//! words. PocketSphinx (Debian's `pocketsphinx` with its US-English model) is the installed
//! default; a deployment plugs a stronger one (a Whisper server, a cloud API) by implementing the
//! trait (docs/backend.md says how, and which languages each serves).

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::time::Duration;

use super::ffmpeg::{self, Container, Ffmpeg, FfmpegError};
use crate::store::MAX_SEGMENT_MS;
use crate::subtitles::TimedWord;

/// Why a transcription failed: the clip then renders without automatic subtitles.
#[derive(Debug, thiserror::Error)]
pub enum SpeechError {
    /// The sound could not be read out of the segment, or the recogniser could not run.
    #[error(transparent)]
    Program(#[from] FfmpegError),
    /// The recogniser answered something that is not timed words.
    #[error("the recogniser's answer is unreadable: {0}")]
    Unreadable(String),
}

/// What a recognition answers, boxed so a deployment's own recogniser can be a trait object.
pub type Transcription<'a> = Pin<Box<dyn Future<Output = Result<Vec<TimedWord>, SpeechError>> + Send + 'a>>;

/// A speech recogniser: audio in, timed words out.
pub trait Recognizer: Send + Sync {
    /// Its name and language, for the log and the figures (e.g. "pocketsphinx en-US").
    fn name(&self) -> String;

    /// The words spoken in `wav` (16 kHz mono PCM WAV), timed from its start, within `limit`.
    fn transcribe<'a>(&'a self, wav: &'a Path, limit: Duration) -> Transcription<'a>;
}

/// PocketSphinx's continuous recogniser, run as a program on each file.
#[derive(Debug, Clone)]
pub struct PocketSphinx {
    program: PathBuf,
    fast: bool,
}

impl PocketSphinx {
    /// Debian's `pocketsphinx_continuous` with its US-English model, if both are installed, at
    /// its default settings (the more accurate).
    pub fn find() -> Option<Self> {
        let program = ffmpeg::on_path("pocketsphinx_continuous")?;
        // The model the program loads by default (Debian's pocketsphinx-en-us).
        Path::new("/usr/share/pocketsphinx/model/en-us/en-us").is_dir().then_some(Self { program, fast: false })
    }

    /// This recogniser at CMU's documented speed settings (fewer frames, Gaussians, HMMs and
    /// words searched), taken as published rather than tuned here: about half the time, more
    /// words wrong (docs/figures.md has both).
    pub fn fast(self) -> Self {
        Self { fast: true, ..self }
    }
}

impl Recognizer for PocketSphinx {
    fn name(&self) -> String {
        if self.fast { "pocketsphinx en-US, fast settings".into() } else { "pocketsphinx en-US".into() }
    }

    fn transcribe<'a>(&'a self, wav: &'a Path, limit: Duration) -> Transcription<'a> {
        Box::pin(async move {
            let dir = wav.parent().unwrap_or(Path::new("."));
            let file = wav.display().to_string();
            let mut args: Vec<String> =
                ["-infile", &file, "-time", "yes", "-logfn", "/dev/null"].iter().map(|s| s.to_string()).collect();
            if self.fast {
                let speed = ["-ds", "2", "-topn", "2", "-pl_window", "5", "-maxhmmpf", "3000", "-maxwpf", "5"];
                args.extend(speed.iter().map(|s| s.to_string()));
            }
            let out = ffmpeg::run_program(&self.program, dir, &args, limit).await?;
            parse_pocketsphinx(&String::from_utf8_lossy(&out))
        })
    }
}

/// The words of `pocketsphinx_continuous -time yes`: one `word start end confidence` line per
/// word (seconds), between the hypothesis lines; silences, fillers and sentence marks are not words.
pub fn parse_pocketsphinx(out: &str) -> Result<Vec<TimedWord>, SpeechError> {
    let mut words = Vec::new();
    for line in out.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [word, start, end, confidence] = fields[..] else { continue };
        let (Ok(start), Ok(end), Ok(_)) = (start.parse::<f64>(), end.parse::<f64>(), confidence.parse::<f64>()) else {
            continue;
        };
        if !(start.is_finite() && end.is_finite() && 0.0 <= start && start <= end) {
            return Err(SpeechError::Unreadable(format!("a word timed {start} to {end}")));
        }
        if word.starts_with('<') || word.starts_with('[') || word.starts_with("++") {
            continue;
        }
        // Alternative pronunciations are numbered: "the(2)" is "the".
        let text = word.split('(').next().unwrap_or(word);
        words.push(TimedWord {
            text: text.to_string(),
            start_ms: (start * 1000.0).round() as i64,
            end_ms: (end * 1000.0).round() as i64,
        });
    }
    Ok(words)
}

/// The words spoken in one recording segment (`file`, read as `container`), timed in stream time
/// from `start_ms`: its sound as 16 kHz mono into `dir`, then `recognizer` within `limit`. A
/// segment without sound has no words.
pub async fn transcribe_segment(
    ff: &Ffmpeg,
    recognizer: &dyn Recognizer,
    dir: &Path,
    file: &Path,
    container: Container,
    start_ms: i64,
    limit: Duration,
) -> Result<Vec<TimedWord>, SpeechError> {
    if ff.probe(file, container).await?.stream("audio").is_none() {
        return Ok(Vec::new());
    }
    let wav = dir.join("speech.wav");
    let mut args: Vec<String> = ffmpeg::input(container, &file.display().to_string()).into();
    args.extend(["-vn", "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", "-f", "wav"].map(String::from));
    args.push(wav.display().to_string());
    ff.ffmpeg(dir, &args, limit).await?;
    // Bounded here too: a deployment's own recogniser may not bound itself, and a hung one would
    // hold its worker (and every LIVE's words behind it) forever.
    let words = tokio::time::timeout(limit, recognizer.transcribe(&wav, limit))
        .await
        .map_err(|_| FfmpegError::Timeout { program: recognizer.name(), seconds: limit.as_secs() })??;
    // A recogniser's times are trusted no further than the segment's sound (at most 30 s).
    let within = |ms: i64| start_ms.saturating_add(ms.clamp(0, MAX_SEGMENT_MS));
    Ok(words.into_iter().map(|w| TimedWord { start_ms: within(w.start_ms), end_ms: within(w.end_ms), ..w }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pocketsphinx_words_are_read_with_their_times_and_its_marks_are_not_words() {
        let out = "the tata on our\n<s> 0.000 1.200 0.999700\nthe(2) 1.210 1.350 0.457494\n<sil> 1.360 2.410 0.9999\n\
                   [NOISE] 2.5 2.6 0.5\ntata 2.420 2.970 0.051204\n</s> 3.920 4.200 1.000000\n";
        let words = parse_pocketsphinx(out).unwrap();
        assert_eq!(
            words,
            vec![
                TimedWord { text: "the".into(), start_ms: 1210, end_ms: 1350 },
                TimedWord { text: "tata".into(), start_ms: 2420, end_ms: 2970 },
            ]
        );
        assert!(parse_pocketsphinx("word 2.0 1.0 0.5\n").is_err(), "an end before its start is refused");
        assert!(parse_pocketsphinx("").unwrap().is_empty());
    }
}
