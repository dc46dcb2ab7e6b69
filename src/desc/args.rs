//! The command line → [`FigureDesc`]. clap reads the figure's options straight into the
//! description's fields; the layer options are placed by position: each belongs to the
//! layer of the `--overlay` before it. A `--spec` file is read first, and the command line
//! then changes only what the user typed.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::{Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};

use super::{FigureDesc, Layer, LayerKind};
use crate::error::{Error, Result};
use crate::hemi::Hemi;

/// The figure's command-line arguments: [`FigureDesc`]'s options, the [`Layer`] options,
/// `--new-layer` and `--spec`. The `surfrender` binary adds its subcommands to it.
pub fn command() -> Command {
    let cmd = Command::new("surfrender")
        .max_term_width(100)
        .args_override_self(true)
        .arg(
            Arg::new("spec")
                .long("spec")
                .value_name("FILE")
                .value_parser(clap::value_parser!(PathBuf))
                .help("Figure spec file (TOML or JSON) with any of the options below as fields; options given on the command line override it"),
        );
    let cmd = FigureDesc::augment_args(cmd);
    Layer::augment_args(cmd).arg(
        Arg::new("new_layer")
            .long("new-layer")
            .num_args(0)
            .action(ArgAction::Append)
            .value_parser(clap::value_parser!(bool))
            .default_missing_value("true")
            .help("Start a new overlay layer at the next --overlay, even where its hemispheres are still free (for files whose names do not say their hemisphere)"),
    )
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
        let m = command()
            .try_get_matches_from(argv)
            .map_err(|e| Error::Usage(e.render().to_string().trim_end().to_string()))?;
        FigureDesc::from_matches(&m)
    }

    /// The figure of arguments parsed by [`command`] (or a command built on it).
    pub fn from_matches(m: &ArgMatches) -> Result<FigureDesc> {
        let mut desc = match m.get_one::<PathBuf>("spec") {
            Some(path) => FigureDesc::from_spec_file(path)?,
            None => FigureDesc::default(),
        };
        desc.update_from_arg_matches(m)
            .map_err(|e| Error::Usage(e.to_string()))?;
        let cli = Positional::read(m, &desc)?;
        cli.merge_into(&mut desc);
        for l in &desc.layers {
            l.check().map_err(|(field, msg)| {
                Error::Usage(format!("--{}: {msg}", field.replace('_', "-")))
            })?;
        }
        Ok(desc)
    }
}

/// The stack as the command line gives it, before it meets the spec's.
struct Positional {
    /// Bottom first, as given.
    layers: Vec<Layer>,
    /// Options given before any --overlay.
    leading: Layer,
}

impl Positional {
    fn read(m: &ArgMatches, desc: &FigureDesc) -> Result<Positional> {
        let overlays: Vec<(usize, PathBuf)> = occurrences(m, "overlay");
        let breaks: Vec<usize> = occurrences::<bool>(m, "new_layer")
            .into_iter()
            .map(|(i, _)| before(&overlays, i))
            .collect();
        let files: Vec<&Path> = overlays.iter().map(|(_, p)| p.as_path()).collect();
        let layer_of = group_overlays(&files, &Sides::of(desc), &breaks);
        let n = layer_of.iter().max().map_or(0, |l| l + 1);
        // Slot 2k + 1 holds overlay layer k; slot 2k the annotations and labels under it.
        let mut slots: Vec<Vec<Layer>> = vec![Vec::new(); 2 * n + 1];
        for (k, (_, p)) in overlays.iter().enumerate() {
            let s = &mut slots[2 * layer_of[k] + 1];
            if s.is_empty() {
                s.push(Layer::default());
            }
            s[0].overlay.push(p.clone());
        }
        let slot_of = |i: usize| match before(&overlays, i) {
            0 => 0,
            b => 2 * layer_of[b - 1] + 2,
        };
        let mut leading = Layer::default();
        set_options(
            m,
            |i| match before(&overlays, i) {
                0 => None,
                b => Some(layer_of[b - 1]),
            },
            &mut slots,
            &mut leading,
        );
        place_files(m, "annot", &slot_of, &mut slots, |l| &mut l.annot);
        place_files(m, "label", &slot_of, &mut slots, |l| &mut l.label);
        assign_label_colors(m, &mut slots)?;
        Ok(Positional {
            layers: slots.into_iter().flatten().collect(),
            leading,
        })
    }

