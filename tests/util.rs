//! Shared test helpers: paths to data, a fresh output folder per test, the built binary;
//! and, for the reader tests, the shared corpus's truth.json with the comparisons against
//! it, what a file was read as, assertions on error messages, and peak memory of a read.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};
use surfrender::annotation::{Annotation, Label};
use surfrender::io::{Content, Loaded};
use surfrender::{Mesh, Overlay};

/// Repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The small brain kept in the repository (`data/fsaverage5`).
pub fn data(name: &str) -> PathBuf {
    root().join("data").join("fsaverage5").join(name)
}

/// `../shared/data` when present. When absent the caller skips with a message, unless
/// `SURFRENDER_REQUIRE_SHARED=1` (set by `.ci/run`), which makes absence a failure.
pub fn shared_data() -> Option<PathBuf> {
    let p = root().join("..").join("shared").join("data");
    if p.join("truth.json").is_file() {
        return Some(p);
    }
    if std::env::var_os("SURFRENDER_REQUIRE_SHARED").is_some_and(|v| v == "1") {
        panic!("SURFRENDER_REQUIRE_SHARED=1 but {} is missing", p.display());
    }
    eprintln!("SKIPPED: ../shared/data not found; corpus tests not run");
    None
}

/// A fresh, empty folder under `tests/out/<name>` for one test's files.
pub fn out_dir(name: &str) -> PathBuf {
    let d = root().join("tests").join("out").join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create test output folder");
    d
}

/// The names in `dir`, sorted.
pub fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("list test folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// A command for the built `surfrender` binary.
pub fn surfrender() -> Command {
    Command::new(env!("CARGO_BIN_EXE_surfrender"))
}

/// Runs `cmd` and fails the test, showing its standard error, unless it succeeds.
pub fn succeeds(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().expect("run the command");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Writes bytes to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write test input");
    p
}

/// Gzip of `bytes` (one member, default compression).
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// `values` as little-endian float32 bytes.
pub fn le_f32(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|x| x.to_le_bytes()).collect()
}

// ---------------------------------------------------------------------------------------
// The shared corpus against truth.json (nibabel's numbers, ../shared/data/truth.json)

/// truth.json: an entry per corpus file, keyed by its path under `../shared/data`.
pub type Truth = serde_json::Map<String, Value>;

/// The shared corpus and its truth.json, or `None` (the caller skips) when absent.
pub fn corpus() -> Option<(PathBuf, Truth)> {
    let shared = shared_data()?;
    let text = std::fs::read_to_string(shared.join("truth.json")).expect("read truth.json");
    Some((
        shared,
        serde_json::from_str(&text).expect("parse truth.json"),
    ))
}

/// The truth entry of `key`; a file without one fails the test.
#[track_caller]
pub fn truth_entry<'t>(t: &'t Truth, key: &str) -> &'t Value {
    t.get(key)
        .unwrap_or_else(|| panic!("{key}: no truth entry"))
}

/// nibabel's values are float32 widened to float64, so they convert back exactly.
#[track_caller]
pub fn same_f32(got: f32, want: &Value, what: &str) {
    match want.as_f64() {
        Some(w) => assert_eq!(got, w as f32, "{what}: got {got}, want {w}"),
        None => assert!(got.is_nan(), "{what}: got {got}, want NaN"),
    }
}

/// Relative closeness, with `floor` keeping near-zero expectations from demanding the impossible.
#[track_caller]
pub fn close(got: f64, want: &Value, rel: f64, floor: f64, what: &str) {
    let want = want
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: not a number"));
    let tol = rel * want.abs().max(floor);
    assert!((got - want).abs() <= tol, "{what}: got {got}, want {want}");
}

/// What truth.json records of an array's finite values (the standard deviation is the
/// population's, numpy's default), and how many values are not finite.
pub struct Summary {
    pub n_nonfinite: usize,
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    pub std: f64,
}

impl Summary {
    pub fn of(values: impl IntoIterator<Item = f64>) -> Summary {
        let all: Vec<f64> = values.into_iter().collect();
        let finite: Vec<f64> = all.iter().copied().filter(|v| v.is_finite()).collect();
        let n = finite.len() as f64;
        let mean = finite.iter().sum::<f64>() / n;
        let var = finite.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        Summary {
            n_nonfinite: all.len() - finite.len(),
            min: finite.iter().copied().fold(f64::INFINITY, f64::min),
            max: finite.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            mean,
            std: var.sqrt(),
        }
    }
}

