//! The `layers` of a spec file: overlays, annotations and labels stacked bottom first,
//! each overlay with its own colouring.
//!
//! ```toml
//! [[layers]]
//! overlay = ["lh.thickness", "rh.thickness"]
//! cmap = "gray"
//! [[layers]]
//! overlay = ["lh.sig.mgh", "rh.sig.mgh"]
//! cmap = "heat"
//! threshold = 2.3
//! ```
//!
//! A layer becomes the command line's `--overlay` arguments followed by its options, so
//! the command line's rule (an option belongs to the --overlay before it) gives each
//! layer its own colouring.

use std::ffi::OsString;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{format_num, short_f32, NumOrText};
use crate::cli::{Args, LayerMap};
use crate::hemi::Hemi;

/// One layer of the stack: exactly one of `overlay`, `annot` or `label`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerEntry {
    /// One file per hemisphere (or one CIFTI file for both).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overlay: Option<Vec<PathBuf>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cmap: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<NumOrText>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<Vec<NumOrText>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symmetric: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "short_f32")]
    pub opacity: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outline: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cbar_label: Option<String>,
    /// The frame or map of this layer's files, instead of the top-level one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub map: Option<NumOrText>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annot: Option<Vec<PathBuf>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<Vec<PathBuf>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_color: Option<Vec<String>>,
}

/// The overlay options of a layer (or of a spec's top level), for checks and arguments.
pub struct Style<'a> {
    pub cmap: &'a Option<String>,
    pub threshold: &'a Option<NumOrText>,
    pub range: &'a Option<Vec<NumOrText>>,
    pub sign: &'a Option<String>,
    pub symmetric: Option<bool>,
    pub opacity: Option<f32>,
    pub outline: Option<bool>,
    pub cbar_label: &'a Option<String>,
}

impl LayerEntry {
    fn style(&self) -> Style<'_> {
        Style {
            cmap: &self.cmap,
            threshold: &self.threshold,
            range: &self.range,
            sign: &self.sign,
            symmetric: self.symmetric,
            opacity: self.opacity,
            outline: self.outline,
            cbar_label: &self.cbar_label,
        }
    }

    /// Names of the overlay options that are set.
    fn style_fields(&self) -> Vec<&'static str> {
        let mut set = self.style().set_fields();
        set.extend(
            [("frame", self.frame.is_some()), ("map", self.map.is_some())]
                .iter()
                .filter(|(_, given)| *given)
                .map(|(n, _)| *n),
        );
        set
    }
}

impl Style<'_> {
    /// Names of the options that are set.
    pub fn set_fields(&self) -> Vec<&'static str> {
        [
            ("cmap", self.cmap.is_some()),
            ("threshold", self.threshold.is_some()),
            ("range", self.range.is_some()),
            ("sign", self.sign.is_some()),
            ("symmetric", self.symmetric.is_some()),
            ("opacity", self.opacity.is_some()),
            ("outline", self.outline.is_some()),
            ("cbar_label", self.cbar_label.is_some()),
        ]
        .iter()
        .filter(|(_, set)| *set)
        .map(|(n, _)| *n)
        .collect()
    }

    /// Value checks, reported under `prefix` (`""` or `"layers[1]."`).
    pub fn validate(&self, prefix: &str) -> Result<(), String> {
        use crate::color::{cmap::Colormap, Bound, Sign};
        if let Some(o) = self.opacity {
            if !(o.is_finite() && (0.0..=1.0).contains(&o)) {
                return Err(format!("{prefix}opacity: {o} is outside 0 to 1"));
            }
        }
        if let Some(t) = self.threshold {
            Bound::parse(&t.arg()).map_err(|e| format!("{prefix}threshold: {e}"))?;
            if let NumOrText::Num(v) = t {
                if *v < 0.0 {
                    return Err(format!(
                        "{prefix}threshold: {v} must not be negative (it applies to |value|)"
                    ));
                }
            }
        }
        if let Some(r) = self.range {
            if r.len() != 2 {
                return Err(format!(
                    "{prefix}range: expected [MIN, MAX], found {} values",
                    r.len()
                ));
            }
            let b: Vec<Bound> = r
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    Bound::parse(&v.arg()).map_err(|e| format!("{prefix}range[{i}]: {e}"))
                })
                .collect::<Result<_, _>>()?;
            if let (Bound::Value(lo), Bound::Value(hi)) = (b[0], b[1]) {
                if lo < 0.0 || hi < lo {
                    return Err(format!(
                        "{prefix}range: [{lo}, {hi}] must have 0 <= MIN <= MAX"
                    ));
                }
            }
            if let (Some(NumOrText::Num(t)), Bound::Value(hi)) = (self.threshold, b[1]) {
                if *t as f32 > hi {
                    return Err(format!(
                        "{prefix}threshold: {t} is above range[1] = {hi}; nothing would be coloured"
                    ));
                }
            }
        }
        if let Some(c) = self.cmap {
            Colormap::from_name(c).map_err(|e| format!("{prefix}cmap: {e}"))?;
        }
        if let Some(s) = self.sign {
            if Sign::parse(s).is_none() {
                return Err(format!("{prefix}sign: '{s}': expected abs, pos or neg"));
            }
        }
        Ok(())
    }

    /// The options as command-line arguments, to follow the layer's --overlay arguments;
    /// those for which `skip` is true are left out.
    pub fn args(&self, skip: &dyn Fn(&str) -> bool, out: &mut Vec<OsString>) {
        let mut one = |id: &str, v: Option<String>| {
            if let (Some(v), false) = (v, skip(id)) {
                out.push(format!("--{}={v}", id.replace('_', "-")).into());
            }
        };
        one("cmap", self.cmap.clone());
        one("threshold", self.threshold.as_ref().map(NumOrText::arg));
        one("sign", self.sign.clone());
        one("opacity", self.opacity.map(|v| format_num(v as f64)));
        one("cbar_label", self.cbar_label.clone());
        for (id, set) in [("symmetric", self.symmetric), ("outline", self.outline)] {
            if set == Some(true) && !skip(id) {
                out.push(format!("--{id}").into());
            }
        }
        if let (Some(r), false) = (self.range, skip("range")) {
            out.push("--range".into());
            out.extend(r.iter().map(|v| v.arg().into()));
        }
    }
}

