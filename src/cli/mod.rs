//! Command line → validated [`FigureSpec`] → figure → PNG.

mod args;
mod backends;
mod inputs;
mod inspect;
mod layers;
mod sidecar;
pub mod specfile;

pub use args::{Args, Command, LayerOrder};
pub use layers::LayerMap;

use crate::color::{cmap::Colormap, Cortex};
use crate::error::{Error, Result};
use crate::figure;
use crate::hemi::Hemi;
use crate::output;
use crate::render::BackendKind;
use crate::scene::{View, ViewName};
use crate::spec::{Background, ContourLevels, FigureSpec, Layout};

pub(crate) fn usage(msg: impl Into<String>) -> Error {
    Error::Usage(msg.into())
}

/// The overlay layer of each --overlay argument, as the figure groups them.
pub fn overlay_layers(a: &Args) -> Result<LayerMap> {
    Ok(inputs::resolve(a)?.layer_map)
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
    // A grid spec names the views itself: "lateral,medial;dorsal,ventral".
    let grid: Option<Vec<Vec<String>>> = (a.layout.contains(',')
        || a.layout.contains(';')
        || (!matches!(a.layout.as_str(), "grid" | "row" | "column" | "col")
            && ViewName::parse(&a.layout).is_ok()))
    .then(|| {
        a.layout
            .split(';')
            .map(|row| row.split(',').map(|v| v.trim().to_string()).collect())
            .collect()
    });
    let names: Vec<String> = match &grid {
        Some(rows) => {
            let mut names: Vec<String> = Vec::new();
            for v in rows.iter().flatten() {
                if v.is_empty() {
                    return Err(usage(format!("--layout {}: an empty view name", a.layout)));
                }
                let key = ViewName::parse(v)?.as_str().to_string();
                if !names.contains(&key) {
                    names.push(key);
                }
            }
            names
        }
        None => a.views.clone(),
    };
    let mut views = Vec::new();
    for v in names.iter().filter(|v| !v.trim().is_empty()) {
        let mut view = View::named(ViewName::parse(v)?);
        view.azimuth = a.azimuth;
        view.elevation = a.elevation;
        view.roll = a.roll;
        views.push(view);
    }
    if views.is_empty() {
        return Err(usage("--views: give at least one view"));
    }
    if !(a.outline_width.is_finite() && (0.5..=50.0).contains(&a.outline_width)) {
        return Err(usage(format!(
            "--outline-width {}: must be between 0.5 and 50 pixels",
            a.outline_width
        )));
    }
    if !(a.annot_alpha.is_finite() && (0.0..=1.0).contains(&a.annot_alpha)) {
        return Err(usage(format!(
            "--annot-alpha {}: must be between 0 and 1",
            a.annot_alpha
        )));
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
        _ if grid.is_some() => {
            let index = |v: &str| -> Result<usize> {
                let key = ViewName::parse(v)?.as_str();
                Ok(names.iter().position(|n| n == key).unwrap_or(0))
            };
            let rows = grid
                .iter()
                .flatten()
                .map(|row| row.iter().map(|v| index(v)).collect::<Result<Vec<_>>>())
                .collect::<Result<Vec<_>>>()?;
            Layout::Rows(rows)
        }
        "grid" => Layout::Grid,
        "row" => Layout::Row,
        "column" | "col" => Layout::Column,
        other => {
            return Err(usage(format!(
                "--layout {other}: expected grid, row, column, or rows of views such as \"lateral,medial;dorsal,ventral\""
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
    let resolved = inputs::resolve(a)?;
    let overlays = layers::overlay_layers(a, &resolved)?;
    let inputs::Resolved {
        surfaces,
        layers,
        notes,
        ..
    } = resolved;
    let foci = foci(a, &surfaces)?;
    let spec = FigureSpec {
        foci,
        foci_files: a.foci.clone(),
        surfaces,
        map: a.map.last().map(|m| layers::map_selector(m)),
        cortex,
        layers,
        outline_px: a.outline_width,
        border_color: a
            .border_color
            .as_deref()
            .map(|c| {
                crate::color::parse_color(c).ok_or_else(|| {
                    usage(format!(
                        "--border-color {c}: expected a colour name or #rrggbb"
                    ))
                })
            })
            .transpose()?,
        outline_color: crate::color::parse_color(&a.outline_color).ok_or_else(|| {
            usage(format!(
                "--outline-color {}: expected a colour name or #rrggbb",
                a.outline_color
            ))
        })?,
        contour_levels: if a.levels.is_empty() {
            if a.n_contours == 0 || a.n_contours > 100 {
                return Err(usage(format!(
                    "--n-contours {}: expected 1 to 100",
                    a.n_contours
                )));
            }
            ContourLevels::Count(a.n_contours)
        } else {
            if a.levels.iter().any(|l| !l.is_finite()) {
                return Err(usage("--levels: every level must be a finite number"));
            }
            ContourLevels::Given(a.levels.clone())
        },
        contour_cmap: Colormap::from_name(&a.contour_cmap)
            .map_err(|e| usage(format!("--contour-cmap: {e}")))?,
        overlays,
        views,
        zoom: a.zoom,
        layout,
        size,
        background,
        colorbar: !a.no_colorbar,
        colorbar_vertical: match a.cbar_orientation.as_str() {
            "horizontal" | "h" => false,
            "vertical" | "v" => true,
            o => {
                return Err(usage(format!(
                    "--cbar-orientation {o}: expected horizontal or vertical"
                )))
            }
        },
        colorbar_ticks: match a.cbar_ticks {
            Some(n) if !(2..=20).contains(&n) => {
                return Err(usage(format!("--cbar-ticks {n}: expected 2 to 20")))
            }
            n => n,
        },
        colorbar_format: crate::montage::colorbar::TickFormat::parse(&a.cbar_format).ok_or_else(
            || {
                usage(format!(
                    "--cbar-format {}: expected auto, %.Nf or %.Ne",
                    a.cbar_format
                ))
            },
        )?,
        font_size: match a.font_size {
            Some(pt) if !(pt.is_finite() && (2.0..=200.0).contains(&pt)) => {
                return Err(usage(format!("--font-size {pt}: expected 2 to 200 points")))
            }
            pt => pt,
        },
        colorbar_file: a.colorbar_file.clone(),
        panel_labels: a.panel_labels,
        panel_size: match a.panel_size.as_deref().map(parse_size).transpose()? {
            Some((Some(w), Some(h))) => Some((w, h)),
            Some(_) => return Err(usage("--panel-size: give both sides, WxH")),
            None => None,
        },
        scale: if a.scale.is_finite() && (0.1..=10.0).contains(&a.scale) {
            a.scale
        } else {
            return Err(usage(format!(
                "--scale {}: must be between 0.1 and 10",
                a.scale
            )));
        },
        dpi: match a.dpi {
            Some(d) if !(1..=10_000).contains(&d) => {
                return Err(usage(format!("--dpi {d}: must be 1 to 10000")))
            }
            d => d,
        },
        title: a.title.clone().filter(|t| !t.trim().is_empty()),
        egl_device: a.egl_device,
        backend: BackendKind::parse(&a.backend).ok_or_else(|| {
            usage(format!(
                "--backend {}: expected auto, egl, osmesa or cpu",
                a.backend
            ))
        })?,
        allow_empty: a.allow_empty,
        notes,
    };
    check_layer_count(&spec)?;
    Ok(spec)
}

/// Each hemisphere draws at most [`MAX_LAYERS`](crate::render::MAX_LAYERS) layers, its
/// overlays and filled annotations and labels (foci take none); say so before reading any
/// file.
fn check_layer_count(spec: &FigureSpec) -> Result<()> {
    let max = crate::render::MAX_LAYERS;
    for s in &spec.surfaces {
        let filled = spec
            .layers
            .iter()
            .filter(|l| l.hemi == s.hemi && !l.outline)
            .count();
        let overlays = s.overlays.iter().flatten().count();
        let n = filled + overlays;
        if n > max {
            return Err(usage(format!(
                "{}: {n} layers ({overlays} overlays, {filled} filled annotations and labels); at most {max} per hemisphere (the first plus at most {} more)",
                s.hemi,
                max - 1
            )));
        }
    }
    Ok(())
}

/// Foci from --focus, --focus-vertex and --foci files.
fn foci(
    a: &Args,
    surfaces: &[crate::spec::SurfaceInput],
) -> Result<Vec<crate::scene::foci::Focus>> {
    use crate::scene::foci::{read_foci, Focus, FocusAt};
    if !(a.focus_radius.is_finite() && a.focus_radius > 0.0) {
        return Err(usage(format!(
            "--focus-radius {}: must be a positive number of millimetres",
            a.focus_radius
        )));
    }
    let rgb = crate::color::parse_color(&a.focus_color).ok_or_else(|| {
        usage(format!(
            "--focus-color {}: expected a colour name or #rrggbb",
            a.focus_color
        ))
    })?;
    let single = (surfaces.len() == 1).then(|| surfaces[0].hemi);
    let mut out = Vec::new();
    for f in &a.focus {
        let c: Vec<f32> = f
            .split(',')
            .filter_map(|v| v.trim().parse().ok())
            .filter(|v: &f32| v.is_finite())
            .collect();
        let [x, y, z] = c[..] else {
            return Err(usage(format!("--focus {f}: expected X,Y,Z in millimetres")));
        };
        out.push(Focus {
            at: FocusAt::Coords([x, y, z]),
            radius: a.focus_radius,
            rgb,
            source: None,
        });
    }
    for f in &a.focus_vertex {
        let (hemi, n) = match f.split_once(':') {
            Some((h, n)) => (Hemi::parse(h), n),
            None => (single, f.as_str()),
        };
        let (Some(hemi), Ok(n)) = (hemi, n.trim().parse::<u32>()) else {
            return Err(usage(format!(
                "--focus-vertex {f}: expected N, or lh:N / rh:N with two hemispheres"
            )));
        };
        out.push(Focus {
            at: FocusAt::Vertex(hemi, n),
            radius: a.focus_radius,
            rgb,
            source: None,
        });
    }
    for path in &a.foci {
        out.extend(read_foci(path, a.focus_radius, rgb, single)?);
    }
    Ok(out)
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

/// The command line that makes this figure, rebuilt from the effective options (without
/// the output name), so a figure made from a spec file and the same figure made from the
/// command line carry the same metadata and are byte-identical.
fn canonical_command(effective: &specfile::FigureFile) -> String {
    let mut f = effective.clone();
    f.output = None;
    let words: Vec<String> = f
        .to_args(&|_| false)
        .iter()
        .map(|w| {
            let w = w.to_string_lossy();
            if !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./,=:%#+".contains(c))
            {
                w.into_owned()
            } else {
                format!("'{}'", w.replace('\'', "'\\''"))
            }
        })
        .collect();
    format!("surfrender {}", words.join(" "))
}

/// Writes `text` and a newline to standard output; a failure, such as a pipe closed by
/// its reader, is an [`Error::Stdout`].
pub(crate) fn out(text: &str) -> Result<()> {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    writeln!(o, "{text}")
        .and_then(|()| o.flush())
        .map_err(Error::Stdout)
}

/// Text after the flags in `--help`: the colormap names, which are too many for a flag's
/// one-line help.
pub fn help_footer() -> String {
    format!(
        "Colormaps (append _r to reverse): {}\n\nExit status: 0 figure written, 1 input or rendering error, 2 usage error.",
        Colormap::names().join(", ")
    )
}

/// Runs the command line: renders and writes the figure, or runs a subcommand. Returns
/// notices to print.
pub fn run(a: &Args) -> Result<Vec<String>> {
    match &a.command {
        Some(Command::Inspect { files, json }) => {
            inspect::run(files, *json)?;
            return Ok(Vec::new());
        }
        Some(Command::Backends { json }) => {
            backends::run(*json)?;
            return Ok(Vec::new());
        }
        None => {}
    }
    let mut notes_early = Vec::new();
    let effective = specfile::FigureFile::from_args(a, &overlay_layers(a)?).absolute();
    if a.print_spec {
        out(effective.to_toml()?.trim_end_matches('\n'))?;
        return Ok(Vec::new());
    }
    let out = a
        .output
        .as_deref()
        .ok_or_else(|| usage("-o/--output is required (or `output` in the --spec file)"))?;
    let spec = to_spec(a)?;
    output::check_destination(out)?;
    output::check_destination(&sidecar::path(out))?;
    if let Some(bar) = &spec.colorbar_file {
        output::check_destination(bar)?;
        crate::montage::colorbar::file_is_svg(bar)?;
        if spec.overlays.is_empty() {
            notes_early.push("--colorbar-file ignored: there is no --overlay".to_string());
        }
    }
    let mut notes = notes_early;
    notes.extend(spec.notes.iter().cloned());
    if a.contours.is_empty()
        && (!a.levels.is_empty() || a.n_contours != 7 || a.contour_cmap != "YlOrRd_r")
    {
        notes.push(
            "--levels, --n-contours and --contour-cmap ignored: there is no --contours".to_string(),
        );
    }
    if spec.overlays.is_empty() {
        let unused = layers::unused_options(a);
        if !unused.is_empty() {
            notes.push(format!(
                "{} ignored: there is no --overlay",
                unused.join(", ")
            ));
        }
    }
    let mut renderer = crate::render::Renderer::new(figure::render_options(&spec));
    let fig = figure::render_figure(&renderer, &spec)?;
    // The backend is torn down on its own thread while the PNG is written.
    renderer.close();
    notes.extend(fig.notices.iter().cloned());
    let metadata = vec![
        (
            "Software".to_string(),
            format!("surfrender {}", env!("CARGO_PKG_VERSION")),
        ),
        (
            "surfrender:command".to_string(),
            canonical_command(&effective),
        ),
        (
            "surfrender:backend".to_string(),
            // The origin only: the CPU renderer's name carries its thread count, which
            // must not change the file (images are identical for any thread count).
            fig.backend.origin.clone(),
        ),
    ];
    let mut t = std::time::Instant::now();
    output::write_png(out, &fig.image, fig.alpha, &metadata, spec.dpi)?;
    if let Err(e) = sidecar::write(out, &effective, &spec, &fig.backend) {
        // No half-made result: the figure goes with its record or not at all.
        let _ = std::fs::remove_file(out);
        return Err(e);
    }
    crate::timing::stage("write", &mut t);
    Ok(if a.quiet { Vec::new() } else { notes })
}
