//! Issue 10, readers: a memory and time budget for every input, and gzip read correctly
//! for every format. The hostile inputs of the issue's fuzzing campaign are built here
//! (small files that claim or inflate to gigabytes, FIFOs, `/dev/zero`, a million gzip
//! members); each must be refused quickly, most of them from their header, and the binary's
//! peak memory is measured where the issue measured it. Valid files of every kind that
//! content sniffing accepts are read gzipped exactly as they are read plain.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use surfrender::io::{
    load, load_with, read_overlay_with, Limits, ReadOptions, Selection, MAX_GZIP_MEMBERS,
    MAX_LABEL_LINES,
};

use crate::util::{self, data_arg, gzip};

/// How a run of the binary ended.
struct Outcome {
    /// Exit code; `None` when it was killed at the deadline (or by a signal).
    code: Option<i32>,
    stderr: String,
    elapsed: Duration,
    /// Peak resident memory in kB, where the system reports it.
    peak_kb: Option<u64>,
}

/// Runs the binary with `args` in `dir`, killing it after `limit`: a reader that hangs
/// (a FIFO) or grows without end (`/dev/zero`) fails the test instead of hanging it.
///
/// Peak memory is measured by `/usr/bin/time` where there is one: the resource usage of a
/// child spawned from this (large, multi-threaded) test process would count this process's
/// memory up to the `exec`. The run is its own process group, so that the deadline kills
/// the binary and not only `time`.
fn run_bounded(dir: &Path, args: &[&str], limit: Duration) -> Outcome {
    use std::os::unix::process::CommandExt;
    let bin = env!("CARGO_BIN_EXE_surfrender");
    let time = Path::new("/usr/bin/time");
    let report = dir.join(format!("time-{}.txt", std::process::id()));
    let _ = std::fs::remove_file(&report);
    if !time.is_file() {
        // `.ci/run` installs it and makes its absence a failure.
        if std::env::var_os("SURFRENDER_REQUIRE_TOOLS").is_some_and(|v| v == "1") {
            panic!("SURFRENDER_REQUIRE_TOOLS=1 but /usr/bin/time is missing");
        }
        eprintln!("SKIPPED: no /usr/bin/time; peak memory of the run not measured");
    }
    let mut cmd = if time.is_file() {
        let mut c = Command::new(time);
        c.arg("-f").arg("%M").arg("-o").arg(&report).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    let mut child = cmd
        .current_dir(dir)
        .args(args)
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run surfrender");
    let mut pipe = child.stderr.take().expect("stderr piped");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut pipe, &mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for surfrender") {
            break status;
        }
        if start.elapsed() > limit {
            let group = format!("-{}", child.id());
            let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = start.elapsed();
    let peak_kb = std::fs::read_to_string(&report)
        .ok()
        .and_then(|t| t.lines().last()?.trim().parse().ok());
    let _ = std::fs::remove_file(&report);
    // `time` reports a command killed by a signal as exit 128 + signal.
    let code = status.code().filter(|&c| c < 128 || !time.is_file());
    Outcome {
        code,
        stderr: reader.join().unwrap_or_default(),
        elapsed,
        peak_kb,
    }
}

/// Asserts that a run was refused (exit 1) within `secs` and under `mb` MiB of memory,
/// with a one-line message naming `name` and containing one of `any`.
#[track_caller]
fn assert_refused(o: &Outcome, name: &str, any: &[&str], secs: u64, mb: u64) {
    let err = o.stderr.trim_end();
    // The goal is for the release build (the issue's campaign measures it); the tests run
    // the debug one, slower at inflating and maybe on a busy machine, where the limit only
    // tells a bounded run from one that goes on until the deadline.
    let secs = if cfg!(debug_assertions) { 45 } else { secs };
    assert!(
        o.elapsed < Duration::from_secs(secs),
        "{name}: took {:?} (limit {secs} s): {err}",
        o.elapsed
    );
    assert_eq!(o.code, Some(1), "{name}: {err}");
    assert!(err.contains(name), "{name} not named: {err}");
    assert!(any.iter().any(|a| err.contains(a)), "{any:?} not in: {err}");
    assert!(!err.contains('\n'), "not one line: {err}");
    if let Some(kb) = o.peak_kb {
        assert!(
            kb < mb << 10,
            "{name}: peak memory {kb} kB (limit {mb} MiB)"
        );
    }
}

/// A gzip file that inflates to `head` followed by `chunks` × 64 MiB of zeros: each chunk
/// a member of its own (legal gzip, `cat a.gz b.gz`), compressed once, so building a
/// 2 GiB bomb costs a fraction of a second and about 2 MB of disk.
fn bomb(path: &Path, head: &[u8], chunks: usize) {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(&vec![0u8; 64 << 20]).expect("compress");
    let zeros = enc.finish().expect("compress");
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create bomb"));
    f.write_all(&gzip(head)).expect("write bomb");
    for _ in 0..chunks {
        f.write_all(&zeros).expect("write bomb");
    }
    f.flush().expect("write bomb");
}

/// A file of `len` bytes that starts with `head` and is otherwise a hole (no disk used).
fn sparse(path: &Path, head: &[u8], len: u64) {
    let mut f = std::fs::File::create(path).expect("create sparse file");
    f.write_all(head).expect("write sparse file");
    f.set_len(len).expect("extend sparse file");
}

/// An MGH header (284 bytes) for `n` float32 values per vertex in one frame.
fn mgh_header(n: i32) -> Vec<u8> {
    let mut b = Vec::new();
    for v in [1i32, n, 1, 1, 1, 3, 0] {
        b.extend(v.to_be_bytes());
    }
    b.resize(284, 0);
    b
}

/// A NIfTI-2 header (540 bytes + extension flag) for `n` float32 values, intent none.
fn nifti2_header(n: i64) -> Vec<u8> {
    crate::nifti::nifti2(&[n, 1, 1], 16, 0, &[], &[])
}

/// A FreeSurfer new-format curv header for `n` values.
fn curv_header(n: i32) -> Vec<u8> {
    let mut b = vec![0xff, 0xff, 0xff];
    for v in [n, 0, 1] {
        b.extend(v.to_be_bytes());
    }
    b
}

/// The campaign's 536,870,000 float32 values: just under the 2 GiB inflation cap.
const CLAIMED: i32 = 536_870_000;

#[test]
fn issue10_small_gzip_files_claiming_gigabytes_are_refused_from_their_header() {
    let dir = util::out_dir("budget_bombs");
    let lh = data_arg("lh.inflated");
    let cases: [(&str, Vec<u8>); 3] = [
        ("lh.huge.mgz", mgh_header(CLAIMED)),
        ("lh.huge.nii.gz", nifti2_header(i64::from(CLAIMED))),
        ("lh.huge.curv.gz", curv_header(CLAIMED)),
    ];
    for (name, head) in &cases {
        // 2 GiB of zeros after the header, about 2 MB on disk.
        let path = dir.join(name);
        bomb(&path, head, 32);
        let file = path.to_str().expect("utf8");
        // inspect: refused from the header (the budget, or what the file can hold).
        let o = run_bounded(&dir, &["inspect", file], Duration::from_secs(60));
        assert_refused(&o, name, &["memory budget", "deflate compresses"], 5, 64);
        // A render: refused from the header for its vertex count.
        let out = dir.join("x.png").display().to_string();
        let args = [
            lh.as_str(),
            "--overlay",
            file,
            "--backend",
            "cpu",
            "-o",
            &out,
        ];
        let o = run_bounded(&dir, &args, Duration::from_secs(60));
        assert_refused(&o, name, &["536870000 values"], 5, 256);
        assert!(!dir.join("x.png").exists());
    }
}

#[test]
fn issue10_header_over_the_memory_budget_is_refused_before_reading() {
    let dir = util::out_dir("budget_plain");
    // A plain (sparse) file that really holds the 2 GiB its header announces.
    let path = dir.join("lh.huge.mgh");
    sparse(&path, &mgh_header(CLAIMED), 284 + 4 * CLAIMED as u64);
    let t = Instant::now();
    let err = load(&path, &Selection::default()).expect_err("over the budget");
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    util::mentions(
        &err.to_string(),
        &["lh.huge.mgh", "memory budget of 1.0 GiB"],
    );
    // The budget is the caller's to raise; a smaller one refuses smaller files.
    let small = util::write(&dir, "lh.small.mgh", &{
        let mut b = mgh_header(1 << 20);
        b.resize(284 + (4 << 20), 0);
        b
    });
    let limits = Limits {
        max_memory: 1 << 20,
    };
    let err = load_with(&small, &Selection::default(), &limits).expect_err("over 1 MiB");
    util::mentions(
        &err.to_string(),
        &["lh.small.mgh", "memory budget of 1.0 MiB"],
    );
    let limits = Limits {
        max_memory: 8 << 20,
    };
    assert!(load_with(&small, &Selection::default(), &limits).is_ok());
}

#[test]
fn issue10_vertex_count_is_checked_from_the_header() {
    let dir = util::out_dir("budget_vertices");
    // 10,000 values where the surface has 10242: refused before any value is read, so a
    // file cut short after its header gives the vertex count, not "truncated".
    let path = util::write(&dir, "lh.short.mgz", &gzip(&mgh_header(10_000)));
    let opts = ReadOptions {
        surface: Some(surfrender::io::SurfaceVertices {
            surface: PathBuf::from("lh.inflated"),
            n_vertices: 10242,
        }),
        limits: Limits::default(),
    };
    let err = read_overlay_with(&path, &Selection::default(), &opts).expect_err("mismatch");
    util::mentions(&err.to_string(), &["lh.inflated", "10242", "10000"]);
}

#[test]
fn issue10_a_surface_with_far_more_faces_than_vertices_is_refused() {
    let dir = util::out_dir("budget_faces");
    let mut head = vec![0xff, 0xff, 0xfe];
    head.extend(b"created by test\n\n");
    head.extend(3i32.to_be_bytes());
    head.extend(178_000_000i32.to_be_bytes());
    let path = dir.join("lh.faces");
    bomb(&path, &head, 32);
    let o = run_bounded(
        &dir,
        &["inspect", path.to_str().expect("utf8")],
        Duration::from_secs(60),
    );
    assert_refused(&o, "lh.faces", &["178000000 faces for 3 vertices"], 5, 64);
}

#[test]
fn issue10_padded_gifti_stops_at_its_budget() {
    let dir = util::out_dir("budget_gifti");
    // A valid GIfTI followed by ~1.9 GB of zeros (as the campaign padded one).
    let xml = crate::gifti_built::ascii_overlay(&[1.0, 2.0, 3.0]);
    let path = dir.join("lh.padded.func.gii.gz");
    bomb(&path, xml.as_bytes(), 29);
    let file = path.to_str().expect("utf8");
    let o = run_bounded(&dir, &["inspect", file], Duration::from_secs(60));
    assert_refused(&o, "lh.padded.func.gii.gz", &["memory budget"], 5, 1024);
    // With a smaller budget, refused after inflating no more than half of it.
    let limits = Limits {
        max_memory: 16 << 20,
    };
    let err = load_with(&path, &Selection::default(), &limits).expect_err("padded");
    util::mentions(
        &err.to_string(),
        &["lh.padded.func.gii.gz", "memory budget"],
    );
}

#[test]
fn issue10_fifos_and_devices_are_refused_without_reading() {
    let dir = util::out_dir("budget_fifo");
    let fifo = dir.join("lh.pipe.mgh");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("SKIPPED: mkfifo is not available");
        return;
    }
    let lh = data_arg("lh.inflated");
    let out = dir.join("x.png").display().to_string();
    let fifo_arg = fifo.display().to_string();
    for (overlay, name, what) in [
        (fifo_arg.as_str(), "lh.pipe.mgh", "named pipe"),
        ("/dev/zero", "/dev/zero", "character device"),
    ] {
        let args = [
            lh.as_str(),
            "--overlay",
            overlay,
            "--backend",
            "cpu",
            "-o",
            &out,
        ];
        let o = run_bounded(&dir, &args, Duration::from_secs(20));
        assert_refused(&o, name, &[what], 5, 256);
        let o = run_bounded(&dir, &["inspect", overlay], Duration::from_secs(20));
        assert_refused(&o, name, &[what], 5, 256);
    }
    // A GIfTI whose external data file is a FIFO.
    let xml = crate::gifti_built::external_overlay("data.pipe", 3);
    let gii = util::write(&dir, "lh.ext.func.gii", xml.as_bytes());
    Command::new("mkfifo")
        .arg(dir.join("data.pipe"))
        .status()
        .expect("mkfifo");
    let o = run_bounded(
        &dir,
        &["inspect", gii.to_str().expect("utf8")],
        Duration::from_secs(20),
    );
    assert_refused(&o, "data.pipe", &["named pipe"], 5, 256);
}

