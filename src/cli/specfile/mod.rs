//! Figure spec files (`--spec figure.toml` or `.json`): every command-line option as a
//! field of the same name (`threshold = 2.5`, `views = ["lateral", "medial"]`). A spec is
//! turned into command-line arguments placed before the user's own, so there is one
//! parser and one set of rules for both, and flags given on the command line override the
//! spec. `--print-spec` writes the effective spec, from which the figure can be replayed.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Args;
use crate::error::{Error, Result};
pub use layers::LayerEntry;

mod layers;

/// A number, or text such as a percentile (`"95%"`) or a map name.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged, expecting = "a number, or text such as \"95%\"")]
pub enum NumOrText {
    Num(f64),
    Text(String),
}

/// Whole numbers are written as integers (`threshold = 2`), as people write them.
impl Serialize for NumOrText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            NumOrText::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => s.serialize_i64(*n as i64),
            NumOrText::Num(n) => s.serialize_f64(shortest(*n as f32)),
            NumOrText::Text(t) => s.serialize_str(t),
        }
    }
}

impl NumOrText {
    pub(crate) fn arg(&self) -> String {
        match self {
            NumOrText::Num(n) => format_num(*n),
            NumOrText::Text(s) => s.clone(),
        }
    }

    pub(crate) fn parse(s: &str) -> NumOrText {
        match s.parse::<f64>() {
            Ok(n) if n.is_finite() && format_num(n) == s => NumOrText::Num(n),
            _ => NumOrText::Text(s.to_string()),
        }
    }
}

/// An `f32` field as the shortest decimal that reads back as the same `f32` (`0.8`, not
/// `0.800000011920929`), so printed specs read as they were written.
pub(crate) fn short_f32<S: serde::Serializer>(
    v: &Option<f32>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match v {
        Some(x) => s.serialize_some(&shortest(*x)),
        None => s.serialize_none(),
    }
}

fn short_f32s<S: serde::Serializer>(
    v: &Option<Vec<f32>>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match v {
        Some(xs) => s.serialize_some(&xs.iter().map(|x| shortest(*x)).collect::<Vec<f64>>()),
        None => s.serialize_none(),
    }
}

fn shortest(x: f32) -> f64 {
    format!("{x}").parse().unwrap_or(x as f64)
}

fn format_num(n: f64) -> String {
    // Shortest text that reads back as the same f32, as the command line would have it.
    let f = n as f32;
    format!("{f}")
}

/// Everything a command line can say about a figure. Field names are the long option
/// names with `-` written `_`; absent fields take the command line's defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FigureFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub surfaces: Option<Vec<PathBuf>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subjects_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub surf: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hemi: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overlay: Option<Vec<PathBuf>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub curv: Option<Vec<PathBuf>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub map: Option<NumOrText>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annot: Option<Vec<PathBuf>>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "short_f32")]
    pub annot_alpha: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annot_outline: Option<bool>,
    /// Annotations drawn over the overlay (on the command line: given after --overlay).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annot_over_overlay: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<Vec<PathBuf>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_color: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_outline: Option<bool>,
    /// Labels drawn over the overlay (on the command line: given after --overlay).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_over_overlay: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "short_f32")]
    pub outline_width: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub border_color: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outline: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outline_color: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contours: Option<Vec<PathBuf>>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "short_f32s")]
    pub levels: Option<Vec<f32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_contours: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contour_cmap: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mask: Option<Vec<PathBuf>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symmetric: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub focus: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub focus_vertex: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub foci: Option<Vec<PathBuf>>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "short_f32")]
    pub focus_radius: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub focus_color: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cortex: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cmap: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<NumOrText>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<Vec<NumOrText>>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "short_f32")]
    pub opacity: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub views: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "short_f32")]
    pub azimuth: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "short_f32")]
    pub elevation: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "short_f32")]
    pub roll: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "short_f32")]
    pub zoom: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layout: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub colorbar: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cbar_label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cbar_orientation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cbar_ticks: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cbar_format: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "short_f32")]
    pub font_size: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub colorbar_file: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub panel_labels: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub panel_size: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "short_f32")]
    pub scale: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dpi: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub egl_device: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_empty: Option<bool>,
    /// Overlays, annotations and labels stacked bottom first, each overlay with its own
    /// colouring (instead of the top-level `overlay`, `annot`, `label` and overlay
    /// options, which describe a single overlay).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layers: Option<Vec<LayerEntry>>,
}

