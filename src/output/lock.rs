//! The lock a run holds on its output folder while it renames its files into place, so
//! that the PNG and the sidecar of concurrent runs are never interleaved.
//!
//! It is an exclusive `flock` on `.surfrender.lock` in the folder, removed by its holder
//! before unlocking so that it does not linger beside the figures. A run that waited for
//! the lock checks, once it has it, that the file it locked is still the one at that
//! name; if its holder removed it meanwhile, it locks the new one instead. So at most one
//! run at a time holds the lock on the file that is at the name.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// The lock file's name, in the output's folder.
pub(crate) const NAME: &str = ".surfrender.lock";

/// The held lock (or none, where the file system refuses locks); released on drop.
pub(crate) struct FolderLock {
    path: PathBuf,
    file: Option<File>,
}

impl FolderLock {
    /// Waits for the lock on `dir`. Where locks cannot be had (a network file system
    /// without a lock service, a lock file that cannot be opened), the renames go on
    /// unlocked rather than costing the figure: runs that do not overlap are unaffected.
    pub(crate) fn acquire(dir: &Path) -> FolderLock {
        let path = dir.join(NAME);
        for _ in 0..1000 {
            let Some(file) = open(&path) else {
                break;
            };
            match file.lock() {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
            if same_file(&file, &path) {
                return FolderLock {
                    path,
                    file: Some(file),
                };
            }
            // Removed or replaced while we waited: lock what is at the name now.
        }
        FolderLock { path, file: None }
    }
}

/// Opens (creating) the lock file: for writing where we may (an exclusive lock on a
/// network file system needs it), else for reading (another user's file in a shared
/// folder, left by a run that was killed while holding it).
fn open(path: &Path) -> Option<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .or_else(|_| File::open(path))
        .ok()
}

/// Whether `file` is the file at `path` now (where the platform cannot tell, it is).
fn same_file(file: &File, path: &Path) -> bool {
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => super::same_inode(&a, &b).unwrap_or(true),
        _ => false,
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        if let Some(file) = self.file.take() {
            // Removed while still locked; see the module's documentation.
            let _ = std::fs::remove_file(&self.path);
            drop(file);
        }
    }
}
