//! The command line → [`FigureDesc`]. clap reads the figure's options straight into the
//! description's fields; the layer options are placed by position: each belongs to the
//! layer of the `--overlay` before it. A `--spec` file is read first, and the command line
//! then changes only what the user typed.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::{ArgAction, ArgMatches, Args, Command, FromArgMatches};

use super::{FigureDesc, Layer, LayerKind};
use crate::error::{Error, Result};
use crate::hemi::{is_cifti, Hemi};

/// The figure's command-line arguments: [`FigureDesc`]'s options, the [`Layer`] options,
/// `--new-layer` and `--spec`. For the `surfrender` binary, which adds its subcommands to
/// it; a program reads a command line with [`FigureDesc::from_args`].
#[doc(hidden)]
pub fn command() -> Command {
    let cmd = Command::new("surfrender")
        .max_term_width(100)
        .args_override_self(true);
    let cmd = Layer::augment_args(FigureDesc::augment_args(Spec::augment_args(cmd)))
        // A negative number is always a value (`--azimuth -30`), never a flag; each
        // option's limits then refuse what is out of range, with their message.
        .mut_args(|a| a.allow_negative_numbers(true));
    // Options added after these are not layer options.
    NewLayer::augment_args(cmd).next_help_heading(None)
}

/// A clap error as a usage error of one line: its first paragraph, without the usage
/// text and tips that follow (they would name flags a spec's user never typed).
#[doc(hidden)]
pub fn usage_error(e: clap::Error) -> Error {
    let text = e.render().to_string();
    let first = text.split("\n\n").next().unwrap_or_default();
    Error::Usage(first.trim_start_matches("error: ").trim_end().to_string())
}

/// `--spec`, read before the options typed, which then override it.
#[derive(clap::Args)]
struct Spec {
    /// Figure spec file (TOML or JSON) with any of the options below as fields; options
    /// given on the command line override it.
    #[arg(long, value_name = "FILE")]
    spec: Option<PathBuf>,
}

/// `--new-layer`, placed among the layer options.
#[derive(clap::Args)]
struct NewLayer {
    /// Start a new overlay layer at the next --overlay, even where its hemispheres are
    /// still free (for files whose names do not say their hemisphere).
    #[arg(long, num_args = 0, default_missing_value = "true", action = ArgAction::Append)]
    new_layer: Vec<bool>,
}

impl FigureDesc {
    /// The figure a command line asks for (`argv[0]` first), with its `--spec` file read.
    /// This is the whole of what the `surfrender` binary does before rendering: a program
    /// calling it gets exactly the binary's figure.
    pub fn from_args<I, T>(argv: I) -> Result<FigureDesc>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let m = command().try_get_matches_from(argv).map_err(usage_error)?;
        FigureDesc::from_matches(&m)
    }

    /// The figure of arguments parsed by [`command`] (or a command built on it), for the
    /// `surfrender` binary.
    #[doc(hidden)]
    pub fn from_matches(m: &ArgMatches) -> Result<FigureDesc> {
        let mut typed = FigureDesc::default();
        typed.update_from_arg_matches(m).map_err(usage_error)?;
        let mut desc = match m.get_one::<PathBuf>("spec") {
            Some(path) => FigureDesc::read_spec(path, &typed)?,
            None => FigureDesc::default(),
        };
        desc.update_from_arg_matches(m).map_err(usage_error)?;
        Positional::read(m, &desc).merge_into(&mut desc)?;
        desc.check_lists().map_err(Error::Usage)?;
        for l in &desc.layers {
            l.check()
                .map_err(|(field, msg)| Error::Usage(format!("{field}: {msg}")))?;
        }
        Ok(desc)
    }
}

/// What stands around the `--overlay` arguments, in command-line order: the positional
/// rule reads these, from the command line or from a spec's top-level fields.
pub(super) enum Item {
    Overlay(PathBuf),
    /// `--new-layer`: the next overlay starts a layer.
    Break,
    Annot(PathBuf),
    Label(PathBuf),
    /// Layer options (the fields set), for the layer of the overlay before them.
    Options(Box<Layer>),
}

