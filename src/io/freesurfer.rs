//! FreeSurfer's native binary formats: triangle surfaces (`lh.pial`, ...) and "new"
//! curv files (`lh.thickness`, ...). Both are big-endian with a 3-byte magic number.

use std::path::Path;

use super::cursor::word;
use super::input::{Input, Region};
use super::{Cursor, Expect, Want, CURV_MAGIC, NEW_QUAD_MAGIC, TRIANGLE_MAGIC};
use crate::error::{hex_prefix, Error, Result};
use crate::mesh::{max_faces, Mesh};
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

/// Reads a triangle surface. The counts are checked against each other (see
/// [`max_faces`]), against what the file can hold and against the memory budget before
/// anything is allocated; vertices and faces are then streamed into the mesh. Of the
/// volume-info block FreeSurfer appends after the faces (`valid = 1 ...`) only `cras` is
/// kept ([`Mesh::cras`], see [`volume_info_cras`]): sampling a subject's volume needs it to
/// turn tkrRAS into scanner RAS. Other trailing data are ignored.
pub(crate) fn read_surface(input: &mut Input) -> Result<Mesh> {
    let path = input.path();
    let header = input.header(|b| surface_header(path, b))?;
    let SurfaceHeader { nvert, nface, .. } = header;
    let most = max_faces(nvert);
    if nface > most {
        return Err(Error::invalid(
            path,
            format!(
                "the header gives {nface} faces for {nvert} vertices; a triangle surface has at \
                 most {most} (4 per vertex + 1024; a closed surface has 2 per vertex - 4)"
            ),
        ));
    }
    // The whole body is checked at once, so the size in the message is the one the header
    // implies.
    const WHAT: &str = "surface (vertices and faces)";
    input.check_end(header.end(), WHAT)?;
    input.budget((nvert + nface).saturating_mul(12), || {
        format!("its {nvert} vertices and {nface} faces")
    })?;
    let region = |at: u64, count: u64| Region {
        at,
        count,
        size: 12,
        end: header.end(),
        what: WHAT,
    };
    let mut vertices = input.vec(nvert)?;
    input.region(
        &region(header.start as u64, nvert),
        &mut vertices,
        |run, out| {
            out.extend(
                run.as_chunks::<12>()
                    .0
                    .iter()
                    .map(|c| be_triple(c).map(f32::from_bits)),
            );
            Ok(())
        },
    )?;
    let mut faces = input.vec(nface)?;
    let faces_at = header.start as u64 + nvert * 12;
    input.region(&region(faces_at, nface), &mut faces, |run, out| {
        let first = out.len();
        // Converted in bulk, then checked at once: a negative index (an int32) reads as
        // at least 2^31 here, past any vertex count a header can give.
        out.extend(run.as_chunks::<12>().0.iter().map(be_triple));
        let added = out.get(first..).unwrap_or_default();
        let most = added.iter().fold(0, |m, f| m.max(f[0]).max(f[1]).max(f[2]));
        if u64::from(most) < nvert {
            return Ok(());
        }
        // Name the first bad index, as the file gives it.
        let (face, i) = (first..)
            .zip(added)
            .flat_map(|(k, f)| f.map(|i| (k, i)))
            .find(|&(_, i)| u64::from(i) >= nvert)
            .unwrap_or((first, most));
        Err(Error::invalid(
            path,
            format!(
                "face {face} uses vertex index {}, but the surface has {nvert} vertices \
                 (valid indices 0..{})",
                i as i32,
                nvert.saturating_sub(1)
            ),
        ))
    })?;
    let mut tail = vec![0u8; VOLUME_INFO_BYTES];
    let got = input.read_at(header.end(), &mut tail)?;
    let cras = volume_info_cras(tail.get(..got).unwrap_or_default());
    input.finish()?;
    Ok(Mesh {
        vertices,
        faces,
        cras,
    })
}

/// Three big-endian 32-bit words as they are (the bits of float32 or int32 values).
fn be_triple(c: &[u8; 12]) -> [u32; 3] {
    let [a0, a1, a2, a3, b0, b1, b2, b3, c0, c1, c2, c3] = *c;
    [
        u32::from_be_bytes([a0, a1, a2, a3]),
        u32::from_be_bytes([b0, b1, b2, b3]),
        u32::from_be_bytes([c0, c1, c2, c3]),
    ]
}