/// Checks the layers: one kind per entry, options only where they apply, values in range.
pub fn validate(layers: &[LayerEntry]) -> Result<(), String> {
    for (i, l) in layers.iter().enumerate() {
        let prefix = format!("layers[{i}].");
        let kinds: Vec<&str> = [
            ("overlay", l.overlay.is_some()),
            ("annot", l.annot.is_some()),
            ("label", l.label.is_some()),
        ]
        .iter()
        .filter(|(_, set)| *set)
        .map(|(n, _)| *n)
        .collect();
        match kinds.as_slice() {
            [_] => {}
            [] => return Err(format!("layers[{i}]: give one of overlay, annot or label")),
            many => {
                return Err(format!(
                    "layers[{i}]: give one of overlay, annot or label, not {}",
                    many.join(" and ")
                ))
            }
        }
        if l.overlay.is_none() {
            if let Some(f) = l.style_fields().first() {
                return Err(format!(
                    "{prefix}{f}: only an overlay layer takes this option"
                ));
            }
        }
        if l.label.is_none() && l.label_color.is_some() {
            return Err(format!("{prefix}label_color: only a label layer takes it"));
        }
        check_colors(&format!("{prefix}label_color"), &l.label_color)?;
        if let (Some(labels), Some(colors)) = (&l.label, &l.label_color) {
            if colors.len() > labels.len() {
                return Err(format!(
                    "{prefix}label_color: {} colours for {} labels",
                    colors.len(),
                    labels.len()
                ));
            }
        }
        for (name, list) in [
            ("overlay", &l.overlay),
            ("annot", &l.annot),
            ("label", &l.label),
        ] {
            if list.as_ref().is_some_and(Vec::is_empty) {
                return Err(format!("{prefix}{name}: give at least one file"));
            }
        }
        // One layer is one map: two files of one hemisphere are two layers.
        let mut seen = Vec::new();
        for p in l.overlay.iter().flatten() {
            if let Some(h) = Hemi::from_path(p) {
                if seen.contains(&h) {
                    return Err(format!(
                        "{prefix}overlay: two {h} files; give each map its own [[layers]] entry"
                    ));
                }
                seen.push(h);
            }
        }
        l.style().validate(&prefix)?;
    }
    Ok(())
}

/// Each colour of `colors` is a name or `#rrggbb`; errors name `field[k]`.
pub fn check_colors(field: &str, colors: &Option<Vec<String>>) -> Result<(), String> {
    for (k, c) in colors.iter().flatten().enumerate() {
        if crate::color::parse_color(c).is_none() {
            return Err(format!(
                "{field}[{k}]: '{c}' is not a colour name or #rrggbb"
            ));
        }
    }
    Ok(())
}

