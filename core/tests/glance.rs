//! The module at a glance and the reasons as data: what the video-first screens read, from the
//! cache, through a restart.

mod common;

use common::*;
use highlights_core::Event;
use highlights_core::api::*;

fn ready(id: &str) -> Video {
    Video {
        state: VideoState::Ready,
        duration_ms: Some(20_000),
        video_url: Some(format!("http://127.0.0.1:9/v1/media/{id}/video.mp4")),
        thumbnail_url: Some(format!("http://127.0.0.1:9/v1/media/{id}/thumbnail.jpg")),
        storyboard: Some(Storyboard {
            url: format!("http://127.0.0.1:9/v1/media/{id}/storyboard.jpg"),
            frames: 10,
            columns: 5,
            frame_width: 90,
            frame_height: 160,
            interval_ms: 2000,
        }),
        detail: None,
    }
}

fn page(cursor: i64, highlights: Vec<Highlight>) -> Changes {
    Changes { cursor, has_more: false, config: None, experiments: None, settings: None, lives: Vec::new(), highlights }
}

#[test]
fn a_module_row_shows_its_best_clip_its_first_clips_and_what_they_earned() {
    let dev = Device::new();
    let core = dev.open("seller-a");
    core.apply_changes(&seed(2, false)).unwrap();
    let l = live(1);
    let mut clips = Vec::new();
    // Eight clips, scores rising with time but for one early best; one taken down, one not ready.
    for i in 0..8i64 {
        let mut h = highlight(&format!("c{i}"), &l, HighlightKind::Auto, HighlightStatus::Posted, 100 + i * 60);
        h.score = if i == 2 { 9.0 } else { 5.0 + i as f64 / 10.0 };
        h.video = Some(ready(&h.id));
        h.results = Some(Results { views: 100 + i as u64, gmv_minor: 1000 * i, ..Default::default() });
        h.seq = 20_000 + i;
        clips.push(h);
    }
    clips[0].status = HighlightStatus::Removed;
    clips[3].video = Some(Video {
        state: VideoState::Rendering,
        duration_ms: None,
        video_url: None,
        thumbnail_url: None,
        storyboard: None,
        detail: None,
    });
    let mut removed_best = highlight("gone", &l, HighlightKind::Auto, HighlightStatus::Removed, 50);
    removed_best.score = 99.0;
    removed_best.video = Some(ready("gone"));
    removed_best.seq = 20_100;
    clips.push(removed_best);
    core.apply_changes(&page(20_200, clips)).unwrap();

    let check = |core: &highlights_core::HighlightsCore| {
        core.dispatch(Event::OpenModule).unwrap();
        let view = core.view().unwrap();
        let row = view.module.recordings.iter().find(|r| r.id == l.id).expect("the recording is listed");
        assert_eq!(
            row.cover_url.as_deref(),
            Some("http://127.0.0.1:9/v1/media/c2/thumbnail.jpg"),
            "the best clip left up"
        );
        let strip: Vec<&str> = row.thumbnail_urls.iter().map(|u| u.rsplit('/').nth(1).unwrap()).collect();
        // c0 and "gone" are taken down, c3 has no thumbnail yet; the seed's clips have no video.
        assert_eq!(strip, ["c1", "c2", "c4", "c5", "c6", "c7"], "the first clips in time order, at most six");
        assert_eq!(row.views, (0..8).map(|i| 100 + i).sum::<u64>(), "every video's views, taken-down ones included");
        assert_eq!(row.gmv_minor, (0..8).map(|i| 1000 * i).sum::<i64>());
        assert_eq!(view.module.currency, config().currency);
    };
    check(&core);
    drop(core);
    check(&dev.open("seller-a"));
}

