//! GIfTI (helper G implements this file).

use std::path::Path;

use super::Loaded;
use crate::error::{Error, Result};

/// Whether the bytes look like GIfTI XML (after an optional BOM and whitespace).
pub(crate) fn sniff(bytes: &[u8]) -> bool {
    let b = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]).unwrap_or(bytes);
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let b = &b[start..];
    b.starts_with(b"<?xml") || b.starts_with(b"<GIFTI")
}

/// Reads a GIfTI file.
pub(crate) fn read(path: &Path, _bytes: &[u8]) -> Result<Loaded> {
    Err(Error::Unsupported {
        path: path.to_path_buf(),
        what: "format",
        found: "GIfTI (not yet implemented)".into(),
    })
}
