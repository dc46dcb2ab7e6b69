//! Stacks in spec files and the grouping of --overlay files into layers: each
//! `[[layers]]` entry is one layer, `--print-spec` prints the renderer's own grouping,
//! and a stack made from a spec is byte-identical to the command line's.

use std::path::Path;

use crate::util;

use util::{data_arg as data, run_in};

#[test]
fn stacked_spec_and_command_line_agree() {
    let dir = util::out_dir("stack_spec");
    let root = util::root();
    let (lh, rh) = (data("lh.inflated"), data("rh.inflated"));
    let (lt, rt) = (data("lh.thickness"), data("rh.thickness"));
    let (ls, rs) = (data("lh.stat.mgh"), data("rh.stat.mgh"));
    let label = data("rh.stat_gt3.label");
    let cli_png = dir.join("cli.png");
    let cli_png = cli_png.to_str().expect("utf8");
    let stack = [
        &lh as &str,
        &rh,
        "--size",
        "700x",
        "--overlay",
        &lt,
        "--overlay",
        &rt,
        "--cmap",
        "gray",
        "--cbar-label",
        "thickness (mm)",
        "--label",
        &label,
        "--label-color",
        "lime",
        "--overlay",
        &ls,
        "--overlay",
        &rs,
        "--threshold",
        "2.3",
        "--range",
        "2.3",
        "5",
        "--opacity",
        "0.8",
        "--outline",
    ];
    let (code, _, err) = run_in(&root, &[&stack[..], &["-o", cli_png]].concat());
    assert_eq!(code, 0, "{err}");
    // --print-spec writes the stack as layers, and replays the same bytes.
    let (code, toml, err) = run_in(&root, &[&stack[..], &["--print-spec"]].concat());
    assert_eq!(code, 0, "{err}");
    assert_eq!(toml.matches("[[layers]]").count(), 3, "{toml}");
    // Renders a spec text and compares its PNG with the command line's.
    let same_as_cli = |name: &str, text: &str| {
        let spec = util::write(&dir, &format!("{name}.toml"), text.as_bytes());
        let png = dir.join(format!("{name}.png"));
        let (spec, png_arg) = (spec.to_str().expect("utf8"), png.to_str().expect("utf8"));
        let (code, _, err) = run_in(&dir, &["--spec", spec, "-o", png_arg]);
        assert_eq!(code, 0, "{name}: {err}");
        std::fs::read(&png).expect("png") == std::fs::read(cli_png).expect("png")
    };
    assert!(same_as_cli("printed", &toml), "replayed stack differs");
    // Written by hand, bottom first, it is the same figure again.
    let spec = format!(
        r#"surfaces = ["{lh}", "{rh}"]
size = "700x"

[[layers]]
overlay = ["{lt}", "{rt}"]
cmap = "gray"
cbar_label = "thickness (mm)"

[[layers]]
label = ["{label}"]
label_color = ["lime"]

[[layers]]
overlay = ["{ls}", "{rs}"]
threshold = 2.3
range = [2.3, 5]
opacity = 0.8
outline = true
"#
    );
    assert!(same_as_cli("hand", &spec), "hand-written stack differs");
}

