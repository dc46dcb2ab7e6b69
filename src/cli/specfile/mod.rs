//! Figure spec files (`--spec figure.toml` or `.json`): every command-line option as a
//! field of the same name (`threshold = 2.5`, `views = ["lateral", "medial"]`). A spec is
//! turned into command-line arguments placed before the user's own, so there is one
//! parser and one set of rules for both, and flags given on the command line override the
//! spec. `--print-spec` writes the effective spec, from which the figure can be replayed.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
pub use layers::LayerEntry;

mod args;
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
            ];
            let mut set: Vec<&str> = flat.iter().filter(|(_, s)| *s).map(|(n, _)| *n).collect();
            set.extend(self.style().set_fields());
            if let Some(name) = set.first() {
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
        toml::to_string(self).map_err(|e| Error::serialize("the spec as TOML", e))
    }
}

#[cfg(test)]
mod tests;
