//! Subtitles nobody typed: a LIVE without platform captions gets them from its own sound. A real
//! human voice (pocketsphinx-testdata's LibriVox readings, with their known text) is played in a
//! generated recording; the speech worker turns each received segment into words; a clip in the
//! automatic-subtitles format burns in cues carrying those words, in two short lines, while the
//! voice speaks and not after. A recogniser that fails or is slow never holds a video up: the clip
//! renders without those subtitles and its detail says so. And the figure: word error rate per
//! condition and real-time factor.

mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::TestServer;
use common::clips::{SELLER_SAYS, TestClock, chat, diff, go_live_in, moment, render_all, send, server_options};
use highlights_api::{VideoState, paths};
use highlights_server::media::snap::Snapping;
use highlights_server::media::speech::{Recognizer, Transcription};
use highlights_server::media::test_pattern::{self, Script};
use highlights_server::media::worker::subtitles_key;
use highlights_server::media::{Ffmpeg, PocketSphinx, RenderWorker, SpeechWorker};
use highlights_server::serve::{ServeOptions, Speech};
use highlights_server::store::SpeechOutcome;
use highlights_server::subtitles::{LINE_CHARS, TimedWord};

const SEGMENT_S: u32 = 4;
/// pocketsphinx-testdata's readings of a LibriVox book, with their transcription.
const LIBRIVOX: &str = "/usr/share/pocketsphinx/test/data/librivox";

/// A recording of speech and what it says.
type Reading = (PathBuf, String);

/// The human readings and what each says.
fn voices() -> Vec<Reading> {
    let Ok(text) = std::fs::read_to_string(format!("{LIBRIVOX}/transcription")) else { return Vec::new() };
    text.lines()
        .filter_map(|l| {
            let (said, id) = l.rsplit_once(" (")?;
            let words = said.trim_start_matches("<s>").trim_end_matches("</s>").trim().to_string();
            Some((PathBuf::from(format!("{LIBRIVOX}/{}.wav", id.trim_end_matches(')'))), words))
        })
        .collect()
}

/// ffmpeg, PocketSphinx and the human readings, or one clear line and `None` outside CI (CI
/// installs all three).
fn tools() -> Option<(Ffmpeg, PocketSphinx, Vec<Reading>)> {
    let in_ci = std::env::var_os("CI").is_some();
    let found = (Ffmpeg::find(), PocketSphinx::find(), voices());
    match found {
        (Some(ff), Some(ps), v) if v.len() >= 4 => Some((ff, ps, v)),
        _ => {
            assert!(
                !in_ci,
                "ffmpeg, pocketsphinx, pocketsphinx-en-us and pocketsphinx-testdata must be installed in CI"
            );
            eprintln!(
                "SKIPPED speech suite: needs ffmpeg, pocketsphinx, pocketsphinx-en-us and pocketsphinx-testdata (apt-get install …)"
            );
            None
        }
    }
}

/// Lower-case words without punctuation.
fn words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| w.chars().filter(|c| c.is_alphanumeric() || *c == '\'').collect::<String>().to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Word error rate of `heard` against `said`: edits (substitutions, insertions, deletions) over
/// the words said, by Levenshtein distance over words.
fn wer(said: &[String], heard: &[String]) -> (usize, usize) {
    let mut row: Vec<usize> = (0..=heard.len()).collect();
    for (i, s) in said.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, h) in heard.iter().enumerate() {
            let cost = if s == h { prev } else { prev + 1 };
            prev = row[j + 1];
            row[j + 1] = cost.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    (row[heard.len()], said.len())
}

/// A server recognising with `recognizer`, whose workers the test drives.
fn options(ff: &Ffmpeg, recognizer: Arc<dyn Recognizer>) -> ServeOptions {
    ServeOptions { speech: Speech::With(recognizer), speech_workers: 0, ..server_options(Some(ff)) }
}