    /// Joins the command line's stack to the spec's: the command line's overlays (or
    /// annotations, or labels) replace the spec's of that kind, taking their place in the
    /// stack and, layer by layer, the options they do not set. Options given before any
    /// --overlay belong to the spec's last overlay layer when the command line gives no
    /// overlay, else to the first layer (and --frame, --map to every layer).
    fn merge_into(self, desc: &mut FigureDesc) {
        let Positional {
            mut layers,
            mut leading,
        } = self;
        let kinds: Vec<LayerKind> = layers.iter().filter_map(Layer::kind).collect();
        let cli_overlays = kinds.contains(&LayerKind::Overlay);
        // Options waiting for an overlay (a base spec's colouring) go with the overlays.
        let overlay_like = |l: &Layer| matches!(l.kind(), None | Some(LayerKind::Overlay));
        let replaced = |l: &Layer| match l.kind() {
            Some(k) => kinds.contains(&k),
            None => cli_overlays,
        };
        let templates: Vec<Layer> = desc
            .layers
            .iter()
            .filter(|l| replaced(l) && overlay_like(l))
            .cloned()
            .collect();
        let new_overlays = layers
            .iter_mut()
            .filter(|l| l.kind() == Some(LayerKind::Overlay));
        for (new, old) in new_overlays.zip(&templates) {
            new.inherit(old);
        }
        let at = match desc
            .layers
            .iter()
            .position(|l| replaced(l) && overlay_like(l))
        {
            Some(i) => desc.layers[..i].iter().filter(|l| !replaced(l)).count(),
            None => desc.layers.len() - desc.layers.iter().filter(|l| replaced(l)).count(),
        };
        desc.layers.retain(|l| !replaced(l));
        desc.layers.splice(at..at, layers);
        let target = if cli_overlays {
            desc.layers
                .iter()
                .position(|l| l.kind() == Some(LayerKind::Overlay))
        } else {
            desc.layers.iter().rposition(overlay_like)
        };
        if cli_overlays || target.is_none() {
            desc.frame = leading.frame.take().or(desc.frame.take());
            desc.map = leading.map.take().or(desc.map.take());
        }
        match target {
            _ if leading.style_fields().is_empty() => {}
            // The layer's own options come after the leading ones on the command line.
            Some(i) if cli_overlays => desc.layers[i].inherit(&leading),
            Some(i) => {
                leading.inherit(&desc.layers[i]);
                leading.overlay = std::mem::take(&mut desc.layers[i].overlay);
                desc.layers[i] = leading;
            }
            None => desc.layers.push(leading),
        }
    }
}

/// Each occurrence of argument `id` with its position on the command line.
fn occurrences<T: Clone + Send + Sync + 'static>(m: &ArgMatches, id: &str) -> Vec<(usize, T)> {
    match (m.indices_of(id), m.get_many::<T>(id)) {
        (Some(at), Some(values)) => at.zip(values.cloned()).collect(),
        _ => Vec::new(),
    }
}

/// How many --overlay arguments come before command-line position `i`.
fn before(overlays: &[(usize, PathBuf)], i: usize) -> usize {
    overlays.iter().filter(|(o, _)| *o < i).count()
}

/// Sets every layer option from its occurrences, in command-line order (the last one for
/// a layer wins): on overlay layer `layer_of(i)`, or on `leading` before any --overlay.
fn set_options(
    m: &ArgMatches,
    layer_of: impl Fn(usize) -> Option<usize>,
    slots: &mut [Vec<Layer>],
    leading: &mut Layer,
) {
    macro_rules! set {
        ($($field:ident),*) => {$(
            for (i, v) in occurrences(m, stringify!($field)) {
                pick(slots, leading, layer_of(i)).$field = Some(v);
            }
        )*};
    }
    set!(cmap, threshold, sign, symmetric, opacity, outline, cbar_label, frame, map);
    // --range takes two values: one occurrence is a pair.
    let ends: Vec<(usize, crate::color::Bound)> = occurrences(m, "range");
    for pair in ends.chunks_exact(2) {
        let range = super::values::Range(pair[0].1, pair[1].1);
        pick(slots, leading, layer_of(pair[0].0)).range = Some(range);
    }
}

/// Overlay layer `layer`, or the options given before any --overlay.
fn pick<'a>(
    slots: &'a mut [Vec<Layer>],
    leading: &'a mut Layer,
    layer: Option<usize>,
) -> &'a mut Layer {
    match layer
        .and_then(|k| slots.get_mut(2 * k + 1))
        .and_then(|s| s.first_mut())
    {
        Some(l) => l,
        None => leading,
    }
}

/// Puts each --annot (or --label) file into the annotation (label) layer of its slot.
fn place_files(
    m: &ArgMatches,
    id: &str,
    slot_of: &dyn Fn(usize) -> usize,
    slots: &mut [Vec<Layer>],
    field: fn(&mut Layer) -> &mut Vec<PathBuf>,
) {
    let kind = if id == "annot" {
        LayerKind::Annot
    } else {
        LayerKind::Label
    };
    for (i, p) in occurrences::<PathBuf>(m, id) {
        let slot = &mut slots[slot_of(i)];
        match slot.iter_mut().find(|l| l.kind() == Some(kind)) {
            Some(l) => field(l).push(p),
            None => {
                let mut l = Layer::default();
                field(&mut l).push(p);
                // Annotations lie under the labels given beside them.
                if kind == LayerKind::Annot {
                    slot.insert(0, l);
                } else {
                    slot.push(l);
                }
            }
        }
    }
}

