//! A property of the one figure description (issue 9): a random description, written
//! both as a command line and as a spec file, is either refused by both with the same
//! reason, or accepted by both as the same figure; and a figure that renders replays
//! byte-identically from its `--print-spec` output and from its sidecar.
//!
//! Values are drawn at, just inside and just beyond each option's limits, with names
//! right and wrong, and with stacks of overlay, annotation and label layers.
//! `SURFRENDER_PROPTEST_CASES` (default 300) and `SURFRENDER_PROPTEST_SEED` set the run;
//! README's Development section gives a longer one.

use serde_json::{json, Map, Value};
use surfrender::FigureDesc;

use crate::rng::Rng;
use crate::util::{self, data_arg as data, run_in};

/// One option as both forms write it: the words after `--name`, and the spec's value.
struct Opt {
    name: &'static str,
    words: Vec<String>,
    value: Value,
    /// Makes a figure too large to render quickly (it is still parsed both ways).
    heavy: bool,
}

/// A number as both forms write it.
fn num(name: &'static str, v: f64, heavy: bool) -> Opt {
    let text = format!("{}", v as f32);
    let value = match (text.parse::<i64>(), text.parse::<f64>()) {
        (Ok(i), _) => json!(i),
        (_, Ok(x)) => json!(x),
        _ => json!(text),
    };
    Opt {
        name,
        words: vec![text],
        value,
        heavy,
    }
}

fn text(name: &'static str, t: &str) -> Opt {
    Opt {
        name,
        words: vec![t.to_string()],
        value: json!(t),
        heavy: false,
    }
}

/// Values at, just inside and just beyond `[lo, hi]`, a middle one, and a word.
fn limited(r: &mut Rng, name: &'static str, lo: f64, hi: f64, heavy_above: f64) -> Opt {
    let d = (hi - lo) * 1e-3;
    let candidates = [
        lo,
        hi,
        lo + d,
        hi - d,
        lo - d,
        hi + d,
        (lo + hi) / 2.0,
        lo + d * 7.0,
    ];
    if r.chance(0.05) {
        return text(name, "abc");
    }
    let v = r.pick(&candidates);
    num(name, v, v > heavy_above)
}