/// Transcribes every queued segment; answers the words heard in all, and how many claims it took.
async fn transcribe_all(s: &TestServer, ff: &Ffmpeg) -> (usize, usize) {
    let recognizer = s.server.state.speech.clone().expect("speech on");
    let listener = SpeechWorker::new(
        s.store(),
        s.server.state.media.clone(),
        ff.clone(),
        recognizer,
        s.dir.path().join("scratch"),
    );
    let (mut words, mut claims) = (0, 0);
    while let Some(n) = listener.transcribe_next().await.unwrap() {
        words += n;
        claims += 1;
        assert!(claims < 200, "a transcription due again at once");
    }
    (words, claims)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lives_own_voice_becomes_two_line_subtitles_that_say_its_words_while_it_speaks() {
    let Some((ff, ps, voices)) = tools() else { return };
    let work = tempfile::tempdir().unwrap();
    // A reading from 6 s, another from 16 s; the tone off from 5 to 25 s.
    let (first, second) = (&voices[0], &voices[3]);
    let script = Script {
        quiet: vec![(5_000, 25_000)],
        voices: vec![(6_000, first.0.clone(), first.1.clone()), (16_000, second.0.clone(), second.1.clone())],
        ..Script::default()
    };
    let speaker = test_pattern::speaker().unwrap_or_else(|| PathBuf::from("espeak-ng"));
    let (segments, said) =
        test_pattern::generate_scripted(&ff, &speaker, work.path(), 32, SEGMENT_S, &script).await.unwrap();
    let s = TestServer::start_with(options(&ff, Arc::new(ps))).await;
    // The same recording in two LIVEs without a caption from the platform: one seller's videos
    // in the automatic-subtitles format, the other's without.
    let subtitled = go_live_in(&s, "voice-subs", &[], "auto_subtitles").await;
    let plain = go_live_in(&s, "voice-plain", &[], "control").await;
    for live in [&subtitled, &plain] {
        send(&s, live, &segments).await;
    }
    let (heard, claims) = transcribe_all(&s, &ff).await;
    assert_eq!(claims, 2 * segments.len(), "every segment of both LIVEs heard once");
    assert!(heard >= 20, "the readings were heard: {heard} words");

    // What a render reads as captions: cues of the voice's words, two lines of at most 42.
    let start = subtitled.started_at_ms;
    let material = s.store().render_material(subtitled.live_id.clone(), start, start + 32_000).await.unwrap();
    assert!(!material.captions.is_empty() && material.speech_pending == 0 && material.speech_failed == 0);
    for c in &material.captions {
        let lines: Vec<&str> = c.text.split('\n').collect();
        assert!(lines.len() <= 2 && lines.iter().all(|l| l.chars().count() <= LINE_CHARS), "{c:?}");
        let (from, to) = (c.at_ms - start, c.at_ms + c.duration_ms - start);
        assert!(
            said.iter().any(|v| from < v.at_ms + v.duration_ms + 1_000 && v.at_ms - 500 < to),
            "a cue while nobody speaks: {c:?}"
        );
    }

    // A clip over the first reading, in both formats.
    let mut ids = Vec::new();
    for live in [&subtitled, &plain] {
        ids.push(moment(&s, live, 5_000, 15_000, 10_000).await);
    }
    for live in [&subtitled, &plain] {
        chat(&s, live, 32_000).await;
    }
    let w = RenderWorker::new(s.store(), s.server.state.media.clone(), ff.clone(), s.dir.path().join("scratch"))
        .with_snapping(Snapping { window: Duration::from_secs(0), wait: Duration::from_secs(0) })
        .with_speech(true);
    assert_eq!(render_all(&w).await, vec![VideoState::Ready; 2]);

    // The cue file the render burned in carries the reading's words.
    let cues = work.path().join("cues.srt");
    let mut video_keys = Vec::new();
    for (id, live) in ids.iter().zip([&subtitled, &plain]) {
        video_keys.push(s.store().media(id.clone(), Some(live.seller.clone())).await.unwrap().video_key);
    }
    s.server.state.media.fetch(&subtitles_key(&video_keys[0]), &cues).unwrap();
    let cues = std::fs::read_to_string(&cues).unwrap();
    let shown = words(&cues.lines().filter(|l| l.chars().any(char::is_alphabetic)).collect::<Vec<_>>().join(" "));
    let spoken = words(&first.1);
    // In order, as said: PocketSphinx gets about a third of a reading's words wrong (docs/figures.md).
    let (edits, n) = wer(&spoken, &shown);
    assert!(
        edits * 2 <= n,
        "the cues carry the words said: {edits} edits for {n} words, {spoken:?} shown as {shown:?}"
    );
    assert!(
        s.server.state.media.fetch(&subtitles_key(&video_keys[1]), &work.path().join("none.srt")).is_err(),
        "no cues without the format"
    );

    // The burned-in band differs from the plain video while the voice speaks, not in the pause.
    let (a, b) = (work.path().join("a.mp4"), work.path().join("b.mp4"));
    for (key, file) in video_keys.iter().zip([&a, &b]) {
        s.server.state.media.fetch(key, file).unwrap();
    }
    let speaking = (said[0].at_ms + 2_000 - 5_000) as f64 / 1000.0;
    let band = |f: &Vec<u8>, g: &Vec<u8>| diff(f, g, 960..1280);
    let (sa, sb) = (
        test_pattern::grey_frame(&ff, &a, speaking).await.unwrap(),
        test_pattern::grey_frame(&ff, &b, speaking).await.unwrap(),
    );
    assert!(band(&sa, &sb) > 2.0, "subtitles while the voice speaks: {}", band(&sa, &sb));
    assert!(diff(&sa, &sb, 0..640) < 1.5, "only the band differs");
    let silent = 0.3;
    let (qa, qb) = (
        test_pattern::grey_frame(&ff, &a, silent).await.unwrap(),
        test_pattern::grey_frame(&ff, &b, silent).await.unwrap(),
    );
    assert!(band(&qa, &qb) < 1.5, "no subtitle before the voice: {}", band(&qa, &qb));
}

/// A recogniser that always fails.
struct Broken;

impl Recognizer for Broken {
    fn name(&self) -> String {
        "broken".into()
    }

    fn transcribe<'a>(&'a self, _wav: &'a std::path::Path, _limit: Duration) -> Transcription<'a> {
        Box::pin(async { Err(highlights_server::media::speech::SpeechError::Unreadable("no model".into())) })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_or_late_recognition_never_holds_a_video_and_its_detail_says_so() {
    let Some(ff) = Ffmpeg::find() else {
        eprintln!("SKIPPED speech failure test: ffmpeg not installed");
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let segments = test_pattern::generate(&ff, work.path(), 24, SEGMENT_S, test_pattern::SOURCE_FPS).await.unwrap();
    let mut opts = options(&ff, Arc::new(Broken));
    opts.retry.max_attempts = 2;
    opts.retry.first_backoff_ms = 0;
    let s = TestServer::start_with(opts).await;
    // The privacy notice names speech recognition where it is on.
    let live = go_live_in(&s, "deaf", &[], "auto_subtitles").await;
    let (_, config) = s.get(paths::CONFIG, &live.token).await;
    assert!(config["privacy_notice"].as_str().unwrap().contains(highlights_api::defaults::SPEECH_NOTICE));
    send(&s, &live, &segments).await;
    assert_eq!(transcribe_all(&s, &ff).await, (0, 2 * segments.len()), "each failed, retried once, then given up");
    let m =
        s.store().render_material(live.live_id.clone(), live.started_at_ms, live.started_at_ms + 24_000).await.unwrap();
    assert_eq!((m.speech_pending, m.speech_failed as usize), (0, segments.len()));
    let id = moment(&s, &live, 4_000, 16_000, 8_000).await;
    chat(&s, &live, 24_000).await;
    let clock = TestClock::default();
    let w = RenderWorker::new(s.store(), s.server.state.media.clone(), ff.clone(), s.dir.path().join("scratch"))
        .with_snapping(Snapping { window: Duration::from_secs(2), wait: Duration::from_secs(10) })
        .with_speech(true)
        .with_clock(clock.clock());
    assert_eq!(render_all(&w).await, vec![VideoState::Ready], "nothing to wait for: rendered at once");
    let (_, list) = s.get(&paths::live_highlights(&live.live_id), &live.token).await;
    let h = list["highlights"].as_array().unwrap().iter().find(|h| h["id"] == id).cloned().unwrap();
    assert!(h["video"]["detail"].as_str().unwrap().contains("speech recognition failed"), "{h}");

    // A recogniser that has not answered yet (no worker got to the segments): the render waits
    // its bounded while, then goes without.
    let s = TestServer::start_with(options(&ff, Arc::new(Broken))).await;
    let live = go_live_in(&s, "slow", &[], "auto_subtitles").await;
    send(&s, &live, &segments).await;
    let id = moment(&s, &live, 4_000, 16_000, 8_000).await;
    chat(&s, &live, 24_000).await;
    let w = RenderWorker::new(s.store(), s.server.state.media.clone(), ff.clone(), s.dir.path().join("scratch"))
        .with_snapping(Snapping { window: Duration::from_secs(2), wait: Duration::from_secs(10) })
        .with_speech(true)
        .with_clock(clock.clock());
    assert_eq!(render_all(&w).await, vec![VideoState::Rendering], "waits for the words");
    clock.advance(11_000);
    assert_eq!(render_all(&w).await, vec![VideoState::Ready], "then goes without them");
    let (_, list) = s.get(&paths::live_highlights(&live.live_id), &live.token).await;
    let h = list["highlights"].as_array().unwrap().iter().find(|h| h["id"] == id).cloned().unwrap();
    assert!(h["video"]["detail"].as_str().unwrap().contains("not done in time"), "{h}");

    // Off: no notice, no detail.
    let s = TestServer::start_with(server_options(Some(&ff))).await;
    let live = go_live_in(&s, "off", &[], "auto_subtitles").await;
    let (_, config) = s.get(paths::CONFIG, &live.token).await;
    assert!(!config["privacy_notice"].as_str().unwrap().contains(highlights_api::defaults::SPEECH_NOTICE));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_re_sent_segment_is_heard_anew_and_an_answer_about_its_old_bytes_is_not_kept() {
    let Some(ff) = Ffmpeg::find() else {
        eprintln!("SKIPPED speech re-send test: ffmpeg not installed");
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let segments = test_pattern::generate(&ff, work.path(), 4, SEGMENT_S, test_pattern::SOURCE_FPS).await.unwrap();
    let s = TestServer::start_with(options(&ff, Arc::new(Broken))).await;
    let live = go_live_in(&s, "resent", &[], "auto_subtitles").await;
    let at = live.started_at_ms;
    let now = highlights_server::clock::now_ms;
    let said = |text: &str| vec![TimedWord { text: text.into(), start_ms: at + 100, end_ms: at + 600 }];
    let captions = async || {
        let m = s.store().render_material(live.live_id.clone(), at, at + 4_000).await.unwrap();
        (m.captions.iter().map(|c| c.text.clone()).collect::<Vec<_>>(), m.speech_pending, m.speech_failed)
    };
    send(&s, &live, &segments).await;
    let old = s.store().claim_speech(now()).await.unwrap().expect("queued on arrival");
    // The recorder sends the segment again while a worker still listens to the first bytes.
    send(&s, &live, &segments).await;
    let err = s.store().finish_speech(old.clone(), SpeechOutcome::Heard(said("stale")), now()).await.unwrap_err();
    assert!(matches!(err, highlights_server::StoreError::NotFound(_)), "{err}");
    let new = s.store().claim_speech(now()).await.unwrap().expect("the new bytes are queued");
    assert!(new.generation > old.generation && new.attempt == 1, "{new:?} after {old:?}");
    assert!(s.store().claim_speech(now()).await.unwrap().is_none(), "leased: no second worker takes it");
    // Control characters never reach the store (PostgreSQL refuses NUL) nor a subtitle.
    s.store().finish_speech(new, SpeechOutcome::Heard(said("fre\u{0}sh")), now()).await.unwrap();
    assert_eq!(captions().await, (vec!["fresh".to_string()], 0, 0));
    // Replaced by bytes nobody can read: the old words go, and nothing waits for new ones.
    let url = s.url(&paths::ingest_segment(&live.live_id, at));
    let resp = s.http.put(url).bearer_auth(&s.service_token).body(vec![7u8; 64]).send().await.unwrap();
    assert_eq!(resp.status(), reqwest::StatusCode::OK);
    assert_eq!(captions().await, (Vec::<String>::new(), 0, 0));
    assert!(s.store().claim_speech(now()).await.unwrap().is_none());
}

/// Mixes `wav` with a bed of other sound into 16 kHz mono: none, the background music the
/// experiment adds, or a crowd's murmur (noise shaped like a room full of people).
async fn condition(ff: &Ffmpeg, dir: &std::path::Path, wav: &std::path::Path, bed: &str, out: &str) -> PathBuf {
    let mut args: Vec<String> = vec!["-i".into(), wav.display().to_string()];
    let graph = match bed {
        "clean" => "[0:a]aresample=16000,aformat=channel_layouts=mono[o]".to_string(),
        "music" => format!(
            "aevalsrc='{}':s=16000[m];[0:a]aresample=16000,aformat=channel_layouts=mono[v];[v][m]amix=inputs=2:duration=first:normalize=0[o]",
            highlights_server::media::music::TRACKS[0].expr
        ),
        _ => "anoisesrc=color=pink:amplitude=0.08:r=16000:seed=29,lowpass=f=1500[n];[0:a]aresample=16000,aformat=channel_layouts=mono[v];[v][n]amix=inputs=2:duration=first:normalize=0[o]"
            .to_string(),
    };
    args.extend([
        "-filter_complex".into(),
        graph,
        "-map".into(),
        "[o]".into(),
        "-ac".into(),
        "1".into(),
        "-ar".into(),
        "16000".into(),
        "-c:a".into(),
        "pcm_s16le".into(),
    ]);
    args.push(out.into());
    ff.ffmpeg(dir, &args, Duration::from_secs(60)).await.unwrap();
    dir.join(out)
}

/// The figure: word error rate of the installed recogniser on generated speech (espeak-ng
/// reading a seller's sentences) clean, under the background music and under a crowd's murmur,
/// and on real human readings; and its real-time factor on one core.
/// Run: `cargo test --release -p highlights-server --test speech -- --ignored --nocapture speech_figure`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a figure, run by scripts/speech-figure.sh"]
async fn speech_figure() {
    let Some((ff, ps, voices)) = tools() else { return };
    let Some(speaker) = test_pattern::speaker() else {
        println!("SKIPPED: speech figure (apt-get install espeak-ng)");
        return;
    };
    let more = [
        "This serum is only twenty dollars today.",
        "Add it to your bag before the timer ends.",
        "The lipstick stays on for eight hours.",
    ];
    let sentences: Vec<&str> = SELLER_SAYS.iter().copied().chain(more).collect();
    let work = tempfile::tempdir().unwrap();
    let mut generated = Vec::new();
    for (i, text) in sentences.iter().enumerate() {
        test_pattern::say(&speaker, work.path(), &format!("g{i}.wav"), text).await.unwrap();
        generated.push((work.path().join(format!("g{i}.wav")), text.to_string()));
    }
    for ps in [ps.clone(), ps.fast()] {
        let (mut audio_ms, mut spent) = (0i64, Duration::ZERO);
        let mut measure = async |files: &[Reading], bed: &str| -> f64 {
            let (mut edits, mut total) = (0, 0);
            for (i, (wav, text)) in files.iter().enumerate() {
                let input = condition(&ff, work.path(), wav, bed, &format!("{bed}{i}.wav")).await;
                // 16 kHz mono 16-bit: 32 bytes a millisecond after the 44-byte header.
                audio_ms += (std::fs::metadata(&input).unwrap().len().saturating_sub(44) / 32) as i64;
                let t = Instant::now();
                let heard: Vec<TimedWord> = ps.transcribe(&input, Duration::from_secs(120)).await.unwrap();
                spent += t.elapsed();
                let (e, n) =
                    wer(&words(text), &words(&heard.iter().map(|w| w.text.clone()).collect::<Vec<_>>().join(" ")));
                edits += e;
                total += n;
            }
            edits as f64 / total.max(1) as f64
        };
        let clean = measure(&generated, "clean").await;
        let music = measure(&generated, "music").await;
        let crowd = measure(&generated, "crowd").await;
        let human = measure(&voices, "clean").await;
        let human_music = measure(&voices, "music").await;
        let all_rtf = spent.as_secs_f64() / (audio_ms as f64 / 1000.0);
        // A segment's length (the readings, 3–7 s, as recorders send them), the program's start included.
        let (mut readings_ms, mut readings_spent) = (0i64, Duration::ZERO);
        for (wav, _) in &voices {
            let t = Instant::now();
            ps.transcribe(wav, Duration::from_secs(120)).await.unwrap();
            readings_spent += t.elapsed();
            readings_ms += (std::fs::metadata(wav).unwrap().len().saturating_sub(44) / 32) as i64;
        }
        let rtf = readings_spent.as_secs_f64() / (readings_ms as f64 / 1000.0);
        println!(
            "speech recognition ({}): word error rate generated speech clean {clean:.2}, under music {music:.2}, under crowd noise {crowd:.2}; \
         human readings clean {human:.2}, under music {human_music:.2}; real-time factor {rtf:.3} on one core on segment-length readings \
         ({all_rtf:.3} over every file, short sentences included; {} generated sentences, {} readings)",
            ps.name(),
            generated.len(),
            voices.len()
        );
    }
}
