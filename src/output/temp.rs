//! Temporary files beside their destination: their names, the registry of those this
//! process holds (so that a signal handler can remove them), and the cleaning of those
//! that dead processes left behind.
//!
//! A temporary is named `.<first 32 bytes of the name>.<hash>.<host>.<pid>-<n>.surfrender-tmp`:
//! at most 80 bytes whatever the output's name (which may be 255), so a name that fits
//! the file system always has a temporary that fits too. The hash tells outputs with a
//! common prefix apart, the host (a hash of the machine's name) says on which machine the
//! PID means something, and the PID whether its process is still alive.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

/// The ending of every temporary's name.
pub(crate) const SUFFIX: &str = ".surfrender-tmp";

/// Bytes of the destination's name kept in a temporary's name, for a person listing the
/// folder.
const PREFIX_BYTES: usize = 32;

/// A temporary of a dead process on this machine is removed once it is this old: no
/// write keeps one longer, and a file being created by a process whose PID was just
/// reused elsewhere is never that old.
pub(crate) const STALE_AFTER: Duration = Duration::from_secs(5 * 60);

/// A temporary made on another machine sharing the folder (a cluster's file system),
/// whose PID cannot be checked from here, is removed only when this old: a writer holds
/// its temporaries for seconds, so only a process stopped for a day mid-write could
/// still want it, and that one then fails to rename it and reports an error.
pub(crate) const STALE_ELSEWHERE: Duration = Duration::from_secs(24 * 3600);

/// The temporaries this process has created and not yet renamed or removed. The signal
/// handler removes them; renames that must not be separated happen under this lock.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The registry, also after a panic elsewhere (the list itself is always consistent).
pub(crate) fn registry() -> MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A temporary file beside the destination, removed unless renamed into place.
pub(crate) struct TempFile {
    path: PathBuf,
    file: Option<File>,
}

impl TempFile {
    /// Created with the process umask's permissions (0644 typically), unlike
    /// `tempfile`'s 0600, so collaborators on a cluster can read the figure. It is
    /// registered in the same critical section that creates it, so a signal never finds
    /// a file of ours that it does not know of.
    pub(crate) fn beside(dest: &Path) -> std::io::Result<TempFile> {
        let stem = stem(dest, std::process::id());
        let dir = super::folder(dest);
        let mut last = None;
        for attempt in 0..100u32 {
            let path = dir.join(format!("{stem}-{attempt}{SUFFIX}"));
            let mut live = registry();
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => {
                    live.push(path.clone());
                    return Ok(TempFile {
                        path,
                        file: Some(file),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::other("no temporary name available")))
    }

    /// Where the temporary is: a writer that opens it by name (ffmpeg writing a movie)
    /// writes there, and the registry still removes it on a signal.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Another handle on the open file, for a writer that streams into it (a movie's
    /// frames) rather than writing it at once.
    pub(crate) fn try_clone_file(&self) -> std::io::Result<File> {
        self.file
            .as_ref()
            .ok_or_else(|| std::io::Error::other("temporary file already closed"))?
            .try_clone()
    }

    /// Writes all of `bytes` and closes the file.
    pub(crate) fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let mut file = self
            .file
            .take()
            .ok_or_else(|| std::io::Error::other("temporary file already closed"))?;
        // No fsync: the rename is what keeps a failed run from leaving a partial file,
        // and fsync costs tens of milliseconds on the network filesystems of clusters.
        file.write_all(bytes)
    }

    /// Renames the temporary onto `dest`; `live` is the registry, held by the caller
    /// across every rename that must not be separated by a signal.
    pub(crate) fn rename_onto(
        &mut self,
        dest: &Path,
        live: &mut Vec<PathBuf>,
    ) -> std::io::Result<()> {
        drop(self.file.take());
        std::fs::rename(&self.path, dest)?;
        live.retain(|p| p != &self.path);
        self.path = PathBuf::new();
        Ok(())
    }

    /// Writes `bytes` to `dest` through a temporary and a rename.
    pub(crate) fn write_and_rename(dest: &Path, bytes: &[u8]) -> std::io::Result<()> {
        let mut tmp = TempFile::beside(dest)?;
        tmp.write_all(bytes)?;
        // The registry's guard must be gone before `tmp` drops (on a failed rename it
        // takes the registry again to remove itself); a guard in the tail expression
        // would outlive `tmp` under edition 2021.
        let mut live = registry();
        let renamed = tmp.rename_onto(dest, &mut live);
        drop(live);
        renamed
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            drop(self.file.take());
            let _ = std::fs::remove_file(&self.path);
            registry().retain(|p| p != &self.path);
        }
    }
}

