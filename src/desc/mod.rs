//! The one description of a figure. [`FigureDesc`] is what the user asked for, as typed
//! values: the command line (clap reads these same structs), a spec file (serde reads
//! them) and library callers all produce it, and [`FigureDesc::resolve`] turns it into
//! the [`FigureSpec`](crate::spec::FigureSpec) the pipeline draws. Each option's help,
//! default and check live on its field and its value type, so the ways of asking for a
//! figure can never disagree.
//!
//! Overlays, annotations and labels are one stack of [`Layer`]s, bottom first. On the
//! command line each layer option belongs to the `--overlay` before it; a spec file
//! writes the stack as `[[layers]]` (or, for one overlay, as top-level fields); both give
//! the same list.

mod args;
mod argv;
mod file;
pub mod template;
pub mod values;

use std::path::PathBuf;

use clap::builder::TypedValueParser as _;
use serde::{Deserialize, Serialize};

use crate::color::{cmap::Colormap, CmapChoice, Cortex, Sign};
use crate::io::MapSelector;
use crate::montage::MAX_VIEWS;
use crate::render::BackendKind;
use crate::scene::ViewName;
use crate::scene::{contours::MAX_LEVELS, foci::MAX_FOCI};
use crate::spec::{Background, CurvSign, PngCompression, MAX_LABELS};
pub(crate) use args::is_bare;
pub use args::{command, usage_error};
pub(crate) use file::{field_names, is_list, spec_file_value};
use values::*;

/// Frames per second of a sequence without `--fps`.
pub const DEFAULT_FPS: f32 = 10.0;

/// The help heading of the options of frame sequences and movies.
const MOVIES: &str = "Frame sequences and movies";

/// The help heading of the options of volumes sampled onto surfaces.
const VOLUMES: &str = "Volumes (NIfTI or MGH volumes given to --overlay or --annot)";

/// Everything a figure can say, as the user gave it: `None` and empty lists take the
/// defaults (see [`FigureDesc::effective`]) and are left out of a printed spec. Paths are as written; percentiles are
/// resolved against the data later.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, clap::Args)]
#[serde(default, deny_unknown_fields)]
pub struct FigureDesc {
    /// Output PNG file (a JSON sidecar FILE.json records the spec and the inputs); for
    /// --frames or --turntable a %04d.png pattern, .gif, .apng, .mp4 or .webm.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Surface files, one per hemisphere (FreeSurfer lh.pial, GIfTI *.surf.gii, ...).
    #[arg(num_args = 1..=2, value_name = "SURFACE")]
    pub surfaces: Vec<PathBuf>,

    /// FreeSurfer subject to draw from its subjects directory (instead of SURFACE files):
    /// surf/{lh,rh}.SURF, bare overlay names as surf/{lh,rh}.NAME, labels and
    /// annotations by name from label/.
    #[arg(long, value_name = "NAME")]
    pub subject: Option<String>,

    /// Subjects directory (default: $SUBJECTS_DIR).
    #[arg(long, value_name = "DIR")]
    pub subjects_dir: Option<PathBuf>,

    /// Surface to draw in subject mode: inflated, pial, white, sphere, ... [default: inflated]
    #[arg(long, value_name = "NAME")]
    pub surf: Option<String>,

    /// Hemisphere of each surface, in order (lh, rh), when file names do not say; in
    /// subject mode lh, rh or both (default both).
    #[arg(long, value_delimiter = ',', value_name = "HEMI")]
    pub hemi: Vec<String>,

    /// Curvature for the cortex background (default: `<hemi>.curv` beside the surface).
    #[arg(long, value_name = "FILE")]
    pub curv: Vec<PathBuf>,

    /// The frame of every overlay layer that does not choose its own (`--frame` before
    /// any `--overlay`).
    #[arg(skip)]
    pub frame: Option<Index>,

    /// The map of every overlay layer that does not choose its own (`--map` before any
    /// `--overlay`).
    #[arg(skip)]
    pub map: Option<MapSelector>,

