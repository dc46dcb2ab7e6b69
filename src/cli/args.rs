//! Command-line flags as typed by the user ("low" arguments: validated syntax, no I/O).

use std::path::PathBuf;

use clap::{ArgAction, Parser, Subcommand};

/// Render cortical surfaces with overlays to a PNG, headless (EGL; no X server).
///
/// Example: surfrender lh.inflated rh.inflated --overlay lh.thickness --overlay rh.thickness
///          --threshold 2.5 --range 2.5 4 --cmap hot -o thickness.png
#[derive(Debug, Parser)]
#[command(
    name = "surfrender",
    version,
    about,
    long_about = None,
    max_term_width = 100,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    args_override_self = true
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Surface files, one per hemisphere (FreeSurfer lh.pial, GIfTI *.surf.gii, ...).
    #[arg(num_args = 1..=2, value_name = "SURFACE")]
    pub surfaces: Vec<PathBuf>,

    /// Output PNG file (a JSON sidecar FILE.json records the spec and the inputs).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Figure spec file (TOML or JSON) with any of the options below as fields;
    /// options given on the command line override it.
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,

    /// Print the effective spec (TOML) instead of rendering: it replays this figure.
    #[arg(long)]
    pub print_spec: bool,

    /// FreeSurfer subject to draw from its subjects directory (instead of SURFACE files):
    /// surf/<hemi>.<surf>, bare overlay names as surf/<hemi>.<name>, labels and
    /// annotations by name from label/.
    #[arg(long, value_name = "NAME", conflicts_with = "surfaces")]
    pub subject: Option<String>,

    /// Subjects directory (default: $SUBJECTS_DIR).
    #[arg(long, value_name = "DIR", requires = "subject")]
    pub subjects_dir: Option<PathBuf>,

    /// Surface to draw in subject mode: inflated, pial, white, sphere, ...
    #[arg(
        long,
        default_value = "inflated",
        value_name = "NAME",
        requires = "subject"
    )]
    pub surf: String,

    /// Per-vertex overlay (MGH, MGZ, curv, GIfTI, NIfTI, CIFTI), once per hemisphere,
    /// paired with surfaces by the hemisphere in the file name, else by order. More
    /// overlays stack as layers, bottom first: a new layer starts at a file whose
    /// hemisphere already has one (a CIFTI file is a layer of its own; see --new-layer).
    /// Layer options (--cmap, --threshold, --range, --sign, --symmetric, --opacity,
    /// --outline, --cbar-label, --frame, --map) apply to the layer of the --overlay
    /// before them (the first layer when none is before them; every layer for --frame
    /// and --map).
    #[arg(long, value_name = "FILE")]
    pub overlay: Vec<PathBuf>,

    /// Start a new overlay layer at the next --overlay, even where its hemispheres are
    /// still free (for files whose names do not say their hemisphere).
    #[arg(long, num_args = 0, default_missing_value = "true", action = ArgAction::Append)]
    pub new_layer: Vec<bool>,

    /// Curvature for the cortex background (default: `<hemi>.curv` beside the surface).
    #[arg(long, value_name = "FILE")]
    pub curv: Vec<PathBuf>,

    /// Hemisphere of each surface, in order (lh, rh), when file names do not say; in
    /// subject mode lh, rh or both (default both).
    #[arg(long, value_delimiter = ',', value_name = "HEMI")]
    pub hemi: Vec<String>,

    /// Overlay frame to show (MGH 4th dimension, GIfTI data array, CIFTI map)
    /// [default: 0]. Given after an --overlay, for that layer only; before any, for all.
    #[arg(long, value_name = "N")]
    pub frame: Vec<usize>,

    /// Map of a multi-map file by index or name (CIFTI dscalar/dlabel map names, GIfTI
    /// array names); overrides --frame. Given after an --overlay, for that layer only;
    /// before any, for all. CIFTI dlabel annotations take the last one given.
    #[arg(long, value_name = "N|NAME")]
    pub map: Vec<String>,

    /// Parcellation to draw (FreeSurfer .annot, GIfTI label, CIFTI dlabel), once per
    /// hemisphere. It lies over the overlay layers given before it and under those after.
    #[arg(long, value_name = "FILE")]
    pub annot: Vec<PathBuf>,

    /// Opacity of annotation fills, 0 to 1.
    #[arg(long, default_value_t = 1.0, value_name = "A")]
    pub annot_alpha: f32,

    /// Draw only the borders between parcels.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", action = ArgAction::Set)]
    pub annot_outline: bool,

    /// FreeSurfer .label file to draw (repeatable). It lies over the overlay layers given
    /// before it and under those after.
    #[arg(long, value_name = "FILE")]
    pub label: Vec<PathBuf>,

    /// Colour of each --label, in order: a name (crimson, gold, ...) or #rrggbb.
    #[arg(long, value_name = "COLOR")]
    pub label_color: Vec<String>,

    /// Draw only the borders of labels.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", action = ArgAction::Set)]
    pub label_outline: bool,

    /// Width of borders, outlines and contour lines, in pixels (the same at any size).
    #[arg(long, default_value_t = 2.0, value_name = "PX")]
    pub outline_width: f32,

    /// One colour for all annotation and label borders (default: each region's own).
    #[arg(long, value_name = "COLOR")]
    pub border_color: Option<String>,

    /// Outline the thresholded overlay: a line where |value| crosses the threshold
    /// (per layer).
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", action = ArgAction::Append)]
    pub outline: Vec<bool>,

    /// Colour of the overlay outline.
    #[arg(long, default_value = "black", value_name = "COLOR")]
    pub outline_color: String,

    /// Continuous map drawn as contour lines (once per hemisphere, like --overlay).
    #[arg(long, value_name = "FILE")]
    pub contours: Vec<PathBuf>,

    /// Contour levels, comma-separated (default: 7 levels, see --n-contours).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "LEVELS",
        allow_hyphen_values = true
    )]
    pub levels: Vec<f32>,

    /// Number of evenly spaced contour levels between the 2nd and 98th percentiles
    /// when --levels is not given.
    #[arg(long, default_value_t = 7, value_name = "N")]
    pub n_contours: usize,

    /// Colormap of the contour lines (PySurfer's default YlOrRd_r).
    #[arg(long, default_value = "YlOrRd_r", value_name = "NAME")]
    pub contour_cmap: String,

    /// Hide overlay values outside this label (e.g. lh.cortex.label), once per
    /// hemisphere; masked-out vertices show plain cortex and do not count for
    /// percentiles. In subject mode label/<hemi>.cortex.label is used when present.
    #[arg(long, value_name = "FILE")]
    pub mask: Vec<PathBuf>,

    /// A focus (sphere) at RAS coordinates X,Y,Z in millimetres (repeatable).
    #[arg(long, value_name = "X,Y,Z", allow_hyphen_values = true)]
    pub focus: Vec<String>,

    /// A focus at a vertex: N, or lh:N / rh:N with two hemispheres (repeatable).
    #[arg(long, value_name = "[HEMI:]N")]
    pub focus_vertex: Vec<String>,

    /// Foci from a CSV or TSV file with a header: x,y,z or vertex[,hemi], and optional
    /// radius and color columns.
    #[arg(long, value_name = "FILE")]
    pub foci: Vec<PathBuf>,

    /// Radius of foci in millimetres.
    #[arg(long, default_value_t = 5.0, value_name = "MM")]
    pub focus_radius: f32,

    /// Colour of foci.
    #[arg(long, default_value = "white", value_name = "COLOR")]
    pub focus_color: String,

    /// Colour the overlay with one map centred on zero (continuous through 0 from
    /// -MAX to MAX) instead of two ramps starting at MIN (per layer).
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", action = ArgAction::Append)]
    pub symmetric: Vec<bool>,

    /// Cortex colours: classic, high_contrast, low_contrast, bone, none.
    #[arg(long, default_value = "classic", value_name = "NAME")]
    pub cortex: String,

    /// Overlay colormap: matplotlib names (viridis, hot, RdBu_r, ...) or heat
    /// [default: heat] (per layer).
    #[arg(long, value_name = "NAME")]
    pub cmap: Vec<String>,

    /// Hide |value| below T (a number, or a percentile of |value| such as 95%)
    /// (per layer).
    #[arg(long, value_name = "T", allow_negative_numbers = true)]
    pub threshold: Vec<String>,

    /// Colour range of |value|: MIN is the bottom of the ramp, MAX saturates
    /// (default: 2nd and 98th percentile of |value|) (per layer).
    #[arg(long, num_args = 2, value_names = ["MIN", "MAX"], allow_negative_numbers = true)]
    pub range: Vec<String>,

    /// Opacity of the overlay over the cortex and the layers under it, 0 to 1
    /// [default: 1] (per layer).
    #[arg(long, value_name = "A")]
    pub opacity: Vec<f32>,

    /// Which values to draw: abs (both signs), pos, neg [default: abs] (per layer).
    #[arg(long, value_name = "SIGN")]
    pub sign: Vec<String>,

    /// Views, comma-separated: lateral, medial, dorsal, ventral, anterior (rostral),
    /// posterior (caudal), frontal, parietal; any unique prefix.
    #[arg(
        long,
        default_value = "lateral,medial",
        value_delimiter = ',',
        value_name = "VIEWS"
    )]
    pub views: Vec<String>,

    /// Turn every view about the superior axis by DEG degrees.
    #[arg(
        long,
        default_value_t = 0.0,
        value_name = "DEG",
        allow_negative_numbers = true
    )]
    pub azimuth: f32,

    /// Tilt every view towards the top by DEG degrees.
    #[arg(
        long,
        default_value_t = 0.0,
        value_name = "DEG",
        allow_negative_numbers = true
    )]
    pub elevation: f32,

    /// Rotate every view on screen by DEG degrees (counter-clockwise).
    #[arg(
        long,
        default_value_t = 0.0,
        value_name = "DEG",
        allow_negative_numbers = true
    )]
    pub roll: f32,

    /// Magnify every panel (crops the surface when above 1).
    #[arg(long, default_value_t = 1.0, value_name = "F")]
    pub zoom: f32,

    /// Panel arrangement: grid (rows = views, columns = hemispheres), row, column.
    #[arg(long, default_value = "grid", value_name = "LAYOUT")]
    pub layout: String,

    /// Figure size in pixels, WxH (or Wx / xH to keep the aspect ratio);
    /// default 800 pixels per panel column.
    #[arg(long, value_name = "WxH")]
    pub size: Option<String>,

    /// Background: white, black, #rrggbb or transparent (RGBA PNG).
    #[arg(long, default_value = "white", value_name = "COLOR")]
    pub background: String,

    /// Leave out the colour bars.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", action = ArgAction::Set)]
    pub no_colorbar: bool,

    /// Caption under the colour bar, e.g. "thickness (mm)" (per layer).
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub cbar_label: Vec<String>,

    /// Evenly spaced colour bar ticks per side, N >= 2 (default: at the threshold and the
    /// range ends).
    #[arg(long, value_name = "N")]
    pub cbar_ticks: Option<usize>,

    /// Colour bar under the panels (horizontal) or beside them (vertical).
    #[arg(long, default_value = "horizontal", value_name = "ORIENTATION")]
    pub cbar_orientation: String,

    /// Tick label format: auto, %.2f or %.1e.
    #[arg(long, default_value = "auto", value_name = "FMT")]
    pub cbar_format: String,

    /// Text size of colour bar ticks, its caption and panel labels, in points (at --dpi,
    /// else 96 dpi).
    #[arg(long, value_name = "PT")]
    pub font_size: Option<f32>,

    /// Also write the colour bars alone to FILE (.png or .svg), in the --cbar-orientation.
    #[arg(long, value_name = "FILE")]
    pub colorbar_file: Option<PathBuf>,

    /// Caption each panel: "L lateral", "R medial", ...
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", action = ArgAction::Set)]
    pub panel_labels: bool,

    /// Size of every panel's cell in pixels, WxH; the figure size follows (overrides --size).
    #[arg(long, value_name = "WxH")]
    pub panel_size: Option<String>,

    /// Multiply the figure size, line widths and text (2 for a high-resolution figure).
    #[arg(long, default_value_t = 1.0, value_name = "F")]
    pub scale: f32,

    /// Resolution to record in the PNG (pHYs) for page layout, e.g. 300.
    #[arg(long, value_name = "DPI")]
    pub dpi: Option<u32>,

    /// Title above the panels.
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub title: Option<String>,

    /// Rendering backend: auto (a GPU through EGL if there is one, else the fastest
    /// software path), egl, osmesa or cpu (built in, needs no library).
    #[arg(
        long,
        env = "SURFRENDER_BACKEND",
        default_value = "auto",
        value_name = "NAME"
    )]
    pub backend: String,

    /// Render on this EGL device (`surfrender backends` lists them).
    #[arg(long, value_name = "N")]
    pub egl_device: Option<usize>,

    /// Write the figure even if a panel came out empty or in one uniform colour.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "false", action = ArgAction::Set)]
    pub allow_empty: bool,

    /// Print no notices.
    #[arg(short, long)]
    pub quiet: bool,

    /// Filled in by `main` from the parsed matches.
    #[arg(skip)]
    pub order: LayerOrder,
}

