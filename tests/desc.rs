//! The one figure description (issue 9): the command line, spec files, the canonical
//! command and the library all read and write the same `FigureDesc`.

use std::path::Path;

use serde_json::json;
use surfrender::color::Bound;
use surfrender::desc::values::*;
use surfrender::scene::ViewName;
use surfrender::FigureDesc;

use crate::util::{self, data_arg as data, run_in};

/// A spec file's reason for refusing, without the file and field in front.
fn reason(spec_err: &str) -> &str {
    spec_err.trim().rsplit(": ").next().unwrap_or(spec_err)
}

/// The command line and a spec with the same option refuse it with the same reason.
fn refused_alike(dir: &Path, name: &str, args: &[&str], spec: serde_json::Value) -> String {
    let (code, _, cli_err) = run_in(dir, args);
    assert_eq!(code, 2, "{args:?}: {cli_err}");
    let path = util::write(dir, &format!("{name}.json"), spec.to_string().as_bytes());
    let out = dir.join("x.png");
    let (code, _, spec_err) = run_in(
        dir,
        &[
            "--spec",
            path.to_str().expect("utf8"),
            "-o",
            out.to_str().expect("utf8"),
        ],
    );
    assert_eq!(code, 2, "{spec_err}");
    let why = reason(&spec_err);
    assert!(
        cli_err.contains(why),
        "{name}: the command line says {cli_err:?}, the spec {spec_err:?}"
    );
    assert!(!out.exists());
    why.to_string()
}

#[test]
fn issue9_values_the_command_line_took_but_a_replay_refused() {
    let dir = util::out_dir("desc_replay_limits");
    let lh = data("lh.inflated");
    let o = dir.join("x.png").display().to_string();
    let why = refused_alike(
        &dir,
        "radius",
        &[
            &lh,
            "--focus-vertex",
            "10",
            "--focus-radius",
            "2000",
            "-o",
            &o,
        ],
        json!({"surfaces": [lh], "focus_vertex": ["10"], "focus_radius": 2000}),
    );
    assert!(why.contains("2000 is outside 0.001 to 1000"), "{why}");
    let th = data("lh.thickness");
    let why = refused_alike(
        &dir,
        "threshold",
        &[
            &lh,
            "--overlay",
            &th,
            "--threshold",
            "5",
            "--range",
            "1",
            "4",
            "-o",
            &o,
        ],
        json!({"surfaces": [lh], "overlay": [th], "threshold": 5, "range": [1, 4]}),
    );
    assert!(why.contains("above the top of the range"), "{why}");
    // A large azimuth is a valid angle: it renders, and its printed spec and sidecar
    // replay the same bytes.
    let args = [
        &lh as &str,
        "--overlay",
        &th,
        "--azimuth",
        "2e6",
        "--size",
        "300x",
    ];
    replays_identically(&dir, &args);
}

/// Renders `args`, then replays its `--print-spec` output and its sidecar's spec: the
/// three PNGs are byte-identical.
pub fn replays_identically(dir: &Path, args: &[&str]) {
    let png = |name: &str| dir.join(name).display().to_string();
    let (a, b, c) = (png("a.png"), png("b.png"), png("c.png"));
    let _ = std::fs::remove_file(format!("{a}.json"));
    let (code, _, err) = run_in(dir, &[args, &["-o", &a]].concat());
    assert_eq!(code, 0, "{args:?}: {err}");
    let (code, toml, err) = run_in(dir, &[args, &["--print-spec"]].concat());
    assert_eq!(code, 0, "{err}");
    let printed = util::write(dir, "printed.toml", toml.as_bytes());
    let (code, _, err) = run_in(dir, &["--spec", printed.to_str().expect("utf8"), "-o", &b]);
    assert_eq!(code, 0, "replaying the printed spec: {err}\n{toml}");
    // `--no-sidecar` (printed as `sidecar = false`) writes none; the rest still replays.
    let side = std::fs::read(format!("{a}.json"));
    assert_eq!(side.is_ok(), !toml.contains("sidecar = false"), "{args:?}");
    let Ok(side) = side else {
        assert!(
            std::fs::read(&a).ok() == std::fs::read(&b).ok(),
            "{args:?}: the printed spec replays other bytes"
        );
        return;
    };
    let sidecar: serde_json::Value = serde_json::from_slice(&side).expect("json");
    let recorded = util::write(dir, "sidecar.json", sidecar["spec"].to_string().as_bytes());
    let (code, _, err) = run_in(dir, &["--spec", recorded.to_str().expect("utf8"), "-o", &c]);
    assert_eq!(code, 0, "replaying the sidecar's spec: {err}");
    let bytes = |p: &str| std::fs::read(p).expect("png");
    assert!(
        bytes(&a) == bytes(&b),
        "{args:?}: the printed spec replays other bytes"
    );
    assert!(
        bytes(&a) == bytes(&c),
        "{args:?}: the sidecar replays other bytes"
    );
}

