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

/// Where things given around the --overlay arguments belong: the overlay layer of each
/// --overlay argument (as `inputs::group_overlays` decides), from which follow the layer
/// of every option and the stack position of every annotation and label. Both the figure
/// and `--print-spec` read positions through this one map.
#[derive(Debug, Clone, Default)]
pub struct LayerMap {
    of_overlay: Vec<usize>,
}

impl LayerMap {
    pub fn new(of_overlay: Vec<usize>) -> LayerMap {
        LayerMap { of_overlay }
    }

    /// How many overlay layers there are.
    pub fn count(&self) -> usize {
        self.of_overlay.iter().max().map_or(0, |l| l + 1)
    }

    /// The layer of --overlay argument `k`.
    pub fn of_overlay(&self, k: usize) -> Option<usize> {
        self.of_overlay.get(k).copied()
    }

    /// The layer of what follows `before` --overlay arguments: that of the last one, or
    /// the first layer when none.
    pub fn after(&self, before: usize) -> usize {
        before
            .checked_sub(1)
            .and_then(|k| self.of_overlay(k))
            .unwrap_or(0)
    }

    /// The stack position of an annotation or label after `before` --overlay arguments:
    /// how many overlay layers lie under it.
    pub fn position(&self, before: usize) -> usize {
        match before {
            0 => 0,
            n => self.after(n) + 1,
        }
    }

    /// Of an option's occurrences (`at`: the --overlay arguments before each), the last
    /// that belongs to `layer`.
    pub fn last(&self, at: &[usize], layer: usize) -> Option<usize> {
        at.iter().rposition(|&c| self.after(c) == layer)
    }

    /// The last occurrence given after an --overlay of `layer` (not before any).
    pub fn own(&self, at: &[usize], layer: usize) -> Option<usize> {
        at.iter().rposition(|&c| c > 0 && self.after(c) == layer)
    }

    /// For options that may be given for every layer at once: the layer's own, else the
    /// last given before any --overlay.
    pub fn own_or_all(&self, at: &[usize], layer: usize) -> Option<usize> {
        self.own(at, layer)
            .or_else(|| at.iter().rposition(|&c| c == 0))
    }
}

/// The last value of option `id` given for `layer`, if any. `values` holds one entry per
/// occurrence, in command-line order.
fn pick<'v, T>(a: &Args, r: &Resolved, id: &str, values: &'v [T], layer: usize) -> Option<&'v T> {
    let at = a.order.of(id, values.len());
    r.layer_map.last(&at, layer).map(|k| &values[k])
}

/// [`pick`] for `--frame` and `--map`, which given before any --overlay are for all.
fn own_or_all<'v, T>(
    a: &Args,
    r: &Resolved,
    id: &str,
    values: &'v [T],
    layer: usize,
) -> Option<&'v T> {
    let at = a.order.of(id, values.len());
    r.layer_map.own_or_all(&at, layer).map(|k| &values[k])
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
    let n = r.layer_map.count();
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
/// (`--frame` and `--map` also choose the map of a CIFTI dlabel annotation.)
pub fn unused_options(a: &Args) -> Vec<String> {
    let mut unused: Vec<String> = crate::cli::args::LAYER_OPTIONS
        .iter()
        .filter(|&&id| !matches!(id, "frame" | "map") && a.occurrences(id) > 0)
        .map(|id| format!("--{}", id.replace('_', "-")))
        .collect();
    if !a.mask.is_empty() {
        unused.push("--mask".into());
    }
    unused
}