/// The stack as the command line gives it, before it meets the spec's.
pub(super) struct Positional {
    /// Bottom first, as given.
    pub layers: Vec<Layer>,
    /// Options given before any --overlay.
    pub leading: Layer,
    /// `--label-color`: one list over every label of the figure, in order.
    pub label_colors: Vec<super::values::Given<super::values::Rgb>>,
}

impl Positional {
    /// The items of a parsed command line, in order.
    fn items(m: &ArgMatches) -> Vec<(usize, Item)> {
        let mut items: Vec<(usize, Item)> = Vec::new();
        let files = |id: &str, f: fn(PathBuf) -> Item| {
            occurrences::<PathBuf>(m, id)
                .into_iter()
                .map(move |(i, p)| (i, f(p)))
        };
        items.extend(files("overlay", Item::Overlay));
        items.extend(files("annot", Item::Annot));
        items.extend(files("label", Item::Label));
        items.extend(
            occurrences::<bool>(m, "new_layer")
                .into_iter()
                .map(|(i, _)| (i, Item::Break)),
        );
        macro_rules! options {
            ($($field:ident),*) => {$(
                for (i, v) in occurrences(m, stringify!($field)) {
                    let mut l = Layer::default();
                    l.$field = Some(v);
                    items.push((i, Item::Options(Box::new(l))));
                }
            )*};
        }
        options!(cmap, threshold, sign, symmetric, opacity, outline, cbar_label, frame, map);
        // --range takes two values: one occurrence is a pair.
        let ends: Vec<(usize, crate::color::Bound)> = occurrences(m, "range");
        for pair in ends.chunks_exact(2) {
            let range = Some(super::values::Range(pair[0].1, pair[1].1));
            let l = Layer {
                range,
                ..Layer::default()
            };
            items.push((pair[0].0, Item::Options(Box::new(l))));
        }
        items.sort_by_key(|(i, _)| *i);
        items
    }

    /// The positional rule: overlay files group into layers (see [`Grouping`]); options
    /// belong to the layer of the overlay before them (`leading` before any); annotations
    /// and labels lie over that layer (under all before any), annotations under labels.
    pub(super) fn build(
        items: impl IntoIterator<Item = Item>,
        mut grouping: Grouping,
    ) -> Positional {
        // Slot 2k + 1 holds overlay layer k; slot 2k the annotations and labels under it.
        let mut slots: Vec<Vec<Layer>> = vec![Vec::new()];
        let mut leading = Layer::default();
        let mut brk = false;
        for item in items {
            let last = slots.len() - 1;
            match item {
                Item::Overlay(p) => {
                    if grouping.starts_layer(&p, std::mem::take(&mut brk)) {
                        slots.extend([vec![Layer::default()], Vec::new()]);
                    }
                    let k = slots.len() - 2;
                    slots[k][0].overlay.push(p);
                }
                Item::Break => brk = true,
                Item::Annot(p) => categorical(&mut slots[last], LayerKind::Annot)
                    .annot
                    .push(p),
                Item::Label(p) => categorical(&mut slots[last], LayerKind::Label)
                    .label
                    .push(p),
                Item::Options(o) => match slots.len() {
                    1 => leading.overwrite(&o),
                    n => slots[n - 2][0].overwrite(&o),
                },
            }
        }
        Positional {
            layers: slots.into_iter().flatten().collect(),
            leading,
            label_colors: Vec::new(),
        }
    }

    fn read(m: &ArgMatches, desc: &FigureDesc) -> Positional {
        let items = Positional::items(m).into_iter().map(|(_, i)| i);
        let mut p = Positional::build(items, Grouping::of(desc));
        p.label_colors = occurrences(m, "label_color")
            .into_iter()
            .map(|(_, c)| c)
            .collect();
        p
    }

