//! Highlights: engine moments scheduled, posted or recommended, seller-made videos, and the rules
//! for posting, removing and cutting them. Kinds and statuses are bound by their one spelling.

use std::sync::LazyLock;

use highlights_api::{
    CreateVideo, Highlight, HighlightKind, HighlightList, HighlightStatus, Live, LiveStatus, RemovedCount, Results,
    Review, Video, VideoState, paths,
};
use highlights_engine::{Decision, Moment, Policy};
use rusqlite::{Connection, OptionalExtension, params};

use super::shared::{json, next_seq, random_id};
use super::{config, lives, quota, recordings, settings, videos};
use crate::clock::now_ms;
use crate::store::contract::{NewHighlight, StoreError};
use crate::store::quota::RenderQuota;
use crate::store::rules::{self, DuePost};

use HighlightKind::{Auto, Manual, Recommendation};
use HighlightStatus::{Posted, Removed, Scheduled, Suggested};

/// A highlight's columns and its video's, read by [`read`] from [`FROM`].
const COLS: &str = "h.id, h.live_id, h.kind, h.status, h.live_now, h.start_ms, h.end_ms, h.product_id, h.score,
    h.signals, h.post_at_ms, h.format, h.seq, v.state, v.duration_ms, h.review,
    r.views, r.watch_ms, r.live_entries, r.product_clicks, r.orders, r.gmv_minor, v.storyboard, v.note";
const FROM: &str =
    "highlights h LEFT JOIN videos v ON v.highlight_id = h.id LEFT JOIN results r ON r.highlight_id = h.id";

/// Due highlights: whether their LIVE is on (not ended, not silent), whether the seller still wants
/// it (a video the seller made or posted always; an auto one while the toggle is on and the LIVE
/// meets their product choice), whether the video is ready (or not needed). The status is written into the text, not bound:
/// only then can SQLite use the partial index on scheduled rows.
static DUE_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT h.id, l.status = ?2 AND coalesce(l.last_seen_at_ms, 0) >= ?3, h.kind <> '{}' OR (coalesce(s.highlights_on, 0) AND {}),
             NOT ?4 OR coalesce(v.state = '{}', 0), h.review = '{}'
         FROM highlights h JOIN lives l ON l.id = h.live_id LEFT JOIN settings s ON s.seller_id = h.seller_id
             LEFT JOIN videos v ON v.highlight_id = h.id
         WHERE h.status = '{}' AND h.post_at_ms <= max(?1, coalesce(l.last_event_ms, 0))",
        Auto.as_str(),
        settings::includes_live_sql("h.live_id"),
        VideoState::Ready.as_str(),
        Review::Waiting.as_str(),
        Scheduled.as_str()
    )
});

/// Whether anything is scheduled, through the same partial index.
static ANY_SCHEDULED_SQL: LazyLock<String> =
    LazyLock::new(|| format!("SELECT 1 FROM highlights WHERE status = '{}' LIMIT 1", Scheduled.as_str()));

fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Highlight> {
    let kind: String = r.get(2)?;
    let status: String = r.get(3)?;
    let (signals, reasons) = rules::stored_reasons(&r.get::<_, String>(9)?);
    let format: String = r.get(11)?;
    let id: String = r.get(0)?;
    let video = r.get::<_, Option<String>>(13)?.map(|state| {
        // The schema's CHECK constraint allows only known spellings.
        let state = VideoState::parse(&state).unwrap_or(VideoState::Failed);
        let ready = state == VideoState::Ready;
        Ok::<_, rusqlite::Error>(Video {
            state,
            duration_ms: if ready { r.get(14)? } else { None },
            video_url: ready.then(|| paths::media_video(&id)),
            thumbnail_url: ready.then(|| paths::media_thumbnail(&id)),
            // Only a ready video's, and only one recorded: videos rendered before storyboards have none.
            storyboard: if ready {
                crate::store::media_contract::StoredStoryboard::parse(r.get::<_, Option<String>>(22)?.as_deref())
                    .map(|s| s.storyboard(paths::media_storyboard(&id)))
            } else {
                None
            },
            detail: if ready { r.get(23)? } else { None },
        })
    });
    Ok(Highlight {
        video: video.transpose()?,
        id,
        live_id: r.get(1)?,
        // The schema's CHECK constraints allow only known spellings.
        kind: HighlightKind::parse(&kind).unwrap_or(Manual),
        status: HighlightStatus::parse(&status).unwrap_or(Removed),
        live_now: r.get(4)?,
        start_ms: r.get(5)?,
        end_ms: r.get(6)?,
        product_id: r.get(7)?,
        score: r.get(8)?,
        signals,
        reasons,
        post_at_ms: r.get(10)?,
        format: serde_json::from_str(&format).unwrap_or_default(),
        review: Review::parse(&r.get::<_, String>(15)?).unwrap_or_default(),
        results: match r.get::<_, Option<i64>>(16)? {
            None => None,
            Some(views) => Some(Results {
                views: views as u64,
                watch_ms: r.get::<_, i64>(17)? as u64,
                live_entries: r.get::<_, i64>(18)? as u64,
                product_clicks: r.get::<_, i64>(19)? as u64,
                orders: r.get::<_, i64>(20)? as u64,
                gmv_minor: r.get(21)?,
            }),
        },
        seq: r.get(12)?,
    })
}

