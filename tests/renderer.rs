//! One renderer for many figures: a dozen different figures, drawn again and again
//! through one `Renderer` (from several threads at once, reading through one shared
//! `read::Cache`), give the same pixels as one renderer per figure, on every backend
//! present; each renderer creates one context; colour ranges can come from any frames.

use std::process::Command;

use surfrender::figure::{render_figure, render_figure_with};
use surfrender::read::{self, Cache};
use surfrender::render::{BackendKind, RenderOptions, Renderer};
use surfrender::scene::{self, RangeFrames};
use surfrender::spec::FigureSpec;
use surfrender::FigureDesc;

use crate::backends::required;
use crate::util;

/// The figure the command line `args` describes, as the binary reads it.
fn spec_of(args: &[&str]) -> FigureSpec {
    let argv = std::iter::once("surfrender").chain(args.iter().copied());
    FigureDesc::from_args(argv)
        .and_then(|d| d.resolve())
        .unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

/// A dozen small figures that between them use every kind of layer, foci, lines,
/// masks, both hemispheres, several views and backgrounds. Names of files in
/// data/fsaverage5 stand for those files.
const FIGURES: &[&str] = &[
    "lh.inflated --overlay lh.thickness",
    "lh.inflated rh.inflated --overlay lh.thickness --overlay rh.thickness --threshold 2.5 --range 2.5 4 --cmap hot",
    "lh.inflated --annot lh.synthkmeans.annot --annot-outline",
    "lh.inflated --overlay lh.stat.mgh --label lh.synth05.label --label-outline",
    "lh.inflated --overlay lh.thickness --cmap gray --contours lh.stat.mgh --n-contours 5",
    "lh.inflated --overlay lh.stat.mgh --mask lh.synth05.label --threshold 1",
    "lh.inflated rh.inflated --focus -40,20,30 --focus-vertex rh:100 --focus-radius 8 --focus-color red --overlay lh.thickness --overlay rh.thickness",
    "lh.inflated rh.inflated --overlay lh.thickness --overlay rh.thickness --cmap gray --overlay lh.stat.mgh --overlay rh.stat.mgh --threshold 2.3 --opacity 0.8",
    "lh.inflated rh.inflated --annot lh.synthkmeans.annot --annot rh.synthkmeans.annot --annot-alpha 0.6 --overlay lh.stat.mgh --overlay rh.stat.mgh --threshold 2",
    "lh.inflated --overlay lh.stat.mgh --symmetric --cmap RdBu_r --range 0 5 --background transparent",
    "lh.inflated --overlay lh.stat.mgh --sign neg --threshold 1 --cortex none",
    "lh.pial --overlay lh.thickness --views dorsal,lateral --azimuth 30",
];

fn figures() -> Vec<FigureSpec> {
    FIGURES
        .iter()
        .map(|f| {
            let args: Vec<String> = f
                .split_whitespace()
                .chain(["--size", "240x"])
                .map(|a| match util::data(a) {
                    p if p.is_file() => p.display().to_string(),
                    _ => a.to_string(),
                })
                .collect();
            spec_of(&args.iter().map(String::as_str).collect::<Vec<_>>())
        })
        .collect()
}

fn options(backend: BackendKind) -> RenderOptions {
    RenderOptions {
        backend,
        ..Default::default()
    }
}

/// The figures, each asking for `backend` (a renderer draws only what asks for its own).
fn on(backend: BackendKind, specs: &[FigureSpec]) -> Vec<FigureSpec> {
    specs
        .iter()
        .map(|s| FigureSpec {
            backend,
            ..s.clone()
        })
        .collect()
}

/// The pixels of each figure, each through a renderer of its own (as separate runs of
/// the program draw them); `None` when the backend is not present here.
fn separately(backend: BackendKind, specs: &[FigureSpec]) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    for spec in specs {
        match render_figure(&Renderer::new(options(backend)), spec) {
            Ok(fig) => out.push(fig.image.into_raw()),
            Err(e) if backend != BackendKind::Cpu && !required() => {
                eprintln!("SKIPPED: no {} backend here ({e})", backend.as_str());
                return None;
            }
            Err(e) => panic!("{}: {e}", backend.as_str()),
        }
    }
    Some(out)
}

#[test]
fn many_figures_through_one_renderer_match_separate_renders() {
    for backend in [BackendKind::Cpu, BackendKind::Egl, BackendKind::OsMesa] {
        let specs = on(backend, &figures());
        let Some(want) = separately(backend, &specs) else {
            continue;
        };
        let name = backend.as_str();
        let renderer = Renderer::new(options(backend));
        let cache = Cache::new();
        let check = |round: usize, i: usize| {
            let fig = render_figure_with(&renderer, &specs[i], &cache)
                .unwrap_or_else(|e| panic!("{name}, figure {i}, round {round}: {e}"));
            assert!(
                fig.image.as_raw() == &want[i],
                "{name}: figure {i} in round {round} differs from its own render"
            );
        };
        // Two rounds in turn, then two rounds from two threads at once: 48 figures.
        for round in 0..2 {
            (0..specs.len()).for_each(|i| check(round, i));
        }
        let (check, n) = (&check, specs.len());
        std::thread::scope(|s| {
            for round in 2..4 {
                s.spawn(move || (0..n).for_each(|i| check(round, i)));
            }
        });
    }
}

