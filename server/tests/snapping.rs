//! Clips that end where speech and scenes break: an engine's moments rendered from a recording
//! whose seller speaks (espeak-ng, with the matching caption events) and whose picture cuts at
//! known times, by a render worker the tests drive themselves with a clock of their own (no
//! sleeping, no polling); the files checked with ffprobe and by the frame counter burned into
//! every frame. What the stores keep of it (the span shown and the span found, a job put back),
//! on SQLite and, under `scripts/cluster-test.sh`, PostgreSQL. And the figure: the share of
//! rendered clips that end inside a caption.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use common::TestServer;
use common::clips::{SELLER_SAYS, TestClock, chat, events, go_live, made, moment, render_all, send, server_options};
use highlights_api::{VideoState, paths};
use highlights_server::media::snap::{Snapping, Span, inside_speech};
use highlights_server::media::test_pattern::{self, Said, Script};
use highlights_server::media::{Container, Ffmpeg, PocketSphinx, RenderWorker, SpeechWorker};
use highlights_server::serve::Speech;
use highlights_server::store::{ClipSpan, RenderOutcome, SegmentProbe};
use serde_json::json;

const SEGMENT_S: u32 = 4;
const WINDOW: Duration = Duration::from_secs(3);
/// A frame at 25 fps.
const FRAME_MS: i64 = 40;

/// ffmpeg and espeak-ng, or one clear line and `None` outside CI (CI installs both).
fn tools() -> Option<(Ffmpeg, PathBuf)> {
    let in_ci = std::env::var_os("CI").is_some();
    let Some(ff) = Ffmpeg::find() else {
        assert!(!in_ci, "ffmpeg must be installed in CI (.ci/run installs it)");
        eprintln!("SKIPPED snapping suite: ffmpeg not installed (apt-get install ffmpeg)");
        return None;
    };
    let Some(speaker) = test_pattern::speaker() else {
        assert!(!in_ci, "espeak-ng must be installed in CI (.ci/run installs it)");
        eprintln!("SKIPPED snapping suite: espeak-ng not installed (apt-get install espeak-ng)");
        return None;
    };
    Some((ff, speaker))
}

/// The server's render worker, snapping within [`WINDOW`], waiting up to `wait`, by `clock`.
fn worker(s: &TestServer, ff: &Ffmpeg, wait: Duration, clock: &TestClock) -> RenderWorker {
    RenderWorker::new(s.store(), s.server.state.media.clone(), ff.clone(), s.dir.path().join("scratch"))
        .with_snapping(Snapping { window: WINDOW, wait })
        .with_clock(clock.clock())
}

/// The last two frames of a video, as 8-bit grey (decoded from a little before its end, since a
/// seek to the last frame itself may find none).
async fn last_frames(ff: &Ffmpeg, video: &Path) -> (Vec<u8>, Vec<u8>) {
    let length = ff.probe(video, Container::Mp4).await.unwrap().duration_ms;
    let args: Vec<String> =
        ["-ss", &format!("{:.3}", (length - 400) as f64 / 1000.0), "-i", &video.display().to_string()]
            .into_iter()
            .chain(["-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"])
            .map(String::from)
            .collect();
    let raw = ff.ffmpeg(video.parent().unwrap(), &args, Duration::from_secs(30)).await.unwrap();
    let size = (highlights_server::media::render::WIDTH * highlights_server::media::render::HEIGHT) as usize;
    assert!(raw.len() >= 2 * size && raw.len() % size == 0, "{} bytes of frames", raw.len());
    let last = raw.len() / size - 1;
    (raw[(last - 1) * size..last * size].to_vec(), raw[last * size..].to_vec())
}