/// A highlight of this seller; another seller's is "not found".
fn load(conn: &Connection, seller_id: &str, id: &str) -> Result<Highlight, StoreError> {
    let sql = format!("SELECT {COLS} FROM {FROM} WHERE h.seller_id = ?1 AND h.id = ?2");
    conn.prepare_cached(&sql)?
        .query_row(params![seller_id, id], read)
        .optional()?
        .ok_or(StoreError::NotFound("highlight"))
}

/// Highlights of a seller changed after `seq`, oldest change first, `limit` + 1 at most.
pub(super) fn changed_since(
    conn: &Connection,
    seller_id: &str,
    seq: i64,
    limit: u32,
) -> Result<Vec<Highlight>, StoreError> {
    let sql = format!("SELECT {COLS} FROM {FROM} WHERE h.seller_id = ?1 AND h.seq > ?2 ORDER BY h.seq LIMIT ?3");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![seller_id, seq, limit + 1], read)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every highlight of one LIVE of this seller, by segment start.
pub(super) fn of_live(conn: &Connection, seller_id: &str, live_id: &str) -> Result<HighlightList, StoreError> {
    lives::load(conn, seller_id, live_id)?;
    let sql = format!("SELECT {COLS} FROM {FROM} WHERE h.seller_id = ?1 AND h.live_id = ?2 ORDER BY h.start_ms, h.id");
    let highlights =
        conn.prepare_cached(&sql)?.query_map(params![seller_id, live_id], read)?.collect::<Result<_, _>>()?;
    Ok(HighlightList { highlights })
}

/// Stores a new highlight and returns it.
pub(super) fn insert(conn: &Connection, h: &NewHighlight) -> Result<Highlight, StoreError> {
    let id = random_id("hl", 12)?;
    let seq = next_seq(conn)?;
    conn.prepare_cached(
        "INSERT INTO highlights (id, seller_id, live_id, kind, status, live_now, start_ms, end_ms, peak_ms, product_id, score,
             signals, identified_at_ms, post_at_ms, posted_at_ms, format, seq, found_start_ms, found_end_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?7, ?8)",
    )?
    .execute(params![
        id,
        h.seller_id,
        h.live_id,
        h.kind.as_str(),
        h.status.as_str(),
        h.live_now,
        h.start_ms,
        h.end_ms,
        h.peak_ms,
        h.product_id,
        h.score,
        json(&h.reasons),
        h.identified_at_ms,
        h.post_at_ms,
        h.posted_at_ms,
        json(&h.format),
        seq
    ])?;
    load(conn, &h.seller_id, &id)
}

/// Sets a highlight's status (and LIVE-now flag), bumping its change sequence number.
fn set_status(conn: &Connection, id: &str, status: HighlightStatus, live_now: bool) -> Result<(), StoreError> {
    let seq = next_seq(conn)?;
    let posted_at = (status == Posted).then(now_ms);
    conn.prepare_cached(
        "UPDATE highlights SET status = ?2, live_now = ?3, posted_at_ms = coalesce(posted_at_ms, ?4), seq = ?5 WHERE id = ?1",
    )?
    .execute(params![id, status.as_str(), live_now, posted_at, seq])?;
    Ok(())
}

