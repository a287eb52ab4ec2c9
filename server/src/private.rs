//! Files and folders only their owner may read: the data folder and the SQLite database hold
//! sellers' data and token hashes. One made before is tightened, its other bits kept.

use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Takes group and other access away from `path` if it has any.
fn tighten(path: &Path) -> std::io::Result<()> {
    let mode = std::fs::metadata(path)?.permissions().mode();
    if mode & 0o077 != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & !0o077))?;
    }
    Ok(())
}

/// Creates `dir` (and its parents) if needed, 0700.
pub fn dir(dir: &Path) -> std::io::Result<()> {
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    tighten(dir)
}

/// Creates the file `path` if needed, 0600 (SQLite gives its `-wal` and `-shm` files the
/// database file's permissions).
pub fn file(path: &Path) -> std::io::Result<()> {
    std::fs::OpenOptions::new().create(true).append(true).mode(0o600).open(path)?;
    tighten(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_and_earlier_ones_are_owner_only() {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("a/b");
        dir(&data).unwrap();
        let db = data.join("x.db");
        std::fs::write(&db, b"").unwrap();
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
        file(&db).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!((mode(&data), mode(&db)), (0o700, 0o600));
    }
}
