//! Issue 12, item 6: a reader asked for some frames of an overlay (`Selection::frames`)
//! decodes and holds only those (`Overlay::kept`), in every format that has frames, and
//! gives the same values for them as a full read; memory stays bounded for a long series.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use surfrender::desc::values::FrameSel;
use surfrender::io::{load, Selection};
use surfrender::Overlay;

use crate::nifti::{cifti_data, N1};
use crate::util::{self, gzip, le_f32, overlay};

/// A selection of `frames` (as `--frames` reads them) for the cortex `hemi`.
fn frames(spec: &str) -> Selection {
    Selection {
        frames: Some(spec.parse::<FrameSel>().expect("frame selection")),
        ..Selection::default()
    }
}

/// Value of vertex `v` in frame `f` of the series built here.
fn value(v: usize, f: usize) -> f32 {
    (v % 997) as f32 * 0.5 + 1000.0 * f as f32
}

/// `n_frames` frames of `nv` values, frame after frame.
fn series(nv: usize, n_frames: usize) -> Vec<f32> {
    (0..n_frames)
        .flat_map(|f| (0..nv).map(move |v| value(v, f)))
        .collect()
}

/// An MGH file of `nv` float32 values in `n_frames` frames with TR 720 ms after the data.
fn mgh_bytes(nv: usize, n_frames: usize) -> Vec<u8> {
    let mut b = Vec::new();
    for v in [1i32, nv as i32, 1, 1, n_frames as i32, 3, 0] {
        b.extend(v.to_be_bytes());
    }
    b.resize(284, 0);
    for x in series(nv, n_frames) {
        b.extend(x.to_be_bytes());
    }
    for x in [720.0f32, 0.0, 0.0, 0.0, 256.0] {
        b.extend(x.to_be_bytes());
    }
    b
}

