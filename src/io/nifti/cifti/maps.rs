//! The dimension against the brain models: the names of a dscalar's maps, a dtseries'
//! series, and a dlabel's label maps — which one to read, and its label table. Its entry
//! count must equal the matrix's size along that dimension.

use std::collections::HashMap;
use std::path::Path;

use roxmltree::Node;
use serde_json::{json, Value};

use super::xml::text_of;
use crate::annotation::LabelEntry;
use crate::error::{Error, Result};
use crate::io::MapSelector;
use crate::overlay::TimeStep;

pub(super) fn named_maps<'a, 'i>(axis: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    axis.children().filter(|c| c.has_tag_name("NamedMap"))
}

pub(super) fn map_name(path: &Path, map: Node, i: usize) -> Result<String> {
    map.children()
        .find(|c| c.has_tag_name("MapName"))
        .map(|n| text_of(n).trim().to_string())
        .ok_or_else(|| Error::invalid(path, format!("CIFTI-2 NamedMap {i} has no <MapName>")))
}

/// The MapNames of a SCALARS dimension of `n` entries.
pub(super) fn map_names(path: &Path, axis: Node, n: u64, dim: usize) -> Result<Vec<String>> {
    let maps: Vec<Node> = named_maps(axis).collect();
    check_count(path, maps.len() as u64, n, dim, "NamedMap")?;
    maps.iter()
        .enumerate()
        .map(|(i, &m)| map_name(path, m, i))
        .collect()
}

pub(super) fn check_count(path: &Path, found: u64, n: u64, dim: usize, what: &str) -> Result<()> {
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
pub(super) fn series(path: &Path, axis: Node, n: u64) -> Result<Value> {
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

/// The time step of a SERIES dimension: SeriesStep × 10^SeriesExponent when SeriesUnit is
/// SECOND (a missing exponent counts as 0). HERTZ, METER and RADIAN series are spectra or
/// spatial or angular axes, whose step is no time; a step that is no positive number is
/// none either. Never an error: the series' attributes are reported as found.
pub(super) fn series_time_step(axis: Node) -> Option<TimeStep> {
    if axis.attribute("SeriesUnit").map(str::trim) != Some("SECOND") {
        return None;
    }
    let step: f64 = axis.attribute("SeriesStep")?.trim().parse().ok()?;
    let exponent: i32 = match axis.attribute("SeriesExponent") {
        Some(e) => e.trim().parse().ok()?,
        None => 0,
    };
    // Divided by 10^-e for a negative exponent: 700 / 1000 is 0.7, 700 * 0.001 is not.
    let seconds = if exponent < 0 {
        step / 10f64.powi(exponent.saturating_neg())
    } else {
        step * 10f64.powi(exponent)
    };
    TimeStep::new(seconds, "CIFTI SeriesStep")
}

/// The label map `sel` names (index from 0, or MapName), the first when none.
pub(super) fn pick_map(path: &Path, names: &[String], sel: Option<&MapSelector>) -> Result<usize> {
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
pub(super) fn label_table(
    path: &Path,
    map: Node,
    k: usize,
) -> Result<(Vec<LabelEntry>, HashMap<i32, usize>)> {
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
