//! Figure spec files (`--spec figure.toml` or `.json`): the fields of [`FigureDesc`] by
//! their names (`threshold = 2.5`, `views = ["lateral", "medial"]`), the stack as
//! `[[layers]]` or, for one overlay, as top-level fields (`overlay`, `cmap`, ...; `annot`
//! and `label` under it unless `annot_over_overlay` / `label_over_overlay`). Relative
//! paths are relative to the spec's folder, so a spec travels with its data.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::args::{is_bare, Grouping, Item, Positional};
use super::{FigureDesc, Layer, LayerKind};
use crate::error::{Error, Result};
use crate::hemi::Hemi;

/// The largest spec read: ten thousand foci and a hundred labels fit in a tenth of it.
const MAX_SPEC_BYTES: u64 = 4 << 20;

/// The top-level fields that describe a single overlay layer and what lies around it.
const FLAT: &str = "overlay annot label label_color annot_over_overlay label_over_overlay \
    cmap threshold range sign symmetric opacity outline cbar_label";

impl FigureDesc {
    /// Reads a spec: TOML, or JSON when the name ends in `.json` or the text starts with
    /// `{`. A bad spec is a usage error naming the file and the field
    /// (`fig.toml: range[1]: 'x' is not a number or a percentile`).
    pub fn from_spec_file(path: &Path) -> Result<FigureDesc> {
        FigureDesc::read_spec(path, &FigureDesc::default())
    }

    /// [`from_spec_file`](Self::from_spec_file) for a command line that gives the
    /// surfaces (`typed`): a spec that leaves them to it groups its overlays by them.
    pub(super) fn read_spec(path: &Path, typed: &FigureDesc) -> Result<FigureDesc> {
        let (value, text, json) = spec_file_value(path)?;
        let bad = |msg: String| Error::Usage(format!("{}: {msg}", path.display()));
        let desc = FigureDesc::spec_value(value, typed).map_err(|msg| {
            let path = msg.split(": ").next().unwrap_or("");
            match line_of(&text, path).filter(|_| !json) {
                Some(line) => bad(format!("line {line}: {msg}")),
                None => bad(msg),
            }
        })?;
        // A spec that names no surfaces of its own may serve subject after subject (a
        // batch's base spec, `--spec qc.toml --subject bert`): its bare names stay the
        // subject's files, not files in the spec's folder.
        let subjects = desc.subject.is_some()
            || typed.subject.is_some()
            || (desc.surfaces.is_empty() && typed.surfaces.is_empty());
        Ok(desc.rebased(path.parent().unwrap_or(Path::new("")), subjects))
    }

    /// A batch row's figure: `value` holds the base spec's fields with the row's over
    /// them. Paths are left as written; [`rebase_each`](Self::rebase_each) places them.
    pub(crate) fn from_row_value(value: Value) -> std::result::Result<FigureDesc, String> {
        FigureDesc::spec_value(value, &FigureDesc::default())
    }

    /// Calls `f` on every path, leaving a subject's bare names alone when `subjects`.
    pub(crate) fn rebase_each(&mut self, subjects: bool, f: impl FnMut(&mut PathBuf)) {
        self.for_each_path(subjects, f);
    }

    /// A spec's fields as a JSON value (what a spec file holds, once parsed). Errors name
    /// the field path.
    pub fn from_spec_value(value: Value) -> std::result::Result<FigureDesc, String> {
        FigureDesc::spec_value(value, &FigureDesc::default())
    }

    fn spec_value(value: Value, typed: &FigureDesc) -> std::result::Result<FigureDesc, String> {
        let Value::Object(mut map) = value else {
            return Err("a spec is a table of options".into());
        };
        lists_of_one(&mut map);
        if let Some(Value::Array(layers)) = map.get_mut("layers") {
            layers
                .iter_mut()
                .filter_map(Value::as_object_mut)
                .for_each(lists_of_one);
        }
        let flat: Map<String, Value> = FLAT
            .split_whitespace()
            .filter_map(|k| map.remove(k).map(|v| (k.to_string(), v)))
            .collect();
        let mut desc: FigureDesc = from_value(Value::Object(map))?;
        let stacked = !desc.layers.is_empty();
        if stacked {
            if let Some(name) = flat.keys().next() {
                return Err(format!(
                    "{name}: a spec with `layers` keeps overlays, annotations, labels and their options in its layers; move `{name}` into one"
                ));
            }
            validate_layers(&desc.layers, false)?;
            desc.layers = merge_adjacent(std::mem::take(&mut desc.layers));
        } else if !flat.is_empty() {
            // Overlays group by the surfaces drawn: the command line's when it gives them.
            let mut drawn = desc.clone();
            if !typed.surfaces.is_empty() || typed.subject.is_some() {
                drawn.surfaces.clone_from(&typed.surfaces);
                drawn.subject.clone_from(&typed.subject);
            }
            if !typed.hemi.is_empty() {
                drawn.hemi.clone_from(&typed.hemi);
            }
            desc.layers = flat_stack(flat, &drawn)?;
        }
        desc.check_lists()?;
        for (i, l) in desc.layers.iter().enumerate() {
            let prefix = if stacked {
                format!("layers[{i}].")
            } else {
                String::new()
            };
            l.check().map_err(|(f, m)| format!("{prefix}{f}: {m}"))?;
        }
        Ok(desc)
    }