    /// Gives `colors` to the labels of `layers`, in order; a label past the list keeps
    /// its default colour.
    pub(super) fn assign_label_colors(
        layers: &mut [Layer],
        colors: Vec<super::values::Given<super::values::Rgb>>,
    ) -> std::result::Result<(), String> {
        let n_labels: usize = layers.iter().map(|l| l.label.len()).sum();
        if colors.len() > n_labels {
            return Err(format!(
                "label_color: {} colours for {n_labels} labels",
                colors.len()
            ));
        }
        let mut rest = colors.into_iter();
        for l in layers.iter_mut() {
            l.label_color = rest.by_ref().take(l.label.len()).collect();
        }
        Ok(())
    }

    /// Joins the command line's stack to the spec's: the command line's overlays (or
    /// annotations, or labels) replace the spec's of that kind, taking their place in the
    /// stack and, layer by layer, the options they do not set. Options given before any
    /// --overlay belong to the spec's last overlay layer when the command line gives no
    /// overlay, else to the first layer (and --frame, --map to every layer).
    fn merge_into(self, desc: &mut FigureDesc) -> Result<()> {
        let Positional {
            mut layers,
            mut leading,
            label_colors,
        } = self;
        let kinds: Vec<LayerKind> = layers.iter().filter_map(Layer::kind).collect();
        let cli_overlays = kinds.contains(&LayerKind::Overlay);
        // Options waiting for an overlay (a base spec's colouring) go with the overlays.
        let overlay_like = |l: &Layer| matches!(l.kind(), None | Some(LayerKind::Overlay));
        let replaced = |l: &Layer| match l.kind() {
            Some(k) => kinds.contains(&k),
            None => cli_overlays,
        };
        // --frame and --map before any --overlay are for every layer, over the spec's.
        let (mut typed_frame, mut typed_map) = (false, false);
        if cli_overlays || !desc.layers.iter().any(overlay_like) {
            typed_frame = leading.frame.is_some();
            typed_map = leading.map.is_some();
            desc.frame = leading.frame.take().or(desc.frame.take());
            desc.map = leading.map.take().or(desc.map.take());
        }
        // What was typed wins: a layer's own options, then those before any --overlay
        // (the first layer's), then the spec's layer in the same place.
        if let Some(first) = overlays_mut(&mut layers).next() {
            first.inherit(&std::mem::take(&mut leading));
        }
        let templates = desc
            .layers
            .iter()
            .filter(|l| replaced(l) && overlay_like(l));
        for (new, old) in overlays_mut(&mut layers).zip(templates) {
            let mut old = old.clone();
            old.frame = old.frame.filter(|_| !typed_frame);
            old.map = old.map.take().filter(|_| !typed_map);
            new.inherit(&old);
        }
        let first_replaced = desc
            .layers
            .iter()
            .position(|l| replaced(l) && overlay_like(l));
        let at = match first_replaced {
            Some(i) => desc.layers[..i].iter().filter(|l| !replaced(l)).count(),
            None => desc.layers.len() - desc.layers.iter().filter(|l| replaced(l)).count(),
        };
        desc.layers.retain(|l| !replaced(l));
        desc.layers.splice(at..at, layers);
        if !leading.style_fields().is_empty() {
            match desc.layers.iter().rposition(overlay_like) {
                Some(i) => desc.layers[i].overwrite(&leading),
                None => desc.layers.push(leading),
            }
        }
        // Colours typed recolour the figure's labels, the spec's too.
        if !label_colors.is_empty() {
            Positional::assign_label_colors(&mut desc.layers, label_colors)
                .map_err(|e| Error::Usage(format!("--{}", e.replace('_', "-"))))?;
        }
        Ok(())
    }
}

/// The overlay layers of a stack.
fn overlays_mut(layers: &mut [Layer]) -> impl Iterator<Item = &mut Layer> {
    layers
        .iter_mut()
        .filter(|l| l.kind() == Some(LayerKind::Overlay))
}

/// Each occurrence of argument `id` with its position on the command line.
fn occurrences<T: Clone + Send + Sync + 'static>(m: &ArgMatches, id: &str) -> Vec<(usize, T)> {
    match (m.indices_of(id), m.get_many::<T>(id)) {
        (Some(at), Some(values)) => at.zip(values.cloned()).collect(),
        _ => Vec::new(),
    }
}

