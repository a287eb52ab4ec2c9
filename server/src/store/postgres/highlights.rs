//! Highlights: engine moments scheduled, posted or recommended, seller-made videos, and the rules
//! for posting, removing and cutting them. Kinds and statuses are bound by their one spelling.

use std::sync::LazyLock;

use highlights_api::{
    CreateVideo, Highlight, HighlightKind, HighlightList, HighlightStatus, Live, LiveStatus, RemovedCount, Results,
    Review, Video, VideoState, paths,
};
use highlights_engine::{Decision, Moment, Policy};
use tokio_postgres::Row;

use super::shared::{Tx, exec, exists, lock_changes, next_seq, one, row, rows};
use super::{config, lives, quota, recordings, settings, videos};
use crate::clock::now_ms;
use crate::store::contract::{NewHighlight, StoreError};
use crate::store::quota::RenderQuota;
use crate::store::rules::{self, DuePost, json, random_id};

use HighlightKind::{Auto, Manual, Recommendation};
use HighlightStatus::{Posted, Removed, Scheduled, Suggested};

/// A highlight's columns and its video's, read by [`read`] from [`FROM`].
const COLS: &str = "h.id, h.live_id, h.kind, h.status, h.live_now, h.start_ms, h.end_ms, h.product_id, h.score,
    h.signals, h.post_at_ms, h.format, h.seq, v.state, v.duration_ms, h.review,
    r.views, r.watch_ms, r.live_entries, r.product_clicks, r.orders, r.gmv_minor, v.storyboard, v.note";
const FROM: &str =
    "highlights h LEFT JOIN videos v ON v.highlight_id = h.id LEFT JOIN results r ON r.highlight_id = h.id";

/// Due highlights, each locked for this transaction and skipped while another scheduler holds it,
/// so any number of API servers post each exactly once: whether their LIVE is on (not ended, not
/// silent), whether the seller still wants it (a video the seller made or posted always; an auto
/// one while the toggle is on and the LIVE meets their product choice), whether the video is ready (or not needed), whether it waits for approval.
static DUE_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT h.id, l.status = $2 AND coalesce(l.last_seen_at_ms, 0) >= $3, h.kind <> '{}' OR (coalesce(s.highlights_on, false) AND {}),
             NOT $4::boolean OR coalesce(v.state = '{}', false), h.review = '{}'
         FROM highlights h JOIN lives l ON l.id = h.live_id LEFT JOIN settings s ON s.seller_id = h.seller_id
             LEFT JOIN videos v ON v.highlight_id = h.id
         WHERE h.status = '{}' AND h.post_at_ms <= greatest($1, coalesce(l.last_event_ms, 0))
         FOR UPDATE OF h SKIP LOCKED",
        Auto.as_str(),
        settings::includes_live_sql("h.live_id"),
        VideoState::Ready.as_str(),
        Review::Waiting.as_str(),
        Scheduled.as_str()
    )
});

fn read(r: &Row) -> Result<Highlight, StoreError> {
    let kind: String = r.try_get(2)?;
    let status: String = r.try_get(3)?;
    let (signals, reasons) = rules::stored_reasons(&r.try_get::<_, String>(9)?);
    let format: String = r.try_get(11)?;
    let id: String = r.try_get(0)?;
    let video = match r.try_get::<_, Option<String>>(13)? {
        None => None,
        Some(state) => {
            // The schema's CHECK constraint allows only known spellings.
            let state = VideoState::parse(&state).unwrap_or(VideoState::Failed);
            let ready = state == VideoState::Ready;
            Some(Video {
                state,
                duration_ms: if ready { r.try_get(14)? } else { None },
                video_url: ready.then(|| paths::media_video(&id)),
                thumbnail_url: ready.then(|| paths::media_thumbnail(&id)),
                // Only a ready video's, and only one recorded: videos rendered before storyboards have none.
                storyboard: if ready {
                    crate::store::media_contract::StoredStoryboard::parse(r.try_get::<_, Option<&str>>(22)?)
                        .map(|s| s.storyboard(paths::media_storyboard(&id)))
                } else {
                    None
                },
                detail: if ready { r.try_get(23)? } else { None },
            })
        }
    };
    let results = match r.try_get::<_, Option<i64>>(16)? {
        None => None,
        Some(views) => Some(Results {
            views: views as u64,
            watch_ms: r.try_get::<_, i64>(17)? as u64,
            live_entries: r.try_get::<_, i64>(18)? as u64,
            product_clicks: r.try_get::<_, i64>(19)? as u64,
            orders: r.try_get::<_, i64>(20)? as u64,
            gmv_minor: r.try_get(21)?,
        }),
    };
    Ok(Highlight {
        video,
        id,
        live_id: r.try_get(1)?,
        // The schema's CHECK constraints allow only known spellings.
        kind: HighlightKind::parse(&kind).unwrap_or(Manual),
        status: HighlightStatus::parse(&status).unwrap_or(Removed),
        live_now: r.try_get(4)?,
        start_ms: r.try_get(5)?,
        end_ms: r.try_get(6)?,
        product_id: r.try_get(7)?,
        score: r.try_get(8)?,
        signals,
        reasons,
        post_at_ms: r.try_get(10)?,
        format: serde_json::from_str(&format).unwrap_or_default(),
        review: Review::parse(&r.try_get::<_, String>(15)?).unwrap_or_default(),
        results,
        seq: r.try_get(12)?,
    })
}

