//! Where recordings and rendered videos live: behind [`MediaStore`], so a shared object store can
//! replace the local directory when several processes render.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Why the media store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// Nothing is stored under this key.
    #[error("no media under {0}")]
    Missing(String),
    /// A key that could escape the store or is not of our making.
    #[error("invalid media key {0:?}")]
    InvalidKey(String),
    /// The backend failed (disk full, permissions…).
    #[error("media store: {context}")]
    Io {
        /// What was being done.
        context: &'static str,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

fn io(context: &'static str) -> impl FnOnce(std::io::Error) -> MediaError {
    move |source| MediaError::Io { context, source }
}

/// Blocking operations on stored media; call them off the async threads.
pub trait MediaStore: Send + Sync + 'static {
    /// Stores `bytes` under `key`, replacing what was there; readers never see half a file.
    fn put_bytes(&self, key: &str, bytes: &[u8]) -> Result<(), MediaError>;
    /// Stores the file at `from` under `key`, replacing what was there; readers never see half a file.
    fn put_file(&self, key: &str, from: &Path) -> Result<(), MediaError>;
    /// Copies what is under `key` to the local file `to` (renderers need local files).
    fn fetch(&self, key: &str, to: &Path) -> Result<(), MediaError>;
    /// Size in bytes of what is under `key`.
    fn size(&self, key: &str) -> Result<u64, MediaError>;
    /// A reader of at most `len` bytes from `offset` of what is under `key`: callers read it in
    /// bounded chunks, so serving a large video never holds the whole file in memory.
    fn open_range(&self, key: &str, offset: u64, len: u64) -> Result<MediaReader, MediaError>;
    /// Deletes what is under `key`; nothing there is not an error (deleting twice is harmless).
    fn delete(&self, key: &str) -> Result<(), MediaError>;
}

/// Refuses a key that could escape a directory or name something not of our making: every
/// store accepts the same keys, so media moves between them unchanged.
pub(crate) fn check_key(key: &str) -> Result<(), MediaError> {
    let ok = !key.is_empty()
        && key.split('/').all(|part| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && part.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        });
    if ok { Ok(()) } else { Err(MediaError::InvalidKey(key.to_string())) }
}

/// Part of a stored file, read as it is sent.
pub type MediaReader = Box<dyn Read + Send>;

/// Media in a local directory: the default, for one process on one machine.
pub struct LocalMediaStore {
    root: PathBuf,
}

impl LocalMediaStore {
    /// A store rooted at `root` (created when first written).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn path(&self, key: &str) -> Result<PathBuf, MediaError> {
        check_key(key).map(|()| self.root.join(key))
    }

    /// Writes through a temporary file in the same directory, then renames it into place.
    fn atomically(
        &self,
        key: &str,
        write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
    ) -> Result<(), MediaError> {
        let path = self.path(key)?;
        let dir = path.parent().unwrap_or(&self.root);
        let temporary = || {
            std::fs::create_dir_all(dir)?;
            tempfile::NamedTempFile::new_in(dir)
        };
        // The cleanup job removes a directory it emptied; one removed between the two steps is
        // made again.
        let mut tmp = temporary()
            .or_else(|e| if e.kind() == std::io::ErrorKind::NotFound { temporary() } else { Err(e) })
            .map_err(io("creating a temporary media file"))?;
        write(tmp.as_file_mut()).map_err(io("writing media"))?;
        tmp.as_file().sync_all().map_err(io("syncing media"))?;
        tmp.persist(&path).map_err(|e| MediaError::Io { context: "moving media into place", source: e.error })?;
        Ok(())
    }

    fn open(&self, key: &str) -> Result<std::fs::File, MediaError> {
        std::fs::File::open(self.path(key)?).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => MediaError::Missing(key.to_string()),
            _ => MediaError::Io { context: "opening media", source: e },
        })
    }
}

impl MediaStore for LocalMediaStore {
    fn put_bytes(&self, key: &str, bytes: &[u8]) -> Result<(), MediaError> {
        self.atomically(key, |f| f.write_all(bytes))
    }

    fn put_file(&self, key: &str, from: &Path) -> Result<(), MediaError> {
        let mut src = std::fs::File::open(from).map_err(io("opening a rendered file"))?;
        self.atomically(key, |f| std::io::copy(&mut src, f).map(drop))
    }

    fn fetch(&self, key: &str, to: &Path) -> Result<(), MediaError> {
        let mut src = self.open(key)?;
        let mut dst = std::fs::File::create(to).map_err(io("creating a local copy"))?;
        std::io::copy(&mut src, &mut dst).map_err(io("copying media"))?;
        Ok(())
    }

    fn size(&self, key: &str) -> Result<u64, MediaError> {
        Ok(self.open(key)?.metadata().map_err(io("reading media size"))?.len())
    }

    fn open_range(&self, key: &str, offset: u64, len: u64) -> Result<MediaReader, MediaError> {
        let mut f = self.open(key)?;
        f.seek(SeekFrom::Start(offset)).map_err(io("seeking media"))?;
        Ok(Box::new(f.take(len)))
    }

    fn delete(&self, key: &str) -> Result<(), MediaError> {
        let path = self.path(key)?;
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(MediaError::Io { context: "deleting media", source: e }),
        }
        // A recording's folder goes with its last segment; one still holding files stays (the
        // call fails, which is the check).
        let mut dir = path.parent();
        while let Some(d) = dir.filter(|d| *d != self.root && d.starts_with(&self.root)) {
            if std::fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cannot_escape_and_writes_replace_whole_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalMediaStore::new(dir.path());
        for bad in ["", "../x", "a/../../x", "/etc/passwd", "a//b", "a b"] {
            assert!(matches!(store.put_bytes(bad, b"x"), Err(MediaError::InvalidKey(_))), "{bad:?}");
        }
        store.put_bytes("videos/a.mp4", b"first version").unwrap();
        store.put_bytes("videos/a.mp4", b"second").unwrap();
        assert_eq!(store.size("videos/a.mp4").unwrap(), 6);
        let read = |offset, len| {
            let mut out = Vec::new();
            store.open_range("videos/a.mp4", offset, len).unwrap().read_to_end(&mut out).unwrap();
            out
        };
        assert_eq!(read(2, 3), b"con");
        assert_eq!(read(4, 100), b"nd");
        assert!(matches!(store.size("videos/b.mp4"), Err(MediaError::Missing(_))));
        let leftovers = std::fs::read_dir(dir.path().join("videos")).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
        store.delete("videos/a.mp4").unwrap();
        store.delete("videos/a.mp4").unwrap();
        assert!(matches!(store.size("videos/a.mp4"), Err(MediaError::Missing(_))));
        assert!(!dir.path().join("videos").exists(), "an emptied folder goes");
        assert!(dir.path().exists(), "the root stays");
        store.put_bytes("videos/a.mp4", b"again").unwrap();
        assert!(matches!(store.delete("../x"), Err(MediaError::InvalidKey(_))));
    }
}
