//! Overlay layers from the command line: each per-layer option (`--cmap`, `--threshold`,
//! ...) belongs to the layer of the `--overlay` before it, so
//! `--overlay a --cmap gray --overlay b --cmap hot --threshold 2` stacks two maps with
//! their own colouring.

use super::inputs::Resolved;
use super::{usage, Args};
use crate::color::{cmap::Colormap, Bound, OverlayStyle, Sign};
use crate::error::Result;
use crate::io::MapSelector;
use crate::spec::OverlayLayer;

/// The last value of option `id` given for `layer`, if any. `values` holds one entry per
/// occurrence, in command-line order.
fn pick<'v, T>(a: &Args, r: &Resolved, id: &str, values: &'v [T], layer: usize) -> Option<&'v T> {
    let at = a.order.of(id, values.len());
    values
        .iter()
        .zip(at)
        .filter(|(_, before)| r.layer_after(*before) == layer)
        .map(|(v, _)| v)
        .next_back()
}

/// The value of option `id` for `layer` when it may be given for all layers at once:
/// the last one after an --overlay of that layer, else the last one before any --overlay.
fn own_or_all<'v, T>(
    a: &Args,
    r: &Resolved,
    id: &str,
    values: &'v [T],
    layer: usize,
) -> Option<&'v T> {
    let at = a.order.of(id, values.len());
    let own = values
        .iter()
        .zip(&at)
        .filter(|(_, &before)| before > 0 && r.layer_after(before) == layer)
        .map(|(v, _)| v)
        .next_back();
    own.or_else(|| {
        values
            .iter()
            .zip(&at)
            .filter(|(_, &before)| before == 0)
            .map(|(v, _)| v)
            .next_back()
    })
}

/// `--map N|NAME`: an index when it is a number.
pub fn map_selector(m: &str) -> MapSelector {
    match m.parse::<usize>() {
        Ok(i) => MapSelector::Index(i),
        Err(_) => MapSelector::Name(m.to_string()),
    }
}

/// Each overlay layer's colouring, bottom first.
pub fn overlay_layers(a: &Args, r: &Resolved) -> Result<Vec<OverlayLayer>> {
    let n = r.n_overlay_layers;
    let ranges: Vec<[&String; 2]> = a.range.chunks_exact(2).map(|p| [&p[0], &p[1]]).collect();
    if a.range.len() % 2 != 0 {
        return Err(usage("--range needs two values: MIN MAX"));
    }
    check_every_value(a)?;
    let mut out = Vec::with_capacity(n);
    for layer in 0..n {
        // Values were checked by `check_every_value`.
        let bound =
            |flag: &str, s: &str| Bound::parse(s).map_err(|e| usage(format!("{flag}: {e}")));
        let cmap = match pick(a, r, "cmap", &a.cmap, layer) {
            Some(name) => Colormap::from_name(name)?,
            None => Colormap::from_name("heat")?,
        };
        let threshold = pick(a, r, "threshold", &a.threshold, layer)
            .map(|s| bound("--threshold", s))
            .transpose()?;
        let range = match pick(a, r, "range", &ranges, layer) {
            Some([lo, hi]) => Some((bound("--range", lo)?, bound("--range", hi)?)),
            None => None,
        };
        let sign = match pick(a, r, "sign", &a.sign, layer) {
            Some(s) => Sign::parse(s)
                .ok_or_else(|| usage(format!("--sign {s}: expected abs, pos or neg")))?,
            None => Sign::Abs,
        };
        let opacity = pick(a, r, "opacity", &a.opacity, layer)
            .copied()
            .unwrap_or(1.0);
        out.push(OverlayLayer {
            style: OverlayStyle {
                cmap,
                threshold,
                range,
                sign,
                symmetric: pick(a, r, "symmetric", &a.symmetric, layer) == Some(&true),
                opacity,
            },
            caption: pick(a, r, "cbar_label", &a.cbar_label, layer)
                .filter(|t| !t.trim().is_empty())
                .cloned(),
            outline: pick(a, r, "outline", &a.outline, layer) == Some(&true),
            frame: own_or_all(a, r, "frame", &a.frame, layer)
                .copied()
                .unwrap_or(0),
            map: own_or_all(a, r, "map", &a.map, layer).map(|m| map_selector(m)),
        });
    }
    Ok(out)
}

/// Every given value is checked, also those no layer uses: a misspelt colormap is an
/// error even without an overlay.
fn check_every_value(a: &Args) -> Result<()> {
    for c in &a.cmap {
        Colormap::from_name(c).map_err(|e| usage(format!("--cmap: {e}")))?;
    }
    for s in &a.sign {
        Sign::parse(s).ok_or_else(|| usage(format!("--sign {s}: expected abs, pos or neg")))?;
    }
    for (flag, values) in [("--threshold", &a.threshold), ("--range", &a.range)] {
        for v in values {
            Bound::parse(v).map_err(|e| usage(format!("{flag}: {e}")))?;
        }
    }
    for pair in a.range.chunks_exact(2) {
        if let (Ok(Bound::Value(lo)), Ok(Bound::Value(hi))) =
            (Bound::parse(&pair[0]), Bound::parse(&pair[1]))
        {
            if lo < 0.0 || hi < lo {
                return Err(usage(format!(
                    "--range {lo} {hi}: need 0 <= MIN <= MAX (the range applies to |value|)"
                )));
            }
        }
    }
    for t in &a.threshold {
        if let Ok(Bound::Value(t)) = Bound::parse(t) {
            if t < 0.0 {
                return Err(usage(format!(
                    "--threshold {t}: must not be negative (it applies to |value|)"
                )));
            }
        }
    }
    for o in &a.opacity {
        if !(o.is_finite() && (0.0..=1.0).contains(o)) {
            return Err(usage(format!("--opacity {o}: must be between 0 and 1")));
        }
    }
    Ok(())
}

/// Layer options given without any overlay to act on, for a notice.
pub fn unused_options(a: &Args) -> Vec<&'static str> {
    [
        ("--threshold", !a.threshold.is_empty()),
        ("--range", !a.range.is_empty()),
        ("--cmap", !a.cmap.is_empty()),
        ("--sign", !a.sign.is_empty()),
        ("--symmetric", !a.symmetric.is_empty()),
        ("--outline", !a.outline.is_empty()),
        ("--opacity", !a.opacity.is_empty()),
        ("--cbar-label", !a.cbar_label.is_empty()),
        ("--mask", !a.mask.is_empty()),
    ]
    .iter()
    .filter(|(_, given)| *given)
    .map(|(f, _)| *f)
    .collect()
}
