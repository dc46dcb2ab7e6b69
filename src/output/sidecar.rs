//! The JSON sidecar written beside every figure (`fig.png.json`): the effective spec, each
//! input file with its size and SHA-256, the surfrender version and the backend, so a
//! figure in a paper can be traced to its exact inputs and replayed.

use std::path::{Path, PathBuf};

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::desc::FigureDesc;
use crate::error::{Error, Result};
use crate::render::BackendInfo;
use crate::spec::FigureSpec;

/// Writes `<png>.json` atomically, alone; [`write_figure`](super::write_figure) writes
/// it with its PNG.
pub fn write(
    png: &Path,
    desc: &FigureDesc,
    spec: &FigureSpec,
    backend: &BackendInfo,
) -> Result<()> {
    crate::output::write_atomic(&path(png), &document(desc, spec, backend)?)
}

/// The sidecar's bytes, built before any file is written, so that the PNG and its
/// sidecar can be put in place together.
pub fn document(desc: &FigureDesc, spec: &FigureSpec, backend: &BackendInfo) -> Result<Vec<u8>> {
    document_with(desc, spec, backend, Extra::new())
}

/// Top-level keys a sidecar holds besides the spec, inputs and backend: `facts` of a
/// figure, `sequence` of a movie, `batch` of a figure made by a batch.
pub type Extra = serde_json::Map<String, serde_json::Value>;

/// Nanoseconds since 1970 of a file's modification time (0 when the system has none):
/// with the size, what a batch compares to tell that an input changed without hashing it.
pub fn mtime_ns(meta: &std::fs::Metadata) -> u64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos().min(u64::MAX as u128) as u64)
}

/// The length and SHA-256 (lower-case hex) of the file at `path`, streamed through a
/// small buffer: an input of a sequence may be a long series of which only a few frames
/// were read, and hashing it must not hold it whole.
pub(crate) fn sha256_file(path: &std::path::Path) -> std::io::Result<(u64, String)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let len = std::io::copy(&mut file, &mut hasher)?;
    let hex = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((len, hex))
}

/// [`document`] with more top-level keys ([`Extra`]).
pub fn document_with(
    desc: &FigureDesc,
    spec: &FigureSpec,
    backend: &BackendInfo,
    extra: Extra,
) -> Result<Vec<u8>> {
    let mut inputs = Vec::new();
    for p in input_files(spec) {
        let read_err = |source| Error::Read {
            path: p.clone(),
            source,
        };
        let modified = std::fs::metadata(&p).map_err(read_err)?;
        let (len, hex) = sha256_file(&p).map_err(read_err)?;
        inputs.push(json!({
            "path": p.display().to_string(),
            "bytes": len,
            "mtime_ns": mtime_ns(&modified),
            "sha256": hex,
        }));
    }
    // Paths that are not UTF-8 cannot be JSON strings; describe the spec lossily then.
    let spec_json = desc
        .to_spec_value()
        .unwrap_or_else(|_| serde_json::Value::String(format!("{desc:?}")));
    let mut doc = json!({
        "surfrender": env!("CARGO_PKG_VERSION"),
        "spec": spec_json,
        "inputs": inputs,
        "backend": {
            "origin": backend.origin,
            "renderer": backend.renderer,
            "version": backend.version,
            "samples": backend.samples,
        },
    });
    if let Some(map) = doc.as_object_mut() {
        map.extend(extra);
    }
    let text = serde_json::to_string_pretty(&doc)
        .map_err(|e| Error::serialize("the sidecar as JSON", e))?;
    Ok(format!("{text}\n").into_bytes())
}

/// Every file the figure read, once (a curvature also drawn as an overlay is one input);
/// also what an output must not overwrite.
pub(crate) fn input_files(spec: &FigureSpec) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for s in &spec.surfaces {
        paths.push(s.surface.clone());
        paths.extend(s.overlays.iter().flatten().cloned());
        paths.extend(s.curv.clone());
        paths.extend(s.contours.clone());
        paths.extend(s.mask.clone());
        // The surfaces volumes were sampled on decide the values drawn.
        if let Some(v) = &s.sampling {
            paths.push(v.inner.clone());
            paths.extend(v.outer.clone());
        }
    }
    paths.extend(spec.foci_files.iter().cloned());
    paths.extend(spec.volumes.lut.clone());
    paths.extend(spec.layers.iter().map(|l| l.path.clone()));
    let mut seen = std::collections::HashSet::new();
    paths.retain(|p| seen.insert(p.clone()));
    paths
}

/// `fig.png` → `fig.png.json`.
pub fn path(png: &Path) -> PathBuf {
    let mut name = png.as_os_str().to_owned();
    name.push(".json");
    name.into()
}