/// A highlight of this seller; another seller's is "not found".
async fn load(tx: &Tx<'_>, seller_id: &str, id: &str) -> Result<Highlight, StoreError> {
    let sql = format!("SELECT {COLS} FROM {FROM} WHERE h.seller_id = $1 AND h.id = $2");
    read(&row(tx, &sql, &[&seller_id, &id]).await?.ok_or(StoreError::NotFound("highlight"))?)
}

/// A highlight of this seller, its row held to the end of the transaction: for a change of status
/// decided on what was read (the scheduler may be posting it right now).
async fn load_for_update(tx: &Tx<'_>, seller_id: &str, id: &str) -> Result<Highlight, StoreError> {
    exec(tx, "SELECT 1 FROM highlights WHERE id = $1 AND seller_id = $2 FOR UPDATE", &[&id, &seller_id]).await?;
    load(tx, seller_id, id).await
}

/// Highlights of a seller changed after `seq`, oldest change first, `limit` + 1 at most.
pub(super) async fn changed_since(
    tx: &Tx<'_>,
    seller_id: &str,
    seq: i64,
    limit: u32,
) -> Result<Vec<Highlight>, StoreError> {
    let sql = format!("SELECT {COLS} FROM {FROM} WHERE h.seller_id = $1 AND h.seq > $2 ORDER BY h.seq LIMIT $3");
    rows(tx, &sql, &[&seller_id, &seq, &(i64::from(limit) + 1)]).await?.iter().map(read).collect()
}

/// Every highlight of one LIVE of this seller, by segment start.
pub(super) async fn of_live(tx: &Tx<'_>, seller_id: &str, live_id: &str) -> Result<HighlightList, StoreError> {
    lives::load(tx, seller_id, live_id).await?;
    let sql = format!("SELECT {COLS} FROM {FROM} WHERE h.seller_id = $1 AND h.live_id = $2 ORDER BY h.start_ms, h.id");
    let highlights = rows(tx, &sql, &[&seller_id, &live_id]).await?.iter().map(read).collect::<Result<_, _>>()?;
    Ok(HighlightList { highlights })
}

/// Stores a new highlight and returns it.
pub(super) async fn insert(tx: &Tx<'_>, h: &NewHighlight) -> Result<Highlight, StoreError> {
    let id = random_id("hl", 12)?;
    let seq = next_seq(tx).await?;
    exec(
        tx,
        "INSERT INTO highlights (id, seller_id, live_id, kind, status, live_now, start_ms, end_ms, peak_ms, product_id, score,
             signals, identified_at_ms, post_at_ms, posted_at_ms, format, seq, found_start_ms, found_end_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $7, $8)",
        &[
            &id,
            &h.seller_id,
            &h.live_id,
            &h.kind.as_str(),
            &h.status.as_str(),
            &h.live_now,
            &h.start_ms,
            &h.end_ms,
            &h.peak_ms,
            &h.product_id,
            &h.score,
            &json(&h.reasons),
            &h.identified_at_ms,
            &h.post_at_ms,
            &h.posted_at_ms,
            &json(&h.format),
            &seq,
        ],
    )
    .await?;
    load(tx, &h.seller_id, &id).await
}

/// Sets a highlight's status (and LIVE-now flag), bumping its change sequence number.
async fn set_status(tx: &Tx<'_>, id: &str, status: HighlightStatus, live_now: bool) -> Result<(), StoreError> {
    let seq = next_seq(tx).await?;
    let posted_at = (status == Posted).then(now_ms);
    exec(
        tx,
        "UPDATE highlights SET status = $2, live_now = $3, posted_at_ms = coalesce(posted_at_ms, $4), seq = $5 WHERE id = $1",
        &[&id, &status.as_str(), &live_now, &posted_at, &seq],
    )
    .await?;
    Ok(())
}

