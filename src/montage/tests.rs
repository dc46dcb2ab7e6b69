//! Several colour bars in one figure: each in its own slot or sub-strip, with its own
//! colours, and the single bar drawn exactly as before.

use std::path::PathBuf;

use image::{Rgba, RgbaImage};

use super::colorbar::{self, BarStyle, TickFormat};
use super::{compose, Plan};
use crate::color::{cmap::Colormap, Bound, ColorMapping, OverlayStyle, Sign};
use crate::error::Error;
use crate::spec::Background;

const WHITE: Rgba<u8> = Rgba([255, 255, 255, 255]);
const U: f32 = 8.0;

fn mapping(cmap: &str, lo: f32, hi: f32, data: &[f32]) -> ColorMapping {
    let style = OverlayStyle {
        cmap: Colormap::from_name(cmap).expect("colormap").into(),
        threshold: None,
        range: Some((Bound::Value(lo), Bound::Value(hi))),
        sign: Sign::Pos,
        symmetric: false,
        opacity: 1.0,
    };
    ColorMapping::resolve(&style, &[data]).expect("mapping")
}

/// viridis over 0.2..1 and cool over 2..5: bars whose colours cannot be mistaken, and
/// coloured to both ends (hot would end in the white of the background).
fn two() -> (ColorMapping, ColorMapping) {
    (
        mapping("viridis", 0.2, 1.0, &[0.0, 1.0]),
        mapping("cool", 2.0, 5.0, &[0.0, 5.0]),
    )
}

fn rgba(c: Option<[u8; 3]>) -> Rgba<u8> {
    let c = c.expect("the range ends are coloured");
    Rgba([c[0], c[1], c[2], 255])
}

/// Maximal runs `[a, b)` of columns of row `y` that differ from white.
fn runs(img: &RgbaImage, y: u32) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for x in 0..img.width() {
        if *img.get_pixel(x, y) == WHITE {
            continue;
        }
        match out.last_mut() {
            Some(r) if r.1 == x => r.1 = x + 1,
            _ => out.push((x, x + 1)),
        }
    }
    out
}

/// Columns with any non-white pixel in rows `rows`.
fn ink_columns(img: &RgbaImage, rows: std::ops::Range<u32>) -> Vec<u32> {
    (0..img.width())
        .filter(|&x| rows.clone().any(|y| *img.get_pixel(x, y) != WHITE))
        .collect()
}

/// A pixel with a hue (text on white is grey).
fn coloured(p: &Rgba<u8>) -> bool {
    let (hi, lo) = (p[0].max(p[1]).max(p[2]), p[0].min(p[1]).min(p[2]));
    hi - lo > 40
}

