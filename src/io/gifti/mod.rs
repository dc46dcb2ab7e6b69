//! GIfTI (`.gii`, and whole-file gzipped `.gii.gz`): surfaces, per-vertex data and label
//! files, read as nibabel reads them (GIfTI 1.0 plus the legacy spellings older writers
//! used), with the checks nibabel leaves out: sizes against Dims, face indices against the
//! vertex count, external data confined to the file's folder.
//!
//! What a file holds is decided by its arrays: a NIFTI_INTENT_POINTSET array makes it a
//! surface; otherwise a LabelTable with entries plus an integer (or LABEL) array makes it
//! a parcellation; otherwise every DataArray is one frame of per-vertex data.
//!
//! Per-vertex data get a time step from `TimeStep` metadata, in seconds: the GIfTI
//! standard puts it in a NIFTI_INTENT_TIME_SERIES DataArray's MetaData (gifticlib writes
//! it on every array, 0.000000 when it knows none; Connectome Workbench names it
//! `METADATA_NAME_TIME_STEP`), and some writers put it in the file's own MetaData. The
//! first positive value among the arrays is taken, else the file's; a value that is no positive
//! number means none, never an error (see [`time_step`]).

mod decode;
mod labels;
mod xml;

use std::path::Path;

use decode::Values;
use roxmltree::Node;
use xml::{ArrayDesc, Encoding, Intent};

use super::input::Input;
use super::{xml_cost, Content, Expect, Loaded, Selection, Want};
use crate::error::{human_bytes, Error, Result};
use crate::mesh::{max_faces, Mesh};
use crate::overlay::{Overlay, TimeStep};

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

/// One decoded DataArray.
struct Array {
    desc: ArrayDesc,
    values: Values,
}

/// What a file holds, decided from its arrays' attributes before any is decoded.
enum Kind {
    /// Vertices in array `points`, faces in array `tris`.
    Surface { points: usize, tris: usize },
    /// Labels in this array.
    Annotation(usize),
    /// Every array a frame.
    Overlay,
}

