//! Command line → validated [`FigureSpec`] → figure → PNG.

mod args;

use std::path::{Path, PathBuf};

pub use args::Args;

use crate::color::{cmap::Colormap, Bound, Cortex, OverlayStyle, Sign};
use crate::error::{Error, Result};
use crate::figure;
use crate::hemi::Hemi;
use crate::output;
use crate::scene::{View, ViewName};
use crate::spec::{Background, FigureSpec, Layout, SurfaceInput};

fn usage(msg: impl Into<String>) -> Error {
    Error::Usage(msg.into())
}

/// Builds the figure description from parsed flags (file existence is not checked here;
/// readers report missing files with their names).
pub fn to_spec(a: &Args) -> Result<FigureSpec> {
    let cortex = Cortex::parse(&a.cortex).ok_or_else(|| {
        usage(format!(
            "--cortex {}: expected one of {}",
            a.cortex,
            Cortex::NAMES.join(", ")
        ))
    })?;
    let sign = Sign::parse(&a.sign)
        .ok_or_else(|| usage(format!("--sign {}: expected abs, pos or neg", a.sign)))?;
    let bound = |flag: &str, s: &str| Bound::parse(s).map_err(|e| usage(format!("{flag}: {e}")));
    let threshold = a
        .threshold
        .as_deref()
        .map(|s| bound("--threshold", s))
        .transpose()?;
    let range = match &a.range {
        Some(v) if v.len() == 2 => Some((bound("--range", &v[0])?, bound("--range", &v[1])?)),
        Some(_) => return Err(usage("--range needs two values: MIN MAX")),
        None => None,
    };
    if let Some(Bound::Value(t)) = threshold {
        if t < 0.0 {
            return Err(usage(format!(
                "--threshold {t}: must not be negative (it applies to |value|)"
            )));
        }
    }
    if let Some((Bound::Value(lo), Bound::Value(hi))) = range {
        if lo < 0.0 || hi < lo {
            return Err(usage(format!(
                "--range {lo} {hi}: need 0 <= MIN <= MAX (the range applies to |value|)"
            )));
        }
    }
    let cmap = Colormap::from_name(&a.cmap)?;
    let mut views = Vec::new();
    for v in a.views.iter().filter(|v| !v.trim().is_empty()) {
        let mut view = View::named(ViewName::parse(v)?);
        view.azimuth = a.azimuth;
        view.elevation = a.elevation;
        view.roll = a.roll;
        views.push(view);
    }
    if views.is_empty() {
        return Err(usage("--views: give at least one view"));
    }
    if !(a.zoom.is_finite() && (0.1..=100.0).contains(&a.zoom)) {
        return Err(usage(format!(
            "--zoom {}: must be between 0.1 and 100",
            a.zoom
        )));
    }
    for (flag, v) in [
        ("--azimuth", a.azimuth),
        ("--elevation", a.elevation),
        ("--roll", a.roll),
    ] {
        if !v.is_finite() {
            return Err(usage(format!(
                "{flag} {v}: must be a finite number of degrees"
            )));
        }
    }
    let layout = match a.layout.as_str() {
        "grid" => Layout::Grid,
        "row" => Layout::Row,
        "column" | "col" => Layout::Column,
        other => {
            return Err(usage(format!(
                "--layout {other}: expected grid, row or column"
            )))
        }
    };
    let size = a
        .size
        .as_deref()
        .map(parse_size)
        .transpose()?
        .unwrap_or((None, None));
    let background = Background::parse(&a.background).ok_or_else(|| {
        usage(format!(
            "--background {}: expected white, black, transparent or #rrggbb",
            a.background
        ))
    })?;
    let surfaces = pair_inputs(a)?;
    let overlay_style = surfaces
        .iter()
        .any(|s| s.overlay.is_some())
        .then_some(OverlayStyle {
            cmap,
            threshold,
            range,
            sign,
        });
    Ok(FigureSpec {
        surfaces,
        frame: a.frame,
        cortex,
        overlay_style,
        views,
        zoom: a.zoom,
        layout,
        size,
        background,
        colorbar: !a.no_colorbar,
        title: a.title.clone().filter(|t| !t.trim().is_empty()),
        egl_device: a.egl_device,
    })
}

/// `1600x1200`, `1600x` or `x1200`; each side 16..=16384 pixels.
pub fn parse_size(s: &str) -> Result<(Option<u32>, Option<u32>)> {
    let bad = || {
        usage(format!(
            "--size {s}: expected WxH in pixels, e.g. 1600x1200 (or 1600x, x1200)"
        ))
    };
    let (w, h) = s
        .to_ascii_lowercase()
        .split_once('x')
        .map(|(w, h)| (w.to_string(), h.to_string()))
        .ok_or_else(bad)?;
    let side = |v: &str| -> Result<Option<u32>> {
        if v.is_empty() {
            return Ok(None);
        }
        let n: u32 = v.trim().parse().map_err(|_| bad())?;
        if !(16..=16384).contains(&n) {
            return Err(usage(format!(
                "--size {s}: each side must be 16 to 16384 pixels"
            )));
        }
        Ok(Some(n))
    };
    let size = (side(&w)?, side(&h)?);
    if size == (None, None) {
        return Err(bad());
    }
    Ok(size)
}

