//! Times the frames of a movie through one `Renderer`: the same figure again and again
//! with only the overlay's frame changing, drawn once with a `Scene::geometry_key` (the
//! renderer keeps the geometry and only shades each frame again) and once without (each
//! frame a full render). Prints the median render time per frame of each, checks that
//! both give the same pixels, and the median time to build a frame's scene.
//!
//! ```sh
//! cargo run --release --example movie_frames -- --frames 50 -- \
//!     ../shared/data/fsaverage5/surf/rh.inflated \
//!     --overlay ../shared/data/timeseries/sub-010188_ses-02_task-rest_acq-AP_run-01.fsa5.rh.mgz \
//!     --views lateral,medial --layout row --size 1200x450 --backend cpu
//! ```
//!
//! Everything after `--` is a `surfrender` command line (its `--frame` is ignored); with
//! `--backend egl` the GL path is timed.

use std::error::Error;
use std::sync::Arc;
use std::time::Instant;

use surfrender::figure::render_options;
use surfrender::montage::{self, LayoutOptions};
use surfrender::render::Renderer;
use surfrender::scene::{self, RangeFrames, Scene};
use surfrender::FigureDesc;

fn main() -> Result<(), Box<dyn Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut frames = 50usize;
    if let Some(at) = args.iter().position(|a| a == "--frames") {
        frames = args.get(at + 1).and_then(|s| s.parse().ok()).unwrap_or(50);
        args.drain(at..at + 2);
    }
    if args.first().map(String::as_str) == Some("--") {
        args.remove(0);
    }
    let argv = std::iter::once("surfrender".to_string()).chain(args);
    let spec = FigureDesc::from_args(argv)?.resolve()?;
    let inputs = surfrender::read::read(&spec, &surfrender::read::Cache::new())?;
    // One colour range over all frames timed, as a movie has.
    let ranges = RangeFrames::These((0..frames).collect());
    let mut build_ms = Vec::new();
    let scenes: Vec<Scene> = (0..frames)
        .map(|k| {
            let mut spec = spec.clone();
            for layer in &mut spec.overlays {
                layer.frame = k;
            }
            let t = Instant::now();
            let scene = scene::build(&inputs, &spec, &ranges).map(|(s, _)| s);
            build_ms.push(t.elapsed().as_secs_f64() * 1e3);
            scene
        })
        .collect::<surfrender::Result<_>>()?;
    let first = scenes.first().ok_or("no frames")?;
    let plan = montage::plan(
        first,
        &LayoutOptions {
            zoom: spec.zoom,
            layout: spec.layout.clone(),
            size: spec.size,
            colorbar: spec.colorbar,
            panel_labels: spec.panel_labels,
            scale: spec.scale,
            ..LayoutOptions::new(&spec.views)
        },
    )?;
    let renderer = Renderer::new(render_options(&spec));
    let mut images = Vec::new();
    for key in [None, Some(1), None] {
        let mut times = Vec::new();
        let mut drawn = Vec::new();
        let cpu = cpu_seconds();
        for s in &scenes {
            let scene = Arc::new(Scene {
                geometry_key: key,
                ..s.clone()
            });
            let t = Instant::now();
            let (imgs, _) = renderer.render(scene, plan.panels.clone())?;
            times.push(t.elapsed().as_secs_f64() * 1e3);
            drawn.push(imgs);
        }
        let cpu = (cpu_seconds() - cpu) * 1e3 / times.len() as f64;
        times.sort_by(f64::total_cmp);
        println!(
            "{:<17} median {:6.2} ms a frame, {cpu:.2} ms of CPU time (min {:.2}, max {:.2}; {} frames, {} panels)",
            if key.is_some() { "geometry kept:" } else { "full render:" },
            times[times.len() / 2],
            times[0],
            times[times.len() - 1],
            times.len(),
            plan.panels.len()
        );
        images.push(drawn);
    }
    let same = images.windows(2).all(|w| w[0] == w[1]);
    println!("frames identical with and without the key: {same}");
    build_ms.sort_by(f64::total_cmp);
    println!(
        "scene::build median {:.2} ms a frame",
        build_ms[build_ms.len() / 2]
    );
    if !same {
        return Err("frames differ".into());
    }
    Ok(())
}

/// CPU time this process has used, in seconds (Linux; 0 elsewhere): on a machine shared
/// with other work it says more about the cost of a frame than the wall clock does.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command's closing parenthesis; utime and stime are the 12th
    // and 13th of them, in clock ticks (100 a second on Linux).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let ticks: f64 = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse::<f64>().ok())
        .sum();
    ticks / 100.0
}
