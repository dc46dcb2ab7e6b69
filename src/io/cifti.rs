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

use std::collections::HashMap;
use std::path::Path;

use roxmltree::{Document, Node};
use serde_json::{json, Value};

use super::{to_usize, Fields, Header, Values};
use crate::annotation::{Annotation, LabelEntry};
use crate::error::{Error, Result};
use crate::hemi::Hemi;
use crate::io::{Content, Loaded, MapSelector, Selection};
use crate::overlay::Overlay;

/// The NIfTI extension code of CIFTI XML.
const ECODE_CIFTI: i32 = 32;
const LEFT: &str = "CIFTI_STRUCTURE_CORTEX_LEFT";
const RIGHT: &str = "CIFTI_STRUCTURE_CORTEX_RIGHT";
const BRAIN_MODELS: &str = "CIFTI_INDEX_TYPE_BRAIN_MODELS";
/// Entries (values or labels) a result may always have: 2^26, 256 MiB of f32, more than a
/// 1200-frame time series on the 32k HCP mesh needs...
const MAX_OUTPUT: u64 = 1 << 26;
/// ...and beyond it, at most this many entries per value stored in the file, so that a
/// small file cannot make the reader allocate gigabytes of NaN.
const MAX_OUTPUT_PER_VALUE: u64 = 64;

/// The data matrix, as the NIfTI-2 header describes it.
pub(super) struct Matrix<'v, 'a> {
    /// dim\[5\], dim\[6\].
    pub(super) dims: [u64; 2],
    pub(super) values: &'v Values<'a>,
    pub(super) dtype_on_disk: &'static str,
}

