//! CIFTI-2 (HCP, Connectome Workbench): a NIfTI-2 file with an intent code from 3000 to
//! 3099 (3006 dscalar, 3002 dtseries, 3007 dlabel, ...) whose extension with ecode 32 holds
//! XML describing both dimensions of the data matrix. nibabel's `cifti2` package is the
//! behavioural reference.
//!
//! * The matrix has dim\[5\] rows (CIFTI dimension 0) and dim\[6\] columns (dimension 1);
//!   each `MatrixIndicesMap` says which dimension(s) it describes (`AppliesToMatrixDimension`).
//!   nibabel's `Cifti2Image.get_fdata()` has shape (dim\[5\], dim\[6\]), and its element
//!   \[i, j\] is the stored value number i + dim\[5\]·j: nibabel reshapes the NIfTI data
//!   object (1, 1, 1, 1, dim\[5\], dim\[6\]) in NIfTI's own first-index-fastest
//!   (column-major) order. So the data are *not* row-major over (dim\[5\], dim\[6\]): in a
//!   dscalar (maps × brainordinates) the maps of one brainordinate are adjacent. Checked
//!   against nibabel 5.4.2, which stores a 2×5 matrix with rows 0..4 and 10..14 as
//!   0, 10, 1, 11, ...; tests/data/cifti/ has files with the brain models on either
//!   dimension.
//! * One dimension must be `CIFTI_INDEX_TYPE_BRAIN_MODELS`; the other `SCALARS` (dscalar:
//!   one frame per map, named by `MapName`), `SERIES` (dtseries: one frame per point) or
//!   `LABELS` (dlabel: the map chosen by [`Selection::map`] becomes an [`Annotation`]).
//!   Parcellated files (no brain models) and dense connectivity (brain models on both) are
//!   refused as not per-vertex data.
//! * Of the brain models, the surface of `CIFTI_STRUCTURE_CORTEX_LEFT` or `_RIGHT` is read,
//!   as [`Selection::hemi`] says (left when none is given, else right). Its brainordinates
//!   IndexOffset..IndexOffset+IndexCount are the vertices listed in `VertexIndices`; the
//!   result has `SurfaceNumberOfVertices` entries, NaN (no data, drawn transparent) or
//!   `None` (no label) at vertices not listed, such as the medial wall. Volume models
//!   (subcortical structures) are skipped.
//! * A dtseries' time step is its series' SeriesStep × 10^SeriesExponent when SeriesUnit is
//!   SECOND (see [`maps::series_time_step`]); a dscalar's maps have none.
//! * Checked: every vertex index below SurfaceNumberOfVertices and listed once, the list as
//!   long as IndexCount, every model within the brain-models dimension, the map count equal
//!   to the other dimension. The result's size (SurfaceNumberOfVertices × frames) comes from
//!   the XML rather than the data, so it is bounded too (see [`MAX_OUTPUT`]).
//! * Label colours are floats from 0 to 1, stored as round(x·255). A vertex whose value is
//!   no key of the table (or not an integer) gets `None`. When a key appears twice the last
//!   entry wins, as in nibabel's dict of labels.
//! * Details for `inspect`: `format` "Cifti2Image", `cifti_type` (dscalar, dtseries,
//!   dlabel), `shape` (dim\[5\], dim\[6\]) as nibabel's `img.shape`, `dtype_on_disk`,
//!   `intent_code`, `brain_models` (structure, model type, index offset and count, surface
//!   vertices), the `structure` read and its `n_vertices_with_data`; `map_names` for
//!   dscalar and dlabel, `series` (points, start, step, exponent, unit) for dtseries, the
//!   `map` read and `n_vertices_unmatched` (listed vertices with no table entry) for dlabel.
//! * The XML is parsed by roxmltree with its defaults: a DOCTYPE is refused, so no entity
//!   is expanded and nothing outside the file is read.
//!
//! The reader is in parts: [`xml`] finds the XML in the NIfTI extensions, parses it safely
//! and finds the MatrixIndicesMap of each dimension; [`models`] reads the brain models and
//! maps the chosen cortex's brainordinates onto its vertices; [`maps`] reads the other
//! dimension (scalar map names, series, label maps and their tables). [`read`] puts them
//! together into an overlay or an annotation.

mod maps;
mod models;
mod xml;

use std::collections::HashMap;
use std::path::Path;

use roxmltree::{Document, Node};
use serde_json::{json, Value};

use maps::{
    check_count, label_table, map_name, map_names, named_maps, pick_map, series, series_time_step,
};
use models::{brain_models, choose, Model};
use xml::{axes, parse, xml_text};

