//! Readers against nibabel's numbers (shared corpus) and against broken files built from
//! real ones: every failure must name the file and the sizes involved.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use surfrender::io::{read_surface, sniff, Format, Selection, MAX_DECOMPRESSED};
use surfrender::Overlay;

/// Per-vertex data of any non-CIFTI file (no hemisphere or map to choose).
fn read_overlay(path: &Path) -> surfrender::Result<Overlay> {
    surfrender::io::read_overlay(path, &Selection::default())
}

use crate::util::{self, corpus, gzip, mentions, refused, Truth};

/// Corpus files of the formats these readers handle, by truth.json's own labels.
fn corpus_keys(t: &Truth, formats: &[&str]) -> Vec<String> {
    let ours = |v: &Value| formats.contains(&v["format"].as_str().unwrap_or(""));
    let keys = t
        .iter()
        .filter(|(k, v)| k.starts_with("fsaverage5/") && ours(v));
    keys.map(|(k, _)| k.clone()).collect()
}

#[test]
fn readers_corpus_surfaces_match_truth() {
    let Some((shared, t)) = corpus() else { return };
    let keys = corpus_keys(&t, &["freesurfer_triangle"]);
    assert_eq!(keys.len(), 8, "FreeSurfer surfaces in truth.json: {keys:?}");
    for key in keys {
        let mesh = read_surface(&shared.join(&key)).unwrap_or_else(|e| panic!("{e}"));
        util::check_surface(&key, &mesh, &t[&key]);
    }
}

#[test]
fn readers_corpus_overlays_match_truth() {
    let Some((shared, t)) = corpus() else { return };
    let keys = corpus_keys(&t, &["freesurfer_curv", "MGHImage"]);
    assert_eq!(keys.len(), 8 + 16, "curv + MGH/MGZ files: {keys:?}");
    for key in keys {
        let (want, s) = (&t[&key], &t[&key]["overlay"]);
        let ov = read_overlay(&shared.join(&key)).unwrap_or_else(|e| panic!("{e}"));
        let values = &ov.values;
        let nonfinite = values.iter().filter(|v| !v.is_finite()).count();
        let frames = want.get("n_frames").cloned().unwrap_or(json!(1));
        assert_eq!(
            json!([ov.n_vertices, ov.n_frames, nonfinite]),
            json!([want["n_vertices"], frames, s["n_nonfinite"]]),
            "{key}: n_vertices, n_frames, n_nonfinite"
        );
        assert_eq!(values.len(), ov.n_vertices * ov.n_frames, "{key}");
        util::check_stats(values, ov.n_vertices, s, &key);
    }
}

/// Every FreeSurfer-format and MGH file on disk has a truth entry, so a file added to the
/// corpus cannot silently escape the comparison above.
#[test]
fn readers_corpus_files_all_have_truth() {
    let Some((shared, t)) = corpus() else { return };
    for dir in ["fsaverage5/surf", "fsaverage5/overlays"] {
        for entry in std::fs::read_dir(shared.join(dir)).expect("list corpus") {
            let name = entry.unwrap().file_name().into_string().unwrap();
            if dir.ends_with("overlays") && !(name.ends_with(".mgh") || name.ends_with(".mgz")) {
                continue;
            }
            let key = format!("{dir}/{name}");
            let fmt = t.get(&key).and_then(|v| v["format"].as_str());
            assert!(
                matches!(
                    fmt,
                    Some("freesurfer_triangle" | "freesurfer_curv" | "MGHImage")
                ),
                "{key}: no truth entry of a format we read ({fmt:?})"
            );
        }
    }
}

#[test]
fn readers_mgz_volume_is_refused_with_its_shape() {
    let Some((shared, _)) = corpus() else { return };
    let path = shared.join("real/nibabel/test.mgz");
    let msg = read_overlay(&path).unwrap_err().to_string();
    mentions(&msg, &["test.mgz", "volume", "3x4x5x2"]);
}

