//! Whole-brain panels (#11 item 7): with two hemispheres, the dorsal, ventral, anterior and
//! posterior views show both in one panel, the left hemisphere on the side the
//! orientation contract says; inflated hemispheres are set apart as PySurfer sets them,
//! pial ones stay where they are; `--split-views` keeps one panel per hemisphere.

use std::path::Path;

use image::RgbaImage;
use surfrender::hemi::Hemi;
use surfrender::montage::{self, LayoutOptions};
use surfrender::scene::{Scene, SceneSurface, View, ViewName};

use crate::util;

/// A value of 3 on every vertex of the left hemisphere (fsaverage5: 10242 vertices), so
/// that the left hemisphere is coloured and the right one grey.
fn lh_marker(dir: &Path) -> String {
    let p = util::write_mgh(dir, "lh.mark.mgh", &[3.0; 10242]);
    p.display().to_string()
}

/// A figure of `lh.SURF` and `rh.SURF` with the left hemisphere coloured.
fn figure(dir: &Path, surf: &str, views: &str, extra: &[&str]) -> RgbaImage {
    let mark = lh_marker(dir);
    let (lh, rh) = (
        util::data_arg(&format!("lh.{surf}")),
        util::data_arg(&format!("rh.{surf}")),
    );
    let mut args = vec![
        lh.as_str(),
        &rh,
        "--overlay",
        &mark,
        "--range",
        "1",
        "5",
        "--views",
        views,
        "--backend",
        "cpu",
    ];
    args.extend_from_slice(extra);
    let name = format!("{surf}_{}_{}.png", views.replace(',', "-"), extra.len());
    util::render_small(dir, &name, &args)
}

fn colored(p: &image::Rgba<u8>) -> bool {
    util::chroma(p) > 60
}

/// Cortex grey: neutral, and not the white background.
fn grey(p: &image::Rgba<u8>) -> bool {
    util::chroma(p) < 12 && p[0] < 240
}

/// Mean column of the pixels matching `f`.
fn mean_x(img: &RgbaImage, f: impl Fn(&image::Rgba<u8>) -> bool) -> f32 {
    let (mut sum, mut n) = (0.0, 0.0);
    for (x, _, p) in img.enumerate_pixels() {
        if f(p) {
            sum += x as f32;
            n += 1.0;
        }
    }
    assert!(n > 500.0, "too few pixels ({n})");
    sum / n
}

/// Columns of the pixels matching `f` in row `y`, as (first, last).
fn extent(img: &RgbaImage, y: u32, f: impl Fn(&image::Rgba<u8>) -> bool) -> Option<(u32, u32)> {
    let xs: Vec<u32> = (0..img.width())
        .filter(|&x| f(img.get_pixel(x, y)))
        .collect();
    Some((*xs.first()?, *xs.last()?))
}

#[test]
fn whole_brain_views_put_each_hemisphere_on_its_side() {
    let dir = util::out_dir("wholebrain_sides");
    for surf in ["inflated", "pial"] {
        for (view, lh_left) in [
            ("dorsal", true),
            ("ventral", false),
            ("anterior", false),
            ("posterior", true),
        ] {
            let img = figure(&dir, surf, view, &[]);
            let (lx, rx) = (mean_x(&img, colored), mean_x(&img, grey));
            assert_eq!(
                lx < rx,
                lh_left,
                "{surf} {view}: left hemisphere at x {lx:.0}, right at {rx:.0}"
            );
            // One panel of both: the hemispheres lie side by side in the same rows,
            // meeting in the middle rather than across a gap between two panels.
            let (w, h) = img.dimensions();
            let y = h / 2;
            let l = extent(&img, y, colored).expect("left hemisphere in the middle row");
            let r = extent(&img, y, grey).expect("right hemisphere in the middle row");
            let gap = if lh_left {
                r.0 as i64 - l.1 as i64
            } else {
                l.0 as i64 - r.1 as i64
            };
            assert!(
                gap < (w / 40) as i64,
                "{surf} {view}: {gap} px between the hemispheres in a {w} px figure"
            );
        }
    }
}

