//! Colour decisions: the cortex greys and the overlay mapping (sign, threshold, range,
//! colormap). The same rules run per pixel in `shaders/surface.frag`; this module is the
//! reference the shader mirrors, and the source of the colour bar.

pub mod cmap;

use crate::error::{Error, Result};
use cmap::Colormap;

/// Number of LUT entries per sign; the shader indexes the same table the same way.
pub const LUT_SIZE: usize = 256;

/// Which signs of the overlay are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sign {
    /// Both signs.
    Abs,
    /// Positive values only.
    Pos,
    /// Negative values only.
    Neg,
}

impl Sign {
    /// `abs`, `pos` or `neg`.
    pub fn parse(s: &str) -> Option<Sign> {
        match s {
            "abs" => Some(Sign::Abs),
            "pos" => Some(Sign::Pos),
            "neg" => Some(Sign::Neg),
            _ => None,
        }
    }

    /// Shader code: 0 abs, 1 pos, 2 neg.
    pub fn code(self) -> i32 {
        match self {
            Sign::Abs => 0,
            Sign::Pos => 1,
            Sign::Neg => 2,
        }
    }
}

/// A number given either as a value or as a percentile of |v| (`95%`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    /// This value.
    Value(f32),
    /// This percentile of |value| over the data, 0 to 100.
    Percentile(f32),
}

impl Bound {
    /// Parses `2.5` or `95%`; percentiles must lie in 0..=100.
    pub fn parse(s: &str) -> std::result::Result<Bound, String> {
        let s = s.trim();
        if let Some(p) = s.strip_suffix('%') {
            let v: f32 = p
                .trim()
                .parse()
                .map_err(|_| format!("'{s}' is not a percentile (e.g. 95%)"))?;
            if !(0.0..=100.0).contains(&v) {
                return Err(format!("percentile '{s}' must be between 0% and 100%"));
            }
            return Ok(Bound::Percentile(v));
        }
        let v: f32 = s
            .parse()
            .map_err(|_| format!("'{s}' is not a number or a percentile (e.g. 2.5 or 95%)"))?;
        if !v.is_finite() {
            return Err(format!("'{s}' must be finite"));
        }
        Ok(Bound::Value(v))
    }

    /// The value, resolving percentiles against sorted finite |v|.
    pub fn resolve(self, sorted_abs: &[f32]) -> f32 {
        match self {
            Bound::Value(v) => v,
            Bound::Percentile(p) => percentile(sorted_abs, p),
        }
    }
}

impl std::fmt::Display for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Bound::Value(v) => write!(f, "{v}"),
            Bound::Percentile(p) => write!(f, "{p}%"),
        }
    }
}

/// The colormap of an overlay layer: a named map, or `auto`, which [`ColorMapping::resolve`]
/// decides from the data: PySurfer's `heat` for one-signed or thresholded data, and
/// [`AUTO_DIVERGING`] drawn through zero for two-signed data without a threshold (where
/// `heat` would jump from dark red to dark blue at zero).
#[derive(Debug, Clone)]
pub enum CmapChoice {
    /// Decided from the data.
    Auto,
    /// This map.
    Map(Colormap),
}

/// The map `auto` gives two-signed data without a threshold: matplotlib's `RdBu_r`
/// (blue below zero, white at zero, red above), which PySurfer's `add_morphometry` uses
/// for sulc and curvature.
pub const AUTO_DIVERGING: &str = "RdBu_r";

impl CmapChoice {
    /// `auto`, or the map's canonical name.
    pub fn name(&self) -> &str {
        match self {
            CmapChoice::Auto => "auto",
            CmapChoice::Map(c) => c.name(),
        }
    }
}

impl From<Colormap> for CmapChoice {
    fn from(c: Colormap) -> CmapChoice {
        CmapChoice::Map(c)
    }
}

/// `auto` or a colormap name, as the command line and spec files give it.
impl std::str::FromStr for CmapChoice {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        if s.trim() == "auto" {
            return Ok(CmapChoice::Auto);
        }
        s.parse().map(CmapChoice::Map)
    }
}