/// Reads a GIfTI file (gunzipped when the whole file is gzip).
///
/// The XML is read whole, within half the memory budget, and parsed; what the file holds
/// and every array's size are then checked (against the surface asked for, and the
/// memory they will take against the budget) before any array is decoded.
///
/// With a frame selection ([`Selection::frames`]) per-vertex data decode only the arrays
/// of the frames kept: the XML is still read and parsed whole and every array's
/// attributes checked, but the Data (base64, inflated) of the other arrays is never
/// decoded, so neither its memory nor its time is spent, and an error in it goes
/// unreported.
pub(crate) fn read(input: &mut Input, sel: &Selection, expect: &Expect) -> Result<Loaded> {
    let path = input.path();
    let budget = input.limits.max_memory;
    let cap = budget / 2;
    input.read_to_end(cap, |n| {
        Error::invalid(
            path,
            format!(
                "its XML is {} or more, over half the memory budget of {} per input file, \
                 the most a GIfTI file's XML may take as it is held whole while its arrays \
                 are decoded (SURFRENDER_MAX_MEMORY=4G or more allows it)",
                human_bytes(n),
                human_bytes(budget)
            ),
        )
    })?;
    let text = xml::prepare(path, input.take_head())?;
    let parsed = (text.len() as u64).saturating_add(xml_cost(&text));
    input.budget(parsed, || "its XML, parsed,".into())?;
    let doc = xml::parse(path, &text)?;
    let root = doc.root_element();
    if !root.has_tag_name("GIFTI") {
        return Err(Error::invalid(
            path,
            format!(
                "the root element is <{}>, not <GIFTI>: not a GIfTI file",
                root.tag_name().name()
            ),
        ));
    }
    let nodes: Vec<Node> = root
        .children()
        .filter(|n| n.has_tag_name("DataArray"))
        .collect();
    let descs = nodes
        .iter()
        .enumerate()
        .map(|(index, &node)| xml::describe(path, index, node))
        .collect::<Result<Vec<_>>>()?;
    if descs.is_empty() {
        return Err(Error::invalid(path, "the GIfTI file holds no DataArray"));
    }
    let labels = labels::label_table(path, root)?;
    let kind = kind(path, &descs, &labels)?;
    check(path, &kind, &descs, expect)?;
    // Every array is a frame of per-vertex data: those not asked for are not decoded.
    let kept = match kind {
        Kind::Overlay => super::kept_frames(sel.frames.as_ref(), descs.len() as u64, &input.limits),
        _ => None,
    };
    let wanted = |i: usize| kept.as_ref().is_none_or(|k| k.binary_search(&i).is_ok());
    let decoded: Vec<&ArrayDesc> = descs
        .iter()
        .enumerate()
        .filter_map(|(i, d)| wanted(i).then_some(d))
        .collect();
    input.budget(parsed.saturating_add(decode_cost(&decoded)), || {
        format!("its {} data arrays, decoded,", decoded.len())
    })?;
    let mut arrays = Vec::with_capacity(descs.len());
    for (i, (desc, node)) in descs.into_iter().zip(&nodes).enumerate() {
        let values = if wanted(i) {
            decode::decode(path, &desc, &xml::data_text(*node))?
        } else {
            Values::F32(Vec::new())
        };
        arrays.push(Array { desc, values });
    }
    let encodings = distinct(&arrays, |a| a.desc.encoding.name());
    let endian = distinct(&arrays, |a| a.desc.endian.name());
    let n_arrays = arrays.len();
    let (content, n_dataarrays) = match kind {
        Kind::Surface { points, tris } => {
            (Content::Surface(surface(path, arrays, points, tris)?), None)
        }
        Kind::Annotation(i) => {
            let a = arrays
                .get(i)
                .ok_or_else(|| Error::Internal("GIfTI label array missing".into()))?;
            (
                Content::Annotation(labels::annotation(path, a, &labels)?),
                None,
            )
        }
        Kind::Overlay => {
            let mut ov = overlay(path, arrays, kept)?;
            ov.time_step = time_step(root, &nodes);
            (Content::Overlay(ov), Some(n_arrays))
        }
    };
    let loaded = Loaded::new(content)
        .detail("format", "gifti")
        .detail("encodings", encodings)
        .detail("endian", endian);
    Ok(match n_dataarrays {
        Some(n) => loaded.detail("n_dataarrays", n),
        None => loaded,
    })
}

/// What the file holds: a POINTSET array makes it a surface (whose faces then are
/// required); otherwise LabelTable entries with a LABEL or integer array make it a
/// parcellation; otherwise every array is one frame of per-vertex data.
fn kind(path: &Path, descs: &[ArrayDesc], labels: &[labels::LabelDef]) -> Result<Kind> {
    let find = |intent| descs.iter().position(|d| d.intent == intent);
    if let Some(points) = find(Intent::PointSet) {
        let Some(tris) = find(Intent::Triangle) else {
            return Err(Error::invalid(
                path,
                format!(
                    "DataArray {points} holds vertices (NIFTI_INTENT_POINTSET) but no DataArray \
                     holds faces (NIFTI_INTENT_TRIANGLE): a surface needs both"
                ),
            ));
        };
        return Ok(Kind::Surface { points, tris });
    }
    if let Some(i) = labels::label_array(descs, labels) {
        return Ok(Kind::Annotation(i));
    }
    if let Some(t) = find(Intent::Triangle) {
        return Err(Error::invalid(
            path,
            format!(
                "DataArray {t} holds faces (NIFTI_INTENT_TRIANGLE) but no DataArray holds their \
                 vertices (NIFTI_INTENT_POINTSET)"
            ),
        ));
    }
    Ok(Kind::Overlay)
}

