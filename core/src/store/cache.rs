//! The cached server state: settings, remote config, experiments, LIVEs and highlights.

use highlights_api::{
    Changes, Experiments, FormatSpec, Highlight, HighlightKind, HighlightStatus, Live, LiveStatus, RemoteConfig,
    Review, Settings, Video, VideoState,
};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Serialize, de::DeserializeOwned};

use super::connection::{Store, from_json, to_json};
use super::error::StoreError;
use super::{notices, notifications};
use crate::error::id_problem;

/// Told to the seller when a highlight's video could not be made.
pub(crate) const VIDEO_FAILED_NOTICE: &str =
    "A highlight's video could not be made. It is back in Recommendations: post it to try again.";

fn bad(message: impl Into<String>) -> StoreError {
    StoreError::BadServerData(message.into())
}

fn check_id(what: &str, id: &str) -> Result<(), StoreError> {
    match id_problem(id) {
        None => Ok(()),
        Some(reason) => Err(bad(format!("invalid {what} id: {reason}"))),
    }
}

fn check_config(c: &RemoteConfig) -> Result<(), StoreError> {
    if c.clip_min_s == 0 || c.clip_min_s > c.clip_max_s {
        return Err(bad(format!("clip bounds {}..{} s make no sense", c.clip_min_s, c.clip_max_s)));
    }
    Ok(())
}

fn check_live(l: &Live) -> Result<(), StoreError> {
    check_id("recording", &l.id)?;
    if let Some(end) = l.ended_at_ms
        && end < l.started_at_ms
    {
        return Err(bad(format!("LIVE {} ends before it starts", l.id)));
    }
    for p in &l.products {
        check_id("product", &p.id)?;
    }
    Ok(())
}

/// A media URL a player may open: http(s) only, printable, of a sane length.
fn check_media_url(what: &str, url: &Option<String>) -> Result<(), StoreError> {
    match url {
        Some(u)
            if !(u.starts_with("https://") || u.starts_with("http://"))
                || u.len() > 2048
                || u.chars().any(|c| c.is_control() || c.is_whitespace()) =>
        {
            Err(bad(format!("{what} URL is not an http(s) URL")))
        }
        _ => Ok(()),
    }
}

/// The video as cached: a storyboard is a nicety, so one whose URL or grid is unusable is dropped
/// (the video shows without it) rather than refusing the whole page and stalling sync.
fn kept_video(v: &Video) -> Video {
    let mut v = v.clone();
    if let Some(b) = &v.storyboard
        && (!b.is_sane() || check_media_url("storyboard", &Some(b.url.clone())).is_err())
    {
        tracing::warn!("a storyboard from the server is unusable; the video shows without it");
        v.storyboard = None;
    }
    v
}

fn check_video(v: &Video) -> Result<(), StoreError> {
    check_media_url("video", &v.video_url)?;
    check_media_url("thumbnail", &v.thumbnail_url)?;
    if v.duration_ms.is_some_and(|d| d <= 0) {
        return Err(bad("a video's length must be positive"));
    }
    if v.state == VideoState::Ready && v.video_url.is_none() {
        return Err(bad("a ready video needs its URL"));
    }
    Ok(())
}

pub(super) fn save_settings(conn: &Connection, seller: &str, s: &Settings) -> Result<(), StoreError> {
    if s.only_products.len() > highlights_api::MAX_ONLY_PRODUCTS
        || !s.only_products.iter().all(|id| highlights_api::is_valid_id(id))
    {
        return Err(bad("settings choose more than 100 products, or a product with no valid id"));
    }
    conn.prepare_cached(
        "INSERT INTO settings (seller_id, highlights_on, onboarding_completed, popup_shows, popup_dismissed_at_ms, version,
             updated_at_ms, next_live_highlights_on, review_before_posting, only_products, posting_bar)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (seller_id) DO UPDATE SET highlights_on = ?2, onboarding_completed = ?3, popup_shows = ?4,
             popup_dismissed_at_ms = ?5, version = ?6, updated_at_ms = ?7, next_live_highlights_on = ?8,
             review_before_posting = ?9, only_products = ?10, posting_bar = ?11
         WHERE excluded.version >= settings.version",
    )?
    .execute(params![
        seller,
        s.highlights_on,
        s.onboarding_completed,
        s.popup_shows,
        s.popup_dismissed_at_ms,
        s.version,
        s.updated_at_ms,
        s.next_live_highlights_on,
        s.review_before_posting,
        to_json("settings products", &s.only_products)?,
        to_json("settings posting bar", &s.posting_bar)?
    ])?;
    Ok(())
}

/// The remote-config and experiments tables: one JSON document per seller.
#[derive(Clone, Copy)]
enum Document {
    Config,
    Experiments,
}