    /// The spec as TOML, for `--print-spec`: every default written out and every path
    /// absolute, so it replays the same figure from any folder.
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string(&self.to_spec_value()?).map_err(|e| Error::serialize("the spec as TOML", e))
    }

    /// The spec as a JSON value, as [`to_toml`](Self::to_toml) writes it (the sidecar
    /// records this).
    pub fn to_spec_value(&self) -> Result<Value> {
        let d = self.effective().absolute();
        let flat = d.flat();
        let mut d = d;
        if flat.is_none() {
            // Options with no overlay to act on change nothing a stack draws.
            d.layers.retain(|l| l.kind().is_some());
        }
        let mut value = json(&d)?;
        prune(&mut value);
        let Value::Object(map) = value else {
            return Err(Error::serialize("the spec", "not a table"));
        };
        Ok(Value::Object(match flat {
            Some(flat) => with_flat(map, flat)?,
            None => map,
        }))
    }

    /// Every path field, once: the one list that rebasing and absolutising share. In
    /// subject mode (`subject`) a one-word overlay, curvature, annotation, label, contour
    /// or mask (`thickness`, `aparc`) names a file of the subject, not a path, and is
    /// left alone.
    fn for_each_path(&mut self, subject: bool, mut f: impl FnMut(&mut PathBuf)) {
        // `--sample-surf white,pial` names surfaces beside each surface drawn; only its
        // paths (a word with a dot or a folder) are paths.
        for p in &mut self.sample_surf {
            if p.components().count() > 1 || p.to_string_lossy().contains('.') {
                f(p);
            }
        }
        let mut lists = vec![&mut self.curv, &mut self.contours, &mut self.mask];
        for l in &mut self.layers {
            lists.extend([&mut l.overlay, &mut l.annot, &mut l.label]);
        }
        for p in lists.into_iter().flatten() {
            if !(subject && is_bare(p)) {
                f(p);
            }
        }
        self.surfaces
            .iter_mut()
            .chain(&mut self.foci)
            .for_each(&mut f);
        let single = [
            &mut self.output,
            &mut self.subjects_dir,
            &mut self.colorbar_file,
            &mut self.lut,
        ];
        single.into_iter().flatten().for_each(&mut f);
        // A bare program name is looked up on PATH, as the shell would.
        if let Some(ffmpeg) = self.ffmpeg.as_mut().filter(|p| p.components().count() > 1) {
            f(ffmpeg);
        }
    }

    /// Relative paths joined to `base`; bare names too, unless `subjects` (see
    /// [`for_each_path`](Self::for_each_path)).
    pub(crate) fn rebased(mut self, base: &Path, subjects: bool) -> FigureDesc {
        if !base.as_os_str().is_empty() {
            self.for_each_path(subjects, |p| {
                if p.is_relative() {
                    *p = base.join(&*p);
                }
            });
        }
        self
    }

    /// The same description with every path absolute, so it replays from any folder and a
    /// figure made from a spec elsewhere has the same canonical command line.
    pub fn absolute(mut self) -> FigureDesc {
        self.for_each_path(self.subject.is_some(), |p| {
            if let Ok(a) = std::path::absolute(&*p) {
                *p = a;
            }
        });
        self
    }

    /// The stack as one overlay layer with annotations and labels under or over it, when
    /// it is that simple (as people write it); `None` for a stack that needs `layers`.
    pub(super) fn flat(&self) -> Option<Flat> {
        let count = |k| self.layers.iter().filter(|l| l.kind() == k).count();
        if count(Some(LayerKind::Overlay)) + count(None) > 1
            || count(Some(LayerKind::Annot)) > 1
            || count(Some(LayerKind::Label)) > 1
        {
            return None;
        }
        // Top-level overlay files are grouped again when read: print them so only when
        // they stay one layer.
        let mut grouping = Grouping::of(self);
        let overlay = self.layers.iter().flat_map(|l| &l.overlay);
        if overlay
            .enumerate()
            .any(|(i, p)| grouping.starts_layer(p, false) && i > 0)
        {
            return None;
        }
        let mut flat = Flat::default();
        let mut seen_overlay = false;
        for l in &self.layers {
            match l.kind() {
                Some(LayerKind::Annot) => {
                    flat.annot = l.annot.clone();
                    flat.annot_over = seen_overlay;
                }
                Some(LayerKind::Label) => {
                    flat.label = l.label.clone();
                    flat.label_color = l.label_color.clone();
                    flat.label_over = seen_overlay;
                }
                _ => {
                    seen_overlay = true;
                    flat.overlay = l.clone();
                }
            }
        }
        // One overlay's options print with their defaults, as the top level reads best so.
        flat.overlay = std::mem::take(&mut flat.overlay).with_defaults();
        let o = &mut flat.overlay;
        flat.frame = o.frame.take().or(self.frame);
        flat.map = o.map.take().or_else(|| self.map.clone());
        Some(flat)
    }
}

