//! NIfTI-1, NIfTI-2 and CIFTI-2 (helper N implements this file).

use std::path::Path;

use super::{Loaded, Selection};
use crate::error::{Error, Result};

/// Whether the bytes start with a NIfTI-1 or NIfTI-2 header (either byte order).
pub(crate) fn sniff(bytes: &[u8]) -> bool {
    let size = |b: &[u8]| {
        b.get(0..4).map(|w| {
            (
                i32::from_le_bytes([w[0], w[1], w[2], w[3]]),
                i32::from_be_bytes([w[0], w[1], w[2], w[3]]),
            )
        })
    };
    match size(bytes) {
        Some((348, _)) | Some((_, 348)) => {
            matches!(bytes.get(344..348), Some(b"n+1\0") | Some(b"ni1\0"))
        }
        Some((540, _)) | Some((_, 540)) => {
            matches!(bytes.get(4..8), Some(b"n+2\0") | Some(b"ni2\0"))
        }
        _ => false,
    }
}

/// Bytes a NIfTI file's header says the reader uses, once the header is in `prefix`.
pub(crate) fn implied_len(_path: &Path, _prefix: &[u8]) -> Option<u64> {
    None
}

/// Reads a NIfTI-1/2 file of per-vertex values, or a CIFTI-2 file.
pub(crate) fn read(path: &Path, _bytes: &[u8], _sel: &Selection) -> Result<Loaded> {
    Err(Error::Unsupported {
        path: path.to_path_buf(),
        what: "format",
        found: "NIfTI (not yet implemented)".into(),
    })
}
