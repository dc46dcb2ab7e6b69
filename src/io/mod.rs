//! Readers: bytes on disk → [`Mesh`] and [`Overlay`]. Format is decided by magic bytes
//! first and the file name second, because pipelines rename files freely.

use std::path::Path;

use crate::error::Result;
use crate::mesh::Mesh;
use crate::overlay::Overlay;

/// Reads a surface mesh (FreeSurfer triangle format).
pub fn read_surface(path: &Path) -> Result<Mesh> {
    let _ = path;
    todo!("helper A")
}

/// Reads per-vertex data: FreeSurfer curv ("new" format), MGH or MGZ. All frames are kept.
pub fn read_overlay(path: &Path) -> Result<Overlay> {
    let _ = path;
    todo!("helper A")
}