/// Checks the file shows `[start, end)` of the recording: its length, and its first and last
/// frames by the counter burned into them.
async fn shows(ff: &Ffmpeg, file: &Path, (start, end): (i64, i64), what: &str) {
    let probe = ff.probe(file, Container::Mp4).await.unwrap();
    assert!(
        (probe.duration_ms - (end - start)).abs() <= 100,
        "{what}: {} ms, {} ms asked",
        probe.duration_ms,
        end - start
    );
    let first = test_pattern::frame_counter(&test_pattern::grey_frame(ff, file, 0.0).await.unwrap());
    assert!((i64::from(first) - start / FRAME_MS).abs() <= 1, "{what}: first frame {first}, start {start} ms");
    let last = test_pattern::frame_counter(&last_frames(ff, file).await.1);
    assert!((i64::from(last) - (end / FRAME_MS - 1)).abs() <= 1, "{what}: last frame {last}, end {end} ms");
}

fn near(got: i64, want: i64, tolerance: i64) -> bool {
    (got - want).abs() <= tolerance
}

/// The recording of these tests (ms from its start): the tone and one scene up to 18 s, nothing
/// to break on; quiet from 18 to 30 s but for one sentence from 22 s; the tone again from 30 s,
/// and a scene cut at 50 s.
fn script() -> Script {
    Script {
        sentences: vec![(22_000, "Only today, this linen shirt is half price.".into())],
        quiet: vec![(18_000, 30_000)],
        cuts: vec![50_000],
        voices: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clips_end_at_the_sentence_or_the_scene_cut_near_them_and_stay_put_with_none() {
    let Some((ff, speaker)) = tools() else { return };
    let work = tempfile::tempdir().unwrap();
    let (segments, said) =
        test_pattern::generate_scripted(&ff, &speaker, work.path(), 64, SEGMENT_S, &script()).await.unwrap();
    let sentence_end = said[0].at_ms + said[0].duration_ms;
    assert!(sentence_end > 24_000 && sentence_end < 26_000, "the sentence ends at {sentence_end} ms");
    let s = TestServer::start_with(server_options(Some(&ff))).await;
    let clock = TestClock::default();

    let cases = [
        // Ends 1 s into the sentence: extended to its end.
        ("mid-sentence", (11_000, 23_000, 17_000)),
        // Ends 1.5 s before the scene cut, in the tone: moved to the cut.
        ("scene-cut", (36_500, 48_500, 42_000)),
        // Nothing to break on within the window of either edge: as found.
        ("no-break", (2_000, 14_000, 8_000)),
    ];
    let mut ids = Vec::new();
    for (seller, (start, end, peak)) in cases {
        let live = go_live(&s, seller, &said).await;
        send(&s, &live, &segments).await;
        let id = moment(&s, &live, start, end, peak).await;
        // The chat went on past every clip: nothing more to wait for.
        chat(&s, &live, 63_000).await;
        ids.push((seller, live, id));
    }
    let w = worker(&s, &ff, Duration::from_secs(10), &clock);
    assert_eq!(render_all(&w).await, [VideoState::Ready; 3], "each made at its first claim");
    let mut spans = std::collections::HashMap::new();
    for (seller, live, id) in &ids {
        let (span, file) = made(&s, live, id, work.path()).await;
        assert_eq!(s.store().video_job(id.clone()).await.unwrap().unwrap().attempts, 1, "{seller}");
        shows(&ff, &file, span, seller).await;
        spans.insert(*seller, (span, file));
    }
    let ((start, end), _) = spans["mid-sentence"];
    assert_eq!(start, 11_000, "no break near the start");
    assert_eq!(end, sentence_end, "extended to the sentence's end");
    let ((start, end), file) = &spans["scene-cut"];
    assert_eq!(*start, 36_500, "no break near the start");
    assert!(near(*end, 50_000, FRAME_MS), "moved to the cut at 50 s: {end}");
    // The clip's last two frames are of the same scene: the cut itself is not in it.
    let (before, last) = last_frames(&ff, file).await;
    let changed = last[720 * 200..].iter().zip(&before[720 * 200..]).filter(|(a, b)| a.abs_diff(**b) > 60).count();
    assert!(changed < last.len() / 20, "the last frame is of the scene before the cut: {changed} pixels changed");
    assert_eq!(spans["no-break"].0, (2_000, 14_000), "left alone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_render_waits_in_the_store_for_the_recording_and_captions_after_the_clip_then_takes_what_there_is() {
    let Some((ff, speaker)) = tools() else { return };
    let work = tempfile::tempdir().unwrap();
    let (segments, said) =
        test_pattern::generate_scripted(&ff, &speaker, work.path(), 40, SEGMENT_S, &script()).await.unwrap();
    let sentence = (said[0].at_ms, said[0].at_ms + said[0].duration_ms);
    let s = TestServer::start_with(server_options(Some(&ff))).await;
    let clock = TestClock::default();
    // Long enough never to be reached here: the bound has its own unit test (media::worker).
    let w = worker(&s, &ff, Duration::from_secs(60), &clock);
    let job = |id: &String| {
        let (store, id) = (s.store(), id.clone());
        async move {
            let job = store.video_job(id).await.unwrap().unwrap();
            (job.state, job.attempts)
        }
    };
    // The recorder has sent up to 24 s: the clip ends at 23 s, inside the sentence, whose end
    // (and the window after it) is not here yet. "late" has no caption of it yet either: a
    // captioner sends a sentence once it ends.
    let sent = segments.iter().position(|seg| seg.offset_ms + seg.duration_ms >= 23_900).unwrap() + 1;
    let (late, never) = (go_live(&s, "late", &[]).await, go_live(&s, "never", &said).await);
    send(&s, &late, &segments[..sent]).await;
    send(&s, &never, &segments[..sent]).await;
    let late_id = moment(&s, &late, 11_000, 23_000, 17_000).await;
    let never_id = moment(&s, &never, 11_000, 23_000, 17_000).await;

    // Each is claimed once and put back, due a moment later; no attempt is spent.
    assert_eq!(render_all(&w).await, [VideoState::Rendering; 2]);
    for id in [&late_id, &never_id] {
        assert_eq!(job(id).await, (VideoState::Rendering, 0), "put back, not failed");
    }

    // The rest of the recording comes for "late", but not the caption the clip ends in: its
    // events stop at the clip's end, so it is put back again, as is "never".
    send(&s, &late, &segments[sent..]).await;
    clock.advance(1_000);
    assert_eq!(render_all(&w).await, [VideoState::Rendering; 2], "segments alone are not enough");

    // The caption comes, and the chat goes on past the window: "late" is made, to the
    // sentence's end. "never" still has nothing after 24 s while its LIVE is on: put back.
    let caption = json!({ "text": said[0].text, "duration_ms": said[0].duration_ms });
    events(
        &s,
        &late,
        &[("caption", said[0].at_ms, caption), ("comment", 27_000, json!({ "user": "v", "text": "hi" }))],
    )
    .await;
    clock.advance(1_000);
    let mut states = render_all(&w).await;
    states.sort_by_key(|s| s.as_str());
    assert_eq!(states, [VideoState::Ready, VideoState::Rendering]);
    assert_eq!(job(&late_id).await, (VideoState::Ready, 1));
    assert_eq!(job(&never_id).await, (VideoState::Rendering, 0));

    // "never"'s LIVE ends: nothing more will come, so it is made with what there is.
    events(&s, &never, &[("live_end", 24_000, json!({}))]).await;
    clock.advance(1_000);
    assert_eq!(render_all(&w).await, [VideoState::Ready]);
    assert_eq!(job(&never_id).await, (VideoState::Ready, 1));

    let (span, file) = made(&s, &late, &late_id, work.path()).await;
    shows(&ff, &file, span, "late").await;
    assert_eq!(span, (11_000, sentence.1), "the rest came within the wait: extended to the sentence's end");
    let (span, file) = made(&s, &never, &never_id, work.path()).await;
    shows(&ff, &file, span, "never").await;
    assert_eq!(span, (11_000, sentence.0), "nothing came: ended before the sentence, the last good break it has");
}

/// What the stores keep of a snapped render, the same on SQLite and PostgreSQL (no media tools
/// needed): the job put back and claimed again without an attempt spent, the material around a
/// clip, the span the seller sees moved with the video, and the span found still what tells a
/// moment seen again from a new one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_keeps_the_found_span_for_moments_and_shows_the_rendered_one() {
    let s = TestServer::start_with(server_options(None)).await;
    let said = [
        Said { at_ms: 5_000, duration_ms: 2_000, text: "Welcome in.".into() },
        Said { at_ms: 22_000, duration_ms: 2_700, text: "Only today, this linen shirt is half price.".into() },
    ];
    let live = go_live(&s, "stored", &said).await;
    let at = |ms: i64| live.started_at_ms + ms;
    for k in 0..10 {
        let probe = SegmentProbe { duration_ms: 4_000, readable: true };
        s.store().add_segment(live.live_id.clone(), at(k * 4_000), probe, format!("seg{k}")).await.unwrap();
    }
    let id = moment(&s, &live, 11_000, 23_000, 17_000).await;

    let now = highlights_server::clock::now_ms();
    let task = s.store().claim_render(now).await.unwrap().expect("queued and due");
    assert_eq!((&task.highlight_id, task.start_ms, task.end_ms, task.snap), (&id, at(11_000), at(23_000), true));
    assert!(now - 60_000 < task.claimable_since_ms && task.claimable_since_ms <= now, "{}", task.claimable_since_ms);
    let material = s.store().render_material(live.live_id.clone(), at(8_000), at(26_000)).await.unwrap();
    let starts: Vec<i64> = material.segments.iter().map(|seg| seg.start_ms - live.started_at_ms).collect();
    assert_eq!(starts, [8_000, 12_000, 16_000, 20_000, 24_000]);
    let captions: Vec<(i64, i64)> =
        material.captions.iter().map(|c| (c.at_ms - live.started_at_ms, c.duration_ms)).collect();
    assert_eq!(captions, [(22_000, 2_700)], "the one spoken around the clip");
    assert_eq!(material.events_until_ms, Some(at(23_000)), "the LIVE's newest event: the moment's comment");
    let nowhere = s.store().render_material("no-such-live".into(), 0, 1).await.unwrap();
    assert_eq!((nowhere.segments.len(), nowhere.events_until_ms), (0, None));

    // Put back to wait: due again later, no attempt spent, still bounded from when first due.
    let until = now + 5_000;
    let deferred = RenderOutcome::Deferred { until_ms: until };
    assert_eq!(
        s.store().finish_render(id.clone(), task.output.clone(), deferred, now).await.unwrap(),
        VideoState::Rendering
    );
    let job = s.store().video_job(id.clone()).await.unwrap().unwrap();
    assert_eq!((job.state, job.attempts), (VideoState::Rendering, 0));
    assert!(s.store().claim_render(until - 1).await.unwrap().is_none(), "not due before");
    let again = s.store().claim_render(until).await.unwrap().expect("due again");
    assert_eq!((&again.highlight_id, again.attempt, again.claimable_since_ms), (&id, 1, task.claimable_since_ms));

    // Made with its end moved to the sentence's end: the seller sees the clip as rendered.
    let ready = RenderOutcome::Ready {
        duration_ms: 13_700,
        video_key: format!("{}.mp4", again.output),
        thumbnail_key: format!("{}.jpg", again.output),
        storyboard: None,
        clip: Some(ClipSpan { start_ms: at(11_000), end_ms: at(24_700) }),
        note: Some("made without automatic subtitles for part of the clip".into()),
    };
    assert_eq!(
        s.store().finish_render(id.clone(), again.output.clone(), ready, until).await.unwrap(),
        VideoState::Ready
    );
    let (_, list) = s.get(&paths::live_highlights(&live.live_id), &live.token).await;
    let shown = list["highlights"].as_array().unwrap().iter().find(|h| h["id"] == id).cloned().unwrap();
    assert_eq!((shown["start_ms"].as_i64(), shown["end_ms"].as_i64()), (Some(at(11_000)), Some(at(24_700))));
    // What the render had to say reaches the seller as the video's detail.
    assert_eq!(shown["video"]["detail"], "made without automatic subtitles for part of the clip");

    // A moment the moved clip overlaps but the found one does not is a new one...
    let next = moment(&s, &live, 24_000, 36_000, 30_000).await;
    assert_ne!(next, id);
    // ...and one overlapping the found span is the same moment seen again (a rebuilt detector).
    let text = format!("clip {} {} {}", at(12_000), at(22_000), at(17_000));
    events(&s, &live, &[("comment", 22_000, json!({ "user": "u", "text": text }))]).await;
    let all = s.store().highlights(live.seller.clone(), live.live_id.clone()).await.unwrap().highlights;
    let spans: Vec<(i64, i64)> =
        all.iter().map(|h| (h.start_ms - live.started_at_ms, h.end_ms - live.started_at_ms)).collect();
    assert_eq!(spans, [(11_000, 24_700), (24_000, 36_000)]);
}

/// A small deterministic generator (no dependency for one figure).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: i64) -> i64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n.max(1) as u64) as i64
    }
}