/// This test binary running `test` alone in a child process, where no other test
/// creates contexts meanwhile, with `SURFRENDER_TIMING` set.
fn run_alone(test: &str) -> std::process::Output {
    Command::new(std::env::current_exe().expect("test binary"))
        .args([
            test,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("SURFRENDER_ALONE", "1")
        .env("SURFRENDER_TIMING", "1")
        .output()
        .expect("run the test binary")
}

#[test]
fn each_renderer_creates_one_context() {
    let o = run_alone("renderer::one_context_per_renderer");
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert!(o.status.success(), "{out}\n{err}");
    assert!(out.contains("1 passed"), "the child ran no test:\n{out}");
    // One `timing: context` line per renderer: the CPU's and each GL backend's.
    let renderers = 1 + out.matches("GL renderer ok").count();
    assert_eq!(
        err.matches("timing: context").count(),
        renderers,
        "{out}\n{err}"
    );
}

#[test]
#[ignore = "run alone, in a child process, by each_renderer_creates_one_context"]
fn one_context_per_renderer() {
    if std::env::var_os("SURFRENDER_ALONE").is_none() {
        return;
    }
    let count = surfrender::timing::contexts_created;
    for backend in [BackendKind::Cpu, BackendKind::Egl, BackendKind::OsMesa] {
        let specs = on(backend, &figures());
        let before = count();
        let renderer = Renderer::new(options(backend));
        for spec in specs.iter().chain(&specs) {
            if let Err(e) = render_figure(&renderer, spec) {
                assert!(backend != BackendKind::Cpu && !required(), "{e}");
                println!("SKIPPED: no {} backend here ({e})", backend.as_str());
                break;
            }
        }
        drop(renderer);
        let made = count() - before;
        match backend {
            BackendKind::Cpu => assert_eq!(made, 0, "the CPU renderer made a GL context"),
            _ if made == 0 => {}
            _ => {
                assert_eq!(made, 1, "{}: contexts for 24 figures", backend.as_str());
                println!("GL renderer ok: {}", backend.as_str());
            }
        }
    }
}

#[test]
fn read_cache_shares_decoded_files() {
    let cache = Cache::new();
    let spec = &figures()[1];
    let (a, b) = (
        read::read(spec, &cache).expect("read"),
        read::read(spec, &cache).expect("read"),
    );
    for (x, y) in a.surfaces.iter().zip(&b.surfaces) {
        assert!(
            std::sync::Arc::ptr_eq(&x.mesh, &y.mesh),
            "surface read twice"
        );
        let (Some(Some(p)), Some(Some(q))) = (x.overlays.first(), y.overlays.first()) else {
            panic!("overlays missing");
        };
        assert!(std::sync::Arc::ptr_eq(p, q), "overlay read twice");
    }
}

#[test]
fn colour_ranges_come_from_the_frames_asked_for() {
    // lr.dscalar.nii holds thickness (up to 4.4) and a synthetic map (up to 2460).
    let cifti = util::root().join("tests/data/cifti/lr.dscalar.nii");
    let d = |name: &str| util::data(name).display().to_string();
    let spec = spec_of(&[
        &d("lh.inflated"),
        &d("rh.inflated"),
        "--overlay",
        &cifti.display().to_string(),
        "--map",
        "thickness",
    ]);
    let inputs = read::read(&spec, &Cache::new()).expect("read");
    assert_eq!(
        inputs.surfaces[0].overlays[0].as_ref().map(|o| o.n_frames),
        Some(2),
        "every frame is kept"
    );
    let hi = |ranges: RangeFrames| {
        let (scene, _) = scene::build(&inputs, &spec, &ranges).expect("scene");
        scene.mapping(0).expect("mapping").hi
    };
    let (shown, all, second) = (
        hi(RangeFrames::Displayed),
        hi(RangeFrames::All),
        hi(RangeFrames::These(vec![1])),
    );
    assert!(shown > 2.0 && shown < 4.5, "thickness range up to {shown}");
    assert!(all > 100.0, "range over both frames up to {all}");
    assert!(
        second >= all,
        "the synthetic map alone: up to {second}, both: {all}"
    );
    let err = scene::build(&inputs, &spec, &RangeFrames::These(vec![2]))
        .expect_err("frame 2 does not exist");
    assert!(err.to_string().contains("has 2 frame(s)"), "{err}");
}

/// Frame `k` of a made-up movie of `scene`: the same geometry, every overlay value
/// changed (holes of no data too) and each mapping resolved again from the new values
/// with `spec`'s styles.
fn movie_frame(spec: &FigureSpec, scene: &scene::Scene, k: usize) -> scene::Scene {
    let mut s = scene.clone();
    for surf in &mut s.surfaces {
        for l in &mut surf.layers {
            if let scene::Paint::Values { values, .. } = &mut l.paint {
                for (i, v) in values.iter_mut().enumerate() {
                    let wiggle = ((i * 7 + k * 3) % 11) as f32 * 0.2;
                    *v = if k % 2 == 1 && i % 97 == 0 {
                        f32::NAN
                    } else {
                        *v * (1.0 + 0.4 * k as f32) - 0.5 * k as f32 + wiggle
                    };
                }
            }
        }
    }
    s.mappings = (spec.overlays.iter().enumerate())
        .map(|(k, layer)| {
            let values: Vec<&[f32]> = s.surfaces.iter().filter_map(|h| h.values(k)).collect();
            surfrender::color::ColorMapping::resolve(&layer.style, &values).ok()
        })
        .collect();
    s
}

/// Regression test for #12 (item 6): the frames of a movie drawn with a geometry key
/// through one renderer, which keeps the geometry and only re-colours it, are
/// byte-identical to each frame drawn alone, on every backend present; a figure
/// without the key in between is drawn in full.
#[test]
fn frames_with_a_geometry_key_match_frames_drawn_alone() {
    let args: Vec<String> = "lh.inflated rh.inflated --annot lh.synthkmeans.annot --annot rh.synthkmeans.annot --annot-alpha 0.6 --overlay lh.stat.mgh --overlay rh.stat.mgh --threshold 2 --label lh.synth05.label --label-outline --focus-vertex lh:100 --focus-radius 8 --views lateral,dorsal --size 360x"
        .split_whitespace()
        .map(|a| match util::data(a) {
            p if p.is_file() => p.display().to_string(),
            _ => a.to_string(),
        })
        .collect();
    let spec = spec_of(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let inputs = read::read(&spec, &Cache::new()).expect("read");
    let (base, _) = scene::build(&inputs, &spec, &RangeFrames::Displayed).expect("scene");
    assert!(base.surfaces.iter().any(|s| !s.lines.is_empty()), "borders");
    let plan = surfrender::montage::plan(
        &base,
        &surfrender::montage::LayoutOptions {
            size: spec.size,
            ..surfrender::montage::LayoutOptions::new(&spec.views)
        },
    )
    .expect("layout");
    assert!(
        plan.panels.iter().any(|p| p.parts.len() == 2),
        "a whole-brain panel"
    );
    let frames: Vec<scene::Scene> = (0..4).map(|k| movie_frame(&spec, &base, k)).collect();
    for backend in [BackendKind::Cpu, BackendKind::Egl, BackendKind::OsMesa] {
        let name = backend.as_str();
        let alone = |f: &scene::Scene| {
            let scene = std::sync::Arc::new(f.clone());
            Renderer::new(options(backend)).render(scene, plan.panels.clone())
        };
        let want: Vec<_> = match frames.iter().map(alone).collect::<Result<Vec<_>, _>>() {
            Ok(w) => w.into_iter().map(|(images, _)| images).collect(),
            Err(e) if backend != BackendKind::Cpu && !required() => {
                eprintln!("SKIPPED: no {name} backend here ({e})");
                continue;
            }
            Err(e) => panic!("{name}: {e}"),
        };
        assert!(
            want.windows(2).all(|w| w[0] != w[1]),
            "{name}: frames differ"
        );
        let renderer = Renderer::new(options(backend));
        let before = surfrender::timing::figures_from_kept_geometry();
        // Frames 0, 1, then frame 2 without the key (drawn in full, and the kept
        // geometry let go), then 2 and 3 with it again.
        for (k, key) in [
            (0, Some(5)),
            (1, Some(5)),
            (2, None),
            (2, Some(5)),
            (3, Some(5)),
        ] {
            let scene = scene::Scene {
                geometry_key: key,
                ..frames[k].clone()
            };
            let (images, _) = renderer
                .render(std::sync::Arc::new(scene), plan.panels.clone())
                .unwrap_or_else(|e| panic!("{name}, frame {k}: {e}"));
            assert!(
                images == want[k],
                "{name}: frame {k} with key {key:?} differs from the frame drawn alone"
            );
        }
        let reused = surfrender::timing::figures_from_kept_geometry() - before;
        assert!(
            reused >= 2,
            "{name}: {reused} frames drawn from kept geometry"
        );
    }
}