/// Subcommands besides rendering.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Say which rendering backends work on this machine, and why the others do not.
    Backends {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Say what each file is and holds: kind, format, encoding, vertex and face counts,
    /// bounding box, value statistics per frame, label names and colours.
    Inspect {
        /// Files to describe.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Print JSON (field names as nibabel-derived truth files use them).
        #[arg(long)]
        json: bool,
    },
}

impl Args {
    /// How many times layer option `id` (one of [`LAYER_OPTIONS`]) was given.
    pub fn occurrences(&self, id: &str) -> usize {
        match id {
            "frame" => self.frame.len(),
            "map" => self.map.len(),
            "cmap" => self.cmap.len(),
            "threshold" => self.threshold.len(),
            "range" => self.range.len() / 2,
            "sign" => self.sign.len(),
            "symmetric" => self.symmetric.len(),
            "opacity" => self.opacity.len(),
            "outline" => self.outline.len(),
            "cbar_label" => self.cbar_label.len(),
            _ => 0,
        }
    }
}

/// Options that belong to one overlay layer: each applies to the layer of the --overlay
/// before it.
pub const LAYER_OPTIONS: [&str; 10] = [
    "frame",
    "map",
    "cmap",
    "threshold",
    "range",
    "sign",
    "symmetric",
    "opacity",
    "outline",
    "cbar_label",
];