/// Where a LIVE's captions come from in a figure's run.
#[derive(Clone, Copy, PartialEq)]
enum Heard {
    /// The platform sends a caption per sentence.
    Platform,
    /// No captions and no recognition: clips end by pauses and scene cuts alone.
    Nothing,
    /// No captions; the server recognises the speech (PocketSphinx).
    Recognised,
}

/// On generated LIVEs where the seller talks most of the time (sentences with short pauses, a
/// stretch of other sound now and then, a scene cut every 12–20 s), how many rendered clips end
/// inside a sentence said, for the moments as found and as rendered: `(before, after, clips, moved)`.
async fn clip_ends(ff: &Ffmpeg, speaker: &Path, heard: Heard) -> (usize, usize, usize, usize) {
    const SECONDS: u32 = 100;
    const LIVES: usize = 3;
    const CLIPS: i64 = 4;
    let phrases: Vec<&str> = SELLER_SAYS.iter().copied().chain(["This one is my favourite."]).collect();
    let work = tempfile::tempdir().unwrap();
    let mut lengths = Vec::new();
    for (i, p) in phrases.iter().enumerate() {
        lengths.push(test_pattern::say(speaker, work.path(), &format!("phrase{i}.wav"), p).await.unwrap());
    }
    let mut rng = Lcg(7);
    let mut script = Script::default();
    let (mut t, end) = (1_000i64, i64::from(SECONDS) * 1000 - 2_000);
    let mut quiet_from = t;
    let mut next_cut = 12_000 + rng.below(8_000);
    while t < end {
        if rng.below(6) == 0 {
            // Other sound (music, the room) for a few seconds: no pause, no caption.
            script.quiet.push((quiet_from, t));
            t += 2_000 + rng.below(3_000);
            quiet_from = t;
        }
        let k = rng.below(phrases.len() as i64) as usize;
        if t + lengths[k] >= end {
            break;
        }
        script.sentences.push((t, phrases[k].to_string()));
        t += lengths[k] + 300 + rng.below(900);
        while next_cut < t {
            script.cuts.push(next_cut);
            next_cut += 12_000 + rng.below(8_000);
        }
    }
    script.quiet.push((quiet_from, i64::from(SECONDS) * 1000));
    let (segments, said) =
        test_pattern::generate_scripted(ff, speaker, work.path(), SECONDS, SEGMENT_S, &script).await.unwrap();
    let speech: Vec<Span> = said.iter().map(|l| Span::new(l.at_ms, l.at_ms + l.duration_ms)).collect();

    let mut options = server_options(Some(ff));
    if heard == Heard::Recognised {
        let recognizer =
            PocketSphinx::find().expect("PocketSphinx installed (apt-get install pocketsphinx pocketsphinx-en-us)");
        options.speech = Speech::With(Arc::new(recognizer));
        options.speech_workers = 0;
    }
    let s = TestServer::start_with(options).await;
    let window_ms = Snapping::default().window_ms();
    // Moments 10–16 s long, one in each slot of the recording (so none overlaps another of its
    // LIVE), away from its ends by the window.
    let slot = (i64::from(SECONDS) * 1000 - 2 * window_ms - 2 * 4_000) / CLIPS;
    let (mut lives, mut jobs) = (Vec::new(), Vec::new());
    for l in 0..LIVES {
        let captions = if heard == Heard::Platform { &said[..] } else { &[] };
        let live = go_live(&s, &format!("figure{l}"), captions).await;
        send(&s, &live, &segments).await;
        for c in 0..CLIPS {
            let length = 10_000 + rng.below(6_000);
            let start = window_ms + 4_000 + c * slot + rng.below(slot - length);
            let id = moment(&s, &live, start, start + length, start + length / 2).await;
            jobs.push((l, id, start + length));
        }
        // The chat goes on to the recording's end: no render waits.
        chat(&s, &live, i64::from(SECONDS) * 1000).await;
        lives.push(live);
    }
    if heard == Heard::Recognised {
        let media = s.server.state.media.clone();
        let recognizer = s.server.state.speech.clone().expect("speech on");
        let listener = SpeechWorker::new(s.store(), media, ff.clone(), recognizer, s.dir.path().join("scratch"));
        let mut words = 0;
        while let Some(n) = listener.transcribe_next().await.unwrap() {
            words += n;
        }
        assert!(words > 0, "the recogniser heard nothing");
    }
    // Two workers as the server's, with the default snapping, driven to the end of the queue.
    let w = RenderWorker::new(s.store(), s.server.state.media.clone(), ff.clone(), s.dir.path().join("scratch"));
    let (a, b) = tokio::join!(render_all(&w), render_all(&w));
    assert_eq!([a, b].concat(), vec![VideoState::Ready; jobs.len()]);
    let (mut before, mut after, mut moved) = (0, 0, 0);
    for (l, id, found_end) in &jobs {
        let (span, file) = made(&s, &lives[*l], id, work.path()).await;
        let probe = ff.probe(&file, Container::Mp4).await.unwrap();
        assert!((probe.duration_ms - (span.1 - span.0)).abs() <= 100, "the file is the stored span: {span:?}");
        before += usize::from(inside_speech(*found_end, &speech));
        after += usize::from(inside_speech(span.1, &speech));
        moved += usize::from(span.1 != *found_end);
    }
    (before, after, jobs.len(), moved)
}