    /// Opacity of annotation fills, 0 to 1. [default: 1]
    #[arg(long, value_name = "A")]
    pub annot_alpha: Option<Fraction>,

    /// Borders between parcels: alone (--annot-outline), or over the filled parcels
    /// (--annot-outline=both); false fills the parcels only. [default: false]
    #[arg(
        long,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        value_name = "true|false|both"
    )]
    pub annot_outline: Option<Outline>,

    /// Draw the regions that mean "no label" (key 0 of GIfTI and CIFTI label tables;
    /// ???, unknown, medial wall, corpus callosum, background) in their table colours;
    /// by default they are transparent and the cortex shows through.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub annot_unknown: Option<bool>,

    /// Draw only the borders of labels.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub label_outline: Option<bool>,

    /// Width of borders, outlines and contour lines, in pixels (the same at any size).
    /// [default: 2]
    #[arg(long, value_name = "PX")]
    pub outline_width: Option<LineWidth>,

    /// One colour for all annotation and label borders (default: each region's own).
    #[arg(long, value_name = "COLOR")]
    pub border_color: Option<Given<Rgb>>,

    /// Colour of the overlay outlines (--outline). [default: black]
    #[arg(long, value_name = "COLOR")]
    pub outline_color: Option<Given<Rgb>>,

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
    pub levels: Vec<Level>,

    /// Number of evenly spaced contour levels between the 2nd and 98th percentiles
    /// when --levels is not given. [default: 7]
    #[arg(long, value_name = "N")]
    pub n_contours: Option<Contours>,

    /// Colormap of the contour lines. [default: YlOrRd_r, PySurfer's]
    #[arg(long, value_name = "NAME")]
    pub contour_cmap: Option<Given<Colormap>>,

    /// Hide overlay values outside this label (e.g. lh.cortex.label), once per
    /// hemisphere; masked-out vertices show plain cortex and do not count for
    /// percentiles. In subject mode label/{lh,rh}.cortex.label is used when present.
    #[arg(long, value_name = "FILE")]
    pub mask: Vec<PathBuf>,

    /// Surfaces a volume (--overlay or --annot given a NIfTI or MGH volume) is sampled
    /// between: white,pial (the ribbon, the default when both lie beside the surface
    /// drawn), one surface such as midthickness, or paths (GIfTI too). A word without a
    /// dot is a name, looked up beside each surface drawn as <hemi>.NAME; anything else is
    /// a path, paired with its hemisphere by its name. An inflated or sphere surface is
    /// never sampled.
    #[arg(long, value_delimiter = ',', value_name = "SURFS", help_heading = VOLUMES)]
    pub sample_surf: Vec<PathBuf>,

    /// Sample volumes at one depth of the ribbon: 0 at white, 1 at pial (FreeSurfer's
    /// mri_vol2surf --projfrac). [default: the mean over nilearn's ribbon depths]
    #[arg(long, value_name = "F", allow_hyphen_values = true, help_heading = VOLUMES)]
    pub projfrac: Option<ProjFrac>,

    /// How a vertex's samples at several depths become one value: mean or max.
    /// [default: mean]
    #[arg(long, value_name = "HOW", help_heading = VOLUMES)]
    pub sample_reduce: Option<Given<SampleReduce>>,

    /// How a volume is read between voxel centres: trilinear or nearest. Label volumes
    /// are always read by nearest voxel. [default: trilinear]
    #[arg(long, value_name = "HOW", help_heading = VOLUMES)]
    pub sample_interp: Option<Given<SampleInterp>>,

    /// Colour table of label volumes, in FreeSurferColorLUT.txt format (index name R G
    /// B A per line). [default: generated colours]
    #[arg(long, value_name = "FILE", help_heading = VOLUMES)]
    pub lut: Option<PathBuf>,

    /// A focus (sphere) at RAS coordinates X,Y,Z in millimetres (repeatable).
    #[arg(long, value_name = "X,Y,Z", allow_hyphen_values = true)]
    pub focus: Vec<String>,

    /// A focus at a vertex: N, or lh:N / rh:N with two hemispheres (repeatable).
    #[arg(long, value_name = "[HEMI:]N")]
    pub focus_vertex: Vec<String>,

    /// Foci from a CSV or TSV file with a header: x,y,z, or vertex (and hemi), and optional
    /// radius and color columns.
    #[arg(long, value_name = "FILE")]
    pub foci: Vec<PathBuf>,

    /// Radius of foci in millimetres. [default: 5]
    #[arg(long, value_name = "MM")]
    pub focus_radius: Option<Radius>,

    /// Colour of foci. [default: white]
    #[arg(long, value_name = "COLOR")]
    pub focus_color: Option<Given<Rgb>>,

    /// Cortex colours: classic, high_contrast, low_contrast, bone, none. [default: classic]
    #[arg(long, value_name = "NAME")]
    pub cortex: Option<Given<Cortex>>,

    /// Sign of the curvature: freesurfer (positive in sulci, as FreeSurfer writes
    /// sulc and curv), workbench (negated, as HCP, Connectome Workbench and Caret write
    /// them), or auto (from the file's metadata, else from the surface's own folding).
    /// [default: auto]
    #[arg(long, value_name = "SIGN")]
    pub curv_sign: Option<Given<CurvSign>>,

    /// Views, comma-separated: lateral, medial, dorsal, ventral, anterior (rostral),
    /// posterior (caudal), frontal, parietal; any unique prefix. [default: lateral,medial]
    #[arg(long, value_delimiter = ',', value_name = "VIEWS")]
    pub views: Vec<Given<ViewName>>,

    /// Turn every view about the superior axis by DEG degrees.
    #[arg(long, value_name = "DEG")]
    pub azimuth: Option<Degrees>,

    /// Tilt every view towards the top by DEG degrees.
    #[arg(long, value_name = "DEG")]
    pub elevation: Option<Degrees>,

    /// Rotate every view on screen by DEG degrees (counter-clockwise).
    #[arg(long, value_name = "DEG")]
    pub roll: Option<Degrees>,

    /// Magnify every panel, 0.1 to 100 (crops the surface when above 1).
    #[arg(long, value_name = "F")]
    pub zoom: Option<Zoom>,

    /// Panel arrangement: grid (rows = views, columns = hemispheres), row, column, or rows
    /// of views such as "lateral,medial;dorsal,ventral". [default: grid]
    #[arg(long, value_name = "LAYOUT")]
    pub layout: Option<Given<LayoutArg>>,

    /// With two hemispheres, draw the dorsal, ventral, anterior and posterior views one
    /// panel per hemisphere, rather than both hemispheres in one whole-brain panel.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub split_views: Option<bool>,

    /// Figure size in pixels, WxH (or Wx / xH to keep the aspect ratio);
    /// default 800 pixels per panel column.
    #[arg(long, value_name = "WxH")]
    pub size: Option<Given<Size>>,

    /// Background: white, black, #rrggbb or transparent (RGBA PNG). [default: white]
    #[arg(long, value_name = "COLOR")]
    pub background: Option<Given<Background>>,

    /// Leave out the colour bars (in a spec: `colorbar = false`).
    #[arg(
        long = "no-colorbar",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        value_parser = clap::builder::BoolishValueParser::new().map(|b: bool| !b)
    )]
    pub colorbar: Option<bool>,

    /// Write no JSON sidecar beside the PNG (in a spec: `sidecar = false`); the PNG still
    /// records the command line that replays it.
    #[arg(
        long = "no-sidecar",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        value_parser = clap::builder::BoolishValueParser::new().map(|b: bool| !b)
    )]
    pub sidecar: Option<bool>,

    /// Colour bars under the panels (horizontal) or beside them (vertical).
    /// [default: horizontal]
    #[arg(long, value_name = "ORIENTATION")]
    pub cbar_orientation: Option<Given<Orientation>>,

    /// Evenly spaced colour bar ticks per side, 2 to 20 (default: at the threshold and
    /// the range ends).
    #[arg(long, value_name = "N")]
    pub cbar_ticks: Option<Ticks>,

    /// Tick label format: auto, %.2f or %.1e. [default: auto]
    #[arg(long, value_name = "FMT")]
    pub cbar_format: Option<Given<crate::montage::colorbar::TickFormat>>,

    /// Text size of colour bar ticks, its caption and panel labels, in points (at --dpi,
    /// else 96 dpi).
    #[arg(long, value_name = "PT")]
    pub font_size: Option<FontSize>,

    /// Also write the colour bars alone to FILE (.png or .svg), in the --cbar-orientation.
    #[arg(long, value_name = "FILE")]
    pub colorbar_file: Option<PathBuf>,

    /// Caption each panel: "L lateral", "R medial", ...
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub panel_labels: Option<bool>,

    /// Size of every panel's cell in pixels, WxH; the figure size follows (overrides --size).
    #[arg(long, value_name = "WxH")]
    pub panel_size: Option<Given<PanelSize>>,

    /// Multiply the figure size, line widths and text (2 for a high-resolution figure).
    /// [default: 1]
    #[arg(long, value_name = "F")]
    pub scale: Option<Scale>,

    /// Resolution to record in the PNG (pHYs) for page layout, e.g. 300.
    #[arg(long, value_name = "DPI")]
    pub dpi: Option<Dpi>,

    /// PNG compression: fast, default or best (smaller files, slower to write; the
    /// pixels are the same). [default: fast]
    #[arg(long, value_name = "LEVEL")]
    pub png_compression: Option<Given<PngCompression>>,

    /// Title above the panels; `{subject}` is the subject's name in subject mode (in a
    /// batch, `{column}` is any column of the row).
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub title: Option<String>,

    /// Rendering backend: auto (a GPU through EGL if there is one, else the fastest
    /// software path), egl, osmesa or cpu (built in, needs no library). [default:
    /// $SURFRENDER_BACKEND, else auto]
    #[arg(long, value_name = "NAME")]
    pub backend: Option<Given<BackendKind>>,

    /// Render on this EGL device (`surfrender backends` lists them).
    #[arg(long, value_name = "N")]
    pub egl_device: Option<Index>,

    /// Write the figure even if a panel came out empty or in one uniform colour.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub allow_empty: Option<bool>,

    /// Render a sequence of these frames of the overlay layers (those with one frame
    /// stay fixed): all, START:END[:STEP] with END excluded (0:50 is 50 frames), or a
    /// list 0,10,20. One colour range for all of them; -o chooses the output.
    #[arg(long, value_name = "FRAMES", help_heading = MOVIES)]
    pub frames: Option<Given<FrameSel>>,

    /// Render N frames turning every panel once about the superior axis (frame 0 is
    /// the figure's own view).
    #[arg(long, value_name = "N", help_heading = MOVIES)]
    pub turntable: Option<TurnFrames>,

    /// Frames per second of a GIF, APNG or video. [default: 10]
    #[arg(long, value_name = "N", help_heading = MOVIES)]
    pub fps: Option<Fps>,

    /// Seconds between frames, over the file's own time step (MGH TR, NIfTI pixdim[4],
    /// GIfTI TimeStep, CIFTI SeriesStep).
    #[arg(long, value_name = "SECONDS", help_heading = MOVIES)]
    pub tr: Option<Seconds>,

    /// Label each frame with its time, in the top-left corner: %.1f is seconds, %d the
    /// frame number. [default format: "t = %.1f s"]
    #[arg(
        long,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = DEFAULT_TIME_LABEL,
        value_name = "FORMAT",
        help_heading = MOVIES
    )]
    pub time_label: Option<Given<TimeFormat>>,

    /// The ffmpeg that encodes .mp4 and .webm outputs. [default: ffmpeg on PATH]
    #[arg(long, value_name = "PATH", help_heading = MOVIES)]
    pub ffmpeg: Option<PathBuf>,

    /// Overlays, annotations and labels, bottom first.
    #[arg(skip)]
    pub layers: Vec<Layer>,
}

