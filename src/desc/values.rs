//! The typed values of a figure's options. Each type checks its value once, in `FromStr`
//! (the command line, through clap) and in `Deserialize` (spec files, through serde),
//! with the same message, so the two ways of asking for a figure accept and refuse the
//! same values. Names (colours, views, colormaps) print back as they were written;
//! numbers print as the shortest decimal that reads back as the same `f32`.

use std::fmt;
use std::str::FromStr;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::color::Bound;
use crate::scene::ViewName;

/// A value written as text (a colour, a view, a colormap, ...): checked when read, and
/// printed back exactly as written so that a printed spec reads like its source.
#[derive(Clone)]
pub struct Given<T> {
    text: String,
    value: T,
}

/// Two values are the same when they are written the same.
impl<T> PartialEq for Given<T> {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl<T> fmt::Debug for Given<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.text)
    }
}

impl<T> Given<T> {
    /// The parsed value.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The text as written.
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl<T: FromStr<Err = String>> FromStr for Given<T> {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(Given {
            value: s.parse()?,
            text: s.to_string(),
        })
    }
}

impl<T> fmt::Display for Given<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl<T> Serialize for Given<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de, T: FromStr<Err = String>> Deserialize<'de> for Given<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(D::Error::custom)
    }
}

impl FromStr for Rgb {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        crate::color::parse_color(s)
            .map(Rgb)
            .ok_or_else(|| format!("'{s}': expected a colour name or #rrggbb"))
    }
}

impl FromStr for Orientation {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "horizontal" | "h" => Ok(Orientation::Horizontal),
            "vertical" | "v" => Ok(Orientation::Vertical),
            _ => Err(format!("'{s}': expected horizontal or vertical")),
        }
    }
}

/// A colour: a name (crimson, gold, ...) or `#rrggbb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub [u8; 3]);

/// Where the colour bars go: under the panels, side by side, or beside them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    /// Under the panels.
    Horizontal,
    /// Beside the panels.
    Vertical,
}

/// `--layout`: grid (rows are views, columns hemispheres), row, column, or rows of views
/// such as `lateral,medial;dorsal,ventral`.
#[derive(Debug, Clone, PartialEq)]
pub enum LayoutArg {
    /// Rows are views, columns hemispheres.
    Grid,
    /// Every panel in one row.
    Row,
    /// Every panel in one column.
    Column,
    /// Rows of views, repeated side by side for each hemisphere.
    Rows(Vec<Vec<ViewName>>),
}

impl FromStr for LayoutArg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "grid" => return Ok(LayoutArg::Grid),
            "row" => return Ok(LayoutArg::Row),
            "column" | "col" => return Ok(LayoutArg::Column),
            _ => {}
        }
        // A single view name is a grid of one; anything else must be rows of views.
        if !s.contains([',', ';']) && ViewName::parse(s).is_err() {
            return Err(format!(
                "'{s}': expected grid, row, column, or rows of views such as \"lateral,medial;dorsal,ventral\""
            ));
        }
        let rows = s
            .split(';')
            .map(|row| {
                row.split(',')
                    .map(|v| match v.trim() {
                        "" => Err(format!("'{s}': an empty view name")),
                        v => v.parse::<ViewName>(),
                    })
                    .collect()
            })
            .collect::<Result<_, String>>()?;
        Ok(LayoutArg::Rows(rows))
    }
}

/// `WxH` in pixels, either side optional (`1600x`, `x1200`); each side 16 to 16384.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size(pub Option<u32>, pub Option<u32>);

impl FromStr for Size {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("'{s}': expected WxH in pixels, e.g. 1600x1200 (or 1600x, x1200)");
        let lower = s.to_ascii_lowercase();
        let (w, h) = lower.split_once('x').ok_or_else(bad)?;
        let side = |v: &str| -> Result<Option<u32>, String> {
            if v.is_empty() {
                return Ok(None);
            }
            let n: u32 = v.trim().parse().map_err(|_| bad())?;
            if !(16..=16384).contains(&n) {
                return Err(format!("'{s}': each side must be 16 to 16384 pixels"));
            }
            Ok(Some(n))
        };
        match (side(w)?, side(h)?) {
            (None, None) => Err(bad()),
            (w, h) => Ok(Size(w, h)),
        }
    }
}

/// A panel's cell in pixels: both sides, `WxH`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PanelSize(pub u32, pub u32);

