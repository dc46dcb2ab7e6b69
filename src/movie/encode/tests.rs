//! Each format written and read back: frame counts, sizes and pixels (APNG and PNG
//! sequences exactly, GIF within its palette's error and without flicker, videos through
//! ffprobe), and what a failed or abandoned movie leaves (nothing).

use std::path::{Path, PathBuf};
use std::process::Command;

use image::{Rgba, RgbaImage};

use super::gif_out::{distance, Clock, Palette, PALETTE_FRAMES};
use super::*;

fn out_dir(name: &str) -> PathBuf {
    crate::test_util::out_dir(&format!("movie_{name}"))
}

use crate::test_util::names;

/// Frames like a figure's: a plain background (transparent with `alpha`), a colour bar
/// that never changes, and a shaded "brain" whose colours move with the frame, through
/// more than 255 colours.
fn frames(w: u32, h: u32, n: usize, alpha: bool) -> Vec<RgbaImage> {
    let bg = if alpha {
        Rgba([0, 0, 0, 0])
    } else {
        Rgba([255, 255, 255, 255])
    };
    let lut = |t: f64| {
        // A red-yellow ramp, as a heat colour map.
        let t = t.clamp(0.0, 1.0);
        [255.0, 255.0 * t, 40.0 * (1.0 - t)]
    };
    (0..n)
        .map(|k| {
            RgbaImage::from_fn(w, h, |x, y| {
                let (fx, fy) = (x as f64 / w as f64, y as f64 / h as f64);
                if fy > 0.9 {
                    let c = lut(fx);
                    return Rgba([c[0] as u8, c[1] as u8, c[2] as u8, 255]);
                }
                let (dx, dy) = ((fx - 0.5) / 0.4, (fy - 0.45) / 0.4);
                let r2 = dx * dx + dy * dy;
                if r2 > 1.0 {
                    return bg;
                }
                let shade = 0.35 + 0.65 * (1.0 - r2).sqrt();
                let wave = ((fx * 7.0 + fy * 3.0 + k as f64 * 0.4).sin() + 1.0) / 2.0;
                let c = match wave < 0.3 {
                    true => [180.0, 180.0, 180.0],
                    false => lut((wave - 0.3) / 0.7),
                };
                let s = |v: f64| (v * shade).round() as u8;
                Rgba([s(c[0]), s(c[1]), s(c[2]), 255])
            })
        })
        .collect()
}

fn opts(w: u32, h: u32, n: usize) -> SinkOptions {
    let mut o = SinkOptions::new(w, h, n);
    o.metadata = vec![("Software".into(), "surfrender test".into())];
    o
}

fn write_all(format: &MovieFormat, path: &Path, o: &SinkOptions, f: &[RgbaImage]) -> Vec<PathBuf> {
    let mut sink = open(format, path, o).expect("open");
    for frame in f {
        sink.push(frame).expect("push");
    }
    sink.finish().expect("finish")
}

#[test]
fn formats_follow_the_name() {
    let f = |p: &str, n: usize| format_of(Path::new(p), n);
    let ffmpeg = |container| Some(MovieFormat::Ffmpeg { container });
    assert_eq!(f("a.gif", 5).unwrap(), Some(MovieFormat::Gif));
    assert_eq!(f("a.GIF", 1).unwrap(), Some(MovieFormat::Gif));
    assert_eq!(f("a.apng", 5).unwrap(), Some(MovieFormat::Apng));
    assert_eq!(f("a.Png", 5).unwrap(), Some(MovieFormat::Apng));
    assert_eq!(f("a.png", 1).unwrap(), None);
    assert_eq!(f("a.tif", 1).unwrap(), None);
    assert_eq!(f("a.MP4", 3).unwrap(), ffmpeg(Container::Mp4));
    assert_eq!(f("a.m4v", 3).unwrap(), ffmpeg(Container::Mp4));
    assert_eq!(f("a.webm", 3).unwrap(), ffmpeg(Container::Webm));
    let seq = Some(MovieFormat::PngSequence {
        pattern: "d/f_%04d.png".into(),
    });
    assert_eq!(f("d/f_%04d.png", 3).unwrap(), seq);
    assert_eq!(f("d/f_%04d.png", 1).unwrap(), seq);
    assert_eq!(
        sequence_path("d/f_%04d.png", 12).unwrap(),
        Path::new("d/f_0012.png")
    );
    let e = f("out/a.jpg", 4).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert_eq!(
        e.to_string(),
        "-o out/a.jpg: unknown extension .jpg for 4 frames: use a %04d pattern (PNG sequence), .gif, .apng, .png, .mp4 or .webm"
    );
    assert!(f("noext", 2)
        .unwrap_err()
        .to_string()
        .contains("no extension"));
    assert!(f("a.gif", 0).unwrap_err().to_string().contains("no frames"));
    assert!(f("f_%4d.png", 3).unwrap_err().to_string().contains("%4d"));
}