#[test]
fn layer_spec_errors_name_the_layer() {
    let dir = util::out_dir("stack_spec_errors");
    let ov = "overlay = [\"lh.a.mgh\"]";
    for (name, text, needle) in [
        (
            "type.toml",
            format!("[[layers]]\n{ov}\n[[layers]]\n{ov}\nthreshold = true\n"),
            "layers[1].threshold",
        ),
        (
            "negative.toml",
            format!("[[layers]]\n{ov}\n[[layers]]\n{ov}\nthreshold = -1\n"),
            "layers[1].threshold",
        ),
        (
            "cmap.toml",
            format!("[[layers]]\n{ov}\ncmap = \"virdis\"\n"),
            "layers[0].cmap",
        ),
        (
            "unknown.toml",
            format!("[[layers]]\n{ov}\ncolour = \"red\"\n"),
            "unknown field `colour`",
        ),
        (
            "two_kinds.toml",
            format!("[[layers]]\n{ov}\nannot = [\"lh.aparc.annot\"]\n"),
            "layers[0]: give one of overlay, annot or label",
        ),
        (
            "style_on_label.toml",
            "[[layers]]\nlabel = [\"lh.v1.label\"]\nthreshold = 2\n".to_string(),
            "layers[0].threshold",
        ),
        (
            "two_lh.toml",
            "[[layers]]\noverlay = [\"lh.a.mgh\", \"lh.b.mgh\"]\n".to_string(),
            "layers[0].overlay",
        ),
        (
            "color.toml",
            "[[layers]]\nlabel = [\"lh.v1.label\"]\nlabel_color = [\"notacolour\"]\n".to_string(),
            "layers[0].label_color[0]",
        ),
        (
            "mixed.toml",
            format!("cmap = \"hot\"\n[[layers]]\n{ov}\n"),
            "move `cmap` into one",
        ),
    ] {
        let spec = util::write(&dir, name, text.as_bytes());
        let out = dir.join("x.png");
        let (code, _, err) = run_in(
            &dir,
            &[
                "--spec",
                spec.to_str().expect("utf8"),
                "-o",
                out.to_str().expect("utf8"),
            ],
        );
        assert_eq!(code, 2, "{name}: {err}");
        assert!(
            err.contains(needle),
            "{name}: expected '{needle}' in: {err}"
        );
        assert!(!out.exists());
    }
}

/// The `[[layers]]` of `--print-spec`, which follow the renderer's own grouping: for each
/// overlay layer, its files' names.
fn printed_layers(dir: &Path, args: &[&str]) -> Vec<Vec<String>> {
    let (code, toml, err) = run_in(dir, &[args, &["--print-spec"]].concat());
    assert_eq!(code, 0, "{args:?}: {err}");
    let spec: toml::Value = toml::from_str(&toml).expect("printed spec parses");
    let overlay_names = |v: &toml::Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|p| p.as_str())
                    .map(|p| p.rsplit('/').next().unwrap_or(p).to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    match spec.get("layers").and_then(|l| l.as_array()) {
        Some(layers) => layers
            .iter()
            .filter_map(|l| l.get("overlay"))
            .map(overlay_names)
            .collect(),
        None => spec.get("overlay").map(overlay_names).into_iter().collect(),
    }
}

#[test]
fn overlays_group_into_layers_by_hemisphere_entry_and_file_kind() {
    let dir = util::out_dir("stack_grouping");
    let root = util::root();
    let d = root.join("data/fsaverage5");
    let f = |n: &str| d.join(n).display().to_string();
    let (lh, rh) = (f("lh.inflated"), f("rh.inflated"));
    let cifti = root
        .join("tests/data/cifti/lr.dscalar.nii")
        .display()
        .to_string();
    // Options do not split a hemisphere pair.
    let one = printed_layers(
        &dir,
        &[
            &lh,
            &rh,
            "--overlay",
            &f("lh.thickness"),
            "--threshold",
            "2",
            "--overlay",
            &f("rh.thickness"),
        ],
    );
    assert_eq!(one, vec![vec!["lh.thickness", "rh.thickness"]]);
    // A repeated hemisphere starts a layer; a CIFTI file is a layer of its own.
    let three = printed_layers(
        &dir,
        &[
            &lh,
            &rh,
            "--overlay",
            &f("lh.stat.mgh"),
            "--overlay",
            &f("lh.thickness"),
            "--overlay",
            &cifti,
        ],
    );
    assert_eq!(
        three,
        vec![
            vec!["lh.stat.mgh"],
            vec!["lh.thickness"],
            vec!["lr.dscalar.nii"]
        ]
    );
    // Each [[layers]] entry is one layer, even with the hemispheres free.
    let spec = util::write(
        &dir,
        "entries.toml",
        format!(
            "surfaces = [\"{lh}\", \"{rh}\"]\n[[layers]]\noverlay = [\"{}\"]\ncmap = \"gray\"\n[[layers]]\noverlay = [\"{}\"]\ncmap = \"hot\"\n",
            f("lh.thickness"),
            f("rh.stat.mgh")
        )
        .as_bytes(),
    );
    let entries = printed_layers(&dir, &["--spec", spec.to_str().expect("utf8")]);
    assert_eq!(entries, vec![vec!["lh.thickness"], vec!["rh.stat.mgh"]]);
    // In subject mode a bare name is one layer over both hemispheres.
    let subjects = dir.join("subjects");
    let subject = subjects.join("fs5");
    std::fs::create_dir_all(&subject).expect("subject folder");
    for folder in ["surf", "label"] {
        let link = subject.join(folder);
        if !link.exists() {
            std::os::unix::fs::symlink(&d, &link).expect("link");
        }
    }
    let bare = printed_layers(
        &dir,
        &[
            "--subject",
            "fs5",
            "--subjects-dir",
            subjects.to_str().expect("utf8"),
            "--overlay",
            &f("rh.stat.mgh"),
            "--overlay",
            "thickness",
        ],
    );
    assert_eq!(bare, vec![vec!["rh.stat.mgh"], vec!["thickness"]]);
    // --new-layer splits where names cannot.
    let split = printed_layers(
        &dir,
        &[
            &lh,
            &rh,
            "--overlay",
            &f("lh.thickness"),
            "--new-layer",
            "--overlay",
            &f("rh.thickness"),
        ],
    );
    assert_eq!(split, vec![vec!["lh.thickness"], vec!["rh.thickness"]]);
}