/// `path` read with `sel`, as an overlay.
#[track_caller]
fn read(path: &Path, sel: &Selection) -> Overlay {
    overlay(load(path, sel).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// A read of `path` with `sel` keeps exactly `kept` of the full read's frames, with the
/// same values, and says the file's frame count and time step as the full read does.
#[track_caller]
fn same_kept(path: &Path, sel: &Selection, kept: &[usize]) {
    let base = Selection {
        frames: None,
        ..sel.clone()
    };
    let full = read(path, &base);
    let part = read(path, sel);
    let what = path.display();
    assert_eq!(full.kept, None, "{what}");
    assert_eq!(part.kept.as_deref(), Some(kept), "{what}");
    assert_eq!(
        part.n_frames, full.n_frames,
        "{what}: the file's frame count"
    );
    assert_eq!(part.n_vertices, full.n_vertices, "{what}");
    assert_eq!(part.values.len(), kept.len() * full.n_vertices, "{what}");
    assert_eq!(part.time_step, full.time_step, "{what}");
    assert_eq!(part.frame_names, full.frame_names, "{what}");
    for f in 0..full.n_frames {
        match kept.contains(&f) {
            // Bit for bit (NaN where the full read has NaN).
            true => assert_eq!(
                part.frame(f)
                    .map(|v| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>()),
                full.frame(f)
                    .map(|v| v.iter().map(|x| x.to_bits()).collect()),
                "{what}: frame {f}"
            ),
            false => assert!(part.frame(f).is_none(), "{what}: frame {f} not kept"),
        }
    }
    assert!(part.frame(full.n_frames).is_none(), "{what}: past the end");
}

/// A selection that holds every frame, or that names a frame beyond the file, keeps all
/// (the caller reports the latter in its own words).
#[track_caller]
fn keeps_all(path: &Path, spec: &str) {
    let ov = read(path, &frames(spec));
    assert_eq!(ov.kept, None, "{} with {spec}", path.display());
    assert_eq!(ov.values.len(), ov.n_frames * ov.n_vertices);
}

#[test]
fn issue12_mgh_and_mgz_keep_the_frames_asked_for() {
    let dir = util::out_dir("frames_kept_mgh");
    // 20000 vertices: each frame (80 kB) is longer than the first bytes read, so frames
    // are skipped both in the head and past it.
    let bytes = mgh_bytes(20_000, 6);
    let plain = util::write(&dir, "lh.series.mgh", &bytes);
    let packed = util::write(&dir, "lh.series.mgz", &gzip(&bytes));
    for path in [&plain, &packed] {
        same_kept(path, &frames("1:4:2"), &[1, 3]);
        // Out of order and repeated: ascending, each once.
        same_kept(path, &frames("5,0,5,2"), &[0, 2, 5]);
        same_kept(path, &frames("5"), &[5]);
        for spec in ["all", "0:", "0:7", "6", "5,0:6"] {
            keeps_all(path, spec);
        }
        let ov = read(path, &frames("1:4:2"));
        assert_eq!(ov.frame(3).map(|v| v[5]), Some(value(5, 3)));
        assert_eq!(ov.time_step.map(|t| t.seconds), Some(0.72));
    }
    // A tiny file, read whole in the first bytes, and a one-frame file.
    let small = util::write(&dir, "small.mgh", &mgh_bytes(3, 4));
    same_kept(&small, &frames("1:4:2"), &[1, 3]);
    let one = util::write(&dir, "one.mgh", &mgh_bytes(3, 1));
    keeps_all(&one, "0");
    keeps_all(&one, "1:4:2");
}

/// A gzip stream cut short is refused whichever frames are asked for, as the file does
/// not hold what its header says; a plain file is checked against its size.
#[test]
fn issue12_truncated_series_refused_with_a_selection() {
    let dir = util::out_dir("frames_kept_truncated");
    let bytes = mgh_bytes(20_000, 6);
    // Frames 0 to 2 and part of frame 3.
    let cut = &bytes[..284 + 4 * 20_000 * 3 + 1000];
    let packed = util::write(&dir, "cut.mgz", &gzip(cut));
    let plain = util::write(&dir, "cut.mgh", cut);
    for path in [&packed, &plain] {
        for spec in ["0", "1:4:2", "5"] {
            let e = load(path, &frames(spec)).expect_err("a truncated series");
            util::mentions(&e.to_string(), &["MGH image data"]);
        }
    }
}

#[test]
fn issue12_nifti_4d_keeps_the_frames_asked_for() {
    let dir = util::out_dir("frames_kept_nifti");
    let nv = 20_000;
    let data = le_f32(&series(nv, 5));
    let bytes = N1::float32(&[nv as i16 / 2, 1, 1, 5]).bytes(&le_f32(&series(nv / 2, 5)));
    let small = util::write(&dir, "small.nii", &bytes);
    same_kept(&small, &frames("1:4:2"), &[1, 3]);
    // More vertices than int16 dims hold: FreeSurfer's -1 and glmin (see tests/nifti.rs).
    let mut n1 = N1::float32(&[-1, 1, 1, 5]);
    n1.glmin = nv as i32;
    let bytes = n1.bytes(&data);
    let plain = util::write(&dir, "lh.series.nii", &bytes);
    let packed = util::write(&dir, "lh.series.nii.gz", &gzip(&bytes));
    for path in [&plain, &packed] {
        same_kept(path, &frames("1:4:2"), &[1, 3]);
        same_kept(path, &frames("4,0"), &[0, 4]);
        keeps_all(path, "0:9");
        let ov = read(path, &frames("1:4:2"));
        assert_eq!(ov.frame(1).map(|v| v[nv - 1]), Some(value(nv - 1, 1)));
    }
    // FreeSurfer's ico7 shape, 27307x1x6 on disk, two frames.
    same_kept(&cifti_data("ico7.nii.gz"), &frames("1"), &[1]);
}

#[test]
fn issue12_gifti_decodes_only_the_arrays_asked_for() {
    let dir = util::out_dir("frames_kept_gifti");
    let nv = 50;
    let array = |f: usize, data: &str, n: usize| {
        format!(
            "<DataArray Intent=\"NIFTI_INTENT_TIME_SERIES\" DataType=\"NIFTI_TYPE_FLOAT32\" \
             ArrayIndexingOrder=\"RowMajorOrder\" Dimensionality=\"1\" Dim0=\"{n}\" \
             Encoding=\"GZipBase64Binary\" Endian=\"LittleEndian\">\n<MetaData><MD>\
             <Name>Name</Name><Value>t{f}</Value></MD><MD><Name>TimeStep</Name>\
             <Value>2.0</Value></MD></MetaData>\n<Data>{data}</Data>\n</DataArray>\n"
        )
    };
    let payload = |f: usize| {
        let values: Vec<f32> = (0..nv).map(|v| value(v, f)).collect();
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(&le_f32(&values)).expect("zlib");
        B64.encode(z.finish().expect("zlib"))
    };
    let doc = |arrays: Vec<String>| {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<GIFTI Version=\"1.0\">\n{}</GIFTI>\n",
            arrays.concat()
        )
    };
    let good = doc((0..5).map(|f| array(f, &payload(f), nv)).collect());
    let path = util::write(&dir, "lh.series.func.gii", good.as_bytes());
    same_kept(&path, &frames("1:4:2"), &[1, 3]);
    same_kept(&path, &frames("0,4"), &[0, 4]);
    keeps_all(&path, "2:6");
    let ov = read(&path, &frames("1:4:2"));
    assert_eq!(ov.frame_names, ["t0", "t1", "t2", "t3", "t4"]);
    assert_eq!(ov.time_step.map(|t| t.seconds), Some(2.0));

    // The payload of an array not asked for is not decoded: a corrupt one is only
    // reported when that array is read.
    let mut arrays: Vec<String> = (0..5).map(|f| array(f, &payload(f), nv)).collect();
    arrays[0] = array(0, "!!not base64!!", nv);
    let corrupt = util::write(&dir, "corrupt.func.gii", doc(arrays).as_bytes());
    assert!(load(&corrupt, &Selection::default()).is_err());
    let ov = read(&corrupt, &frames("1:4:2"));
    assert_eq!(ov.frame(3).map(|v| v[7]), Some(value(7, 3)));
    // The structure is still checked in full: an array of another length is refused
    // even when it is not asked for.
    let mut arrays: Vec<String> = (0..5).map(|f| array(f, &payload(f), nv)).collect();
    arrays[4] = array(4, &payload(4), nv + 1);
    let uneven = util::write(&dir, "uneven.func.gii", doc(arrays).as_bytes());
    let e = load(&uneven, &frames("1:4:2")).expect_err("arrays of different lengths");
    util::mentions(&e.to_string(), &["DataArray 4 has 51 values"]);
}

#[test]
fn issue12_cifti_keeps_the_frames_asked_for() {
    // 3 series points of the left cortex; two maps of either cortex.
    same_kept(&cifti_data("lh.dtseries.nii"), &frames("0,2"), &[0, 2]);
    same_kept(&cifti_data("lh.dtseries.nii"), &frames("1"), &[1]);
    keeps_all(&cifti_data("lh.dtseries.nii"), "1:4:2");
    let right = Selection {
        hemi: Some(surfrender::hemi::Hemi::Right),
        ..frames("1")
    };
    same_kept(&cifti_data("lr.dscalar.nii"), &right, &[1]);
    same_kept(&cifti_data("swapped.dscalar.nii"), &frames("0"), &[0]);
}

// ---------------------------------------------------------------------------------------
// Memory of a long series

/// Vertices of fsaverage (ico7) and frames of the long series: 131 MB as float32.
const BIG_VERTICES: usize = 163_842;
const BIG_FRAMES: usize = 200;
const BIG_ENV: &str = "SURFRENDER_TEST_FRAMES_KEPT";

/// An ico7-sized series of `BIG_FRAMES` frames as an MGZ, one gzip member per frame
/// (which the reader reads as one stream), so that building it costs about a second.
fn big_series(path: &Path) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create series"));
    let mut head = Vec::new();
    for v in [1i32, BIG_VERTICES as i32, 1, 1, BIG_FRAMES as i32, 3, 0] {
        head.extend(v.to_be_bytes());
    }
    head.resize(284, 0);
    f.write_all(&gzip(&head)).expect("write series");
    let base: Vec<u8> = (0..BIG_VERTICES)
        .flat_map(|v| value(v, 0).to_be_bytes())
        .collect();
    for frame in 0..BIG_FRAMES {
        // Frame k is frame 0 with its first value replaced by k, so frames differ.
        let mut bytes = base.clone();
        bytes[..4].copy_from_slice(&(frame as f32).to_be_bytes());
        let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(&bytes).expect("compress");
        f.write_all(&z.finish().expect("compress"))
            .expect("write series");
    }
    f.flush().expect("write series");
}