/// Overlay colouring as the user asked for it (percentiles unresolved).
#[derive(Debug, Clone)]
pub struct OverlayStyle {
    /// The colormap, or `auto`.
    pub cmap: CmapChoice,
    /// |value| below is transparent.
    pub threshold: Option<Bound>,
    /// |value| at the bottom and the top of the ramp (default: 2nd and 98th percentiles).
    pub range: Option<(Bound, Bound)>,
    /// Which signs are drawn.
    pub sign: Sign,
    /// One map centred on zero, continuous through it: MIN is 0 and both signs are shown.
    pub symmetric: bool,
    /// Opacity of the overlay over the cortex and the layers under it, 0 to 1.
    pub opacity: f32,
}

/// Overlay colouring resolved against the data: plain numbers and the lookup tables.
#[derive(Debug, Clone)]
pub struct ColorMapping {
    /// The signs drawn (after PySurfer's one-sided rule).
    pub sign: Sign,
    /// |v| below is transparent.
    pub threshold: f32,
    /// |v| at the bottom of the ramp.
    pub lo: f32,
    /// |v| at the top of the ramp.
    pub hi: f32,
    /// `LUT_SIZE` entries for positive values followed by `LUT_SIZE` for negative ones.
    pub lut: Vec<[u8; 3]>,
    /// The colormap's name, for the colour bar's record.
    pub cmap_name: String,
    /// Opacity of the overlay, 0 to 1 (`OverlayStyle::opacity`).
    pub opacity: f32,
    /// Which of `threshold`, `lo` and `hi` the user typed as numbers (not percentiles,
    /// not defaults): the colour bar labels those as typed, and labels the rest of the
    /// bar with round numbers.
    pub typed: Typed,
}

/// Which values of a [`ColorMapping`] were typed as numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Typed {
    /// `--threshold` was a number.
    pub threshold: bool,
    /// `--range`'s MIN was a number (or zero by `--symmetric`).
    pub lo: bool,
    /// `--range`'s MAX was a number.
    pub hi: bool,
}