impl FromStr for PanelSize {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.parse::<Size>()? {
            Size(Some(w), Some(h)) => Ok(PanelSize(w, h)),
            _ => Err(format!("'{s}': give both sides, WxH")),
        }
    }
}

/// An `f32` as the shortest decimal that reads back as the same `f32` (`0.8`, not
/// `0.800000011920929`), so printed specs read as they were written.
pub(crate) fn shortest(x: f32) -> f64 {
    format!("{x}").parse().unwrap_or(x as f64)
}

/// A number in a message: as written for everyday sizes, in exponent form beyond.
fn show(x: f64) -> String {
    if x.abs() < 1e15 {
        x.to_string()
    } else {
        format!("{x:e}")
    }
}

/// " of degrees" for the unit " degrees", nothing for no unit.
fn of(unit: &str) -> String {
    match unit.trim() {
        "" => String::new(),
        u => format!(" of {u}"),
    }
}

/// Numbers checked against a closed range (or only for being finite), as one type per
/// option so that the limit and its message live in one place. Both forms read the
/// number as `f64` first, so a fraction given for a whole number is refused alike.
macro_rules! limited {
    ($($(#[$doc:meta])* $name:ident($t:ident): $lo:expr, $hi:expr, $what:expr;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub struct $name(pub $t);

        impl $name {
            /// Checks `x` against the option's limits (and, for a count, that it is whole;
            /// an `f32` option checks the `f32` it becomes, so its printed value reads back).
            pub fn new(x: f64) -> Result<Self, String> {
                let (lo, hi) = ($lo as f64, $hi as f64);
                let whole = (0.5 as $t) == 0 as $t;
                let v = if whole { x } else { x as f32 as f64 };
                if !v.is_finite() && lo <= f32::MIN as f64 {
                    Err(format!("{} is not a finite number{}", show(x), of($what)))
                } else if !(v >= lo && v <= hi) {
                    Err(format!("{} is outside {} to {}{}", v as $t, $lo, $hi, $what))
                } else if whole && (x as $t) as f64 != x {
                    Err(format!("{} is not a whole number", show(x)))
                } else {
                    Ok($name(v as $t))
                }
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                let x: f64 = s
                    .trim()
                    .parse()
                    .map_err(|_| format!("'{s}' is not a number"))?;
                $name::new(x)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                limited!(@ser s, self.0, $t)
            }
        }

        /// A number, or text read as the command line reads it (`"2.5"`).
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                match NumOrText::deserialize(d)? {
                    NumOrText::Num(x) => $name::new(x),
                    NumOrText::Text(t) => t.parse(),
                }
                .map_err(D::Error::custom)
            }
        }
    )*};
    (@ser $s:ident, $v:expr, f32) => { $s.serialize_f64(shortest($v)) };
    (@ser $s:ident, $v:expr, $t:ident) => { $v.serialize($s) };
}

limited! {
    /// An opacity, 0 (invisible) to 1 (opaque).
    Fraction(f32): 0.0, 1.0, "";
    /// Width of borders, outlines and contour lines in pixels.
    LineWidth(f32): 0.5, 50.0, " pixels";
    /// Radius of a focus in millimetres.
    Radius(f32): 0.001, 1000.0, " mm";
    /// Magnification of every panel.
    Zoom(f32): 0.1, 100.0, "";
    /// Multiplier of the figure's size, lines and text.
    Scale(f32): 0.1, 10.0, "";
    /// Text size in points.
    FontSize(f32): 2.0, 200.0, " points";
    /// An angle in degrees: any finite number.
    Degrees(f32): f32::MIN, f32::MAX, " degrees";
    /// A contour level: any finite number.
    Level(f32): f32::MIN, f32::MAX, "";
    /// Resolution recorded in the PNG, dots per inch.
    Dpi(u32): 1, 10_000, " dpi";
    /// A frame, map or device index: a whole number from 0.
    Index(usize): 0, 1_000_000_000, "";
    /// Evenly spaced colour bar ticks per side.
    Ticks(usize): 2, 20, " ticks";
    /// Evenly spaced contour levels.
    Contours(usize): 1, 100, " levels";
    /// A depth in the cortical ribbon where a volume is sampled: 0 at the white surface,
    /// 1 at the pial, as FreeSurfer's `mri_vol2surf --projfrac` counts it; a little past
    /// either end (into the white matter, or outside the pial) is allowed as it is there.
    ProjFrac(f32): -1.0, 2.0, "";
}

