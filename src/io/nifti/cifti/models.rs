//! The brain models of the brain-models dimension: which structure each range of
//! brainordinates belongs to, and for a cortical surface the vertex of each of its
//! brainordinates. A file usually holds both hemispheres and subcortical volumes; this part
//! chooses the one cortex the caller asked for and checks its vertex list.

use std::path::Path;

use roxmltree::Node;
use serde_json::{json, Value};

use super::xml::text_of;
use crate::error::{Error, Result};
use crate::hemi::Hemi;
use crate::io::nifti::to_usize;

const LEFT: &str = "CIFTI_STRUCTURE_CORTEX_LEFT";
const RIGHT: &str = "CIFTI_STRUCTURE_CORTEX_RIGHT";

/// One `<BrainModel>`.
pub(super) struct Model<'a, 'i> {
    node: Node<'a, 'i>,
    pub(super) structure: &'a str,
    surface: bool,
    pub(super) offset: u64,
    count: u64,
    /// SurfaceNumberOfVertices (surface models only).
    pub(super) n_vertices: Option<u64>,
}

impl Model<'_, '_> {
    pub(super) fn summary(&self) -> Value {
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
    pub(super) fn vertices(&self, path: &Path) -> Result<Vec<u32>> {
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
pub(super) fn brain_models<'a, 'i>(
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
pub(super) fn choose<'m, 'a, 'i>(
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
