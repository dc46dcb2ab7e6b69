//! Frame sequences and movies (`--frames`, `--turntable`): frame selection, one colour
//! range for all frames, time steps, every output form decoded back, and the real
//! resting-state run of the corpus.

use std::path::{Path, PathBuf};

use image::RgbaImage;
use serde_json::Value;
use surfrender::desc::values::{FrameSel, TimeFormat};

use crate::util::*;

/// A float MGH file of `frames` (each one value per vertex), with TR `tr_ms` in its
/// footer when given.
fn write_series(dir: &Path, name: &str, frames: &[Vec<f32>], tr_ms: Option<f32>) -> PathBuf {
    let nv = frames[0].len();
    let mut b = Vec::new();
    for v in [1i32, nv as i32, 1, 1, frames.len() as i32, 3, 0] {
        b.extend(v.to_be_bytes());
    }
    b.resize(284, 0);
    for f in frames {
        for v in f {
            b.extend(v.to_be_bytes());
        }
    }
    if let Some(tr) = tr_ms {
        // TR, flip angle, TE, TI and FoV follow the data.
        for v in [tr, 0.0, 0.0, 0.0, 256.0] {
            b.extend(v.to_be_bytes());
        }
    }
    write(dir, name, &b)
}

/// A travelling wave over lh.inflated: frame `k` of `n` peaks further back.
fn wave(n: usize) -> Vec<Vec<f32>> {
    let mesh = surfrender::io::read_surface(&data("lh.inflated")).expect("lh.inflated");
    (0..n)
        .map(|k| {
            mesh.vertices
                .iter()
                .map(|p| 3.0 * ((p[1] + 10.0 * k as f32) / 25.0).sin() + 0.1 * k as f32)
                .collect()
        })
        .collect()
}

fn run_ok(dir: &Path, args: &[&str]) -> String {
    let (code, _, err) = run_in(dir, args);
    assert_eq!(code, 0, "{args:?}: {err}");
    err
}

