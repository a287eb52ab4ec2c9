//! Render benchmark: seconds to make one 30-second shoppable clip on this machine, as a ratio to
//! real time (goal: at most 0.5x, so the 5-minute post delay leaves ample room), against a plain
//! cut-and-encode of the same span measured in the same run, and how many LIVEs' highlights one
//! core keeps up with; and the same clip with its edges snapped to natural breaks first (goal: at
//! most 1.2x the every-format render). Run: `cargo bench -p highlights-server --bench render`.

use std::time::{Duration, Instant};

use highlights_api::FormatSpec;
use highlights_server::media::render::{self, Inputs, SegmentFile};
use highlights_server::media::snap::{Snapping, Span};
use highlights_server::media::{Container, Ffmpeg};
use highlights_server::media::{breaks, test_pattern};
use highlights_server::store::{CaptionLine, RenderTask, SegmentRef};

const CLIP_S: i64 = 30;
const ROUNDS: usize = 3;

/// Copies of the recording's segments in a render's scratch directory, by plain names: safe-mode
/// concat reads only those, as it does the worker's copies.
fn local_copies(refs: &[(std::path::PathBuf, SegmentRef)], dir: &std::path::Path) -> Vec<SegmentFile> {
    refs.iter()
        .enumerate()
        .map(|(i, (path, segment))| {
            let local = dir.join(format!("seg{i}.media"));
            std::fs::copy(path, &local).unwrap();
            SegmentFile { path: local, segment: segment.clone(), container: Container::MpegTs }
        })
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let Some(ff) = Ffmpeg::find() else {
        println!("SKIPPED: render benchmark (ffmpeg not installed)");
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let segments = test_pattern::generate(&ff, work.path(), 40, 4, test_pattern::SOURCE_FPS).await.unwrap();
    let start_ms = 1_000_000_000_000i64;
    let refs: Vec<(std::path::PathBuf, SegmentRef)> = segments
        .iter()
        .map(|s| {
            let r = SegmentRef {
                start_ms: start_ms + s.offset_ms,
                duration_ms: s.duration_ms,
                media_key: String::new(),
                readable: true,
            };
            (s.path.clone(), r)
        })
        .collect();
    let task = |format: FormatSpec| RenderTask {
        highlight_id: "bench".into(),
        live_id: "bench".into(),
        start_ms: start_ms + 5_000,
        end_ms: start_ms + 5_000 + CLIP_S * 1000,
        peak_ms: start_ms + 20_000,
        product_name: Some("Linen shirt".into()),
        format,
        live_on: true,
        attempt: 1,
        segments: refs.iter().map(|(_, r)| r.clone()).collect(),
        captions: (0..10)
            .map(|i| CaptionLine {
                at_ms: start_ms + 5_000 + i * 3_000,
                duration_ms: 2_500,
                text: format!("caption {i}"),
            })
            .collect(),
        snap: true,
        min_ms: 10_000,
        max_ms: 60_000,
        claimable_since_ms: 0,
        output: "videos/bench-0".into(),
    };
    let everything =
        FormatSpec { auto_subtitles: true, arrow_to_live: true, click_now_end_card: true, background_music: true };
    let (mut baseline, mut plain, mut full) = (Vec::new(), Vec::new(), Vec::new());
    let (mut snapped, mut looking) = (Vec::new(), Vec::new());
    let window_ms = Snapping::default().window_ms();
    let held = Span::new(start_ms, refs.iter().map(|(_, r)| r.start_ms + r.duration_ms).max().unwrap());
    for round in 0..ROUNDS {
        // Baseline: the same span cut and encoded to the same size and codecs, nothing else.
        let dir = work.path().join(format!("baseline{round}"));
        std::fs::create_dir_all(&dir).unwrap();
        let list: String = segments.iter().map(|s| format!("file '{}'\n", s.path.display())).collect();
        std::fs::write(dir.join("list.txt"), list).unwrap();
        let args: Vec<String> = [
            "-f",
            "concat",
            "-safe",
            "0",
            "-i",
            "list.txt",
            "-ss",
            "5",
            "-t",
            "30",
            "-vf",
            "scale=720:1280",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "23",
            "-threads",
            "1",
            "-c:a",
            "aac",
            "-f",
            "mp4",
            "out.mp4",
        ]
        .map(String::from)
        .to_vec();
        let t = Instant::now();
        ff.ffmpeg(&dir, &args, Duration::from_secs(600)).await.unwrap();
        baseline.push(t.elapsed().as_secs_f64());
        for (format, times) in [(FormatSpec::default(), &mut plain), (everything, &mut full)] {
            let dir = tempfile::tempdir_in(work.path()).unwrap();
            let segments = local_copies(&refs, dir.path());
            let inputs = Inputs { segments, has_audio: true };
            let t = Instant::now();
            render::render(&ff, &task(format), &inputs, dir.path()).await.unwrap();
            times.push(t.elapsed().as_secs_f64());
        }
        // Every format with the edges snapped first: one look at the seconds around each edge,
        // then the render of the clip that came out (here the same span: the pattern has no break).
        let dir = tempfile::tempdir_in(work.path()).unwrap();
        let local = local_copies(&refs, dir.path());
        let t = Instant::now();
        let snapped_task = breaks::snap_task(&ff, dir.path(), &task(everything), &local, true, held, window_ms).await;
        looking.push(t.elapsed().as_secs_f64());
        let used = render::covering(&snapped_task).unwrap();
        let segments = local.into_iter().filter(|f| used.iter().any(|u| u.start_ms == f.segment.start_ms)).collect();
        render::render(&ff, &snapped_task, &Inputs { segments, has_audio: true }, dir.path()).await.unwrap();
        snapped.push(t.elapsed().as_secs_f64());
    }
    let (b, p, f) = (median(baseline), median(plain), median(full));
    let clip = CLIP_S as f64;
    println!("render of one 30 s clip on one core (x264 veryfast, 720x1280, median of {ROUNDS}):");
    println!("  plain cut and encode (baseline)   {b:6.2} s  {:.2}x real time", b / clip);
    println!("  control format + thumbnail        {p:6.2} s  {:.2}x real time  {:.2}x the baseline", p / clip, p / b);
    println!(
        "  every format (subtitles, arrow, end card, music) + thumbnail  {f:6.2} s  {:.2}x real time  {:.2}x the baseline (goal: at most 0.5x real time: {})",
        f / clip,
        f / b,
        if f / clip <= 0.5 { "met" } else { "NOT met" }
    );
    let (l, sn) = (median(looking), median(snapped));
    println!(
        "  every format, edges snapped to natural breaks first (looking {l:.2} s)  {sn:6.2} s  {:.2}x the every-format render (goal: at most 1.2x: {})",
        sn / f,
        if sn / f <= 1.2 { "met" } else { "NOT met" }
    );
    // A LIVE posts at most 20 clips (the default cap); an hour-long LIVE thus needs 20 renders an hour.
    let per_core = 3600.0 / (20.0 * f);
    println!(
        "  one core keeps up with {per_core:.0} hour-long LIVEs each posting the full 20 clips (every format, 30 s each)"
    );
}