#[test]
fn reasons_reach_the_screens_as_data_and_old_rows_keep_their_words() {
    let dev = Device::new();
    let core = dev.open("seller-a");
    core.apply_changes(&seed(1, false)).unwrap();
    let l = live(0);
    let mut h = highlight("why", &l, HighlightKind::Auto, HighlightStatus::Scheduled, 300);
    let orders = Reason {
        signal: Signal::Orders,
        count: Some(5),
        factor: None,
        amount_minor: None,
        window_s: 7,
        product_id: Some("sku-1".into()),
    };
    let chat = Reason { signal: Signal::Comments, count: None, factor: Some(4.2), window_s: 20, ..orders.clone() };
    h.reasons = vec![orders.clone(), chat.clone()];
    h.signals = h.reasons.iter().map(Reason::english).collect();
    h.video = Some(ready("why"));
    h.seq = 30_000;
    core.apply_changes(&page(30_000, vec![h])).unwrap();
    core.dispatch(Event::OpenRecording { recording_id: l.id.clone() }).unwrap();
    let find = |core: &highlights_core::HighlightsCore, id: &str| {
        let rec = core.view().unwrap().recording.unwrap();
        rec.highlights.into_iter().chain(rec.recommendations).find(|h| h.id == id).unwrap()
    };
    drop(core);
    let core = dev.open("seller-a");
    core.dispatch(Event::OpenRecording { recording_id: l.id.clone() }).unwrap();
    let row = find(&core, "why");
    assert_eq!(row.reasons, vec![orders, chat], "the values survive the cache and a restart");
    assert_eq!(row.video.unwrap().storyboard.unwrap().frames, 10);
    // A row from an older server: words only, no values; the shells show the words.
    let old = find(&core, &format!("{}-a", l.id));
    assert!(old.reasons.is_empty() && !old.signals.is_empty());
}

#[test]
fn a_storyboard_that_is_no_grid_is_dropped_and_the_video_still_shows() {
    let dev = Device::new();
    let core = dev.open("seller-a");
    core.apply_changes(&seed(1, false)).unwrap();
    let l = live(0);
    let mut h = highlight("grid", &l, HighlightKind::Auto, HighlightStatus::Posted, 300);
    h.video = Some(ready("grid"));
    h.seq = 30_000;
    core.apply_changes(&page(30_000, vec![h.clone()])).unwrap();
    for bad in [
        Storyboard { columns: 0, ..ready("x").storyboard.unwrap() },
        Storyboard { frames: 0, ..ready("x").storyboard.unwrap() },
        Storyboard { interval_ms: -1, ..ready("x").storyboard.unwrap() },
        Storyboard { url: "file:///etc/passwd".into(), ..ready("x").storyboard.unwrap() },
    ] {
        let mut worse = h.clone();
        worse.seq += 1;
        worse.video.as_mut().unwrap().storyboard = Some(bad.clone());
        // The page applies (sync never stalls on a nicety); the video shows without frames.
        core.apply_changes(&page(worse.seq, vec![worse.clone()])).unwrap();
        core.dispatch(Event::OpenRecording { recording_id: l.id.clone() }).unwrap();
        let rec = core.view().unwrap().recording.unwrap();
        let row = rec.highlights.iter().find(|r| r.id == "grid").unwrap();
        let video = row.video.as_ref().unwrap();
        assert!(video.storyboard.is_none() && video.thumbnail_url.is_some(), "{bad:?}: {video:?}");
        h = worse;
        h.video.as_mut().unwrap().storyboard = ready("grid").storyboard;
        h.seq += 1;
        core.apply_changes(&page(h.seq, vec![h.clone()])).unwrap();
    }
}