#[test]
fn options_are_checked_before_rendering() {
    let mut o = opts(10, 10, 3);
    o.ffmpeg = Some("/nonexistent/ffmpeg".into());
    let mp4 = MovieFormat::Ffmpeg {
        container: Container::Mp4,
    };
    let e = check(&mp4, &o).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    let msg = e.to_string();
    for part in [
        "--ffmpeg /nonexistent/ffmpeg does not exist",
        "apt-get install ffmpeg",
        "dnf install ffmpeg, from RPM Fusion",
        ".gif, .apng and PNG sequences",
        "need nothing installed",
    ] {
        assert!(msg.contains(part), "{part:?} not in {msg}");
    }
    assert_eq!(msg, e.one_line(), "one line");
    // open() checks too, and leaves nothing behind.
    let dir = out_dir("check");
    assert!(open(&mp4, &dir.join("a.mp4"), &o).is_err());
    assert!(names(&dir).is_empty(), "{:?}", names(&dir));

    o.ffmpeg = None;
    o.alpha = true;
    let e = check(&mp4, &o).unwrap_err().to_string();
    assert!(e.contains("cannot keep a transparent background"), "{e}");
    let mut o = opts(10, 10, 3);
    o.fps = 60.0;
    let e = check(&MovieFormat::Gif, &o).unwrap_err().to_string();
    assert!(e.contains("at most 50 frames a second"), "{e}");
    o.fps = 0.0;
    let e = check(&MovieFormat::Apng, &o).unwrap_err().to_string();
    assert!(e.contains("--fps 0"), "{e}");
}

#[test]
fn gif_delays_keep_the_movie_length() {
    let mut c = Clock::new(10.0);
    assert!((0..20).all(|_| c.next_delay() == 10));
    let mut c = Clock::new(30.0);
    let d: Vec<u16> = (0..30).map(|_| c.next_delay()).collect();
    assert_eq!(d.iter().map(|&d| d as u32).sum::<u32>(), 100, "{d:?}");
    assert!(d.iter().all(|&d| d == 3 || d == 4), "{d:?}");
    let mut c = Clock::new(50.0);
    assert!((0..10).all(|_| c.next_delay() == 2));
}

#[test]
fn apng_delays_are_fractions() {
    use super::apng::delay_fraction;
    assert_eq!(delay_fraction(10.0), Some((1, 10)));
    assert_eq!(delay_fraction(24.0), Some((1, 24)));
    assert_eq!(delay_fraction(29.97), Some((100, 2997)));
    assert_eq!(delay_fraction(30000.0 / 1001.0), Some((1001, 30000)));
    assert_eq!(delay_fraction(0.5), Some((2, 1)));
    assert_eq!(delay_fraction(70000.0), None);
    assert_eq!(delay_fraction(0.0), None);
}