/// Where the layer-related arguments stand on the command line. clap keeps the order of
/// each flag's values but not between flags, so `main` reads positions from the matches:
/// for every --annot, --label and per-layer option, how many --overlay arguments come
/// before it.
#[derive(Debug, Clone, Default)]
pub struct LayerOrder {
    pub annot_after: Vec<usize>,
    pub label_after: Vec<usize>,
    pub new_layer_after: Vec<usize>,
    /// For each of [`LAYER_OPTIONS`], one count per occurrence.
    pub options: std::collections::BTreeMap<&'static str, Vec<usize>>,
}

impl LayerOrder {
    pub fn from_matches(m: &clap::ArgMatches) -> LayerOrder {
        let overlays: Vec<usize> = m
            .indices_of("overlay")
            .map(|i| i.collect())
            .unwrap_or_default();
        let before = |i: usize| overlays.iter().filter(|&&o| o < i).count();
        let after = |id: &str, step: usize| -> Vec<usize> {
            m.indices_of(id)
                .map(|idx| idx.step_by(step).map(before).collect())
                .unwrap_or_default()
        };
        LayerOrder {
            annot_after: after("annot", 1),
            label_after: after("label", 1),
            new_layer_after: after("new_layer", 1),
            options: LAYER_OPTIONS
                .iter()
                .map(|&id| (id, after(id, if id == "range" { 2 } else { 1 })))
                .collect(),
        }
    }

    /// The positions of option `id`'s occurrences; when unknown (an `Args` built by hand),
    /// every occurrence counts as given before any overlay.
    pub fn of(&self, id: &str, occurrences: usize) -> Vec<usize> {
        match self.options.get(id) {
            Some(v) if v.len() == occurrences => v.clone(),
            _ => vec![0; occurrences],
        }
    }
}
