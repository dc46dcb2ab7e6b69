//! FreeSurfer `.label` and `.annot` (helper F implements this file).

use std::path::Path;

use super::Loaded;
use crate::error::{Error, Result};

/// Reads a FreeSurfer annotation.
pub(crate) fn read_annot(path: &Path, _bytes: &[u8]) -> Result<Loaded> {
    Err(Error::Unsupported {
        path: path.to_path_buf(),
        what: "format",
        found: "FreeSurfer annotation (not yet implemented)".into(),
    })
}

/// Reads a FreeSurfer ASCII label.
pub(crate) fn read_label(path: &Path, _bytes: &[u8]) -> Result<Loaded> {
    Err(Error::Unsupported {
        path: path.to_path_buf(),
        what: "format",
        found: "FreeSurfer label (not yet implemented)".into(),
    })
}