/// One layer of the stack: an overlay (one file per hemisphere, or one CIFTI file for
/// both) with its own colouring, or annotations, or labels. On the command line, the
/// options below apply to the layer of the `--overlay` before them (the first layer when
/// none is before them; every layer for --frame and --map).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, clap::Args)]
#[serde(default, deny_unknown_fields)]
#[command(next_help_heading = "Layers (each option belongs to the --overlay before it)")]
pub struct Layer {
    /// Per-vertex overlay (MGH, MGZ, curv, GIfTI, NIfTI, CIFTI), once per hemisphere,
    /// paired with surfaces by the hemisphere in the file name, else by order; or a
    /// volume (NIfTI, MGH/MGZ), one for both hemispheres, sampled onto each (see
    /// Volumes; with no surface, onto the bundled fsaverage5). More overlays stack as
    /// layers, bottom first: a new layer starts at a file whose hemisphere already has
    /// one (a CIFTI file or a volume is a layer of its own; see --new-layer).
    #[arg(long, value_name = "FILE")]
    pub overlay: Vec<PathBuf>,

    /// Overlay colormap: matplotlib names (viridis, hot, RdBu_r, ...), heat, or auto:
    /// heat, except RdBu_r through zero for two-signed data without a threshold.
    /// [default: auto]
    #[arg(long, value_name = "NAME", action = clap::ArgAction::Append)]
    pub cmap: Option<Given<CmapChoice>>,