/// The most bytes read after the faces for the volume-info block: its tag and eight
/// short lines, with room for a long `filename` line. A block longer than this (a
/// filename of kilobytes) loses its `cras`, which is then unknown, never wrong.
const VOLUME_INFO_BYTES: usize = 8 << 10;

/// `cras` from the volume-info block that FreeSurfer writes after a surface's faces, as
/// nibabel's `_read_volume_info` reads it: the tag (int32 20, or the three int32s 2, 0,
/// 20, the "use real RAS" tag before it), then the lines `valid`, `filename`, `volume`,
/// `voxelsize`, `xras`, `yras`, `zras`, `cras`, each `key = value`. `None` unless the
/// block is there, says `valid = 1` (FreeSurfer's `vg.valid`: 0 means the geometry was
/// never set, and its `cras` is not to be trusted), and `cras` holds three finite numbers.
/// A missing or unreadable block is never an error: nibabel only warns, and the surface
/// draws the same; sampling then takes the coordinates as they are.
pub(crate) fn volume_info_cras(tail: &[u8]) -> Option<[f32; 3]> {
    let tag = |at: usize| tail.get(at..at + 4).map(|b| i32::from_be_bytes(word(b)));
    let start = match (tag(0), tag(4), tag(8)) {
        (Some(20), ..) => 4,
        (Some(2), Some(0), Some(20)) => 12,
        _ => return None,
    };
    let text = tail.get(start..)?;
    let mut valid = false;
    let mut lines = text.split(|&b| b == b'\n');
    for key in [
        "valid",
        "filename",
        "volume",
        "voxelsize",
        "xras",
        "yras",
        "zras",
    ] {
        let line = String::from_utf8_lossy(lines.next()?).into_owned();
        let (k, v) = line.split_once('=')?;
        if k.trim() != key {
            return None;
        }
        if key == "valid" {
            // "valid = 1  # volume info valid"
            valid = v.split_whitespace().next() == Some("1");
        }
    }
    let line = String::from_utf8_lossy(lines.next()?).into_owned();
    let (k, v) = line.split_once('=')?;
    if k.trim() != "cras" || !valid {
        return None;
    }
    let xyz: Vec<f32> = v
        .split_whitespace()
        .map(str::parse::<f32>)
        .collect::<std::result::Result<_, _>>()
        .ok()?;
    match xyz.as_slice() {
        &[x, y, z] if [x, y, z].iter().all(|c| c.is_finite()) => Some([x, y, z]),
        _ => None,
    }
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

/// Reads a "new"-format curv file: magic ff ff ff, vertex count, face count (unused,
/// as in nibabel), values per vertex, then one float32 per vertex, streamed into the
/// overlay once the count is checked against the surface, the file and the budget.
pub(crate) fn read_curv(input: &mut Input, expect: &Expect) -> Result<Overlay> {
    let path = input.path();
    let nvert = input.header(|b| curv_header(path, b))?;
    expect.vertices(Want::Overlay, path, nvert)?;
    const WHAT: &str = "curv values";
    input.check_end(curv_end(nvert), WHAT)?;
    input.budget(nvert.saturating_mul(4), || {
        format!("its {nvert} float32 values")
    })?;
    let mut values = input.vec(nvert)?;
    let region = Region {
        at: CURV_DATA_OFFSET,
        count: nvert,
        size: 4,
        end: curv_end(nvert),
        what: WHAT,
    };
    input.region(&region, &mut values, |run, out| {
        out.extend(
            run.as_chunks::<4>()
                .0
                .iter()
                .map(|&c| f32::from_be_bytes(c)),
        );
        Ok(())
    })?;
    input.finish()?;
    Ok(Overlay::single(values))
}

/// A header count as u64, refusing negative values (a sign of a corrupt or misread header).
fn count(path: &Path, n: i32, what: &str) -> Result<u64> {
    u64::try_from(n)
        .map_err(|_| Error::invalid(path, format!("header gives a negative {what} count ({n})")))
}