/// Posts a suggested recommendation; what is already on the profile (or on its way) stays as it
/// is. When videos are made here, it is scheduled now and posts once its video is ready.
pub(super) async fn post(tx: &Tx<'_>, seller_id: &str, id: &str, videos: bool) -> Result<Highlight, StoreError> {
    lock_changes(tx).await?;
    let h = load_for_update(tx, seller_id, id).await?;
    match (h.kind, h.status) {
        (Recommendation, Suggested) if videos => {
            if h.video.as_ref().is_none_or(|v| v.state != VideoState::Ready) && recordings::gone(tx, &h.live_id).await?
            {
                return Err(rules::recording_gone());
            }
            let now = now_ms();
            let seq = next_seq(tx).await?;
            exec(
                tx,
                "UPDATE highlights SET status = $2, post_at_ms = $3, seq = $4 WHERE id = $1",
                &[&id, &Scheduled.as_str(), &now, &seq],
            )
            .await?;
            videos::enqueue(tx, id, now).await?;
            load(tx, seller_id, id).await
        }
        (Recommendation, Suggested) => {
            let live = lives::load(tx, seller_id, &h.live_id).await?;
            set_status(tx, id, Posted, live.status == LiveStatus::Live).await?;
            load(tx, seller_id, id).await
        }
        (_, Posted | Scheduled) => Ok(h),
        _ => Err(StoreError::rule("not_postable", "only a suggested recommendation can be posted")),
    }
}

/// Takes a highlight down; removing twice is harmless.
pub(super) async fn remove(tx: &Tx<'_>, seller_id: &str, id: &str) -> Result<Highlight, StoreError> {
    lock_changes(tx).await?;
    let h = load_for_update(tx, seller_id, id).await?;
    if h.status != Removed {
        take_down(tx, id).await?;
        removed_by_seller(tx, id).await?;
    }
    load(tx, seller_id, id).await
}

/// Removes one highlight from the profile (or cancels its post) and drops its unfinished video.
async fn take_down(tx: &Tx<'_>, id: &str) -> Result<(), StoreError> {
    set_status(tx, id, Removed, false).await?;
    videos::take_down(tx, id).await
}

/// Notes that the seller took a highlight down, and when: what their bar learns from (posts
/// cancelled with their LIVE say nothing of their taste).
async fn removed_by_seller(tx: &Tx<'_>, id: &str) -> Result<(), StoreError> {
    exec(tx, "UPDATE highlights SET removed_at_ms = $2 WHERE id = $1", &[&id, &now_ms()]).await?;
    Ok(())
}

/// Records where a post stands in the seller's review, as a change clients pull.
async fn set_review(tx: &Tx<'_>, id: &str, review: Review) -> Result<(), StoreError> {
    let seq = next_seq(tx).await?;
    exec(tx, "UPDATE highlights SET review = $2, seq = $3 WHERE id = $1", &[&id, &review.as_str(), &seq]).await?;
    Ok(())
}

/// The seller's choice for one LIVE. Off cancels its scheduled posts (they never went out) and
/// their unfinished videos, and the engine's next moments of it are not kept; what is already on
/// the profile stays until the seller removes it.
pub(super) async fn set_live_highlights(
    tx: &Tx<'_>,
    seller_id: &str,
    live_id: &str,
    on: bool,
) -> Result<Live, StoreError> {
    lock_changes(tx).await?;
    exec(tx, "SELECT 1 FROM lives WHERE id = $1 AND seller_id = $2 FOR UPDATE", &[&live_id, &seller_id]).await?;
    let live = lives::load(tx, seller_id, live_id).await?;
    if live.highlights_on != on {
        lives::set_highlights_on(tx, live_id, on).await?;
        if !on {
            cancel_scheduled(tx, live_id).await?;
        }
    }
    lives::load(tx, seller_id, live_id).await
}

/// The seller approves an auto-post waiting for review: it posts at its post time. Approving
/// twice is harmless; anything else (already posted, removed, never asked) is refused.
pub(super) async fn approve(tx: &Tx<'_>, seller_id: &str, id: &str) -> Result<Highlight, StoreError> {
    lock_changes(tx).await?;
    let h = load_for_update(tx, seller_id, id).await?;
    match (h.status, h.review) {
        (_, Review::Approved) => {}
        (Scheduled, Review::Waiting) => set_review(tx, id, Review::Approved).await?,
        _ => return Err(StoreError::rule("not_waiting", "only a scheduled post waiting for review can be approved")),
    }
    load(tx, seller_id, id).await
}