fn refused_with(dir: &Path, args: &[&str], parts: &[&str]) {
    let (code, _, err) = run_in(dir, args);
    assert_eq!(code, 2, "{args:?} should be a usage error: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    mentions(&err, parts);
}

fn png(path: &Path) -> RgbaImage {
    image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgba8()
}

fn sidecar(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("sidecar JSON")
}

#[test]
fn frame_selections() {
    let f = |s: &str, n: usize| s.parse::<FrameSel>().and_then(|sel| sel.frames(n));
    assert_eq!(f("0:5", 652).unwrap(), vec![0, 1, 2, 3, 4]);
    assert_eq!(f("0:651:2", 652).unwrap().len(), 326);
    assert_eq!(f("all", 3).unwrap(), vec![0, 1, 2]);
    assert_eq!(f("0,10,20", 652).unwrap(), vec![0, 10, 20]);
    assert_eq!(f("649:", 652).unwrap(), vec![649, 650, 651]);
    assert_eq!(f(":2,7", 652).unwrap(), vec![0, 1, 7]);
    assert_eq!(f("0:652", 652).unwrap().len(), 652);
    let e = f("0:700", 652).unwrap_err();
    mentions(&e, &["652 frames", "excluded", "0:652"]);
    mentions(&f("652", 652).unwrap_err(), &["652 frames", "0 to 651"]);
    for bad in ["", "a:b", "5:5", "0:10:0", "1:2:3:4", "-1", "0.5"] {
        assert!(bad.parse::<FrameSel>().is_err(), "{bad:?} accepted");
    }
}

#[test]
fn time_label_formats() {
    let t: TimeFormat = "t = %.1f s".parse().unwrap();
    assert_eq!(t.label(12, Some(1.0)), "t = 12.0 s");
    assert_eq!(t.label(3, Some(0.72)), "t = 2.2 s");
    assert_eq!(t.label(3, None), "frame 3");
    let t: TimeFormat = "%d: %.2f s (100%%)".parse().unwrap();
    assert_eq!(t.label(4, Some(2.0)), "4: 8.00 s (100%)");
    for bad in ["%s", "%", "%.xf", "%5d"] {
        assert!(bad.parse::<TimeFormat>().is_err(), "{bad:?} accepted");
    }
}

/// Frame k of a sequence is the single figure of `--frame k` with the same fixed range,
/// pixel for pixel, on the CPU renderer and on EGL (whose renderer keeps the geometry
/// between frames); the sidecar's record lists the frames.
#[test]
fn sequence_frames_equal_single_figures() {
    for backend in ["cpu", "egl"] {
        let dir = out_dir(&format!("movie_single_{backend}"));
        match frames_equal_single_figures(&dir, backend) {
            Ok(()) => {}
            Err(e) if backend == "egl" && !crate::backends::required() => {
                eprintln!("SKIPPED: no EGL here ({e})");
            }
            Err(e) => panic!("{backend}: {e}"),
        }
    }
}

fn frames_equal_single_figures(dir: &Path, backend: &str) -> Result<(), String> {
    let series = write_series(dir, "lh.wave.mgh", &wave(6), Some(2000.0));
    let common = [
        data_arg("lh.inflated"),
        "--overlay".into(),
        series.display().to_string(),
        "--range".into(),
        "0.5".into(),
        "3".into(),
        "--threshold".into(),
        "0.3".into(),
        "--size".into(),
        "400x".into(),
        "--backend".into(),
        backend.into(),
    ];
    let run = |extra: &[&str]| -> Result<(), String> {
        let mut a: Vec<String> = common.to_vec();
        a.extend(extra.iter().map(|s| s.to_string()));
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let (code, _, err) = run_in(dir, &a);
        if code == 0 {
            Ok(())
        } else {
            Err(err)
        }
    };
    run(&["--frames", "1:6:2", "-o", "f_%02d.png"])?;
    for (i, k) in [1, 3, 5].iter().enumerate() {
        run(&["--frame", &k.to_string(), "-o", &format!("single{k}.png")])?;
        let a = png(&dir.join(format!("f_{i:02}.png")));
        let b = png(&dir.join(format!("single{k}.png")));
        assert_eq!(a.dimensions(), b.dimensions());
        assert!(
            a == b,
            "{backend}: frame {i} (overlay frame {k}) differs from --frame {k}"
        );
    }
    assert!(!dir.join("f_03.png").exists(), "three frames only");
    let side = sidecar(&dir.join("f_.png.json"));
    assert_eq!(side["sequence"]["frames"], serde_json::json!([1, 3, 5]));
    assert_eq!(side["sequence"]["time_step_s"].as_f64(), Some(2.0));
    assert_eq!(side["sequence"]["fps"].as_f64(), Some(10.0));
    Ok(())
}

/// numpy's linear percentile of sorted values.
fn percentile(sorted: &[f32], p: f64) -> f64 {
    let pos = p / 100.0 * (sorted.len() - 1) as f64;
    let (i, f) = (pos.floor() as usize, pos - pos.floor());
    let j = (i + 1).min(sorted.len() - 1);
    sorted[i] as f64 * (1.0 - f) + sorted[j] as f64 * f
}

/// The default range (2nd to 98th percentile of |value|) covers every frame shown, and
/// equals the percentiles computed here over those frames.
#[test]
fn one_range_over_the_frames_shown() {
    let dir = out_dir("movie_range");
    let frames = wave(8);
    let series = write_series(&dir, "lh.wave.mgh", &frames, None);
    let s = series.display().to_string();
    let lh = data_arg("lh.inflated");
    let base = [
        lh.as_str(),
        "--overlay",
        &s,
        "--cmap",
        "viridis",
        "--size",
        "300x",
    ];
    let mut a = base.to_vec();
    a.extend(["--frames", "2:8:3", "-o", "seq_%d.png"]);
    run_ok(&dir, &a);
    let mut abs: Vec<f32> = [2usize, 5]
        .iter()
        .flat_map(|&k| frames[k].iter().map(|v| v.abs()))
        .collect();
    abs.sort_by(f32::total_cmp);
    let side = sidecar(&dir.join("seq_.png.json"));
    let range = &side["sequence"]["ranges"][0]["range"];
    for (got, p) in [(&range[0], 2.0), (&range[1], 98.0)] {
        let want = percentile(&abs, p);
        let got = got.as_f64().expect("a number");
        assert!(
            (got - want).abs() <= 1e-5 * want.abs().max(1.0),
            "{p}th: {got} vs {want}"
        );
    }
    // Without a sequence, the range is that frame's own: different.
    let mut one = base.to_vec();
    one.extend(["--frame", "2", "-o", "one.png"]);
    run_ok(&dir, &one);
    let own = sidecar(&dir.join("one.png.json"));
    assert!(own.get("sequence").is_none());
}

/// Usage errors come before any rendering, in one line, with exit 2.
#[test]
fn sequence_usage_errors() {
    let dir = out_dir("movie_errors");
    let series = write_series(&dir, "lh.wave.mgh", &wave(12), None);
    let s = series.display().to_string();
    let lh = data_arg("lh.inflated");
    let base = [lh.as_str(), "--overlay", s.as_str()];
    let with = |extra: &[&'static str]| -> Vec<String> {
        base.iter().chain(extra).map(|s| s.to_string()).collect()
    };
    let check = |extra: &[&'static str], parts: &[&str]| {
        let a = with(extra);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        refused_with(&dir, &a, parts);
    };
    check(
        &["--frames", "0:20", "-o", "m.gif"],
        &["12 frames", "0 to 11", "excluded"],
    );
    check(
        &["--frames", "15", "-o", "m.gif"],
        &["frame 15", "12 frames"],
    );
    check(
        &["--frames", "0:5", "-o", "m.jpg"],
        &[".jpg", ".gif", ".mp4"],
    );
    check(
        &["--turntable", "0", "-o", "t.gif"],
        &["--turntable", "0", "1"],
    );
    check(&["--frames", "1:x", "-o", "m.gif"], &["--frames", "1:x"]);
    check(
        &["--frames", "0:4", "--turntable", "8", "-o", "m.gif"],
        &["--turntable", "one"],
    );
    check(
        &[
            "--frames",
            "all",
            "--ffmpeg",
            "/nonexistent/ffmpeg",
            "-o",
            "m.mp4",
        ],
        &["ffmpeg", "apt-get install ffmpeg", ".gif"],
    );
    // Nothing was written.
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "lh.wave.mgh")
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// GIF and APNG decode back to the frames of the PNG sequence: the APNG exactly, the
/// GIF within its palette's error and without flicker.
#[test]
fn gif_and_apng_decode_to_the_frames() {
    let dir = out_dir("movie_anim");
    let series = write_series(&dir, "lh.wave.mgh", &wave(5), Some(1000.0));
    let s = series.display().to_string();
    let lh = data_arg("lh.inflated");
    let base = [
        lh.as_str(),
        "--overlay",
        s.as_str(),
        "--frames",
        "all",
        "--size",
        "320x",
        "--time-label",
    ];
    for out in ["p_%d.png", "m.gif", "m.apng"] {
        let mut a = base.to_vec();
        a.extend(["-o", out]);
        run_ok(&dir, &a);
    }
    let frames: Vec<RgbaImage> = (0..5)
        .map(|i| png(&dir.join(format!("p_{i}.png"))))
        .collect();
    // APNG: the png crate reads every frame.
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(dir.join("m.apng")).unwrap(),
    ));
    let mut reader = decoder.read_info().expect("APNG header");
    let info = reader.info().clone();
    assert_eq!(info.animation_control.map(|a| a.num_frames), Some(5));
    assert_eq!((info.width, info.height), frames[0].dimensions());
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    // Frames after the first may cover only the rectangle that changed: paint each over
    // the canvas at its offset (the encoder replaces, never blends).
    let mut canvas = RgbaImage::new(info.width, info.height);
    for (i, want) in frames.iter().enumerate() {
        let out = reader.next_frame(&mut buf).expect("APNG frame");
        let fc = reader.info().frame_control.expect("fcTL");
        let bytes = &buf[..out.buffer_size()];
        let rgba: Vec<u8> = match out.color_type {
            png::ColorType::Rgb => bytes
                .chunks(3)
                .flat_map(|p| [p[0], p[1], p[2], 255])
                .collect(),
            png::ColorType::Rgba => bytes.to_vec(),
            other => panic!("APNG colour type {other:?}"),
        };
        for y in 0..fc.height {
            for x in 0..fc.width {
                let s = ((y * fc.width + x) * 4) as usize;
                let p = image::Rgba([rgba[s], rgba[s + 1], rgba[s + 2], rgba[s + 3]]);
                canvas.put_pixel(x + fc.x_offset, y + fc.y_offset, p);
            }
        }
        assert!(canvas == *want, "APNG frame {i} differs");
    }
    // GIF: decoded frames within the palette's error of the PNG frames; a pixel alike in
    // two PNG frames is alike in the GIF's.
    let mut opts = gif::DecodeOptions::new();
    opts.set_color_output(gif::ColorOutput::RGBA);
    let mut d = opts
        .read_info(std::fs::File::open(dir.join("m.gif")).unwrap())
        .expect("GIF header");
    let (w, h) = frames[0].dimensions();
    assert_eq!((d.width() as u32, d.height() as u32), (w, h));
    let mut decoded: Vec<Vec<u8>> = Vec::new();
    let mut canvas = vec![0u8; (w * h * 4) as usize];
    while let Some(f) = d.read_next_frame().expect("GIF frame") {
        // Frames may cover part of the canvas; paint them over the previous one.
        for y in 0..f.height as usize {
            for x in 0..f.width as usize {
                let s = (y * f.width as usize + x) * 4;
                if f.buffer[s + 3] == 0 {
                    continue;
                }
                let t = ((y + f.top as usize) * w as usize + x + f.left as usize) * 4;
                canvas[t..t + 4].copy_from_slice(&f.buffer[s..s + 4]);
            }
        }
        decoded.push(canvas.clone());
    }
    assert_eq!(decoded.len(), 5, "GIF frame count");
    for (i, (g, want)) in decoded.iter().zip(&frames).enumerate() {
        let err: u64 = g
            .chunks(4)
            .zip(want.as_raw().chunks(4))
            .map(|(a, b)| {
                (0..3)
                    .map(|c| (a[c] as i32 - b[c] as i32).unsigned_abs() as u64)
                    .max()
                    .unwrap()
            })
            .sum();
        let mean = err as f64 / (w * h) as f64;
        assert!(mean < 6.0, "GIF frame {i}: mean error {mean}");
    }
    let (a, b) = (frames[0].as_raw(), frames[4].as_raw());
    for p in (0..a.len()).step_by(4) {
        if a[p..p + 4] == b[p..p + 4] {
            assert_eq!(
                decoded[0][p..p + 4],
                decoded[4][p..p + 4],
                "flicker at byte {p}"
            );
        }
    }
}