/// A figure option (not of a layer), drawn from every kind the description has.
fn figure_option(r: &mut Rng) -> Opt {
    match r.below(28) {
        0 => limited(r, "annot_alpha", 0.0, 1.0, f64::MAX),
        1 => limited(r, "outline_width", 0.5, 50.0, f64::MAX),
        2 => limited(r, "focus_radius", 0.001, 1000.0, f64::MAX),
        3 => limited(r, "zoom", 0.1, 100.0, f64::MAX),
        4 => limited(r, "scale", 0.1, 10.0, 2.0),
        5 => limited(r, "font_size", 2.0, 200.0, 40.0),
        6 => limited(r, "dpi", 1.0, 10_000.0, 200.0),
        7 => limited(r, "cbar_ticks", 2.0, 20.0, f64::MAX),
        8 => limited(r, "n_contours", 1.0, 100.0, f64::MAX),
        9 => {
            let name = r.pick(&["azimuth", "elevation", "roll"]);
            let v = r.pick(&[0.0, -30.0, 2e6, 1e30]);
            match r.chance(0.1) {
                true => text(name, r.pick(&["nan", "inf"])),
                false => num(name, v, false),
            }
        }
        10 => text(
            "cortex",
            r.pick(&[
                "classic",
                "high_contrast",
                "bone",
                "none",
                "Classic",
                "shiny",
            ]),
        ),
        11 => text(
            "background",
            r.pick(&[
                "white",
                "black",
                "#102030",
                "transparent",
                "#12345",
                "purple-ish",
            ]),
        ),
        12 => text(
            r.pick(&["border_color", "outline_color", "focus_color"]),
            r.pick(&["gold", "#00ff00", "crimson", "notacolour"]),
        ),
        13 => {
            let views = r.pick(&[
                "lateral",
                "med,dors",
                "ros,caud,front,par",
                "lat,sideways",
                "a",
            ]);
            let list: Vec<&str> = views.split(',').collect();
            Opt {
                name: "views",
                words: vec![views.into()],
                value: json!(list),
                heavy: false,
            }
        }
        14 => text(
            "layout",
            r.pick(&[
                "grid",
                "row",
                "column",
                "col",
                "lat,med;dors,vent",
                "sideways",
            ]),
        ),
        15 => {
            let s = r.pick(&[
                "64x48", "96x", "x40", "15x20", "16x16", "16385x", "big", "20000x30",
            ]);
            let heavy = s.starts_with("16385") || s.starts_with("20000");
            Opt {
                heavy,
                ..text("size", s)
            }
        }
        16 => text(
            "cbar_orientation",
            r.pick(&["horizontal", "vertical", "h", "v", "diagonal"]),
        ),
        17 => text("cbar_format", r.pick(&["auto", "%.2f", "%.1e", "%d"])),
        18 => text("title", r.pick(&["A title", "-dash first", "α→β", "  "])),
        19 => {
            let name = r.pick(&[
                "panel_labels",
                "split_views",
                "annot_outline",
                "annot_unknown",
                "label_outline",
                "allow_empty",
            ]);
            match (name, r.below(4)) {
                // Borders over the fill, and a word it refuses.
                ("annot_outline", 0) => Opt {
                    name,
                    words: vec!["=both".into()],
                    value: json!("both"),
                    heavy: false,
                },
                ("annot_outline", 1) => Opt {
                    name,
                    words: vec!["=fill".into()],
                    value: json!("fill"),
                    heavy: false,
                },
                _ => bool_option(r, name),
            }
        }
        20 => {
            let on = r.chance(0.5);
            Opt {
                name: r.pick(&["no_colorbar", "no_sidecar"]),
                words: vec![format!("={on}")],
                value: json!(!on),
                heavy: false,
            }
        }
        21 => {
            let levels = r.pick(&["-2,0,2", "1.5", "nan,1"]);
            let list: Vec<Value> = levels
                .split(',')
                .map(|v| match v.parse::<f64>() {
                    Ok(x) if x.is_finite() => json!(x),
                    _ => json!(v),
                })
                .collect();
            Opt {
                name: "levels",
                words: vec![levels.into()],
                value: json!(list),
                heavy: false,
            }
        }
        22 => {
            let f = r.pick(&["-40,20,30", "10,-20", "1,2,x"]);
            Opt {
                name: "focus",
                words: vec![f.into()],
                value: json!([f]),
                heavy: false,
            }
        }
        23 => text(
            "curv_sign",
            r.pick(&["auto", "freesurfer", "workbench", "Workbench", "hcp"]),
        ),
        24 => limited(r, "projfrac", -1.0, 2.0, f64::MAX),
        25 => text(
            r.pick(&["sample_reduce", "sample_interp"]),
            r.pick(&["mean", "max", "trilinear", "nearest", "median"]),
        ),
        26 => text(
            "png_compression",
            r.pick(&["fast", "default", "best", "Best", "zip"]),
        ),
        _ => {
            let s = r.pick(&["40x30", "50x", "0x10"]);
            text("panel_size", s)
        }
    }
}

/// `--name` or `--name=false`, and `name = true|false`.
fn bool_option(r: &mut Rng, name: &'static str) -> Opt {
    let on = r.chance(0.7);
    Opt {
        name,
        words: vec![format!("={on}")],
        value: json!(on),
        heavy: false,
    }
}