/// Reads the cortex of `sel.hemi` from a CIFTI-2 file whose NIfTI-2 header is `h`.
pub(super) fn read(
    path: &Path,
    bytes: &[u8],
    h: &Header,
    m: Matrix,
    sel: &Selection,
) -> Result<Loaded> {
    let text = xml_text(path, bytes, h)?;
    let doc = parse(path, text)?;
    let bad = |msg: String| Error::invalid(path, format!("CIFTI-2 XML: {msg}"));
    let root = doc.root_element();
    if !root.has_tag_name("CIFTI") {
        return Err(bad(format!(
            "the root element is <{}>, expected <CIFTI>",
            root.tag_name().name()
        )));
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
    let matrix = root
        .children()
        .find(|c| c.has_tag_name("Matrix"))
        .ok_or_else(|| bad("no <Matrix> element".into()))?;
    let axes = axes(path, matrix)?;
    let types = axes.map(|a| a.attribute("IndicesMapToDataType").unwrap_or("").trim());
    let brain = match types {
        [BRAIN_MODELS, BRAIN_MODELS] => {
            return Err(Error::Unsupported {
                path: path.to_path_buf(),
                what: "CIFTI-2 file",
                found: "brain models on both dimensions (dense connectivity, dconn), \
                        not per-vertex data"
                    .into(),
            })
        }
        [BRAIN_MODELS, _] => 0,
        [_, BRAIN_MODELS] => 1,
        [a, b] => {
            return Err(Error::Unsupported {
                path: path.to_path_buf(),
                what: "CIFTI-2 file",
                found: format!(
                    "dimensions of type {a} and {b}: no {BRAIN_MODELS} dimension, so no \
                     per-vertex values (parcellated files such as pscalar are not read)"
                ),
            })
        }
    };
    let other = 1 - brain;
    let [d5, _] = m.dims;
    let (n_brain, n_other) = (m.dims[brain], m.dims[other]);
    let kind = types[other];
    let (cifti_type, frames) = match kind {
        "CIFTI_INDEX_TYPE_SCALARS" => ("dscalar", n_other),
        "CIFTI_INDEX_TYPE_SERIES" => ("dtseries", n_other),
        "CIFTI_INDEX_TYPE_LABELS" => ("dlabel", 1),
        _ => {
            return Err(Error::Unsupported {
                path: path.to_path_buf(),
                what: "CIFTI-2 file",
                found: format!(
                    "brain models against a dimension of type {kind:?}; \
                     supported: SCALARS (dscalar), SERIES (dtseries), LABELS (dlabel)"
                ),
            })
        }
    };
    let models = brain_models(path, axes[brain], n_brain, brain)?;
    let model = choose(path, &models, sel.hemi)?;
    let n_vertices = model.n_vertices.unwrap_or(0);
    // Before anything of that size is allocated.
    let total = output_size(path, m.values, n_vertices, frames)?;
    let vertices = model.vertices(path)?;
    let n = to_usize(n_vertices);
    // Value of brainordinate `j` in map/frame `k`: element [i5, i6] is value i5 + d5 * i6.
    // Both indices are within dims whose product was checked against the data.
    let value = |i: usize, k: u64| -> f32 {
        let j = model.offset + i as u64;
        let (i5, i6) = if brain == 0 { (j, k) } else { (k, j) };
        m.values.get(to_usize(i5 + d5 * i6))
    };
    let mut loaded = if cifti_type == "dlabel" {
        let maps: Vec<Node> = named_maps(axes[other]).collect();
        check_count(path, maps.len() as u64, n_other, other, "NamedMap")?;
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
        let mut labels = vec![None; n];
        let mut unmatched = 0usize;
        for (i, &v) in vertices.iter().enumerate() {
            let x = value(i, k as u64);
            let key = (x.is_finite() && x.fract() == 0.0 && x.abs() <= i32::MAX as f32)
                .then_some(x as i32);
            let label = key.and_then(|key| keys.get(&key)).map(|&p| p as u32);
            unmatched += usize::from(label.is_none());
            if let Some(slot) = labels.get_mut(v as usize) {
                *slot = label;
            }
        }
        Loaded::new(Content::Annotation(Annotation { labels, table }))
            .detail("map", names.get(k).cloned().unwrap_or_default())
            .detail("map_names", names)
            .detail("n_vertices_unmatched", unmatched)
    } else {
        let (frame_names, info) = if cifti_type == "dscalar" {
            let names = map_names(path, axes[other], n_other, other)?;
            let info = ("map_names", json!(names));
            (names, info)
        } else {
            (Vec::new(), ("series", series(path, axes[other], n_other)?))
        };
        let mut values = vec![f32::NAN; total];
        for k in 0..n_other {
            let frame = to_usize(k) * n;
            for (i, &v) in vertices.iter().enumerate() {
                if let Some(slot) = values.get_mut(frame + v as usize) {
                    *slot = value(i, k);
                }
            }
        }
        let overlay = Overlay {
            n_vertices: n,
            n_frames: to_usize(n_other),
            values,
            frame_names,
        };
        Loaded::new(Content::Overlay(overlay)).detail(info.0, info.1)
    };
    let summary: Vec<Value> = models.iter().map(Model::summary).collect();
    loaded = loaded
        .detail("format", "Cifti2Image")
        .detail("cifti_type", cifti_type)
        .detail("shape", m.dims.to_vec())
        .detail("dtype_on_disk", m.dtype_on_disk)
        .detail("intent_code", h.intent_code)
        .detail("brain_models", summary)
        .detail("structure", model.structure)
        .detail("n_vertices_with_data", vertices.len());
    Ok(loaded)
}

/// The XML of the first extension with ecode 32, between the header and vox_offset.
fn xml_text<'b>(path: &Path, bytes: &'b [u8], h: &Header) -> Result<&'b str> {
    let region = bytes.get(h.size..to_usize(h.vox_offset)).unwrap_or(&[]);
    let missing = || {
        Error::invalid(
            path,
            format!(
                "a CIFTI file (intent code {}) without the CIFTI-2 XML extension (ecode 32)",
                h.intent_code
            ),
        )
    };
    // The 4-byte extension flag after the header: its first byte non-zero if any follow.
    if region.first().is_none_or(|&b| b == 0) {
        return Err(missing());
    }
    let f = Fields {
        bytes: region,
        little_endian: h.little_endian,
    };
    let mut pos = 4usize;
    while pos + 8 <= region.len() {
        let (esize, ecode) = (f.i32(pos), f.i32(pos + 4));
        let at = h.size + pos;
        let end = usize::try_from(esize)
            .ok()
            .filter(|&s| s >= 8)
            .and_then(|s| pos.checked_add(s))
            .filter(|&e| e <= region.len())
            .ok_or_else(|| {
                Error::invalid(
                    path,
                    format!(
                        "the NIfTI extension at byte {at} has esize {esize}: not between 8 and \
                         the {} bytes left before vox_offset {}",
                        region.len() - pos,
                        h.vox_offset
                    ),
                )
            })?;
        if ecode == ECODE_CIFTI {
            let mut xml = region.get(pos + 8..end).unwrap_or(&[]);
            while let [rest @ .., 0] = xml {
                xml = rest;
            }
            let xml = xml.strip_prefix(&[0xef, 0xbb, 0xbf]).unwrap_or(xml);
            return std::str::from_utf8(xml).map_err(|e| {
                Error::invalid(
                    path,
                    format!(
                        "the CIFTI-2 XML is not UTF-8 (invalid byte at offset {} of the XML)",
                        e.valid_up_to()
                    ),
                )
            });
        }
        pos = end;
    }
    Err(missing())
}