#[test]
fn readers_repo_copies() {
    let mesh = read_surface(&util::data("lh.inflated")).unwrap();
    assert_eq!((mesh.vertices.len(), mesh.faces.len()), (10242, 20480));
    let pial = read_surface(&util::data("lh.pial")).unwrap(); // with volume-info block
    assert_eq!((pial.vertices.len(), pial.faces.len()), (10242, 20480));
    for name in ["lh.thickness", "lh.stat.mgh"] {
        let ov = read_overlay(&util::data(name)).unwrap();
        assert_eq!(
            (ov.n_vertices, ov.n_frames, ov.values.len()),
            (10242, 1, 10242)
        );
    }
}

#[test]
fn readers_sniff_content_then_name() {
    let cases: [(&str, &[u8], Option<Format>); 9] = [
        ("x", &[0xff, 0xff, 0xfe, 0], Some(Format::FreeSurferSurface)),
        ("x.mgh", &[0xff, 0xff, 0xff], Some(Format::FreeSurferCurv)),
        ("lh.thickness", &[0, 0, 0, 1], Some(Format::Mgh)),
        ("lh.area.pial", b"junk", Some(Format::FreeSurferCurv)),
        ("lh.white", b"junk", Some(Format::FreeSurferSurface)),
        ("sub-01.MGZ", b"junk", Some(Format::Mgh)),
        ("lh.sphere.reg", b"junk", Some(Format::FreeSurferSurface)),
        ("lh.sulc.nii.gz", b"junk", Some(Format::Nifti)),
        ("data.bin", b"junk", None),
    ];
    for (name, bytes, want) in cases {
        assert_eq!(sniff(Path::new(name), bytes), want, "{name}");
    }
}

/// Header end of a real surface: just past its vertex and face counts.
fn surface_counts_end(bytes: &[u8]) -> usize {
    let creator_end = bytes.windows(2).position(|w| w == b"\n\n").unwrap() + 2;
    creator_end + 8
}

/// A copy of `bytes` with a big-endian int32 written at `at`.
fn patched(bytes: &[u8], at: usize, value: i32) -> Vec<u8> {
    let mut b = bytes.to_vec();
    b[at..at + 4].copy_from_slice(&value.to_be_bytes());
    b
}

#[test]
fn readers_bad_surfaces() {
    let dir = util::out_dir("readers_bad_surfaces");
    let surf = |name, bytes: &[u8], parts: &[&str]| refused(&dir, name, bytes, read_surface, parts);
    let good = std::fs::read(util::data("lh.inflated")).unwrap();
    let h = surface_counts_end(&good);
    // lh.inflated has no trailing block, so its length is exactly what the header implies.
    let full = good.len().to_string();

    let cut = &good[..h + 12 * 5000 + 6];
    surf("cut.inflated", cut, &[&full, &cut.len().to_string()]);
    let mut bad = good.clone();
    bad[..3].copy_from_slice(&[0, 1, 2]);
    surf(
        "magic.inflated",
        &bad,
        &[
            "not a FreeSurfer triangle surface file",
            "00 01 02",
            "ff ff fe",
        ],
    );

    // 2^31-1 vertices: refused from the header alone, without trying to allocate 25 GB.
    let start = Instant::now();
    let expected = (h as u64 + (i32::MAX as u64) * 12 + 20480 * 12).to_string();
    let huge = patched(&good, h - 8, i32::MAX);
    surf("huge.inflated", &huge, &[&expected, &full]);
    assert!(start.elapsed() < Duration::from_secs(1));

    let neg = patched(&good, h - 4, -3);
    surf("neg.inflated", &neg, &["negative face count (-3)"]);
    let oob = patched(&good, h + 10242 * 12 + 7 * 12 + 4, 10247); // face 7, 2nd index
    surf("oob.inflated", &oob, &["face 7", "10247", "10242"]);
    surf("lh.empty", &[], &["expected 3 bytes, found 0"]);

    // Wrong kinds of file, each way round.
    let curv = std::fs::read(util::data("lh.thickness")).unwrap();
    surf("lh.thickness", &curv, &["curv", "not a surface"]);
    let ov = |name, bytes: &[u8], parts: &[&str]| refused(&dir, name, bytes, read_overlay, parts);
    ov("lh.inflated", &good, &["triangle surface"]);
}

#[test]
fn readers_single_newline_creator_line() {
    let dir = util::out_dir("readers_single_newline");
    let good = std::fs::read(util::data("lh.inflated")).unwrap();
    let nl = good.windows(2).position(|w| w == b"\n\n").unwrap();
    let one = [&good[..=nl], &good[nl + 2..]].concat();
    let p = util::write(&dir, "one.inflated", &one);
    let want = read_surface(&util::data("lh.inflated")).unwrap();
    assert_eq!(read_surface(&p).unwrap(), want);
}