use super::header::Header;
use super::to_usize;
use super::values::{Decoder, Values};
use crate::annotation::Annotation;
use crate::error::{Error, Result};
use crate::io::input::Input;
use crate::io::{xml_cost, Content, Expect, Loaded, Selection, Want};
use crate::overlay::Overlay;

const BRAIN_MODELS: &str = "CIFTI_INDEX_TYPE_BRAIN_MODELS";
/// Entries (values or labels) a result may always have: 2^26, 256 MiB of f32, more than a
/// 1200-frame time series on the 32k HCP mesh needs...
const MAX_OUTPUT: u64 = 1 << 26;
/// ...and beyond it, at most this many entries per value stored in the file, so that a
/// small file cannot make the reader allocate gigabytes of NaN.
const MAX_OUTPUT_PER_VALUE: u64 = 64;

/// The data matrix, as the NIfTI-2 header describes it.
pub(in crate::io::nifti) struct Matrix {
    /// dim\[5\], dim\[6\].
    pub(in crate::io::nifti) dims: [u64; 2],
    pub(in crate::io::nifti) decoder: Decoder,
    pub(in crate::io::nifti) dtype_on_disk: &'static str,
    /// Where the data end (vox_offset + the matrix).
    pub(in crate::io::nifti) end: u64,
}

/// Reads the cortex of `sel.hemi` from a CIFTI-2 file whose NIfTI-2 header is `h`, and
/// whose `input` holds the header and extensions. The XML is checked (the cortex's vertex
/// count against `expect`, the result's size against the budget) before the data matrix is
/// read.
pub(in crate::io::nifti) fn read(
    input: &mut Input,
    h: &Header,
    m: Matrix,
    sel: &Selection,
    expect: &Expect,
) -> Result<Loaded> {
    let path = input.path();
    // Copied out, so that the data can be read into the input while the XML is in use.
    let text = xml_text(path, input.head(), h)?.to_owned();
    let held = h.vox_offset.saturating_add(text.len() as u64);
    input.budget(held.saturating_add(xml_cost(&text)), || {
        "its CIFTI-2 XML, parsed".into()
    })?;
    let doc = parse(path, &text)?;
    let matrix = matrix_element(path, &doc)?;
    let axes = axes(path, matrix)?;
    let types = axes.map(|a| a.attribute("IndicesMapToDataType").unwrap_or("").trim());
    let brain = brain_dimension(path, types)?;
    let other = Other {
        axis: axes[1 - brain],
        len: m.dims[1 - brain],
        dim: 1 - brain,
    };
    let (cifti_type, frames) = file_type(path, types[other.dim], other.len)?;
    let models = brain_models(path, axes[brain], m.dims[brain], brain)?;
    let model = choose(path, &models, sel.hemi)?;
    let n_vertices = model.n_vertices.unwrap_or(0);
    let want = if cifti_type == "dlabel" {
        Want::Annotation
    } else {
        Want::Overlay
    };
    expect.vertices(want, path, n_vertices)?;
    // Before anything of that size is allocated.
    let stored = m.dims[0].saturating_mul(m.dims[1]);
    output_size(path, stored, n_vertices, frames)?;
    // The frames asked for (a dlabel file's one map is chosen by `sel.map`).
    let kept = match cifti_type {
        "dlabel" => None,
        _ => crate::io::kept_frames(sel.frames.as_ref(), frames, &input.limits),
    };
    let held_frames = kept.as_ref().map_or(frames, |k| k.len() as u64);
    let total = output_size(path, stored, n_vertices, held_frames)?;
    input.budget(
        held.saturating_add(xml_cost(&text))
            .saturating_add(m.end)
            .saturating_add((total as u64).saturating_mul(8)),
        || {
            format!(
                "its data matrix and the {n_vertices} x {held_frames} values of the cortex read"
            )
        },
    )?;
    let vertices = model.vertices(path)?;
    input.fill(to_usize(m.end))?;
    let head = input.head();
    let data = head
        .get(to_usize(h.vox_offset)..to_usize(m.end))
        .ok_or_else(|| Error::Truncated {
            path: path.to_path_buf(),
            what: "NIfTI image data",
            expected: m.end,
            found: head.len() as u64,
        })?;
    let values = Values {
        data,
        decoder: m.decoder,
    };
    let cortex = Cortex {
        values: &values,
        d5: m.dims[0],
        brain,
        offset: model.offset,
        vertices: &vertices,
        n: to_usize(n_vertices),
    };
    let loaded = if cifti_type == "dlabel" {
        read_dlabel(path, &other, sel, &cortex)?
    } else {
        read_dense(path, &other, cifti_type == "dscalar", kept, &cortex)?
    };
    input.finish()?;
    let summary: Vec<Value> = models.iter().map(Model::summary).collect();
    Ok(loaded
        .detail("format", "Cifti2Image")
        .detail("cifti_type", cifti_type)
        .detail("shape", m.dims.to_vec())
        .detail("dtype_on_disk", m.dtype_on_disk)
        .detail("intent_code", h.intent_code)
        .detail("brain_models", summary)
        .detail("structure", model.structure)
        .detail("n_vertices_with_data", vertices.len()))
}