/// Reads a GIF back: its frames composited as a viewer shows them, and the delays.
fn read_gif(path: &Path) -> (Vec<RgbaImage>, Vec<u16>, Vec<[u8; 3]>) {
    let mut opts = gif::DecodeOptions::new();
    opts.set_color_output(gif::ColorOutput::Indexed);
    let file = std::fs::File::open(path).expect("open gif");
    let mut dec = opts
        .read_info(std::io::BufReader::new(file))
        .expect("gif header");
    let palette = dec.global_palette().expect("a global palette").to_vec();
    let (w, h) = (dec.width() as u32, dec.height() as u32);
    let mut canvas = RgbaImage::new(w, h);
    let (mut out, mut delays) = (Vec::new(), Vec::new());
    while let Some(f) = dec.read_next_frame().expect("gif frame") {
        assert!(f.palette.is_none(), "a local palette");
        for (i, &idx) in f.buffer.iter().enumerate() {
            if Some(idx) == f.transparent {
                continue;
            }
            let (x, y) = (
                f.left as u32 + i as u32 % f.width as u32,
                f.top as u32 + i as u32 / f.width as u32,
            );
            let c = &palette[idx as usize * 3..][..3];
            canvas.put_pixel(x, y, Rgba([c[0], c[1], c[2], 255]));
        }
        out.push(canvas.clone());
        delays.push(f.delay);
        if f.dispose == gif::DisposalMethod::Background {
            for y in f.top as u32..f.top as u32 + f.height as u32 {
                for x in f.left as u32..f.left as u32 + f.width as u32 {
                    canvas.put_pixel(x, y, Rgba([0, 0, 0, 0]));
                }
            }
        }
    }
    let palette = palette
        .chunks_exact(3)
        .map(|c| [c[0], c[1], c[2]])
        .collect();
    (out, delays, palette)
}

fn gif_round_trip(alpha: bool) {
    let dir = out_dir(&format!("gif_{alpha}"));
    let (w, h, n) = (96, 64, 8);
    let f = frames(w, h, n, alpha);
    let path = dir.join("movie.gif");
    let mut o = opts(w, h, n);
    o.alpha = alpha;
    o.fps = 20.0;
    let written = write_all(&MovieFormat::Gif, &path, &o, &f);
    assert_eq!(written, vec![path.clone()]);
    assert_eq!(names(&dir), vec!["movie.gif"]);
    let (got, delays, palette) = read_gif(&path);
    assert_eq!(got.len(), n);
    assert!(delays.iter().all(|&d| d == 5), "{delays:?}");
    let (mut worst, mut sum, mut count) = (0, 0u64, 0u64);
    for (k, (g, want)) in got.iter().zip(&f).enumerate() {
        assert_eq!(g.dimensions(), (w, h));
        for (p, q) in g.pixels().zip(want.pixels()) {
            if alpha && q[3] < 128 {
                assert_eq!(p[3], 0, "frame {k}: transparent");
                continue;
            }
            assert_eq!(p[3], 255, "frame {k}: opaque");
            // Each colour is shown as its nearest palette entry.
            let (shown, q3) = ([p[0], p[1], p[2]], [q[0], q[1], q[2]]);
            let nearest = palette.iter().map(|c| distance(c, &q3)).min();
            assert_eq!(
                Some(distance(&shown, &q3)),
                nearest,
                "{q3:?} shown as {shown:?}"
            );
            let e = (0..3).map(|c| p[c].abs_diff(q[c])).max().unwrap_or(0);
            worst = worst.max(e);
            sum += e as u64;
            count += 1;
        }
    }
    let mean = sum as f64 / count as f64;
    println!("GIF palette error: mean {mean:.2}, at most {worst}");
    assert!(
        worst <= 24 && mean < 4.0,
        "palette error up to {worst}, mean {mean:.2}"
    );
    // No flicker: a colour in two frames is shown alike in both.
    let mut shown = std::collections::HashMap::new();
    for (g, want) in got.iter().zip(&f) {
        for (p, q) in g.pixels().zip(want.pixels()) {
            let was = *shown.entry(q.0).or_insert(p.0);
            assert_eq!(was, p.0, "{:?} shown as {:?} and {:?}", q.0, was, p.0);
        }
    }
}

#[test]
fn gif_frames_decode_back_without_flicker() {
    gif_round_trip(false);
}

#[test]
fn gif_keeps_a_transparent_background() {
    gif_round_trip(true);
}

