//! Overlay colour mapping with exact colours: threshold, range, sign, NaN, percentiles.
//! The expected colours are derived by hand from the map definitions (gray: v/255 steps;
//! heat: dark red → red → yellow and dark blue → blue → cyan), not read back from the code.

use surfrender::color::cmap::Colormap;
use surfrender::color::{percentile, Bound, ColorMapping, OverlayStyle, Sign};

fn mapping(
    cmap: &str,
    thr: Option<&str>,
    range: Option<(&str, &str)>,
    sign: Sign,
    data: &[f32],
) -> ColorMapping {
    let style = OverlayStyle {
        cmap: Colormap::from_name(cmap).expect("colormap").into(),
        threshold: thr.map(|t| Bound::parse(t).expect("bound")),
        range: range.map(|(a, b)| {
            (
                Bound::parse(a).expect("bound"),
                Bound::parse(b).expect("bound"),
            )
        }),
        sign,
        symmetric: false,
        opacity: 1.0,
    };
    ColorMapping::resolve(&style, &[data]).expect("resolve")
}

#[test]
fn gray_ramp_saturates_at_range_ends() {
    let data = [1.0, 2.0, 3.0];
    let m = mapping("gray", None, Some(("1", "3")), Sign::Pos, &data);
    assert_eq!(m.rgb(1.0), Some([0, 0, 0]));
    assert_eq!(
        m.rgb(0.5),
        Some([0, 0, 0]),
        "below MIN saturates at the bottom"
    );
    assert_eq!(m.rgb(3.0), Some([255, 255, 255]));
    assert_eq!(
        m.rgb(10.0),
        Some([255, 255, 255]),
        "above MAX saturates at the top"
    );
    // 2.0 is halfway: LUT entry 128 of 256, gray's entry 128 is 128/255.
    assert_eq!(m.rgb(2.0), Some([128, 128, 128]));
}

#[test]
fn threshold_makes_values_transparent() {
    let data = [0.5, 2.0, 3.0];
    let m = mapping("gray", Some("2"), Some(("2", "3")), Sign::Pos, &data);
    assert_eq!(m.rgb(1.99), None);
    assert_eq!(m.rgb(2.0), Some([0, 0, 0]));
    assert_eq!(m.rgb(f32::NAN), None, "NaN is transparent");
    assert_eq!(m.rgb(f32::INFINITY), None, "infinity is no data, like NaN");
}

#[test]
fn heat_is_two_sided() {
    let data = [-4.0, -1.0, 0.0, 1.0, 4.0];
    let m = mapping("heat", Some("1"), Some(("1", "4")), Sign::Abs, &data);
    // Positive: dark red at the threshold, yellow at the maximum.
    assert_eq!(m.rgb(1.0), Some([128, 0, 0]));
    assert_eq!(m.rgb(4.0), Some([255, 254, 0]));
    assert_eq!(m.rgb(100.0), Some([255, 254, 0]));
    // Negative: dark blue at −threshold, cyan at −maximum.
    assert_eq!(m.rgb(-1.0), Some([0, 0, 128]));
    assert_eq!(m.rgb(-4.0), Some([0, 254, 255]));
    // Between −1 and 1: transparent.
    assert_eq!(m.rgb(0.5), None);
    assert_eq!(m.rgb(-0.5), None);
    assert_eq!(m.rgb(0.0), None);
}

#[test]
fn sign_selects_one_side() {
    let data = [-3.0, 3.0];
    let pos = mapping("heat", None, Some(("0", "3")), Sign::Pos, &data);
    assert_eq!(pos.rgb(-3.0), None);
    assert_eq!(pos.rgb(0.0), None);
    assert_eq!(pos.rgb(3.0), Some([255, 254, 0]));
    let neg = mapping("heat", None, Some(("0", "3")), Sign::Neg, &data);
    assert_eq!(neg.rgb(3.0), None);
    assert_eq!(neg.rgb(-3.0), Some([0, 254, 255]));
}