/// A temporary's name up to the attempt number: `.<prefix>.<hash>.<host>.<pid>`.
pub(crate) fn stem(dest: &Path, pid: u32) -> String {
    let name = dest.file_name().unwrap_or_default();
    let bytes = name.as_encoded_bytes();
    let hash = hex8(bytes);
    let name = name.to_string_lossy();
    let mut end = name.len().min(PREFIX_BYTES);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    let host = host().unwrap_or("00000000");
    format!(".{}.{hash}.{host}.{pid}", &name[..end])
}

/// The first 4 bytes of the SHA-256 of `bytes`, as 8 hex digits.
fn hex8(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// This machine's tag in temporary names (a hash of its host name), or `None` when the
/// host name cannot be read, and PIDs in names then cannot be trusted to be ours.
pub(crate) fn host() -> Option<&'static str> {
    static HOST: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    HOST.get_or_init(|| {
        let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .or_else(|_| std::fs::read_to_string("/etc/hostname"))
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())?;
        let name = name.trim();
        (!name.is_empty()).then(|| hex8(name.as_bytes()))
    })
    .as_deref()
}

/// The PID in a temporary's name, and the host tag when it has one. Names of earlier
/// versions (`.<name>.<pid>-<n>.surfrender-tmp`, no host) are recognised too.
pub(crate) fn parse(name: &str) -> Option<(u32, Option<&str>)> {
    let rest = name.strip_prefix('.')?.strip_suffix(SUFFIX)?;
    let (head, pid_n) = rest.rsplit_once('.')?;
    let (pid, n) = pid_n.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if head.is_empty() || !digits(pid) || !digits(n) {
        return None;
    }
    let pid: u32 = pid.parse().ok()?;
    let hex8 = |s: &str| s.len() == 8 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    let mut parts = head.rsplitn(3, '.');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(host), Some(hash), Some(_)) if hex8(host) && hex8(hash) => Some((pid, Some(host))),
        _ => Some((pid, None)),
    }
}

/// Whether process `pid` is alive on this machine; `None` where that cannot be known
/// (no `/proc`).
fn alive(pid: u32) -> Option<bool> {
    if pid == std::process::id() {
        return Some(true);
    }
    Path::new("/proc/self")
        .exists()
        .then(|| Path::new("/proc").join(pid.to_string()).exists())
}

/// Whether a temporary named `name`, last modified at `modified`, is left over: ours by
/// its exact naming, and either of a dead process on this machine and older than
/// [`STALE_AFTER`], or of another machine and older than [`STALE_ELSEWHERE`].
pub(crate) fn is_stale(
    name: &str,
    modified: SystemTime,
    now: SystemTime,
    own_host: Option<&str>,
    alive: impl Fn(u32) -> Option<bool>,
) -> bool {
    let Some((pid, tag)) = parse(name) else {
        return false;
    };
    // A time in the future (clocks of a network file system's clients differ) is young.
    let Ok(age) = now.duration_since(modified) else {
        return false;
    };
    match tag {
        Some(tag) if own_host != Some(tag) => age > STALE_ELSEWHERE,
        _ => age > STALE_AFTER && alive(pid) == Some(false),
    }
}

/// Removes the left-over temporaries in `dir` (see [`is_stale`]); best effort, as what
/// cannot be removed now harms nothing.
pub(crate) fn clean_stale(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str().filter(|n| n.ends_with(SUFFIX)) else {
            continue;
        };
        // Regular files only; `symlink_metadata` so that a link is never followed.
        let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
            continue;
        };
        let Ok(modified) = meta.modified() else {
            continue;
        };
        if meta.file_type().is_file() && is_stale(name, modified, now, host(), alive) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether this process inherited `signal` as ignored (a non-interactive shell's
/// background job ignores SIGINT; `nohup` ignores SIGHUP): such a signal is left alone.
fn inherited_ignore(signal: i32) -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let mask = status
        .lines()
        .find_map(|l| l.strip_prefix("SigIgn:"))
        .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        .unwrap_or(0);
    (1..=64).contains(&signal) && mask & (1 << (signal - 1)) != 0
}

/// Catches SIGTERM and SIGINT (unless inherited as ignored) on a thread of its own,
/// which removes this process's temporaries and exits with 128 + the signal, as a shell
/// reports a process killed by it. The registry's lock keeps it from running between the
/// renames of one figure. Best effort: where the handler cannot be installed, the next
/// run in the folder removes what a killed one left.
pub fn remove_temporaries_on_signals() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let wanted: Vec<i32> = [SIGTERM, SIGINT]
        .into_iter()
        .filter(|&s| !inherited_ignore(s))
        .collect();
    if wanted.is_empty() {
        return;
    }
    let Ok(mut signals) = signal_hook::iterator::Signals::new(&wanted) else {
        return;
    };
    let _ = std::thread::Builder::new()
        .name("surfrender-signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                // Held until the process ends: no rename or new temporary after this.
                let live = registry();
                for path in live.iter() {
                    let _ = std::fs::remove_file(path);
                }
                std::process::exit(128 + signal);
            }
        });
}