/// An option of an overlay layer.
fn layer_option(r: &mut Rng) -> Opt {
    match r.below(9) {
        0 => text(
            "cmap",
            r.pick(&["heat", "viridis", "RdBu_r", "gray", "virdis", "auto"]),
        ),
        1 => {
            let t = r.pick(&["0", "2", "2.5", "95%", "-1", "101%", "abc"]);
            match t.parse::<f64>() {
                Ok(v) => num("threshold", v, false),
                Err(_) => text("threshold", t),
            }
        }
        2 => {
            let (lo, hi) = r.pick(&[
                ("1", "4"),
                ("2%", "98%"),
                ("4", "1"),
                ("-1", "2"),
                ("0", "0"),
            ]);
            let v = |s: &str| s.parse::<f64>().map_or(json!(s), |x| json!(x));
            Opt {
                name: "range",
                words: vec![lo.into(), hi.into()],
                value: json!([v(lo), v(hi)]),
                heavy: false,
            }
        }
        3 => text("sign", r.pick(&["abs", "pos", "neg", "both"])),
        4 => bool_option(r, "symmetric"),
        5 => bool_option(r, "outline"),
        6 => limited(r, "opacity", 0.0, 1.0, f64::MAX),
        7 => text("cbar_label", r.pick(&["z", "thickness (mm)", "-signed"])),
        _ => num("frame", r.pick(&[0.0, 1.0]), false),
    }
}

/// A random figure as a command line and as a spec.
struct Case {
    argv: Vec<String>,
    spec: Map<String, Value>,
    heavy: bool,
}

impl Case {
    fn add(&mut self, o: Opt, into: &mut Map<String, Value>) {
        let flag = format!("--{}", o.name.replace('_', "-"));
        match o.words.as_slice() {
            [w] if w.starts_with('=') => self.argv.push(format!("{flag}{w}")),
            words => {
                self.argv.push(flag);
                self.argv.extend(words.iter().cloned());
            }
        }
        let key = o.name.strip_prefix("no_").unwrap_or(o.name);
        into.insert(key.into(), o.value);
        self.heavy |= o.heavy;
    }

    fn generate(r: &mut Rng) -> Case {
        let both = r.chance(0.6);
        let mut surfaces = vec![data("lh.inflated")];
        if both {
            surfaces.push(data("rh.inflated"));
        }
        let mut case = Case {
            argv: std::iter::once("surfrender".to_string())
                .chain(surfaces.clone())
                .collect(),
            spec: Map::new(),
            heavy: false,
        };
        let mut spec = Map::new();
        spec.insert("surfaces".into(), json!(surfaces));
        // Each option once (a repeated one would be checked twice on the command line).
        let mut options = vec![text("size", "64x48"), text("backend", "cpu")];
        for _ in 0..r.below(5) {
            let o = figure_option(r);
            options.retain(|p| p.name != o.name);
            options.push(o);
        }
        for o in options {
            case.add(o, &mut spec);
        }
        let mut layers = Vec::new();
        for _ in 0..r.below(4) {
            layers.push(case.layer(r, both));
        }
        if !layers.is_empty() {
            spec.insert("layers".into(), json!(layers));
        }
        case.spec = spec;
        case
    }

    /// One layer: an overlay with options (its files per hemisphere), or an annotation,
    /// or a label.
    fn layer(&mut self, r: &mut Rng, both: bool) -> Value {
        let hemis: &[&str] = if both { &["lh", "rh"] } else { &["lh"] };
        let mut layer = Map::new();
        match r.below(5) {
            0 => {
                let files: Vec<String> = hemis
                    .iter()
                    .map(|h| data(&format!("{h}.synthkmeans.annot")))
                    .collect();
                for f in &files {
                    self.argv.extend(["--annot".into(), f.clone()]);
                }
                layer.insert("annot".into(), json!(files));
            }
            1 => {
                let f = data("lh.synth05.label");
                self.argv.extend([
                    "--label".into(),
                    f.clone(),
                    "--label-color".into(),
                    "gold".into(),
                ]);
                layer.insert("label".into(), json!([f]));
                layer.insert("label_color".into(), json!(["gold"]));
            }
            _ => {
                let map = r.pick(&["thickness", "stat.mgh"]);
                let files: Vec<String> =
                    hemis.iter().map(|h| data(&format!("{h}.{map}"))).collect();
                self.argv.push("--new-layer".into());
                for f in &files {
                    self.argv.extend(["--overlay".into(), f.clone()]);
                }
                layer.insert("overlay".into(), json!(files));
                let mut options: Vec<Opt> = Vec::new();
                for _ in 0..r.below(4) {
                    let o = layer_option(r);
                    options.retain(|p| p.name != o.name);
                    options.push(o);
                }
                for o in options {
                    self.add(o, &mut layer);
                }
            }
        }
        Value::Object(layer)
    }
}

