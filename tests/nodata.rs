//! Overlay regions without data (issue 11, item 10): their boundary is as smooth as a
//! threshold's on the same surface, and nothing of the overlay is drawn inside them.

use surfrender::io::read_surface;

use crate::util::{self, chroma, data, data_arg, run_in};

/// The column of the rightmost overlay-coloured pixel of each row, if any.
fn right_edges(img: &image::RgbaImage) -> Vec<Option<i64>> {
    (0..img.height())
        .map(|y| {
            (0..img.width())
                .rev()
                .find(|&x| chroma(img.get_pixel(x, y)) > 60)
                .map(i64::from)
        })
        .collect()
}

/// How far the edge wanders from row to row: its total variation.
fn wander(edges: &[Option<i64>]) -> i64 {
    let e: Vec<i64> = edges.iter().flatten().copied().collect();
    e.windows(2).map(|w| (w[1] - w[0]).abs()).sum()
}

fn render(
    dir: &std::path::Path,
    name: &str,
    overlay: &std::path::Path,
    extra: &[&str],
) -> image::RgbaImage {
    let out = dir.join(name);
    let surface = data_arg("lh.inflated");
    let args = [
        &[
            surface.as_str(),
            "--overlay",
            overlay.to_str().expect("utf8"),
        ][..],
        &[
            "--backend",
            "cpu",
            "--views",
            "lateral",
            "--size",
            "800x",
            "--no-colorbar",
        ],
        &["--cmap", "heat", "-o", out.to_str().expect("utf8")],
        extra,
    ]
    .concat();
    let (code, _, err) = run_in(dir, &args);
    assert_eq!(code, 0, "{err}");
    image::open(&out).expect("figure").to_rgba8()
}

#[test]
fn issue11_no_data_boundaries_are_as_smooth_as_thresholds() {
    let dir = util::out_dir("nodata_smooth");
    let mesh = read_surface(&data("lh.inflated")).expect("lh.inflated");
    // The posterior part (y < -20) has no data; the same cut made by a threshold on y.
    let nodata: Vec<f32> = mesh
        .vertices
        .iter()
        .map(|v| if v[1] < -20.0 { f32::NAN } else { 2.0 })
        .collect();
    let by_y: Vec<f32> = mesh.vertices.iter().map(|v| v[1] + 100.0).collect();
    let nd = util::write_mgh(&dir, "lh.nodata.mgh", &nodata);
    let th = util::write_mgh(&dir, "lh.y.mgh", &by_y);
    let a = render(&dir, "nodata.png", &nd, &["--range", "1", "3"]);
    let b = render(
        &dir,
        "threshold.png",
        &th,
        &["--threshold", "80", "--range", "80", "180"],
    );
    let (ea, eb) = (right_edges(&a), right_edges(&b));
    // Both cut the lateral view along the same line; at 800 px the threshold's edge
    // wanders 114 px over the rows (the line's own slope), the no-data edge drawn through
    // the midpoints of mesh edges wandered 272 px, and now ~183.
    assert!(
        wander(&ea) <= wander(&eb) + 100,
        "no-data edge wanders {} px, a threshold's {} px",
        wander(&ea),
        wander(&eb)
    );
    // Nothing of the overlay inside the region without data: past the threshold's edge
    // of the same cut, by a few pixels.
    let inside = (0..a.height())
        .flat_map(|y| (0..a.width()).map(move |x| (x, y)))
        .filter(|&(x, y)| {
            let edge = eb.get(y as usize).copied().flatten();
            edge.is_some_and(|e| i64::from(x) > e + 6) && chroma(a.get_pixel(x, y)) > 60
        })
        .count();
    assert_eq!(inside, 0);
}