fn out_dir(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/out")
        .join(format!("unit_colorbar_{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create test output folder");
    d
}

/// Rows of a horizontal bar drawn at strip top 0, and the first row under it.
fn bar_row_and_bottom() -> (u32, u32) {
    let y0 = (1.5 * U).round() as u32;
    let y1 = y0 + (2.2 * U).round() as u32;
    ((y0 + y1) / 2, y1)
}

#[test]
fn horizontal_bars_each_in_their_own_half() {
    let (a, b) = two();
    let bars = [(&a, BarStyle::default()), (&b, BarStyle::default())];
    let mut img = RgbaImage::from_pixel(1000, (colorbar::UNITS * U) as u32, WHITE);
    colorbar::draw_all(&mut img, &bars, 0, U, [0, 0, 0]);
    let (row, bottom) = bar_row_and_bottom();
    let r = runs(&img, row);
    assert_eq!(r.len(), 2, "two separate bars: {r:?}");
    let (left, right) = (r[0], r[1]);
    assert!(left.1 <= 500 && right.0 >= 500, "{left:?} {right:?}");
    assert!(right.0 - left.1 > 50, "clear space between the bars");
    // Each bar centred in its slot, and each with its own colours end to end.
    assert!((left.0 + left.1).abs_diff(500) <= 2, "{left:?}");
    assert!((right.0 + right.1).abs_diff(1500) <= 2, "{right:?}");
    let (lo_a, hi_a, _) = colorbar::extent(&a);
    let (lo_b, hi_b, _) = colorbar::extent(&b);
    assert_eq!(*img.get_pixel(left.0, row), rgba(a.rgb(lo_a)));
    assert_eq!(*img.get_pixel(left.1 - 1, row), rgba(a.rgb(hi_a)));
    assert_eq!(*img.get_pixel(right.0, row), rgba(b.rgb(lo_b)));
    assert_eq!(*img.get_pixel(right.1 - 1, row), rgba(b.rgb(hi_b)));
    // Ticks and labels under each bar stay in its half, clear of the middle.
    let ink = ink_columns(&img, bottom..img.height());
    assert!(ink.iter().any(|&x| x < 500) && ink.iter().any(|&x| x >= 500));
    assert!(!ink.iter().any(|&x| x.abs_diff(500) < 20), "{ink:?}");
}

#[test]
fn long_labels_of_neighbours_do_not_touch() {
    // Labels nearly half a slot wide: a bar spanning 70% of its slot would put the labels
    // of neighbouring ends on top of each other.
    let (a, b) = two();
    let style = BarStyle {
        format: TickFormat::Exp(2),
        ..BarStyle::default()
    };
    let bars = [(&a, style.clone()), (&b, style.clone()), (&a, style)];
    let mut img = RgbaImage::from_pixel(600, (colorbar::UNITS * U) as u32, WHITE);
    colorbar::draw_all(&mut img, &bars, 0, U, [0, 0, 0]);
    let (row, bottom) = bar_row_and_bottom();
    assert_eq!(runs(&img, row).len(), 3);
    let ink = ink_columns(&img, bottom..img.height());
    for edge in [0u32, 200, 400, 600] {
        assert!(
            !ink.iter().any(|&x| x.abs_diff(edge) < 4),
            "ink within 4 pixels of the slot edge at {edge}: {ink:?}"
        );
    }
    // Every bar still has a label at each end (5 characters or more each).
    for k in 0..3u32 {
        let n = ink.iter().filter(|&&x| x / 200 == k).count();
        assert!(n > 60, "slot {k} has {n} columns of label ink");
    }
}

#[test]
fn vertical_bars_stand_side_by_side() {
    let (a, b) = two();
    let caption = BarStyle {
        caption: Some("thickness (mm)".into()),
        ..BarStyle::default()
    };
    let bars = [(&a, caption), (&b, BarStyle::default())];
    let units = colorbar::side_units_all(&bars);
    let (ua, ub) = (
        colorbar::side_units(&a, &bars[0].1),
        colorbar::side_units(&b, &bars[1].1),
    );
    assert_eq!(units, ua + ub);
    let w = (units * U).round() as u32;
    let split = (ua * U).round() as u32;
    let mut img = RgbaImage::from_pixel(w, 600, WHITE);
    colorbar::draw_vertical_all(&mut img, &bars, 0, 0, 600, U, [0, 0, 0]);
    let lut = |m: &ColorMapping| -> Vec<Rgba<u8>> {
        m.lut
            .iter()
            .map(|c| Rgba([c[0], c[1], c[2], 255]))
            .collect()
    };
    let (lut_a, lut_b) = (lut(&a), lut(&b));
    let mut seen = [0usize; 2];
    for (x, _, p) in img.enumerate_pixels().filter(|(_, _, p)| coloured(p)) {
        let (own, n) = if x < split { (&lut_a, 0) } else { (&lut_b, 1) };
        assert!(
            own.contains(p),
            "{p:?} at column {x} is not its bar's colour"
        );
        seen[n] += 1;
    }
    assert!(seen[0] > 1000 && seen[1] > 1000, "{seen:?}");
    // Values increase upwards, in each sub-strip.
    for (left, m) in [(0, &a), (split, &b)] {
        let x = left + (2.0 * U) as u32;
        let ys: Vec<u32> = (0..600)
            .filter(|&y| coloured(img.get_pixel(x, y)))
            .collect();
        let (top, bot) = (ys[0], ys[ys.len() - 1]);
        let (lo, hi, _) = colorbar::extent(m);
        assert_eq!(*img.get_pixel(x, top), rgba(m.rgb(hi)));
        assert_eq!(*img.get_pixel(x, bot), rgba(m.rgb(lo)));
    }
}

#[test]
fn vertical_bars_with_a_fixed_text_size_keep_apart() {
    // Text twice its default size: sub-strips measured in units alone would put the
    // first bar's labels on the second bar.
    let (a, b) = two();
    let big = BarStyle {
        font_px: Some(2.0 * 2.3 * U),
        caption: Some("caption".into()),
        format: TickFormat::Fixed(3),
        ..BarStyle::default()
    };
    let bars = [(&a, big.clone()), (&b, big)];
    let dir = out_dir("big_text");
    let path = dir.join("bars.png");
    colorbar::write_file(&path, &bars, true, Background::Color([255; 3])).expect("write");
    let img = image::open(&path).expect("read").to_rgba8();
    let mid = img.height() / 2;
    let bars_at: Vec<(u32, u32)> = runs(&img, mid)
        .into_iter()
        .filter(|&(x0, _)| coloured(img.get_pixel(x0, mid)))
        .collect();
    assert_eq!(bars_at.len(), 2, "{bars_at:?}");
    let second = bars_at[1].0;
    let clear = |xs: std::ops::Range<u32>| {
        xs.clone()
            .all(|x| (0..img.height()).all(|y| *img.get_pixel(x, y) == WHITE))
    };
    assert!(clear(second - 8..second), "ink just left of the second bar");
    assert!(!clear(bars_at[0].1..second - 8), "the first bar's labels");
    assert!(
        clear(img.width() - 4..img.width()),
        "labels cut at the right edge"
    );
}

fn plan(width: u32, height: u32, side: Option<u32>) -> Plan {
    Plan {
        panels: Vec::new(),
        names: Vec::new(),
        positions: Vec::new(),
        width,
        height,
        title_height: 0,
        colorbar_top: height - (colorbar::UNITS * U) as u32,
        labels: vec![("L lateral".into(), 10.0, 10.0)],
        label_px: 12.0,
        unit: U,
        colorbar_side: side,
        canvas: (width, height),
        offset: (0, 0),
    }
}

#[test]
fn one_bar_is_drawn_as_the_single_bar_always_was() {
    let (a, _) = two();
    let style = BarStyle {
        caption: Some("t".into()),
        ticks: Some(3),
        ..BarStyle::default()
    };
    let p = plan(800, 400, None);
    let bg = Background::Color([255; 3]);
    let got = compose(&p, &[], bg, &[(&a, style.clone())], None, None);
    let mut want = RgbaImage::from_pixel(800, 400, WHITE);
    colorbar::draw(&mut want, &a, p.colorbar_top, U, [0, 0, 0], &style);
    crate::text::draw(
        &mut want,
        "L lateral",
        10.0,
        10.0,
        12.0,
        crate::text::Align::Left,
        [0; 3],
    );
    assert!(
        got == want,
        "compose with one bar differs from colorbar::draw"
    );
}

#[test]
fn compose_draws_every_bar_in_either_orientation() {
    let (a, b) = two();
    let bars = [(&a, BarStyle::default()), (&b, BarStyle::default())];
    let bg = Background::Color([255; 3]);
    let p = plan(1000, 400, None);
    let img = compose(&p, &[], bg, &bars, None, Some(20.0));
    let (row, _) = bar_row_and_bottom();
    let r = runs(&img, p.colorbar_top + row);
    assert_eq!(r.len(), 2, "{r:?}");
    assert!(r[0].1 <= 500 && r[1].0 >= 500);
    let side = (colorbar::side_units_all(&bars) * U).round() as u32;
    let p = plan(500 + side, 400, Some(500));
    let img = compose(&p, &[], bg, &bars, None, None);
    let split = 500 + (colorbar::side_units(&a, &bars[0].1) * U).round() as u32;
    let has = |m: &ColorMapping, xs: std::ops::Range<u32>| {
        let c = rgba(m.rgb(colorbar::extent(m).1));
        xs.clone()
            .any(|x| (0..400).any(|y| *img.get_pixel(x, y) == c))
    };
    assert!(has(&a, 500..split) && !has(&a, split..img.width()));
    assert!(has(&b, split..img.width()) && !has(&b, 500..split));
    assert!(!(0..500).any(|x| (0..400).any(|y| coloured(img.get_pixel(x, y)))));
}

#[test]
fn bar_files_in_png() {
    let dir = out_dir("png");
    let (a, b) = two();
    let bars = [(&a, BarStyle::default()), (&b, BarStyle::default())];
    let bg = Background::Color([255; 3]);
    let path = dir.join("bars.PNG");
    colorbar::write_file(&path, &bars, false, bg).expect("write horizontal");
    let img = image::open(&path).expect("read").to_rgba8();
    assert_eq!(img.dimensions(), (1600, (colorbar::UNITS * U) as u32));
    let (row, _) = bar_row_and_bottom();
    let r = runs(&img, row);
    assert_eq!(r.len(), 2, "{r:?}");
    assert!(r[0].1 <= 800 && r[1].0 >= 800);
    assert_eq!(*img.get_pixel(r[0].0, row), rgba(a.rgb(0.2)));
    assert_eq!(*img.get_pixel(r[1].0, row), rgba(b.rgb(2.0)));

    let path = dir.join("bars_vertical.png");
    colorbar::write_file(&path, &bars, true, bg).expect("write vertical");
    let img = image::open(&path).expect("read").to_rgba8();
    let w = (colorbar::side_units_all(&bars) * U).round() as u32;
    assert_eq!(img.dimensions(), (w, 800));
    let split = (colorbar::side_units(&a, &bars[0].1) * U).round() as u32;
    let x = (2.0 * U) as u32;
    let ys: Vec<u32> = (0..800)
        .filter(|&y| coloured(img.get_pixel(x, y)))
        .collect();
    assert_eq!(*img.get_pixel(x, ys[0]), rgba(a.rgb(1.0)), "top is MAX");
    assert_eq!(*img.get_pixel(x, ys[ys.len() - 1]), rgba(a.rgb(0.2)));
    assert!((0..800).any(|y| *img.get_pixel(split + x, y) == rgba(b.rgb(5.0))));
}

#[test]
fn bar_files_in_svg() {
    let dir = out_dir("svg");
    let (a, b) = two();
    let cap = |c: &str| BarStyle {
        caption: Some(c.into()),
        ..BarStyle::default()
    };
    let bars = [(&a, cap("first <a>")), (&b, cap("second"))];
    let bg = Background::Color([255; 3]);
    for vertical in [false, true] {
        let path = dir.join(format!("bars_{vertical}.svg"));
        colorbar::write_file(&path, &bars, vertical, bg).expect("write svg");
        let text = std::fs::read_to_string(&path).expect("svg written");
        assert!(text.starts_with("<svg") && text.trim_end().ends_with("</svg>"));
        for (m, lo, hi) in [(&a, 0.2, 1.0), (&b, 2.0, 5.0)] {
            for v in [lo, hi] {
                let c = m.rgb(v).expect("coloured");
                let fill = format!("fill=\"#{:02x}{:02x}{:02x}\"", c[0], c[1], c[2]);
                assert!(text.contains(&fill), "{fill} missing ({vertical})");
            }
        }
        // A background and 256 steps per bar.
        assert_eq!(text.matches("<rect").count(), 1 + 2 * 256, "{vertical}");
        assert!(text.contains(">first &lt;a&gt;<") && text.contains(">second<"));
        for t in [">0.2<", ">1<", ">2<", ">5<"] {
            assert!(text.contains(t), "tick {t} missing ({vertical})");
        }
        let size = if vertical {
            let w = (colorbar::side_units_all(&bars) * U).round();
            format!("width=\"{w}\" height=\"800\"")
        } else {
            "width=\"1600\" height=\"112\"".to_string()
        };
        assert!(text.contains(&size), "{size} ({vertical})");
    }
    // Horizontal: bar 0's rectangles in the left slot, bar 1's in the right one.
    let text = std::fs::read_to_string(dir.join("bars_false.svg")).expect("svg");
    let xs = |m: &ColorMapping, v: f32| -> Vec<f32> {
        let c = m.rgb(v).expect("coloured");
        let fill = format!("fill=\"#{:02x}{:02x}{:02x}\"", c[0], c[1], c[2]);
        text.lines()
            .filter(|l| l.starts_with("<rect x=") && l.contains(&fill))
            .filter_map(|l| l.split('"').nth(1)?.parse().ok())
            .collect()
    };
    assert!(xs(&a, 0.2).iter().chain(&xs(&a, 1.0)).all(|&x| x < 800.0));
    assert!(xs(&b, 2.0).iter().chain(&xs(&b, 5.0)).all(|&x| x >= 800.0));
}

#[test]
fn bar_file_of_unknown_type_is_refused_before_drawing() {
    let dir = out_dir("jpg");
    let (a, _) = two();
    let bars = [(&a, BarStyle::default())];
    for name in ["bar.jpg", "bar"] {
        let path = dir.join(name);
        for vertical in [false, true] {
            match colorbar::write_file(&path, &bars, vertical, Background::Transparent) {
                Err(Error::Usage(msg)) => {
                    assert!(
                        msg.contains(name) && msg.contains("expected .png or .svg"),
                        "{msg}"
                    )
                }
                other => panic!("expected a usage error, got {other:?}"),
            }
        }
    }
    let left: Vec<_> = std::fs::read_dir(&dir).expect("list").collect();
    assert!(left.is_empty(), "nothing is written: {left:?}");
    assert!(matches!(
        colorbar::write_file(&dir.join("none.png"), &[], false, Background::Transparent),
        Err(Error::Usage(_))
    ));
}