/// Command-line arguments for the layers, bottom first. `skip` drops the overlays,
/// annotations or labels the user gave on the command line instead.
pub fn to_args(layers: &[LayerEntry], skip: &dyn Fn(&str) -> bool, out: &mut Vec<OsString>) {
    let path_arg = |flag: &str, p: &PathBuf| {
        let mut a = OsString::from(format!("--{flag}="));
        a.push(p.as_os_str());
        a
    };
    // Label colours are one list over every --label; once any is given, all are, so
    // that each stays with its label.
    let colored = layers.iter().any(|l| l.label_color.is_some());
    let mut label_index = 0;
    for l in layers {
        if let (Some(files), false) = (&l.overlay, skip("overlay")) {
            // One entry is one layer, whatever its files' hemispheres.
            out.push("--new-layer".into());
            out.extend(files.iter().map(|p| path_arg("overlay", p)));
            l.style().args(&|_| false, out);
            if let Some(f) = l.frame {
                out.push(format!("--frame={f}").into());
            }
            if let Some(m) = &l.map {
                out.push(format!("--map={}", m.arg()).into());
            }
        }
        if let (Some(files), false) = (&l.annot, skip("annot")) {
            out.extend(files.iter().map(|p| path_arg("annot", p)));
        }
        if let (Some(files), false) = (&l.label, skip("label")) {
            for (k, p) in files.iter().enumerate() {
                out.push(path_arg("label", p));
                if colored && !skip("label_color") {
                    let c = match l.label_color.as_ref().and_then(|c| c.get(k)) {
                        Some(c) => c.clone(),
                        None => {
                            let c = crate::color::LABEL_COLORS
                                [label_index % crate::color::LABEL_COLORS.len()];
                            format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
                        }
                    };
                    out.push(format!("--label-color={c}").into());
                }
                label_index += 1;
            }
        }
    }
}

/// The stack of a parsed command line, bottom first: each overlay layer (grouped by
/// `map`, as the figure groups them) with its options, and the annotations and labels
/// between the layers.
pub fn from_args(a: &Args, map: &LayerMap) -> Vec<LayerEntry> {
    let n_layers = map.count();
    let annot_at = pad(&a.order.annot_after, a.annot.len());
    let label_at = pad(&a.order.label_after, a.label.len());
    let mut entries: Vec<LayerEntry> = Vec::new();
    for layer in 0..=n_layers {
        let annots: Vec<PathBuf> = (0..a.annot.len())
            .filter(|&k| map.position(annot_at[k]) == layer)
            .map(|k| a.annot[k].clone())
            .collect();
        if !annots.is_empty() {
            entries.push(LayerEntry {
                annot: Some(annots),
                ..Default::default()
            });
        }
        let labels: Vec<usize> = (0..a.label.len())
            .filter(|&k| map.position(label_at[k]) == layer)
            .collect();
        if !labels.is_empty() {
            let colors: Vec<String> = labels
                .iter()
                .filter_map(|&k| a.label_color.get(k).cloned())
                .collect();
            entries.push(LayerEntry {
                label: Some(labels.iter().map(|&k| a.label[k].clone()).collect()),
                label_color: (!colors.is_empty()).then_some(colors),
                ..Default::default()
            });
        }
        if layer == n_layers {
            break;
        }
        entries.push(LayerEntry {
            overlay: Some(
                a.overlay
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| map.of_overlay(*k) == Some(layer))
                    .map(|(_, p)| p.clone())
                    .collect(),
            ),
            ..options(a, map, layer)
        });
    }
    entries
}

/// The overlay options that belong to `layer` (the last of each wins, as on the command
/// line). Without any --overlay every option belongs to layer 0, so that `--print-spec`
/// still shows them. Frames and maps given before any --overlay are for every layer and
/// stay at the top level.
pub fn options(a: &Args, map: &LayerMap, layer: usize) -> LayerEntry {
    let last = |id: &str, n: usize| map.last(&a.order.of(id, n), layer);
    let own = |id: &str, n: usize| map.own(&a.order.of(id, n), layer);
    let pairs: Vec<Vec<NumOrText>> = a
        .range
        .chunks_exact(2)
        .map(|p| p.iter().map(|v| NumOrText::parse(v)).collect())
        .collect();
    LayerEntry {
        cmap: last("cmap", a.cmap.len()).map(|k| a.cmap[k].clone()),
        threshold: last("threshold", a.threshold.len()).map(|k| NumOrText::parse(&a.threshold[k])),
        range: last("range", pairs.len()).map(|k| pairs[k].clone()),
        sign: last("sign", a.sign.len()).map(|k| a.sign[k].clone()),
        symmetric: last("symmetric", a.symmetric.len()).map(|k| a.symmetric[k]),
        opacity: last("opacity", a.opacity.len()).map(|k| a.opacity[k]),
        outline: last("outline", a.outline.len()).map(|k| a.outline[k]),
        cbar_label: last("cbar_label", a.cbar_label.len()).map(|k| a.cbar_label[k].clone()),
        frame: own("frame", a.frame.len()).map(|k| a.frame[k]),
        map: own("map", a.map.len()).map(|k| NumOrText::parse(&a.map[k])),
        ..Default::default()
    }
}

/// Positions of each argument, or "before any overlay" when unknown.
fn pad(v: &[usize], n: usize) -> Vec<usize> {
    (0..n).map(|k| v.get(k).copied().unwrap_or(0)).collect()
}