/// The checks that need no values: shapes, the faces' type and count, and the vertex
/// count of per-vertex data against the surface asked for.
fn check(path: &Path, kind: &Kind, descs: &[ArrayDesc], expect: &Expect) -> Result<()> {
    let desc = |i: usize| {
        descs
            .get(i)
            .ok_or_else(|| Error::Internal("GIfTI array index".into()))
    };
    match *kind {
        Kind::Surface { points, tris } => {
            let (points, tris) = (desc(points)?, desc(tris)?);
            let n_vertices = rows_of_3(path, points, "vertex coordinates (NIFTI_INTENT_POINTSET)")?;
            let n_faces = rows_of_3(path, tris, "faces (NIFTI_INTENT_TRIANGLE)")?;
            if !tris.dtype.is_int() {
                return Err(Error::invalid(
                    path,
                    format!(
                        "DataArray {} (faces) is {}; face indices must be integers",
                        tris.index,
                        tris.dtype.name()
                    ),
                ));
            }
            let most = max_faces(n_vertices as u64);
            if n_faces as u64 > most {
                return Err(Error::invalid(
                    path,
                    format!(
                        "DataArray {} holds {n_faces} faces for {n_vertices} vertices; a triangle \
                         surface has at most {most} (4 per vertex + 1024; a closed surface has \
                         2 per vertex - 4)",
                        tris.index
                    ),
                ));
            }
        }
        Kind::Annotation(i) => {
            let n = vector_len(path, desc(i)?)?;
            expect.vertices(Want::Annotation, path, n as u64)?;
        }
        Kind::Overlay => {
            let n = vector_len(path, desc(0)?)?;
            expect.vertices(Want::Overlay, path, n as u64)?;
        }
    }
    Ok(())
}

/// Memory decoding the arrays takes, from their Dims: every array's values in their own
/// type, the largest array's raw bytes (decoded from base64, inflated or read from an
/// external file, before they become values), and 8 bytes per value for what is made of
/// them (f32 frames, vertices and faces, labels).
fn decode_cost(descs: &[&ArrayDesc]) -> u64 {
    let (mut typed, mut raw, mut values) = (0u64, 0u64, 0u64);
    for d in descs {
        let count = d.dims.iter().fold(1u64, |n, &x| n.saturating_mul(x));
        let bytes = count.saturating_mul(d.dtype.size());
        typed = typed.saturating_add(bytes);
        values = values.saturating_add(count);
        if d.encoding != Encoding::Ascii {
            raw = raw.max(bytes);
        }
    }
    typed
        .saturating_add(raw)
        .saturating_add(values.saturating_mul(8))
}