impl ColorMapping {
    /// Resolves a style against the overlay values of every hemisphere of the figure, so
    /// that both hemispheres share one scale and one colour bar.
    pub fn resolve(style: &OverlayStyle, values: &[&[f32]]) -> Result<ColorMapping> {
        // Order statistics without a sort: a movie's range covers every frame shown
        // (millions of values), and only three percentiles are needed.
        let mut abs = Quantiles::new(values);
        let threshold = style.threshold.map_or(0.0, |b| abs.resolve(b));
        // PySurfer's rule, applied to what survives the threshold: data drawn on one side
        // only are shown with that sign, so the colour bar has no empty half. A side whose
        // largest magnitude is under 1% of the other's is rounding noise (FreeSurfer's
        // thickness has a few −0.003 values), not a second side.
        let side_max = |f: fn(f32) -> bool| {
            values
                .iter()
                .flat_map(|v| v.iter())
                .filter(|&&v| v.is_finite() && f(v) && v.abs() >= threshold)
                .fold(0.0f32, |m, &v| m.max(v.abs()))
        };
        let (pos_max, neg_max) = (side_max(|v| v > 0.0), side_max(|v| v < 0.0));
        let one_sided = match style.sign {
            Sign::Abs if neg_max <= 0.01 * pos_max => Sign::Pos,
            Sign::Abs if pos_max <= 0.01 * neg_max => Sign::Neg,
            s => s,
        };
        // `auto`: two-signed data without a threshold (sulc, a correlation map) get one
        // diverging map through zero, as `--symmetric` draws it unless a range is given;
        // everything else PySurfer's heat.
        let (cmap, symmetric) = match &style.cmap {
            CmapChoice::Map(c) => (c.clone(), style.symmetric),
            CmapChoice::Auto
                if style.symmetric
                    || (style.threshold.is_none() && one_sided == Sign::Abs && pos_max > 0.0) =>
            {
                let c = Colormap::from_name(AUTO_DIVERGING)?;
                (c, style.symmetric || style.range.is_none())
            }
            CmapChoice::Auto => (Colormap::from_name("heat")?, false),
        };
        let sign = if symmetric { Sign::Abs } else { one_sided };
        let typed = Typed {
            threshold: matches!(style.threshold, Some(Bound::Value(_))),
            lo: symmetric || matches!(style.range, Some((Bound::Value(_), _))),
            hi: matches!(style.range, Some((_, Bound::Value(_)))),
        };
        let (lo, hi) = match style.range {
            Some((_, b)) if symmetric => (0.0, abs.resolve(b)),
            None if symmetric => (0.0, abs.percentile(98.0)),
            Some((a, b)) => (abs.resolve(a), abs.resolve(b)),
            None => {
                let lo = abs.percentile(2.0).max(threshold);
                // When the threshold leaves only the top 2% or less, the 98th percentile
                // is below it: ramp up to the largest value instead.
                let p98 = abs.percentile(98.0);
                let hi = if p98 > lo {
                    p98
                } else {
                    abs.max().unwrap_or(lo)
                };
                (lo, hi.max(lo))
            }
        };
        // A collapsed ramp (constant data, or MIN = MAX) would give values a rounding
        // error under MAX the bottom colour, and values interpolated between equal
        // vertices scatter both ways (GPUs interpolate to about 1e-5): open it by a
        // relative 1e-3, invisible on the bar, so that they keep the top colour.
        let lo = if hi > 0.0 && hi >= lo && hi - lo <= 1e-3 * hi {
            hi * (1.0 - 1e-3)
        } else {
            lo
        };
        if threshold < 0.0 {
            return Err(Error::Usage(format!(
                "--threshold {threshold} must not be negative (it applies to |value|)"
            )));
        }
        if lo < 0.0 || hi < lo {
            // Percentiles are named as given: "5% 1%" says more than the numbers.
            let given = match style.range {
                Some((a, b)) => format!("{a} {b}"),
                None => "the default".to_string(),
            };
            return Err(Error::Usage(format!(
                "--range {given}: resolves to {lo} {hi} on these data; need 0 <= MIN <= MAX (the range applies to |value|)"
            )));
        }
        Ok(ColorMapping {
            sign,
            threshold,
            lo,
            hi,
            lut: build_lut(&cmap, sign),
            cmap_name: cmap.name().to_string(),
            opacity: style.opacity.clamp(0.0, 1.0),
            typed,
        })
    }

    /// The colour of a value, or `None` where the overlay is transparent (NaN or ±Inf, the
    /// wrong sign, or below threshold) and the cortex shows through.
    pub fn rgb(&self, v: f32) -> Option<[u8; 3]> {
        // ±Inf is as much "no data" as NaN (a division by zero upstream); the shader
        // receives both as invalid.
        self.shade(v, if v.is_finite() { 1.0 } else { 0.0 })
    }

    /// The colour of a pixel where the overlay's value interpolates to `v` and its
    /// validity (1 at vertices with data, 0 at those without) to `valid`; `None` where the
    /// cortex shows through. This is the rule itself, per pixel: `shaders/surface.frag`
    /// (`ramp` and `value_color`) mirrors it, and the CPU renderer calls it.
    pub fn shade(&self, v: f32, valid: f32) -> Option<[u8; 3]> {
        self.lut_index(v, valid)
            .and_then(|i| self.lut.get(i).copied())
    }

    /// The entry of the lookup table [`ColorMapping::shade`] takes its colour from (row 0
    /// for positive values, `LUT_SIZE` on for negative ones), for a renderer that keeps
    /// the table in a form of its own.
    pub fn lut_index(&self, v: f32, valid: f32) -> Option<usize> {
        if valid < 0.5 {
            return None;
        }
        match self.sign {
            Sign::Pos if v.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) => return None,
            Sign::Neg if v.partial_cmp(&0.0) != Some(std::cmp::Ordering::Less) => return None,
            _ => {}
        }
        let a = v.abs();
        if a < self.threshold {
            return None;
        }
        // s >= 0, so truncation is the shader's floor (and avoids a call into libm).
        let s = self.position(a);
        let i = ((s * LUT_SIZE as f32) as usize).min(LUT_SIZE - 1);
        let row = if v >= 0.0 { 0 } else { LUT_SIZE };
        Some(row + i)
    }

    /// The lookup table: `LUT_SIZE` colours for positive values, then as many for
    /// negative ones.
    pub fn lut(&self) -> &[[u8; 3]] {
        &self.lut
    }

    /// Position of |v| along the ramp, 0 at `lo` and 1 at `hi`.
    pub fn position(&self, a: f32) -> f32 {
        if self.hi > self.lo {
            ((a - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0)
        } else if a >= self.hi {
            1.0
        } else {
            0.0
        }
    }

    /// The LUT as RGBA8 rows for a 256 x 2 texture.
    pub fn lut_rgba(&self) -> Vec<u8> {
        self.lut
            .iter()
            .flat_map(|c| [c[0], c[1], c[2], 255])
            .collect()
    }
}