#[test]
fn gif_palette_is_exact_for_few_colours_and_covers_many() {
    let few = vec![RgbaImage::from_fn(20, 20, |x, y| {
        Rgba([(x * 10) as u8, (y * 10) as u8, 7, 255])
    })];
    assert!(
        Palette::build(&few, false).len() <= 255,
        "at most 255 entries"
    );
    let few = vec![RgbaImage::from_fn(10, 20, |x, y| {
        Rgba([(x * 10) as u8, (y * 10) as u8, 7, 255])
    })];
    let mut p2 = Palette::build(&few, false);
    assert_eq!(p2.len(), 200);
    let mut idx = Vec::new();
    p2.map(&few[0], None, &mut idx);
    for (i, q) in idx.iter().zip(few[0].pixels()) {
        assert_eq!(p2.color(*i), [q[0], q[1], q[2]], "exact");
    }
    // Many colours: the first frames' colours are all near an entry.
    let many = frames(120, 80, PALETTE_FRAMES, false);
    let mut p = Palette::build(&many, false);
    assert!(p.len() <= 255);
    p.map(&many[0], None, &mut idx);
    for (i, q) in idx.iter().zip(many[0].pixels()) {
        let c = p.color(*i);
        let e = (0..3).map(|k| c[k].abs_diff(q[k])).max().unwrap_or(0);
        assert!(e <= 16, "{c:?} for {q:?}");
    }
}

/// An APNG read back: its frames composited (blend source, dispose none), delays and text.
type Apng = (Vec<RgbaImage>, Vec<(u16, u16)>, Vec<(String, String)>);

fn read_apng(path: &Path) -> Apng {
    let file = std::fs::File::open(path).expect("open apng");
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .expect("png header");
    let info = reader.info();
    let (w, h) = (info.width, info.height);
    let n = info.animation_control.expect("animated").num_frames as usize;
    let text = info
        .uncompressed_latin1_text
        .iter()
        .map(|t| (t.keyword.clone(), t.text.clone()))
        .collect();
    let mut canvas = RgbaImage::new(w, h);
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let (mut out, mut delays) = (Vec::new(), Vec::new());
    for _ in 0..n {
        let o = reader.next_frame(&mut buf).expect("apng frame");
        let fc = reader.info().frame_control.expect("fcTL");
        let bpp = o.color_type.samples();
        for y in 0..fc.height {
            for x in 0..fc.width {
                let p = &buf[y as usize * o.line_size + x as usize * bpp..][..bpp];
                let a = if bpp == 4 { p[3] } else { 255 };
                canvas.put_pixel(
                    fc.x_offset + x,
                    fc.y_offset + y,
                    Rgba([p[0], p[1], p[2], a]),
                );
            }
        }
        out.push(canvas.clone());
        delays.push((fc.delay_num, fc.delay_den));
    }
    (out, delays, text)
}

#[test]
fn apng_frames_decode_back_exactly() {
    for alpha in [false, true] {
        let dir = out_dir(&format!("apng_{alpha}"));
        let (w, h, n) = (97, 63, 6);
        let mut f = frames(w, h, n, alpha);
        // An unchanged frame is a frame too.
        f[3] = f[2].clone();
        let path = dir.join("movie.apng");
        let mut o = opts(w, h, n);
        o.alpha = alpha;
        write_all(&MovieFormat::Apng, &path, &o, &f);
        assert_eq!(names(&dir), vec!["movie.apng"]);
        let (got, delays, text) = read_apng(&path);
        assert_eq!(got.len(), n);
        assert!(delays.iter().all(|&d| d == (1, 10)), "{delays:?}");
        assert_eq!(text, o.metadata);
        for (k, (g, want)) in got.iter().zip(&f).enumerate() {
            match alpha {
                true => assert!(g == want, "frame {k} differs"),
                false => assert!(g
                    .pixels()
                    .zip(want.pixels())
                    .all(|(p, q)| p.0[..3] == q.0[..3])),
            }
        }
    }
}