/// Parses the XML with roxmltree's defaults (no DTD, no entities, nothing fetched).
fn parse<'a>(path: &Path, text: &'a str) -> Result<Document<'a>> {
    Document::parse(text).map_err(|e| {
        let message = match e {
            roxmltree::Error::DtdDetected => "malformed CIFTI-2 XML: it has a DOCTYPE, which is \
                 refused (CIFTI needs none, and entities are never expanded)"
                .to_string(),
            _ => {
                let p = e.pos();
                format!(
                    "malformed CIFTI-2 XML at line {}, column {}: {e}",
                    p.row, p.col
                )
            }
        };
        Error::invalid(path, message)
    })
}

/// The MatrixIndicesMap of each dimension.
fn axes<'a, 'i>(path: &Path, matrix: Node<'a, 'i>) -> Result<[Node<'a, 'i>; 2]> {
    let bad = |msg: String| Error::invalid(path, format!("CIFTI-2 XML: {msg}"));
    let mut axes: [Option<Node>; 2] = [None, None];
    for map in matrix
        .children()
        .filter(|c| c.has_tag_name("MatrixIndicesMap"))
    {
        let applies = map
            .attribute("AppliesToMatrixDimension")
            .ok_or_else(|| bad("a MatrixIndicesMap has no AppliesToMatrixDimension".into()))?;
        for d in applies.split(',') {
            let slot = d
                .trim()
                .parse::<usize>()
                .ok()
                .and_then(|d| axes.get_mut(d))
                .ok_or_else(|| {
                    bad(format!(
                        "AppliesToMatrixDimension {applies:?}: dimensions are 0 (rows, dim[5]) \
                         and 1 (columns, dim[6])"
                    ))
                })?;
            if slot.is_some() {
                return Err(bad(format!(
                    "two MatrixIndicesMaps apply to dimension {}",
                    d.trim()
                )));
            }
            *slot = Some(map);
        }
    }
    match axes {
        [Some(a), Some(b)] => Ok([a, b]),
        [None, _] => Err(bad("no MatrixIndicesMap for dimension 0".into())),
        [_, None] => Err(bad("no MatrixIndicesMap for dimension 1".into())),
    }
}

/// One `<BrainModel>`.
struct Model<'a, 'i> {
    node: Node<'a, 'i>,
    structure: &'a str,
    surface: bool,
    offset: u64,
    count: u64,
    /// SurfaceNumberOfVertices (surface models only).
    n_vertices: Option<u64>,
}

impl Model<'_, '_> {
    fn summary(&self) -> Value {
        let mut v = json!({
            "structure": self.structure,
            "model_type": if self.surface { "surface" } else { "voxels" },
            "index_offset": self.offset,
            "index_count": self.count,
        });
        if let (Some(n), Some(o)) = (self.n_vertices, v.as_object_mut()) {
            o.insert("surface_vertices".into(), json!(n));
        }
        v
    }

    /// The vertex of each of the model's brainordinates, checked.
    fn vertices(&self, path: &Path) -> Result<Vec<u32>> {
        let s = self.structure;
        let bad = |msg: String| Error::invalid(path, format!("CIFTI-2 BrainModel {s}: {msg}"));
        let n = self.n_vertices.unwrap_or(0);
        let text = self
            .node
            .children()
            .find(|c| c.has_tag_name("VertexIndices"))
            .map(text_of)
            .ok_or_else(|| bad("no <VertexIndices>".into()))?;
        let mut seen = vec![false; to_usize(n)];
        // IndexCount is within the brain-models dimension, whose size the data bound.
        let mut out = Vec::with_capacity(to_usize(self.count));
        for tok in text.split_ascii_whitespace() {
            let v: u64 = tok
                .parse()
                .map_err(|_| bad(format!("vertex index {tok:?} is not a whole number")))?;
            let slot = seen.get_mut(to_usize(v)).ok_or_else(|| {
                bad(format!(
                    "vertex index {v} (entry {}) is not below SurfaceNumberOfVertices {n}",
                    out.len()
                ))
            })?;
            if *slot {
                return Err(bad(format!("vertex {v} is listed twice")));
            }
            *slot = true;
            // Below n, itself bounded (see `brain_models`), so it fits in u32.
            out.push(v as u32);
        }
        if out.len() as u64 != self.count {
            return Err(bad(format!(
                "IndexCount is {} but <VertexIndices> lists {} vertices",
                self.count,
                out.len()
            )));
        }
        Ok(out)
    }
}