impl FigureFile {
    /// Reads a spec: TOML, or JSON when the name ends in `.json` or the text starts with
    /// `{`. Errors name the field path (`range[1]: invalid type: ...`).
    pub fn load(path: &Path) -> Result<FigureFile> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let bad = |msg: String| Error::Usage(format!("{}: {msg}", path.display()));
        let json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
            || text.trim_start().starts_with('{');
        let f: FigureFile = if json {
            let de = &mut serde_json::Deserializer::from_str(&text);
            serde_path_to_error::deserialize(de)
                .map_err(|e| bad(format!("{}: {}", e.path(), e.inner())))?
        } else {
            let de = toml::Deserializer::new(&text);
            serde_path_to_error::deserialize(de).map_err(|e| {
                // TOML's own message carries the line and column; the path names the field.
                let inner = e.inner().to_string();
                bad(format!("{}: {}", e.path(), inner.trim()))
            })?
        };
        f.validate().map_err(bad)?;
        // Relative paths in a spec are relative to the spec's folder, so a spec can travel
        // with its data.
        Ok(f.rebased(path.parent().unwrap_or(Path::new(""))))
    }

    /// Value checks that serde's types cannot express, with field paths.
    fn validate(&self) -> std::result::Result<(), String> {
        // The same limits the command line enforces, reported by field name here.
        let within = |name: &str, v: Option<f32>, lo: f32, hi: f32| match v {
            Some(x) if !(x.is_finite() && (lo..=hi).contains(&x)) => {
                Err(format!("{name}: {x} is outside {lo} to {hi}"))
            }
            _ => Ok(()),
        };
        within("zoom", self.zoom, 0.1, 100.0)?;
        within("scale", self.scale, 0.1, 10.0)?;
        within("annot_alpha", self.annot_alpha, 0.0, 1.0)?;
        within("outline_width", self.outline_width, 0.5, 50.0)?;
        within("focus_radius", self.focus_radius, 1e-3, 1e3)?;
        within("font_size", self.font_size, 2.0, 200.0)?;
        for (name, v) in [
            ("azimuth", self.azimuth),
            ("elevation", self.elevation),
            ("roll", self.roll),
        ] {
            within(name, v, -1e6, 1e6)?;
        }
        within("dpi", self.dpi.map(|d| d as f32), 1.0, 10_000.0)?;
        within("cbar_ticks", self.cbar_ticks.map(|d| d as f32), 2.0, 20.0)?;
        within("n_contours", self.n_contours.map(|d| d as f32), 1.0, 100.0)?;
        for (i, l) in self.levels.iter().flatten().enumerate() {
            if !l.is_finite() {
                return Err(format!("levels[{i}]: {l} is not a finite number"));
            }
        }
        self.style().validate("")?;
        layers::check_colors("label_color", &self.label_color)?;
        if let Some(l) = &self.layers {
            // A stack says everything about overlays, annotations and labels itself.
            let flat = [
                ("overlay", self.overlay.is_some()),
                ("annot", self.annot.is_some()),
                ("label", self.label.is_some()),
                ("label_color", self.label_color.is_some()),
                ("annot_over_overlay", self.annot_over_overlay.is_some()),
                ("label_over_overlay", self.label_over_overlay.is_some()),
                ("cmap", self.cmap.is_some()),
                ("threshold", self.threshold.is_some()),
                ("range", self.range.is_some()),
                ("sign", self.sign.is_some()),
                ("symmetric", self.symmetric.is_some()),
                ("opacity", self.opacity.is_some()),
                ("outline", self.outline.is_some()),
                ("cbar_label", self.cbar_label.is_some()),
            ];
            if let Some((name, _)) = flat.iter().find(|(_, set)| *set) {
                return Err(format!(
                    "{name}: a spec with `layers` keeps overlays, annotations, labels and their options in its layers; move `{name}` into one"
                ));
            }
            layers::validate(l)?;
        }
        for (i, v) in self.views.iter().flatten().enumerate() {
            crate::scene::ViewName::parse(v).map_err(|e| format!("views[{i}]: {e}"))?;
        }
        Ok(())
    }

    /// Every path field, once: the one list that rebasing and absolutising share. In
    /// subject mode a one-word overlay, curvature, annotation, label, contour or mask
    /// (`thickness`, `aparc`) names a file of the subject, not a path, and is left alone.
    fn for_each_path(&mut self, mut f: impl FnMut(&mut PathBuf)) {
        let subject = self.subject.is_some();
        let bare = |p: &PathBuf| subject && p.components().count() == 1 && !p.exists();
        let mut lists = vec![
            &mut self.overlay,
            &mut self.curv,
            &mut self.annot,
            &mut self.label,
            &mut self.contours,
            &mut self.mask,
        ];
        for l in self.layers.iter_mut().flatten() {
            lists.extend([&mut l.overlay, &mut l.annot, &mut l.label]);
        }
        for list in lists {
            list.iter_mut()
                .flatten()
                .filter(|p| !bare(p))
                .for_each(&mut f);
        }
        for list in [&mut self.surfaces, &mut self.foci] {
            list.iter_mut().flatten().for_each(&mut f);
        }
        self.output.iter_mut().for_each(&mut f);
        self.subjects_dir.iter_mut().for_each(&mut f);
        self.colorbar_file.iter_mut().for_each(&mut f);
    }

    fn rebased(mut self, base: &Path) -> FigureFile {
        if !base.as_os_str().is_empty() {
            self.for_each_path(|p| {
                if p.is_relative() {
                    *p = base.join(&*p);
                }
            });
        }
        self
    }

    /// The same spec with every path absolute, so it replays from any folder and a figure
    /// made from a spec elsewhere has the same canonical command line.
    pub fn absolute(mut self) -> FigureFile {
        self.for_each_path(|p| {
            if let Ok(a) = std::path::absolute(&*p) {
                *p = a;
            }
        });
        self
    }

    /// The effective figure of a parsed command line: every field set. `layer_of` is
    /// the overlay layer of each --overlay argument (`cli::overlay_layers`).
    pub fn from_args(a: &Args, layer_of: &[usize]) -> FigureFile {
        let stack = layers::from_args(a, layer_of);
        let count = |f: fn(&LayerEntry) -> bool| stack.iter().filter(|e| f(e)).count();
        // One overlay with annotations and labels wholly under or over it reads best as
        // top-level fields; anything else is a stack of layers.
        let flat = count(|e| e.overlay.is_some()) <= 1
            && count(|e| e.annot.is_some()) <= 1
            && count(|e| e.label.is_some()) <= 1;
        let top = if flat {
            stack
                .iter()
                .find(|e| e.overlay.is_some())
                .cloned()
                .unwrap_or_else(|| layers::from_args_unattached(a))
        } else {
            LayerEntry::default()
        };
        fn flat_list<T: Clone>(flat: bool, v: &[T]) -> Option<Vec<T>> {
            (flat && !v.is_empty()).then(|| v.to_vec())
        }
        let flat_value = |v: Option<bool>| flat.then_some(v.unwrap_or(false));
        // The frame and map for every layer: with one layer, the last given; with a stack,
        // the last given before any --overlay (the layers keep their own).
        let global = |id: &str, n: usize| -> Option<usize> {
            let at = a.order.of(id, n);
            (0..n).rev().find(|&k| flat || at[k] == 0)
        };
        let top_frame = global("frame", a.frame.len()).map_or(0, |k| a.frame[k]);
        let top_map = global("map", a.map.len()).map(|k| NumOrText::parse(&a.map[k]));
        FigureFile {
            layers: (!flat).then_some(stack),
            output: a.output.clone(),
            surfaces: (!a.surfaces.is_empty()).then(|| a.surfaces.clone()),
            subject: a.subject.clone(),
            subjects_dir: a.subjects_dir.clone(),
            surf: a.subject.as_ref().map(|_| a.surf.clone()),
            hemi: (!a.hemi.is_empty()).then(|| a.hemi.clone()),
            overlay: flat_list(flat, &a.overlay),
            curv: (!a.curv.is_empty()).then(|| a.curv.clone()),
            frame: Some(top_frame),
            map: top_map,
            annot: flat_list(flat, &a.annot),
            annot_alpha: Some(a.annot_alpha),
            annot_outline: Some(a.annot_outline),
            annot_over_overlay: flat_value(Some(a.order.annot_after.iter().any(|&c| c > 0))),
            label: flat_list(flat, &a.label),
            label_color: flat_list(flat, &a.label_color),
            label_outline: Some(a.label_outline),
            label_over_overlay: flat_value(Some(a.order.label_after.iter().any(|&c| c > 0))),
            outline_width: Some(a.outline_width),
            border_color: a.border_color.clone(),
            outline: flat_value(top.outline),
            outline_color: Some(a.outline_color.clone()),
            contours: (!a.contours.is_empty()).then(|| a.contours.clone()),
            levels: (!a.levels.is_empty()).then(|| a.levels.clone()),
            n_contours: Some(a.n_contours),
            contour_cmap: Some(a.contour_cmap.clone()),
            mask: (!a.mask.is_empty()).then(|| a.mask.clone()),
            symmetric: flat_value(top.symmetric),
            focus: (!a.focus.is_empty()).then(|| a.focus.clone()),
            focus_vertex: (!a.focus_vertex.is_empty()).then(|| a.focus_vertex.clone()),
            foci: (!a.foci.is_empty()).then(|| a.foci.clone()),
            focus_radius: Some(a.focus_radius),
            focus_color: Some(a.focus_color.clone()),
            cortex: Some(a.cortex.clone()),
            cmap: flat.then(|| top.cmap.clone().unwrap_or_else(|| "heat".into())),
            threshold: top.threshold.clone(),
            range: top.range.clone(),
            opacity: flat.then_some(top.opacity.unwrap_or(1.0)),
            sign: flat.then(|| top.sign.clone().unwrap_or_else(|| "abs".into())),
            views: Some(a.views.clone()),
            azimuth: Some(a.azimuth),
            elevation: Some(a.elevation),
            roll: Some(a.roll),
            zoom: Some(a.zoom),
            layout: Some(a.layout.clone()),
            size: a.size.clone(),
            background: Some(a.background.clone()),
            colorbar: Some(!a.no_colorbar),
            cbar_label: top.cbar_label.clone(),
            cbar_orientation: Some(a.cbar_orientation.clone()),
            cbar_ticks: a.cbar_ticks,
            cbar_format: Some(a.cbar_format.clone()),
            font_size: a.font_size,
            colorbar_file: a.colorbar_file.clone(),
            panel_labels: Some(a.panel_labels),
            panel_size: a.panel_size.clone(),
            scale: Some(a.scale),
            dpi: a.dpi,
            title: a.title.clone(),
            backend: Some(a.backend.clone()),
            egl_device: a.egl_device,
            allow_empty: Some(a.allow_empty),
        }
    }

    /// Command-line arguments saying the same, leaving out the options for which `skip`
    /// is true (those the user gave on the command line, which win).
    pub fn to_args(&self, skip: &dyn Fn(&str) -> bool) -> Vec<OsString> {
        let mut out: Vec<OsString> = Vec::new();
        let one = |id: &str, v: Option<String>, out: &mut Vec<OsString>| {
            if let Some(v) = v {
                if !skip(id) {
                    // `--flag=value`: a value that starts with `-` stays a value.
                    out.push(format!("--{}={v}", id.replace('_', "-")).into());
                }
            }
        };
        let flag = |id: &str, v: Option<bool>, out: &mut Vec<OsString>| {
            if v == Some(true) && !skip(id) {
                out.push(format!("--{}", id.replace('_', "-")).into());
            }
        };
        let many = |id: &str, v: &Option<Vec<PathBuf>>, out: &mut Vec<OsString>| {
            if !skip(id) {
                for p in v.iter().flatten() {
                    let mut arg = OsString::from(format!("--{}=", id.replace('_', "-")));
                    arg.push(p.as_os_str());
                    out.push(arg);
                }
            }
        };
        if !skip("surfaces") {
            out.extend(self.surfaces.iter().flatten().map(|p| p.clone().into()));
        }
        one(
            "output",
            self.output.as_ref().map(|p| p.display().to_string()),
            &mut out,
        );
        one("subject", self.subject.clone(), &mut out);
        one(
            "subjects_dir",
            self.subjects_dir.as_ref().map(|p| p.display().to_string()),
            &mut out,
        );
        one("surf", self.surf.clone(), &mut out);
        one("hemi", self.hemi.as_ref().map(|h| h.join(",")), &mut out);
        // Before any --overlay, so that they are for every layer.
        one("frame", self.frame.map(|f| f.to_string()), &mut out);
        one("map", self.map.as_ref().map(NumOrText::arg), &mut out);
        // Order carries meaning: layers given after the overlay are drawn over it.
        let under = |over: Option<bool>| over != Some(true);
        if under(self.annot_over_overlay) {
            many("annot", &self.annot, &mut out);
        }
        if under(self.label_over_overlay) {
            many("label", &self.label, &mut out);
        }
        many("overlay", &self.overlay, &mut out);
        // The top-level overlay options, right after the overlay they colour.
        self.style().args(skip, &mut out);
        if let Some(l) = &self.layers {
            layers::to_args(l, skip, &mut out);
        }
        if !under(self.annot_over_overlay) {
            many("annot", &self.annot, &mut out);
        }
        if !under(self.label_over_overlay) {
            many("label", &self.label, &mut out);
        }
        many("curv", &self.curv, &mut out);
        one(
            "annot_alpha",
            self.annot_alpha.map(|v| format_num(v as f64)),
            &mut out,
        );
        flag("annot_outline", self.annot_outline, &mut out);
        if !skip("label_color") {
            for c in self.label_color.iter().flatten() {
                out.push(format!("--label-color={c}").into());
            }
        }
        flag("label_outline", self.label_outline, &mut out);
        one(
            "outline_width",
            self.outline_width.map(|v| format_num(v as f64)),
            &mut out,
        );
        one("border_color", self.border_color.clone(), &mut out);
        one("outline_color", self.outline_color.clone(), &mut out);
        many("contours", &self.contours, &mut out);
        one(
            "levels",
            self.levels.as_ref().map(|l| {
                l.iter()
                    .map(|v| format_num(*v as f64))
                    .collect::<Vec<_>>()
                    .join(",")
            }),
            &mut out,
        );
        one(
            "n_contours",
            self.n_contours.map(|n| n.to_string()),
            &mut out,
        );
        one("contour_cmap", self.contour_cmap.clone(), &mut out);
        many("mask", &self.mask, &mut out);
        for (id, list) in [("focus", &self.focus), ("focus_vertex", &self.focus_vertex)] {
            if !skip(id) {
                for v in list.iter().flatten() {
                    out.push(format!("--{}={v}", id.replace('_', "-")).into());
                }
            }
        }
        many("foci", &self.foci, &mut out);
        one(
            "focus_radius",
            self.focus_radius.map(|v| format_num(v as f64)),
            &mut out,
        );
        one("focus_color", self.focus_color.clone(), &mut out);
        one("cortex", self.cortex.clone(), &mut out);
        one("views", self.views.as_ref().map(|v| v.join(",")), &mut out);
        for (id, v) in [
            ("azimuth", self.azimuth),
            ("elevation", self.elevation),
            ("roll", self.roll),
            ("zoom", self.zoom),
        ] {
            one(id, v.map(|x| format_num(x as f64)), &mut out);
        }
        one("layout", self.layout.clone(), &mut out);
        one("size", self.size.clone(), &mut out);
        one("background", self.background.clone(), &mut out);
        if self.colorbar == Some(false) && !skip("no_colorbar") {
            out.push("--no-colorbar".into());
        }
        one("cbar_orientation", self.cbar_orientation.clone(), &mut out);
        one(
            "cbar_ticks",
            self.cbar_ticks.map(|n| n.to_string()),
            &mut out,
        );
        one("cbar_format", self.cbar_format.clone(), &mut out);
        one(
            "font_size",
            self.font_size.map(|v| format_num(v as f64)),
            &mut out,
        );
        one(
            "colorbar_file",
            self.colorbar_file.as_ref().map(|p| p.display().to_string()),
            &mut out,
        );
        flag("panel_labels", self.panel_labels, &mut out);
        one("panel_size", self.panel_size.clone(), &mut out);
        one("scale", self.scale.map(|v| format_num(v as f64)), &mut out);
        one("dpi", self.dpi.map(|d| d.to_string()), &mut out);
        one("title", self.title.clone(), &mut out);
        one("backend", self.backend.clone(), &mut out);
        one(
            "egl_device",
            self.egl_device.map(|d| d.to_string()),
            &mut out,
        );
        flag("allow_empty", self.allow_empty, &mut out);
        out
    }

    /// The top-level overlay options.
    fn style(&self) -> layers::Style<'_> {
        layers::Style {
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

    /// The spec as TOML, for `--print-spec`.
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string(self)
            .map_err(|e| Error::Render(format!("cannot write the spec as TOML: {e}")))
    }
}

#[cfg(test)]
mod tests;
