//! Command-line flags as typed by the user ("low" arguments: validated syntax, no I/O).

use std::path::PathBuf;

use clap::Parser;

/// Render cortical surfaces with overlays to a PNG, headless (EGL; no X server).
///
/// Example: surfrender lh.inflated rh.inflated --overlay lh.thickness --overlay rh.thickness
///          --threshold 2.5 --range 2.5 4 --cmap hot -o thickness.png
#[derive(Debug, Parser)]
#[command(name = "surfrender", version, about, long_about = None, max_term_width = 100)]
pub struct Args {
    /// Surface files, one per hemisphere (FreeSurfer lh.pial, rh.inflated, ...).
    #[arg(required = true, num_args = 1..=2, value_name = "SURFACE")]
    pub surfaces: Vec<PathBuf>,

    /// Output PNG file.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,

    /// Per-vertex overlay (MGH, MGZ, FreeSurfer curv format); once per hemisphere, paired
    /// with surfaces by the hemisphere in the file name, else by order.
    #[arg(long, value_name = "FILE")]
    pub overlay: Vec<PathBuf>,

    /// Curvature for the cortex background (default: `<hemi>.curv` beside the surface).
    #[arg(long, value_name = "FILE")]
    pub curv: Vec<PathBuf>,

    /// Hemisphere of each surface, in order (lh, rh), when file names do not say.
    #[arg(long, value_delimiter = ',', value_name = "HEMI")]
    pub hemi: Vec<String>,

    /// Overlay frame to show (MGH 4th dimension).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub frame: usize,

    /// Cortex colours: classic, high_contrast, low_contrast, bone, none.
    #[arg(long, default_value = "classic", value_name = "NAME")]
    pub cortex: String,

    /// Overlay colormap: matplotlib names (viridis, hot, RdBu_r, ...) or heat.
    #[arg(long, default_value = "heat", value_name = "NAME")]
    pub cmap: String,

    /// Hide |value| below T (a number, or a percentile of |value| such as 95%).
    #[arg(long, value_name = "T", allow_negative_numbers = true)]
    pub threshold: Option<String>,

    /// Colour range of |value|: MIN is the bottom of the ramp, MAX saturates
    /// (default: 2nd and 98th percentile of |value|).
    #[arg(long, num_args = 2, value_names = ["MIN", "MAX"], allow_negative_numbers = true)]
    pub range: Option<Vec<String>>,

    /// Which values to draw: abs (both signs), pos, neg.
    #[arg(long, default_value = "abs", value_name = "SIGN")]
    pub sign: String,

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

    /// Leave out the colour bar.
    #[arg(long)]
    pub no_colorbar: bool,

    /// Title above the panels.
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,

    /// Render on this EGL device (see the device list in error messages).
    #[arg(long, value_name = "N")]
    pub egl_device: Option<usize>,

    /// Print no notices.
    #[arg(short, long)]
    pub quiet: bool,
}
