//! The LIVE highlight module's list as loaded so far: pages of recordings, newest first.

use crate::store::{PAGE_SIZE, Store, StoreError};
use crate::view::RecordingRow;

/// Recordings loaded so far, and whether another page follows.
#[derive(Debug, Default)]
pub(crate) struct ModuleList {
    /// Loaded rows, newest first.
    pub rows: Vec<RecordingRow>,
    /// Another page can be loaded.
    pub has_more: bool,
}

/// One page past `after`, and whether another follows.
fn page(store: &Store, after: Option<&RecordingRow>, limit: u32) -> Result<(Vec<RecordingRow>, bool), StoreError> {
    let mut rows = store.module_page(after, limit + 1)?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    Ok((rows, more))
}

impl ModuleList {
    /// The first page, replacing whatever was loaded.
    pub(crate) fn load_first(&mut self, store: &Store) -> Result<(), StoreError> {
        (self.rows, self.has_more) = page(store, None, PAGE_SIZE)?;
        Ok(())
    }

    /// The next page, if there is one.
    pub(crate) fn load_more(&mut self, store: &Store) -> Result<(), StoreError> {
        if !self.has_more {
            return Ok(());
        }
        let (rows, more) = page(store, self.rows.last(), PAGE_SIZE)?;
        self.rows.extend(rows);
        self.has_more = more;
        Ok(())
    }

    /// Re-reads as many rows as were loaded, after the cache changed underneath them.
    pub(crate) fn reload(&mut self, store: &Store) -> Result<(), StoreError> {
        let limit = (self.rows.len() as u32).max(PAGE_SIZE);
        (self.rows, self.has_more) = page(store, None, limit)?;
        Ok(())
    }
}
