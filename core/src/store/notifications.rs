//! The notification feed: what happened to the seller's highlights since they last looked —
//! scheduled (with the first post time), posted, video failed, removed — one row per kind and
//! recording while unread, so a busy LIVE adds to a count instead of to the list.

use highlights_api::{Highlight, HighlightKind, HighlightStatus};
use rusqlite::{Connection, params};

use super::connection::Store;
use super::error::StoreError;
use crate::view::{NotificationKind, NotificationRow};

/// Rows kept; older ones go, read or not (the module holds the full history).
const KEEP: i64 = 50;

impl NotificationKind {
    /// The name the cache stores.
    fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Posted => "posted",
            Self::VideoFailed => "video_failed",
            Self::Removed => "removed",
        }
    }

    /// Reads a stored name back.
    fn parse(s: &str) -> Option<Self> {
        [Self::Scheduled, Self::Posted, Self::VideoFailed, Self::Removed].into_iter().find(|k| k.as_str() == s)
    }
}

/// What a change of one highlight tells the seller, if anything: only the server's own doings
/// (the engine scheduled or posted it, a video failed, another device or a LIVE switched off
/// removed it); the seller's own taps on this device settle before this and change nothing here.
pub(super) fn what_happened(
    before: Option<HighlightStatus>,
    h: &Highlight,
    video_failed: bool,
) -> Option<NotificationKind> {
    use HighlightStatus::*;
    if video_failed {
        return Some(NotificationKind::VideoFailed);
    }
    match (before, h.status) {
        (b, Scheduled) if b != Some(Scheduled) && h.kind == HighlightKind::Auto => Some(NotificationKind::Scheduled),
        (Some(Scheduled), Posted) => Some(NotificationKind::Posted),
        (Some(Scheduled | Posted), Removed) if h.kind == HighlightKind::Auto => Some(NotificationKind::Removed),
        _ => None,
    }
}

/// Adds one happening to the feed, coalesced with the unread row of the same kind and recording.
pub(super) fn add(
    conn: &Connection,
    seller: &str,
    kind: NotificationKind,
    h: &Highlight,
    now_ms: i64,
) -> Result<(), StoreError> {
    let merged = conn
        .prepare_cached(
            "UPDATE notifications SET count = count + 1, at_ms = ?4,
                 post_at_ms = CASE WHEN post_at_ms IS NULL THEN ?5 ELSE min(post_at_ms, coalesce(?5, post_at_ms)) END,
                 highlight_ids = CASE
                     -- A row from before ids were kept stays counted as it was: a list started now
                     -- would hold only the newest and undercount the rest.
                     WHEN json_array_length(highlight_ids) = 0 AND count > 0 THEN highlight_ids
                     WHEN EXISTS (SELECT 1 FROM json_each(highlight_ids) WHERE value = ?6) THEN highlight_ids
                     ELSE json_insert(highlight_ids, '$[#]', ?6) END
             WHERE seller_id = ?1 AND kind = ?2 AND live_id = ?3",
        )?
        .execute(params![seller, kind.as_str(), h.live_id, now_ms, h.post_at_ms, h.id])?;
    if merged == 0 {
        conn.prepare_cached(
            "INSERT INTO notifications (seller_id, kind, live_id, count, at_ms, post_at_ms, highlight_ids)
             VALUES (?1, ?2, ?3, 1, ?4, ?5, json_array(?6))",
        )?
        .execute(params![seller, kind.as_str(), h.live_id, now_ms, h.post_at_ms, h.id])?;
        conn.prepare_cached(
            "DELETE FROM notifications WHERE seller_id = ?1 AND id NOT IN
                 (SELECT id FROM notifications WHERE seller_id = ?1 ORDER BY id DESC LIMIT ?2)",
        )?
        .execute(params![seller, KEEP])?;
    }
    Ok(())
}

impl Store {
    /// Unread notifications, newest first, at most `limit`.
    pub(crate) fn notifications(&self, limit: u32) -> Result<Vec<NotificationRow>, StoreError> {
        // Scheduled and posted rows count only their highlights still scheduled or posted (rows
        // from before the ids were kept stay as counted), and a scheduled row's first post time is
        // its earliest still waiting: a banner must not announce posts taken down since.
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, kind, live_id, title, CASE WHEN tracked THEN still ELSE count END AS shown, at_ms,
                 CASE WHEN tracked AND kind = ?3 THEN first_post ELSE post_at_ms END
             FROM (SELECT n.id, n.kind, n.live_id, coalesce(l.title, n.live_id) AS title, n.count, n.at_ms, n.post_at_ms,
                     n.kind IN (?3, ?4) AND json_array_length(n.highlight_ids) > 0 AS tracked,
                     (SELECT count(*) FROM json_each(n.highlight_ids) j JOIN highlights h
                         ON h.seller_id = n.seller_id AND h.id = j.value
                         WHERE h.status = CASE n.kind WHEN ?3 THEN ?5 ELSE ?6 END) AS still,
                     (SELECT min(h.post_at_ms) FROM json_each(n.highlight_ids) j JOIN highlights h
                         ON h.seller_id = n.seller_id AND h.id = j.value WHERE h.status = ?5) AS first_post
                 FROM notifications n LEFT JOIN lives l ON l.seller_id = n.seller_id AND l.id = n.live_id
                 WHERE n.seller_id = ?1)
             WHERE shown > 0 ORDER BY at_ms DESC, id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(
            params![
                self.seller,
                limit,
                NotificationKind::Scheduled.as_str(),
                NotificationKind::Posted.as_str(),
                HighlightStatus::Scheduled.as_str(),
                HighlightStatus::Posted.as_str()
            ],
            |r| {
                Ok((
                    r.get::<_, String>(1)?,
                    NotificationRow {
                        id: r.get(0)?,
                        kind: NotificationKind::Posted,
                        recording_id: r.get(2)?,
                        recording_title: r.get(3)?,
                        count: r.get(4)?,
                        at_ms: r.get(5)?,
                        post_at_ms: r.get(6)?,
                    },
                ))
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (kind, mut n) = row?;
            // A kind this build does not know (a newer one's) is skipped, not misreported.
            let Some(kind) = NotificationKind::parse(&kind) else { continue };
            n.kind = kind;
            out.push(n);
        }
        Ok(out)
    }

    /// The seller read a notification (or swiped it away); unknown ids are ignored.
    pub(crate) fn dismiss_notification(&self, id: i64) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("DELETE FROM notifications WHERE seller_id = ?1 AND id = ?2")?
            .execute(params![self.seller, id])?;
        Ok(())
    }
}