#[test]
fn readers_bad_curv() {
    let dir = util::out_dir("readers_bad_curv");
    let curv = |name, bytes: &[u8], parts: &[&str]| refused(&dir, name, bytes, read_overlay, parts);
    let good = std::fs::read(util::data("lh.thickness")).unwrap();
    let cut = &good[..15 + 4 * 100 + 2];
    let (full, found) = (good.len().to_string(), cut.len().to_string());
    curv("lh.cut", cut, &[&full, &found]);
    curv(
        "lh.multi",
        &patched(&good, 11, 3),
        &["values per vertex: 3"],
    );
    curv("lh.thickness", &[], &["expected 3 bytes, found 0"]);
    curv("empty.bin", &[], &["unknown file format", "empty file"]);
}

#[test]
fn readers_bad_mgh_and_mgz() {
    let dir = util::out_dir("readers_bad_mgh");
    let mgh_ = |name, bytes: &[u8], parts: &[&str]| refused(&dir, name, bytes, read_overlay, parts);
    let mgh = std::fs::read(util::data("lh.stat.mgh")).unwrap();
    let mgz = gzip(&mgh);

    // Content decides, not the name.
    let p = util::write(&dir, "stat.dat", &mgz);
    let want = read_overlay(&util::data("lh.stat.mgh")).unwrap();
    assert_eq!(read_overlay(&p).unwrap(), want);

    let mut flipped = mgz.clone();
    let mid = flipped.len() / 2;
    flipped[mid..mid + 16].iter_mut().for_each(|b| *b ^= 0x5a);
    mgh_("flipped.mgz", &flipped, &["corrupt gzip"]);
    mgh_(
        "cut.mgz",
        &mgz[..mgz.len() / 2],
        &["corrupt gzip", "ends early"],
    );
    // All the data are there, but the member's CRC and length are not.
    let no_trailer = &mgz[..mgz.len() - 4];
    mgh_(
        "no_trailer.mgz",
        no_trailer,
        &["corrupt gzip", "ends early"],
    );
    mgh_(
        "version.mgh",
        &patched(&mgh, 0, 2),
        &["not an MGH file (version 1)"],
    );

    let wide = patched(&mgh, 4, 20000);
    mgh_("wide.mgh", &wide, &["expected 80284 bytes", "found 41272"]);
    mgh_("vol.mgh", &patched(&mgh, 8, 2), &["volume", "10242x2x1x1"]);
    mgh_("zero.mgz", &gzip(&patched(&mgh, 16, 0)), &["10242x1x1x0"]);
    mgh_("short.mgh", &mgh[..100], &["expected 284 bytes, found 100"]);
    mgh_("empty.mgh", &[], &["expected 4 bytes, found 0"]);
}

fn be<T: Copy, const N: usize>(vals: &[T], f: impl Fn(T) -> [u8; N]) -> Vec<u8> {
    vals.iter().flat_map(|&v| f(v)).collect()
}

/// A small MGH with the given header fields, then `data`.
fn mgh_bytes(dims: [i32; 4], dtype: i32, data: &[u8]) -> Vec<u8> {
    let [w, h, d, f] = dims;
    let mut b = be(&[1, w, h, d, f, dtype, 0], i32::to_be_bytes);
    b.resize(284, 0);
    b.extend_from_slice(data);
    b.extend_from_slice(b"tags follow");
    b
}

