//! The same data read from every container gives the same figure, pixel for pixel.

use crate::util;

/// lh or rh from the corpus's names (`lh.`, `_left`).
fn hemi(surface: &str) -> &'static str {
    if surface.contains("rh.") || surface.contains("right") {
        "rh"
    } else {
        "lh"
    }
}

fn render(
    shared: &std::path::Path,
    surface: &str,
    overlay: &str,
    out: &std::path::Path,
) -> image::RgbaImage {
    let o = util::surfrender()
        .current_dir(shared)
        .args(["--hemi", hemi(surface)])
        .args([
            surface,
            "--curv",
            &format!("fsaverage5/surf/{}.curv", hemi(surface)),
            "--overlay",
            overlay,
            "--threshold",
            "2",
            "--views",
            "lat,med",
            "--size",
            "600x",
            "-o",
        ])
        .arg(out)
        .output()
        .expect("run surfrender");
    assert!(
        o.status.success(),
        "{surface} + {overlay}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    image::open(out).expect("read figure").to_rgba8()
}

#[test]
fn same_overlay_from_every_format_renders_identically() {
    let Some(shared) = util::shared_data() else {
        return;
    };
    let dir = util::out_dir("formats_same_overlay");
    // The right hemisphere: its GIfTI copy is binary (bit-identical); the left one is
    // ASCII with six decimals, so a few threshold-crossing pixels may differ.
    let surface = "fsaverage5/surf/rh.inflated";
    let reference = render(
        &shared,
        surface,
        "fsaverage5/surf/rh.thickness",
        &dir.join("curv.png"),
    );
    for (i, overlay) in [
        "fsaverage5/overlays/rh.thickness.mgh",
        "fsaverage5/overlays/rh.thickness.mgz",
        "fsaverage5/overlays/rh.thickness.nii.gz",
        "fsaverage5/gifti/rh.thickness.shape.gii",
        "real/nilearn/thick_right.gii.gz",
    ]
    .iter()
    .enumerate()
    {
        let img = render(&shared, surface, overlay, &dir.join(format!("{i}.png")));
        assert!(
            img == reference,
            "{overlay} renders differently from the FreeSurfer curv file"
        );
    }
}

#[test]
fn same_surface_from_every_format_renders_identically() {
    let Some(shared) = util::shared_data() else {
        return;
    };
    let dir = util::out_dir("formats_same_surface");
    let overlay = "fsaverage5/surf/lh.thickness";
    let reference = render(
        &shared,
        "fsaverage5/surf/lh.pial",
        overlay,
        &dir.join("fs.png"),
    );
    for (i, surface) in [
        "fsaverage5/gifti/lh.pial.surf.gii",
        "real/nilearn/pial_left.gii.gz",
    ]
    .iter()
    .enumerate()
    {
        let img = render(&shared, surface, overlay, &dir.join(format!("{i}.png")));
        assert!(
            img == reference,
            "{surface} renders differently from the FreeSurfer surface"
        );
    }
}