/// Posts a suggested recommendation; what is already on the profile (or on its way) stays as it
/// is. When videos are made here, it is scheduled now and posts once its video is ready.
pub(super) fn post(conn: &Connection, seller_id: &str, id: &str, videos: bool) -> Result<Highlight, StoreError> {
    let h = load(conn, seller_id, id)?;
    match (h.kind, h.status) {
        (Recommendation, Suggested) if videos => {
            if h.video.as_ref().is_none_or(|v| v.state != VideoState::Ready) && recordings::gone(conn, &h.live_id)? {
                return Err(rules::recording_gone());
            }
            let now = now_ms();
            let seq = next_seq(conn)?;
            conn.prepare_cached("UPDATE highlights SET status = ?2, post_at_ms = ?3, seq = ?4 WHERE id = ?1")?
                .execute(params![id, Scheduled.as_str(), now, seq])?;
            videos::enqueue(conn, id, now)?;
            load(conn, seller_id, id)
        }
        (Recommendation, Suggested) => {
            let live = lives::load(conn, seller_id, &h.live_id)?;
            set_status(conn, id, Posted, live.status == LiveStatus::Live)?;
            load(conn, seller_id, id)
        }
        (_, Posted | Scheduled) => Ok(h),
        _ => Err(StoreError::rule("not_postable", "only a suggested recommendation can be posted")),
    }
}

/// Takes a highlight down; removing twice is harmless.
pub(super) fn remove(conn: &Connection, seller_id: &str, id: &str) -> Result<Highlight, StoreError> {
    let h = load(conn, seller_id, id)?;
    if h.status != Removed {
        take_down(conn, id)?;
        removed_by_seller(conn, id)?;
    }
    load(conn, seller_id, id)
}

/// Removes one highlight from the profile (or cancels its post) and drops its unfinished video.
fn take_down(conn: &Connection, id: &str) -> Result<(), StoreError> {
    set_status(conn, id, Removed, false)?;
    videos::take_down(conn, id)
}

/// Notes that the seller took a highlight down, and when: what their bar learns from (posts
/// cancelled with their LIVE say nothing of their taste).
fn removed_by_seller(conn: &Connection, id: &str) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE highlights SET removed_at_ms = ?2 WHERE id = ?1")?.execute(params![id, now_ms()])?;
    Ok(())
}

/// Records where a post stands in the seller's review, as a change clients pull.
fn set_review(conn: &Connection, id: &str, review: Review) -> Result<(), StoreError> {
    let seq = next_seq(conn)?;
    conn.prepare_cached("UPDATE highlights SET review = ?2, seq = ?3 WHERE id = ?1")?.execute(params![
        id,
        review.as_str(),
        seq
    ])?;
    Ok(())
}

/// The seller's choice for one LIVE. Off cancels its scheduled posts (they never went out) and
/// their unfinished videos, and the engine's next moments of it are not kept; what is already on
/// the profile stays until the seller removes it.
pub(super) fn set_live_highlights(
    conn: &Connection,
    seller_id: &str,
    live_id: &str,
    on: bool,
) -> Result<Live, StoreError> {
    let live = lives::load(conn, seller_id, live_id)?;
    if live.highlights_on != on {
        lives::set_highlights_on(conn, live_id, on)?;
        if !on {
            cancel_scheduled(conn, live_id)?;
        }
    }
    lives::load(conn, seller_id, live_id)
}

/// The seller approves an auto-post waiting for review: it posts at its post time. Approving
/// twice is harmless; anything else (already posted, removed, never asked) is refused.
pub(super) fn approve(conn: &Connection, seller_id: &str, id: &str) -> Result<Highlight, StoreError> {
    let h = load(conn, seller_id, id)?;
    match (h.status, h.review) {
        (_, Review::Approved) => {}
        (Scheduled, Review::Waiting) => set_review(conn, id, Review::Approved)?,
        _ => return Err(StoreError::rule("not_waiting", "only a scheduled post waiting for review can be approved")),
    }
    load(conn, seller_id, id)
}