fn ffmpeg_tools() -> bool {
    let found = ["ffmpeg", "ffprobe"].iter().all(|t| {
        std::process::Command::new(t)
            .arg("-version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if !found {
        if std::env::var_os("SURFRENDER_REQUIRE_TOOLS").is_some_and(|v| v == "1") {
            panic!("SURFRENDER_REQUIRE_TOOLS=1 but ffmpeg/ffprobe are missing");
        }
        eprintln!("SKIPPED: ffmpeg not installed; MP4 test not run");
    }
    found
}

/// An MP4 through ffmpeg has the frames and the duration asked for (ffprobe).
#[test]
fn mp4_has_the_frames_and_duration() {
    if !ffmpeg_tools() {
        return;
    }
    let dir = out_dir("movie_mp4");
    let series = write_series(&dir, "lh.wave.mgh", &wave(10), Some(1000.0));
    let s = series.display().to_string();
    let lh = data_arg("lh.inflated");
    run_ok(
        &dir,
        &[
            &lh,
            "--overlay",
            &s,
            "--frames",
            "all",
            "--fps",
            "5",
            "--time-label",
            "--size",
            "301x",
            "-o",
            "m.mp4",
        ],
    );
    let o = std::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-count_frames",
            "-select_streams",
            "v:0",
            "-show_entries",
        ])
        .args([
            "stream=nb_read_frames,width,height:format=duration",
            "-of",
            "json",
        ])
        .arg(dir.join("m.mp4"))
        .output()
        .expect("ffprobe");
    let v: Value = serde_json::from_slice(&o.stdout).expect("ffprobe JSON");
    let stream = &v["streams"][0];
    assert_eq!(stream["nb_read_frames"].as_str(), Some("10"), "{v}");
    assert_eq!(
        stream["width"].as_u64().map(|w| w % 2),
        Some(0),
        "even width"
    );
    let duration: f64 = v["format"]["duration"].as_str().unwrap().parse().unwrap();
    assert!((duration - 2.0).abs() < 0.05, "duration {duration}");
    assert!(dir.join("m.mp4.json").is_file(), "one sidecar");
}

