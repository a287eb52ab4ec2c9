//! The command line as an operator uses it: `eval` and `train` on a labelled dataset, `replay
//! --all`, and the engine settings an admin shows and sets.

use std::path::Path;
use std::process::Command;

use highlights_engine::EventKind;
use highlights_engine::sim::{StreamSpec, generate};

fn server() -> Command {
    Command::new(env!("CARGO_BIN_EXE_highlights-server"))
}

fn mmss(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    format!("{:03}-{:02}", s / 60, s % 60)
}

/// Writes generated chat streams in the Lightor layout, labelling each planted moment from 20 s
/// before its peak (chat reacts after the moment) to the peak.
fn lightor_dataset(dir: &Path) -> usize {
    std::fs::create_dir_all(dir.join("chat")).unwrap();
    std::fs::create_dir_all(dir.join("labels")).unwrap();
    let mut labels = 0;
    for seed in 0..3u64 {
        let mut spec = StreamSpec::new(&format!("s{seed}"), 1_000_000, 70 + seed);
        spec.comments_only = true;
        spec.with_start_end = false;
        spec.viewers = 300.0;
        spec.duration_s = 15 * 60;
        let spec = spec.plant_random(6);
        let offset = 5_000;
        let mut chat = String::new();
        for (i, e) in generate(&spec).iter().enumerate() {
            if let EventKind::Comment { user, text } = &e.kind {
                let ts = offset + e.ts_ms - spec.start_ms;
                chat.push_str(&format!("{i}\t#s{seed}\t{user}\t{text}\t0\t{ts}\n"));
            }
        }
        std::fs::write(dir.join(format!("chat/s{seed} {offset}.csv")), chat).unwrap();
        let lines: String = spec
            .planted
            .iter()
            .map(|p| {
                let peak = p.at_s * 1000;
                format!("{} {} {}\n", mmss(peak), mmss(peak - 20_000), mmss(peak))
            })
            .collect();
        labels += spec.planted.len();
        std::fs::write(dir.join(format!("labels/s{seed}.csv")), lines).unwrap();
    }
    labels
}

#[test]
fn eval_prints_the_engine_and_the_naive_baseline_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    assert!(lightor_dataset(dir.path()) > 0);
    let out = server().args(["eval", "--lightor"]).arg(dir.path()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    for stream in ["s0", "s1", "s2"] {
        assert!(text.lines().any(|l| l.starts_with(stream)), "a row per stream:\n{text}");
    }
    let p_at_5 = |who: &str| -> f64 {
        let line = text.lines().find(|l| l.starts_with(who)).unwrap_or_else(|| panic!("{who} row:\n{text}"));
        line.split("P@5 ").nth(1).unwrap().split_whitespace().next().unwrap().parse().unwrap()
    };
    assert!(p_at_5("engine") >= 0.6, "clear planted moments are found:\n{text}");
    assert!(p_at_5("naive baseline") >= 0.0);
    assert!(text.contains("auto-posted precision (cap 10)"), "{text}");

    // Two dataset folders together, cross-validated: one fold per stream, each scored by settings
    // chosen on the others, printed beside the in-sample and shipped figures.
    let second = tempfile::tempdir().unwrap();
    assert!(lightor_dataset(second.path()) > 0);
    for f in std::fs::read_dir(second.path().join("chat"))
        .unwrap()
        .chain(std::fs::read_dir(second.path().join("labels")).unwrap())
    {
        let path = f.unwrap().path();
        let renamed = path.file_name().unwrap().to_string_lossy().replacen('s', "t", 1);
        std::fs::rename(&path, path.with_file_name(renamed)).unwrap();
    }
    let out = server()
        .args(["eval", "--cv", "--lightor"])
        .arg(dir.path())
        .arg("--lightor")
        .arg(second.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    let folds = text.lines().filter(|l| l.trim_start().starts_with(['s', 't']) && l.contains(" chose ")).count();
    assert_eq!(folds, 12, "a fold per stream of both folders, chat weights hand-set then learned:\n{text}");
    for summary in ["cross-validated ", "in-sample ", "shipped settings ", "cv, learned chat "] {
        assert!(text.lines().any(|l| l.starts_with(summary) && l.contains("P@5")), "{summary}row:\n{text}");
    }

    let missing = server().args(["eval", "--lightor", "/nonexistent/dataset"]).output().unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/dataset"), "says which folder");
}

#[test]
fn train_prints_and_writes_chat_weights_an_admin_can_store() {
    let dir = tempfile::tempdir().unwrap();
    assert!(lightor_dataset(dir.path()) > 0);
    let out_file = dir.path().join("learned.json");
    let out = server().args(["train", "--lightor"]).arg(dir.path()).arg("--out").arg(&out_file).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    let printed: serde_json::Value = serde_json::from_str(&text).unwrap();
    let written: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out_file).unwrap()).unwrap();
    assert_eq!(printed, written);
    let settings: highlights_engine::EngineSettings = serde_json::from_value(written).unwrap();
    settings.validate().unwrap();
    let chat: f32 = settings.weights.chat().iter().sum();
    assert!(chat > 0.0 && settings.weights.chat_scale > 0.0, "{:?}", settings.weights);
    assert!(String::from_utf8_lossy(&out.stderr).contains("scored seconds"), "says what it learned from");
}

