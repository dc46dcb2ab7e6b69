//! The command line end to end: exit codes, messages for bad input, output files.

use crate::util;

/// The README's demo figure (run from the repository root).
pub const README_FIGURE_ARGS: &[&str] = &[
    "data/fsaverage5/lh.inflated",
    "data/fsaverage5/rh.inflated",
    "--overlay",
    "data/fsaverage5/lh.thickness",
    "--overlay",
    "data/fsaverage5/rh.thickness",
    "--threshold",
    "2.5",
    "--range",
    "2.5",
    "4",
    "--cmap",
    "hot",
    "--title",
    "Cortical thickness (mm), fsaverage5",
];

fn run(args: &[&str]) -> (i32, String) {
    let out = util::surfrender()
        .current_dir(util::root())
        .args(args)
        .output()
        .expect("run surfrender");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn lh() -> String {
    util::data("lh.inflated").display().to_string()
}

#[test]
fn renders_single_hemisphere_with_metadata() {
    let dir = util::out_dir("cli_single");
    let png = dir.join("fig.png");
    let (code, err) = run(&[
        &lh(),
        "--overlay",
        &util::data("lh.thickness").display().to_string(),
        "-o",
        png.to_str().expect("utf8"),
    ]);
    assert_eq!(code, 0, "{err}");
    let bytes = std::fs::read(&png).expect("output written");
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let reader = decoder.read_info().expect("valid png");
    let info = reader.info();
    assert_eq!(info.width, 800, "default width is 800 per hemisphere");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    let text: Vec<(String, String)> = info
        .uncompressed_latin1_text
        .iter()
        .map(|t| (t.keyword.clone(), t.text.clone()))
        .collect();
    assert!(
        text.iter()
            .any(|(k, v)| k == "Software" && v.starts_with("surfrender ")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|(k, v)| k == "surfrender:command" && v.contains("lh.thickness")),
        "{text:?}"
    );
    // No leftover temporary files.
    let names: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn same_input_gives_identical_bytes() {
    let dir = util::out_dir("cli_determinism");
    let p = dir.join("a.png");
    let mut args: Vec<String> = README_FIGURE_ARGS.iter().map(|s| s.to_string()).collect();
    args.extend(["-o".into(), p.display().to_string()]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut outs = Vec::new();
    for _ in 0..2 {
        let (code, err) = run(&argv);
        assert_eq!(code, 0, "{err}");
        outs.push(std::fs::read(&p).expect("read"));
    }
    assert!(
        outs[0] == outs[1],
        "two runs of the same command gave different PNG bytes"
    );
}

#[test]
fn size_and_transparent_background() {
    let dir = util::out_dir("cli_size");
    let png = dir.join("t.png");
    let (code, err) = run(&[
        &lh(),
        "--size",
        "640x480",
        "--background",
        "transparent",
        "--views",
        "lat,med,dorsal",
        "-o",
        png.to_str().expect("utf8"),
    ]);
    assert_eq!(code, 0, "{err}");
    let img = image::open(&png).expect("png");
    assert_eq!((img.width(), img.height()), (640, 480));
    assert!(img.color().has_alpha());
    let rgba = img.to_rgba8();
    assert_eq!(rgba.get_pixel(0, 0)[3], 0, "corner is transparent");
    assert!(
        err.contains("flat grey") || err.is_empty() || err.contains("note"),
        "{err}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = util::out_dir("cli_usage");
    let o = dir.join("x.png").display().to_string();
    for (args, needle) in [
        (
            vec![
                lh(),
                "--views".into(),
                "sideways".into(),
                "-o".into(),
                o.clone(),
            ],
            "unknown view",
        ),
        (
            vec![
                lh(),
                "--cmap".into(),
                "viridsi".into(),
                "-o".into(),
                o.clone(),
            ],
            "viridis",
        ),
        (
            vec![lh(), "--sign".into(), "both".into(), "-o".into(), o.clone()],
            "--sign",
        ),
        (
            vec![lh(), "--size".into(), "big".into(), "-o".into(), o.clone()],
            "--size",
        ),
        (
            vec![
                lh(),
                "--range".into(),
                "4".into(),
                "2".into(),
                "-o".into(),
                o.clone(),
            ],
            "MIN <= MAX",
        ),
        (
            vec![
                lh(),
                "--threshold".into(),
                "abc".into(),
                "-o".into(),
                o.clone(),
            ],
            "not a number",
        ),
        (
            vec![lh(), lh(), "-o".into(), o.clone()],
            "both surfaces are lh",
        ),
        (vec!["pial".into(), "-o".into(), o.clone()], "--hemi"),
        (
            vec![lh(), "--bogus".into(), "-o".into(), o.clone()],
            "--bogus",
        ),
    ] {
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, err) = run(&argv);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains(needle),
            "{args:?}: expected '{needle}' in: {err}"
        );
    }
    assert!(!dir.join("x.png").exists());
}

#[test]
fn input_errors_exit_1_and_write_nothing() {
    let dir = util::out_dir("cli_input");
    let o = dir.join("x.png");
    let os = o.display().to_string();
    let surf = std::fs::read(util::data("lh.inflated")).expect("read");
    let truncated = util::write(&dir, "lh.cut", &surf[..surf.len() / 3]);
    let rh_thick = util::data("rh.thickness").display().to_string();
    // An overlay from another mesh: 5 values.
    let mut small = vec![0xff, 0xff, 0xff];
    for v in [5i32, 0, 1] {
        small.extend(v.to_be_bytes());
    }
    for _ in 0..5 {
        small.extend(1.0f32.to_be_bytes());
    }
    let small = util::write(&dir, "lh.small", &small);
    // A real surface with one coordinate replaced by NaN (vertex 3's x).
    let mut nan = surf.clone();
    let start = nan
        .windows(2)
        .position(|w| w == b"\n\n")
        .expect("creator line")
        + 2
        + 8
        + 3 * 12;
    nan[start..start + 4].copy_from_slice(&f32::NAN.to_be_bytes());
    let nan_surface = util::write(&dir, "lh.nan", &nan);
    let cases: Vec<(Vec<String>, Vec<String>)> = vec![
        (
            vec!["data/fsaverage5/lh.missing".into(), "-o".into(), os.clone()],
            vec!["lh.missing".into()],
        ),
        (
            vec![truncated.display().to_string(), "-o".into(), os.clone()],
            vec!["lh.cut".into(), "truncated".into()],
        ),
        (
            vec![
                lh(),
                "--overlay".into(),
                small.display().to_string(),
                "-o".into(),
                os.clone(),
            ],
            vec!["lh.small".into(), "10242".into(), "5 values".into()],
        ),
        (
            vec![
                lh(),
                "--overlay".into(),
                rh_thick.clone(),
                "--hemi".into(),
                "lh".into(),
                "-o".into(),
                os.clone(),
            ],
            vec![],
        ),
        (
            vec![nan_surface.display().to_string(), "-o".into(), os.clone()],
            vec!["lh.nan".into(), "vertex 3".into(), "non-finite".into()],
        ),
        (
            vec![
                lh(),
                "--frame".into(),
                "3".into(),
                "--overlay".into(),
                util::data("lh.stat.mgh").display().to_string(),
                "-o".into(),
                os.clone(),
            ],
            vec!["--frame".into()],
        ),
    ];
    for (i, (args, needles)) in cases.iter().enumerate() {
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, err) = run(&argv);
        if i == 3 {
            // rh data on an lh surface by explicit order is allowed (same vertex count).
            assert_eq!(code, 0, "{err}");
            std::fs::remove_file(&o).expect("remove");
            continue;
        }
        let want = if i == 5 { 2 } else { 1 };
        assert_eq!(code, want, "{args:?}: {err}");
        for n in needles {
            assert!(
                err.contains(n.as_str()),
                "{args:?}: expected '{n}' in: {err}"
            );
        }
        assert!(!err.contains("panicked"), "{err}");
        assert!(!o.exists(), "no output on error");
    }
}

#[test]
fn help_and_version() {
    let (code, _) = run(&["--version"]);
    assert_eq!(code, 0);
    let out = util::surfrender().arg("--help").output().expect("run");
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--overlay",
        "--threshold",
        "--range",
        "--views",
        "--cmap",
        "--cortex",
        "--size",
        "--background",
    ] {
        assert!(help.contains(flag), "help lacks {flag}");
    }
}

#[test]
fn missing_libegl_is_explained() {
    let dir = util::out_dir("cli_no_egl");
    let o = dir.join("x.png");
    let out = util::surfrender()
        .current_dir(util::root())
        .env("SURFRENDER_EGL_LIB", "/nonexistent/libEGL.so.1")
        .args([&lh(), "-o", o.to_str().expect("utf8")])
        .output()
        .expect("run surfrender");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("cannot load libEGL"), "{err}");
    assert!(err.contains("/nonexistent/libEGL.so.1"), "{err}");
    // The dlopen reason from the error's source chain, and what to install.
    assert!(err.contains("No such file"), "{err}");
    assert!(
        err.contains("libegl1 libegl-mesa0 libgl1-mesa-dri"),
        "{err}"
    );
    assert!(!o.exists());
}