/// Per-vertex float32 data against a truth.json summary `s`: min and max exactly (as
/// float32), mean and std to 1e-5 relative, and the values of vertices 0, 1, 100 and
/// `n_vertices - 1` (of the first frame, where `values` holds several) exactly. Failures
/// are named `"{what} min"` and so on.
#[track_caller]
pub fn check_stats(values: &[f32], n_vertices: usize, s: &Value, what: &str) {
    let st = Summary::of(values.iter().map(|&v| f64::from(v)));
    same_f32(st.min as f32, &s["min"], &format!("{what} min"));
    same_f32(st.max as f32, &s["max"], &format!("{what} max"));
    close(st.mean, &s["mean"], 1e-5, 1e-6, &format!("{what} mean"));
    close(st.std, &s["std"], 1e-5, 1e-6, &format!("{what} std"));
    let last = n_vertices - 1;
    for (i, k) in [(0, "v0"), (1, "v1"), (100, "v100"), (last, "vlast")] {
        same_f32(values[i], &s[k], &format!("{what} {k}"));
    }
}

/// A surface against its truth entry: counts, first and last faces exactly, the bounding
/// box exactly (as float32), the mean of each coordinate to 1e-4 relative.
#[track_caller]
pub fn check_surface(key: &str, mesh: &Mesh, want: &Value) {
    let (first, last) = (mesh.faces.first(), mesh.faces.last());
    assert_eq!(
        json!([mesh.vertices.len(), mesh.faces.len(), first, last]),
        json!(["n_vertices", "n_faces", "face0", "face_last"].map(|k| &want[k])),
        "{key}: n_vertices, n_faces, face0, face_last"
    );
    let (lo, hi) = mesh.bounds();
    let n = mesh.vertices.len() as f64;
    for k in 0..3 {
        same_f32(lo[k], &want["bbox_min"][k], &format!("{key} bbox_min[{k}]"));
        same_f32(hi[k], &want["bbox_max"][k], &format!("{key} bbox_max[{k}]"));
        let mean = mesh.vertices.iter().map(|v| f64::from(v[k])).sum::<f64>() / n;
        let what = format!("{key} mean[{k}]");
        close(mean, &want["mean"][k], 1e-4, 1.0, &what);
    }
}

// ---------------------------------------------------------------------------------------
// What a file was read as

#[track_caller]
pub fn surface(loaded: Loaded) -> Mesh {
    match loaded.content {
        Content::Surface(m) => m,
        other => panic!("expected a surface, got {}", other.kind()),
    }
}

#[track_caller]
pub fn overlay(loaded: Loaded) -> Overlay {
    match loaded.content {
        Content::Overlay(o) => o,
        other => panic!("expected an overlay, got {}", other.kind()),
    }
}

#[track_caller]
pub fn annotation(loaded: Loaded) -> Annotation {
    match loaded.content {
        Content::Annotation(a) => a,
        other => panic!("expected an annotation, got {}", other.kind()),
    }
}

#[track_caller]
pub fn label(loaded: Loaded) -> Label {
    match loaded.content {
        Content::Label(l) => l,
        other => panic!("expected a label, got {}", other.kind()),
    }
}

// ---------------------------------------------------------------------------------------
// Broken files: every failure must name the file and the problem

/// Asserts that `msg` contains every one of `parts`.
#[track_caller]
pub fn mentions(msg: &str, parts: &[&str]) {
    for p in parts {
        assert!(msg.contains(p), "message lacks {p:?}: {msg}");
    }
}

/// Writes `bytes` as `dir/name`, reads the file with `read`, and asserts that the read
/// fails with a message naming the file and containing every one of `parts`; returns the
/// error.
#[track_caller]
pub fn refused<T>(
    dir: &Path,
    name: &str,
    bytes: &[u8],
    read: impl FnOnce(&Path) -> surfrender::Result<T>,
    parts: &[&str],
) -> surfrender::Error {
    let path = write(dir, name, bytes);
    let Err(err) = read(&path) else {
        panic!("{name}: read without error, expected a failure mentioning {parts:?}");
    };
    let msg = err.to_string();
    mentions(&msg, &[name]);
    mentions(&msg, parts);
    err
}