    /// Hide |value| below T (a number, or a percentile of |value| such as 95%).
    #[arg(long, value_name = "T", action = clap::ArgAction::Append)]
    pub threshold: Option<Threshold>,

    /// Colour range of |value|: MIN is the bottom of the ramp, MAX saturates
    /// (default: 2nd and 98th percentile of |value|).
    #[arg(
        long,
        num_args = 2,
        value_names = ["MIN", "MAX"],
        action = clap::ArgAction::Append,
        value_parser = crate::color::Bound::parse
    )]
    pub range: Option<Range>,

    /// Which values to draw: abs (both signs), pos, neg. [default: abs]
    #[arg(long, value_name = "SIGN", action = clap::ArgAction::Append)]
    pub sign: Option<Given<Sign>>,

    /// Colour the overlay with one map centred on zero (continuous through 0 from -MAX to
    /// MAX) instead of two ramps starting at MIN.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", action = clap::ArgAction::Append)]
    pub symmetric: Option<bool>,

    /// Opacity of the overlay over the cortex and the layers under it, 0 to 1. [default: 1]
    #[arg(long, value_name = "A", action = clap::ArgAction::Append)]
    pub opacity: Option<Fraction>,

    /// Outline the thresholded overlay: a line where |value| crosses the threshold.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", action = clap::ArgAction::Append)]
    pub outline: Option<bool>,

    /// Caption under the layer's colour bar, e.g. "thickness (mm)".
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true, action = clap::ArgAction::Append)]
    pub cbar_label: Option<String>,

    /// Overlay frame to show (MGH 4th dimension, GIfTI data array, CIFTI map). [default: 0]
    #[arg(long, value_name = "N", action = clap::ArgAction::Append)]
    pub frame: Option<Index>,

    /// Map of a multi-map file by index or name (CIFTI dscalar/dlabel map names, GIfTI
    /// array names); overrides --frame. CIFTI dlabel annotations take the last one given.
    #[arg(long, value_name = "N|NAME", action = clap::ArgAction::Append)]
    pub map: Option<MapSelector>,

    /// Parcellation to draw (FreeSurfer .annot, GIfTI label, CIFTI dlabel), once per
    /// hemisphere; or a label volume (NIfTI, MGH; also as --annot-volume), one for both,
    /// sampled by nearest voxel and majority over the ribbon's depths. It lies over the
    /// overlay layers given before it and under those after.
    #[arg(long, value_name = "FILE", visible_alias = "annot-volume")]
    #[serde(alias = "annot_volume")]
    pub annot: Vec<PathBuf>,

    /// FreeSurfer .label file to draw (repeatable). It lies over the overlay layers given
    /// before it and under those after.
    #[arg(long, value_name = "FILE")]
    pub label: Vec<PathBuf>,

    /// Colour of each --label, in order: a name (crimson, gold, ...) or #rrggbb.
    #[arg(long, value_name = "COLOR")]
    pub label_color: Vec<Given<Rgb>>,
}

