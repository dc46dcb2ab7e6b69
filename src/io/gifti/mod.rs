//! GIfTI (`.gii`, and whole-file gzipped `.gii.gz`): surfaces, per-vertex data and label
//! files, read as nibabel reads them (GIfTI 1.0 plus the legacy spellings older writers
//! used), with the checks nibabel leaves out: sizes against Dims, face indices against the
//! vertex count, external data confined to the file's folder.
//!
//! What a file holds is decided by its arrays: a NIFTI_INTENT_POINTSET array makes it a
//! surface; otherwise a LabelTable with entries plus an integer (or LABEL) array makes it
//! a parcellation; otherwise every DataArray is one frame of per-vertex data.

mod decode;
mod labels;
mod xml;

use std::path::Path;

use decode::Values;
use xml::{ArrayDesc, Intent};

use super::{Content, Loaded};
use crate::error::{Error, Result};
use crate::mesh::Mesh;
use crate::overlay::Overlay;

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

/// Reads a GIfTI file (`bytes` already gunzipped when the whole file was).
pub(crate) fn read(path: &Path, bytes: &[u8]) -> Result<Loaded> {
    let text = xml::prepare(path, bytes)?;
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
    let mut arrays = Vec::new();
    let nodes = root.children().filter(|n| n.has_tag_name("DataArray"));
    for (index, node) in nodes.enumerate() {
        let desc = xml::describe(path, index, node)?;
        let values = decode::decode(path, &desc, &xml::data_text(node))?;
        arrays.push(Array { desc, values });
    }
    if arrays.is_empty() {
        return Err(Error::invalid(path, "the GIfTI file holds no DataArray"));
    }
    let labels = labels::label_table(path, root)?;

    let (content, n_dataarrays) = if let Some(mesh) = surface(path, &arrays)? {
        (Content::Surface(mesh), None)
    } else if let Some(annot) = labels::annotation(path, &arrays, &labels)? {
        (Content::Annotation(annot), None)
    } else {
        (
            Content::Overlay(overlay(path, &arrays)?),
            Some(arrays.len()),
        )
    };
    let loaded = Loaded::new(content)
        .detail("format", "gifti")
        .detail("encodings", distinct(&arrays, |a| a.desc.encoding.name()))
        .detail("endian", distinct(&arrays, |a| a.desc.endian.name()));
    Ok(match n_dataarrays {
        Some(n) => loaded.detail("n_dataarrays", n),
        None => loaded,
    })
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

/// The surface, if the file has a POINTSET array; its faces then are required.
fn surface(path: &Path, arrays: &[Array]) -> Result<Option<Mesh>> {
    let Some(points) = arrays.iter().find(|a| a.desc.intent == Intent::PointSet) else {
        return Ok(None);
    };
    let Some(tris) = arrays.iter().find(|a| a.desc.intent == Intent::Triangle) else {
        return Err(Error::invalid(
            path,
            format!(
                "DataArray {} holds vertices (NIFTI_INTENT_POINTSET) but no DataArray holds faces \
                 (NIFTI_INTENT_TRIANGLE): a surface needs both",
                points.desc.index
            ),
        ));
    };
    let n_vertices = rows_of_3(path, points, "vertex coordinates (NIFTI_INTENT_POINTSET)")?;
    rows_of_3(path, tris, "faces (NIFTI_INTENT_TRIANGLE)")?;
    let vertices = points
        .values
        .to_f32()
        .chunks_exact(3)
        .map(|c| <[f32; 3]>::try_from(c).unwrap_or_default())
        .collect();
    let Some(indices) = tris.values.to_ints() else {
        return Err(Error::invalid(
            path,
            format!(
                "DataArray {} (faces) is {}; face indices must be integers",
                tris.desc.index,
                tris.desc.dtype.name()
            ),
        ));
    };
    let mut faces = Vec::with_capacity(indices.len() / 3);
    for (f, c) in indices.chunks_exact(3).enumerate() {
        let mut face = [0u32; 3];
        for (slot, &v) in face.iter_mut().zip(c) {
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
    Ok(Some(Mesh { vertices, faces }))
}

/// Row count of an (N, 3) array, or an error naming what the array should hold.
fn rows_of_3(path: &Path, a: &Array, what: &str) -> Result<usize> {
    match a.desc.dims[..] {
        [n, 3] => usize::try_from(n).map_err(|_| Error::invalid(path, "array too large")),
        _ => Err(Error::invalid(
            path,
            format!(
                "DataArray {} holds {what} but has Dims {:?}; they must be (N, 3)",
                a.desc.index, a.desc.dims
            ),
        )),
    }
}

/// Length of per-vertex data: Dims (N), or (N, 1, ...) with trailing ones.
fn vector_len(path: &Path, a: &Array) -> Result<usize> {
    match a.desc.dims.split_first() {
        Some((&n, rest)) if rest.iter().all(|&d| d == 1) => {
            usize::try_from(n).map_err(|_| Error::invalid(path, "array too large"))
        }
        _ => Err(Error::invalid(
            path,
            format!(
                "DataArray {} has Dims {:?}; per-vertex data must be (N) or (N, 1)",
                a.desc.index, a.desc.dims
            ),
        )),
    }
}

/// Per-vertex data: every DataArray is one frame, and all must have the same length.
fn overlay(path: &Path, arrays: &[Array]) -> Result<Overlay> {
    if let Some(t) = arrays.iter().find(|a| a.desc.intent == Intent::Triangle) {
        return Err(Error::invalid(
            path,
            format!(
                "DataArray {} holds faces (NIFTI_INTENT_TRIANGLE) but no DataArray holds their \
                 vertices (NIFTI_INTENT_POINTSET)",
                t.desc.index
            ),
        ));
    }
    let mut n_vertices = None;
    let mut values = Vec::new();
    for a in arrays {
        let n = vector_len(path, a)?;
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
        values.extend(a.values.to_f32());
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
    Ok(Overlay {
        n_vertices: n_vertices.unwrap_or(0),
        n_frames: arrays.len(),
        values,
        frame_names,
    })
}