/// Reading 2 frames of a 163842-vertex x 200-frame series (131 MB as float32) holds
/// those 2 frames (1.3 MB): the peak of the read, in a process of its own, stays far
/// below what the whole series would take.
#[test]
fn issue12_a_few_frames_of_a_long_series_take_little_memory() {
    let dir = util::out_dir("frames_kept_memory");
    let path: PathBuf = dir.join("lh.long.mgz");
    big_series(&path);
    let raw_kb = (BIG_VERTICES * BIG_FRAMES * 4 / 1024) as u64;
    let child = "frames_kept::issue12_long_series_child";
    // 40% of the series: the test binary and 2 frames, not the 131 MB of a full read.
    util::assert_child_peak_below(child, BIG_ENV, &path, raw_kb * 2 / 5);
}

/// Run by the test above in a child process; does nothing on its own.
#[test]
#[ignore = "helper run in a child process by issue12_a_few_frames_of_a_long_series_take_little_memory"]
fn issue12_long_series_child() {
    let Some(path) = std::env::var_os(BIG_ENV) else {
        return;
    };
    let ov = read(Path::new(&path), &frames("0:2"));
    assert_eq!(ov.kept.as_deref(), Some(&[0, 1][..]));
    assert_eq!((ov.n_vertices, ov.n_frames), (BIG_VERTICES, BIG_FRAMES));
    assert_eq!(ov.frame(1).map(|v| (v[0], v[1])), Some((1.0, value(1, 0))));
    util::report_peak_rss();
}