/// Share of pixels where two same-sized images differ by more than `tol` in a channel.
fn differing(a: &RgbaImage, b: &RgbaImage, tol: u8) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let n = a
        .pixels()
        .zip(b.pixels())
        .filter(|(p, q)| (0..4).any(|c| p[c].abs_diff(q[c]) > tol))
        .count();
    n as f64 / (a.width() * a.height()) as f64
}

/// A turntable's frame 0 is the lateral view and frame N/2 the medial view (the
/// hemisphere seen from the other side), drawn in the same window.
#[test]
fn turntable_turns_lateral_to_medial() {
    let dir = out_dir("movie_turn");
    let lh = data_arg("lh.inflated");
    let base = [
        lh.as_str(),
        "--overlay",
        "data/fsaverage5/lh.thickness",
        "--size",
        "300x",
        "--backend",
        "cpu",
    ];
    let root = root();
    let root_arg = |a: &str| -> String {
        if a.starts_with("data/") {
            root.join(a).display().to_string()
        } else {
            a.to_string()
        }
    };
    let go = |extra: &[&str]| {
        let a: Vec<String> = base.iter().chain(extra).map(|s| root_arg(s)).collect();
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        run_ok(&dir, &a);
    };
    go(&["--views", "lateral", "--turntable", "8", "-o", "lat_%d.png"]);
    go(&["--views", "medial", "--turntable", "8", "-o", "med_%d.png"]);
    go(&["--views", "lateral", "-o", "still.png"]);
    for k in 0..8 {
        assert!(dir.join(format!("lat_{k}.png")).is_file());
    }
    let (half, med0) = (png(&dir.join("lat_4.png")), png(&dir.join("med_0.png")));
    let d = differing(&half, &med0, 8);
    assert!(
        d < 0.01,
        "frame 4 of 8 vs the medial view: {:.2}% of pixels differ",
        d * 100.0
    );
    // Frame 0 shows the still figure's view, in the turn's window: their surfaces'
    // silhouettes, scaled to one size, match (a mirrored or turned view would not).
    let (f0, still) = (png(&dir.join("lat_0.png")), png(&dir.join("still.png")));
    let (a, b) = (silhouette(&f0), silhouette(&still));
    let same = a.iter().zip(&b).filter(|(x, y)| x == y).count();
    assert!(
        same as f64 / a.len() as f64 > 0.97,
        "silhouettes differ: {same}/{}",
        a.len()
    );
    let mut mirrored = b.clone();
    for row in mirrored.chunks_mut(64) {
        row.reverse();
    }
    let same_m = a.iter().zip(&mirrored).filter(|(x, y)| x == y).count();
    assert!(same_m < same, "the silhouette test cannot tell a mirror");
}

