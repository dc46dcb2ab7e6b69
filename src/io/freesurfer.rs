//! FreeSurfer's native binary formats: triangle surfaces (`lh.pial`, ...) and "new"
//! curv files (`lh.thickness`, ...). Both are big-endian with a 3-byte magic number.

use std::path::Path;

use super::{be_f32s, be_i32s, check_len, Cursor, CURV_MAGIC, NEW_QUAD_MAGIC, TRIANGLE_MAGIC};
use crate::error::{hex_prefix, Error, Result};
use crate::mesh::Mesh;
use crate::overlay::Overlay;

/// What a triangle surface's header says: its counts, and where the vertices start.
struct SurfaceHeader {
    nvert: u64,
    nface: u64,
    start: usize,
}

impl SurfaceHeader {
    /// Where the faces end: the bytes the reader uses (`u64::MAX` if that overflows).
    fn end(&self) -> u64 {
        self.nvert
            .checked_add(self.nface)
            .and_then(|n| n.checked_mul(12))
            .and_then(|body| body.checked_add(self.start as u64))
            .unwrap_or(u64::MAX)
    }
}

/// Reads a triangle surface's magic number, creator line and counts.
fn surface_header(path: &Path, bytes: &[u8]) -> Result<SurfaceHeader> {
    let mut cur = Cursor::new(path, bytes);
    let magic = cur.take(3, "FreeSurfer surface magic")?;
    if magic == CURV_MAGIC || magic == NEW_QUAD_MAGIC {
        return Err(Error::Unsupported {
            path: path.to_path_buf(),
            what: "FreeSurfer file type",
            found: format!(
                "magic {}: this is a FreeSurfer curv/quad file, not a triangle surface \
                 (magic ff ff fe)",
                hex_prefix(magic)
            ),
        });
    }
    if magic != TRIANGLE_MAGIC {
        return Err(Error::BadMagic {
            path: path.to_path_buf(),
            expected: "FreeSurfer triangle surface",
            found: format!("{}; expected ff ff fe", hex_prefix(bytes)),
        });
    }
    // Creator line ("created by ... on ...") ends with "\n\n"; nibabel reads it as two
    // lines. Some writers emit a single "\n"; accept both.
    if cur.line().is_none() {
        return Err(Error::invalid(
            path,
            "no newline ends the creator line after the magic number \
             (file cut short, or not a FreeSurfer surface)",
        ));
    }
    if cur.peek() == Some(b'\n') {
        cur.take(1, "creator line")?;
    }
    let nvert = cur.i32_be("surface header (vertex count)")?;
    let nface = cur.i32_be("surface header (face count)")?;
    Ok(SurfaceHeader {
        nvert: count(path, nvert, "vertex")?,
        nface: count(path, nface, "face")?,
        start: cur.pos(),
    })
}

/// The bytes [`parse_surface`] uses, once `prefix` holds a whole, valid header.
pub(crate) fn surface_implied_len(path: &Path, prefix: &[u8]) -> Option<u64> {
    surface_header(path, prefix).ok().map(|h| h.end())
}