#[test]
fn one_signed_data_use_the_whole_sequential_map() {
    // PySurfer's rule: all-positive data with sign=abs are drawn as sign=pos, so `gray`
    // runs black→white over the range rather than from its middle.
    let m = mapping("gray", None, Some(("0", "1")), Sign::Abs, &[0.2, 0.8]);
    assert_eq!(m.sign, Sign::Pos);
    assert_eq!(m.rgb(0.0 + f32::EPSILON), Some([0, 0, 0]));
    // Signed data with a sequential map: negative half below the middle, positive above.
    let m = mapping("gray", None, Some(("0", "1")), Sign::Abs, &[-1.0, 1.0]);
    assert_eq!(m.sign, Sign::Abs);
    assert_eq!(m.rgb(1.0), Some([255, 255, 255]));
    assert_eq!(m.rgb(-1.0), Some([0, 0, 0]));
}

#[test]
fn negligible_negative_values_do_not_make_a_second_side() {
    // Thickness maps carry a few tiny negative values; they must not split the bar.
    let m = mapping(
        "heat",
        None,
        Some(("1", "4")),
        Sign::Abs,
        &[-0.003, 0.0, 2.0, 4.0],
    );
    assert_eq!(m.sign, Sign::Pos);
    assert_eq!(m.rgb(-0.003), None);
    let m = mapping("heat", None, Some(("1", "4")), Sign::Abs, &[-0.5, 2.0, 4.0]);
    assert_eq!(m.sign, Sign::Abs);
}

#[test]
fn percentiles_resolve_on_absolute_values() {
    // |v| = 0..=100 in steps of 1 (signs alternate): the p-th percentile is p.
    let data: Vec<f32> = (0..=100)
        .map(|i| if i % 2 == 0 { i as f32 } else { -(i as f32) })
        .collect();
    let m = mapping("heat", Some("50%"), Some(("50%", "90%")), Sign::Abs, &data);
    assert_eq!((m.threshold, m.lo, m.hi), (50.0, 50.0, 90.0));
    assert_eq!(m.rgb(49.0), None);
    assert_eq!(m.rgb(-90.0), Some([0, 254, 255]));
    // Defaults: 2nd to 98th percentile of |v|.
    let d = mapping("heat", None, None, Sign::Abs, &data);
    assert_eq!((d.threshold, d.lo, d.hi), (0.0, 2.0, 98.0));
    // NaN is ignored by percentiles.
    let mut sorted = vec![3.0, 1.0, 2.0];
    sorted.sort_by(f32::total_cmp);
    assert_eq!(percentile(&sorted, 50.0), 2.0);
    assert_eq!(percentile(&sorted, 25.0), 1.5);
    let with_nan = mapping(
        "gray",
        None,
        Some(("0%", "100%")),
        Sign::Pos,
        &[1.0, f32::NAN, 5.0],
    );
    assert_eq!((with_nan.lo, with_nan.hi), (1.0, 5.0));
}

#[test]
fn bad_bounds_are_usage_errors() {
    assert!(Bound::parse("abc").is_err());
    assert!(Bound::parse("120%").is_err());
    assert!(Bound::parse("nan").is_err());
    let style = OverlayStyle {
        cmap: Colormap::from_name("hot").expect("hot").into(),
        threshold: None,
        range: Some((Bound::Value(3.0), Bound::Value(1.0))),
        sign: Sign::Abs,
        symmetric: false,
        opacity: 1.0,
    };
    let err = ColorMapping::resolve(&style, &[&[1.0, 2.0][..]]).expect_err("MIN > MAX");
    assert_eq!(err.exit_code(), 2);
}

#[test]
fn symmetric_maps_run_through_zero() {
    let style = OverlayStyle {
        cmap: Colormap::from_name("gray").expect("gray").into(),
        threshold: None,
        range: Some((Bound::Value(1.0), Bound::Value(2.0))),
        sign: Sign::Abs,
        symmetric: true,
        opacity: 1.0,
    };
    // One-signed data stay two-sided, and MIN is 0: the map is continuous through zero.
    let m = ColorMapping::resolve(&style, &[&[0.5, 2.0][..]]).expect("resolve");
    assert_eq!((m.sign, m.lo, m.hi), (Sign::Abs, 0.0, 2.0));
    assert_eq!(m.rgb(2.0), Some([255, 255, 255]));
    assert_eq!(m.rgb(-2.0), Some([0, 0, 0]));
    // Just above and below zero: the two middle entries of gray.
    assert_eq!(m.rgb(0.001), Some([128, 128, 128]));
    assert_eq!(m.rgb(-0.001), Some([127, 127, 127]));
}