/// A stack written as top-level fields.
#[derive(Default)]
pub(super) struct Flat {
    /// The overlay layer (or its options alone), with its frame and map moved out.
    pub overlay: Layer,
    pub annot: Vec<PathBuf>,
    pub annot_over: bool,
    pub label: Vec<PathBuf>,
    pub label_color: Vec<super::values::Given<super::values::Rgb>>,
    pub label_over: bool,
    pub frame: Option<super::values::Index>,
    pub map: Option<crate::io::MapSelector>,
}

/// The printed spec with the flat stack's fields in place of `layers`, after the inputs.
fn with_flat(map: Map<String, Value>, flat: Flat) -> Result<Map<String, Value>> {
    const INPUTS: &str = "output surfaces subject subjects_dir surf hemi";
    let top = Layer {
        annot: flat.annot,
        label: flat.label,
        label_color: flat.label_color,
        ..flat.overlay
    };
    let mut layer = json(&top)?;
    prune(&mut layer);
    let Value::Object(mut fields) = layer else {
        return Err(Error::serialize("the spec", "a layer is not a table"));
    };
    fields.insert("annot_over_overlay".into(), flat.annot_over.into());
    fields.insert("label_over_overlay".into(), flat.label_over.into());
    let mut pending = Some(fields);
    let mut out = Map::new();
    for (k, v) in map {
        if !INPUTS.split(' ').any(|i| i == k) {
            out.extend(pending.take().into_iter().flatten());
        }
        match k.as_str() {
            "layers" | "map" => {}
            "frame" => {
                out.insert(k, json(&flat.frame)?);
                if let Some(m) = &flat.map {
                    out.insert("map".into(), json(m)?);
                }
            }
            _ => {
                out.insert(k, v);
            }
        }
    }
    out.extend(pending.into_iter().flatten());
    Ok(out)
}

/// Leaves out unset options (`null`) and empty lists, here and in every layer.
fn prune(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.retain(|_, v| !(v.is_null() || v.as_array().is_some_and(Vec::is_empty)));
            map.values_mut().for_each(prune);
        }
        Value::Array(items) => items.iter_mut().for_each(prune),
        _ => {}
    }
}

/// A field's value as JSON.
fn json<T: serde::Serialize>(v: &T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| Error::serialize("the spec", e))
}

/// Deserialises with the field path in errors (`layers[1].threshold: ...`).
fn from_value<T: serde::de::DeserializeOwned>(v: Value) -> std::result::Result<T, String> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let inner = unknown_field(&e.inner().to_string());
        match e.path().to_string() {
            p if p == "." => inner,
            p => format!("{p}: {inner}"),
        }
    })
}

/// serde's "unknown field `cmapp`, expected one of ..." lists only the fields of the
/// struct it was reading; say instead which field of a spec comes closest.
fn unknown_field(msg: &str) -> String {
    let Some((name, listed)) = msg
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split_once('`'))
    else {
        return msg.to_string();
    };
    let fields = listed.split('`').skip(1).step_by(2);
    let closest = fields
        .chain(FLAT.split_whitespace())
        .map(|f| (strsim::jaro_winkler(name, f), f))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match closest {
        Some((sim, f)) if sim > 0.8 => format!("unknown field `{name}`; did you mean `{f}`?"),
        _ => format!("unknown field `{name}` (README's Usage lists the options)"),
    }
}