/// The annotation (or label) layer of a slot, made when missing; annotations lie under
/// the labels beside them.
fn categorical(slot: &mut Vec<Layer>, kind: LayerKind) -> &mut Layer {
    if let Some(i) = slot.iter().position(|l| l.kind() == Some(kind)) {
        return &mut slot[i];
    }
    let at = if kind == LayerKind::Annot {
        0
    } else {
        slot.len()
    };
    slot.insert(at, Layer::default());
    &mut slot[at]
}

/// Which layer each overlay file joins. Files join the current layer until one would
/// give a hemisphere a second file (by name, or a free surface for a file whose name does
/// not say), or comes after `--new-layer`. A CIFTI file holds both hemispheres and is a
/// layer of its own, as is a volume (sampled onto both) and a bare name in subject mode. Options never split a layer, so
/// `--overlay lh.x --threshold 2 --overlay rh.x` stays one map with one scale.
pub(super) struct Grouping {
    /// The hemispheres drawn.
    hemis: Vec<Hemi>,
    /// Bare overlay names stand for a subject's files.
    subject: bool,
    /// What the current layer holds: named hemispheres, unnamed files, both hemispheres.
    named: Vec<Hemi>,
    unnamed: usize,
    whole: bool,
    started: bool,
}

impl Grouping {
    /// For the surfaces drawn: in subject mode `--hemi lh|rh|both`; else those the
    /// surface names (or `--hemi`, or a GIfTI surface's `AnatomicalStructurePrimary`)
    /// say; with no surface yet (a spec that leaves the surfaces to the command line),
    /// both.
    pub(super) fn of(desc: &FigureDesc) -> Grouping {
        let parse = |h: &String| Hemi::parse(h);
        let hemis: Vec<Hemi> = match (desc.subject.is_some(), desc.hemi.as_slice()) {
            (true, [one]) => parse(one).into_iter().collect(),
            (false, _) if !desc.surfaces.is_empty() => (desc.surfaces.iter().enumerate())
                .filter_map(|(i, p)| {
                    desc.hemi
                        .get(i)
                        .and_then(parse)
                        .or_else(|| Hemi::from_path(p))
                        .or_else(|| crate::io::hints::metadata_hemi(p).map(|(h, _)| h))
                })
                .collect(),
            _ => vec![Hemi::Left, Hemi::Right],
        };
        Grouping {
            hemis,
            subject: desc.subject.is_some(),
            named: Vec::new(),
            unnamed: 0,
            whole: false,
            started: false,
        }
    }

    /// Whether file `p` starts a new layer (the first file does); `brk` after
    /// `--new-layer`.
    pub(super) fn starts_layer(&mut self, p: &Path, brk: bool) -> bool {
        let both = is_cifti(p) || (self.subject && is_bare(p)) || crate::volume::is_volume(p);
        let named = Hemi::from_path(p).filter(|h| !both && self.hemis.contains(h));
        let no_name = !both && Hemi::from_path(p).is_none();
        let free = self
            .hemis
            .len()
            .saturating_sub(self.named.len() + self.unnamed);
        let empty = self.named.is_empty() && self.unnamed == 0 && !self.whole;
        let clash = self.whole
            || both
            || named.is_some_and(|h| self.named.contains(&h))
            || (named.is_some() as usize + no_name as usize) > free;
        let new = !self.started || (!empty && (clash || brk));
        if new {
            (self.named, self.unnamed, self.whole, self.started) = (Vec::new(), 0, false, true);
        }
        self.named.extend(named);
        self.unnamed += no_name as usize;
        self.whole |= both;
        new
    }
}

/// In subject mode, a name that is not an existing file stands for one file per
/// hemisphere (`thickness` → `surf/lh.thickness`, `surf/rh.thickness`).
pub(crate) fn is_bare(p: &Path) -> bool {
    p.components().count() == 1 && !p.exists()
}