#[test]
fn readers_mgh_types_and_frames() {
    let dir = util::out_dir("readers_mgh_types");
    let read = |name: &str, bytes: Vec<u8>| -> surfrender::Overlay {
        let p = util::write(&dir, name, &bytes);
        read_overlay(&p).unwrap_or_else(|e| panic!("{e}"))
    };
    let ov = read("u8.mgh", mgh_bytes([3, 1, 1, 2], 0, &[0, 1, 255, 4, 5, 6]));
    assert_eq!((ov.n_vertices, ov.n_frames), (3, 2));
    assert_eq!(ov.frame(1).unwrap(), &[4.0, 5.0, 6.0]);
    assert_eq!(ov.frame(0).unwrap(), &[0.0, 1.0, 255.0]);
    let m = |dtype, data: Vec<u8>| mgh_bytes([2, 1, 1, 1], dtype, &data);
    let shorts = be(&[-2i16, 300], i16::to_be_bytes);
    assert_eq!(read("i16.mgh", m(4, shorts)).values, [-2.0, 300.0]);
    let ints = be(&[-7i32, 1 << 20], i32::to_be_bytes);
    assert_eq!(read("i32.mgh", m(1, ints)).values, [-7.0, 1048576.0]);
    let floats = be(&[f32::NAN, f32::INFINITY], f32::to_be_bytes);
    let ov = read("nan.mgh", m(3, floats));
    assert!(ov.values[0].is_nan() && ov.values[1] == f32::INFINITY);

    let long = m(2, vec![0; 16]);
    refused(
        &dir,
        "long.mgh",
        &long,
        read_overlay,
        &["MGH data type", "code 2"],
    );
    let huge = mgh_bytes([i32::MAX, 1, 1, i32::MAX], 3, &[]);
    let expected = (284 + (i32::MAX as u64).pow(2) * 4).to_string();
    refused(&dir, "huge.mgh", &huge, read_overlay, &[&expected]);
}

/// Writes `head` then `fill_len` copies of `fill` to `path` through a fast gzip encoder,
/// streaming, so that the test never holds the decompressed data.
fn gzip_stream(path: &Path, head: &[u8], fill: u8, fill_len: u64) {
    let file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut enc = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    enc.write_all(head).unwrap();
    let block = vec![fill; 1 << 20];
    let mut left = fill_len;
    while left > 0 {
        let n = left.min(block.len() as u64);
        enc.write_all(&block[..n as usize]).unwrap();
        left -= n;
    }
    enc.finish().unwrap().flush().unwrap();
}

const BOMB_ENV: &str = "SURFRENDER_TEST_GZIP_BOMB";

/// A valid MGZ header (10242 float32 values) followed by 300 MB of zeros in one gzip member
/// of about 1.4 MB: the reader must take its 10242 values and leave the rest compressed.
#[test]
fn readers_gzip_bomb_reads_only_what_the_header_needs() {
    let dir = util::out_dir("readers_gzip_bomb");
    let path = dir.join("lh.bomb.mgz");
    let tail: u64 = 300 << 20;
    let header = &mgh_bytes([10242, 1, 1, 1], 3, &[])[..284];
    gzip_stream(&path, header, 0, tail);
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size * 100 < tail, "bomb is {size} bytes compressed");

    let start = Instant::now();
    let ov = read_overlay(&path).unwrap_or_else(|e| panic!("{e}"));
    let took = start.elapsed();
    assert_eq!(
        (ov.n_vertices, ov.n_frames, ov.values.len()),
        (10242, 1, 10242)
    );
    assert!(ov.values.iter().all(|&v| v == 0.0));
    assert!(took < Duration::from_secs(2), "read took {took:?}");

    // Proof that the tail is never decompressed: with the end of the stream cut off (which
    // full decompression reports as truncated) the file still reads.
    let bytes = std::fs::read(&path).unwrap();
    let cut = util::write(&dir, "lh.cutbomb.mgz", &bytes[..bytes.len() - 1000]);
    assert_eq!(read_overlay(&cut).unwrap(), ov);

    // Memory, measured in a process of its own (the other tests share this one): the child
    // reads the bomb and reports its peak resident memory.
    // 300 MB decompressed; the read itself needs about 100 kB.
    let child = "readers::readers_gzip_bomb_child";
    util::assert_child_peak_below(child, BOMB_ENV, &path, 64 << 10);
}

/// Run by the test above in a child process; does nothing on its own.
#[test]
#[ignore = "helper run in a child process by readers_gzip_bomb_reads_only_what_the_header_needs"]
fn readers_gzip_bomb_child() {
    let Some(path) = std::env::var_os(BOMB_ENV) else {
        return;
    };
    let ov = read_overlay(Path::new(&path)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ov.values.len(), 10242);
    util::report_peak_rss();
}

