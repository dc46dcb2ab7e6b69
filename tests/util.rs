//! Shared test helpers: paths to data, a fresh output folder per test, the built binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The small brain kept in the repository (`data/fsaverage5`).
pub fn data(name: &str) -> PathBuf {
    root().join("data").join("fsaverage5").join(name)
}

/// `../shared/data` when present. When absent the caller skips with a message, unless
/// `SURFRENDER_REQUIRE_SHARED=1` (set by `.ci/run`), which makes absence a failure.
pub fn shared_data() -> Option<PathBuf> {
    let p = root().join("..").join("shared").join("data");
    if p.join("truth.json").is_file() {
        return Some(p);
    }
    if std::env::var_os("SURFRENDER_REQUIRE_SHARED").is_some_and(|v| v == "1") {
        panic!("SURFRENDER_REQUIRE_SHARED=1 but {} is missing", p.display());
    }
    eprintln!("SKIPPED: ../shared/data not found; corpus tests not run");
    None
}

/// A fresh, empty folder under `tests/out/<name>` for one test's files.
pub fn out_dir(name: &str) -> PathBuf {
    let d = root().join("tests").join("out").join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create test output folder");
    d
}

/// A command for the built `surfrender` binary.
pub fn surfrender() -> Command {
    Command::new(env!("CARGO_BIN_EXE_surfrender"))
}

/// Writes bytes to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write test input");
    p
}