/// Vertices of the repository's fsaverage5 hemisphere, and frames of a series of the
/// same 131 MB as [`BIG_FRAMES`] frames of ico7.
const FSA5_VERTICES: usize = 10_242;
const FSA5_FRAMES: usize = 3_200;

/// The command line reads only the frames a sequence shows: 2 frames of a 131 MB series
/// (`--frames 0:2`, and a turntable of one `--frame`) rendered on fsaverage5 peak far
/// below the series' size, measured by `/usr/bin/time` (skipped where it is missing).
#[test]
fn issue12_a_sequence_reads_only_the_frames_it_shows() {
    let time = Path::new("/usr/bin/time");
    if !time.is_file() {
        eprintln!("SKIPPED: no /usr/bin/time; peak memory of the sequence not measured");
        return;
    }
    let dir = util::out_dir("frames_kept_cli");
    let path = dir.join("lh.long.mgz");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("create series"));
    let mut head = Vec::new();
    for v in [1i32, FSA5_VERTICES as i32, 1, 1, FSA5_FRAMES as i32, 3, 0] {
        head.extend(v.to_be_bytes());
    }
    head.resize(284, 0);
    f.write_all(&gzip(&head)).expect("write series");
    let frame: Vec<u8> = (0..FSA5_VERTICES)
        .flat_map(|v| value(v, 0).to_be_bytes())
        .collect();
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    z.write_all(&frame).expect("compress");
    let member = z.finish().expect("compress");
    for _ in 0..FSA5_FRAMES {
        f.write_all(&member).expect("write series");
    }
    f.flush().expect("write series");
    drop(f);
    let raw_kb = (FSA5_VERTICES * FSA5_FRAMES * 4 / 1024) as u64;
    let series = path.display().to_string();
    let surface = util::data_arg("lh.inflated");
    for (name, args) in [
        ("frames", &["--frames", "0:2", "-o", "f_%d.png"][..]),
        (
            "turntable",
            &["--frame", "7", "--turntable", "2", "-o", "t_%d.png"][..],
        ),
    ] {
        let out = std::process::Command::new(time)
            .args(["-f", "peak_rss_kb=%M"])
            .arg(env!("CARGO_BIN_EXE_surfrender"))
            .args([&surface, "--overlay", &series, "--size", "300x"])
            .args(args)
            .current_dir(&dir)
            .output()
            .expect("run surfrender");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name}: {stderr}");
        let peak: u64 = stderr
            .lines()
            .find_map(|l| l.strip_prefix("peak_rss_kb="))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name}: no peak reported: {stderr}"));
        // 40% of the series: the program and 2 frames, not the 131 MB of every frame.
        assert!(
            peak < raw_kb * 2 / 5,
            "{name}: peak resident memory {peak} kB for a {raw_kb} kB series"
        );
    }
    assert!(dir.join("f_1.png").is_file() && dir.join("t_1.png").is_file());
}