/// Calls macro `$m` with the name of every option of an overlay layer, in order: the one
/// list that setting, merging and comparing layer options walk.
macro_rules! layer_options {
    ($m:ident) => {
        $m!(cmap, threshold, range, sign, symmetric, opacity, outline, cbar_label, frame, map)
    };
}

/// What a layer draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerKind {
    /// A continuous map with its own colouring.
    Overlay,
    /// Parcellations in their own colours.
    Annot,
    /// Labels in one colour each.
    Label,
}

impl Layer {
    /// The one kind of file this layer holds (`None` for a layer of options only, such as
    /// a base spec's colouring waiting for an overlay).
    pub fn kind(&self) -> Option<LayerKind> {
        let files = [&self.overlay, &self.annot, &self.label].map(|f| !f.is_empty());
        let kinds = [LayerKind::Overlay, LayerKind::Annot, LayerKind::Label];
        match files.iter().filter(|&&f| f).count() {
            1 => files.iter().position(|&f| f).map(|i| kinds[i]),
            _ => None,
        }
    }

    /// The names of the overlay options that are set, in their order of declaration.
    pub fn style_fields(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        macro_rules! set {
            ($($f:ident),*) => { $( if self.$f.is_some() { out.push(stringify!($f)); } )* };
        }
        layer_options!(set);
        out
    }

