//! Several figures from one program through the library: each described as on the command
//! line, all drawn by one `Renderer` (its context made once) reading through one shared
//! `read::Cache` (each file decoded once), and written as the `surfrender` binary writes
//! them (PNG with its canonical command, and the JSON sidecar), byte for byte.
//!
//! ```sh
//! cargo run --release --example many_figures -- OUT_DIR [DATA_DIR]
//! SURFRENDER_TIMING=1 SURFRENDER_BACKEND=egl cargo run --release --example many_figures -- /tmp/figs
//! ```
//!
//! DATA_DIR holds FreeSurfer's fsaverage5 files (default `data/fsaverage5`).

use std::error::Error;
use std::path::PathBuf;

use surfrender::render::Renderer;
use surfrender::{figure, output, read, FigureDesc};

/// The figures, as command-line arguments after the program name (`{d}` is DATA_DIR).
const FIGURES: &[(&str, &str)] = &[
    ("thickness", "{d}/lh.inflated {d}/rh.inflated --overlay {d}/lh.thickness --overlay {d}/rh.thickness --threshold 2.5 --range 2.5 4 --cmap hot"),
    ("stat", "{d}/lh.inflated {d}/rh.inflated --overlay {d}/lh.stat.mgh --overlay {d}/rh.stat.mgh --threshold 2.3 --outline"),
    ("stack", "{d}/lh.inflated --overlay {d}/lh.thickness --cmap gray --overlay {d}/lh.stat.mgh --threshold 2 --opacity 0.8"),
    ("parcels", "{d}/lh.inflated --annot {d}/lh.synthkmeans.annot --annot-alpha 0.7 --views lateral,medial,dorsal"),
    ("dorsal", "{d}/lh.inflated {d}/rh.inflated --overlay {d}/lh.thickness --overlay {d}/rh.thickness --views dorsal --size 600x"),
];

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(
        args.next()
            .ok_or("usage: many_figures OUT_DIR [DATA_DIR]")?,
    );
    let data = args.next().unwrap_or_else(|| "data/fsaverage5".into());
    std::fs::create_dir_all(&out)?;
    let descs: Vec<(&str, FigureDesc)> = FIGURES
        .iter()
        .map(|(name, line)| {
            let line = line.replace("{d}", &data);
            let argv = std::iter::once("surfrender").chain(line.split(' '));
            Ok((*name, FigureDesc::from_args(argv)?))
        })
        .collect::<surfrender::Result<_>>()?;
    // Every figure asks for the same backend (--backend, else SURFRENDER_BACKEND, else
    // auto), so the first one's options open the renderer for all.
    let first = descs.first().ok_or("no figures")?.1.resolve()?;
    let renderer = Renderer::new(figure::render_options(&first));
    let cache = read::Cache::new();
    for (name, desc) in &descs {
        let spec = desc.resolve()?;
        let fig = figure::render_figure_with(&renderer, &spec, &cache)?;
        let path = out.join(format!("{name}.png"));
        output::write_figure(&path, &fig, desc, &spec)?;
        println!("{}", path.display());
    }
    eprintln!(
        "{} figures, {} rendering context(s) made",
        descs.len(),
        surfrender::timing::contexts_created()
    );
    Ok(())
}