#[test]
fn issue10_a_million_empty_gzip_members_are_refused_at_the_member_limit() {
    let dir = util::out_dir("budget_members");
    let empty = gzip(b"");
    let path = dir.join("lh.members.mgz");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    for _ in 0..1_000_000 {
        f.write_all(&empty).expect("write");
    }
    f.write_all(&gzip(&mgh_header(1))).expect("write");
    f.flush().expect("write");
    drop(f);
    let o = run_bounded(
        &dir,
        &["inspect", path.to_str().expect("utf8")],
        Duration::from_secs(60),
    );
    let most = MAX_GZIP_MEMBERS.to_string();
    assert_refused(&o, "lh.members.mgz", &[most.as_str()], 5, 64);
}

#[test]
fn issue10_label_files_are_read_within_their_limits() {
    let dir = util::out_dir("budget_labels");
    // 900 MB (a hole on disk): refused from its size.
    let big = dir.join("lh.big.label");
    sparse(&big, b"#!ascii label\n1\n0 0 0 0 0\n", 900 << 20);
    let o = run_bounded(
        &dir,
        &["inspect", big.to_str().expect("utf8")],
        Duration::from_secs(60),
    );
    assert_refused(&o, "lh.big.label", &["128.0 MiB"], 5, 64);
    // More vertex lines than any surface has vertices: refused before they are parsed.
    let n = MAX_LABEL_LINES + 1;
    let mut text = format!("#!ascii label\n{n}\n").into_bytes();
    text.extend(b"0 0 0 0 0\n".repeat(n as usize));
    let many = util::write(&dir, "lh.many.label", &text);
    let o = run_bounded(
        &dir,
        &["inspect", many.to_str().expect("utf8")],
        Duration::from_secs(60),
    );
    assert_refused(
        &o,
        "lh.many.label",
        &[MAX_LABEL_LINES.to_string().as_str()],
        5,
        256,
    );
}