#[test]
fn issue9_the_library_reads_a_command_line_as_the_binary_does() {
    let (a, b) = (data("lh.thickness"), data("rh.stat.mgh"));
    let argv = [
        "surfrender",
        &data("lh.inflated"),
        &data("rh.inflated"),
        "--overlay",
        &a,
        "--cmap",
        "gray",
        "--new-layer",
        "--overlay",
        &b,
        "--cmap",
        "hot",
    ];
    let desc = FigureDesc::from_args(argv).expect("parses");
    let cmaps: Vec<String> = desc
        .overlay_layers()
        .map(|l| {
            l.cmap
                .as_ref()
                .map(|c| c.text().to_string())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(cmaps, ["gray", "hot"]);
    let spec = desc.resolve().expect("resolves");
    let names: Vec<&str> = spec.overlays.iter().map(|l| l.style.cmap.name()).collect();
    assert_eq!(names, ["gray", "hot"]);
    // The binary prints the same description.
    let (code, toml, err) = run_in(&util::root(), &[&argv[1..], &["--print-spec"]].concat());
    assert_eq!(code, 0, "{err}");
    assert_eq!(toml.trim_end(), desc.to_toml().expect("toml").trim_end());
}

/// Every option survives the canonical command line and a spec file: parsing either
/// gives the same description, so no option can be forgotten in one direction.
#[test]
fn every_option_round_trips() {
    let args: Vec<&str> = vec![
        "surfrender",
        "/x/lh.pial",
        "/x/rh.pial",
        "-o",
        "/x/o.png",
        "--hemi",
        "lh,rh",
        "--curv",
        "/x/lh.c",
        "--frame",
        "2",
        "--map",
        "beta",
        "--annot",
        "/x/lh.x.annot",
        "--annot-alpha",
        "0.5",
        "--annot-outline",
        "--label-outline",
        "--outline-width",
        "3",
        "--border-color",
        "white",
        "--outline-color",
        "lime",
        "--contours",
        "/x/lh.s.mgh",
        "--levels",
        "-2,2.5",
        "--n-contours",
        "5",
        "--contour-cmap",
        "viridis",
        "--mask",
        "/x/lh.cortex.label",
        "--focus",
        "-40,20,30",
        "--focus-vertex",
        "lh:12",
        "--foci",
        "/x/f.csv",
        "--focus-radius",
        "3",
        "--focus-color",
        "red",
        "--cortex",
        "bone",
        "--views",
        "dors,ventral",
        "--azimuth",
        "10",
        "--elevation",
        "-5",
        "--roll",
        "3",
        "--zoom",
        "1.5",
        "--layout",
        "row",
        "--size",
        "900x",
        "--background",
        "#102030",
        "--no-colorbar",
        "--cbar-orientation",
        "vertical",
        "--cbar-ticks",
        "5",
        "--cbar-format",
        "%.1f",
        "--font-size",
        "9",
        "--colorbar-file",
        "/x/bar.svg",
        "--panel-labels",
        "--panel-size",
        "400x300",
        "--scale",
        "2",
        "--dpi",
        "300",
        "--png-compression",
        "best",
        "--title",
        "-a title",
        "--backend",
        "cpu",
        "--egl-device",
        "1",
        "--allow-empty",
        "--overlay",
        "/x/lh.a",
        "--overlay",
        "/x/rh.a",
        "--cmap",
        "RdBu_r",
        "--threshold",
        "95%",
        "--range",
        "1",
        "4.5",
        "--opacity",
        "0.5",
        "--sign",
        "pos",
        "--symmetric",
        "--outline",
        "--cbar-label",
        "t (mm)",
        "--label",
        "/x/lh.v1.label",
        "--label-color",
        "gold",
        "--overlay",
        "/x/lh.b",
        "--frame",
        "1",
        "--map",
        "2",
        "--threshold",
        "2",
    ];
    let desc = FigureDesc::from_args(args.iter().copied())
        .expect("parses")
        .effective();
    assert_eq!(desc.layers.len(), 4, "{:?}", desc.layers);
    let again = FigureDesc::from_args(
        std::iter::once("surfrender".to_string()).chain(desc.canonical_args()),
    )
    .expect("the canonical command parses");
    let mut want = desc.clone().absolute();
    want.output = None;
    assert_eq!(again.effective(), want);
    let spec = desc.to_spec_value().expect("spec");
    let back = FigureDesc::from_spec_value(spec.clone()).expect("the printed spec reads back");
    assert_eq!(back.effective(), desc.clone().absolute(), "{spec:#}");
}

#[test]
fn stacks_round_trip_through_specs_and_the_command_line() {
    let spec = json!({
        "surfaces": ["/x/lh.pial", "/x/rh.pial"],
        "layers": [
            {"annot": ["/x/lh.aparc.annot"]},
            {"overlay": ["/x/lh.thickness", "/x/rh.thickness"], "cmap": "gray", "opacity": 0.5, "cbar_label": "mm"},
            {"label": ["/x/lh.v1.label", "/x/rh.v1.label"], "label_color": ["gold", "#00ff00"]},
            {"overlay": ["/x/lh.sig.mgh", "/x/rh.sig.mgh"], "threshold": "95%", "range": [2, 5],
             "sign": "pos", "symmetric": true, "outline": true, "frame": 1, "map": "beta"},
            {"overlay": ["/x/lh.sig.mgh"], "cmap": "viridis"},
        ],
    });
    let desc = FigureDesc::from_spec_value(spec)
        .expect("reads")
        .effective();
    let again = FigureDesc::from_args(
        std::iter::once("surfrender".to_string()).chain(desc.canonical_args()),
    )
    .expect("parses");
    assert_eq!(again.effective().layers, desc.layers);
}

// Each value type checks once, with one message for both forms.

#[test]
fn limits_refuse_with_one_message() {
    assert_eq!(
        "2000".parse::<Radius>().unwrap_err(),
        "2000 is outside 0.001 to 1000 mm"
    );
    let e = serde_json::from_str::<Radius>("2000")
        .unwrap_err()
        .to_string();
    assert_eq!(e, "2000 is outside 0.001 to 1000 mm");
    assert!("2e6".parse::<Degrees>().is_ok());
    assert!("nan".parse::<Degrees>().is_err() && "inf".parse::<Zoom>().is_err());
}

#[test]
fn names_print_as_written() {
    let v: Given<ViewName> = "lat".parse().unwrap();
    assert_eq!((v.text(), *v.value()), ("lat", ViewName::Lateral));
    assert!("sideways".parse::<Given<ViewName>>().is_err());
    assert_eq!(serde_json::to_string(&v).unwrap(), "\"lat\"");
}

#[test]
fn bounds_and_ranges() {
    assert_eq!(
        serde_json::to_string(&Threshold(Bound::Value(2.0))).unwrap(),
        "2"
    );
    assert_eq!(
        serde_json::to_string(&Range(Bound::Value(2.5), Bound::Percentile(98.0))).unwrap(),
        "[2.5,\"98%\"]"
    );
    assert!("-1".parse::<Threshold>().is_err());
    assert!(Range::new(Bound::Value(4.0), Bound::Value(2.0)).is_err());
    assert!(serde_json::from_str::<Range>("[4, 2, 1]").is_err());
    assert!(serde_json::from_str::<Range>("[\"2%\", 4]").is_ok());
    assert_eq!(
        "lat,med;dors".parse::<LayoutArg>().unwrap(),
        LayoutArg::Rows(vec![
            vec![ViewName::Lateral, ViewName::Medial],
            vec![ViewName::Dorsal]
        ])
    );
    assert!("sideways".parse::<LayoutArg>().is_err());
    assert_eq!("1600x".parse::<Size>().unwrap(), Size(Some(1600), None));
}

// A command line meets a spec as a user means it (review of issue 9).

/// `--print-spec` of `args` run in `dir`, parsed.
fn printed(dir: &Path, args: &[&str]) -> toml::Value {
    let (code, toml, err) = run_in(dir, &[args, &["--print-spec"]].concat());
    assert_eq!(code, 0, "{args:?}: {err}");
    toml::from_str(&toml).expect("printed spec")
}

#[test]
fn what_is_typed_wins_over_the_spec() {
    let dir = util::out_dir("desc_typed_wins");
    let (lh, thick, sulc) = (data("lh.inflated"), data("lh.thickness"), data("lh.sulc"));
    let spec = util::write(
        &dir,
        "hot.toml",
        format!("surfaces = [\"{lh}\"]\noverlay = [\"{thick}\"]\ncmap = \"hot\"\nlabel = [\"{}\"]\nlabel_color = [\"gold\"]\n", data("lh.synth05.label")).as_bytes(),
    );
    let spec = spec.to_str().expect("utf8");
    // An option typed before the command line's own --overlay is that overlay's.
    let p = printed(
        &dir,
        &["--spec", spec, "--cmap", "gray", "--overlay", &sulc],
    );
    assert_eq!(p["cmap"].as_str(), Some("gray"), "{p}");
    // A colour typed recolours the spec's label.
    let p = printed(&dir, &["--spec", spec, "--label-color", "red"]);
    assert_eq!(p["label_color"][0].as_str(), Some("red"), "{p}");
    // A spec that leaves the surfaces to the command line groups its overlays by them:
    // two files whose names say no hemisphere, one surface, two layers.
    let (a, b) = (dir.join("a_thick"), dir.join("b_sulc"));
    std::fs::copy(&thick, &a).expect("copy");
    std::fs::copy(&sulc, &b).expect("copy");
    let base = util::write(
        &dir,
        "base.toml",
        format!("overlay = [\"{}\", \"{}\"]\n", a.display(), b.display()).as_bytes(),
    );
    let p = printed(&dir, &["--spec", base.to_str().expect("utf8"), &lh]);
    assert_eq!(p["layers"].as_array().map(Vec::len), Some(2), "{p}");
}

#[test]
fn printed_specs_replay_quietly_and_edge_values_replay() {
    let dir = util::out_dir("desc_replay_edges");
    let lh = data("lh.inflated");
    // The largest f32 angle prints as a number that reads back.
    replays_identically(&dir, &[&lh, "--azimuth", "3.4028234e38", "--size", "200x"]);
    // Replaying a printed spec gives no notes about the defaults it writes out.
    let (code, toml, _) = run_in(&dir, &[&lh, "--size", "200x", "--print-spec"]);
    assert_eq!(code, 0);
    let spec = util::write(&dir, "quiet.toml", toml.as_bytes());
    let png = dir.join("q.png");
    let (code, _, err) = run_in(
        &dir,
        &[
            "--spec",
            spec.to_str().expect("utf8"),
            "-o",
            png.to_str().expect("utf8"),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("ignored"), "{err}");
}

#[test]
fn doubtful_specs_and_settings_are_refused_clearly() {
    let dir = util::out_dir("desc_refused");
    let lh = data("lh.inflated");
    let cifti = util::root().join("tests/data/cifti/lr.dscalar.nii");
    let mixed = util::write(
        &dir,
        "mixed.toml",
        format!(
            "[[layers]]\noverlay = [\"{}\", \"{}\"]\n",
            cifti.display(),
            data("rh.thickness")
        )
        .as_bytes(),
    );
    let out = dir.join("x.png").display().to_string();
    let (code, _, err) = run_in(&dir, &["--spec", mixed.to_str().expect("utf8"), "-o", &out]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("layers[0].overlay") && err.contains("CIFTI"),
        "{err}"
    );
    let typo = util::write(&dir, "typo.toml", b"surfaces = [\"x\"]\ncmapp = \"hot\"\n");
    let (code, _, err) = run_in(&dir, &["--spec", typo.to_str().expect("utf8"), "-o", &out]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("line 2") && err.contains("did you mean `cmap`"),
        "{err}"
    );
    let o = util::surfrender()
        .env("SURFRENDER_BACKEND", "gpu")
        .args([&lh, "-o", &out])
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("SURFRENDER_BACKEND=gpu"));
}