/// `--label-color` is one list over every `--label`, in order.
fn assign_label_colors(m: &ArgMatches, slots: &mut [Vec<Layer>]) -> Result<()> {
    let colors: Vec<super::values::Given<super::values::Rgb>> = occurrences(m, "label_color")
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    let mut rest = colors.iter();
    let n_labels: usize = slots.iter().flatten().map(|l| l.label.len()).sum();
    if colors.len() > n_labels {
        return Err(Error::Usage(format!(
            "--label-color given {} times for {n_labels} --label",
            colors.len()
        )));
    }
    for l in slots.iter_mut().flatten() {
        l.label_color = rest.by_ref().take(l.label.len()).cloned().collect();
    }
    Ok(())
}

/// What grouping needs to know of the surfaces: their hemispheres, and whether bare
/// overlay names stand for a subject's files.
pub(super) struct Sides {
    hemis: Vec<Hemi>,
    subject: bool,
}

impl Sides {
    /// The hemispheres drawn: in subject mode `--hemi lh|rh|both`; else those the surface
    /// names (or `--hemi`) say; with no surface yet (a spec that leaves the surfaces to
    /// the command line), both.
    pub(super) fn of(desc: &FigureDesc) -> Sides {
        let parse = |h: &String| Hemi::parse(h);
        let hemis: Vec<Hemi> = if desc.subject_mode() {
            match desc.hemi.as_slice() {
                [one] => parse(one).into_iter().collect(),
                _ => vec![Hemi::Left, Hemi::Right],
            }
        } else if desc.surfaces.is_empty() {
            vec![Hemi::Left, Hemi::Right]
        } else {
            desc.surfaces
                .iter()
                .enumerate()
                .filter_map(|(i, p)| {
                    desc.hemi
                        .get(i)
                        .and_then(parse)
                        .or_else(|| Hemi::from_path(p))
                })
                .collect()
        };
        Sides {
            hemis,
            subject: desc.subject_mode(),
        }
    }

    /// The hemispheres file `p` serves: `(named, unnamed, whole)`.
    fn of_file(&self, p: &Path) -> (Option<Hemi>, bool, bool) {
        if is_cifti(p) || (self.subject && is_bare(p)) {
            return (None, false, true);
        }
        match Hemi::from_path(p) {
            Some(h) if self.hemis.contains(&h) => (Some(h), false, false),
            Some(_) => (None, false, false),
            None => (None, true, false),
        }
    }
}

/// The overlay layer of each --overlay file. Files join the current layer until one
/// would give a hemisphere a second file (by name, or a free surface for a file whose
/// name does not say), or comes after `--new-layer` (`breaks`: how many --overlay
/// arguments precede each). A CIFTI file holds both hemispheres and is a layer of its
/// own, as is a bare name in subject mode. Options never split a layer, so
/// `--overlay lh.x --threshold 2 --overlay rh.x` stays one map with one scale.
pub(super) fn group_overlays(files: &[&Path], sides: &Sides, breaks: &[usize]) -> Vec<usize> {
    let mut layer_of = Vec::with_capacity(files.len());
    let mut layer = 0;
    let (mut named, mut unnamed, mut whole) = (Vec::<Hemi>::new(), 0usize, false);
    for (a, p) in files.iter().enumerate() {
        let (hemi, no_name, both) = sides.of_file(p);
        let free = sides.hemis.len().saturating_sub(named.len() + unnamed);
        let empty = named.is_empty() && unnamed == 0 && !whole;
        let needs = hemi.is_some() as usize + no_name as usize;
        let clash = whole || both || hemi.is_some_and(|h| named.contains(&h)) || needs > free;
        if a > 0 && !empty && (clash || breaks.contains(&a)) {
            layer += 1;
            (named, unnamed, whole) = (Vec::new(), 0, false);
        }
        named.extend(hemi);
        unnamed += no_name as usize;
        whole |= both;
        layer_of.push(layer);
    }
    layer_of
}

/// CIFTI-2's naming convention (`*.dscalar.nii`, `*.dtseries.nii`, `*.dlabel.nii`).
pub(crate) fn is_cifti(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    [".dscalar.nii", ".dtseries.nii", ".dlabel.nii"]
        .iter()
        .any(|e| name.ends_with(e))
}

/// In subject mode, a name that is not an existing file stands for one file per
/// hemisphere (`thickness` → `surf/lh.thickness`, `surf/rh.thickness`).
pub(crate) fn is_bare(p: &Path) -> bool {
    p.components().count() == 1 && !p.exists()
}