/// Assigns hemispheres to surfaces and pairs overlays and curvatures with them.
fn pair_inputs(a: &Args) -> Result<Vec<SurfaceInput>> {
    if !a.hemi.is_empty() && a.hemi.len() != a.surfaces.len() {
        return Err(usage(format!(
            "--hemi: {} value(s) for {} surface(s); give one per surface, in order",
            a.hemi.len(),
            a.surfaces.len()
        )));
    }
    let mut inputs = Vec::new();
    for (i, path) in a.surfaces.iter().enumerate() {
        let hemi = match a.hemi.get(i) {
            Some(h) => Hemi::parse(h).ok_or_else(|| usage(format!("--hemi {h}: expected lh or rh")))?,
            None => Hemi::from_path(path).ok_or_else(|| {
                usage(format!(
                    "cannot tell the hemisphere of {} from its name (lh., rh., hemi-L, hemi-R, .L., .R.); pass --hemi lh or --hemi rh",
                    path.display()
                ))
            })?,
        };
        inputs.push(SurfaceInput {
            hemi,
            surface: path.clone(),
            overlay: None,
            curv: None,
            curv_given: false,
        });
    }
    if inputs.len() == 2 && inputs[0].hemi == inputs[1].hemi {
        return Err(usage(format!(
            "both surfaces are {}: give one left and one right hemisphere",
            inputs[0].hemi
        )));
    }
    let hemis: Vec<Hemi> = inputs.iter().map(|s| s.hemi).collect();
    for (i, p) in assign("--overlay", &a.overlay, &hemis)? {
        inputs[i].overlay = Some(p);
    }
    for (i, p) in assign("--curv", &a.curv, &hemis)? {
        inputs[i].curv = Some(p);
        inputs[i].curv_given = true;
    }
    for s in &mut inputs {
        if s.curv.is_none() {
            s.curv = default_curv(&s.surface, s.hemi);
        }
    }
    // Left hemisphere first: it is the left column of the figure.
    inputs.sort_by_key(|s| s.hemi);
    Ok(inputs)
}

/// Pairs files with surfaces: a file whose name says its hemisphere goes with that
/// hemisphere's surface (and is an error when there is none: left data drawn on a right
/// hemisphere is a wrong figure); the others fill the remaining surfaces in order.
fn assign(flag: &str, files: &[PathBuf], hemis: &[Hemi]) -> Result<Vec<(usize, PathBuf)>> {
    if files.len() > hemis.len() {
        return Err(usage(format!(
            "{flag} given {} times for {} surface(s)",
            files.len(),
            hemis.len()
        )));
    }
    let mut taken = vec![false; hemis.len()];
    let mut out = Vec::new();
    for f in files {
        let Some(h) = Hemi::from_path(f) else {
            continue;
        };
        let Some(i) = hemis.iter().position(|x| *x == h) else {
            return Err(usage(format!(
                "{flag} {}: the name says hemisphere {h}, but the surfaces are {}; rename the file or pass the matching surface",
                f.display(),
                hemis.iter().map(|h| h.short()).collect::<Vec<_>>().join(" and ")
            )));
        };
        if taken[i] {
            return Err(usage(format!("{flag}: two files for hemisphere {h}")));
        }
        taken[i] = true;
        out.push((i, f.clone()));
    }
    for f in files.iter().filter(|f| Hemi::from_path(f).is_none()) {
        let Some(i) = taken.iter().position(|t| !t) else {
            return Err(usage(format!(
                "{flag} {}: no surface left to pair it with",
                f.display()
            )));
        };
        taken[i] = true;
        out.push((i, f.clone()));
    }
    Ok(out)
}

/// FreeSurfer keeps `lh.curv` beside `lh.pial` in `surf/`.
fn default_curv(surface: &Path, hemi: Hemi) -> Option<PathBuf> {
    let dir = surface.parent().unwrap_or(Path::new(""));
    let p = dir.join(format!("{}.curv", hemi.short()));
    (p.is_file() && p != surface).then_some(p)
}

/// Text after the flags in `--help`: the colormap names, which are too many for a flag's
/// one-line help.
pub fn help_footer() -> String {
    format!(
        "Colormaps (append _r to reverse): {}\n\nExit status: 0 figure written, 1 input or rendering error, 2 usage error.",
        Colormap::names().join(", ")
    )
}

/// Runs the command line: renders and writes the figure. Returns notices to print.
pub fn run(a: &Args, command_line: &str) -> Result<Vec<String>> {
    let spec = to_spec(a)?;
    output::check_destination(&a.output)?;
    let mut notes = Vec::new();
    if spec.overlay_style.is_none() {
        let unused: Vec<&str> = [
            ("--threshold", a.threshold.is_some()),
            ("--range", a.range.is_some()),
            ("--cmap", a.cmap != "heat"),
            ("--sign", a.sign != "abs"),
        ]
        .iter()
        .filter(|(_, given)| *given)
        .map(|(f, _)| *f)
        .collect();
        if !unused.is_empty() {
            notes.push(format!(
                "{} ignored: there is no --overlay",
                unused.join(", ")
            ));
        }
    }
    let fig = figure::render_figure(&spec)?;
    notes.extend(fig.notices.iter().cloned());
    let metadata = vec![
        (
            "Software".to_string(),
            format!("surfrender {}", env!("CARGO_PKG_VERSION")),
        ),
        ("surfrender:command".to_string(), command_line.to_string()),
    ];
    let mut t = std::time::Instant::now();
    output::write_png(&a.output, &fig.image, fig.alpha, &metadata)?;
    figure::stage("write", &mut t);
    Ok(if a.quiet { Vec::new() } else { notes })
}
