//! Named colormaps, looked up by their matplotlib names.
//!
//! Every map except `heat` is materialised the way matplotlib does it: a 256-entry lookup
//! table whose entry `i` is the map evaluated at `i / 255`, and `sample(t)` returns entry
//! `min(255, floor(t * 256))` (matplotlib's `Colormap.__call__` on a float in `[0, 1]`);
//! `_r` reads the table backwards, which is what matplotlib's `reversed()` gives.
//! Entries are converted to bytes with `(x * 255).round()`. Where `x * 255` falls exactly on
//! a half this rounds away from zero, where `numpy.round` rounds to even (and matplotlib's
//! own `bytes=True` output truncates), so a channel may differ from those by one.
//!
//! Where the data come from, and how they compare with matplotlib (all 256 table entries
//! of every map were compared with matplotlib 3.11.2 when this was written; the tests in
//! `tests/colormaps.rs` keep seven reference points per map):
//!
//! * matplotlib's segment data (`matplotlib/_cm.py`, copied verbatim below) for `hot`,
//!   `afmhot`, `gray` (alias `grey`), `bone`, `jet`, `pink`, `cool`, `rainbow`, `coolwarm`,
//!   `seismic` and `bwr`, and `cubehelix` from Green's formula with matplotlib's default
//!   parameters (gamma 1, s 0.5, r -1.5, h 1), interpolated exactly like
//!   `LinearSegmentedColormap` (`_create_lookup_table`, N = 256): identical to matplotlib up
//!   to the half-rounding above.
//! * matplotlib's 256-colour tables (`_cm_listed.py`) for `turbo` and `cividis`: identical.
//!   colorous's `TURBO` and `CIVIDIS` are polynomial fits that stray up to 32 and 18 units
//!   from these tables, so they are not used.
//! * the ColorBrewer maps (`Blues` … `YlOrRd`, `BrBG` … `Spectral`): the 9 (sequential) or
//!   11 (diverging) ColorBrewer colours taken from colorous and interpolated linearly, which
//!   is what matplotlib's `LinearSegmentedColormap.from_list` does with the same colours:
//!   identical to matplotlib. colorous's own continuous evaluation of them (a B-spline, as
//!   d3's `interpolateRdBu`) is not used. The direction is matplotlib's: `RdBu` runs red →
//!   blue, `Blues` light → dark, and `PuOr` orange → purple (matplotlib's order, which is the
//!   reverse of colorous's).
//! * colorous's gradients (d3-scale-chromatic) for `viridis`, `inferno`, `magma` and
//!   `plasma`: colorous smooths matplotlib's 256 colours with a B-spline and truncates to
//!   bytes, which leaves them within 1 unit per channel of matplotlib (endpoints exact).
//! * colorous's gradients for the maps matplotlib does not have: `warm`, `sinebow`,
//!   `cool_d3` (d3's `interpolateCool`) and `rainbow_d3` (d3's `interpolateRainbow`).
//!   matplotlib has its own `cool` (linear cyan → magenta) and `rainbow` (sinusoidal), and
//!   those names give matplotlib's maps here. colorous's `CUBEHELIX` (d3's
//!   `interpolateCubehelixDefault`) is the same map as matplotlib's default `cubehelix`,
//!   which is computed from matplotlib's formula instead.
//! * `heat`: FreeSurfer/PySurfer's two-sided map (not in matplotlib), evaluated continuously
//!   rather than through a table, because its middle is a discontinuity: `t < 0.5` is the
//!   negative half (cyan at 0 → blue at 0.25 → dark blue just below 0.5), `t >= 0.5` the
//!   positive half (dark red at 0.5 → red at 0.75 → yellow at 1).
//!
//! Lookup accepts matplotlib's spelling, then any ASCII case (`rdbu` gives `RdBu`); `_r`
//! (any case) reverses. Not provided: matplotlib's other maps (`autumn`, `copper`, `hsv`,
//! `gist_*`, `tab10`, `twilight`, …) and colorous's categorical palettes.

use std::fmt;
use std::sync::Arc;

use crate::error::Error;

/// Entries in the lookup table of every map but `heat` (matplotlib's `rcParams['image.lut']`).
const LUT_SIZE: usize = 256;

/// A colormap sampled on `[0, 1]`.
#[derive(Debug, Clone)]
pub struct Colormap {
    /// Canonical name, with `_r` when reversed.
    name: String,
    kind: Kind,
    reversed: bool,
    diverging: bool,
}

#[derive(Debug, Clone)]
enum Kind {
    Lut(Lut),
    Heat,
}

/// 256 precomputed colours, shared between clones.
#[derive(Clone)]
struct Lut(Arc<[[u8; 3]; LUT_SIZE]>);

impl fmt::Debug for Lut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Lut({} entries)", LUT_SIZE)
    }
}