/// Row 0 maps positive |v| and row 1 negative |v|, each sampled at texel centres so that
/// a two-sided map's ambiguous middle (heat at 0.5) is never sampled.
fn build_lut(cmap: &Colormap, sign: Sign) -> Vec<[u8; 3]> {
    let n = LUT_SIZE as f32;
    let centred = cmap.diverging() || sign == Sign::Abs;
    let mut lut = Vec::with_capacity(2 * LUT_SIZE);
    for row in 0..2 {
        for i in 0..LUT_SIZE {
            let s = (i as f32 + 0.5) / n;
            let t = if centred {
                if row == 0 {
                    0.5 + 0.5 * s
                } else {
                    0.5 - 0.5 * s
                }
            } else {
                s
            };
            lut.push(cmap.sample(t));
        }
    }
    lut
}

/// Order statistics of |value| over the finite values of several slices, with
/// [`percentile`]'s results (numpy's linear interpolation) without a sort: by selection
/// in a copy for ordinary sizes, and for a long series (every frame of a movie) by two
/// histogram passes over the float bits, which hold 65,536 counts instead of a copy.
/// Either way the numbers are the ones a sort gives.
struct Quantiles<'a> {
    values: &'a [&'a [f32]],
    /// How many finite values there are.
    n: usize,
    /// The finite |values|, when there are few enough to copy.
    copy: Option<Vec<f32>>,
    /// Counts of the finite |values| by the upper 16 bits of their bits (a copy's
    /// alternative), filled on first use.
    upper: Option<Vec<u64>>,
}

/// Most values [`Quantiles`] copies; above, it counts.
const QUANTILE_COPY_MAX: usize = 16 << 20;

impl<'a> Quantiles<'a> {
    fn new(values: &'a [&'a [f32]]) -> Quantiles<'a> {
        Quantiles::copying_at_most(values, QUANTILE_COPY_MAX)
    }

    fn copying_at_most(values: &'a [&'a [f32]], most: usize) -> Quantiles<'a> {
        let finite = || {
            values
                .iter()
                .flat_map(|v| v.iter())
                .filter(|v| v.is_finite())
        };
        let n = finite().count();
        let copy = (n <= most).then(|| finite().map(|v| v.abs()).collect());
        Quantiles {
            values,
            n,
            copy,
            upper: None,
        }
    }

    fn resolve(&mut self, b: Bound) -> f32 {
        match b {
            Bound::Value(v) => v,
            Bound::Percentile(p) => self.percentile(p),
        }
    }

    fn percentile(&mut self, p: f32) -> f32 {
        if self.n == 0 {
            return 0.0;
        }
        let pos = (p.clamp(0.0, 100.0) as f64 / 100.0) * (self.n - 1) as f64;
        let i = pos.floor() as usize;
        let a = self.kth(i);
        let b = if i + 1 < self.n { self.kth(i + 1) } else { a };
        let f = pos - i as f64;
        (a as f64 * (1.0 - f) + b as f64 * f) as f32
    }

    fn max(&mut self) -> Option<f32> {
        (self.n > 0).then(|| self.kth(self.n - 1))
    }

    /// The `k`-th smallest finite |value| (from 0).
    fn kth(&mut self, k: usize) -> f32 {
        if let Some(v) = &mut self.copy {
            return *v.select_nth_unstable_by(k, f32::total_cmp).1;
        }
        // |v| of a finite float is ordered as its bits.
        let bits = |v: &f32| v.abs().to_bits();
        let values = self.values;
        let finite = move || {
            values
                .iter()
                .flat_map(|v| v.iter())
                .filter(|v| v.is_finite())
        };
        let upper = self.upper.get_or_insert_with(|| {
            let mut h = vec![0u64; 1 << 16];
            finite().for_each(|v| h[(bits(v) >> 16) as usize] += 1);
            h
        });
        let (hi, rest) = bucket(upper, k as u64);
        let mut lower = vec![0u64; 1 << 16];
        finite()
            .map(bits)
            .filter(|b| b >> 16 == hi)
            .for_each(|b| lower[(b & 0xffff) as usize] += 1);
        let (lo, _) = bucket(&lower, rest);
        f32::from_bits(hi << 16 | lo)
    }
}