/// A header that implies more than 2 GiB is refused from the header, whatever follows it.
#[test]
fn readers_gzip_header_over_the_cap() {
    let dir = util::out_dir("readers_gzip_cap");
    // 2^29 vertices x 2 frames of float32: 4 GiB of data, in a 10 kB file.
    let p = dir.join("lh.huge.mgz");
    let header = &mgh_bytes([1 << 29, 1, 1, 2], 3, &[])[..284];
    gzip_stream(&p, header, 0, 10 << 20);
    let start = Instant::now();
    let msg = read_overlay(&p).unwrap_err().to_string();
    assert!(start.elapsed() < Duration::from_secs(1));
    let implied = (284 + (1u64 << 30) * 4).to_string();
    mentions(
        &msg,
        &[
            "lh.huge.mgz",
            &implied,
            "exceed 2 GiB",
            "surfrender can render",
        ],
    );
    assert_eq!(MAX_DECOMPRESSED, 1 << 31);

    // Same for a surface: 2^31-1 vertices are 25 GB.
    let good = std::fs::read(util::data("lh.inflated")).unwrap();
    let h = surface_counts_end(&good);
    let p = dir.join("lh.huge.inflated.gz");
    gzip_stream(&p, &patched(&good[..h], h - 8, i32::MAX), 0, 1 << 20);
    let msg = read_surface(&p).unwrap_err().to_string();
    mentions(&msg, &["lh.huge.inflated.gz", "exceed 2 GiB"]);

    // Content of no known format: only a small prefix is decompressed to say so.
    for (name, parts) in [
        ("junk.bin", &["unknown file format", "42 42 42"][..]),
        (
            "lh.thickness",
            &["not a FreeSurfer new-format curv file", "ff ff ff"][..],
        ),
        (
            "lh.junk.mgz",
            &["not an MGH file (version 1)", "42 42 42"][..],
        ),
    ] {
        let p = dir.join(name);
        gzip_stream(&p, b"", 0x42, 50 << 20);
        let start = Instant::now();
        let msg = read_overlay(&p).unwrap_err().to_string();
        assert!(start.elapsed() < Duration::from_secs(1), "{name}");
        mentions(&msg, &[name]);
        mentions(&msg, parts);
    }
}

/// Bytes after a complete gzip member that are not another member are ignored, as
/// `gzip -d` ignores them; further members are read (`cat a.gz b.gz` is valid gzip).
#[test]
fn readers_gzip_trailing_garbage_and_members() {
    let dir = util::out_dir("readers_gzip_trailing");
    let mgh = std::fs::read(util::data("lh.stat.mgh")).unwrap();
    let want = read_overlay(&util::data("lh.stat.mgh")).unwrap();
    let mgz = gzip(&mgh);
    let read = |name: &str, bytes: &[u8]| {
        let p = util::write(&dir, name, bytes);
        read_overlay(&p).unwrap_or_else(|e| panic!("{e}"))
    };
    for (name, tail) in [
        ("garbage.mgz", &b"trailing garbage\n"[..]),
        ("zeros.mgz", &[0u8; 512][..]),
        ("one.mgz", &[0x1f][..]),
    ] {
        assert_eq!(read(name, &[&mgz[..], tail].concat()), want, "{name}");
    }
    // Members split inside the header and inside the data, then garbage.
    for split in [2, 100, 20000] {
        let two = [gzip(&mgh[..split]), gzip(&mgh[split..]), b"junk".to_vec()].concat();
        assert_eq!(
            read(&format!("split{split}.mgz"), &two),
            want,
            "split at {split}"
        );
    }

    let pial = std::fs::read(util::data("lh.pial")).unwrap();
    let p = util::write(&dir, "lh.pial.gz", &[gzip(&pial), b"xyz".to_vec()].concat());
    assert_eq!(
        read_surface(&p).unwrap(),
        read_surface(&util::data("lh.pial")).unwrap()
    );

    // A second member that is cut short, where the data continue into it, is truncated.
    let two = [gzip(&mgh[..100]), gzip(&mgh[100..])].concat();
    let cut = &two[..two.len() - 50];
    let msg = read_overlay(&util::write(&dir, "cut2.mgz", cut))
        .unwrap_err()
        .to_string();
    mentions(&msg, &["cut2.mgz", "corrupt gzip", "ends early"]);
}