/// The line of a TOML spec where the field of an error path (`range[1]`,
/// `layers[2].cmap`) is written, to point an editor at it.
fn line_of(text: &str, path: &str) -> Option<usize> {
    // The lines of the top level, or of the n-th [[layers]] table.
    let (table, key) = match path.strip_prefix("layers[") {
        Some(rest) => rest
            .split_once("].")
            .map(|(i, k)| (i.parse::<usize>().ok(), k))?,
        None => (None, path),
    };
    let key = key.split(['[', '.']).next()?;
    let mut section = None;
    let mut tables = 0;
    for (n, line) in text.lines().enumerate() {
        let l = line.trim_start();
        if l.starts_with('[') {
            section = (l.trim() == "[[layers]]").then_some(tables);
            tables += (l.trim() == "[[layers]]") as usize;
        } else if section == table
            && l.strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with('='))
        {
            return Some(n + 1);
        }
    }
    None
}

/// TOML's message without its source excerpt: one line, with the line and column.
fn one_line(e: &toml::de::Error, text: &str) -> String {
    let msg = e.message().trim().replace('\n', "; ");
    match e.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {column}: {msg}")
        }
        None => msg,
    }
}

/// The stack of a spec's top-level fields, read as the command line would read them:
/// the annotations and labels (under the overlay unless `annot_over_overlay` /
/// `label_over_overlay`), the overlay files, then their options.
fn flat_stack(
    mut flat: Map<String, Value>,
    desc: &FigureDesc,
) -> std::result::Result<Vec<Layer>, String> {
    let mut over = |key: &str| match flat.remove(key) {
        None => Ok(false),
        Some(v) => from_value::<bool>(v).map_err(|e| format!("{key}: {e}")),
    };
    let (annot_over, label_over) = (over("annot_over_overlay")?, over("label_over_overlay")?);
    let mut top: Layer = from_value(Value::Object(flat))?;
    if top.label_color.len() > top.label.len() {
        return Err(format!(
            "label_color: {} colours for {} labels",
            top.label_color.len(),
            top.label.len()
        ));
    }
    let files = |over: bool| {
        let annots = top.annot.iter().filter(move |_| over == annot_over);
        let labels = top.label.iter().filter(move |_| over == label_over);
        let annots = annots.map(|p| Item::Annot(p.clone()));
        annots.chain(labels.map(|p| Item::Label(p.clone())))
    };
    let overlays = top.overlay.iter().map(|p| Item::Overlay(p.clone()));
    let options = Layer {
        overlay: Vec::new(),
        annot: Vec::new(),
        label: Vec::new(),
        label_color: Vec::new(),
        ..top.clone()
    };
    let items: Vec<Item> = files(false)
        .chain(overlays)
        .chain([Item::Options(Box::new(options))])
        .chain(files(true))
        .collect();
    let mut p = Positional::build(items, Grouping::of(desc));
    Positional::assign_label_colors(&mut p.layers, std::mem::take(&mut top.label_color))?;
    if !p.leading.style_fields().is_empty() {
        p.layers.push(p.leading);
    }
    Ok(p.layers)
}

/// The stack as it is drawn: between two overlay layers, annotations lie under labels,
/// and annotations (or labels) one right after the other are one layer, as the command
/// line has them (labels merge only where each keeps its colour).
fn merge_adjacent(mut layers: Vec<Layer>) -> Vec<Layer> {
    for run in layers.split_mut(|l| l.kind() == Some(LayerKind::Overlay)) {
        run.sort_by_key(|l| l.kind() == Some(LayerKind::Label));
    }
    let mut out: Vec<Layer> = Vec::with_capacity(layers.len());
    for l in layers {
        match (out.last_mut(), l.kind()) {
            (Some(prev), Some(LayerKind::Annot)) if prev.kind() == Some(LayerKind::Annot) => {
                prev.annot.extend(l.annot);
            }
            (Some(prev), Some(LayerKind::Label))
                if prev.kind() == Some(LayerKind::Label)
                    && (l.label_color.is_empty() || prev.label_color.len() == prev.label.len()) =>
            {
                prev.label.extend(l.label);
                prev.label_color.extend(l.label_color);
            }
            _ => out.push(l),
        }
    }
    out
}