#[test]
fn inflated_hemispheres_do_not_overlap_in_the_dorsal_view() {
    let dir = util::out_dir("wholebrain_overlap");
    let img = figure(&dir, "inflated", "dorsal", &[]);
    let (mut rows, mut closest) = (0, u32::MAX);
    for y in 0..img.height() {
        let (Some(l), Some(r)) = (extent(&img, y, colored), extent(&img, y, grey)) else {
            continue;
        };
        rows += 1;
        // Every coloured (left) pixel lies left of every grey (right) one, give or take
        // the edge pixel where the two meet.
        assert!(
            l.1 <= r.0 + 1,
            "row {y}: left reaches {}, right starts at {}",
            l.1,
            r.0
        );
        closest = closest.min(r.0.saturating_sub(l.1));
    }
    assert!(rows > 100, "only {rows} rows show both hemispheres");
    // PySurfer sets the medial walls' extremes at x = 0: the hemispheres meet there.
    assert!(
        closest <= 3,
        "the hemispheres are {closest} px apart at the closest"
    );
}

/// A scene of `lh.SURF` and `rh.SURF` without colours, for the layout alone.
fn scene(surf: &str) -> Scene {
    let side = |hemi: Hemi| {
        let mesh = surfrender::io::read_surface(&util::data(&format!("{hemi}.{surf}")))
            .expect("read surface");
        SceneSurface {
            hemi,
            normals: mesh.vertex_normals().into(),
            winding: mesh.outward_winding(),
            mesh: mesh.into(),
            curv: None,
            layers: Vec::new(),
            foci: Default::default(),
            lines: Vec::new(),
            edges: Vec::new(),
        }
    };
    Scene {
        surfaces: vec![side(Hemi::Left), side(Hemi::Right)],
        mappings: Vec::new(),
        cortex: surfrender::color::Cortex::Classic,
        outline_px: 2.0,
        edge_px: 0.0,
        geometry_key: None,
    }
}

#[test]
fn inflated_hemispheres_are_offset_as_pysurfer_does_and_pial_ones_are_not() {
    let views = [View::named(ViewName::Dorsal)];
    for (surf, shifted) in [("inflated", true), ("pial", false)] {
        let sc = scene(surf);
        let plan = montage::plan(&sc, &LayoutOptions::new(&views)).expect("layout");
        assert_eq!(plan.panels.len(), 1, "{surf}: one whole-brain panel");
        assert_eq!(plan.names, ["both dorsal"]);
        let parts = &plan.panels[0].parts;
        assert_eq!(parts.len(), 2);
        for part in parts {
            let xs = sc.surfaces[part.surface].mesh.vertices.iter().map(|v| v[0]);
            let (lo, hi) = xs.fold((f32::MAX, f32::MIN), |(a, b), x| (a.min(x), b.max(x)));
            let want = match (shifted, sc.surfaces[part.surface].hemi) {
                (false, _) => 0.0,
                // lh x -= max x, rh x -= min x (PySurfer's Surface.load_geometry).
                (true, Hemi::Left) => -hi,
                (true, Hemi::Right) => -lo,
            };
            assert_eq!(part.offset, [want, 0.0, 0.0], "{surf} {:?}", part.surface);
        }
        // Split, each hemisphere has its own panel, drawn where it is.
        let split = LayoutOptions {
            split_views: true,
            ..LayoutOptions::new(&views)
        };
        let plan = montage::plan(&sc, &split).expect("layout");
        assert_eq!(plan.names, ["lh dorsal", "rh dorsal"]);
        assert!(plan
            .panels
            .iter()
            .all(|p| p.parts.len() == 1 && p.parts[0].offset == [0.0; 3]));
    }
}