/// Memory of a large valid gzipped overlay, read in a child process (see
/// `util::assert_child_peak_below`): its values are streamed into the overlay, so the
/// peak is about their size, not two or three times it.
#[test]
fn issue10_gzipped_data_are_streamed_into_their_final_buffer() {
    let dir = util::out_dir("budget_stream");
    let path = dir.join("lh.big.mgz");
    // 16,777,216 values, 64 MiB as float32 (all zero), about 64 kB on disk.
    bomb(&path, &mgh_header(1 << 24), 1);
    let child = "budget::issue10_streamed_child";
    // The values' 64 MiB plus the test binary; a copy of the inflated data would add 64.
    util::assert_child_peak_below(child, STREAM_ENV, &path, 100 << 10);
}

const STREAM_ENV: &str = "SURFRENDER_TEST_STREAMED";

/// Run by the test above in a child process; does nothing on its own.
#[test]
#[ignore = "helper run in a child process by issue10_gzipped_data_are_streamed_into_their_final_buffer"]
fn issue10_streamed_child() {
    let Some(path) = std::env::var_os(STREAM_ENV) else {
        return;
    };
    let loaded = load(Path::new(&path), &Selection::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(util::overlay(loaded).values.len(), 1 << 24);
    util::report_peak_rss();
}

// ---------------------------------------------------------------------------------------
// Valid files, gzipped (the 64 KiB cut)

/// Reads `path` plain, then gzipped under its own name plus `.gz` and under its own name
/// (content is gunzipped whatever the name): the three reads must agree.
#[track_caller]
fn same_gzipped(dir: &Path, path: &Path, sel: &Selection) {
    let name = path.file_name().and_then(|n| n.to_str()).expect("name");
    let plain = load(path, sel).unwrap_or_else(|e| panic!("{e}"));
    let bytes = std::fs::read(path).expect("read corpus file");
    let packed = if bytes.starts_with(&[0x1f, 0x8b]) {
        bytes
    } else {
        gzip(&bytes)
    };
    for gz_name in [format!("{name}.gz"), name.to_string()] {
        let gz = util::write(dir, &gz_name, &packed);
        let read = load(&gz, sel).unwrap_or_else(|e| panic!("{gz_name}: {e}"));
        assert_eq!(
            format!("{:?}", read.content),
            format!("{:?}", plain.content),
            "{gz_name} read differently from {}",
            path.display()
        );
    }
}

#[test]
fn issue10_gzipped_valid_files_of_every_kind_read_whole() {
    let dir = util::out_dir("budget_gzip_valid");
    let repo = [
        "lh.inflated",
        "lh.curv",
        "lh.stat.mgh",
        "lh.synthkmeans.annot", // 81940 bytes: was cut at 65536
        "lh.synth05.label",
    ];
    for name in repo {
        same_gzipped(&dir, &util::data(name), &Selection::default());
    }
    // A label of every vertex, about 400 kB.
    let mesh = util::surface(load(&util::data("lh.inflated"), &Selection::default()).unwrap());
    let mut text = format!(
        "#!ascii label  , from subject test\n{}\n",
        mesh.vertices.len()
    );
    for (i, [x, y, z]) in mesh.vertices.iter().enumerate() {
        text.push_str(&format!("{i}  {x:.3}  {y:.3}  {z:.3} 0.0000000000\n"));
    }
    let all = util::write(&dir, "lh.all.label", text.as_bytes());
    assert!(text.len() > 64 << 10);
    same_gzipped(&dir, &all, &Selection::default());
    let lh = crate::nifti::sel(Some(surfrender::hemi::Hemi::Left), None);
    for name in [
        "lr.dscalar.nii",
        "lr.dlabel.nii",
        "lh.dtseries.nii",
        "ico7.nii.gz",
    ] {
        same_gzipped(&dir, &crate::nifti::cifti_data(name), &lh);
    }
}

#[test]
fn issue10_gzipped_corpus_files_read_whole() {
    let Some(shared) = util::shared_data() else {
        return;
    };
    let dir = util::out_dir("budget_gzip_corpus");
    let files = [
        "fsaverage5/gifti/lh.inflated.surf.gii", // ASCII
        "fsaverage5/gifti/lh.white.surf.gii",    // Base64Binary
        "fsaverage5/gifti/lh.pial.surf.gii",     // GZipBase64Binary
        "fsaverage5/gifti/lh.sulc.shape.gii",
        "fsaverage5/overlays/lh.stat.nii2.nii", // NIfTI-2
        "fsaverage5/overlays/lh.curv.nii",
        "fsaverage5/label/lh.synthkmeans.annot",
        "real/nibabel/label.gii",
        "real/nibabel/rh.aparc.annot.gii",
        "real/nibabel/task.func.gii",
    ];
    for f in files {
        same_gzipped(&dir, &shared.join(f), &Selection::default());
    }
}
