//! Figure spec files: the same figure from a spec and from the command line is
//! byte-identical; `--print-spec` replays a figure; errors name the field path; every
//! PNG gets a JSON sidecar with its inputs' SHA-256.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::util;

use util::run_in;

/// Renders `spec` into `out`, from `dir`.
fn run_spec(dir: &Path, spec: &Path, out: &Path) -> (i32, String, String) {
    let (spec, out) = (spec.to_str().expect("utf8"), out.to_str().expect("utf8"));
    run_in(dir, &["--spec", spec, "-o", out])
}

fn readme_args() -> Vec<String> {
    crate::cli::README_FIGURE_ARGS
        .iter()
        .map(|a| a.to_string())
        .collect()
}

#[test]
fn spec_and_command_line_give_identical_bytes() {
    let dir = util::out_dir("spec_equivalence");
    let root = util::root();
    let cli_png = dir.join("cli.png");
    let mut args = readme_args();
    args.extend(["-o".into(), cli_png.display().to_string()]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, _, err) = run_in(&root, &argv);
    assert_eq!(code, 0, "{err}");
    // The same figure written by hand as a spec, with paths relative to the spec's folder.
    let spec = format!(
        r#"surfaces = ["{d}/lh.inflated", "{d}/rh.inflated"]
overlay = ["{d}/lh.thickness", "{d}/rh.thickness"]
threshold = 2.5
range = [2.5, 4]
cmap = "hot"
title = "Cortical thickness (mm), fsaverage5"
"#,
        d = root.join("data/fsaverage5").display()
    );
    let spec_path = util::write(&dir, "fig.toml", spec.as_bytes());
    let spec_png = dir.join("spec.png");
    let (code, _, err) = run_spec(&dir, &spec_path, &spec_png);
    assert_eq!(code, 0, "{err}");
    assert!(
        std::fs::read(&cli_png).expect("cli png") == std::fs::read(&spec_png).expect("spec png"),
        "spec and command line gave different PNG bytes"
    );
}

#[test]
fn print_spec_round_trips() {
    let dir = util::out_dir("spec_roundtrip");
    let root = util::root();
    let mut args = readme_args();
    args.extend([
        "--views".into(),
        "lat,dors".into(),
        "--background".into(),
        "#102030".into(),
        "--print-spec".into(),
    ]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, toml, err) = run_in(&root, &argv);
    assert_eq!(code, 0, "{err}");
    assert!(
        toml.contains("threshold = 2.5") && toml.contains("views = [\"lat\", \"dors\"]"),
        "{toml}"
    );
    let spec = util::write(&dir, "printed.toml", toml.as_bytes());
    // Printing the printed spec gives it back unchanged.
    let (_, again, _) = run_in(
        &dir,
        &["--spec", spec.to_str().expect("utf8"), "--print-spec"],
    );
    assert_eq!(again, toml);
    // And it renders the same figure as the command line.
    let a = dir.join("a.png");
    let b = dir.join("b.png");
    let mut args = readme_args();
    args.extend([
        "--views".into(),
        "lat,dors".into(),
        "--background".into(),
        "#102030".into(),
        "-o".into(),
        a.display().to_string(),
    ]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_eq!(run_in(&root, &argv).0, 0);
    assert_eq!(run_spec(&dir, &spec, &b).0, 0);
    assert!(std::fs::read(&a).expect("a") == std::fs::read(&b).expect("b"));
}

#[test]
fn command_line_overrides_the_spec() {
    let dir = util::out_dir("spec_override");
    let spec = util::write(
        &dir,
        "s.json",
        br#"{"surfaces": ["lh.pial"], "threshold": 2, "cmap": "hot", "views": ["medial"]}"#,
    );
    let (code, toml, err) = run_in(
        &dir,
        &[
            "--spec",
            spec.to_str().expect("utf8"),
            "--threshold",
            "3",
            "--print-spec",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        toml.contains("threshold = 3")
            && toml.contains("cmap = \"hot\"")
            && toml.contains("views = [\"medial\"]"),
        "{toml}"
    );
}

#[test]
fn spec_errors_name_the_field() {
    let dir = util::out_dir("spec_errors");
    for (name, text, needle) in [
        (
            "a.toml",
            "surfaces = [\"x\"]\nthresold = 2\n",
            "unknown field `thresold`",
        ),
        ("b.toml", "range = [2, \"x\"]\n", "range[1]"),
        ("c.toml", "cmap = \"virdis\"\n", "viridis"),
        // The command line's message for the same value (`--zoom big`).
        (
            "d.json",
            "{\"zoom\": \"big\"}",
            "zoom: 'big' is not a number",
        ),
        (
            "e.toml",
            "views = [\"lateral\", \"sideways\"]\n",
            "views[1]",
        ),
        ("f.toml", "range = [4, 2]\nthreshold = 1\n", "range"),
        ("g.toml", "threshold = 5\nrange = [1, 4]\n", "threshold"),
        ("h.toml", "surfaces = [\n", "b.toml"),
    ] {
        let spec = util::write(&dir, name, text.as_bytes());
        let out = dir.join("x.png");
        let (code, _, err) = run_spec(&dir, &spec, &out);
        assert_eq!(code, 2, "{name}: {err}");
        let needle = if name == "h.toml" { "h.toml" } else { needle };
        assert!(
            err.contains(name) && err.contains(needle),
            "{name}: expected '{needle}' in: {err}"
        );
        assert!(!out.exists());
    }
}

#[test]
fn sidecar_records_inputs_and_spec() {
    let dir = util::out_dir("spec_sidecar");
    let png = dir.join("f.png");
    let lh = util::data("lh.inflated");
    let thick = util::data("lh.thickness");
    let o = util::surfrender()
        .arg(&lh)
        .arg("--overlay")
        .arg(&thick)
        .arg("-o")
        .arg(&png)
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let side: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("f.png.json")).expect("sidecar"))
            .expect("json");
    assert_eq!(side["surfrender"], env!("CARGO_PKG_VERSION"));
    assert!(side["backend"]["renderer"]
        .as_str()
        .is_some_and(|r| !r.is_empty()));
    // The default colormap is written out: `auto`, decided from the data on replay.
    assert_eq!(side["spec"]["cmap"], "auto");
    let inputs = side["inputs"].as_array().expect("inputs");
    for p in [&lh, &thick, &util::data("lh.curv")] {
        let bytes = std::fs::read(p).expect("read input");
        let hex: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let entry = inputs
            .iter()
            .find(|i| i["sha256"] == hex.as_str())
            .unwrap_or_else(|| panic!("{} not in the sidecar: {inputs:?}", p.display()));
        assert_eq!(entry["bytes"], bytes.len());
    }
}