#[test]
fn a_posted_banner_counts_only_videos_still_up() {
    use highlights_core::view::NotificationKind;
    let dev = Device::new();
    let core = dev.open("seller-a");
    core.apply_changes(&seed(1, false)).unwrap();
    let l = live(0);
    let at = |id: &str, status, seq| {
        let mut h = highlight(id, &l, HighlightKind::Auto, status, 2000);
        h.seq = seq;
        h
    };
    core.apply_changes(&page(
        40_001,
        vec![at("p1", HighlightStatus::Scheduled, 40_001), at("p2", HighlightStatus::Scheduled, 40_001)],
    ))
    .unwrap();
    core.apply_changes(&page(
        40_002,
        vec![at("p1", HighlightStatus::Posted, 40_002), at("p2", HighlightStatus::Posted, 40_002)],
    ))
    .unwrap();
    let posted = |core: &highlights_core::HighlightsCore| {
        core.view().unwrap().notifications.iter().find(|n| n.kind == NotificationKind::Posted).map(|n| n.count)
    };
    assert_eq!(posted(&core), Some(2));
    // Remove all, from another device: both go; the banner no longer says they are up.
    core.apply_changes(&page(40_003, vec![at("p1", HighlightStatus::Removed, 40_003)])).unwrap();
    assert_eq!(posted(&core), Some(1));
    core.apply_changes(&page(40_004, vec![at("p2", HighlightStatus::Removed, 40_004)])).unwrap();
    assert_eq!(posted(&core), None, "{:?}", core.view().unwrap().notifications);
}

#[test]
fn the_learned_posting_bar_is_told_with_its_numbers_kept_through_a_restart_and_reset_at_once() {
    use highlights_core::testing::Action;
    use highlights_core::view::PostingBarNote;
    let dev = Device::new();
    let core = dev.open("seller-a");
    core.apply_changes(&seed(1, false)).unwrap();
    let with_bar = |version: i64, shift: f64| Changes {
        settings: Some(Settings {
            posting_bar: PostingBar { shift, removed: 4, of_last: 10, posted_by_hand: 3 },
            ..settings(true, true, version)
        }),
        ..page(50_000 + version, Vec::new())
    };
    let note = |core: &highlights_core::HighlightsCore| core.view().unwrap().module.posting_bar;
    core.dispatch(Event::OpenModule).unwrap();
    assert_eq!(note(&core), None, "the usual bar needs no note");

    let mut told = 0;
    for (version, shift, fewer) in [(2, 0.1, Some(true)), (3, -0.1, Some(false)), (4, 0.05, None), (5, -0.05, None)] {
        core.apply_changes(&with_bar(version, shift)).unwrap();
        let expected = fewer.map(|fewer| PostingBarNote { fewer, removed: 4, of_last: 10, posted_by_hand: 3 });
        assert_eq!(note(&core), expected, "shift {shift}");
        told += usize::from(expected.is_some());
    }
    assert_eq!(told, 2);

    core.apply_changes(&with_bar(6, 0.4)).unwrap();
    drop(core);
    // Restart: the bar comes back from the cache, not from a new sync.
    let core = dev.open("seller-a");
    core.dispatch(Event::OpenModule).unwrap();
    assert_eq!(note(&core), Some(PostingBarNote { fewer: true, removed: 4, of_last: 10, posted_by_hand: 3 }));

    core.dispatch(Event::ResetPostingBar).unwrap();
    assert_eq!(note(&core), None, "the note goes at once, before the server answers");
    core.dispatch(Event::ResetPostingBar).unwrap();
    let actions: Vec<Action> = core.pending_actions().into_iter().map(|e| e.action).collect();
    assert_eq!(actions, vec![Action::ResetPostingBar], "one reset however often the seller taps");
    drop(core);
    assert_eq!(note(&dev.open("seller-a")), None, "the queued reset survives a restart");
}

#[test]
fn an_unreadable_cached_posting_bar_reads_as_the_usual_one() {
    let dev = Device::new();
    let core = dev.open("seller-a");
    core.apply_changes(&seed(1, false)).unwrap();
    drop(core);
    let conn = rusqlite::Connection::open(dev.db()).unwrap();
    let changed =
        conn.execute("UPDATE settings SET posting_bar = 'not json' WHERE seller_id = 'seller-a'", []).unwrap();
    assert_eq!(changed, 1);
    drop(conn);
    let core = dev.open("seller-a");
    core.dispatch(Event::OpenModule).unwrap();
    let v = core.view().unwrap();
    assert_eq!(v.module.posting_bar, None);
    assert!(!v.module.recordings.is_empty(), "the rest of the cache still reads");
}
