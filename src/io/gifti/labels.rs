//! LabelTables and the parcellations they describe.

use std::collections::HashMap;
use std::path::Path;

use roxmltree::Node;

use super::xml::{text_of, ArrayDesc, Intent};
use super::Array;
use crate::annotation::{Annotation, LabelEntry};
use crate::error::{Error, Result};

/// One `<Label>` of the LabelTable.
#[derive(Debug, Clone)]
pub(super) struct LabelDef {
    pub(super) key: i32,
    pub(super) name: String,
    /// `None` when the file gives no colour (Caret's label files).
    pub(super) rgba: Option<[u8; 4]>,
}

/// The entries of the file's LabelTable, in file order.
///
/// Keys come from `Key`, or from `Index` in Caret's older files (as nibabel reads them).
/// Colour components are floats from 0 to 1, stored as round(x * 255); a missing Alpha is
/// opaque, and a label with no Red, Green or Blue at all has no colour.
pub(super) fn label_table(path: &Path, root: Node) -> Result<Vec<LabelDef>> {
    let Some(table) = root.children().find(|c| c.has_tag_name("LabelTable")) else {
        return Ok(Vec::new());
    };
    let entries = table.children().filter(|c| c.has_tag_name("Label"));
    entries
        .enumerate()
        .map(|(j, label)| {
            let bad = |msg: String| Error::invalid(path, format!("LabelTable entry {j}: {msg}"));
            let key_s = label
                .attribute("Key")
                .or_else(|| label.attribute("Index"))
                .map(str::trim)
                .ok_or_else(|| bad("no Key attribute".into()))?;
            let key = key_s
                .parse::<i32>()
                .map_err(|_| bad(format!("Key {key_s:?} is not a 32-bit integer")))?;
            let component = |name: &str, default: f32| -> Result<u8> {
                let Some(s) = label.attribute(name).map(str::trim) else {
                    return Ok((default * 255.0) as u8);
                };
                let x = s
                    .parse::<f32>()
                    .map_err(|_| bad(format!("{name} {s:?} is not a number")))?;
                // NaN clamps to NaN and then casts to 0.
                Ok((x.clamp(0.0, 1.0) * 255.0).round() as u8)
            };
            let coloured = ["Red", "Green", "Blue"]
                .iter()
                .any(|a| label.attribute(*a).is_some());
            let rgba = if coloured {
                Some([
                    component("Red", 0.0)?,
                    component("Green", 0.0)?,
                    component("Blue", 0.0)?,
                    component("Alpha", 1.0)?,
                ])
            } else {
                None
            };
            Ok(LabelDef {
                key,
                name: text_of(label).trim().to_string(),
                rgba,
            })
        })
        .collect()
}

/// The array that holds a parcellation, if the file has LabelTable entries: the first
/// NIFTI_INTENT_LABEL array, else the first integer array.
pub(super) fn label_array(descs: &[ArrayDesc], labels: &[LabelDef]) -> Option<usize> {
    if labels.is_empty() {
        return None;
    }
    descs
        .iter()
        .position(|d| d.intent == Intent::Label)
        .or_else(|| descs.iter().position(|d| d.dtype.is_int()))
}

/// The parcellation of array `a` (see [`label_array`]).
///
/// Vertex values are keys into the table; a value with no entry has no label (`None`).
/// Key 0 is an ordinary entry (Caret's "???", FreeSurfer's "unknown"), as in nibabel.
pub(super) fn annotation(path: &Path, a: &Array, labels: &[LabelDef]) -> Result<Annotation> {
    // The last entry with a key wins, as in nibabel's `get_labels_as_dict`.
    let index: HashMap<i64, u32> = labels
        .iter()
        .zip(0u32..)
        .map(|(l, i)| (i64::from(l.key), i))
        .collect();
    let table = labels
        .iter()
        .enumerate()
        .map(|(j, l)| LabelEntry {
            key: l.key,
            name: l.name.clone(),
            rgba: l.rgba.unwrap_or_else(|| generated_colour(j)),
        })
        .collect();
    let n = a.values.len();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        out.push(index.get(&label_key(path, a, i)?).copied());
    }
    Ok(Annotation {
        labels: out,
        table,
        key_zero_unlabelled: true,
    })
}

/// Label key of value `i`: an integer as stored; a float LABEL array (some writers) must
/// hold whole numbers.
fn label_key(path: &Path, a: &Array, i: usize) -> Result<i64> {
    if let Some(key) = a.values.int_at(i) {
        return Ok(key);
    }
    let x = a.values.f64_at(i);
    if x.fract() == 0.0 && x.abs() <= f64::from(i32::MAX) {
        Ok(x as i64)
    } else {
        Err(Error::invalid(
            path,
            format!(
                "DataArray {} (labels) holds {x} at vertex {i}, which is not a label key",
                a.desc.index
            ),
        ))
    }
}

/// A colour for a label the file gives none (Caret's label files have only names):
/// hues spaced by the golden angle, so neighbouring entries differ clearly and the same
/// table always gets the same colours.
fn generated_colour(j: usize) -> [u8; 4] {
    const GOLDEN: f64 = 0.618_033_988_749_895;
    let h = (j as f64 * GOLDEN).fract() * 6.0;
    let (s, v) = (0.65, 0.9);
    let c = v * s;
    let x = c * (1.0 - ((h % 2.0) - 1.0).abs());
    let (r, g, b) = match h as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = v - c;
    let byte = |u: f64| ((u + m) * 255.0).round() as u8;
    [byte(r), byte(g), byte(b), 255]
}
