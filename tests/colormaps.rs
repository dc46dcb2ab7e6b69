//! Colormaps: values against matplotlib's, the FreeSurfer heat map, reversal, lookup and
//! its error messages.
//!
//! The reference colours below were printed by matplotlib 3.11.2 (`matplotlib.colormaps
//! [name](np.float32(t))`, times 255, `numpy.round`). The module rounds halves away from
//! zero where numpy rounds them to even, hence the tolerance of one unit.

use surfrender::color::cmap::Colormap;
use surfrender::Error;

fn cmap(name: &str) -> Colormap {
    Colormap::from_name(name).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn close(got: [u8; 3], want: [u8; 3], tol: u8) -> bool {
    got.iter().zip(want).all(|(&g, w)| g.abs_diff(w) <= tol)
}

#[track_caller]
fn assert_close(name: &str, t: f32, want: [u8; 3], tol: u8) {
    let got = cmap(name).sample(t);
    assert!(
        close(got, want, tol),
        "{name} at t = {t}: got {got:?}, want {want:?} (± {tol})"
    );
}

const T: [f32; 7] = [0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0];

/// matplotlib 3.11.2 at the positions in `T`.
#[rustfmt::skip]
const MATPLOTLIB: &[(&str, [[u8; 3]; 7])] = &[
    ("viridis", [[68, 1, 84], [72, 36, 117], [53, 95, 141], [33, 145, 140], [68, 191, 112], [189, 223, 38], [253, 231, 37]]),
    ("inferno", [[0, 0, 4], [22, 11, 57], [106, 23, 110], [188, 55, 84], [243, 120, 25], [246, 215, 70], [252, 255, 164]]),
    ("magma", [[0, 0, 4], [20, 14, 54], [100, 26, 128], [183, 55, 121], [247, 112, 92], [254, 207, 146], [252, 253, 191]]),
    ("plasma", [[13, 8, 135], [65, 4, 157], [143, 13, 164], [204, 71, 120], [242, 132, 75], [252, 206, 37], [240, 249, 33]]),
    ("cividis", [[0, 34, 78], [8, 51, 112], [79, 87, 108], [125, 124, 120], [174, 163, 113], [229, 207, 82], [254, 232, 56]]),
    ("turbo", [[48, 18, 59], [69, 89, 203], [25, 213, 205], [164, 252, 60], [254, 164, 49], [195, 37, 3], [122, 4, 3]]),
    ("cubehelix", [[0, 0, 0], [26, 20, 47], [30, 101, 66], [161, 121, 74], [207, 157, 219], [211, 238, 239], [255, 255, 255]]),
    ("cool", [[0, 255, 255], [25, 230, 255], [76, 179, 255], [128, 127, 255], [179, 76, 255], [230, 25, 255], [255, 0, 255]]),
    ("rainbow", [[128, 0, 255], [78, 77, 252], [24, 205, 228], [128, 255, 180], [230, 205, 115], [255, 77, 39], [255, 0, 0]]),
    ("hot", [[11, 0, 0], [76, 0, 0], [210, 0, 0], [255, 92, 0], [255, 225, 0], [255, 255, 157], [255, 255, 255]]),
    ("afmhot", [[0, 0, 0], [50, 0, 0], [152, 24, 0], [255, 128, 1], [255, 230, 103], [255, 255, 205], [255, 255, 255]]),
    ("gray", [[0, 0, 0], [25, 25, 25], [76, 76, 76], [128, 128, 128], [179, 179, 179], [230, 230, 230], [255, 255, 255]]),
    ("bone", [[0, 0, 0], [22, 22, 30], [66, 66, 93], [112, 123, 144], [157, 185, 188], [221, 233, 233], [255, 255, 255]]),
    ("jet", [[0, 0, 128], [0, 0, 241], [0, 176, 255], [125, 255, 122], [255, 196, 0], [241, 8, 0], [128, 0, 0]]),
    ("pink", [[30, 0, 0], [104, 65, 65], [175, 114, 114], [208, 172, 148], [228, 223, 174], [247, 247, 229], [255, 255, 255]]),
    ("coolwarm", [[59, 76, 192], [89, 119, 227], [158, 190, 255], [221, 220, 220], [247, 172, 142], [214, 82, 68], [180, 4, 38]]),
    ("seismic", [[0, 0, 76], [0, 0, 146], [49, 49, 255], [255, 253, 253], [255, 49, 49], [178, 0, 0], [128, 0, 0]]),
    ("bwr", [[0, 0, 255], [50, 50, 255], [152, 152, 255], [255, 254, 254], [255, 152, 152], [255, 50, 50], [255, 0, 0]]),
    ("Blues", [[247, 251, 255], [227, 238, 249], [183, 212, 234], [106, 174, 214], [46, 126, 188], [8, 74, 145], [8, 48, 107]]),
    ("Greys", [[255, 255, 255], [243, 243, 243], [206, 206, 206], [149, 149, 149], [95, 95, 95], [29, 29, 29], [0, 0, 0]]),
    ("YlOrRd", [[255, 255, 204], [255, 241, 169], [254, 202, 102], [253, 140, 60], [237, 46, 33], [176, 0, 38], [128, 0, 38]]),
    ("PuBuGn", [[255, 247, 251], [240, 231, 242], [192, 201, 226], [102, 169, 207], [22, 135, 159], [1, 100, 81], [1, 70, 54]]),
    ("RdBu", [[103, 0, 31], [177, 24, 43], [243, 164, 129], [246, 247, 247], [144, 196, 221], [32, 101, 171], [5, 48, 97]]),
    ("RdYlBu", [[165, 0, 38], [214, 47, 39], [253, 173, 96], [254, 255, 192], [170, 216, 233], [69, 116, 179], [49, 54, 149]]),
    ("PuOr", [[127, 59, 8], [178, 87, 6], [252, 183, 97], [246, 246, 247], [177, 170, 209], [83, 38, 135], [45, 0, 75]]),
    ("BrBG", [[84, 48, 5], [139, 80, 10], [222, 193, 123], [244, 245, 245], [127, 204, 192], [1, 101, 93], [0, 60, 48]]),
    ("Spectral", [[158, 1, 66], [212, 61, 79], [253, 173, 96], [255, 255, 190], [170, 220, 164], [51, 135, 188], [94, 79, 162]]),
];

#[test]
fn matches_matplotlib_reference_values() {
    let mut bad = Vec::new();
    for (name, want) in MATPLOTLIB {
        let map = cmap(name);
        for (&t, &w) in T.iter().zip(want) {
            let got = map.sample(t);
            if !close(got, w, 1) {
                bad.push(format!("{name} at {t}: got {got:?}, matplotlib {w:?}"));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "differs from matplotlib:\n{}",
        bad.join("\n")
    );
}

#[test]
fn published_endpoints() {
    // viridis: matplotlib's _viridis_data first and last rows, exactly.
    assert_eq!(cmap("viridis").sample(0.0), [68, 1, 84]);
    assert_eq!(cmap("viridis").sample(1.0), [253, 231, 37]);
    // hot starts at red 0.0416 (11/255) in matplotlib's data: black but for a trace of red.
    assert_eq!(cmap("hot").sample(0.0), [11, 0, 0]);
    assert_eq!(cmap("hot").sample(1.0), [255, 255, 255]);
    assert_close("gray", 0.5, [128, 128, 128], 1);
    assert_eq!(cmap("gray").sample(0.0), [0, 0, 0]);
    assert_eq!(cmap("gray").sample(1.0), [255, 255, 255]);
    assert_close("jet", 0.0, [0, 0, 128], 1);
    assert_close("jet", 1.0, [128, 0, 0], 1);
    assert_close("coolwarm", 0.0, [59, 76, 192], 1);
    assert_close("coolwarm", 1.0, [180, 4, 38], 1);
    assert_close("seismic", 0.0, [0, 0, 77], 1);
    assert_close("seismic", 1.0, [128, 0, 0], 1);
    assert_eq!(cmap("bwr").sample(0.0), [0, 0, 255]);
    assert_eq!(cmap("bwr").sample(1.0), [255, 0, 0]);
}

#[test]
fn diverging_brewer_maps_run_like_matplotlib() {
    // RdBu: red at 0, blue at 1 (matplotlib's _RdBu_data 0x67001f … 0x053061).
    let [r, g, b] = cmap("RdBu").sample(0.0);
    assert!(
        r > g && r > b,
        "RdBu at 0 should be red, got {:?}",
        [r, g, b]
    );
    assert_eq!([r, g, b], [103, 0, 31]);
    let [r, g, b] = cmap("RdBu").sample(1.0);
    assert!(
        b > r && b > g,
        "RdBu at 1 should be blue, got {:?}",
        [r, g, b]
    );
    assert_eq!([r, g, b], [5, 48, 97]);
    // RdYlBu and RdYlGn start red; matplotlib's PuOr starts orange-brown and ends purple.
    let [r, g, b] = cmap("RdYlBu").sample(0.0);
    assert!(r > g && r > b);
    let [r, g, b] = cmap("RdYlGn").sample(1.0);
    assert!(g > r && g > b);
    assert_eq!(cmap("PuOr").sample(0.0), [127, 59, 8]);
    assert_eq!(cmap("PuOr").sample(1.0), [45, 0, 75]);
    // Sequential ColorBrewer: light to dark.
    assert_eq!(cmap("Blues").sample(0.0), [247, 251, 255]);
    assert_eq!(cmap("Greys").sample(1.0), [0, 0, 0]);
}

#[test]
fn heat_is_freesurfer_two_sided() {
    let h = cmap("heat");
    assert_eq!(h.sample(0.0), [0, 255, 255], "cyan at the negative end");
    assert_eq!(h.sample(0.125), [0, 128, 255]);
    assert_eq!(h.sample(0.25), [0, 0, 255], "blue halfway down");
    assert_eq!(h.sample(0.4999), [0, 0, 128], "dark blue just below zero");
    assert_eq!(h.sample(0.5), [128, 0, 0], "dark red at zero");
    assert_eq!(h.sample(0.625), [192, 0, 0]);
    assert_eq!(h.sample(0.75), [255, 0, 0], "red halfway up");
    assert_eq!(h.sample(0.875), [255, 128, 0]);
    assert_eq!(h.sample(1.0), [255, 255, 0], "yellow at the positive end");
    assert!(h.diverging());
    assert_eq!(h.name(), "heat");
}

#[test]
fn reversed_maps_read_backwards() {
    for name in Colormap::names() {
        let fwd = cmap(name);
        let rev = cmap(&format!("{name}_r"));
        assert_eq!(rev.name(), format!("{}_r", fwd.name()));
        assert_eq!(rev.diverging(), fwd.diverging(), "{name}");
        assert_eq!(rev.sample(0.0), fwd.sample(1.0), "{name}_r at 0");
        assert_eq!(rev.sample(1.0), fwd.sample(0.0), "{name}_r at 1");
        // Centres of the 256 table bins: exact; anywhere else within one table step.
        for k in 0..256 {
            let t = (k as f32 + 0.5) / 256.0;
            assert_eq!(rev.sample(t), fwd.sample(1.0 - t), "{name}_r at {t}");
        }
        for k in 0..=100 {
            let t = k as f32 / 100.0;
            let (a, b) = (rev.sample(t), fwd.sample(1.0 - t));
            // t and 1 - t can fall in neighbouring table bins (heat: across its jump), so
            // expect only that the reversed map is close to the mirrored one.
            if name != "heat" {
                assert!(close(a, b, 8), "{name}_r at {t}: {a:?} vs {b:?}");
            }
        }
    }
    let viridis_r = cmap("viridis_r");
    assert_eq!(viridis_r.sample(0.0), [253, 231, 37]);
    assert_eq!(viridis_r.sample(1.0), [68, 1, 84]);
    assert_eq!(cmap("RdBu_r").sample(0.0), [5, 48, 97]);
    assert_eq!(cmap("heat_r").sample(0.0), [255, 255, 0]);
    assert_eq!(cmap("heat_r").sample(1.0), [0, 255, 255]);
}

#[test]
fn lookup_is_case_insensitive_with_canonical_names() {
    assert_eq!(cmap("viridis").name(), "viridis");
    assert_eq!(cmap("VIRIDIS").name(), "viridis");
    assert_eq!(cmap("rdbu").name(), "RdBu");
    assert_eq!(cmap("RDBU_R").name(), "RdBu_r");
    assert_eq!(cmap("ylorrd").name(), "YlOrRd");
    assert_eq!(cmap("spectral_r").name(), "Spectral_r");
    assert_eq!(cmap("Heat").name(), "heat");
    assert_eq!(cmap("grey").name(), "gray");
    assert_eq!(cmap("grey_r").name(), "gray_r");
    assert_eq!(cmap("greys").name(), "Greys", "Greys is not the grey alias");
    assert_eq!(cmap(" jet ").name(), "jet");
    assert_eq!(cmap("rdbu").sample(0.3), cmap("RdBu").sample(0.3));
    assert_eq!(cmap("GREY").sample(0.3), cmap("gray").sample(0.3));
}

fn usage_message(name: &str) -> String {
    match Colormap::from_name(name) {
        Err(e @ Error::Usage(_)) => {
            assert_eq!(e.exit_code(), 2);
            e.to_string()
        }
        Err(e) => panic!("{name:?}: expected a usage error, got {e:?}"),
        Ok(c) => panic!("{name:?}: expected an error, got {}", c.name()),
    }
}

#[test]
fn unknown_names_suggest_close_matches() {
    let msg = usage_message("viridsi");
    assert!(
        msg.starts_with("unknown colormap 'viridsi'; did you mean: viridis"),
        "{msg}"
    );
    assert!(msg.ends_with("? (`surfrender --help` lists all)"), "{msg}");
    let listed = msg["unknown colormap 'viridsi'; did you mean: ".len()..]
        .split('?')
        .next()
        .unwrap()
        .split(", ")
        .count();
    assert!((1..=5).contains(&listed), "{msg}");

    let msg = usage_message("viridsi_r");
    assert!(msg.contains("did you mean: viridis_r"), "{msg}");
    let msg = usage_message("coolwram");
    assert!(msg.contains("coolwarm"), "{msg}");
    let msg = usage_message("RdBlu");
    assert!(msg.contains("RdBu"), "{msg}");
    let msg = usage_message("Blue");
    assert!(msg.contains("did you mean: Blues"), "{msg}");

    for bad in ["", "   ", "_r", "viridis_r_r", "nosuchmap"] {
        usage_message(bad);
    }
}

#[test]
fn names_lists_every_map() {
    let names = Colormap::names();
    let expected = [
        // colorous gradients
        "turbo",
        "viridis",
        "inferno",
        "magma",
        "plasma",
        "cividis",
        "warm",
        "cool_d3",
        "cubehelix",
        "rainbow_d3",
        "sinebow",
        "Blues",
        "Greens",
        "Greys",
        "Oranges",
        "Purples",
        "Reds",
        "BuGn",
        "BuPu",
        "GnBu",
        "OrRd",
        "PuBuGn",
        "PuBu",
        "PuRd",
        "RdPu",
        "YlGnBu",
        "YlGn",
        "YlOrBr",
        "YlOrRd",
        "BrBG",
        "PRGn",
        "PiYG",
        "PuOr",
        "RdBu",
        "RdGy",
        "RdYlBu",
        "RdYlGn",
        "Spectral",
        // matplotlib segment data
        "hot",
        "afmhot",
        "gray",
        "grey",
        "bone",
        "jet",
        "coolwarm",
        "seismic",
        "bwr",
        "pink",
        "cool",
        "rainbow",
        // FreeSurfer
        "heat",
    ];
    for n in expected {
        assert!(names.contains(&n), "names() lacks {n}");
    }
    assert_eq!(
        names.len(),
        expected.len(),
        "unexpected extra names: {names:?}"
    );
    for pair in names.windows(2) {
        assert!(
            pair[0].to_lowercase() < pair[1].to_lowercase(),
            "not sorted (ignoring case) or duplicated: {pair:?}"
        );
    }
    for n in &names {
        assert!(!n.to_lowercase().ends_with("_r"), "{n}");
        let c = cmap(n);
        if *n != "grey" {
            assert_eq!(c.name(), *n);
        }
    }
}

#[test]
fn diverging_flags() {
    for n in [
        "heat", "RdBu", "RdYlBu", "RdYlGn", "RdGy", "PiYG", "PRGn", "BrBG", "PuOr", "Spectral",
        "coolwarm", "seismic", "bwr", "RdBu_r", "heat_r",
    ] {
        assert!(cmap(n).diverging(), "{n} should be diverging");
    }
    for n in [
        "hot",
        "viridis",
        "Blues",
        "jet",
        "gray",
        "turbo",
        "YlOrRd",
        "viridis_r",
    ] {
        assert!(!cmap(n).diverging(), "{n} should not be diverging");
    }
}

#[test]
fn clamps_and_treats_nan_as_zero() {
    for name in Colormap::names() {
        let c = cmap(name);
        assert_eq!(c.sample(f32::NAN), c.sample(0.0), "{name}");
        assert_eq!(c.sample(-3.0), c.sample(0.0), "{name}");
        assert_eq!(c.sample(f32::NEG_INFINITY), c.sample(0.0), "{name}");
        assert_eq!(c.sample(7.0), c.sample(1.0), "{name}");
        assert_eq!(c.sample(f32::INFINITY), c.sample(1.0), "{name}");
    }
}

#[test]
fn clones_agree_and_debug_is_short() {
    let a = cmap("coolwarm_r");
    let b = a.clone();
    for k in 0..=10 {
        let t = k as f32 / 10.0;
        assert_eq!(a.sample(t), b.sample(t));
    }
    let dbg = format!("{a:?}");
    assert!(dbg.contains("coolwarm_r") && dbg.len() < 200, "{dbg}");
}