/// The `<Matrix>` element of a CIFTI-2 document, after checking that the root is
/// `<CIFTI>` of version 2: a CIFTI-1 file deserves a hint how to convert it rather than
/// a confusing error further on.
fn matrix_element<'a, 'i>(path: &Path, doc: &'a Document<'i>) -> Result<Node<'a, 'i>> {
    let root = doc.root_element();
    if !root.has_tag_name("CIFTI") {
        return Err(xml_error(
            path,
            format!(
                "the root element is <{}>, expected <CIFTI>",
                root.tag_name().name()
            ),
        ));
    }
    let version = root.attribute("Version").map(str::trim).unwrap_or("");
    if !(version == "2" || version.starts_with("2.")) {
        return Err(Error::Unsupported {
            path: path.to_path_buf(),
            what: "CIFTI version",
            found: format!(
                "{version:?}; only CIFTI-2 is read (convert a CIFTI-1 file with \
                 wb_command -file-convert -cifti-version-convert)"
            ),
        });
    }
    root.children()
        .find(|c| c.has_tag_name("Matrix"))
        .ok_or_else(|| xml_error(path, "no <Matrix> element".into()))
}

/// An error in the CIFTI-2 XML of `path`.
fn xml_error(path: &Path, msg: String) -> Error {
    Error::invalid(path, format!("CIFTI-2 XML: {msg}"))
}

/// Which dimension (0 or 1) holds the brain models, given the two dimensions' types:
/// exactly one must, or the file has no per-vertex data.
fn brain_dimension(path: &Path, types: [&str; 2]) -> Result<usize> {
    match types {
        [BRAIN_MODELS, BRAIN_MODELS] => Err(Error::Unsupported {
            path: path.to_path_buf(),
            what: "CIFTI-2 file",
            found: "brain models on both dimensions (dense connectivity, dconn), \
                    not per-vertex data"
                .into(),
        }),
        [BRAIN_MODELS, _] => Ok(0),
        [_, BRAIN_MODELS] => Ok(1),
        [a, b] => Err(Error::Unsupported {
            path: path.to_path_buf(),
            what: "CIFTI-2 file",
            found: format!(
                "dimensions of type {a} and {b}: no {BRAIN_MODELS} dimension, so no \
                 per-vertex values (parcellated files such as pscalar are not read)"
            ),
        }),
    }
}

/// The file's type (dscalar, dtseries, dlabel) from the type `kind` of the dimension
/// against the brain models, which has `len` entries, and how many frames the result
/// has: one per map or point, but a dlabel file yields one annotation.
fn file_type(path: &Path, kind: &str, len: u64) -> Result<(&'static str, u64)> {
    match kind {
        "CIFTI_INDEX_TYPE_SCALARS" => Ok(("dscalar", len)),
        "CIFTI_INDEX_TYPE_SERIES" => Ok(("dtseries", len)),
        "CIFTI_INDEX_TYPE_LABELS" => Ok(("dlabel", 1)),
        _ => Err(Error::Unsupported {
            path: path.to_path_buf(),
            what: "CIFTI-2 file",
            found: format!(
                "brain models against a dimension of type {kind:?}; \
                 supported: SCALARS (dscalar), SERIES (dtseries), LABELS (dlabel)"
            ),
        }),
    }
}

/// The dimension that is not the brain models: maps, series points or label maps.
struct Other<'a, 'i> {
    /// Its `MatrixIndicesMap`.
    axis: Node<'a, 'i>,
    /// Its size in the data matrix.
    len: u64,
    /// 0 or 1.
    dim: usize,
}

/// The chosen cortex: its brainordinates' vertices and where their values are in the
/// data matrix, so that the dense and label readers index the data the same way.
struct Cortex<'c, 'v, 'a> {
    values: &'v Values<'a>,
    /// dim\[5\].
    d5: u64,
    /// The brain-models dimension (0 or 1).
    brain: usize,
    /// The cortex's first brainordinate in the brain-models dimension.
    offset: u64,
    /// The vertex of each of its brainordinates.
    vertices: &'c [u32],
    /// SurfaceNumberOfVertices.
    n: usize,
}