#[test]
fn apng_refuses_another_frame_count() {
    let dir = out_dir("apng_count");
    let f = frames(20, 10, 2, false);
    let path = dir.join("a.png");
    let mut sink = open(&MovieFormat::Apng, &path, &opts(20, 10, 3)).expect("open");
    for frame in &f {
        sink.push(frame).expect("push");
    }
    let e = sink.finish().unwrap_err().to_string();
    assert!(e.contains("3 frames given 2"), "{e}");
    assert!(names(&dir).is_empty(), "{:?}", names(&dir));
}

#[test]
fn png_sequence_writes_every_frame() {
    let dir = out_dir("sequence");
    let (w, h, n) = (40, 30, 5);
    let f = frames(w, h, n, false);
    let pattern = format!("{}/f_%03d.png", dir.display());
    let format = format_of(Path::new(&pattern), n).unwrap().expect("a movie");
    let written = write_all(&format, Path::new(&pattern), &opts(w, h, n), &f);
    assert_eq!(
        names(&dir),
        [
            "f_000.png",
            "f_001.png",
            "f_002.png",
            "f_003.png",
            "f_004.png"
        ]
    );
    assert_eq!(written.len(), n);
    for (path, want) in written.iter().zip(&f) {
        let got = image::open(path).expect("png").to_rgba8();
        assert!(got == *want, "{}", path.display());
    }
}

#[test]
fn frames_of_another_size_are_refused() {
    let dir = out_dir("size");
    let mut sink = open(&MovieFormat::Gif, &dir.join("a.gif"), &opts(20, 10, 3)).unwrap();
    let e = sink.push(&RgbaImage::new(10, 10)).unwrap_err().to_string();
    assert!(e.contains("10x10 in a movie of 20x10"), "{e}");
}

#[test]
fn an_abandoned_movie_leaves_nothing() {
    let mut formats = vec![(MovieFormat::Gif, "a.gif"), (MovieFormat::Apng, "a.apng")];
    if tools_present() {
        let c = |container| MovieFormat::Ffmpeg { container };
        formats.push((c(Container::Mp4), "a.mp4"));
        formats.push((c(Container::Webm), "a.webm"));
    }
    let f = frames(64, 48, 6, false);
    for (format, name) in formats {
        let dir = out_dir(&format!("abandon_{name}"));
        let path = dir.join(name);
        let mut sink = open(&format, &path, &opts(64, 48, 6)).expect("open");
        for frame in &f[..5] {
            sink.push(frame).expect("push");
        }
        // The temporary is registered while the movie is written, so signals remove it.
        let live = crate::output::temp::registry().clone();
        assert!(
            live.iter().any(|p| p.starts_with(&dir)),
            "{name}: temporary not registered: {live:?}"
        );
        drop(sink);
        assert!(names(&dir).is_empty(), "{name}: {:?}", names(&dir));
        let live = crate::output::temp::registry().clone();
        assert!(
            !live.iter().any(|p| p.starts_with(&dir)),
            "{name}: {live:?}"
        );
    }
}

/// Whether ffmpeg and ffprobe can be run; without them, says so, or fails with
/// `SURFRENDER_REQUIRE_TOOLS=1` (CI installs them).
fn tools_present() -> bool {
    let runs = |p: &str| {
        Command::new(p)
            .arg("-version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if runs("ffmpeg") && runs("ffprobe") {
        return true;
    }
    if std::env::var_os("SURFRENDER_REQUIRE_TOOLS").is_some_and(|v| v == "1") {
        panic!("SURFRENDER_REQUIRE_TOOLS=1 but ffmpeg or ffprobe is missing");
    }
    println!("SKIPPED: ffmpeg not installed");
    false
}

/// `ffprobe`'s frame count, size and duration of a video's first stream.
fn probe_video(path: &Path) -> (usize, u32, u32, f64) {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0"])
        .args([
            "-show_entries",
            "stream=nb_read_frames,width,height:format=duration",
        ])
        .args(["-of", "default=noprint_wrappers=1"])
        .arg(path)
        .output()
        .expect("ffprobe");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let field = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .unwrap_or_else(|| panic!("no {k} in {text}"))
            .to_string()
    };
    (
        field("nb_read_frames").parse().expect("frames"),
        field("width").parse().expect("width"),
        field("height").parse().expect("height"),
        field("duration").parse().expect("duration"),
    )
}