#[cfg(test)]
mod quantile_tests {
    use super::{percentile, Quantiles};

    /// Both ways of finding order statistics give the numbers a sort gives.
    #[test]
    fn histogram_and_selection_agree_with_a_sort() {
        let mut x: u32 = 12345;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        let a: Vec<f32> = (0..5000)
            .map(|i| match next() % 7 {
                0 => 0.0,
                1 => f32::NAN,
                2 => -1.5,
                3 => (i % 13) as f32 * 0.25,
                _ => (next() as f32 / u32::MAX as f32 - 0.5) * 40.0,
            })
            .collect();
        let b: Vec<f32> = vec![f32::INFINITY, 3.0, -7e-30, 1e30];
        let slices: [&[f32]; 2] = [&a, &b];
        let mut sorted: Vec<f32> = a
            .iter()
            .chain(&b)
            .filter(|v| v.is_finite())
            .map(|v| v.abs())
            .collect();
        sorted.sort_by(f32::total_cmp);
        for most in [0, usize::MAX] {
            let mut q = Quantiles::copying_at_most(&slices, most);
            for p in [0.0, 2.0, 33.3, 50.0, 95.0, 98.0, 100.0] {
                assert_eq!(
                    q.percentile(p).to_bits(),
                    percentile(&sorted, p).to_bits(),
                    "{p}% ({most})"
                );
            }
            assert_eq!(q.max(), sorted.last().copied());
        }
        let empty: [&[f32]; 1] = [&[f32::NAN]];
        assert_eq!(Quantiles::copying_at_most(&empty, 0).percentile(50.0), 0.0);
    }
}

/// The bucket holding the `k`-th counted item, and `k`'s rank within it.
fn bucket(counts: &[u64], k: u64) -> (u32, u64) {
    let mut before = 0;
    for (i, &c) in counts.iter().enumerate() {
        if k < before + c {
            return (i as u32, k - before);
        }
        before += c;
    }
    (counts.len().saturating_sub(1) as u32, 0)
}

/// Linear-interpolated percentile of sorted values (numpy's default), 0 when empty.
pub fn percentile(sorted: &[f32], p: f32) -> f32 {
    if sorted.is_empty() {
        return 0.0;
    }
    let pos = (p.clamp(0.0, 100.0) as f64 / 100.0) * (sorted.len() - 1) as f64;
    let i = pos.floor() as usize;
    let j = (i + 1).min(sorted.len() - 1);
    let f = pos - i as f64;
    (sorted[i] as f64 * (1.0 - f) + sorted[j] as f64 * f) as f32
}

/// The cortex background: PySurfer's binarised-curvature presets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cortex {
    /// Matplotlib's Greys as PySurfer uses it (gyri 198, sulci 104).
    Classic,
    /// Gyri 247, sulci 68.
    HighContrast,
    /// Gyri 149, sulci 122.
    LowContrast,
    /// Bluish greys.
    Bone,
    /// No curvature shading: one flat grey.
    None,
}