impl Document {
    fn select(self) -> &'static str {
        match self {
            Document::Config => "SELECT json FROM remote_config WHERE seller_id = ?1",
            Document::Experiments => "SELECT json FROM experiments WHERE seller_id = ?1",
        }
    }

    fn upsert(self) -> &'static str {
        match self {
            Document::Config => {
                "INSERT INTO remote_config (seller_id, json, fetched_at_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (seller_id) DO UPDATE SET json = ?2, fetched_at_ms = ?3"
            }
            Document::Experiments => {
                "INSERT INTO experiments (seller_id, json, fetched_at_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (seller_id) DO UPDATE SET json = ?2, fetched_at_ms = ?3"
            }
        }
    }

    fn name(self) -> &'static str {
        match self {
            Document::Config => "remote config",
            Document::Experiments => "experiments",
        }
    }
}

fn load_document<T: DeserializeOwned>(conn: &Connection, doc: Document, seller: &str) -> Result<Option<T>, StoreError> {
    let json: Option<String> = conn.prepare_cached(doc.select())?.query_row([seller], |r| r.get(0)).optional()?;
    json.map(|j| from_json(doc.name(), &j)).transpose()
}

fn save_document<T: Serialize>(
    conn: &Connection,
    doc: Document,
    seller: &str,
    v: &T,
    now_ms: i64,
) -> Result<(), StoreError> {
    conn.prepare_cached(doc.upsert())?.execute(params![seller, to_json(doc.name(), v)?, now_ms])?;
    Ok(())
}

pub(super) fn upsert_live(conn: &Connection, seller: &str, l: &Live) -> Result<(), StoreError> {
    check_live(l)?;
    conn.prepare_cached(
        "INSERT INTO lives (seller_id, id, title, started_at_ms, ended_at_ms, is_live, seq, highlights_on)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (seller_id, id) DO UPDATE SET title = ?3, started_at_ms = ?4, ended_at_ms = ?5, is_live = ?6, seq = ?7,
             highlights_on = ?8",
    )?
    .execute(params![
        seller,
        l.id,
        l.title,
        l.started_at_ms,
        l.ended_at_ms,
        l.status == LiveStatus::Live,
        l.seq,
        l.highlights_on
    ])?;
    conn.prepare_cached("DELETE FROM live_products WHERE seller_id = ?1 AND live_id = ?2")?
        .execute(params![seller, l.id])?;
    let mut ins = conn.prepare_cached(
        "INSERT OR REPLACE INTO live_products (seller_id, live_id, product_id, name) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for p in &l.products {
        ins.execute(params![seller, l.id, p.id, p.name])?;
    }
    Ok(())
}

/// What the server did for a "remove all": every auto-posted highlight of the recording (or of all),
/// scheduled ones included, is removed; the next pull brings the server's own rows.
pub(super) fn remove_auto_highlights(
    conn: &Connection,
    seller: &str,
    recording: Option<&str>,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE highlights SET status = ?3, live_now = 0
         WHERE seller_id = ?1 AND (?2 IS NULL OR live_id = ?2) AND kind = ?4 AND status IN (?5, ?6)",
    )?
    .execute(params![
        seller,
        recording,
        HighlightStatus::Removed.as_str(),
        HighlightKind::Auto.as_str(),
        HighlightStatus::Scheduled.as_str(),
        HighlightStatus::Posted.as_str()
    ])?;
    Ok(())
}