/// `--sample-reduce`: how the samples of a vertex at several depths become one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleReduce {
    /// Their mean (nilearn's and Workbench's ribbon default).
    Mean,
    /// Their maximum (a peak inside the ribbon is not averaged away).
    Max,
}

impl FromStr for SampleReduce {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "mean" => Ok(SampleReduce::Mean),
            "max" => Ok(SampleReduce::Max),
            _ => Err(format!("'{s}': expected mean or max")),
        }
    }
}

/// `--sample-interp`: how a volume is read between its voxel centres.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleInterp {
    /// Trilinear between the 8 voxels around a point (nilearn's default).
    Trilinear,
    /// The nearest voxel (values stay those of the volume, as for masks).
    Nearest,
}

impl FromStr for SampleInterp {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "trilinear" | "linear" => Ok(SampleInterp::Trilinear),
            "nearest" => Ok(SampleInterp::Nearest),
            _ => Err(format!("'{s}': expected trilinear or nearest")),
        }
    }
}

/// A threshold on |value|: a number (not negative) or a percentile of |value| (`95%`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Bound", into = "Bound")]
pub struct Threshold(pub Bound);

impl TryFrom<Bound> for Threshold {
    type Error = String;
    fn try_from(b: Bound) -> Result<Self, String> {
        match b {
            Bound::Value(v) if v < 0.0 => {
                Err(format!("{v} must not be negative (it applies to |value|)"))
            }
            b => Ok(Threshold(b)),
        }
    }
}

impl From<Threshold> for Bound {
    fn from(t: Threshold) -> Bound {
        t.0
    }
}

impl FromStr for Threshold {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Bound::parse(s)?.try_into()
    }
}

/// The colour ramp's ends on |value|: numbers or percentiles, `0 <= MIN <= MAX` (checked
/// with the layer's other options, as the command line reads the two ends one by one).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Bound>", into = "[Bound; 2]")]
pub struct Range(pub Bound, pub Bound);

impl Range {
    /// Checks the order of two numbers (percentiles are checked against the data).
    pub fn new(lo: Bound, hi: Bound) -> Result<Range, String> {
        if let (Bound::Value(a), Bound::Value(b)) = (lo, hi) {
            if a < 0.0 || b < a {
                return Err(format!(
                    "{a} {b}: need 0 <= MIN <= MAX (the range applies to |value|)"
                ));
            }
        }
        Ok(Range(lo, hi))
    }
}

impl TryFrom<Vec<Bound>> for Range {
    type Error = String;
    fn try_from(v: Vec<Bound>) -> Result<Self, String> {
        match v.as_slice() {
            [lo, hi] => Ok(Range(*lo, *hi)),
            other => Err(format!("expected [MIN, MAX], found {} values", other.len())),
        }
    }
}

impl From<Range> for [Bound; 2] {
    fn from(r: Range) -> [Bound; 2] {
        [r.0, r.1]
    }
}

/// A number or text, as a spec may write a number (`2.5` or `"2.5"`) or a bound (`2.5` or
/// `"95%"`).
#[derive(Deserialize)]
#[serde(untagged, expecting = "a number or text")]
enum NumOrText {
    Num(f64),
    Text(String),
}

/// A spec's number or text as the command line would have typed it (a number as the
/// shortest text of its `f32`), for values whose `FromStr` is the one check
/// ([`Bound`], [`MapSelector`](crate::io::MapSelector)).
pub(crate) fn typed_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match NumOrText::deserialize(d)? {
        NumOrText::Num(n) => (n as f32).to_string(),
        NumOrText::Text(t) => t,
    })
}

/// `--annot-outline`: what a parcellation draws. `false` fills the parcels, `true` draws
/// only the borders between them, `both` fills them and draws the borders over the fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outline {
    /// Parcels filled, no borders (`false`, the default).
    Fill,
    /// Borders only (`true`, `--annot-outline`).
    Borders,
    /// Parcels filled with their borders over them (`both`).
    Both,
}

impl Outline {
    /// Whether the parcels are filled.
    pub fn fills(self) -> bool {
        self != Outline::Borders
    }

    /// Whether the borders are drawn.
    pub fn borders(self) -> bool {
        self != Outline::Fill
    }
}

