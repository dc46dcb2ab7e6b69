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
fn same_stat_map_from_every_format_renders_identically() {
    let Some(shared) = util::shared_data() else {
        return;
    };
    let dir = util::out_dir("formats_same_stat");
    let surface = "fsaverage5/surf/rh.inflated";
    let reference = render(
        &shared,
        surface,
        "fsaverage5/overlays/rh.stat.mgh",
        &dir.join("mgh.png"),
    );
    for (i, overlay) in [
        "fsaverage5/overlays/rh.stat.mgz",
        "fsaverage5/overlays/rh.stat.nii.gz",
        "fsaverage5/gifti/rh.stat.func.gii",
    ]
    .iter()
    .enumerate()
    {
        let img = render(&shared, surface, overlay, &dir.join(format!("{i}.png")));
        assert!(
            img == reference,
            "{overlay} renders differently from the MGH file"
        );
    }
    // NIfTI-2 (left hemisphere only in the corpus).
    let surface = "fsaverage5/surf/lh.inflated";
    let reference = render(
        &shared,
        surface,
        "fsaverage5/overlays/lh.stat.mgh",
        &dir.join("lmgh.png"),
    );
    let img = render(
        &shared,
        surface,
        "fsaverage5/overlays/lh.stat.nii2.nii",
        &dir.join("nii2.png"),
    );
    assert!(
        img == reference,
        "NIfTI-2 renders differently from the MGH file"
    );
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

/// Every corpus file on fsaverage5 renders: surfaces alone, overlays, annotations and
/// labels on the inflated surface of their hemisphere. (The nibabel test files hold other
/// meshes, whose surfaces the corpus does not have; `inspect` covers them, and refuses the
/// volume and the surface with out-of-range faces.)
#[test]
fn every_fsaverage5_corpus_file_renders() {
    let Some(shared) = util::shared_data() else {
        return;
    };
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(shared.join("truth.json")).expect("truth"))
            .expect("json");
    let dir = util::out_dir("formats_every_file");
    let mut failures = Vec::new();
    let mut rendered = 0;
    for (key, t) in truth.as_object().expect("object") {
        if key.starts_with("real/nibabel/") {
            continue;
        }
        let h = if key.contains("rh.") || key.contains("right") {
            "rh"
        } else {
            "lh"
        };
        let surface = format!("fsaverage5/surf/{h}.inflated");
        let args: Vec<String> = match t.get("kind").and_then(|k| k.as_str()) {
            Some("surface") => vec![key.clone(), "--hemi".into(), h.into()],
            Some("overlay") => vec![
                surface,
                "--overlay".into(),
                key.clone(),
                "--hemi".into(),
                h.into(),
            ],
            Some("annotation") => vec![surface, "--annot".into(), key.clone()],
            Some("label") => vec![surface, "--label".into(), key.clone()],
            other => {
                failures.push(format!("{key}: unexpected kind {other:?}"));
                continue;
            }
        };
        let out = dir.join(format!("{rendered}.png"));
        let o = util::surfrender()
            .current_dir(&shared)
            .args(&args)
            .args(["--views", "lateral", "--size", "200x", "-q", "-o"])
            .arg(&out)
            .output()
            .expect("run surfrender");
        if !o.status.success() {
            failures.push(format!("{key}: {}", String::from_utf8_lossy(&o.stderr)));
        }
        rendered += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(rendered >= 60, "only {rendered} files rendered");
}

#[test]
fn label_beyond_the_surface_is_refused() {
    let dir = util::out_dir("formats_label_range");
    let label = util::write(
        &dir,
        "lh.far.label",
        b"#!ascii label\n2\n5 0 0 0 0\n20000 0 0 0 0\n",
    );
    let o = util::surfrender()
        .arg(util::data("lh.inflated"))
        .arg("--label")
        .arg(&label)
        .arg("-o")
        .arg(dir.join("x.png"))
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("lh.far.label") && err.contains("20000") && err.contains("10242"),
        "{err}"
    );
}