/// The distinct values of one attribute over all arrays, in order of first appearance:
/// `inspect` reports a file's encodings, not one entry per array.
fn distinct(arrays: &[Array], f: impl Fn(&Array) -> &'static str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for name in arrays.iter().map(f) {
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// The surface of arrays `points` and `tris` (shapes and types checked by [`check`]).
fn surface(path: &Path, mut arrays: Vec<Array>, points: usize, tris: usize) -> Result<Mesh> {
    let cras = arrays.get(points).and_then(|a| a.desc.cras);
    let mut take = |i: usize| {
        arrays
            .get_mut(i)
            .map(|a| std::mem::replace(&mut a.values, Values::U8(Vec::new())))
            .ok_or_else(|| Error::Internal("GIfTI array index".into()))
    };
    let (coords, indices) = (take(points)?, take(tris)?);
    drop(arrays);
    let vertices: Vec<[f32; 3]> = coords
        .into_f32()
        .chunks_exact(3)
        .map(|c| <[f32; 3]>::try_from(c).unwrap_or_default())
        .collect();
    let n_vertices = vertices.len();
    let n_faces = indices.len() / 3;
    let mut faces = Vec::with_capacity(n_faces);
    for f in 0..n_faces {
        let c = [3 * f, 3 * f + 1, 3 * f + 2].map(|i| indices.int_at(i).unwrap_or(-1));
        let mut face = [0u32; 3];
        for (slot, &v) in face.iter_mut().zip(&c) {
            *slot = u32::try_from(v)
                .ok()
                .filter(|&v| (v as usize) < n_vertices)
                .ok_or_else(|| {
                    let shown: Vec<String> = c.iter().map(i64::to_string).collect();
                    Error::invalid(
                        path,
                        format!(
                            "face {f} ({}) refers to vertex {v}, but the surface has \
                             {n_vertices} vertices",
                            shown.join(", ")
                        ),
                    )
                })?;
        }
        faces.push(face);
    }
    Ok(Mesh {
        vertices,
        faces,
        cras,
    })
}

/// Row count of an (N, 3) array, or an error naming what the array should hold.
fn rows_of_3(path: &Path, d: &ArrayDesc, what: &str) -> Result<usize> {
    match d.dims[..] {
        [n, 3] => usize::try_from(n).map_err(|_| Error::invalid(path, "array too large")),
        _ => Err(Error::invalid(
            path,
            format!(
                "DataArray {} holds {what} but has Dims {:?}; they must be (N, 3)",
                d.index, d.dims
            ),
        )),
    }
}

/// Length of per-vertex data: Dims (N), or (N, 1, ...) with trailing ones.
fn vector_len(path: &Path, d: &ArrayDesc) -> Result<usize> {
    match d.dims.split_first() {
        Some((&n, rest)) if rest.iter().all(|&d| d == 1) => {
            usize::try_from(n).map_err(|_| Error::invalid(path, "array too large"))
        }
        _ => Err(Error::invalid(
            path,
            format!(
                "DataArray {} has Dims {:?}; per-vertex data must be (N) or (N, 1)",
                d.index, d.dims
            ),
        )),
    }
}

/// Per-vertex data: every DataArray is one frame, and all must have the same length;
/// the values are those of the arrays `kept` (all when `None`; the others were not
/// decoded).
fn overlay(path: &Path, arrays: Vec<Array>, kept: Option<Vec<usize>>) -> Result<Overlay> {
    let mut n_vertices = None;
    for a in &arrays {
        let n = vector_len(path, &a.desc)?;
        match n_vertices {
            None => n_vertices = Some(n),
            Some(first) if first != n => {
                return Err(Error::invalid(
                    path,
                    format!(
                        "DataArray {} has {n} values but DataArray 0 has {first}: every array \
                         must hold one value per vertex",
                        a.desc.index
                    ),
                ))
            }
            Some(_) => {}
        }
    }
    let named = arrays.iter().any(|a| a.desc.name.is_some());
    let frame_names = if named {
        let name = |a: &Array| {
            a.desc
                .name
                .clone()
                .unwrap_or_else(|| format!("DataArray {}", a.desc.index))
        };
        arrays.iter().map(name).collect()
    } else {
        Vec::new()
    };
    let n_frames = arrays.len();
    // One array is handed over as it is; several are appended one after another, each
    // freed once copied.
    let values = if n_frames == 1 {
        arrays
            .into_iter()
            .next()
            .map(|a| a.values.into_f32())
            .unwrap_or_default()
    } else {
        // Arrays not kept hold no values: appending them adds nothing.
        let total = arrays.iter().map(|a| a.values.len()).sum();
        let mut values = Vec::with_capacity(total);
        for a in arrays {
            values.extend(a.values.into_f32());
        }
        values
    };
    Ok(Overlay {
        n_vertices: n_vertices.unwrap_or(0),
        n_frames,
        values,
        kept,
        frame_names,
        time_step: None,
    })
}

/// The time step of per-vertex data: the first DataArray `TimeStep` metadata that is a
/// positive number of seconds, else the file's own (see the module documentation).
fn time_step(root: Node, arrays: &[Node]) -> Option<TimeStep> {
    let seconds = |node: Node| {
        xml::meta_value(node, "TimeStep")
            .and_then(|v| v.parse::<f64>().ok())
            .and_then(|s| TimeStep::new(s, "GIfTI TimeStep"))
    };
    arrays
        .iter()
        .find_map(|&a| seconds(a))
        .or_else(|| seconds(root))
}
