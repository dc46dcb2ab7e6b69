//! The validated description of one figure. The command line (and, later, figure files)
//! produce a `FigureSpec`; everything downstream reads only this, so the ways of asking
//! for a figure can never disagree about what it means.

use std::path::PathBuf;

use crate::color::{Cortex, OverlayStyle};
use crate::hemi::Hemi;
use crate::io::MapSelector;
use crate::scene::View;

/// One hemisphere's inputs.
#[derive(Debug, Clone)]
pub struct SurfaceInput {
    /// Which hemisphere.
    pub hemi: Hemi,
    /// The surface file.
    pub surface: PathBuf,
    /// This hemisphere's file of each overlay layer ([`FigureSpec::overlays`]), in
    /// layer order; `None` where a layer has no file for it.
    pub overlays: Vec<Option<PathBuf>>,
    /// Curvature for the cortex background; `None` means flat grey.
    pub curv: Option<PathBuf>,
    /// A continuous map drawn as contour lines.
    pub contours: Option<PathBuf>,
    /// Overlay values outside this label are hidden.
    pub mask: Option<PathBuf>,
    /// Whether the user named `curv` (an unreadable one found beside the surface only
    /// costs the curvature shading, with a note).
    pub curv_given: bool,
    /// The surfaces the figure's volumes are sampled between on this hemisphere; `None`
    /// when the figure has no volume.
    pub sampling: Option<SamplingSurfaces>,
}

/// Where a volume is sampled for one hemisphere: between `inner` (white) and `outer`
/// (pial) at [`Volumes::sampling`]'s depths, or on `inner` alone. The surface drawn
/// (often inflated) is not where the data lie, so these are found apart from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamplingSurfaces {
    /// The white surface (depth 0), or the one surface sampled.
    pub inner: PathBuf,
    /// The pial surface (depth 1); `None` to sample on `inner` only.
    pub outer: Option<PathBuf>,
}

/// The figure's volumes and how they are sampled onto its surfaces.
#[derive(Debug, Clone, Default)]
pub struct Volumes {
    /// The files of overlay and annotation layers that are volumes (the read stage
    /// samples these instead of reading per-vertex data).
    pub files: Vec<PathBuf>,
    /// Depths, reduction and interpolation of continuous volumes (label volumes take
    /// the depths only, by nearest voxel and majority).
    pub sampling: crate::volume::Sampling,
    /// `--lut`: the colour table of label volumes.
    pub lut: Option<PathBuf>,
    /// The surfaces are the bundled fsaverage5 (no surface was given), whose MNI305
    /// coordinates stand in for MNI152's.
    pub default_brain: bool,
}

impl Volumes {
    /// Whether `path` was resolved as a volume.
    pub fn contains(&self, path: &std::path::Path) -> bool {
        self.files.iter().any(|f| f == path)
    }
}

/// An annotation or label drawn over the cortex.
#[derive(Debug, Clone)]
pub struct LayerInput {
    /// The hemisphere it is drawn on.
    pub hemi: Hemi,
    /// The annotation or label file.
    pub path: PathBuf,
    /// Annotation, or label with its colour.
    pub kind: LayerKind,
    /// Its regions filled (`false` with `--annot-outline` / `--label-outline`: borders only).
    pub fill: bool,
    /// The borders between its regions drawn over everything.
    pub outline: bool,
    /// Opacity of its fill, 0 to 1.
    pub alpha: f32,
    /// How many overlay layers lie under it: 0 under every overlay, 1 over the first
    /// and under the second, ... (the command-line order).
    pub position: usize,
}

/// One continuous overlay layer: its colouring and its colour bar's caption.
#[derive(Debug, Clone)]
pub struct OverlayLayer {
    /// Colormap, threshold, range, sign and opacity as asked (percentiles unresolved).
    pub style: OverlayStyle,
    /// Caption under its colour bar (`--cbar-label "thickness (mm)"`).
    pub caption: Option<String>,
    /// A line where |value| crosses the threshold (`--outline`).
    pub outline: bool,
    /// The frame of its files (`--frame`).
    pub frame: usize,
    /// The map of its files by index or name (`--map`); overrides `frame`.
    pub map: Option<MapSelector>,
}

/// What a layer file holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LayerKind {
    /// A parcellation, drawn in its own colours.
    Annotation,
    /// A vertex set, drawn in one colour.
    Label([u8; 3]),
}