/// The gallery's figures (README.md) render from their specs in examples/. A spec without
/// `surfaces` is for subject mode (examples/qc.toml): it renders for a subject whose
/// `surf/` folder is the repository's fsaverage5.
#[test]
fn example_specs_render() {
    let dir = util::out_dir("spec_examples");
    let examples = util::root().join("examples");
    let subjects = dir.join("subjects");
    std::fs::create_dir_all(subjects.join("fsaverage5")).unwrap();
    let surf = subjects.join("fsaverage5").join("surf");
    std::os::unix::fs::symlink(util::root().join("data").join("fsaverage5"), &surf).unwrap();
    let mut n = 0;
    for entry in std::fs::read_dir(&examples).expect("examples/") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let name = path
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        let out = dir.join(format!("{name}.png"));
        let text = std::fs::read_to_string(&path).expect("read example spec");
        let (code, _, err) = if text.lines().any(|l| l.starts_with("surfaces")) {
            run_spec(&dir, &path, &out)
        } else {
            let (spec, out) = (path.to_str().unwrap(), out.to_str().unwrap());
            let subjects = subjects.to_str().unwrap();
            let subject = ["--subject", "fsaverage5", "--subjects-dir", subjects];
            run_in(&dir, &[&subject[..], &["--spec", spec, "-o", out]].concat())
        };
        assert_eq!(code, 0, "examples/{name}.toml: {err}");
        assert!(
            util::root()
                .join("docs/gallery")
                .join(format!("{name}.png"))
                .is_file(),
            "docs/gallery/{name}.png is missing"
        );
        n += 1;
    }
    assert!(n >= 5, "only {n} example specs");
}

#[test]
fn command_line_switches_off_spec_booleans() {
    let dir = util::out_dir("spec_booleans");
    let spec = util::write(
        &dir,
        "on.toml",
        b"surfaces = [\"lh.pial\"]\noverlay = [\"lh.thickness\"]\nthreshold = 2\noutline = true\npanel_labels = true\nannot_outline = true\nallow_empty = true\ncolorbar = false\n",
    );
    let spec = spec.to_str().expect("utf8");
    let (code, toml, err) = run_in(&dir, &["--spec", spec, "--print-spec"]);
    assert_eq!(code, 0, "{err}");
    for on in [
        "outline = true",
        "panel_labels = true",
        "annot_outline = true",
        "allow_empty = true",
        "colorbar = false",
    ] {
        assert!(toml.contains(on), "{on} in {toml}");
    }
    let (code, toml, err) = run_in(
        &dir,
        &[
            "--spec",
            spec,
            "--outline=false",
            "--panel-labels=false",
            "--annot-outline=false",
            "--allow-empty=false",
            "--no-colorbar=false",
            "--print-spec",
        ],
    );
    assert_eq!(code, 0, "{err}");
    for off in [
        "outline = false",
        "panel_labels = false",
        "annot_outline = false",
        "allow_empty = false",
        "colorbar = true",
    ] {
        assert!(toml.contains(off), "{off} in {toml}");
    }
}