/// The figure: the share of rendered clips whose end falls inside a caption, for the moments as
/// found and as rendered, on generated LIVEs whose platform sends a caption per sentence.
/// Run: `cargo test -p highlights-server --test snapping -- --ignored --nocapture snapping_figure`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a figure, run by scripts/snapping-figure.sh"]
async fn snapping_figure() {
    let Some((ff, speaker)) = tools() else { return };
    let (before, after, n, moved) = clip_ends(&ff, &speaker, Heard::Platform).await;
    println!(
        "share of rendered clips ending inside a caption: before {:.2}, after {:.2} (goal 0; {n} clips on 3 generated LIVEs with speech, 100 s each, {moved} ends moved, window {} s)",
        before as f64 / n as f64,
        after as f64 / n as f64,
        Snapping::default().window_ms() / 1000
    );
}

/// The figure without captions from the platform: the share of rendered clips ending inside a
/// sentence said, with the LIVE's speech recognised and without (pauses and cuts alone).
/// Run: `cargo test -p highlights-server --test snapping -- --ignored --nocapture speech_snapping_figure`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a figure, run by scripts/speech-figure.sh"]
async fn speech_snapping_figure() {
    let Some((ff, speaker)) = tools() else { return };
    if PocketSphinx::find().is_none() {
        println!("SKIPPED: speech snapping figure (apt-get install pocketsphinx pocketsphinx-en-us)");
        return;
    }
    let (found, without, n, _) = clip_ends(&ff, &speaker, Heard::Nothing).await;
    let (_, with, m, _) = clip_ends(&ff, &speaker, Heard::Recognised).await;
    println!(
        "share of rendered clips ending inside a spoken sentence, no platform captions: as found {:.2}, snapped without recognition {:.2}, with recognition {:.2} ({n} and {m} clips)",
        found as f64 / n as f64,
        without as f64 / n as f64,
        with as f64 / m as f64
    );
}