/// The reason of a spec's refusal, without the field path in front.
fn reason(msg: &str) -> &str {
    match msg.split_once(": ") {
        Some((path, rest)) if !path.contains(' ') => rest,
        _ => msg,
    }
}

/// Both forms agree: the same refusal, or the same figure (which then resolves alike).
fn agree(case: &Case) -> Result<Option<FigureDesc>, String> {
    let cli = FigureDesc::from_args(&case.argv);
    let spec = FigureDesc::from_spec_value(Value::Object(case.spec.clone()));
    let show = || format!("{:?}\n{}", case.argv, Value::Object(case.spec.clone()));
    let (cli, spec) = match (cli, spec) {
        (Err(c), Err(s)) if c.to_string().contains(reason(&s)) => return Ok(None),
        (Err(c), Err(s)) => return Err(format!("refused differently: {c} / {s}\n{}", show())),
        (Ok(_), Err(s)) => return Err(format!("only the spec refuses: {s}\n{}", show())),
        (Err(c), Ok(_)) => return Err(format!("only the command line refuses: {c}\n{}", show())),
        (Ok(c), Ok(s)) => (c.effective(), s.effective()),
    };
    if cli != spec {
        return Err(format!("different figures:\n{cli:?}\n{spec:?}\n{}", show()));
    }
    match (cli.resolve(), spec.resolve()) {
        (Ok(_), Ok(_)) => Ok(Some(cli)),
        (Err(a), Err(b)) if a.to_string() == b.to_string() => Ok(None),
        (a, b) => Err(format!(
            "resolve differs: {:?} / {:?}\n{}",
            a.err(),
            b.err(),
            show()
        )),
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn random_descriptions_agree_and_replay() {
    let dir = util::out_dir("property");
    let cases = env_number("SURFRENDER_PROPTEST_CASES", 300);
    let seed = env_number("SURFRENDER_PROPTEST_SEED", 9);
    let mut r = Rng(seed);
    let (mut accepted, mut rendered) = (0u64, 0u64);
    // Rendering costs a tenth of a second a figure: every fourth accepted one is rendered
    // and replayed.
    let render_every = 4;
    let mut failed = 0;
    for k in 0..cases {
        let case = Case::generate(&mut r);
        let agreed = agree(&case).unwrap_or_else(|e| panic!("case {k} (seed {seed}): {e}"));
        if agreed.is_none() {
            continue;
        }
        accepted += 1;
        if case.heavy || accepted % render_every != 0 {
            continue;
        }
        let args: Vec<&str> = case.argv[1..].iter().map(String::as_str).collect();
        let png = dir.join("a.png").display().to_string();
        let (code, _, err) = run_in(&dir, &[&args[..], &["-o", &png]].concat());
        // A figure may still fail on its data (an empty panel, a frame that is not there):
        // then it failed for a reason the replay shares; only figures are replayed.
        if code != 0 {
            assert!(!err.contains("panicked"), "case {k}: {err}");
            failed += 1;
            continue;
        }
        rendered += 1;
        crate::desc::replays_identically(&dir, &args);
    }
    eprintln!("property: {cases} cases, {accepted} accepted by both, {rendered} rendered and replayed, {failed} failed on their data");
    assert!(accepted * 5 > cases, "too few valid cases: {accepted}");
    assert!(rendered >= 5, "too few rendered: {rendered}");
}