impl Cortex {
    /// The names `parse` takes, in order.
    pub const NAMES: [&'static str; 5] =
        ["classic", "high_contrast", "low_contrast", "bone", "none"];

    /// One of [`Cortex::NAMES`].
    pub fn parse(s: &str) -> Option<Cortex> {
        match s {
            "classic" => Some(Cortex::Classic),
            "high_contrast" => Some(Cortex::HighContrast),
            "low_contrast" => Some(Cortex::LowContrast),
            "bone" => Some(Cortex::Bone),
            "none" => Some(Cortex::None),
            _ => None,
        }
    }

    /// `(gyrus, sulcus)` colours. Classic is matplotlib's Greys over vmin −1, vmax 2 as
    /// PySurfer uses it; the others are PySurfer's presets.
    pub fn colors(self) -> ([u8; 3], [u8; 3]) {
        match self {
            Cortex::Classic => ([198; 3], [104; 3]),
            Cortex::HighContrast => ([247; 3], [68; 3]),
            Cortex::LowContrast => ([149; 3], [122; 3]),
            Cortex::Bone => ([224, 235, 235], [102, 109, 133]),
            Cortex::None => (FLAT_GREY, FLAT_GREY),
        }
    }
}

/// The cortex colour when no curvature is available (PySurfer's flat grey).
pub const FLAT_GREY: [u8; 3] = [128; 3];

/// A colour by name (the common CSS names) or as `#rrggbb`.
pub fn parse_color(s: &str) -> Option<[u8; 3]> {
    const NAMED: &[(&str, [u8; 3])] = &[
        ("black", [0, 0, 0]),
        ("white", [255, 255, 255]),
        ("red", [255, 0, 0]),
        ("green", [0, 128, 0]),
        ("lime", [0, 255, 0]),
        ("blue", [0, 0, 255]),
        ("yellow", [255, 255, 0]),
        ("cyan", [0, 255, 255]),
        ("magenta", [255, 0, 255]),
        ("crimson", [220, 20, 60]),
        ("gold", [255, 215, 0]),
        ("orange", [255, 165, 0]),
        ("purple", [128, 0, 128]),
        ("dodgerblue", [30, 144, 255]),
        ("limegreen", [50, 205, 50]),
        ("orchid", [218, 112, 214]),
        ("gray", [128, 128, 128]),
        ("grey", [128, 128, 128]),
    ];
    let lower = s.trim().to_ascii_lowercase();
    if let Some((_, c)) = NAMED.iter().find(|(n, _)| *n == lower) {
        return Some(*c);
    }
    let h = lower.strip_prefix('#')?;
    if h.len() != 6 || !h.is_ascii() {
        return None;
    }
    let c = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
    Some([c(0)?, c(2)?, c(4)?])
}

/// Label colours when none are given: PySurfer's crimson first, then distinct colours.
pub const LABEL_COLORS: [[u8; 3]; 6] = [
    [220, 20, 60],
    [255, 215, 0],
    [30, 144, 255],
    [50, 205, 50],
    [218, 112, 214],
    [255, 165, 0],
];

/// `abs`, `pos` or `neg`, as the command line and spec files give it (one message for both).
impl std::str::FromStr for Sign {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Sign::parse(s).ok_or_else(|| format!("'{s}': expected abs, pos or neg"))
    }
}

/// A cortex preset by name, as the command line and spec files give it (one message for both).
impl std::str::FromStr for Cortex {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Cortex::parse(s).ok_or_else(|| format!("'{s}': expected {}", Cortex::NAMES.join(", ")))
    }
}

/// Bounds print as numbers (whole numbers as integers, `threshold = 2`) or as
/// percentile text (`"95%"`).
impl serde::Serialize for Bound {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match *self {
            Bound::Value(v) if v.fract() == 0.0 && v.abs() < 1e15 => s.serialize_i64(v as i64),
            // The shortest decimal that reads back as the same f32: 0.8, not 0.800000011.
            Bound::Value(v) => s.serialize_f64(v.to_string().parse().unwrap_or(v as f64)),
            Bound::Percentile(p) => s.serialize_str(&format!("{p}%")),
        }
    }
}

/// A number, or text read as the command line reads it (`"95%"`).
impl<'de> serde::Deserialize<'de> for Bound {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = crate::desc::values::typed_text(d)?;
        Bound::parse(&text).map_err(serde::de::Error::custom)
    }
}