impl FromStr for Outline {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "false" => Ok(Outline::Fill),
            "true" => Ok(Outline::Borders),
            "both" => Ok(Outline::Both),
            _ => Err(format!(
                "'{s}': expected true (borders only), false (filled) or both (filled, with borders)"
            )),
        }
    }
}

impl fmt::Display for Outline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outline::Fill => "false",
            Outline::Borders => "true",
            Outline::Both => "both",
        })
    }
}

/// `true` and `false` as booleans, `both` as text.
impl Serialize for Outline {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Outline::Fill => s.serialize_bool(false),
            Outline::Borders => s.serialize_bool(true),
            Outline::Both => s.serialize_str("both"),
        }
    }
}

/// A boolean, or text read as the command line reads it (`"both"`, `"true"`).
impl<'de> Deserialize<'de> for Outline {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged, expecting = "true, false or \"both\"")]
        enum BoolOrText {
            Bool(bool),
            Text(String),
        }
        match BoolOrText::deserialize(d)? {
            BoolOrText::Bool(true) => Ok(Outline::Borders),
            BoolOrText::Bool(false) => Ok(Outline::Fill),
            BoolOrText::Text(t) => t.parse().map_err(D::Error::custom),
        }
    }
}

limited! {
    /// Frames per second of a movie.
    Fps(f32): 0.1, 240.0, " frames per second";
    /// Frames of a turntable: one turn.
    TurnFrames(usize): 1, 36_000, " frames";
    /// A time step in seconds (`--tr`).
    Seconds(f32): 0.000001, 1_000_000.0, " s";
}

/// `--frames`: which frames of the overlay layers a sequence shows. Ranges follow
/// Python's slices, `START:END[:STEP]` with END excluded (`0:50` is frames 0 to 49, 50
/// of them), either end may be left out; `all`; or a list `0,10,20` (which may mix in
/// ranges: `0:10,100`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FrameSel {
    /// Every frame.
    All,
    /// Ranges and single frames, in the order given.
    Parts(Vec<FramePart>),
}

/// One item of a `--frames` list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FramePart {
    /// One frame.
    One(usize),
    /// `start:end:step`, `end` excluded; `None` for "to the last frame".
    Range {
        /// The first frame.
        start: usize,
        /// One past the last frame, or the file's frame count.
        end: Option<usize>,
        /// Every `step`-th frame (at least 1).
        step: usize,
    },
}

/// Most frames a list may name one by one (ranges may cover any count).
pub const MAX_FRAME_ITEMS: usize = 10_000;

impl FromStr for FrameSel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("all") {
            return Ok(FrameSel::All);
        }
        let items: Vec<&str> = t.split(',').map(str::trim).collect();
        if items.len() > MAX_FRAME_ITEMS {
            return Err(format!(
                "{} items: a list names at most {MAX_FRAME_ITEMS} (use START:END:STEP)",
                items.len()
            ));
        }
        let bad = |i: &str, why: &str| {
            format!("'{i}': {why}; expected all, START:END[:STEP] (END excluded) or a list such as 0,10,20")
        };
        let index = |i: &str, x: &str| -> Result<usize, String> {
            x.parse::<usize>()
                .ok()
                .filter(|&n| n <= 1_000_000_000)
                .ok_or_else(|| bad(i, &format!("'{x}' is not a frame number (0, 1, 2, ...)")))
        };
        let mut parts = Vec::with_capacity(items.len());
        for i in items {
            let fields: Vec<&str> = i.split(':').map(str::trim).collect();
            let part = match fields.as_slice() {
                [""] => return Err(bad(i, "empty item")),
                [one] => FramePart::One(index(i, one)?),
                [a, b] | [a, b, _] => {
                    let start = if a.is_empty() { 0 } else { index(i, a)? };
                    let end = if b.is_empty() {
                        None
                    } else {
                        Some(index(i, b)?)
                    };
                    let step = match fields.get(2) {
                        Some(st) if !st.is_empty() => index(i, st)?,
                        _ => 1,
                    };
                    if step == 0 {
                        return Err(bad(i, "the step must be at least 1"));
                    }
                    if end.is_some_and(|e| e <= start) {
                        return Err(bad(i, "the range is empty (END is excluded)"));
                    }
                    FramePart::Range { start, end, step }
                }
                _ => return Err(bad(i, "too many ':'")),
            };
            parts.push(part);
        }
        Ok(FrameSel::Parts(parts))
    }
}