// ---------------------------------------------------------------------------------------
// Peak memory of a read

/// Peak resident memory of this process in kB (Linux), from /proc/self/status.
pub fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs the ignored test `test` (`module::name`) alone in a child process of this test
/// binary, with the variable `env` set to `path`, and asserts that the peak resident memory
/// the child reports (see [`report_peak_rss`]) is below `limit_kb`: measured in a process
/// of its own, as the other tests share this one. Skipped, with a SKIPPED line, where
/// /proc/self/status is missing.
#[track_caller]
pub fn assert_child_peak_below(test: &str, env: &str, path: &Path, limit_kb: u64) {
    if peak_rss_kb().is_none() {
        eprintln!("SKIPPED: no /proc/self/status; peak memory of the read not measured");
        return;
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--ignored"])
        .args(["--nocapture", "--test-threads=1"])
        .env(env, path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "child failed: {stdout}");
    let peak: u64 = stdout
        .lines()
        .find_map(|l| Some(l.split_once("peak_rss_kb=")?.1.trim()))
        .unwrap_or_else(|| panic!("no peak reported: {stdout}"))
        .parse()
        .unwrap();
    assert!(
        peak < limit_kb,
        "peak resident memory {peak} kB while reading {}",
        path.display()
    );
}

/// The child's side of [`assert_child_peak_below`]: prints this process's peak resident
/// memory for the parent to read.
pub fn report_peak_rss() {
    println!("peak_rss_kb={}", peak_rss_kb().unwrap());
}

/// A figure 500 pixels wide without colour bar, rendered by the binary from the
/// repository root with `args`, written as `dir/name` and read back.
pub fn render_small(dir: &Path, name: &str, args: &[&str]) -> image::RgbaImage {
    let out = dir.join(name);
    let o = surfrender()
        .current_dir(root())
        .args(args)
        .args(["--size", "500x", "--no-colorbar", "-o"])
        .arg(&out)
        .output()
        .expect("run surfrender");
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    image::open(&out).expect("read figure").to_rgba8()
}

/// A file of the repository's small brain as a command-line argument.
pub fn data_arg(name: &str) -> String {
    data(name).display().to_string()
}

/// A one-frame float MGH file of `values`.
pub fn write_mgh(dir: &Path, name: &str, values: &[f32]) -> PathBuf {
    let mut b = Vec::new();
    for v in [1i32, values.len() as i32, 1, 1, 1, 3, 0] {
        b.extend(v.to_be_bytes());
    }
    b.resize(284, 0);
    for v in values {
        b.extend(v.to_be_bytes());
    }
    write(dir, name, &b)
}

/// Runs surfrender in `dir`: exit code, standard output and standard error.
pub fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let o = surfrender()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run surfrender");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Saturation of a pixel: its largest channel minus its smallest (0 for greys).
pub fn chroma(p: &image::Rgba<u8>) -> i32 {
    p[0].max(p[1]).max(p[2]) as i32 - p[0].min(p[1]).min(p[2]) as i32
}

/// How many pixels of `img` satisfy `f`.
pub fn count(img: &image::RgbaImage, f: impl Fn(&image::Rgba<u8>) -> bool) -> usize {
    img.pixels().filter(|p| f(p)).count()
}

/// A FreeSurfer surface of 200 triangles in the plane x = 0 (10 x 10 mm): seen edge-on
/// from above (dorsal), it draws nothing, and it is large enough for that to be an error.
pub fn flat_grid_surface() -> Vec<u8> {
    let mut s = b"\xff\xff\xfecreated by test\n\n".to_vec();
    s.extend(121i32.to_be_bytes());
    s.extend(200i32.to_be_bytes());
    for i in 0..11 {
        for j in 0..11 {
            for c in [0.0f32, i as f32, j as f32] {
                s.extend(c.to_be_bytes());
            }
        }
    }
    for i in 0..10 {
        for j in 0..10 {
            let v: i32 = 11 * i + j;
            for k in [v, v + 1, v + 11, v + 1, v + 12, v + 11] {
                s.extend(k.to_be_bytes());
            }
        }
    }
    s
}