/// Cancels a LIVE's scheduled posts with their unfinished videos.
fn cancel_scheduled(conn: &Connection, live_id: &str) -> Result<(), StoreError> {
    let ids: Vec<String> = conn
        .prepare_cached("SELECT id FROM highlights WHERE live_id = ?1 AND status = ?2")?
        .query_map(params![live_id, Scheduled.as_str()], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in &ids {
        take_down(conn, id)?;
    }
    Ok(())
}

/// Takes down every auto-posted highlight of a LIVE, or of all the seller's LIVEs, scheduled ones
/// included; their videos leave the profile feed with them.
pub(super) fn remove_auto(
    conn: &Connection,
    seller_id: &str,
    live_id: Option<&str>,
) -> Result<RemovedCount, StoreError> {
    if let Some(live_id) = live_id {
        lives::load(conn, seller_id, live_id)?;
    }
    let ids: Vec<String> = conn
        .prepare_cached(
            "SELECT id FROM highlights WHERE seller_id = ?1 AND (?2 IS NULL OR live_id = ?2) AND kind = ?3
             AND status IN (?4, ?5)",
        )?
        .query_map(params![seller_id, live_id, Auto.as_str(), Scheduled.as_str(), Posted.as_str()], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in &ids {
        take_down(conn, id)?;
        removed_by_seller(conn, id)?;
    }
    Ok(RemovedCount { removed: ids.len() as u64 })
}

/// Checks a seller-made video as the app core does, then stores it: posted, or, when videos are
/// made here, scheduled now to post once its video is ready, within the seller's render `quota`.
pub(super) fn create_video(
    conn: &Connection,
    seller_id: &str,
    v: &CreateVideo,
    videos: bool,
    quota: &RenderQuota,
) -> Result<Highlight, StoreError> {
    if !highlights_api::is_valid_id(&v.live_id) {
        return Err(StoreError::NotFound("live"));
    }
    let live = lives::load(conn, seller_id, &v.live_id)?;
    let (cfg, _) = config::load(conn)?;
    let now = now_ms();
    rules::check_video(&live, &cfg, v, now)?;
    if videos && recordings::gone(conn, &v.live_id)? {
        return Err(rules::recording_gone());
    }
    if videos {
        quota::admit(conn, seller_id, quota, now)?;
    }
    let format = config::clip_format(conn, seller_id)?;
    let h = insert(
        conn,
        &NewHighlight {
            seller_id: seller_id.into(),
            live_id: v.live_id.clone(),
            kind: Manual,
            status: if videos { Scheduled } else { Posted },
            live_now: !videos && live.status == LiveStatus::Live,
            start_ms: v.start_ms,
            end_ms: v.end_ms,
            peak_ms: None,
            product_id: Some(v.product_id.clone()),
            score: 0.0,
            reasons: Vec::new(),
            identified_at_ms: None,
            post_at_ms: Some(now),
            posted_at_ms: (!videos).then_some(now),
            format,
        },
    )?;
    if !videos {
        return Ok(h);
    }
    quota::record(conn, seller_id, &h.id, now)?;
    videos::enqueue(conn, &h.id, now)?;
    load(conn, seller_id, &h.id)
}

/// Auto-posts of a LIVE so far, removed ones too (taking one down never lets the engine exceed
/// the cap): in all, and for one product (`None`: the ones tied to no product).
fn auto_posts(conn: &Connection, live_id: &str, product: Option<&str>) -> Result<(u32, u32), StoreError> {
    let in_live = conn
        .prepare_cached("SELECT count(*) FROM highlights WHERE live_id = ?1 AND kind = ?2")?
        .query_row(params![live_id, Auto.as_str()], |r| r.get(0))?;
    let for_product = conn
        .prepare_cached("SELECT count(*) FROM highlights WHERE live_id = ?1 AND kind = ?2 AND product_id IS ?3")?
        .query_row(params![live_id, Auto.as_str(), product], |r| r.get(0))?;
    Ok((in_live, for_product))
}

/// Stores one moment the engine found: only for sellers with the toggle on; auto-posted within
/// the caps of remote config, otherwise kept as a recommendation; a moment to post gets its video
/// queued when `videos`. Returns what was decided.
pub(super) fn store_moment(
    conn: &Connection,
    seller_id: &str,
    m: &Moment,
    videos: bool,
) -> Result<Option<Decision>, StoreError> {
    if !settings::toggle_on(conn, seller_id)?
        || !lives::highlights_on(conn, &m.live_id)?
        || !settings::includes_live(conn, seller_id, &m.live_id)?
    {
        return Ok(None);
    }
    // A moment overlapping one already stored for this LIVE is the same moment seen again (a
    // detector rebuilt after a restart re-finds what it found before the crash). Spans as found:
    // a video's edges moved to natural breaks must not swallow the next moment.
    let seen: bool = conn
        .prepare_cached(
            "SELECT 1 FROM highlights WHERE live_id = ?1 AND kind != ?4
             AND coalesce(found_start_ms, start_ms) < ?3 AND coalesce(found_end_ms, end_ms) > ?2 LIMIT 1",
        )?
        .exists(params![m.live_id, m.start_ms, m.end_ms, Manual.as_str()])?;
    if seen {
        return Ok(None);
    }
    let (cfg, _) = config::load(conn)?;
    let (in_live, for_product) = auto_posts(conn, &m.live_id, m.product_id.as_deref())?;
    let decision = Policy::from_config(&cfg).decide(m, in_live, for_product);
    let format = config::clip_format(conn, seller_id)?;
    let (kind, status, post_at) = match decision {
        Decision::AutoPost { post_at_ms } => (Auto, Scheduled, Some(post_at_ms)),
        Decision::Recommend => (Recommendation, Suggested, None),
    };
    let h = insert(
        conn,
        &NewHighlight {
            seller_id: seller_id.into(),
            live_id: m.live_id.clone(),
            kind,
            status,
            live_now: false,
            start_ms: m.start_ms,
            end_ms: m.end_ms,
            peak_ms: Some(m.peak_ms),
            product_id: m.product_id.clone(),
            score: m.score,
            reasons: m.reasons.clone(),
            identified_at_ms: Some(m.identified_at_ms),
            post_at_ms: post_at,
            posted_at_ms: None,
            format,
        },
    )?;
    if status == Scheduled && settings::review_before_posting(conn, seller_id)? {
        set_review(conn, &h.id, Review::Waiting)?;
    }
    // Rendered right away, approved or not, so that an approved post is not late.
    if videos && status == Scheduled {
        videos::enqueue(conn, &h.id, now_ms())?;
    }
    Ok(Some(decision))
}

/// Whether any highlight is waiting to be posted (lets the scheduler idle cheaply).
pub(super) fn any_scheduled(conn: &Connection) -> Result<bool, StoreError> {
    Ok(conn.prepare_cached(&ANY_SCHEDULED_SQL)?.exists([])?)
}

/// Posts every scheduled highlight that is due, by the later of the wall clock and its LIVE's
/// stream clock, once its video is ready when `videos` (a later video posts as soon as it is
/// ready). An auto highlight of a seller who turned the toggle off meanwhile becomes a
/// recommendation instead; what the seller made or posted themselves goes out regardless.
pub(super) fn post_due(conn: &Connection, now_ms: i64, videos: bool) -> Result<u32, StoreError> {
    let silent_before = config::silent_before(conn, crate::clock::now_ms())?;
    let due: Vec<(String, bool, bool, bool, bool)> = conn
        .prepare_cached(&DUE_SQL)?
        .query_map(params![now_ms, LiveStatus::Live.as_str(), silent_before, videos], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut posted = 0;
    for (id, live, on, ready, unapproved) in due {
        // Not approved by its post time: it does not go out, the seller can still post it.
        let decision = DuePost::decide(on, ready, unapproved);
        if decision == DuePost::Wait {
            continue;
        }
        if decision == DuePost::Post {
            set_status(conn, &id, Posted, live)?;
            posted += 1;
        } else {
            let seq = next_seq(conn)?;
            // Let lapse unapproved while the seller wants highlights: a skip the bar may learn from.
            let skipped_at = (on && unapproved).then_some(now_ms);
            conn.prepare_cached(
                "UPDATE highlights SET kind = ?2, status = ?3, post_at_ms = NULL, review = ?4, seq = ?5,
                     skipped_at_ms = ?6 WHERE id = ?1",
            )?
            .execute(params![
                id,
                Recommendation.as_str(),
                Suggested.as_str(),
                Review::NotAsked.as_str(),
                seq,
                skipped_at
            ])?;
            videos::drop_unfinished(conn, &id)?;
        }
    }
    Ok(posted)
}

/// Clears the LIVE-now flag of a LIVE's highlights once it has ended.
pub(super) fn clear_live_now(conn: &Connection, live_id: &str) -> Result<(), StoreError> {
    let ids: Vec<String> = conn
        .prepare_cached("SELECT id FROM highlights WHERE live_id = ?1 AND live_now = 1")?
        .query_map([live_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in ids {
        let seq = next_seq(conn)?;
        conn.prepare_cached("UPDATE highlights SET live_now = 0, seq = ?2 WHERE id = ?1")?.execute(params![id, seq])?;
    }
    Ok(())
}