impl FrameSel {
    /// The frames selected from a file of `n` frames, in order; an item beyond the
    /// file says how many frames there are.
    pub fn frames(&self, n: usize) -> Result<Vec<usize>, String> {
        let last = n.saturating_sub(1);
        let count = |f: usize| {
            format!(
                "frame {f} is beyond the overlay's {n} frame{} (0 to {last})",
                if n == 1 { "" } else { "s" }
            )
        };
        let mut out = Vec::new();
        let parts = match self {
            FrameSel::All => return Ok((0..n).collect()),
            FrameSel::Parts(p) => p,
        };
        for p in parts {
            match *p {
                FramePart::One(f) if f >= n => return Err(count(f)),
                FramePart::One(f) => out.push(f),
                FramePart::Range { start, .. } if start >= n => return Err(count(start)),
                FramePart::Range { start, end, step } => {
                    let stop = end.unwrap_or(n);
                    if stop > n {
                        return Err(format!(
                            "{start}:{stop}: the overlay has {n} frames (0 to {last}) and END is excluded, so {start}:{n} (or {start}:) ends at the last frame"
                        ));
                    }
                    out.extend((start..stop).step_by(step));
                }
            }
        }
        Ok(out)
    }
}

/// `--time-label FORMAT`: the text drawn on each frame. `%.1f` (any precision, or `%f`,
/// `%g`) is the frame's time in seconds, `%d` its frame number in the file, `%%` a
/// percent sign; a file without a time step (and no `--tr`) numbers frames only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeFormat {
    pieces: Vec<TimePiece>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum TimePiece {
    Text(String),
    Seconds(usize),
    Frame,
}

/// `--time-label` without a format.
pub const DEFAULT_TIME_LABEL: &str = "t = %.1f s";

impl FromStr for TimeFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.chars().count() > 200 {
            return Err("a time label format is at most 200 characters".into());
        }
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut rest = s;
        while let Some(at) = rest.find('%') {
            text.push_str(&rest[..at]);
            let conv = &rest[at + 1..];
            let end = conv
                .find(|c: char| c.is_ascii_alphabetic() || c == '%')
                .ok_or_else(|| format!("'{s}': a % without a conversion (%.1f, %d or %%)"))?;
            let (flags, kind) = (&conv[..end], &conv[end..end + 1]);
            let piece = match (flags, kind) {
                ("", "%") => {
                    text.push('%');
                    None
                }
                ("", "d" | "i") => Some(TimePiece::Frame),
                (f, "f" | "g") => {
                    let digits = match f.strip_prefix('.') {
                        Some(p) => p.parse::<usize>().ok().filter(|&p| p <= 9),
                        None if f.is_empty() => Some(if kind == "f" { 6 } else { 3 }),
                        None => None,
                    };
                    Some(TimePiece::Seconds(digits.ok_or_else(|| {
                        format!("'{s}': %{f}{kind}: expected %.Nf with N from 0 to 9")
                    })?))
                }
                _ => {
                    return Err(format!(
                        "'{s}': %{flags}{kind} is not %.Nf (seconds), %d (frame) or %%"
                    ))
                }
            };
            if let Some(p) = piece {
                if !text.is_empty() {
                    pieces.push(TimePiece::Text(std::mem::take(&mut text)));
                }
                pieces.push(p);
            }
            rest = &conv[end + 1..];
        }
        text.push_str(rest);
        if !text.is_empty() {
            pieces.push(TimePiece::Text(text));
        }
        Ok(TimeFormat { pieces })
    }
}

impl TimeFormat {
    /// Whether the format shows a time (and so needs a time step).
    pub fn shows_time(&self) -> bool {
        self.pieces
            .iter()
            .any(|p| matches!(p, TimePiece::Seconds(_)))
    }

    /// The label of frame `frame` of its file, `step` seconds apart; without a time
    /// step, `frame N`.
    pub fn label(&self, frame: usize, step: Option<f64>) -> String {
        let step = match step {
            Some(s) => s,
            None if self.shows_time() => return format!("frame {frame}"),
            None => 0.0,
        };
        let mut out = String::new();
        for p in &self.pieces {
            match p {
                TimePiece::Text(t) => out.push_str(t),
                TimePiece::Frame => out.push_str(&frame.to_string()),
                TimePiece::Seconds(d) => out.push_str(&format!("{:.*}", *d, frame as f64 * step)),
            }
        }
        out
    }
}