    /// An overlay layer's defaults written out, as a flat spec prints them.
    pub(crate) fn with_defaults(mut self) -> Layer {
        self.cmap.get_or_insert_with(|| given("auto"));
        self.sign.get_or_insert_with(|| given("abs"));
        self.opacity.get_or_insert(Fraction(1.0));
        self.symmetric.get_or_insert(false);
        self.outline.get_or_insert(false);
        self
    }

    /// [`style_fields`](Self::style_fields) set to something else than their defaults.
    pub(crate) fn style_fields_beyond_defaults(&self) -> Vec<&'static str> {
        let d = Layer::default().with_defaults();
        let mut out = Vec::new();
        macro_rules! differ {
            ($($f:ident),*) => { $( if self.$f.is_some() && self.$f != d.$f { out.push(stringify!($f)); } )* };
        }
        layer_options!(differ);
        out
    }

    /// Checks across the options of one layer, on the command line and in spec files
    /// alike: `(field, message)`.
    pub(crate) fn check(&self) -> std::result::Result<(), (&'static str, String)> {
        use crate::color::Bound::Value;
        if let Some(r) = self.range {
            Range::new(r.0, r.1).map_err(|e| ("range", e))?;
        }
        if let (Some(Threshold(Value(t))), Some(Range(_, Value(hi)))) = (self.threshold, self.range)
        {
            if t > hi {
                return Err((
                    "threshold",
                    format!("{t} is above the top of the range ({hi}), so every value drawn would be the top colour; lower the threshold or raise the range"),
                ));
            }
        }
        Ok(())
    }

    /// Options set here win; unset ones come from `base`.
    fn inherit(&mut self, base: &Layer) {
        let own = self.clone();
        self.overwrite(base);
        self.overwrite(&own);
    }

    /// The options set in `top` replace these (files stay).
    fn overwrite(&mut self, top: &Layer) {
        macro_rules! take {
            ($($f:ident),*) => { $( if top.$f.is_some() { self.$f = top.$f.clone(); } )* };
        }
        layer_options!(take);
    }
}