impl Cortex<'_, '_, '_> {
    /// Value of the cortex's brainordinate `i` in map/frame `k`. Element [i5, i6] is
    /// value i5 + d5 * i6, NIfTI's column-major order; both indices are within dims
    /// whose product was checked against the data.
    fn value(&self, i: usize, k: u64) -> f32 {
        let j = self.offset + i as u64;
        let (i5, i6) = if self.brain == 0 { (j, k) } else { (k, j) };
        self.values.get(to_usize(i5 + self.d5 * i6))
    }
}

/// A dlabel file: the label map chosen by `sel.map`, as an annotation of the cortex.
/// Vertices not listed, and values that are no key of the map's table, get no label.
fn read_dlabel(path: &Path, other: &Other, sel: &Selection, cortex: &Cortex) -> Result<Loaded> {
    let maps: Vec<Node> = named_maps(other.axis).collect();
    check_count(path, maps.len() as u64, other.len, other.dim, "NamedMap")?;
    let names = maps
        .iter()
        .enumerate()
        .map(|(i, &node)| map_name(path, node, i))
        .collect::<Result<Vec<_>>>()?;
    let k = pick_map(path, &names, sel.map.as_ref())?;
    let (table, keys) = match maps.get(k) {
        Some(&node) => label_table(path, node, k)?,
        None => (Vec::new(), HashMap::new()),
    };
    let mut labels = vec![None; cortex.n];
    let mut unmatched = 0usize;
    for (i, &v) in cortex.vertices.iter().enumerate() {
        let x = cortex.value(i, k as u64);
        let key =
            (x.is_finite() && x.fract() == 0.0 && x.abs() <= i32::MAX as f32).then_some(x as i32);
        let label = key.and_then(|key| keys.get(&key)).map(|&p| p as u32);
        unmatched += usize::from(label.is_none());
        if let Some(slot) = labels.get_mut(v as usize) {
            *slot = label;
        }
    }
    Ok(Loaded::new(Content::Annotation(Annotation {
        labels,
        table,
        key_zero_unlabelled: true,
    }))
    .detail("map", names.get(k).cloned().unwrap_or_default())
    .detail("map_names", names)
    .detail("n_vertices_unmatched", unmatched))
}

/// A dscalar (`scalars`) or dtseries file: every map or point as a frame of values over
/// the cortex, NaN at vertices not listed; only the frames `kept` when some are asked
/// for. The data matrix is held whole while it is read (the maps of one brainordinate
/// are adjacent in it, so a frame is spread over the whole matrix), so a selection bounds
/// what is kept afterwards, not the peak while reading.
fn read_dense(
    path: &Path,
    other: &Other,
    scalars: bool,
    kept: Option<Vec<usize>>,
    cortex: &Cortex,
) -> Result<Loaded> {
    let (frame_names, info, time_step) = if scalars {
        let names = map_names(path, other.axis, other.len, other.dim)?;
        let info = ("map_names", json!(names));
        (names, info, None)
    } else {
        let info = ("series", series(path, other.axis, other.len)?);
        (Vec::new(), info, series_time_step(other.axis))
    };
    let frames: Vec<u64> = match &kept {
        Some(kept) => kept.iter().map(|&k| k as u64).collect(),
        None => (0..other.len).collect(),
    };
    let mut values = vec![f32::NAN; frames.len().saturating_mul(cortex.n)];
    for (slot_frame, &k) in frames.iter().enumerate() {
        let frame = slot_frame * cortex.n;
        for (i, &v) in cortex.vertices.iter().enumerate() {
            if let Some(slot) = values.get_mut(frame + v as usize) {
                *slot = cortex.value(i, k);
            }
        }
    }
    let overlay = Overlay {
        n_vertices: cortex.n,
        n_frames: to_usize(other.len),
        values,
        kept,
        frame_names,
        time_step,
    };
    Ok(Loaded::new(Content::Overlay(overlay)).detail(info.0, info.1))
}

/// Entries of a result of `n_vertices` × `frames`, refused when it is both large and far
/// larger than the `stored` values of the file.
fn output_size(path: &Path, stored: u64, n_vertices: u64, frames: u64) -> Result<usize> {
    let total = n_vertices.saturating_mul(frames);
    if total > MAX_OUTPUT && total / MAX_OUTPUT_PER_VALUE > stored {
        return Err(Error::invalid(
            path,
            format!(
                "CIFTI-2: SurfaceNumberOfVertices {n_vertices} x {frames} frames would be \
                 {total} values from a file that stores {stored}"
            ),
        ));
    }
    Ok(to_usize(total))
}