/// Cancels a LIVE's scheduled posts with their unfinished videos.
async fn cancel_scheduled(tx: &Tx<'_>, live_id: &str) -> Result<(), StoreError> {
    let ids = rows(
        tx,
        "SELECT id FROM highlights WHERE live_id = $1 AND status = $2 FOR UPDATE",
        &[&live_id, &Scheduled.as_str()],
    )
    .await?;
    for r in &ids {
        take_down(tx, r.try_get(0)?).await?;
    }
    Ok(())
}

/// Takes down every auto-posted highlight of a LIVE, or of all the seller's LIVEs, scheduled ones
/// included; their videos leave the profile feed with them.
pub(super) async fn remove_auto(
    tx: &Tx<'_>,
    seller_id: &str,
    live_id: Option<&str>,
) -> Result<RemovedCount, StoreError> {
    lock_changes(tx).await?;
    if let Some(live_id) = live_id {
        lives::load(tx, seller_id, live_id).await?;
    }
    let ids = rows(
        tx,
        "SELECT id FROM highlights WHERE seller_id = $1 AND ($2::text IS NULL OR live_id = $2) AND kind = $3
             AND status IN ($4, $5) FOR UPDATE",
        &[&seller_id, &live_id, &Auto.as_str(), &Scheduled.as_str(), &Posted.as_str()],
    )
    .await?;
    for r in &ids {
        take_down(tx, r.try_get(0)?).await?;
        removed_by_seller(tx, r.try_get(0)?).await?;
    }
    Ok(RemovedCount { removed: ids.len() as u64 })
}

/// Checks a seller-made video as the app core does, then stores it: posted, or, when videos are
/// made here, scheduled now to post once its video is ready, within the seller's render `quota`.
pub(super) async fn create_video(
    tx: &Tx<'_>,
    seller_id: &str,
    v: &CreateVideo,
    videos: bool,
    quota: &RenderQuota,
) -> Result<Highlight, StoreError> {
    lock_changes(tx).await?;
    if !highlights_api::is_valid_id(&v.live_id) {
        return Err(StoreError::NotFound("live"));
    }
    let live = lives::load(tx, seller_id, &v.live_id).await?;
    let (cfg, _) = config::load(tx).await?;
    let now = now_ms();
    rules::check_video(&live, &cfg, v, now)?;
    if videos && recordings::gone(tx, &v.live_id).await? {
        return Err(rules::recording_gone());
    }
    if videos {
        quota::admit(tx, seller_id, quota, now).await?;
    }
    let format = config::clip_format(tx, seller_id).await?;
    let h = insert(
        tx,
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
    )
    .await?;
    if !videos {
        return Ok(h);
    }
    quota::record(tx, seller_id, &h.id, now).await?;
    videos::enqueue(tx, &h.id, now).await?;
    load(tx, seller_id, &h.id).await
}

/// Auto-posts of a LIVE so far, removed ones too (taking one down never lets the engine exceed
/// the cap): in all, and for one product (`None`: the ones tied to no product).
async fn auto_posts(tx: &Tx<'_>, live_id: &str, product: Option<&str>) -> Result<(u32, u32), StoreError> {
    let in_live: i64 =
        one(tx, "SELECT count(*) FROM highlights WHERE live_id = $1 AND kind = $2", &[&live_id, &Auto.as_str()])
            .await?;
    let for_product: i64 = one(
        tx,
        "SELECT count(*) FROM highlights WHERE live_id = $1 AND kind = $2 AND product_id IS NOT DISTINCT FROM $3",
        &[&live_id, &Auto.as_str(), &product],
    )
    .await?;
    Ok((in_live as u32, for_product as u32))
}