/// The surface's pixels (not the background, above the colour bar) in their bounding
/// box, sampled on a 64x32 grid.
fn silhouette(img: &RgbaImage) -> Vec<bool> {
    let bar_top = img.height() * 7 / 10;
    let is_surface = |x: u32, y: u32| {
        let p = img.get_pixel(x, y);
        y < bar_top && p[3] > 0 && !(p[0] > 250 && p[1] > 250 && p[2] > 250)
    };
    let (mut x0, mut x1, mut y0, mut y1) = (u32::MAX, 0, u32::MAX, 0);
    for y in 0..bar_top {
        for x in 0..img.width() {
            if is_surface(x, y) {
                (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
            }
        }
    }
    let mut out = Vec::new();
    for j in 0..32 {
        for i in 0..64 {
            let x = x0 + (x1 - x0) * (2 * i + 1) / 128;
            let y = y0 + (y1 - y0) * (2 * j + 1) / 64;
            out.push(is_surface(x, y));
        }
    }
    out
}

/// The real run: 652 frames with TR 1000 ms. `inspect --json` gives nibabel's numbers for
/// frames 0 and 651 (../shared/data/timeseries/README.md), and a few frames render with
/// the time step read from the header.
#[test]
fn real_resting_state_run() {
    let Some(shared) = shared_data() else { return };
    let run = shared.join("timeseries/sub-010188_ses-02_task-rest_acq-AP_run-01.fsa5.rh.mgz");
    let o = surfrender()
        .arg("inspect")
        .arg("--json")
        .arg(&run)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).expect("inspect JSON");
    // One entry per file, keyed by its path.
    let v = v
        .as_object()
        .and_then(|m| m.values().next().cloned())
        .expect("one file");
    assert_eq!(v["n_frames"].as_u64(), Some(652), "{v:#}");
    let truth = [
        (
            0,
            [
                -1.3157703876495361,
                2.3922812938690186,
                0.2976042044789417,
                0.48591448702245904,
            ],
        ),
        (
            651,
            [
                -2.0412373542785645,
                2.2388741970062256,
                -0.01617168907044655,
                0.6438351983420603,
            ],
        ),
    ];
    for (f, [min, max, mean, std]) in truth {
        let s = &v["frames"][f];
        for (key, want) in [("min", min), ("max", max), ("mean", mean), ("std", std)] {
            let got = s[key]
                .as_f64()
                .unwrap_or_else(|| panic!("frame {f} {key}: {s}"));
            assert!(
                (got - want).abs() <= 1e-5 * want.abs().max(1e-3),
                "frame {f} {key}: {got} vs {want}"
            );
        }
    }
    assert_eq!(v["time_step_s"].as_f64(), Some(1.0), "TR 1000 ms");
    let dir = out_dir("movie_real");
    let rh = shared.join("fsaverage5/surf/rh.inflated");
    run_ok(
        &dir,
        &[
            rh.to_str().unwrap(),
            "--overlay",
            run.to_str().unwrap(),
            "--frames",
            "0:651:325",
            "--time-label",
            "--layout",
            "row",
            "--size",
            "600x",
            "-o",
            "r_%d.png",
        ],
    );
    let side = sidecar(&dir.join("r_.png.json"));
    assert_eq!(side["sequence"]["frames"], serde_json::json!([0, 325, 650]));
    assert_eq!(side["sequence"]["time_step_s"].as_f64(), Some(1.0));
}