impl FigureDesc {
    /// The checks a spec file's stack gets, for a description a program built: one kind
    /// of file per layer, options only where they apply, and across each layer's options.
    pub(crate) fn check_stack(&self) -> crate::Result<()> {
        self.check_lists().map_err(crate::Error::Usage)?;
        file::validate_layers(&self.layers, true).map_err(crate::Error::Usage)?;
        for (i, l) in self.layers.iter().enumerate() {
            l.check()
                .map_err(|(f, m)| crate::Error::Usage(format!("layers[{i}].{f}: {m}")))?;
        }
        Ok(())
    }

    /// Lists no longer than a figure can show, checked before anything is read.
    pub(crate) fn check_lists(&self) -> std::result::Result<(), String> {
        let labels = self.layers.iter().map(|l| l.label.len()).sum();
        let foci = self.focus.len() + self.focus_vertex.len();
        let limits = [
            ("surfaces", self.surfaces.len(), 2),
            ("views", self.views.len(), MAX_VIEWS),
            ("levels", self.levels.len(), MAX_LEVELS),
            ("label", labels, MAX_LABELS),
            ("focus", foci, MAX_FOCI),
        ];
        let (field, n, max) = limits
            .into_iter()
            .find(|(_, n, max)| n > max)
            .unwrap_or_default();
        match n {
            0 => Ok(()),
            _ => Err(format!("{field}: {n} given; a figure takes at most {max}")),
        }
    }

    /// The overlay layers, bottom first.
    pub fn overlay_layers(&self) -> impl Iterator<Item = &Layer> {
        self.layers
            .iter()
            .filter(|l| l.kind() == Some(LayerKind::Overlay))
    }

    /// The same description with every default written out, as `--print-spec` and the
    /// sidecar record it, so a replay does not depend on the defaults of the version that
    /// replays it.
    pub fn effective(&self) -> FigureDesc {
        let mut d = self.clone();
        let env_backend = env_backend().ok().flatten();
        macro_rules! default {
            ($($f:ident = $v:expr),* $(,)?) => { $( if d.$f.is_none() { d.$f = Some($v); } )* };
        }
        default! {
            frame = Index(0), annot_alpha = Fraction(1.0), annot_outline = Outline::Fill,
            annot_unknown = false,
            label_outline = false, outline_width = LineWidth(2.0),
            outline_color = given("black"), n_contours = Contours(7),
            contour_cmap = given("YlOrRd_r"), focus_radius = Radius(5.0),
            focus_color = given("white"), cortex = given("classic"), curv_sign = given("auto"), azimuth = Degrees(0.0),
            elevation = Degrees(0.0), roll = Degrees(0.0), zoom = Zoom(1.0),
            layout = given("grid"), split_views = false, background = given("white"), colorbar = true, sidecar = true,
            cbar_orientation = given("horizontal"), cbar_format = given("auto"),
            panel_labels = false, scale = Scale(1.0), png_compression = given("fast"),
            backend = env_backend.unwrap_or_else(|| given("auto")), allow_empty = false,
        }
        if d.subject.is_some() && d.surf.is_none() {
            d.surf = Some("inflated".into());
        }
        if d.views.is_empty() {
            d.views = vec![given("lateral"), given("medial")];
        }
        if (d.frames.is_some() || d.turntable.is_some()) && d.fps.is_none() {
            d.fps = Some(Fps(DEFAULT_FPS));
        }
        d
    }
}

/// `SURFRENDER_BACKEND`, the backend when neither the command line nor the spec names
/// one; a name it does not know is refused as `--backend` would refuse it.
pub(crate) fn env_backend() -> crate::Result<Option<Given<BackendKind>>> {
    match std::env::var("SURFRENDER_BACKEND") {
        Ok(b) if !b.trim().is_empty() => b
            .parse()
            .map(Some)
            .map_err(|e| crate::Error::Usage(format!("SURFRENDER_BACKEND={b}: {e}"))),
        _ => Ok(None),
    }
}

/// A default written as text, parsed as the user's would be.
fn given<T: std::str::FromStr<Err = String>>(s: &str) -> Given<T> {
    // The defaults are constants of this file, each a valid value.
    s.parse().unwrap_or_else(|e| panic!("default {s}: {e}"))
}