/// The BrainModels of the brain-models dimension (`dim`, of `n_brain` brainordinates).
fn brain_models<'a, 'i>(
    path: &Path,
    axis: Node<'a, 'i>,
    n_brain: u64,
    dim: usize,
) -> Result<Vec<Model<'a, 'i>>> {
    let mut models = Vec::new();
    for (i, node) in axis
        .children()
        .filter(|c| c.has_tag_name("BrainModel"))
        .enumerate()
    {
        let structure = node.attribute("BrainStructure").unwrap_or("").trim();
        let bad = |msg: String| {
            Error::invalid(path, format!("CIFTI-2 BrainModel {i} ({structure}): {msg}"))
        };
        let number = |name: &str| -> Result<u64> {
            let s = node
                .attribute(name)
                .ok_or_else(|| bad(format!("no {name} attribute")))?;
            s.trim()
                .parse()
                .map_err(|_| bad(format!("{name} {s:?} is not a whole number")))
        };
        let model_type = node.attribute("ModelType").unwrap_or("").trim();
        let surface = match model_type {
            "CIFTI_MODEL_TYPE_SURFACE" => true,
            "CIFTI_MODEL_TYPE_VOXELS" => false,
            _ => return Err(bad(format!("unknown ModelType {model_type:?}"))),
        };
        let (offset, count) = (number("IndexOffset")?, number("IndexCount")?);
        if offset.checked_add(count).is_none_or(|e| e > n_brain) {
            return Err(bad(format!(
                "IndexOffset {offset} + IndexCount {count} exceed the {n_brain} brainordinates \
                 of dimension {dim} (dim[{}])",
                dim + 5
            )));
        }
        let n_vertices = if surface {
            let n = number("SurfaceNumberOfVertices")?;
            if n == 0 || n > u64::from(u32::MAX) {
                return Err(bad(format!("SurfaceNumberOfVertices is {n}")));
            }
            Some(n)
        } else {
            None
        };
        models.push(Model {
            node,
            structure,
            surface,
            offset,
            count,
            n_vertices,
        });
    }
    Ok(models)
}

/// The cortical surface model for `hemi` (left, else right, when `None`).
fn choose<'m, 'a, 'i>(
    path: &Path,
    models: &'m [Model<'a, 'i>],
    hemi: Option<Hemi>,
) -> Result<&'m Model<'a, 'i>> {
    let find = |s: &str| models.iter().find(|m| m.surface && m.structure == s);
    let found = match hemi {
        Some(Hemi::Left) => find(LEFT),
        Some(Hemi::Right) => find(RIGHT),
        None => find(LEFT).or_else(|| find(RIGHT)),
    };
    found.ok_or_else(|| {
        let wanted = match hemi {
            Some(Hemi::Left) => LEFT.to_string(),
            Some(Hemi::Right) => RIGHT.to_string(),
            None => format!("{LEFT} or {RIGHT}"),
        };
        let present: Vec<String> = models
            .iter()
            .map(|m| {
                let kind = if m.surface { "surface" } else { "voxels" };
                format!("{} ({kind})", m.structure)
            })
            .collect();
        let present = if present.is_empty() {
            "none".to_string()
        } else {
            present.join(", ")
        };
        Error::invalid(
            path,
            format!("no {wanted} surface in this CIFTI-2 file; its brain models: {present}"),
        )
    })
}

fn named_maps<'a, 'i>(axis: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    axis.children().filter(|c| c.has_tag_name("NamedMap"))
}

fn map_name(path: &Path, map: Node, i: usize) -> Result<String> {
    map.children()
        .find(|c| c.has_tag_name("MapName"))
        .map(|n| text_of(n).trim().to_string())
        .ok_or_else(|| Error::invalid(path, format!("CIFTI-2 NamedMap {i} has no <MapName>")))
}

/// The MapNames of a SCALARS dimension of `n` entries.
fn map_names(path: &Path, axis: Node, n: u64, dim: usize) -> Result<Vec<String>> {
    let maps: Vec<Node> = named_maps(axis).collect();
    check_count(path, maps.len() as u64, n, dim, "NamedMap")?;
    maps.iter()
        .enumerate()
        .map(|(i, &m)| map_name(path, m, i))
        .collect()
}