#[test]
fn videos_hold_every_frame() {
    if !tools_present() {
        return;
    }
    // An odd size: padded to even by one pixel.
    let (w, h, n) = (65, 47, 12);
    let f = frames(w, h, n, false);
    for (container, name) in [(Container::Mp4, "a.mp4"), (Container::Webm, "a.webm")] {
        let dir = out_dir(&format!("video_{name}"));
        let path = dir.join(name);
        let mut o = opts(w, h, n);
        o.fps = 8.0;
        let format = MovieFormat::Ffmpeg { container };
        check(&format, &o).expect("ffmpeg usable");
        let written = write_all(&format, &path, &o, &f);
        assert_eq!(written, vec![path.clone()]);
        assert_eq!(names(&dir), vec![name]);
        let (frames, pw, ph, duration) = probe_video(&path);
        assert_eq!((frames, pw, ph), (n, 66, 48), "{name}");
        assert!((duration - 1.5).abs() < 0.13, "{name}: {duration} s");
        let tags = ffprobe_entries(&path, "format_tags:stream_tags").to_lowercase();
        assert!(tags.contains("software=surfrender test"), "{name}: {tags}");
    }
    // WebM keeps a transparent background.
    let dir = out_dir("video_alpha");
    let path = dir.join("a.webm");
    let mut o = opts(w, h, n);
    o.alpha = true;
    let webm = MovieFormat::Ffmpeg {
        container: Container::Webm,
    };
    write_all(&webm, &path, &o, &frames(w, h, n, true));
    let tags = ffprobe_entries(&path, "stream_tags");
    assert!(tags.contains("alpha_mode=1"), "{tags}");
}

/// What `ffprobe -show_entries ENTRIES` says of `path`.
fn ffprobe_entries(path: &Path, entries: &str) -> String {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            entries,
            "-of",
            "default=noprint_wrappers=1",
        ])
        .arg(path)
        .output()
        .expect("ffprobe");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_failing_ffmpeg_is_reported_and_leaves_nothing() {
    let dir = out_dir("ffmpeg_fails");
    let fake = dir.join("fake-ffmpeg");
    std::fs::write(
        &fake,
        "#!/bin/sh\nif [ \"$2\" = -encoders ]; then echo ' V..... libx264 fake'; exit 0; fi\n\
         echo 'first line' >&2; echo 'Unknown encoder: pretend' >&2; exit 1\n",
    )
    .expect("write fake");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let out = dir.join("out");
    std::fs::create_dir(&out).expect("mkdir");
    let mut o = opts(64, 48, 40);
    o.ffmpeg = Some(fake);
    let format = MovieFormat::Ffmpeg {
        container: Container::Mp4,
    };
    check(&format, &o).expect("the fake has libx264");
    let path = out.join("a.mp4");
    let f = frames(64, 48, 1, false);
    let mut sink = open(&format, &path, &o).expect("open");
    let mut result = Ok(());
    for _ in 0..40 {
        result = sink.push(&f[0]);
        if result.is_err() {
            break;
        }
    }
    let e = match result {
        Err(e) => e,
        Ok(()) => sink.finish().unwrap_err(),
    };
    let msg = e.to_string();
    assert!(
        msg.starts_with(&format!("cannot write {}: ffmpeg failed", path.display())),
        "{msg}"
    );
    assert!(
        msg.contains("first line / Unknown encoder: pretend"),
        "{msg}"
    );
    assert!(names(&out).is_empty(), "{:?}", names(&out));
}

