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

mod data;
use data::*;

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

/// A colormap by name, as the command line and spec files give it (one message for both).
impl std::str::FromStr for Colormap {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Colormap::from_name(s).map_err(|e| e.to_string())
    }
}

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