/// Stores one moment the engine found: only for sellers with the toggle on; auto-posted within
/// the caps of remote config, otherwise kept as a recommendation; a moment to post gets its video
/// queued when `videos`. Returns what was decided.
pub(super) async fn store_moment(
    tx: &Tx<'_>,
    seller_id: &str,
    m: &Moment,
    videos: bool,
) -> Result<Option<Decision>, StoreError> {
    if !settings::toggle_on(tx, seller_id).await?
        || !lives::highlights_on(tx, &m.live_id).await?
        || !settings::includes_live(tx, seller_id, &m.live_id).await?
    {
        return Ok(None);
    }
    // The caps are counted and the highlight inserted under the LIVE's row lock: two processes
    // storing moments of one LIVE at once take turns, so neither exceeds a cap.
    exec(tx, "SELECT 1 FROM lives WHERE id = $1 FOR UPDATE", &[&m.live_id]).await?;
    // A moment overlapping one already stored for this LIVE is the same moment seen again (a
    // detector rebuilt after a restart re-finds what it found before the crash). Spans as found:
    // a video's edges moved to natural breaks must not swallow the next moment.
    let seen = exists(
        tx,
        "SELECT 1 FROM highlights WHERE live_id = $1 AND kind != $4
             AND coalesce(found_start_ms, start_ms) < $3 AND coalesce(found_end_ms, end_ms) > $2 LIMIT 1",
        &[&m.live_id, &m.start_ms, &m.end_ms, &Manual.as_str()],
    )
    .await?;
    if seen {
        return Ok(None);
    }
    let (cfg, _) = config::load(tx).await?;
    let (in_live, for_product) = auto_posts(tx, &m.live_id, m.product_id.as_deref()).await?;
    let decision = Policy::from_config(&cfg).decide(m, in_live, for_product);
    let format = config::clip_format(tx, seller_id).await?;
    let (kind, status, post_at) = match decision {
        Decision::AutoPost { post_at_ms } => (Auto, Scheduled, Some(post_at_ms)),
        Decision::Recommend => (Recommendation, Suggested, None),
    };
    let h = insert(
        tx,
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
    )
    .await?;
    if status == Scheduled && settings::review_before_posting(tx, seller_id).await? {
        set_review(tx, &h.id, Review::Waiting).await?;
    }
    // Rendered right away, approved or not, so that an approved post is not late.
    if videos && status == Scheduled {
        videos::enqueue(tx, &h.id, now_ms()).await?;
    }
    Ok(Some(decision))
}

/// Whether any highlight is waiting to be posted (lets the scheduler idle cheaply).
pub(super) async fn any_scheduled(tx: &Tx<'_>) -> Result<bool, StoreError> {
    exists(tx, "SELECT 1 FROM highlights WHERE status = 'scheduled' LIMIT 1", &[]).await
}

/// Posts every scheduled highlight that is due, by the later of the wall clock and its LIVE's
/// stream clock, once its video is ready when `videos` (a later video posts as soon as it is
/// ready). An auto highlight of a seller who turned the toggle off meanwhile becomes a
/// recommendation instead; what the seller made or posted themselves goes out regardless.
pub(super) async fn post_due(tx: &Tx<'_>, now_ms: i64, videos: bool) -> Result<u32, StoreError> {
    lock_changes(tx).await?;
    let silent_before = config::silent_before(tx, crate::clock::now_ms()).await?;
    let due = rows(tx, &DUE_SQL, &[&now_ms, &LiveStatus::Live.as_str(), &silent_before, &videos]).await?;
    let mut posted = 0;
    for r in &due {
        let (id, live, on, ready, unapproved): (String, bool, bool, bool, bool) =
            (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?);
        // Not approved by its post time: it does not go out, the seller can still post it.
        match DuePost::decide(on, ready, unapproved) {
            DuePost::Wait => {}
            DuePost::Post => {
                set_status(tx, &id, Posted, live).await?;
                posted += 1;
            }
            DuePost::Recommend => {
                let seq = next_seq(tx).await?;
                // Let lapse unapproved while the seller wants highlights: a skip the bar may learn from.
                let skipped_at = (on && unapproved).then_some(now_ms);
                exec(
                    tx,
                    "UPDATE highlights SET kind = $2, status = $3, post_at_ms = NULL, review = $4, seq = $5,
                         skipped_at_ms = $6 WHERE id = $1",
                    &[
                        &id,
                        &Recommendation.as_str(),
                        &Suggested.as_str(),
                        &Review::NotAsked.as_str(),
                        &seq,
                        &skipped_at,
                    ],
                )
                .await?;
                videos::drop_unfinished(tx, &id).await?;
            }
        }
    }
    Ok(posted)
}

/// Clears the LIVE-now flag of a LIVE's highlights once it has ended.
pub(super) async fn clear_live_now(tx: &Tx<'_>, live_id: &str) -> Result<(), StoreError> {
    for r in rows(tx, "SELECT id FROM highlights WHERE live_id = $1 AND live_now FOR UPDATE", &[&live_id]).await? {
        let id: String = r.try_get(0)?;
        let seq = next_seq(tx).await?;
        exec(tx, "UPDATE highlights SET live_now = false, seq = $2 WHERE id = $1", &[&id, &seq]).await?;
    }
    Ok(())
}