pub(super) fn upsert_highlight(conn: &Connection, seller: &str, h: &Highlight) -> Result<(), StoreError> {
    check_id("highlight", &h.id)?;
    if h.end_ms <= h.start_ms {
        return Err(bad(format!("highlight {} has an empty segment", h.id)));
    }
    if !h.score.is_finite() {
        return Err(bad(format!("highlight {} has a non-finite score", h.id)));
    }
    let known: bool = conn
        .prepare_cached("SELECT 1 FROM lives WHERE seller_id = ?1 AND id = ?2")?
        .exists(params![seller, h.live_id])?;
    if !known {
        return Err(bad(format!("highlight {} belongs to unknown LIVE {}", h.id, h.live_id)));
    }
    if let Some(v) = &h.video {
        check_video(v)?;
    }
    if h.results.is_some_and(|r| r.gmv_minor < 0) {
        return Err(bad(format!("highlight {} has a negative GMV", h.id)));
    }
    conn.prepare_cached(
        "INSERT INTO highlights (seller_id, id, live_id, kind, status, live_now, start_ms, end_ms, product_id, score, signals, post_at_ms, format, seq, video, review, results, reasons,
             thumbnail_url, views, gmv_minor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)
         ON CONFLICT (seller_id, id) DO UPDATE SET live_id = ?3, kind = ?4, status = ?5, live_now = ?6, start_ms = ?7,
             end_ms = ?8, product_id = ?9, score = ?10, signals = ?11, post_at_ms = ?12, format = ?13, seq = ?14, video = ?15,
             review = ?16, results = ?17, reasons = ?18, thumbnail_url = ?19, views = ?20, gmv_minor = ?21",
    )?
    .execute(params![
        seller,
        h.id,
        h.live_id,
        h.kind.as_str(),
        h.status.as_str(),
        h.live_now,
        h.start_ms,
        h.end_ms,
        h.product_id,
        h.score,
        to_json("highlight signals", &h.signals)?,
        h.post_at_ms,
        to_json("highlight format", &h.format)?,
        h.seq,
        h.video.as_ref().map(|v| to_json("highlight video", &kept_video(v))).transpose()?,
        h.review.as_str(),
        h.results.as_ref().map(|r| to_json("highlight results", r)).transpose()?,
        to_json("highlight reasons", &h.reasons)?,
        h.video.as_ref().and_then(|v| v.thumbnail_url.as_deref()),
        // Saturated: a hostile count must not fail the page (JSON keeps the exact value).
        h.results.map_or(0, |r| r.views.min(i64::MAX as u64) as i64),
        h.results.map_or(0, |r| r.gmv_minor)
    ])?;
    Ok(())
}