/// Contour levels: given, or a count spread over the data.
#[derive(Debug, Clone, PartialEq)]
pub enum ContourLevels {
    /// These levels.
    Given(Vec<f32>),
    /// This many, evenly spaced between the 2nd and 98th percentiles of the map.
    Count(usize),
}

/// How panels are arranged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// Rows are views, columns hemispheres.
    Grid,
    /// Every panel in one row.
    Row,
    /// Every panel in one column.
    Column,
    /// `--layout "lateral,medial;dorsal,ventral"`: rows of views (indices into the figure's
    /// views), repeated side by side for each hemisphere.
    Rows(Vec<Vec<usize>>),
}

/// Figure background.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Background {
    /// An opaque colour.
    Color([u8; 3]),
    /// None: an RGBA PNG.
    Transparent,
}

impl Background {
    /// `transparent`, a colour name (`white`, `black`, ...) or `#rrggbb`.
    pub fn parse(s: &str) -> Option<Background> {
        match s.to_ascii_lowercase().as_str() {
            "transparent" | "none" => Some(Background::Transparent),
            other => crate::color::parse_color(other).map(Background::Color),
        }
    }

    /// Colour for text and ticks drawn on this background.
    pub fn ink(self) -> [u8; 3] {
        match self {
            Background::Color(c)
                if (c[0] as u32 * 299 + c[1] as u32 * 587 + c[2] as u32 * 114) / 1000 < 128 =>
            {
                [255; 3]
            }
            _ => [0; 3],
        }
    }
}

/// Everything needed to make one figure.
#[derive(Debug, Clone)]
pub struct FigureSpec {
    /// The subject drawn, in subject mode (for the sidecar's facts).
    pub subject: Option<String>,
    /// Sorted left hemisphere first.
    pub surfaces: Vec<SurfaceInput>,
    /// The map of CIFTI dlabel annotations (the last `--map` given).
    pub map: Option<MapSelector>,
    /// The cortex colours.
    pub cortex: Cortex,
    /// The sign convention of the curvature files.
    pub curv_sign: CurvSign,
    /// Annotations and labels in command-line order.
    pub layers: Vec<LayerInput>,
    /// Draw the annotation regions that mean "no label" in their colours
    /// (`--annot-unknown`) instead of leaving them transparent.
    pub annot_unknown: bool,
    /// Border width of outlined layers, in pixels.
    pub outline_px: f32,
    /// One colour for every annotation and label border, instead of each region's own.
    pub border_color: Option<[u8; 3]>,
    /// Colour of the threshold outlines of overlay layers ([`OverlayLayer::outline`]).
    pub outline_color: [u8; 3],
    /// Spheres marking coordinates or vertices.
    pub foci: Vec<crate::scene::foci::Focus>,
    /// The --foci files they were read from (for the sidecar).
    pub foci_files: Vec<PathBuf>,
    /// Contour levels and colours for the `contours` maps of the surfaces.
    pub contour_levels: ContourLevels,
    /// The colours of the contour levels, lowest first.
    pub contour_cmap: crate::color::cmap::Colormap,
    /// Continuous overlays, bottom first; each hemisphere's files are in
    /// `SurfaceInput::overlays`.
    pub overlays: Vec<OverlayLayer>,
    /// The views, each drawn for every hemisphere.
    pub views: Vec<View>,
    /// Magnification of every panel.
    pub zoom: f32,
    /// How the panels are arranged.
    pub layout: Layout,
    /// Figure width and height in pixels; either may be left to follow the other.
    pub size: (Option<u32>, Option<u32>),
    /// Behind the panels.
    pub background: Background,
    /// Colour bars are drawn.
    pub colorbar: bool,
    /// The colour bar beside the panels (`--cbar-orientation vertical`).
    pub colorbar_vertical: bool,
    /// Evenly spaced colour bar ticks per side (`--cbar-ticks`).
    pub colorbar_ticks: Option<usize>,
    /// How tick labels are written.
    pub colorbar_format: crate::montage::colorbar::TickFormat,
    /// Text size of ticks, captions and panel labels in points (`--font-size`).
    pub font_size: Option<f32>,
    /// Write the JSON sidecar beside the PNG (`--no-sidecar` turns it off).
    pub sidecar: bool,
    /// Also write the colour bar alone (`--colorbar-file bar.png|bar.svg`).
    pub colorbar_file: Option<PathBuf>,
    /// "L lateral", ... above each panel.
    pub panel_labels: bool,
    /// One panel per hemisphere for the dorsal, ventral, anterior and posterior views of
    /// two hemispheres, rather than one whole-brain panel (`--split-views`).
    pub split_views: bool,
    /// Multiplies the figure's size, line widths and text.
    pub scale: f32,
    /// Every panel's cell in pixels; the figure size follows.
    pub panel_size: Option<(u32, u32)>,
    /// Resolution written into the PNG (pHYs), for print layout.
    pub dpi: Option<u32>,
    /// How hard the PNG is compressed (`--png-compression`); the pixels are the same.
    pub png_compression: PngCompression,
    /// A title above the panels.
    pub title: Option<String>,
    /// The EGL device to render on (`surfrender backends` lists them).
    pub egl_device: Option<usize>,
    /// `--backend` (or SURFRENDER_BACKEND).
    pub backend: crate::render::BackendKind,
    /// Accept panels that came out empty or uniform.
    pub allow_empty: bool,
    /// A sequence of frames (`--frames`, `--turntable`) rather than one figure.
    pub sequence: Option<Sequence>,
    /// `--time-label`: each frame (or the one figure) labelled with its time.
    pub time_label: Option<crate::desc::values::TimeFormat>,
    /// `--tr`: seconds between frames, over the files' own time step.
    pub time_step: Option<f64>,
    /// The volumes among the layers' files and how they are sampled.
    pub volumes: Volumes,
    /// Notices found while resolving the description (options with nothing to act on,
    /// doubtful pairs), for the user.
    pub notes: Vec<String>,
}