/// Parses a triangle surface. The volume-info block FreeSurfer appends after the faces
/// (`valid = 1 ...`) and any other trailing data are ignored: rendering needs none of it.
pub(crate) fn parse_surface(path: &Path, bytes: &[u8]) -> Result<Mesh> {
    let header = surface_header(path, bytes)?;
    let SurfaceHeader { nvert, nface, .. } = header;
    // Check the whole body at once so that the size in the message is the one the header
    // implies, and so nothing is allocated for a header that lies.
    check_len(path, bytes, header.end(), "surface (vertices and faces)")?;

    let mut cur = Cursor::new(path, bytes);
    cur.skip_to(header.start, "surface header")?;
    let vdata = cur.take_items(nvert, 12, "surface vertices")?;
    let mut coords = be_f32s(vdata);
    let mut vertices = Vec::with_capacity(vdata.len() / 12);
    while let (Some(x), Some(y), Some(z)) = (coords.next(), coords.next(), coords.next()) {
        vertices.push([x, y, z]);
    }

    let fdata = cur.take_items(nface, 12, "surface faces")?;
    let check = |face: usize, i: i32| -> Result<u32> {
        match u32::try_from(i) {
            Ok(u) if u64::from(u) < nvert => Ok(u),
            _ => Err(Error::invalid(
                path,
                format!(
                    "face {face} uses vertex index {i}, but the surface has {nvert} vertices \
                     (valid indices 0..{})",
                    nvert.saturating_sub(1)
                ),
            )),
        }
    };
    let mut idx = be_i32s(fdata);
    let mut faces = Vec::with_capacity(fdata.len() / 12);
    while let (Some(a), Some(b), Some(c)) = (idx.next(), idx.next(), idx.next()) {
        let f = faces.len();
        faces.push([check(f, a)?, check(f, b)?, check(f, c)?]);
    }
    Ok(Mesh { vertices, faces })
}

/// Curv values start after the magic number and three int32 counts.
const CURV_DATA_OFFSET: u64 = 15;

/// Reads a "new"-format curv header and returns its vertex count.
fn curv_header(path: &Path, bytes: &[u8]) -> Result<u64> {
    let mut cur = Cursor::new(path, bytes);
    let magic = cur.take(3, "FreeSurfer curv magic")?;
    if magic == TRIANGLE_MAGIC {
        return Err(Error::invalid(
            path,
            "this is a FreeSurfer triangle surface, not a curv (per-vertex data) file",
        ));
    }
    if magic != CURV_MAGIC {
        // Old-format curv files (3-byte counts, int16 values) start with the vertex count.
        return Err(Error::BadMagic {
            path: path.to_path_buf(),
            expected: "FreeSurfer new-format curv",
            found: format!("{}; expected ff ff ff", hex_prefix(bytes)),
        });
    }
    let nvert = cur.i32_be("curv header (vertex count)")?;
    let _nface = cur.i32_be("curv header (face count)")?;
    let per_vertex = cur.i32_be("curv header (values per vertex)")?;
    let nvert = count(path, nvert, "vertex")?;
    if per_vertex != 1 {
        return Err(Error::Unsupported {
            path: path.to_path_buf(),
            what: "curv values per vertex",
            found: format!("{per_vertex} (only 1 is supported)"),
        });
    }
    Ok(nvert)
}

/// Where a curv file with `nvert` values ends (`u64::MAX` if that overflows).
fn curv_end(nvert: u64) -> u64 {
    nvert
        .checked_mul(4)
        .and_then(|n| n.checked_add(CURV_DATA_OFFSET))
        .unwrap_or(u64::MAX)
}

/// The bytes [`parse_curv`] uses, once `prefix` holds a whole, valid header.
pub(crate) fn curv_implied_len(path: &Path, prefix: &[u8]) -> Option<u64> {
    curv_header(path, prefix).ok().map(curv_end)
}

/// Parses a "new"-format curv file: magic ff ff ff, vertex count, face count (unused,
/// as in nibabel), values per vertex, then one float32 per vertex.
pub(crate) fn parse_curv(path: &Path, bytes: &[u8]) -> Result<Overlay> {
    let nvert = curv_header(path, bytes)?;
    check_len(path, bytes, curv_end(nvert), "curv values")?;
    let mut cur = Cursor::new(path, bytes);
    cur.skip_to(CURV_DATA_OFFSET as usize, "curv header")?;
    let data = cur.take_items(nvert, 4, "curv values")?;
    Ok(Overlay::single(be_f32s(data).collect()))
}

/// A header count as u64, refusing negative values (a sign of a corrupt or misread header).
fn count(path: &Path, n: i32, what: &str) -> Result<u64> {
    u64::try_from(n)
        .map_err(|_| Error::invalid(path, format!("header gives a negative {what} count ({n})")))
}