fn check_count(path: &Path, found: u64, n: u64, dim: usize, what: &str) -> Result<()> {
    if found != n {
        return Err(Error::invalid(
            path,
            format!(
                "CIFTI-2 XML: dimension {dim} has {found} {what}s but the matrix has {n} \
                 (dim[{}])",
                dim + 5
            ),
        ));
    }
    Ok(())
}

/// A SERIES dimension of `n` points, for the details.
fn series(path: &Path, axis: Node, n: u64) -> Result<Value> {
    let points = axis
        .attribute("NumberOfSeriesPoints")
        .and_then(|s| s.trim().parse::<u64>().ok());
    if points != Some(n) {
        return Err(Error::invalid(
            path,
            format!(
                "CIFTI-2 XML: NumberOfSeriesPoints is {:?} but the series dimension has {n} \
                 entries",
                axis.attribute("NumberOfSeriesPoints").unwrap_or("missing")
            ),
        ));
    }
    let num = |name: &str| {
        axis.attribute(name)
            .and_then(|s| s.trim().parse::<f64>().ok())
    };
    Ok(json!({
        "points": n,
        "start": num("SeriesStart"),
        "step": num("SeriesStep"),
        "exponent": num("SeriesExponent"),
        "unit": axis.attribute("SeriesUnit"),
    }))
}

/// The label map `sel` names (index from 0, or MapName), the first when none.
fn pick_map(path: &Path, names: &[String], sel: Option<&MapSelector>) -> Result<usize> {
    let list = || {
        let shown: Vec<String> = names
            .iter()
            .take(20)
            .enumerate()
            .map(|(i, n)| format!("{i}: {n}"))
            .collect();
        let more = if names.len() > 20 { ", ..." } else { "" };
        format!("{}{more}", shown.join(", "))
    };
    match sel {
        None => Ok(0),
        Some(MapSelector::Index(i)) if *i < names.len() => Ok(*i),
        Some(MapSelector::Index(i)) => Err(Error::Usage(format!(
            "--map {i}: {} has {} label map(s): {}",
            path.display(),
            names.len(),
            list()
        ))),
        Some(MapSelector::Name(name)) => names.iter().position(|n| n == name).ok_or_else(|| {
            Error::Usage(format!(
                "--map {name}: {} has no label map of that name; maps: {}",
                path.display(),
                list()
            ))
        }),
    }
}

/// The LabelTable of a label map, and the position of each key in it.
fn label_table(path: &Path, map: Node, k: usize) -> Result<(Vec<LabelEntry>, HashMap<i32, usize>)> {
    let bad = |msg: String| Error::invalid(path, format!("CIFTI-2 label map {k}: {msg}"));
    let table_node = map
        .children()
        .find(|c| c.has_tag_name("LabelTable"))
        .ok_or_else(|| bad("no <LabelTable>".into()))?;
    let mut table: Vec<LabelEntry> = Vec::new();
    let mut keys: HashMap<i32, usize> = HashMap::new();
    for label in table_node.children().filter(|c| c.has_tag_name("Label")) {
        let attr = |name: &str| {
            label
                .attribute(name)
                .map(str::trim)
                .ok_or_else(|| bad(format!("a <Label> has no {name} attribute")))
        };
        let key_s = attr("Key")?;
        let key: i32 = key_s
            .parse()
            .map_err(|_| bad(format!("label Key {key_s:?} is not an integer")))?;
        let mut rgba = [0u8; 4];
        for (c, name) in rgba.iter_mut().zip(["Red", "Green", "Blue", "Alpha"]) {
            let s = attr(name)?;
            let x: f64 = s
                .parse()
                .map_err(|_| bad(format!("label {key}: {name} {s:?} is not a number")))?;
            // A float cast saturates, and NaN becomes 0.
            *c = (x * 255.0).round().clamp(0.0, 255.0) as u8;
        }
        let entry = LabelEntry {
            key,
            name: text_of(label).trim().to_string(),
            rgba,
        };
        match keys.get(&key).and_then(|&p| table.get_mut(p)) {
            Some(old) => *old = entry,
            None => {
                keys.insert(key, table.len());
                table.push(entry);
            }
        }
    }
    Ok((table, keys))
}

/// Entries of a result of `n_vertices` × `frames`, refused when it is both large and far
/// larger than the data the file stores.
fn output_size(path: &Path, values: &Values, n_vertices: u64, frames: u64) -> Result<usize> {
    let total = n_vertices.saturating_mul(frames);
    let stored = values.len() as u64;
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

/// All the text directly inside an element (comments split it into pieces).
fn text_of(node: Node) -> String {
    node.children().filter_map(|c| c.text()).collect()
}