#[test]
fn frames_and_maps_belong_to_their_layer() {
    let dir = util::out_dir("stack_maps");
    let root = util::root();
    let cifti = root.join("tests/data/cifti/lr.dscalar.nii");
    let cifti = cifti.to_str().expect("utf8");
    let (lh, rh, ls, rs) = (
        data("lh.inflated"),
        data("rh.inflated"),
        data("lh.stat.mgh"),
        data("rh.stat.mgh"),
    );
    // A CIFTI map by name under an MGH layer that has no maps: the name is the CIFTI
    // layer's alone.
    let stack = [
        &lh as &str,
        &rh,
        "--size",
        "600x",
        "--overlay",
        cifti,
        "--map",
        "thickness",
        "--cmap",
        "gray",
        "--overlay",
        &ls,
        "--overlay",
        &rs,
        "--threshold",
        "2",
    ];
    let png = dir.join("stack.png");
    let png = png.to_str().expect("utf8");
    let (code, _, err) = run_in(&root, &[&stack[..], &["-o", png]].concat());
    assert_eq!(code, 0, "{err}");
    let (code, toml, err) = run_in(&root, &[&stack[..], &["--print-spec"]].concat());
    assert_eq!(code, 0, "{err}");
    let spec: toml::Value = toml::from_str(&toml).expect("spec");
    let layers = spec
        .get("layers")
        .and_then(|l| l.as_array())
        .expect("layers");
    assert_eq!(
        layers[0].get("map").and_then(|m| m.as_str()),
        Some("thickness"),
        "{toml}"
    );
    assert!(
        layers[1].get("map").is_none() && spec.get("map").is_none(),
        "{toml}"
    );
    // The printed spec replays the same figure.
    let printed = util::write(&dir, "printed.toml", toml.as_bytes());
    let replay = dir.join("replay.png");
    let (code, _, err) = run_in(
        &dir,
        &[
            "--spec",
            printed.to_str().expect("utf8"),
            "-o",
            replay.to_str().expect("utf8"),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read(&replay).expect("png") == std::fs::read(png).expect("png"));
    // Given before any --overlay, a map is for every layer.
    let both = [
        &lh as &str,
        &rh,
        "--map",
        "synthetic",
        "--overlay",
        cifti,
        "--overlay",
        cifti,
        "--print-spec",
    ];
    let (code, toml, err) = run_in(&root, &both);
    assert_eq!(code, 0, "{err}");
    assert!(
        toml.contains("map = \"synthetic\"") && toml.matches("[[layers]]").count() == 2,
        "{toml}"
    );
}