/// SIGTERM during a GIF or an MP4 leaves nothing at the output path and no temporary:
/// the movie is written to a temporary renamed after its last frame.
#[test]
fn a_killed_movie_leaves_nothing() {
    let mut outs = vec!["m.gif", "m.apng"];
    if ffmpeg_tools() {
        outs.push("m.mp4");
    }
    for out in outs {
        let dir = out_dir(&format!("movie_killed_{}", out.replace('.', "_")));
        let series = write_series(&dir, "lh.wave.mgh", &wave(400), Some(1000.0));
        let mut child = surfrender()
            .current_dir(&dir)
            .args([&data_arg("lh.inflated"), "--overlay"])
            .arg(&series)
            .args(["--frames", "all", "--size", "200x", "-o", out])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !names(&dir).iter().any(|n| n.ends_with(".surfrender-tmp")) {
            assert!(
                std::time::Instant::now() < deadline,
                "{out}: no temporary: {:?}",
                names(&dir)
            );
            if let Ok(Some(s)) = child.try_wait() {
                panic!("{out}: finished ({s}) before it could be interrupted");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(killed.success());
        let o = child.wait_with_output().expect("wait");
        assert_eq!(
            o.status.code(),
            Some(128 + 15),
            "{out}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        // ffmpeg, a process of its own, may take a moment to see its input close and end.
        let only_input = vec!["lh.wave.mgh".to_string()];
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while names(&dir) != only_input && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert_eq!(
            names(&dir),
            only_input,
            "{out}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

/// A spec file carries the sequence's fields, and `--print-spec` writes them back.
#[test]
fn spec_files_carry_the_sequence() {
    let dir = out_dir("movie_spec");
    let series = write_series(&dir, "lh.wave.mgh", &wave(4), None);
    let spec = format!(
        "surfaces = [\"{}\"]\noverlay = [\"{}\"]\nframes = \"1:4\"\nfps = 4\ntr = 0.5\ntime_label = \"%d at %.2f s\"\noutput = \"s_%d.png\"\ncolorbar_file = \"bar.svg\"\n",
        data_arg("lh.inflated"),
        series.display()
    );
    write(&dir, "movie.toml", spec.as_bytes());
    let (code, printed, err) = run_in(&dir, &["--spec", "movie.toml", "--print-spec"]);
    assert_eq!(code, 0, "{err}");
    for want in [
        "frames = \"1:4\"",
        "fps = 4",
        "tr = 0.5",
        "time_label = \"%d at %.2f s\"",
    ] {
        assert!(printed.contains(want), "{want} not in\n{printed}");
    }
    run_ok(&dir, &["--spec", "movie.toml"]);
    let side = sidecar(&dir.join("s_.png.json"));
    assert_eq!(side["sequence"]["frames"], serde_json::json!([1, 2, 3]));
    assert_eq!(side["sequence"]["fps"].as_f64(), Some(4.0));
    assert_eq!(
        side["sequence"]["time_step_s"].as_f64(),
        Some(0.5),
        "--tr over the file"
    );
    assert!(dir.join("s_2.png").is_file() && !dir.join("s_3.png").exists());
    // One colour bar file for the sequence; each frame records the command that made it.
    assert!(dir.join("bar.svg").is_file(), "{:?}", names(&dir));
    let frame = std::fs::read(dir.join("s_1.png")).unwrap();
    let text = String::from_utf8_lossy(&frame);
    assert!(
        text.contains("surfrender:command") && text.contains("--frames=1:4"),
        "no command chunk"
    );
}
