//! The default brain: fsaverage5, built into the binary, on which a volume given without
//! a surface is drawn (as nilearn's `plot_img_on_surf` draws on fsaverage). The readers
//! read files by path, so the embedded files are written once to a cache folder and read
//! from there; `SURFRENDER_DATA` points at a folder holding them instead (for packagers
//! who ship the data apart from the binary, or to try another copy).
//!
//! Embedding rather than finding `data/` at run time is what lets an installed binary
//! (`cargo install`, a copied executable) draw a volume from any folder: 2.7 MB of
//! binary for the eight files (inflated for display, white and pial for sampling, curv
//! for the cortex shading, per hemisphere).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The environment variable naming a folder that holds `fsaverage5/` (the files of
/// [`FILES`]), used instead of the embedded copy.
pub const DATA_ENV: &str = "SURFRENDER_DATA";

/// The surface drawn by default, per hemisphere, in its folder.
pub const DISPLAY: &str = "inflated";

/// The embedded files, by name.
const FILES: [(&str, &[u8]); 8] = [
    (
        "lh.inflated",
        include_bytes!("../../data/fsaverage5/lh.inflated"),
    ),
    (
        "rh.inflated",
        include_bytes!("../../data/fsaverage5/rh.inflated"),
    ),
    ("lh.white", include_bytes!("../../data/fsaverage5/lh.white")),
    ("rh.white", include_bytes!("../../data/fsaverage5/rh.white")),
    ("lh.pial", include_bytes!("../../data/fsaverage5/lh.pial")),
    ("rh.pial", include_bytes!("../../data/fsaverage5/rh.pial")),
    ("lh.curv", include_bytes!("../../data/fsaverage5/lh.curv")),
    ("rh.curv", include_bytes!("../../data/fsaverage5/rh.curv")),
];

/// The note every figure on the default brain carries: what sampling an MNI152 volume
/// at fsaverage's coordinates means.
pub const MNI_NOTE: &str = "no surface given: drawn on the bundled fsaverage5, sampled between its white and pial surfaces. fsaverage is in MNI305 space and an MNI152 volume is sampled at its coordinates directly, as nilearn does: the two differ by a few mm, so a value near a sulcus may land on its other bank (fine for a figure, not for measurements; see the README's Volumes section)";

/// The folder holding the default brain's files: `$SURFRENDER_DATA/fsaverage5`, else
/// the embedded files written (once, and again only if they changed) under the user's
/// cache folder.
pub fn folder() -> Result<PathBuf> {
    if let Some(root) = std::env::var_os(DATA_ENV).filter(|v| !v.is_empty()) {
        let dir = PathBuf::from(root).join("fsaverage5");
        if let Some((name, _)) = FILES.iter().find(|(n, _)| !dir.join(n).is_file()) {
            return Err(Error::Usage(format!(
                "{DATA_ENV}: {} is missing (the default brain needs lh and rh inflated, white, pial and curv there); unset {DATA_ENV} to use the built-in copy",
                dir.join(name).display()
            )));
        }
        return Ok(dir);
    }
    let dir = cache_root().join(format!("fsaverage5-{}", env!("CARGO_PKG_VERSION")));
    write_files(&dir)?;
    Ok(dir)
}

/// `$XDG_CACHE_HOME/surfrender`, else `~/.cache/surfrender`, else one in the temporary
/// folder.
fn cache_root() -> PathBuf {
    let var = |k| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(x) = var("XDG_CACHE_HOME").filter(|p| p.is_absolute()) {
        return x.join("surfrender");
    }
    if let Some(home) = var("HOME").filter(|p| p.is_absolute()) {
        return home.join(".cache").join("surfrender");
    }
    std::env::temp_dir().join("surfrender-cache")
}

/// Writes each embedded file into `dir` unless an identical copy is there. Each is
/// written under a temporary name and renamed, so that two processes starting at once
/// never read a half-written surface.
fn write_files(dir: &Path) -> Result<()> {
    let fail = |p: &Path, source| Error::Write {
        path: p.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(|e| fail(dir, e))?;
    for (name, bytes) in FILES {
        let path = dir.join(name);
        if std::fs::read(&path).is_ok_and(|b| b == bytes) {
            continue;
        }
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        std::fs::write(&tmp, bytes).map_err(|e| fail(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            fail(&path, e)
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_files_are_written_once_and_repaired() {
        let dir = std::env::temp_dir().join(format!("surfrender-brain-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        write_files(&dir).expect("write");
        for (name, bytes) in FILES {
            assert_eq!(
                std::fs::read(dir.join(name)).expect("read"),
                bytes,
                "{name}"
            );
        }
        // A damaged copy is written again.
        std::fs::write(dir.join("lh.white"), b"junk").expect("damage");
        write_files(&dir).expect("rewrite");
        assert_eq!(
            std::fs::read(dir.join("lh.white")).expect("read"),
            FILES[2].1
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