/// Per-frame encoding time of 1200×450 frames, for the record (`cargo test --release --lib
/// movie::encode::tests::encode_times -- --ignored --nocapture`); with
/// `SURFRENDER_MOVIE_FRAMES=DIR`, of the PNG figures in DIR (rendered frames of a real
/// time series), else of synthetic ones.
#[test]
#[ignore]
fn encode_times() {
    let f: Vec<RgbaImage> = match std::env::var_os("SURFRENDER_MOVIE_FRAMES") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            names(&dir)
                .iter()
                .filter(|n| n.ends_with(".png"))
                .map(|n| image::open(dir.join(n)).expect("frame").to_rgba8())
                .collect()
        }
        None => frames(1200, 450, 40, false),
    };
    let (w, h, n) = (f[0].width(), f[0].height(), f.len());
    println!("{n} frames of {w}x{h}");
    let dir = out_dir("times");
    let mut cases = vec![
        (
            "png sequence",
            MovieFormat::PngSequence {
                pattern: format!("{}/f_%04d.png", dir.display()),
            },
            dir.join("unused"),
        ),
        ("gif", MovieFormat::Gif, dir.join("a.gif")),
        ("apng", MovieFormat::Apng, dir.join("a.apng")),
    ];
    if tools_present() {
        let mp4 = MovieFormat::Ffmpeg {
            container: Container::Mp4,
        };
        cases.push(("mp4", mp4, dir.join("a.mp4")));
    }
    let t = std::time::Instant::now();
    let mut palette = Palette::build(&f[..PALETTE_FRAMES.min(n)], false);
    let built = t.elapsed();
    let (mut worst, mut sum, mut idx) = (0, 0u64, Vec::new());
    let t = std::time::Instant::now();
    for frame in &f {
        palette.map(frame, None, &mut idx);
    }
    println!(
        "GIF mapping: {:.1} ms a frame",
        t.elapsed().as_secs_f64() * 1000.0 / n as f64
    );
    let t = std::time::Instant::now();
    for frame in &f {
        palette.map(frame, None, &mut idx);
    }
    println!(
        "GIF mapping again: {:.1} ms a frame",
        t.elapsed().as_secs_f64() * 1000.0 / n as f64
    );
    let t = std::time::Instant::now();
    for _ in &f {
        let mut fr = gif::Frame {
            width: w as u16,
            height: h as u16,
            buffer: idx.clone().into(),
            ..gif::Frame::default()
        };
        fr.make_lzw_pre_encoded();
    }
    println!(
        "GIF LZW: {:.1} ms a frame",
        t.elapsed().as_secs_f64() * 1000.0 / n as f64
    );
    for frame in &f {
        palette.map(frame, None, &mut idx);
        for (i, q) in idx.iter().zip(frame.pixels()) {
            let c = palette.color(*i);
            let e = (0..3).map(|k| c[k].abs_diff(q[k])).max().unwrap_or(0);
            worst = worst.max(e);
            sum += e as u64;
        }
    }
    let mean = sum as f64 / (n as u64 * w as u64 * h as u64) as f64;
    println!(
        "GIF palette: built in {built:?}; error over all frames: mean {mean:.2}, at most {worst}"
    );
    let png = std::time::Instant::now();
    for frame in &f {
        crate::output::encode_png(
            Path::new("x"),
            frame,
            false,
            &Metadata::new(),
            None,
            crate::spec::PngCompression::Fast,
        )
        .unwrap();
    }
    let each = png.elapsed().as_secs_f64() * 1000.0 / n as f64;
    println!("encode_png alone: {each:.1} ms a frame");
    for (what, format, path) in cases {
        let start = std::time::Instant::now();
        let mut sink = open(&format, &path, &opts(w, h, n)).unwrap();
        let mut pushing = std::time::Duration::ZERO;
        for frame in &f {
            let t = std::time::Instant::now();
            sink.push(frame).unwrap();
            pushing += t.elapsed();
        }
        sink.finish().unwrap();
        let total = start.elapsed().as_secs_f64() * 1000.0 / n as f64;
        let size: u64 = names(&dir)
            .iter()
            .map(|n| std::fs::metadata(dir.join(n)).map_or(0, |m| m.len()))
            .sum();
        println!(
            "{what}: {total:.1} ms a frame end to end, {:.1} ms a frame blocked in push, {} KiB",
            pushing.as_secs_f64() * 1000.0 / n as f64,
            size / 1024
        );
        for name in names(&dir) {
            let _ = std::fs::remove_file(dir.join(name));
        }
    }
}
