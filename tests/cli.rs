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
    assert_eq!(
        names.len(),
        2,
        "the figure and its JSON sidecar only: {names:?}"
    );
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
            vec!["rh.thickness".into(), "says hemisphere rh".into()],
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
        // Right-hemisphere data on a left surface is a wrong figure: a usage error.
        let want = if i == 3 || i == 5 { 2 } else { 1 };
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
        .args([&lh(), "--backend", "egl", "-o", o.to_str().expect("utf8")])
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

#[test]
fn unicode_title_and_non_utf8_paths_are_written() {
    let dir = util::out_dir("cli_unicode");
    let o = dir.join("u.png");
    let (code, err) = run(&[
        &lh(),
        "--title",
        "α→β 日本 thickness",
        "-o",
        o.to_str().expect("utf8"),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(o.is_file());
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"lh.\xff.inflated");
        let src = dir.join(name);
        std::fs::copy(util::data("lh.inflated"), &src).expect("copy");
        let o2 = dir.join("v.png");
        let out = util::surfrender()
            .arg(&src)
            .arg("-o")
            .arg(&o2)
            .output()
            .expect("run");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(o2.is_file());
    }
}

#[test]
fn hemisphere_in_a_name_must_match_a_surface() {
    let dir = util::out_dir("cli_pairing");
    let o = dir.join("x.png").display().to_string();
    let rh = util::data("rh.inflated").display().to_string();
    let lh_thick = util::data("lh.thickness").display().to_string();
    let (code, err) = run(&[&rh, "--overlay", &lh_thick, "-o", &o]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("lh.thickness") && err.contains("says hemisphere lh"),
        "{err}"
    );
    let (code, err) = run(&[
        &rh,
        "--curv",
        &util::data("lh.curv").display().to_string(),
        "-o",
        &o,
    ]);
    assert_eq!(code, 2, "{err}");
    // An unnamed overlay pairs by order with the surface left over.
    let unnamed = util::write(
        &dir,
        "stat_right.mgh",
        &std::fs::read(util::data("rh.stat.mgh")).expect("read"),
    );
    let (code, err) = run(&[
        &lh(),
        &rh,
        "--overlay",
        &util::data("lh.stat.mgh").display().to_string(),
        "--overlay",
        &unnamed.display().to_string(),
        "-o",
        &o,
    ]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn output_file_gets_the_usual_permissions() {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = util::out_dir("cli_mode");
        let o = dir.join("m.png");
        let (code, err) = run(&[&lh(), "-o", o.to_str().expect("utf8")]);
        assert_eq!(code, 0, "{err}");
        // A plain file created by this process has the mode the umask gives.
        let plain = util::write(&dir, "plain", b"x");
        let mode =
            |p: &std::path::Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode(&o), mode(&plain));
    }
}

#[test]
fn bad_destinations_and_sizes_fail_before_rendering() {
    let dir = util::out_dir("cli_dest");
    let missing = dir.join("no/such/folder/x.png").display().to_string();
    let (code, err) = run(&[&lh(), "-o", &missing]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("does not exist"), "{err}");
    let (code, err) = run(&[&lh(), "-o", dir.to_str().expect("utf8")]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("directory"), "{err}");
    let o = dir.join("x.png").display().to_string();
    let (code, err) = run(&[
        &lh(),
        "--views",
        "lat,med,dors,vent,ant,post,front,par",
        "--layout",
        "column",
        "--size",
        "4000x",
        "-o",
        &o,
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("16384"), "{err}");
    for bad in [
        ["--azimuth", "nan"],
        ["--elevation", "inf"],
        ["--zoom", "0.001"],
    ] {
        let (code, err) = run(&[&lh(), bad[0], bad[1], "-o", &o]);
        assert_eq!(code, 2, "{bad:?}: {err}");
    }
    // Negative numbers are values, and never swallow the next flag.
    let (code, err) = run(&[&lh(), "--range", "1", "-o", &o]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("2 values required for '--range"), "{err}");
    assert!(!dir.join("x.png").exists());
}

#[test]
fn degenerate_surfaces_are_refused() {
    let dir = util::out_dir("cli_degenerate");
    let o = dir.join("x.png").display().to_string();
    let surf = std::fs::read(util::data("lh.inflated")).expect("read");
    let start = surf
        .windows(2)
        .position(|w| w == b"\n\n")
        .expect("creator line")
        + 2;
    let n = i32::from_be_bytes(surf[start..start + 4].try_into().expect("4 bytes")) as usize;
    let coords = start + 8;
    let mut same = surf.clone();
    for i in 0..n * 3 {
        same[coords + 4 * i..coords + 4 * i + 4].copy_from_slice(&1.0f32.to_be_bytes());
    }
    let mut far = surf.clone();
    far[coords..coords + 4].copy_from_slice(&1e30f32.to_be_bytes());
    for (name, bytes, needle) in [("lh.same", same, "same point"), ("lh.far", far, "span")] {
        let p = util::write(&dir, name, &bytes);
        let (code, err) = run(&[p.to_str().expect("utf8"), "-o", &o]);
        assert_eq!(code, 1, "{name}: {err}");
        assert!(err.contains(name) && err.contains(needle), "{name}: {err}");
    }
}

#[test]
fn hemi_that_contradicts_the_name_is_refused() {
    let dir = util::out_dir("cli_hemi_contradiction");
    let rh = util::data("rh.inflated").display().to_string();
    let (code, err) = run(&[
        &lh(),
        &rh,
        "--hemi",
        "rh,lh",
        "-o",
        dir.join("x.png").to_str().expect("utf8"),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("its name says lh"), "{err}");
}
