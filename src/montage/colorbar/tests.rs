//! Tick labels and the value range the bar shows.

use super::{extent, format_tick, TickFormat};
use crate::color::{cmap::Colormap, Bound, ColorMapping, OverlayStyle, Sign};

#[test]
fn ticks() {
    assert_eq!(format_tick(2.5), "2.5");
    assert_eq!(format_tick(4.0), "4");
    assert_eq!(format_tick(-4.857), "\u{2212}4.86");
    assert_eq!(format_tick(0.01234), "0.0123");
    assert_eq!(format_tick(1234.5), "1234");
}

fn mapping(thr: f32, lo: f32, hi: f32, data: &[f32]) -> ColorMapping {
    let style = OverlayStyle {
        cmap: Colormap::from_name("heat").expect("heat").into(),
        threshold: Some(Bound::Value(thr)),
        range: Some((Bound::Value(lo), Bound::Value(hi))),
        sign: Sign::Abs,
        symmetric: false,
        opacity: 1.0,
    };
    ColorMapping::resolve(&style, &[data]).expect("mapping")
}

#[test]
fn ticks_at_threshold_and_range_ends() {
    let (a, b, mut t) = extent(&mapping(3.0, 2.0, 5.0, &[-6.0, 6.0]));
    assert_eq!((a, b), (-5.0, 5.0));
    t.sort_by(f32::total_cmp);
    assert_eq!(t, vec![-5.0, -3.0, -2.0, 2.0, 3.0, 5.0]);
    let (_, b, t) = extent(&mapping(6.0, 2.0, 4.0, &[7.0]));
    assert_eq!(b, 6.0, "a threshold above MAX is still on the bar");
    assert!(t.contains(&6.0));
}

#[test]
fn collapsed_range_still_spans() {
    let (a, b, _) = extent(&mapping(0.0, 0.0, 0.0, &[-1.0, 1.0]));
    assert!(b > a);
}

#[test]
fn printf_like_formats() {
    assert_eq!(
        TickFormat::parse("%.1e").map(|f| f.format(2.8)),
        Some("2.8e+00".to_string())
    );
    assert_eq!(
        TickFormat::parse("%.1e").map(|f| f.format(-0.0015)),
        Some("\u{2212}1.5e-03".to_string())
    );
    assert_eq!(
        TickFormat::parse("%.2f").map(|f| f.format(-0.001)),
        Some("0.00".to_string())
    );
    assert_eq!(TickFormat::parse("%d"), None);
}

#[test]
fn nice_ticks_are_round_numbers_in_the_range() {
    use super::nice_ticks;
    assert_eq!(nice_ticks(0.0, 1.26), vec![0.0, 0.5, 1.0]);
    assert_eq!(nice_ticks(1.52, 3.86), vec![2.0, 2.5, 3.0, 3.5]);
    assert_eq!(nice_ticks(2.87, 5.2), vec![3.0, 4.0, 5.0]);
    assert_eq!(nice_ticks(0.0, 0.0108), vec![0.0, 0.005, 0.01]);
    assert_eq!(nice_ticks(0.0, 0.3), vec![0.0, 0.1, 0.2, 0.3]);
    assert_eq!(nice_ticks(100.0, 1000.0), vec![250.0, 500.0, 750.0, 1000.0]);
    assert!(nice_ticks(1.0, 1.0).is_empty());
}

#[test]
fn typed_numbers_are_the_only_ticks_and_percentile_ends_get_round_ones() {
    // Typed: the threshold and both ends, nothing else.
    let (_, _, t) =
        super::ticks_by_importance(&mapping(3.0, 2.0, 5.0, &[-6.0, 6.0]), &Default::default());
    let mut t = t;
    t.sort_by(f32::total_cmp);
    assert_eq!(t, vec![-5.0, -3.0, -2.0, 2.0, 3.0, 5.0]);
    // Percentile ends: round numbers, none at the ends themselves.
    let style = OverlayStyle {
        cmap: Colormap::from_name("viridis").expect("viridis").into(),
        threshold: None,
        range: Some((Bound::Percentile(0.0), Bound::Percentile(100.0))),
        sign: Sign::Abs,
        symmetric: false,
        opacity: 1.0,
    };
    let m = ColorMapping::resolve(&style, &[&[0.13, 0.9, 1.77]]).expect("mapping");
    let (_, _, mut t) = super::ticks_by_importance(&m, &Default::default());
    t.sort_by(f32::total_cmp);
    assert_eq!(t, vec![0.5, 1.0, 1.5]);
}
