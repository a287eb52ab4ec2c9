//! Notices: messages for the seller (an action the server refused, a cache that was reset), shown
//! until dismissed, across restarts.

use rusqlite::{Connection, OptionalExtension, params};

use super::connection::Store;
use super::error::StoreError;
use crate::view::{Notice, NoticeKind};

pub(super) fn add(
    conn: &Connection,
    seller: &str,
    kind: NoticeKind,
    message: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT INTO notices (seller_id, kind, message, created_at_ms) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![seller, kind.as_str(), message, now_ms])?;
    Ok(())
}

impl Store {
    /// Stores a message for the seller.
    pub(crate) fn add_notice(&self, kind: NoticeKind, message: &str, now_ms: i64) -> Result<(), StoreError> {
        add(&self.conn, &self.seller, kind, message, now_ms)
    }

    /// The oldest notice not yet dismissed.
    pub(crate) fn first_notice(&self) -> Result<Option<Notice>, StoreError> {
        self.conn
            .prepare_cached("SELECT id, kind, message FROM notices WHERE seller_id = ?1 ORDER BY id LIMIT 1")?
            .query_row([&self.seller], |r| {
                Ok(Notice { id: r.get(0)?, kind: NoticeKind::parse(&r.get::<_, String>(1)?), message: r.get(2)? })
            })
            .optional()
            .map_err(Into::into)
    }

    /// Forgets a notice the seller read; unknown ids are ignored.
    pub(crate) fn dismiss_notice(&self, id: i64) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("DELETE FROM notices WHERE seller_id = ?1 AND id = ?2")?
            .execute(params![self.seller, id])?;
        Ok(())
    }
}