/// What a sequence of frames shows and how it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Sequence {
    /// The overlay frames shown one after another (`None`: the figure's one frame
    /// throughout, for a turntable).
    pub frames: Option<crate::desc::values::FrameSel>,
    /// Frames of one turn about the superior axis (`--turntable`).
    pub turntable: Option<usize>,
    /// Frames per second of an animation or video.
    pub fps: f32,
    /// The ffmpeg for .mp4 and .webm (`None`: `ffmpeg` on PATH).
    pub ffmpeg: Option<PathBuf>,
}

/// The most `--label` files of one figure (each is read and drawn as a layer or as
/// borders).
pub const MAX_LABELS: usize = 100;

/// Default figure width per panel column.
pub const PANEL_WIDTH: u32 = 800;

/// A background, as the command line and spec files give it (one message for both).
impl std::str::FromStr for Background {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Background::parse(s)
            .ok_or_else(|| format!("'{s}': expected white, black, transparent or #rrggbb"))
    }
}

/// The sign convention of a curvature (or sulcal depth) file. FreeSurfer's `sulc` and
/// `curv` are positive in sulci; the HCP pipelines, Connectome Workbench and Caret store
/// them negated (positive on gyri). The cortex is shaded in FreeSurfer's convention, so
/// Workbench-signed values are negated when read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CurvSign {
    /// Decide per file: from its metadata (Workbench or Caret provenance, HCP map names,
    /// FreeSurfer's own formats), else from how its values follow the surface's folding.
    Auto,
    /// Positive in sulci, as FreeSurfer writes them.
    FreeSurfer,
    /// Positive on gyri, as HCP, Workbench and Caret write them.
    Workbench,
}

impl std::str::FromStr for CurvSign {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "auto" => Ok(CurvSign::Auto),
            "freesurfer" => Ok(CurvSign::FreeSurfer),
            "workbench" => Ok(CurvSign::Workbench),
            _ => Err(format!("'{s}': expected auto, freesurfer or workbench")),
        }
    }
}

/// How hard a PNG's pixels are compressed (`--png-compression`): the pixels are the same
/// at every level, only the file's size and the time to write it differ (see
/// benches/README.md, issue #15, for both on the benchmark figures).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PngCompression {
    /// fdeflate's fast path over Paeth-filtered rows: the fastest, the largest files.
    #[default]
    Fast,
    /// zlib level 6 with a filter chosen per row: several times slower than `fast`,
    /// smaller files.
    Default,
    /// zlib level 9 with a filter chosen per row: the smallest files, the slowest.
    Best,
}

impl std::str::FromStr for PngCompression {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "fast" => Ok(PngCompression::Fast),
            "default" => Ok(PngCompression::Default),
            "best" => Ok(PngCompression::Best),
            _ => Err(format!("'{s}': expected fast, default or best")),
        }
    }
}

impl std::fmt::Display for PngCompression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PngCompression::Fast => "fast",
            PngCompression::Default => "default",
            PngCompression::Best => "best",
        })
    }
}