#[test]
fn split_views_keeps_one_panel_per_hemisphere() {
    let dir = util::out_dir("wholebrain_split");
    let split = figure(&dir, "inflated", "ventral", &["--split-views"]);
    // Today's grid: lh's panel in the left column, rh's in the right, even in the
    // ventral view (where the whole-brain panel puts the left hemisphere on the right).
    let (lx, rx) = (mean_x(&split, colored), mean_x(&split, grey));
    assert!(lx < rx, "split: left panel at {lx:.0}, right at {rx:.0}");
    // The spec field draws the same figure, and --print-spec writes it (and the
    // command line turns it off).
    let mark = lh_marker(&dir);
    let spec = util::write(
        &dir,
        "split.toml",
        format!(
            "surfaces = [{:?}, {:?}]\noverlay = [{mark:?}]\nrange = [1, 5]\nviews = [\"ventral\"]\nbackend = \"cpu\"\nsplit_views = true\n",
            util::data_arg("lh.inflated"),
            util::data_arg("rh.inflated"),
        )
        .as_bytes(),
    );
    let from_spec = util::render_small(&dir, "spec.png", &["--spec", &spec.display().to_string()]);
    assert!(
        from_spec == split,
        "the spec field draws what the flag draws"
    );
    let (code, toml, err) = util::run_in(
        &dir,
        &["--spec", &spec.display().to_string(), "--print-spec"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(toml.contains("split_views = true"), "{toml}");
    let (code, toml, err) = util::run_in(
        &dir,
        &[
            "--spec",
            &spec.display().to_string(),
            "--split-views=false",
            "--print-spec",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(toml.contains("split_views = false"), "{toml}");
}

#[test]
fn grid_of_lateral_medial_and_dorsal_puts_the_whole_brain_under_both_columns() {
    let dir = util::out_dir("wholebrain_grid");
    let mark = lh_marker(&dir);
    let out = dir.join("grid.png");
    let o = util::surfrender()
        .args([
            &util::data_arg("lh.inflated") as &str,
            &util::data_arg("rh.inflated"),
            "--overlay",
            &mark,
            "--range",
            "1",
            "5",
            "--views",
            "lateral,medial,dorsal",
            "--panel-labels",
            "--backend",
            "cpu",
            "--no-colorbar",
            "-o",
        ])
        .arg(&out)
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let img = image::open(&out).expect("figure").to_rgba8();
    let (w, h) = img.dimensions();
    // Two columns as before (800 px each); the lateral and medial rows keep lh left and
    // rh right; the dorsal row is one panel centred under both, the left hemisphere on
    // its left half and the right on its right half.
    assert_eq!(w, 1600);
    let bottom = h * 3 / 4;
    let in_rows = |y0: u32, y1: u32, f: &dyn Fn(&image::Rgba<u8>) -> bool| -> f32 {
        let (mut s, mut n) = (0.0, 0.0);
        for y in y0..y1 {
            for x in 0..w {
                if f(img.get_pixel(x, y)) {
                    s += x as f32;
                    n += 1.0;
                }
            }
        }
        assert!(n > 100.0, "rows {y0}..{y1}: {n} pixels");
        s / n
    };
    // Top row (lateral): lh left half, rh right half.
    let (l, r) = (in_rows(0, h / 4, &colored), in_rows(0, h / 4, &grey));
    assert!(
        l < w as f32 / 2.0 && r > w as f32 / 2.0,
        "lateral: {l:.0} {r:.0}"
    );
    // Bottom row (dorsal): both halves around the centre, meeting there.
    let (l, r) = (in_rows(bottom, h, &colored), in_rows(bottom, h, &grey));
    let mid = w as f32 / 2.0;
    assert!(l < mid && r > mid, "dorsal: {l:.0} {r:.0}");
    assert!(
        (0.5 * (l + r) - mid).abs() < 0.05 * w as f32,
        "dorsal panel centred: {l:.0} {r:.0}"
    );
    // One panel across the centre line, not two panels with a margin between them.
    let y = h * 4 / 5;
    let all = extent(&img, y, |p| p[0] < 240).expect("dorsal row");
    assert!(all.0 < 760 && all.1 > 840, "dorsal spans {all:?}");
}

#[test]
fn gl_backends_draw_whole_brain_panels_as_the_cpu_renderer_does() {
    use crate::backends::{agreement, figure_of, required};
    let dir = util::out_dir("wholebrain_backends");
    let mark = lh_marker(&dir);
    let (lh, rh) = (util::data_arg("lh.inflated"), util::data_arg("rh.inflated"));
    let args = [
        lh.as_str(),
        &rh,
        "--overlay",
        &mark,
        "--range",
        "1",
        "5",
        "--views",
        "dorsal,anterior",
        "--size",
        "400x",
        "--no-colorbar",
    ];
    let cpu = figure_of(&dir, "cpu.png", "cpu", &[], &args).expect("cpu figure");
    for backend in ["egl", "osmesa"] {
        let img = match figure_of(&dir, &format!("{backend}.png"), backend, &[], &args) {
            Ok(img) => img,
            Err(e) if !required() => {
                eprintln!("SKIPPED: no {backend} here ({e})");
                continue;
            }
            Err(e) => panic!("{backend}: {e}"),
        };
        assert_eq!(img.dimensions(), cpu.dimensions(), "{backend}");
        let share = agreement(&img, &cpu, 3);
        assert!(share >= 0.99, "{backend} agrees with cpu on {share:.4}");
    }
}