/// How a map is defined.
#[derive(Clone, Copy)]
enum Source {
    /// matplotlib segment data, per channel `(x, y)` nodes.
    Channels([&'static [(f64, f64)]; 3]),
    /// matplotlib segment data whose channels share their x: `[x, r, g, b]`.
    Nodes(&'static [[f64; 4]]),
    /// Evenly spaced colours (matplotlib's `LinearSegmentedColormap.from_list`).
    Even(&'static [[f64; 3]]),
    /// The `n` ColorBrewer colours of a colorous scheme, evenly spaced (`from_list`);
    /// `true` when matplotlib lists them in the opposite order to colorous.
    Brewer(colorous::Gradient, usize, bool),
    /// A 256-colour table, `0xRRGGBB` (matplotlib's `ListedColormap`).
    Listed(&'static [u32; LUT_SIZE]),
    /// A colorous gradient evaluated continuously.
    Colorous(colorous::Gradient),
    /// A function of `x` in `[0, 1]` (matplotlib's callable segment data); clipped.
    Func(fn(f64) -> [f64; 3]),
    /// FreeSurfer's two-sided heat map (no table).
    Heat,
}

struct Entry {
    name: &'static str,
    source: Source,
    diverging: bool,
}

const fn seq(name: &'static str, source: Source) -> Entry {
    Entry {
        name,
        source,
        diverging: false,
    }
}

const fn div(name: &'static str, source: Source) -> Entry {
    Entry {
        name,
        source,
        diverging: true,
    }
}

/// ColorBrewer sequential schemes have 9 classes, diverging ones 11 (as in matplotlib).
const fn brewer9(g: colorous::Gradient) -> Source {
    Source::Brewer(g, 9, false)
}

const fn brewer11(g: colorous::Gradient) -> Source {
    Source::Brewer(g, 11, false)
}

/// Every map, under its canonical name.
static REGISTRY: &[Entry] = &[
    // matplotlib's own maps.
    seq("hot", Source::Channels(HOT)),
    seq("afmhot", Source::Func(afmhot)),
    seq("gray", Source::Channels(GRAY)),
    seq("bone", Source::Channels(BONE)),
    seq("jet", Source::Channels(JET)),
    seq("pink", Source::Nodes(PINK)),
    seq("cool", Source::Channels(COOL)),
    seq("rainbow", Source::Func(rainbow)),
    seq("cubehelix", Source::Func(cubehelix)),
    div("coolwarm", Source::Nodes(COOLWARM)),
    div("seismic", Source::Even(SEISMIC)),
    div("bwr", Source::Even(BWR)),
    // Perceptually uniform maps (colorous's copies of matplotlib's tables).
    seq("viridis", Source::Colorous(colorous::VIRIDIS)),
    seq("inferno", Source::Colorous(colorous::INFERNO)),
    seq("magma", Source::Colorous(colorous::MAGMA)),
    seq("plasma", Source::Colorous(colorous::PLASMA)),
    // colorous's CIVIDIS and TURBO are polynomial fits that stray up to 18 and 32 units
    // from matplotlib's tables, so matplotlib's tables are used instead.
    seq("cividis", Source::Listed(CIVIDIS)),
    seq("turbo", Source::Listed(TURBO)),
    // d3 maps matplotlib does not have.
    seq("warm", Source::Colorous(colorous::WARM)),
    seq("cool_d3", Source::Colorous(colorous::COOL)),
    seq("rainbow_d3", Source::Colorous(colorous::RAINBOW)),
    seq("sinebow", Source::Colorous(colorous::SINEBOW)),
    // ColorBrewer sequential, single hue.
    seq("Blues", brewer9(colorous::BLUES)),
    seq("Greens", brewer9(colorous::GREENS)),
    seq("Greys", brewer9(colorous::GREYS)),
    seq("Oranges", brewer9(colorous::ORANGES)),
    seq("Purples", brewer9(colorous::PURPLES)),
    seq("Reds", brewer9(colorous::REDS)),
    // ColorBrewer sequential, multi-hue.
    seq("BuGn", brewer9(colorous::BLUE_GREEN)),
    seq("BuPu", brewer9(colorous::BLUE_PURPLE)),
    seq("GnBu", brewer9(colorous::GREEN_BLUE)),
    seq("OrRd", brewer9(colorous::ORANGE_RED)),
    seq("PuBuGn", brewer9(colorous::PURPLE_BLUE_GREEN)),
    seq("PuBu", brewer9(colorous::PURPLE_BLUE)),
    seq("PuRd", brewer9(colorous::PURPLE_RED)),
    seq("RdPu", brewer9(colorous::RED_PURPLE)),
    seq("YlGnBu", brewer9(colorous::YELLOW_GREEN_BLUE)),
    seq("YlGn", brewer9(colorous::YELLOW_GREEN)),
    seq("YlOrBr", brewer9(colorous::YELLOW_ORANGE_BROWN)),
    seq("YlOrRd", brewer9(colorous::YELLOW_ORANGE_RED)),
    // ColorBrewer diverging.
    div("BrBG", brewer11(colorous::BROWN_GREEN)),
    div("PRGn", brewer11(colorous::PURPLE_GREEN)),
    div("PiYG", brewer11(colorous::PINK_GREEN)),
    // matplotlib's PuOr runs orange → purple (ColorBrewer's listing order), colorous's
    // (d3's) purple → orange.
    div("PuOr", Source::Brewer(colorous::PURPLE_ORANGE, 11, true)),
    div("RdBu", brewer11(colorous::RED_BLUE)),
    div("RdGy", brewer11(colorous::RED_GREY)),
    div("RdYlBu", brewer11(colorous::RED_YELLOW_BLUE)),
    div("RdYlGn", brewer11(colorous::RED_YELLOW_GREEN)),
    div("Spectral", brewer11(colorous::SPECTRAL)),
    // FreeSurfer / PySurfer.
    div("heat", Source::Heat),
];

/// Other accepted names: `(alias, canonical)`.
static ALIASES: &[(&str, &str)] = &[("grey", "gray")];

impl Colormap {
    /// Looks a map up by its matplotlib name (exact spelling first, then ignoring case);
    /// a `_r` suffix reverses it. Unknown names are a usage error that lists close matches.
    pub fn from_name(name: &str) -> Result<Colormap, Error> {
        let given = name.trim();
        if given.is_empty() {
            return Err(Error::Usage(
                "empty colormap name (`surfrender --help` lists all)".to_string(),
            ));
        }
        let (entry, reversed) = match lookup(given) {
            Some(e) => (e, false),
            None => match strip_reverse(given).and_then(lookup) {
                Some(e) => (e, true),
                None => return Err(unknown(given)),
            },
        };
        let kind = match entry.source {
            Source::Heat => Kind::Heat,
            source => Kind::Lut(Lut(Arc::new(build_lut(source)))),
        };
        let name = if reversed {
            format!("{}_r", entry.name)
        } else {
            entry.name.to_string()
        };
        Ok(Colormap {
            name,
            kind,
            reversed,
            diverging: entry.diverging,
        })
    }

    /// Canonical name (matplotlib's spelling, `_r` when reversed; `grey` gives `gray`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// RGB at `t`, clamped to `[0, 1]`; NaN counts as 0.
    pub fn sample(&self, t: f32) -> [u8; 3] {
        let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
        match &self.kind {
            Kind::Lut(lut) => {
                // matplotlib: index = floor(t * N), with t == 1 mapped to N - 1.
                let i = ((t * LUT_SIZE as f32) as usize).min(LUT_SIZE - 1);
                lut.0[if self.reversed { LUT_SIZE - 1 - i } else { i }]
            }
            Kind::Heat => heat(if self.reversed { 1.0 - t } else { t }),
        }
    }

    /// Whether the map's middle stands for zero (heat and the diverging maps).
    pub fn diverging(&self) -> bool {
        self.diverging
    }

    /// Every accepted base name (without `_r`, aliases included), sorted ignoring case.
    pub fn names() -> Vec<&'static str> {
        let mut v: Vec<&'static str> = REGISTRY
            .iter()
            .map(|e| e.name)
            .chain(ALIASES.iter().map(|a| a.0))
            .collect();
        v.sort_by_key(|n| (n.to_ascii_lowercase(), *n));
        v
    }
}

/// The entry for `name`: exact name or alias first, then ignoring ASCII case.
fn lookup(name: &str) -> Option<&'static Entry> {
    let by = |want: &dyn Fn(&str) -> bool| -> Option<&'static Entry> {
        REGISTRY.iter().find(|e| want(e.name)).or_else(|| {
            let (_, canonical) = ALIASES.iter().find(|a| want(a.0))?;
            REGISTRY.iter().find(|e| e.name == *canonical)
        })
    };
    by(&|n| n == name).or_else(|| by(&|n| n.eq_ignore_ascii_case(name)))
}

/// `name` without a trailing `_r` (any case), if it has one.
fn strip_reverse(name: &str) -> Option<&str> {
    let cut = name.len().checked_sub(2)?;
    if name.is_char_boundary(cut) && name[cut..].eq_ignore_ascii_case("_r") {
        Some(&name[..cut])
    } else {
        None
    }
}

/// The usage error for an unknown name, with up to five close matches.
fn unknown(name: &str) -> Error {
    let (base, suffix) = match strip_reverse(name) {
        Some(b) if !b.is_empty() => (b, "_r"),
        _ => (name, ""),
    };
    let query = base.to_lowercase();
    let mut scored: Vec<(u8, f64, &'static str)> = Colormap::names()
        .into_iter()
        .map(|n| {
            let lower = n.to_lowercase();
            let class = if lower.starts_with(&query) {
                0
            } else if lower.contains(&query) || query.contains(&lower) {
                1
            } else {
                2
            };
            let sim = strsim::normalized_damerau_levenshtein(&query, &lower);
            (class, sim, n)
        })
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(b.2)));
    let close: Vec<String> = scored
        .iter()
        .take(5)
        .map(|(_, _, n)| format!("{n}{suffix}"))
        .collect();
    Error::Usage(format!(
        "unknown colormap '{name}'; did you mean: {}? (`surfrender --help` lists all)",
        close.join(", ")
    ))
}

/// Byte value of a channel in `[0, 1]`.
fn to_byte(x: f64) -> u8 {
    (x.clamp(0.0, 1.0) * 255.0).round() as u8
}

/// The 256-entry table of a map (entry `i` is the map at `i / 255`).
fn build_lut(source: Source) -> [[u8; 3]; LUT_SIZE] {
    let mut lut = [[0u8; 3]; LUT_SIZE];
    match source {
        Source::Channels(ch) => {
            for (c, nodes) in ch.iter().enumerate() {
                let column = segment_lut(nodes.iter().copied());
                for (entry, v) in lut.iter_mut().zip(column) {
                    entry[c] = to_byte(v);
                }
            }
        }
        Source::Nodes(nodes) => {
            for c in 0..3 {
                let column = segment_lut(nodes.iter().map(|n| (n[0], n[c + 1])));
                for (entry, v) in lut.iter_mut().zip(column) {
                    entry[c] = to_byte(v);
                }
            }
        }
        Source::Even(colors) => {
            let colors: Vec<[f64; 3]> = colors.to_vec();
            fill_even(&mut lut, &colors);
        }
        Source::Brewer(g, n, flip) => {
            let mut colors: Vec<[f64; 3]> = (0..n)
                .map(|i| {
                    let c = g.eval_rational(i, n);
                    [c.r, c.g, c.b].map(|v| f64::from(v) / 255.0)
                })
                .collect();
            if flip {
                colors.reverse();
            }
            fill_even(&mut lut, &colors);
        }
        Source::Listed(table) => {
            for (entry, &rgb) in lut.iter_mut().zip(table.iter()) {
                *entry = [(rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8];
            }
        }
        Source::Colorous(g) => {
            for (i, entry) in lut.iter_mut().enumerate() {
                let c = g.eval_continuous(i as f64 / (LUT_SIZE - 1) as f64);
                *entry = [c.r, c.g, c.b];
            }
        }
        Source::Func(f) => {
            for (i, entry) in lut.iter_mut().enumerate() {
                *entry = f(i as f64 / (LUT_SIZE - 1) as f64).map(to_byte);
            }
        }
        Source::Heat => unreachable!("heat has no table"),
    }
    lut
}

/// `from_list`: colours evenly spaced on `[0, 1]`, interpolated linearly.
fn fill_even(lut: &mut [[u8; 3]; LUT_SIZE], colors: &[[f64; 3]]) {
    let last = (colors.len() - 1) as f64;
    for c in 0..3 {
        let nodes = colors
            .iter()
            .enumerate()
            .map(|(k, col)| (k as f64 / last, col[c]));
        for (entry, v) in lut.iter_mut().zip(segment_lut(nodes)) {
            entry[c] = to_byte(v);
        }
    }
}

/// One channel of matplotlib's `_create_lookup_table(256, data)` for continuous segment
/// data: nodes `(x, y)` with x increasing from 0 to 1.
fn segment_lut(nodes: impl Iterator<Item = (f64, f64)>) -> [f64; LUT_SIZE] {
    let n = (LUT_SIZE - 1) as f64;
    // matplotlib scales the node positions, not the sample positions, by N - 1.
    let nodes: Vec<(f64, f64)> = nodes.map(|(x, y)| (x * n, y)).collect();
    let mut out = [0.0; LUT_SIZE];
    out[0] = nodes[0].1;
    out[LUT_SIZE - 1] = nodes[nodes.len() - 1].1;
    for (i, v) in out.iter_mut().enumerate().take(LUT_SIZE - 1).skip(1) {
        let xi = i as f64;
        // np.searchsorted(x, xi) (side "left"): the first node with x >= xi.
        let ind = nodes.partition_point(|&(x, _)| x < xi);
        let (x0, y0) = nodes[ind - 1];
        let (x1, y1) = nodes[ind];
        let distance = (xi - x0) / (x1 - x0);
        *v = distance * (y1 - y0) + y0;
    }
    out
}

/// matplotlib's `afmhot` (gnuplot functions 34, 35, 36).
fn afmhot(x: f64) -> [f64; 3] {
    [2.0 * x, 2.0 * x - 0.5, 2.0 * x - 1.0]
}

/// matplotlib's `rainbow` (gnuplot functions 33, 13, 10).
fn rainbow(x: f64) -> [f64; 3] {
    use std::f64::consts::PI;
    [(2.0 * x - 0.5).abs(), (x * PI).sin(), (x * PI / 2.0).cos()]
}

/// matplotlib's default `cubehelix` (D. A. Green 2011; gamma 1, s 0.5, r -1.5, h 1).
fn cubehelix(x: f64) -> [f64; 3] {
    let (gamma, s, r, h) = (1.0_f64, 0.5, -1.5, 1.0);
    let xg = x.powf(gamma);
    let a = h * xg * (1.0 - xg) / 2.0;
    let phi = 2.0 * std::f64::consts::PI * (s / 3.0 + r * x);
    let (cos, sin) = (phi.cos(), phi.sin());
    [
        xg + a * (-0.14861 * cos + 1.78277 * sin),
        xg + a * (-0.29227 * cos - 0.90649 * sin),
        xg + a * (1.97294 * cos),
    ]
}

/// FreeSurfer/PySurfer `heat` at `t` in `[0, 1]`: two ramps meeting at 0.5.
fn heat(t: f32) -> [u8; 3] {
    let t = f64::from(t);
    // Position along a ramp: dark (s = 0) → full (s = 0.5) → light (s = 1).
    let ramp = |s: f64| -> (f64, f64) {
        if s < 0.5 {
            (128.0 + 127.0 * (s / 0.5), 0.0)
        } else {
            (255.0, 255.0 * ((s - 0.5) / 0.5))
        }
    };
    let byte = |v: f64| v.round().clamp(0.0, 255.0) as u8;
    if t >= 0.5 {
        let (main, mix) = ramp((t - 0.5) * 2.0);
        [byte(main), byte(mix), 0]
    } else {
        let (main, mix) = ramp((0.5 - t) * 2.0);
        [0, byte(mix), byte(main)]
    }
}

/// matplotlib `_seismic_data` (evenly spaced colours).
const SEISMIC: &[[f64; 3]] = &[
    [0.0, 0.0, 0.3],
    [0.0, 0.0, 1.0],
    [1.0, 1.0, 1.0],
    [1.0, 0.0, 0.0],
    [0.5, 0.0, 0.0],
];

/// matplotlib `_bwr_data` (evenly spaced colours).
const BWR: &[[f64; 3]] = &[[0.0, 0.0, 1.0], [1.0, 1.0, 1.0], [1.0, 0.0, 0.0]];

/// matplotlib `_hot_data` (per channel `(x, y)`; matplotlib lists `(x, y0, y1)` with y0 == y1).
const HOT: [&[(f64, f64)]; 3] = [
    &[(0.0, 0.0416), (0.365079, 1.0), (1.0, 1.0)],
    &[(0.0, 0.0), (0.365079, 0.0), (0.746032, 1.0), (1.0, 1.0)],
    &[(0.0, 0.0), (0.746032, 0.0), (1.0, 1.0)],
];

/// matplotlib `_gray_data` (per channel `(x, y)`; matplotlib lists `(x, y0, y1)` with y0 == y1).
const GRAY: [&[(f64, f64)]; 3] = [
    &[(0.0, 0.0), (1.0, 1.0)],
    &[(0.0, 0.0), (1.0, 1.0)],
    &[(0.0, 0.0), (1.0, 1.0)],
];

/// matplotlib `_bone_data` (per channel `(x, y)`; matplotlib lists `(x, y0, y1)` with y0 == y1).
const BONE: [&[(f64, f64)]; 3] = [
    &[(0.0, 0.0), (0.746032, 0.652778), (1.0, 1.0)],
    &[
        (0.0, 0.0),
        (0.365079, 0.319444),
        (0.746032, 0.777778),
        (1.0, 1.0),
    ],
    &[(0.0, 0.0), (0.365079, 0.444444), (1.0, 1.0)],
];

/// matplotlib `_jet_data` (per channel `(x, y)`; matplotlib lists `(x, y0, y1)` with y0 == y1).
const JET: [&[(f64, f64)]; 3] = [
    &[
        (0.0, 0.0),
        (0.35, 0.0),
        (0.66, 1.0),
        (0.89, 1.0),
        (1.0, 0.5),
    ],
    &[
        (0.0, 0.0),
        (0.125, 0.0),
        (0.375, 1.0),
        (0.64, 1.0),
        (0.91, 0.0),
        (1.0, 0.0),
    ],
    &[
        (0.0, 0.5),
        (0.11, 1.0),
        (0.34, 1.0),
        (0.65, 0.0),
        (1.0, 0.0),
    ],
];

/// matplotlib `_cool_data` (per channel `(x, y)`; matplotlib lists `(x, y0, y1)` with y0 == y1).
const COOL: [&[(f64, f64)]; 3] = [
    &[(0.0, 0.0), (1.0, 1.0)],
    &[(0.0, 1.0), (1.0, 0.0)],
    &[(0.0, 1.0), (1.0, 1.0)],
];

/// matplotlib `_coolwarm_data` (`[x, red, green, blue]`; the three channels share their x).
const COOLWARM: &[[f64; 4]] = &[
    [0.0, 0.2298057, 0.298717966, 0.753683153],
    [0.03125, 0.26623388, 0.353094838, 0.801466763],
    [0.0625, 0.30386891, 0.406535296, 0.84495867],
    [0.09375, 0.342804478, 0.458757618, 0.883725899],
    [0.125, 0.38301334, 0.50941904, 0.917387822],
    [0.15625, 0.424369608, 0.558148092, 0.945619588],
    [0.1875, 0.46666708, 0.604562568, 0.968154911],
    [0.21875, 0.509635204, 0.648280772, 0.98478814],
    [0.25, 0.552953156, 0.688929332, 0.995375608],
    [0.28125, 0.596262162, 0.726149107, 0.999836203],
    [0.3125, 0.639176211, 0.759599947, 0.998151185],
    [0.34375, 0.681291281, 0.788964712, 0.990363227],
    [0.375, 0.722193294, 0.813952739, 0.976574709],
    [0.40625, 0.761464949, 0.834302879, 0.956945269],
    [0.4375, 0.798691636, 0.849786142, 0.931688648],
    [0.46875, 0.833466556, 0.860207984, 0.901068838],
    [0.5, 0.865395197, 0.86541021, 0.865395561],
    [0.53125, 0.897787179, 0.848937047, 0.820880546],
    [0.5625, 0.924127593, 0.827384882, 0.774508472],
    [0.59375, 0.944468518, 0.800927443, 0.726736146],
    [0.625, 0.958852946, 0.769767752, 0.678007945],
    [0.65625, 0.96732803, 0.734132809, 0.628751763],
    [0.6875, 0.969954137, 0.694266682, 0.579375448],
    [0.71875, 0.966811177, 0.650421156, 0.530263762],
    [0.75, 0.958003065, 0.602842431, 0.481775914],
    [0.78125, 0.943660866, 0.551750968, 0.434243684],
    [0.8125, 0.923944917, 0.49730856, 0.387970225],
    [0.84375, 0.89904617, 0.439559467, 0.343229596],
    [0.875, 0.869186849, 0.378313092, 0.300267182],
    [0.90625, 0.834620542, 0.312874446, 0.259301199],
    [0.9375, 0.795631745, 0.24128379, 0.220525627],
    [0.96875, 0.752534934, 0.157246067, 0.184115123],
    [1.0, 0.705673158, 0.01555616, 0.150232812],
];

/// matplotlib `_pink_data` (`[x, red, green, blue]`; the three channels share their x).
const PINK: &[[f64; 4]] = &[
    [0.0, 0.1178, 0.0, 0.0],
    [0.015873, 0.195857, 0.102869, 0.102869],
    [0.031746, 0.250661, 0.145479, 0.145479],
    [0.047619, 0.295468, 0.178174, 0.178174],
    [0.063492, 0.334324, 0.205738, 0.205738],
    [0.079365, 0.369112, 0.230022, 0.230022],
    [0.095238, 0.400892, 0.251976, 0.251976],
    [0.111111, 0.430331, 0.272166, 0.272166],
    [0.126984, 0.457882, 0.290957, 0.290957],
    [0.142857, 0.483867, 0.308607, 0.308607],
    [0.15873, 0.508525, 0.3253, 0.3253],
    [0.174603, 0.532042, 0.341178, 0.341178],
    [0.190476, 0.554563, 0.356348, 0.356348],
    [0.206349, 0.576204, 0.370899, 0.370899],
    [0.222222, 0.597061, 0.3849, 0.3849],
    [0.238095, 0.617213, 0.39841, 0.39841],
    [0.253968, 0.636729, 0.411476, 0.411476],
    [0.269841, 0.655663, 0.424139, 0.424139],
    [0.285714, 0.674066, 0.436436, 0.436436],
    [0.301587, 0.69198, 0.448395, 0.448395],
    [0.31746, 0.709441, 0.460044, 0.460044],
    [0.333333, 0.726483, 0.471405, 0.471405],
    [0.349206, 0.743134, 0.482498, 0.482498],
    [0.365079, 0.759421, 0.493342, 0.493342],
    [0.380952, 0.766356, 0.517549, 0.503953],
    [0.396825, 0.773229, 0.540674, 0.514344],
    [0.412698, 0.780042, 0.562849, 0.524531],
    [0.428571, 0.786796, 0.584183, 0.534522],
    [0.444444, 0.793492, 0.604765, 0.544331],
    [0.460317, 0.800132, 0.624669, 0.553966],
    [0.47619, 0.806718, 0.643958, 0.563436],
    [0.492063, 0.81325, 0.662687, 0.57275],
    [0.507937, 0.81973, 0.6809, 0.581914],
    [0.52381, 0.82616, 0.698638, 0.590937],
    [0.539683, 0.832539, 0.715937, 0.599824],
    [0.555556, 0.83887, 0.732828, 0.608581],
    [0.571429, 0.845154, 0.749338, 0.617213],
    [0.587302, 0.851392, 0.765493, 0.625727],
    [0.603175, 0.857584, 0.781313, 0.634126],
    [0.619048, 0.863731, 0.796819, 0.642416],
    [0.634921, 0.869835, 0.812029, 0.6506],
    [0.650794, 0.875897, 0.82696, 0.658682],
    [0.666667, 0.881917, 0.841625, 0.666667],
    [0.68254, 0.887896, 0.85604, 0.674556],
    [0.698413, 0.893835, 0.870216, 0.682355],
    [0.714286, 0.899735, 0.884164, 0.690066],
    [0.730159, 0.905597, 0.897896, 0.697691],
    [0.746032, 0.911421, 0.911421, 0.705234],
    [0.761905, 0.917208, 0.917208, 0.727166],
    [0.777778, 0.922958, 0.922958, 0.748455],
    [0.793651, 0.928673, 0.928673, 0.769156],
    [0.809524, 0.934353, 0.934353, 0.789314],
    [0.825397, 0.939999, 0.939999, 0.808969],
    [0.84127, 0.945611, 0.945611, 0.828159],
    [0.857143, 0.95119, 0.95119, 0.846913],
    [0.873016, 0.956736, 0.956736, 0.865261],
    [0.888889, 0.96225, 0.96225, 0.883229],
    [0.904762, 0.967733, 0.967733, 0.900837],
    [0.920635, 0.973185, 0.973185, 0.918109],
    [0.936508, 0.978607, 0.978607, 0.935061],
    [0.952381, 0.983999, 0.983999, 0.951711],
    [0.968254, 0.989361, 0.989361, 0.968075],
    [0.984127, 0.994695, 0.994695, 0.984167],
    [1.0, 1.0, 1.0, 1.0],
];

/// matplotlib `_turbo_data` (`_cm_listed.py`), each channel rounded to a byte, `0xRRGGBB`.
const TURBO: &[u32; 256] = &[
    0x30123b, 0x321543, 0x33184a, 0x341b51, 0x351e58, 0x36215f, 0x372466, 0x38276d, 0x392a73,
    0x3a2d79, 0x3b2f80, 0x3c3286, 0x3d358b, 0x3e3891, 0x3f3b97, 0x3f3e9c, 0x4040a2, 0x4143a7,
    0x4146ac, 0x4249b1, 0x424bb5, 0x434eba, 0x4451bf, 0x4454c3, 0x4456c7, 0x4559cb, 0x455ccf,
    0x455ed3, 0x4661d6, 0x4664da, 0x4666dd, 0x4669e0, 0x466be3, 0x476ee6, 0x4771e9, 0x4773eb,
    0x4776ee, 0x4778f0, 0x477bf2, 0x467df4, 0x4680f6, 0x4682f8, 0x4685fa, 0x4687fb, 0x458afc,
    0x458cfd, 0x448ffe, 0x4391fe, 0x4294ff, 0x4196ff, 0x4099ff, 0x3e9bfe, 0x3d9efe, 0x3ba0fd,
    0x3aa3fc, 0x38a5fb, 0x37a8fa, 0x35abf8, 0x33adf7, 0x31aff5, 0x2fb2f4, 0x2eb4f2, 0x2cb7f0,
    0x2ab9ee, 0x28bceb, 0x27bee9, 0x25c0e7, 0x23c3e4, 0x22c5e2, 0x20c7df, 0x1fc9dd, 0x1ecbda,
    0x1ccdd8, 0x1bd0d5, 0x1ad2d2, 0x1ad4d0, 0x19d5cd, 0x18d7ca, 0x18d9c8, 0x18dbc5, 0x18ddc2,
    0x18dec0, 0x18e0bd, 0x19e2bb, 0x19e3b9, 0x1ae4b6, 0x1ce6b4, 0x1de7b2, 0x1fe9af, 0x20eaac,
    0x22ebaa, 0x25eca7, 0x27eea4, 0x2aefa1, 0x2cf09e, 0x2ff19b, 0x32f298, 0x35f394, 0x38f491,
    0x3cf58e, 0x3ff68a, 0x43f787, 0x46f884, 0x4af880, 0x4ef97d, 0x52fa7a, 0x55fa76, 0x59fb73,
    0x5dfc6f, 0x61fc6c, 0x65fd69, 0x69fd66, 0x6dfe62, 0x71fe5f, 0x75fe5c, 0x79fe59, 0x7dff56,
    0x80ff53, 0x84ff51, 0x88ff4e, 0x8bff4b, 0x8fff49, 0x92ff47, 0x96fe44, 0x99fe42, 0x9cfe40,
    0x9ffd3f, 0xa1fd3d, 0xa4fc3c, 0xa7fc3a, 0xa9fb39, 0xacfb38, 0xaffa37, 0xb1f936, 0xb4f836,
    0xb7f735, 0xb9f635, 0xbcf534, 0xbef434, 0xc1f334, 0xc3f134, 0xc6f034, 0xc8ef34, 0xcbed34,
    0xcdec34, 0xd0ea34, 0xd2e935, 0xd4e735, 0xd7e535, 0xd9e436, 0xdbe236, 0xdde037, 0xdfdf37,
    0xe1dd37, 0xe3db38, 0xe5d938, 0xe7d739, 0xe9d539, 0xebd339, 0xecd13a, 0xeecf3a, 0xefcd3a,
    0xf1cb3a, 0xf2c93a, 0xf4c73a, 0xf5c53a, 0xf6c33a, 0xf7c13a, 0xf8be39, 0xf9bc39, 0xfaba39,
    0xfbb838, 0xfbb637, 0xfcb336, 0xfcb136, 0xfdae35, 0xfdac34, 0xfea933, 0xfea732, 0xfea431,
    0xfea130, 0xfe9e2f, 0xfe9b2d, 0xfe992c, 0xfe962b, 0xfe932a, 0xfe9029, 0xfd8d27, 0xfd8a26,
    0xfc8725, 0xfc8423, 0xfb8122, 0xfb7e21, 0xfa7b1f, 0xf9781e, 0xf9751d, 0xf8721c, 0xf76f1a,
    0xf66c19, 0xf56918, 0xf46617, 0xf36315, 0xf26014, 0xf15d13, 0xf05b12, 0xef5811, 0xed5510,
    0xec530f, 0xeb500e, 0xea4e0d, 0xe84b0c, 0xe7490c, 0xe5470b, 0xe4450a, 0xe2430a, 0xe14109,
    0xdf3f08, 0xdd3d08, 0xdc3b07, 0xda3907, 0xd83706, 0xd63506, 0xd43305, 0xd23105, 0xd02f05,
    0xce2d04, 0xcc2b04, 0xca2a04, 0xc82803, 0xc52603, 0xc32503, 0xc12302, 0xbe2102, 0xbc2002,
    0xb91e02, 0xb71d02, 0xb41b01, 0xb21a01, 0xaf1801, 0xac1701, 0xa91601, 0xa71401, 0xa41301,
    0xa11201, 0x9e1001, 0x9b0f01, 0x980e01, 0x950d01, 0x920b01, 0x8e0a01, 0x8b0902, 0x880802,
    0x850702, 0x810602, 0x7e0502, 0x7a0403,
];

/// matplotlib `_cividis_data` (`_cm_listed.py`), each channel rounded to a byte, `0xRRGGBB`.
const CIVIDIS: &[u32; 256] = &[
    0x00224e, 0x00234f, 0x002451, 0x002553, 0x002554, 0x002656, 0x002758, 0x002859, 0x00285b,
    0x00295d, 0x002a5f, 0x002a61, 0x002b62, 0x002c64, 0x002c66, 0x002d68, 0x002e6a, 0x002e6c,
    0x002f6d, 0x00306f, 0x003070, 0x003170, 0x003171, 0x013271, 0x053371, 0x083370, 0x0c3470,
    0x0f3570, 0x123570, 0x143670, 0x163770, 0x18376f, 0x1a386f, 0x1c396f, 0x1e3a6f, 0x203a6f,
    0x213b6e, 0x233c6e, 0x243c6e, 0x263d6e, 0x273e6e, 0x293f6e, 0x2a3f6d, 0x2b406d, 0x2d416d,
    0x2e416d, 0x2f426d, 0x31436d, 0x32436d, 0x33446d, 0x34456c, 0x35456c, 0x36466c, 0x38476c,
    0x39486c, 0x3a486c, 0x3b496c, 0x3c4a6c, 0x3d4a6c, 0x3e4b6c, 0x3f4c6c, 0x404c6c, 0x414d6c,
    0x424e6c, 0x434e6c, 0x444f6c, 0x45506c, 0x46516c, 0x47516c, 0x48526c, 0x49536c, 0x4a536c,
    0x4b546c, 0x4c556c, 0x4d556c, 0x4e566c, 0x4f576c, 0x50576c, 0x51586d, 0x52596d, 0x535a6d,
    0x545a6d, 0x555b6d, 0x555c6d, 0x565c6d, 0x575d6d, 0x585e6d, 0x595e6e, 0x5a5f6e, 0x5b606e,
    0x5c616e, 0x5d616e, 0x5e626e, 0x5e636f, 0x5f636f, 0x60646f, 0x61656f, 0x62656f, 0x636670,
    0x646770, 0x656870, 0x656870, 0x666970, 0x676a71, 0x686a71, 0x696b71, 0x6a6c71, 0x6b6d72,
    0x6c6d72, 0x6c6e72, 0x6d6f72, 0x6e6f73, 0x6f7073, 0x707173, 0x717274, 0x727274, 0x727374,
    0x737475, 0x747475, 0x757575, 0x767676, 0x777776, 0x777777, 0x787877, 0x797977, 0x7a7a78,
    0x7b7a78, 0x7c7b78, 0x7d7c78, 0x7e7c78, 0x7e7d78, 0x7f7e78, 0x807f78, 0x817f78, 0x828079,
    0x838179, 0x848279, 0x858279, 0x868379, 0x878478, 0x888578, 0x898578, 0x8a8678, 0x8b8778,
    0x8c8878, 0x8d8878, 0x8e8978, 0x8f8a78, 0x908b78, 0x918b78, 0x928c78, 0x928d78, 0x938e78,
    0x948e77, 0x958f77, 0x969077, 0x979177, 0x989277, 0x999277, 0x9a9376, 0x9b9476, 0x9c9576,
    0x9d9576, 0x9e9676, 0x9f9775, 0xa09875, 0xa19975, 0xa29975, 0xa39a74, 0xa49b74, 0xa59c74,
    0xa69c74, 0xa79d73, 0xa89e73, 0xa99f73, 0xaaa073, 0xaba072, 0xaca172, 0xada272, 0xaea371,
    0xafa471, 0xb0a571, 0xb1a570, 0xb3a670, 0xb4a76f, 0xb5a86f, 0xb6a96f, 0xb7a96e, 0xb8aa6e,
    0xb9ab6d, 0xbaac6d, 0xbbad6d, 0xbcae6c, 0xbdae6c, 0xbeaf6b, 0xbfb06b, 0xc0b16a, 0xc1b26a,
    0xc2b369, 0xc3b369, 0xc4b468, 0xc5b568, 0xc6b667, 0xc7b767, 0xc8b866, 0xc9b965, 0xcbb965,
    0xccba64, 0xcdbb63, 0xcebc63, 0xcfbd62, 0xd0be62, 0xd1bf61, 0xd2c060, 0xd3c05f, 0xd4c15f,
    0xd5c25e, 0xd6c35d, 0xd7c45c, 0xd9c55c, 0xdac65b, 0xdbc75a, 0xdcc859, 0xddc858, 0xdec958,
    0xdfca57, 0xe0cb56, 0xe1cc55, 0xe2cd54, 0xe4ce53, 0xe5cf52, 0xe6d051, 0xe7d150, 0xe8d24f,
    0xe9d34e, 0xead34c, 0xebd44b, 0xedd54a, 0xeed649, 0xefd748, 0xf0d846, 0xf1d945, 0xf2da44,
    0xf3db42, 0xf5dc41, 0xf6dd3f, 0xf7de3e, 0xf8df3c, 0xf9e03a, 0xfbe138, 0xfce236, 0xfde334,
    0xfee434, 0xfee535, 0xfee636, 0xfee838,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_ignoring_case() {
        let mut lower: Vec<String> = Colormap::names()
            .iter()
            .map(|n| n.to_ascii_lowercase())
            .collect();
        let n = lower.len();
        lower.sort();
        lower.dedup();
        assert_eq!(lower.len(), n, "two names differ only in case");
        for (alias, canonical) in ALIASES {
            assert!(REGISTRY.iter().any(|e| e.name == *canonical), "{alias}");
            assert!(!REGISTRY.iter().any(|e| e.name == *alias), "{alias}");
        }
    }

    #[test]
    fn segment_lut_interpolates_like_matplotlib() {
        // gray: entry i is i / 255.
        let lut = segment_lut([(0.0, 0.0), (1.0, 1.0)].into_iter());
        for (i, v) in lut.iter().enumerate() {
            assert!((v - i as f64 / 255.0).abs() < 1e-12);
        }
        // A node exactly on a table position gives its value.
        let lut = segment_lut([(0.0, 0.0), (0.2, 1.0), (1.0, 0.0)].into_iter());
        assert!((lut[51] - 1.0).abs() < 1e-12);
        assert!((lut[153] - 0.5).abs() < 1e-12);
        assert_eq!(lut[255], 0.0);
    }

    #[test]
    fn every_table_map_is_built() {
        for e in REGISTRY {
            if !matches!(e.source, Source::Heat) {
                let lut = build_lut(e.source);
                assert!(lut.iter().any(|c| *c != lut[0]), "{} is constant", e.name);
            }
        }
    }

    #[test]
    fn cubehelix_matches_colorous_cubehelix() {
        // colorous's CUBEHELIX is d3's interpolateCubehelixDefault: the same map as
        // matplotlib's default cubehelix, truncated to bytes.
        let lut = build_lut(Source::Func(cubehelix));
        for (i, c) in lut.iter().enumerate() {
            let d = colorous::CUBEHELIX.eval_rational(i, LUT_SIZE);
            for (a, b) in c.iter().zip([d.r, d.g, d.b]) {
                assert!(a.abs_diff(b) <= 2, "entry {i}: {c:?} vs {d:?}");
            }
        }
    }

    #[test]
    fn brewer_colours_come_through_unchanged() {
        // matplotlib's _RdBu_data: 11 colours from 0x67001f to 0x053061, one every 25.5
        // table entries; entry 0 and 255 are the end colours.
        let lut = build_lut(brewer11(colorous::RED_BLUE));
        assert_eq!(lut[0], [0x67, 0x00, 0x1f]);
        assert_eq!(lut[255], [0x05, 0x30, 0x61]);
        let lut = build_lut(brewer9(colorous::BLUES));
        assert_eq!(lut[0], [0xf7, 0xfb, 0xff]);
        assert_eq!(lut[255], [0x08, 0x30, 0x6b]);
    }

    #[test]
    fn heat_is_continuous_within_each_half() {
        let mut prev = heat(0.0);
        for k in 1..=1000 {
            let t = k as f32 / 1000.0;
            let c = heat(t);
            if t != 0.5 {
                for (a, b) in c.iter().zip(prev) {
                    assert!(a.abs_diff(b) <= 2, "jump at {t}: {prev:?} → {c:?}");
                }
            }
            prev = c;
        }
    }
}