#[test]
fn replay_all_and_settings_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut spec = StreamSpec::new("live-cli", 1_900_000_000_000, 5);
    spec.viewers = 2_000.0;
    let events: String = generate(&spec.plant_random(8)).iter().map(|e| e.to_json().to_string() + "\n").collect();
    let input = dir.path().join("live.jsonl");
    std::fs::write(&input, events).unwrap();
    let replay = |extra: &[&str]| {
        let out =
            server().args(["replay", "--max-per-live", "2", "--events"]).arg(&input).args(extra).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .collect::<Vec<_>>()
    };
    let posted = replay(&[]);
    let all = replay(&["--all"]);
    assert_eq!(posted.len(), 2, "the cap holds");
    assert!(all.len() > posted.len() && all.iter().any(|l| l["kind"] == "recommendation"));
    // Settings from a file change what the engine finds: a bar nothing clears finds nothing.
    let settings = dir.path().join("settings.json");
    std::fs::write(&settings, r#"{"enter_score": 1000}"#).unwrap();
    assert!(replay(&["--all", "--settings", settings.to_str().unwrap()]).is_empty());
    std::fs::write(&settings, r#"{"window_s": 99}"#).unwrap();
    let bad = server().args(["replay", "--events"]).arg(&input).arg("--settings").arg(&settings).output().unwrap();
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("window_s"));
}

#[test]
fn admin_shows_and_sets_engine_settings() {
    let dir = tempfile::tempdir().unwrap();
    let admin = |args: &[&str], stdin: Option<&str>| {
        let mut cmd = server();
        cmd.args(["admin", "--data"]).arg(dir.path()).args(args);
        if stdin.is_some() {
            cmd.stdin(std::process::Stdio::piped());
        }
        cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        if let Some(text) = stdin {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        }
        child.wait_with_output().unwrap()
    };
    let shown = admin(&["show-engine-settings"], None);
    let defaults: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(defaults["lead_in_ms"], highlights_engine::EngineSettings::default().lead_in_ms);
    assert!(admin(&["set-engine-settings", "-"], Some(r#"{"lead_in_ms": 25000}"#)).status.success());
    let shown: serde_json::Value = serde_json::from_slice(&admin(&["show-engine-settings"], None).stdout).unwrap();
    assert_eq!(shown["lead_in_ms"], 25_000);
    assert_eq!(shown["window_s"], defaults["window_s"], "fields not given keep their defaults");
    let refused = admin(&["set-engine-settings", "-"], Some(r#"{"clip_min_ms": 90000}"#));
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("clip_min_ms"));
    let shown: serde_json::Value = serde_json::from_slice(&admin(&["show-engine-settings"], None).stdout).unwrap();
    assert_eq!(shown["lead_in_ms"], 25_000, "a refused change leaves the stored settings alone");
}

#[test]
fn without_ffmpeg_the_server_starts_says_so_once_and_keeps_highlights_waiting() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = server()
        .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--data"])
        .arg(dir.path())
        .env("PATH", dir.path()) // no ffmpeg anywhere on this PATH
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut said = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let serving = line.starts_with("serving on");
        said.push(line);
        if serving {
            break;
        }
    }
    let up = std::net::TcpStream::connect(("127.0.0.1", port)).is_ok();
    let _ = child.kill();
    let _ = child.wait();
    let about_ffmpeg: Vec<&String> = said.iter().filter(|l| l.contains("ffmpeg")).collect();
    assert_eq!(about_ffmpeg.len(), 1, "one line about ffmpeg: {said:?}");
    assert!(about_ffmpeg[0].contains("wait for render"), "{}", about_ffmpeg[0]);
    assert!(up, "the server serves without ffmpeg: {said:?}");
}

#[tokio::test]
async fn the_experiments_report_counts_every_arm_from_what_sellers_did() {
    let dir = tempfile::tempdir().unwrap();
    let store = highlights_server::store::SqliteStore::open(&dir.path().join("highlights.db")).await.unwrap();
    use highlights_server::store::Store;
    for (id, popup, format) in [("s1", true, "control"), ("s2", true, "click_now_end_card"), ("s3", false, "control")] {
        store.create_seller(id.into(), id.into(), highlights_server::store::TokenLifetime::SELLER).await.unwrap();
        store.pin_experiments(id.into(), Some(popup), Some(format.into())).await.unwrap();
    }
    // s1 saw the pop-up and turned the feature on; s2 saw it and did not; s3 turned it on without one.
    let patch = |on: bool, shown: bool| highlights_api::SettingsPatch {
        highlights_on: on.then_some(true),
        popup_shows_delta: shown.then_some(1),
        ..Default::default()
    };
    store.patch_settings("s1".into(), patch(true, true), None).await.unwrap();
    store.patch_settings("s2".into(), patch(false, true), None).await.unwrap();
    store.patch_settings("s3".into(), patch(true, false), None).await.unwrap();

    let report = store.experiment_report().await.unwrap();
    let arm = |shows| report.popup.iter().find(|a| a.shows_popup == shows).unwrap().clone();
    let with = arm(true);
    assert_eq!((with.sellers, with.exposed, with.turned_on, with.turned_on_after_exposure), (2, 2, 1, 1));
    let without = arm(false);
    assert_eq!((without.sellers, without.exposed, without.turned_on), (1, 0, 1));
    // Pinned sellers keep their variant in either learning arm; every configured variant has a row.
    let mut sellers = std::collections::BTreeMap::new();
    for f in &report.formats {
        *sellers.entry(f.variant.as_str()).or_insert(0) += f.sellers;
    }
    assert_eq!(
        sellers.into_iter().filter(|(_, n)| *n > 0).collect::<Vec<_>>(),
        vec![("click_now_end_card", 1), ("control", 2)]
    );
    let rows = report.formats.len();
    assert!(rows >= 5 && rows % 5 == 0, "five variants per arm: {table}", table = report.table());
    let table = report.table();
    assert!(table.contains("1 of 2 (50 %)"), "{table}");
    assert!(table.contains("reward") && table.contains("USD"), "{table}");
    // No video posted yet: per-video figures are a dash, not a division by zero.
    assert!(report.formats.iter().all(|f| f.videos_ever_posted == 0) && table.contains('—'), "{table}");
}