/// Whether a highlight's video turns failed with this update (so the seller is told once).
/// What the cache held of a highlight before a page of changes (one read per row): its status,
/// if it was known, and whether its video had already failed.
fn cached_before(conn: &Connection, seller: &str, id: &str) -> Result<(Option<HighlightStatus>, bool), StoreError> {
    let row: Option<(String, Option<String>)> = conn
        .prepare_cached("SELECT status, video FROM highlights WHERE seller_id = ?1 AND id = ?2")?
        .query_row(params![seller, id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(row.map_or((None, false), |(status, video)| {
        let failed = video.and_then(|json| serde_json::from_str::<Video>(&json).ok()).map(|v| v.state)
            == Some(VideoState::Failed);
        (HighlightStatus::parse(&status), failed)
    }))
}

const HIGHLIGHT_COLS: &str = "id, live_id, kind, status, live_now, start_ms, end_ms, product_id, score, signals, post_at_ms, format, seq, video, review, results, reasons";

/// A cached highlight row, with its enum and JSON columns still as text.
type Raw = (Highlight, String, String, String, String, Option<String>, Option<String>, String);

fn read_highlight(r: &rusqlite::Row<'_>) -> rusqlite::Result<Raw> {
    Ok((
        Highlight {
            id: r.get(0)?,
            live_id: r.get(1)?,
            kind: HighlightKind::Auto,
            status: HighlightStatus::Posted,
            live_now: r.get(4)?,
            start_ms: r.get(5)?,
            end_ms: r.get(6)?,
            product_id: r.get(7)?,
            score: r.get(8)?,
            signals: Vec::new(),
            reasons: Vec::new(),
            post_at_ms: r.get(10)?,
            format: FormatSpec::default(),
            video: None,
            // An unknown spelling (a newer server's) reads as not asked: the post goes as scheduled.
            review: Review::parse(&r.get::<_, String>(14)?).unwrap_or_default(),
            results: None,
            seq: r.get(12)?,
        },
        r.get(2)?,
        r.get(3)?,
        r.get(9)?,
        r.get(11)?,
        r.get(13)?,
        r.get(15)?,
        r.get(16)?,
    ))
}

fn finish_highlight(
    (mut h, kind, status, signals, format, video, results, reasons): Raw,
) -> Result<Highlight, StoreError> {
    h.video = video.map(|v| from_json("highlight video", &v)).transpose()?;
    h.results = results.map(|r| from_json("highlight results", &r)).transpose()?;
    h.kind = HighlightKind::parse(&kind).ok_or(StoreError::Unreadable { what: "highlight kind", source: None })?;
    h.status =
        HighlightStatus::parse(&status).ok_or(StoreError::Unreadable { what: "highlight status", source: None })?;
    h.signals = from_json("highlight signals", &signals)?;
    h.reasons = from_json("highlight reasons", &reasons)?;
    h.format = from_json("highlight format", &format)?;
    Ok(h)
}

impl Store {
    /// Settings as last confirmed by the server, if ever synced.
    pub(crate) fn settings(&self) -> Result<Option<Settings>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT highlights_on, onboarding_completed, popup_shows, popup_dismissed_at_ms, version, updated_at_ms,
                     next_live_highlights_on, review_before_posting, only_products, posting_bar
                 FROM settings WHERE seller_id = ?1",
            )?
            .query_row([&self.seller], |r| {
                Ok(Settings {
                    highlights_on: r.get(0)?,
                    onboarding_completed: r.get(1)?,
                    popup_shows: r.get(2)?,
                    popup_dismissed_at_ms: r.get(3)?,
                    version: r.get(4)?,
                    updated_at_ms: r.get(5)?,
                    next_live_highlights_on: r.get(6)?,
                    review_before_posting: r.get(7)?,
                    // Written only from a parsed server answer; unreadable text means no choice.
                    only_products: serde_json::from_str(&r.get::<_, String>(8)?).unwrap_or_default(),
                    // Only a note for the seller: unreadable text shows the usual bar.
                    posting_bar: serde_json::from_str(&r.get::<_, String>(9)?).unwrap_or_default(),
                })
            })
            .optional()
            .map_err(Into::into)
    }

    /// Remote config as last synced.
    pub(crate) fn config(&self) -> Result<Option<RemoteConfig>, StoreError> {
        load_document(&self.conn, Document::Config, &self.seller)
    }

    /// Experiment assignment as last synced.
    pub(crate) fn experiments(&self) -> Result<Option<Experiments>, StoreError> {
        load_document(&self.conn, Document::Experiments, &self.seller)
    }

    /// Change cursor of the last applied sync page.
    pub(crate) fn cursor(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT cursor FROM sync_state WHERE seller_id = ?1")?
            .query_row([&self.seller], |r| r.get(0))
            .optional()?
            .unwrap_or(0))
    }

    /// When the cache was last brought up to date, if ever.
    pub(crate) fn last_synced(&self) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT last_synced_at_ms FROM sync_state WHERE seller_id = ?1")?
            .query_row([&self.seller], |r| r.get(0))
            .optional()?
            .flatten())
    }

    /// Applies one page of server changes atomically: all of it or none of it.
    pub(crate) fn apply_changes(&mut self, c: &Changes, now_ms: i64) -> Result<(), StoreError> {
        if let Some(cfg) = &c.config {
            check_config(cfg)?;
        }
        let seller = self.seller.as_str();
        let tx = self.conn.transaction()?;
        // The first sync brings the whole history: nothing in it is news.
        let first_sync: bool =
            !tx.prepare_cached("SELECT 1 FROM sync_state WHERE seller_id = ?1 AND cursor > 0")?.exists([seller])?;
        if let Some(cfg) = &c.config {
            save_document(&tx, Document::Config, seller, cfg, now_ms)?;
        }
        if let Some(e) = &c.experiments {
            save_document(&tx, Document::Experiments, seller, e, now_ms)?;
        }
        if let Some(s) = &c.settings {
            save_settings(&tx, seller, s)?;
        }
        for l in &c.lives {
            upsert_live(&tx, seller, l)?;
        }
        for h in &c.highlights {
            let (before, was_failed) = cached_before(&tx, seller, &h.id)?;
            // Told once: only when this update turns the video failed.
            let failed = !was_failed && h.video.as_ref().map(|v| v.state) == Some(VideoState::Failed);
            upsert_highlight(&tx, seller, h)?;
            if failed {
                notices::add(&tx, seller, crate::view::NoticeKind::VideoFailed, VIDEO_FAILED_NOTICE, now_ms)?;
            }
            if let Some(kind) = notifications::what_happened(before, h, failed).filter(|_| !first_sync) {
                notifications::add(&tx, seller, kind, h, now_ms)?;
            }
        }
        tx.prepare_cached(
            "INSERT INTO sync_state (seller_id, cursor, last_synced_at_ms) VALUES (?1, ?2, ?3)
             ON CONFLICT (seller_id) DO UPDATE SET cursor = max(cursor, ?2), last_synced_at_ms = ?3",
        )?
        .execute(params![seller, c.cursor, now_ms])?;
        tx.commit()?;
        Ok(())
    }

    /// All highlights of one LIVE, newest segment first.
    pub(crate) fn highlights_of(&self, live_id: &str) -> Result<Vec<Highlight>, StoreError> {
        let sql = format!(
            "SELECT {HIGHLIGHT_COLS} FROM highlights WHERE seller_id = ?1 AND live_id = ?2 ORDER BY start_ms DESC, id DESC"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![self.seller, live_id], read_highlight)?;
        rows.map(|r| finish_highlight(r?)).collect()
    }

    /// One highlight by id.
    pub(crate) fn highlight(&self, id: &str) -> Result<Option<Highlight>, StoreError> {
        let sql = format!("SELECT {HIGHLIGHT_COLS} FROM highlights WHERE seller_id = ?1 AND id = ?2");
        let row = self.conn.prepare_cached(&sql)?.query_row(params![self.seller, id], read_highlight).optional()?;
        row.map(finish_highlight).transpose()
    }
}