/// Checks the `[[layers]]` of a spec: one kind per entry, options only where they apply,
/// one file per hemisphere. `waiting`: a layer of options alone (a base spec's colouring,
/// options given with no overlay) may stand in the stack.
pub(super) fn validate_layers(layers: &[Layer], waiting: bool) -> std::result::Result<(), String> {
    for (i, l) in layers.iter().enumerate() {
        let prefix = format!("layers[{i}].");
        let kinds: Vec<&str> = [
            ("overlay", !l.overlay.is_empty()),
            ("annot", !l.annot.is_empty()),
            ("label", !l.label.is_empty()),
        ]
        .into_iter()
        .filter(|(_, set)| *set)
        .map(|(n, _)| n)
        .collect();
        match kinds.as_slice() {
            [_] => {}
            [] if waiting => {}
            [] => return Err(format!("layers[{i}]: give one of overlay, annot or label")),
            many => {
                return Err(format!(
                    "layers[{i}]: give one of overlay, annot or label, not {}",
                    many.join(" and ")
                ))
            }
        }
        if !l.annot.is_empty() || !l.label.is_empty() {
            if let Some(f) = l.style_fields().first() {
                return Err(format!(
                    "{prefix}{f}: only an overlay layer takes this option"
                ));
            }
        }
        if l.label.is_empty() && !l.label_color.is_empty() {
            return Err(format!("{prefix}label_color: only a label layer takes it"));
        }
        if l.label_color.len() > l.label.len() {
            return Err(format!(
                "{prefix}label_color: {} colours for {} labels",
                l.label_color.len(),
                l.label.len()
            ));
        }
        // One layer is one map: two files of one hemisphere are two layers, and a CIFTI
        // file (both hemispheres) is a layer of its own.
        if l.overlay.len() > 1 && l.overlay.iter().any(|p| crate::hemi::is_cifti(p)) {
            return Err(format!(
                "{prefix}overlay: a CIFTI file holds both hemispheres; give it its own [[layers]] entry"
            ));
        }
        let mut seen = Vec::new();
        for h in l.overlay.iter().filter_map(|p| Hemi::from_path(p)) {
            if seen.contains(&h) {
                return Err(format!(
                    "{prefix}overlay: two {h} files; give each map its own [[layers]] entry"
                ));
            }
            seen.push(h);
        }
    }
    Ok(())
}

/// A spec file's fields as JSON (TOML is converted), its text and whether it was JSON;
/// a file that does not parse is a usage error naming it.
pub(crate) fn spec_file_value(path: &Path) -> Result<(Value, String, bool)> {
    let text = crate::io::read_text(path, MAX_SPEC_BYTES, "a spec file")?;
    let bad = |msg: String| Error::Usage(format!("{}: {msg}", path.display()));
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || text.trim_start().starts_with('{');
    let value: Value = if json {
        serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?
    } else {
        let t: toml::Table = toml::from_str(&text).map_err(|e| bad(one_line(&e, &text)))?;
        serde_json::to_value(t).map_err(|e| bad(e.to_string()))?
    };
    Ok((value, text, json))
}

/// What a spec or a batch row may name: the figure's and a layer's fields, read off their
/// serialised defaults, so that a field added to either is known here too.
struct Fields {
    /// Every field name, and the flat keys that place annotations and labels.
    names: std::collections::HashSet<String>,
    /// The fields that hold lists (`overlay`, `views`, `surfaces`, ...).
    lists: std::collections::HashSet<String>,
}

fn fields() -> &'static Fields {
    static FIELDS: std::sync::OnceLock<Fields> = std::sync::OnceLock::new();
    FIELDS.get_or_init(|| {
        let mut f = Fields {
            names: ["annot_over_overlay", "label_over_overlay"]
                .map(String::from)
                .into(),
            lists: Default::default(),
        };
        for v in [json(&FigureDesc::default()), json(&Layer::default())] {
            if let Ok(Value::Object(m)) = v {
                for (k, v) in m {
                    if v.is_array() {
                        f.lists.insert(k.clone());
                    }
                    f.names.insert(k);
                }
            }
        }
        f
    })
}

/// Every field a spec or a batch's manifest may name (`threshold`, `views`, ...).
pub(crate) fn field_names() -> &'static std::collections::HashSet<String> {
    &fields().names
}

/// Whether `field` holds a list: a spec may give one item as a plain value
/// (`overlay = "thickness"`), and a batch's CSV cell of one item is a list of one.
pub(crate) fn is_list(field: &str) -> bool {
    fields().lists.contains(field)
}

/// `map` with each list field given as one plain value made a list of one.
fn lists_of_one(map: &mut Map<String, Value>) {
    for (k, v) in map.iter_mut() {
        if is_list(k) && !v.is_array() && !v.is_null() && k != "layers" {
            *v = Value::Array(vec![v.take()]);
        }
    }
}
