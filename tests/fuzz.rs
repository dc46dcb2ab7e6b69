//! Seeded mutation fuzzing of every reader, in-process, on stable Rust (cargo-fuzz needs a
//! nightly toolchain). A test binary of its own, because it counts every heap allocation
//! through its global allocator and nothing else may allocate beside it.
//!
//! Each reader gets [`RUNS_PER_READER`] mutants of its seed files (the repository's
//! `data/`, `tests/data/cifti`, `examples/`, files built here, and the shared corpus when
//! present): bit flips, boundary integers, truncations, chunk duplication and deletion,
//! line and number edits for text, and gzip damage (inner content mutated and recompressed,
//! the stream broken, members appended). Every mutant must be read without a panic, any
//! error must be one line naming the file, and the read's peak heap must stay under
//! [`bound`]: a small constant plus a multiple of the bytes the file holds (gunzipped), so
//! a header that claims more than the file has cannot make a reader allocate for it.
//!
//! Longer runs, and one case again (its seed file name and number, as a failure prints):
//!
//! ```text
//! SURFRENDER_FUZZ_RUNS=50000 SURFRENDER_FUZZ_SEED=7 cargo test --release --test fuzz -- --nocapture
//! SURFRENDER_FUZZ_ONLY=lh.stat.mgh:123 cargo test --test fuzz -- --nocapture
//! ```
//!
//! A read that asks for more than [`HARD_CAP`] at once is refused memory, and the test
//! aborts: the case is then in `tests/out/fuzz/current.txt`, its file beside it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use surfrender::desc::values::{FramePart, FrameSel};
use surfrender::hemi::Hemi;
use surfrender::io::{load, MapSelector, Selection};
use surfrender::scene::foci::read_foci;
use surfrender::FigureDesc;

#[path = "rng.rs"]
mod rng;
use rng::Rng;

/// Mutants per reader unless `SURFRENDER_FUZZ_RUNS` says otherwise.
const RUNS_PER_READER: usize = 2000;
/// Heap that any read may use whatever its input: parser state, buffers, messages.
const SLACK: usize = 8 << 20;
/// Heap per byte of content a read may use: decoded values as `f32` and `u32` beside the
/// text or bytes they came from.
const PER_BYTE: usize = 16;
/// Past this much live heap the allocator refuses (the test then aborts, see above).
const HARD_CAP: usize = 3 << 30;

// ---------------------------------------------------------------------------------------
// Counting allocator

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(n: usize) -> bool {
    let now = LIVE.fetch_add(n, Ordering::SeqCst) + n;
    PEAK.fetch_max(now, Ordering::SeqCst);
    now <= HARD_CAP
}

// SAFETY: every call is forwarded to the system allocator unchanged; only counters change.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !grew(layout.size()) {
            LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's layout, as GlobalAlloc::alloc requires.
        let p = unsafe { System.alloc(layout) };
        if p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout` (see alloc/realloc).
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = layout.size();
        if new_size > old && !grew(new_size - old) {
            LIVE.fetch_sub(new_size - old, Ordering::SeqCst);
            return std::ptr::null_mut();
        }
        // SAFETY: forwarded unchanged from the caller.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        match (p.is_null(), new_size > old) {
            (true, true) => {
                LIVE.fetch_sub(new_size - old, Ordering::SeqCst);
            }
            (false, false) => {
                LIVE.fetch_sub(old - new_size, Ordering::SeqCst);
            }
            _ => {}
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f`, returning its result and the most heap it held above what was live before.
fn measured<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = LIVE.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let out = f();
    (out, PEAK.load(Ordering::SeqCst).saturating_sub(before))
}

/// The most heap a read of a file holding `content` bytes (gunzipped) may use.
fn bound(content: usize) -> usize {
    SLACK + PER_BYTE * content
}

// ---------------------------------------------------------------------------------------
// Random numbers and mutations

fn name_hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

/// Integers at the edges of what headers hold: counts, sizes, offsets.
const BOUNDARY: [u64; 14] = [
    0,
    1,
    2,
    0x7f,
    0xff,
    0x7fff,
    0xffff,
    0x10000,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0x1_0000_0000,
    0x7fff_ffff_ffff_ffff,
    u64::MAX,
];

fn flip_bits(b: &mut [u8], rng: &mut Rng) {
    for _ in 0..1 + rng.below(8) {
        let i = rng.position(b.len());
        b[i] ^= 1 << rng.below(8);
    }
}

fn boundary_int(b: &mut [u8], rng: &mut Rng) {
    let width = [1, 2, 4, 8][rng.below(4)];
    if b.len() < width {
        return;
    }
    let mut at = rng.position(b.len() - width + 1);
    if rng.below(2) == 0 {
        at -= at % width;
    }
    let v = BOUNDARY[rng.below(BOUNDARY.len())].wrapping_add([0, 0, 1, u64::MAX][rng.below(4)]);
    let bytes = if rng.below(2) == 0 {
        v.to_be_bytes()
    } else {
        v.to_le_bytes()
    };
    let src = if rng.below(2) == 0 {
        &bytes[8 - width..]
    } else {
        &bytes[..width]
    };
    b[at..at + width].copy_from_slice(src);
}

fn truncate(b: &mut Vec<u8>, rng: &mut Rng) {
    let keep = if rng.below(2) == 0 {
        rng.below(b.len().min(1024))
    } else {
        rng.below(b.len())
    };
    b.truncate(keep);
}

fn duplicate_chunk(b: &mut Vec<u8>, rng: &mut Rng) {
    let start = rng.below(b.len());
    let len = 1 + rng.below((b.len() - start).min(4096));
    let chunk = b[start..start + len].to_vec();
    let at = rng.position(b.len());
    for _ in 0..1 + rng.below(4) {
        b.splice(at..at, chunk.iter().copied());
    }
}

fn delete_chunk(b: &mut Vec<u8>, rng: &mut Rng) {
    let start = rng.position(b.len());
    let len = 1 + rng.below((b.len() - start).min(4096));
    b.drain(start..start + len);
}

/// Numbers and words that parsers of text meet at their limits.
const TOKENS: [&str; 14] = [
    "-1",
    "0",
    "4294967296",
    "2147483648",
    "99999999999999999999",
    "1e39",
    "-1e39",
    "nan",
    "inf",
    "",
    "\u{0}",
    "\"",
    "<",
    "&amp;",
];

/// Replaces a run of digits with a token, or repeats a line many times.
fn text_edit(b: &mut Vec<u8>, rng: &mut Rng) {
    let at = rng.position(b.len());
    if rng.below(3) == 0 {
        let start = b[..at]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |i| i + 1);
        let end = b[at..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(b.len(), |i| at + i + 1);
        let line = b[start..end].to_vec();
        let times = [2, 10, 1000][rng.below(3)]
            .min((1 << 20) / line.len().max(1))
            .max(2);
        b.splice(
            end..end,
            line.iter().copied().cycle().take(line.len() * times),
        );
        return;
    }
    let Some(d) = b[at..].iter().position(u8::is_ascii_digit) else {
        return;
    };
    let start = at + d;
    let end = b[start..]
        .iter()
        .position(|c| !c.is_ascii_digit() && *c != b'.')
        .map_or(b.len(), |i| start + i);
    let token = TOKENS[rng.below(TOKENS.len())];
    b.splice(start..end, token.bytes());
}

fn is_gzip(b: &[u8]) -> bool {
    b.starts_with(&[0x1f, 0x8b])
}

/// All gzip members of `b` inflated, up to `cap` bytes; `None` when it is not gzip or
/// does not inflate cleanly.
fn gunzip(b: &[u8], cap: u64) -> Option<Vec<u8>> {
    if !is_gzip(b) {
        return None;
    }
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(b)
        .take(cap)
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

fn gzip(b: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(b).expect("gzip in memory");
    enc.finish().expect("gzip in memory")
}

/// One mutation of the plain bytes.
fn mutate_plain(b: &mut Vec<u8>, rng: &mut Rng, text: bool) {
    if b.is_empty() {
        b.push(rng.next() as u8);
        return;
    }
    match rng.below(if text { 7 } else { 5 }) {
        0 => flip_bits(b, rng),
        1 => boundary_int(b, rng),
        2 => truncate(b, rng),
        3 => duplicate_chunk(b, rng),
        4 => delete_chunk(b, rng),
        _ => text_edit(b, rng),
    }
}

/// A mutant of `seed`: one to three mutations; a gzip seed is mutated inside and
/// recompressed, or its stream is damaged, or members are appended.
fn mutant(seed: &Seed, rng: &mut Rng) -> Vec<u8> {
    let (inner, text) = (&seed.inner, seed.reader.is_text());
    let seed = &seed.bytes;
    let mut b = match inner {
        Some(plain) if rng.below(3) > 0 => plain.clone(),
        _ => seed.to_vec(),
    };
    for _ in 0..1 + rng.below(3) {
        mutate_plain(&mut b, rng, text);
    }
    if inner.is_none() || b.len() == seed.len() && b.starts_with(&seed[..2]) {
        return b;
    }
    if rng.below(4) == 0 {
        let members = [1, 100, 10_000][rng.below(3)];
        let empty = gzip(&[]);
        let mut out = gzip(&b);
        (0..members).for_each(|_| out.extend_from_slice(&empty));
        return out;
    }
    gzip(&b)
}

// ---------------------------------------------------------------------------------------
// Seeds and readers

/// What reads a seed's mutants.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Reader {
    FreeSurferSurface,
    FreeSurferCurv,
    Mgh,
    Gifti,
    Nifti,
    Cifti,
    Annot,
    Label,
    Foci,
    Spec,
    /// `volume::read_volume` and `volume::is_volume` (issue 13).
    Volume,
}

impl Reader {
    fn is_text(self) -> bool {
        matches!(
            self,
            Reader::Gifti | Reader::Label | Reader::Foci | Reader::Spec
        )
    }
}

struct Seed {
    reader: Reader,
    /// File name of the mutants (readers also go by the name).
    name: String,
    bytes: Vec<u8>,
    /// `bytes` gunzipped, when they are gzip.
    inner: Option<Vec<u8>>,
}

impl Seed {
    fn new(reader: Reader, name: String, bytes: Vec<u8>) -> Seed {
        let inner = gunzip(&bytes, 64 << 20);
        Seed {
            reader,
            name,
            bytes,
            inner,
        }
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn seed_file(reader: Reader, path: &Path) -> Seed {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    Seed::new(reader, name, bytes)
}

/// A gzipped copy of a seed, under the same name: readers sniff gzip from the content.
fn gzipped(s: &Seed) -> Seed {
    Seed::new(s.reader, format!("gz.{}", s.name), gzip(&s.bytes))
}

/// GIfTI files of each encoding holding `values`, built here so that a fresh clone
/// fuzzes the GIfTI reader too.
fn built_gifti(values: &[f32]) -> Vec<Seed> {
    use base64::Engine;
    let raw: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    z.write_all(&raw).expect("zlib in memory");
    let b64 = base64::engine::general_purpose::STANDARD;
    let ascii: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    let encodings = [
        ("ASCII", ascii.join("\n")),
        ("Base64Binary", b64.encode(&raw)),
        ("GZipBase64Binary", b64.encode(z.finish().expect("zlib"))),
    ];
    encodings
        .into_iter()
        .map(|(enc, data)| {
            let xml = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<GIFTI Version=\"1.0\" NumberOfDataArrays=\"1\">\n<DataArray Intent=\"NIFTI_INTENT_SHAPE\" DataType=\"NIFTI_TYPE_FLOAT32\" ArrayIndexingOrder=\"RowMajorOrder\" Dimensionality=\"1\" Dim0=\"{}\" Encoding=\"{enc}\" Endian=\"LittleEndian\" ExternalFileName=\"\" ExternalFileOffset=\"\">\n<MetaData><MD><Name><![CDATA[Name]]></Name><Value><![CDATA[thickness]]></Value></MD></MetaData>\n<Data>{data}</Data>\n</DataArray>\n</GIFTI>\n",
                values.len()
            );
            Seed::new(Reader::Gifti, format!("lh.{enc}.shape.gii"), xml.into_bytes())
        })
        .collect()
}

/// Small volumes built here: a NIfTI-1 int16 4-D volume with an sform and scaling
/// (decoded by the `nifti` crate), the same as NIfTI-2 with a qform (the project's
/// decoder), and an MGZ volume with its geometry.
fn built_volumes() -> Vec<Seed> {
    let (nx, ny, nz, nt) = (6usize, 7usize, 8usize, 2usize);
    let n = nx * ny * nz * nt;
    let mut n1 = vec![0u8; 352];
    let put = |h: &mut Vec<u8>, at: usize, b: &[u8]| h[at..at + b.len()].copy_from_slice(b);
    put(&mut n1, 0, &348i32.to_le_bytes());
    for (k, d) in [4, nx, ny, nz, nt, 1, 1, 1].into_iter().enumerate() {
        put(&mut n1, 40 + 2 * k, &(d as i16).to_le_bytes());
    }
    put(&mut n1, 70, &4i16.to_le_bytes());
    put(&mut n1, 72, &16i16.to_le_bytes());
    for (k, p) in [1f32, 2.0, 2.0, 2.0].into_iter().enumerate() {
        put(&mut n1, 76 + 4 * k, &p.to_le_bytes());
    }
    put(&mut n1, 108, &352f32.to_le_bytes());
    put(&mut n1, 112, &0.5f32.to_le_bytes());
    put(&mut n1, 254, &4i16.to_le_bytes());
    for (r, row) in [
        [-2f32, 0.0, 0.0, 6.0],
        [0.0, 2.0, 0.0, -7.0],
        [0.0, 0.0, 2.0, -8.0],
    ]
    .iter()
    .enumerate()
    {
        for (c, x) in row.iter().enumerate() {
            put(&mut n1, 280 + 16 * r + 4 * c, &x.to_le_bytes());
        }
    }
    put(&mut n1, 344, b"n+1\0");
    n1.extend((0..n).flat_map(|i| ((i % 300) as i16).to_le_bytes()));
    let mut n2 = vec![0u8; 544];
    put(&mut n2, 0, &540i32.to_le_bytes());
    put(&mut n2, 4, b"n+2\0\r\n\x1a\n");
    put(&mut n2, 12, &16i16.to_le_bytes());
    put(&mut n2, 14, &32i16.to_le_bytes());
    for (k, d) in [4, nx, ny, nz, nt, 1, 1, 1].into_iter().enumerate() {
        put(&mut n2, 16 + 8 * k, &(d as i64).to_le_bytes());
    }
    for (k, p) in [-1f64, 2.0, 2.0, 2.0].into_iter().enumerate() {
        put(&mut n2, 104 + 8 * k, &p.to_le_bytes());
    }
    put(&mut n2, 168, &544i64.to_le_bytes());
    put(&mut n2, 344, &1i32.to_le_bytes());
    put(&mut n2, 360, &0.5f64.to_le_bytes());
    n2.extend((0..n).flat_map(|i| (i as f32 * 0.25).to_le_bytes()));
    let mut mgh = Vec::new();
    for x in [1i32, nx as i32, ny as i32, nz as i32, nt as i32, 0, 0] {
        mgh.extend(x.to_be_bytes());
    }
    mgh.extend(1i16.to_be_bytes());
    for x in [
        1f32, 1.0, 1.0, -1.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0, 1.0, 0.0, 3.0, -4.0, 5.0,
    ] {
        mgh.extend(x.to_be_bytes());
    }
    mgh.resize(284, 0);
    mgh.extend((0..n).flat_map(|i| ((i % 250) as u8).to_be_bytes()));
    vec![
        Seed::new(Reader::Volume, "vol.nii".into(), n1),
        Seed::new(Reader::Volume, "vol2.nii".into(), n2),
        Seed::new(Reader::Volume, "vol.mgz".into(), gzip(&mgh)),
    ]
}

/// Every seed: the repository's own files, then the shared corpus's when present.
fn seeds() -> Vec<Seed> {
    use Reader::*;
    let data = root().join("data/fsaverage5");
    let cifti = root().join("tests/data/cifti");
    let mut seeds = vec![
        seed_file(FreeSurferSurface, &data.join("lh.pial")),
        seed_file(FreeSurferCurv, &data.join("lh.thickness")),
        seed_file(Mgh, &data.join("lh.stat.mgh")),
        seed_file(Annot, &data.join("lh.synthkmeans.annot")),
        seed_file(Label, &data.join("lh.synth05.label")),
        seed_file(Label, &data.join("rh.stat_gt3.label")),
        seed_file(Nifti, &cifti.join("be_int16_scaled.nii")),
        seed_file(Nifti, &cifti.join("glmin.nii.gz")),
        seed_file(Cifti, &cifti.join("lr.dscalar.nii")),
        seed_file(Cifti, &cifti.join("lr.dlabel.nii")),
        seed_file(Cifti, &cifti.join("lh.dtseries.nii")),
        seed_file(Foci, &root().join("examples/foci.csv")),
        seed_file(Spec, &root().join("examples/stack.toml")),
        seed_file(Spec, &root().join("examples/foci.toml")),
        seed_file(Spec, &root().join("examples/contours.toml")),
    ];
    let gz: Vec<Seed> = seeds
        .iter()
        .filter(|s| {
            matches!(
                s.reader,
                FreeSurferSurface | FreeSurferCurv | Mgh | Annot | Label
            )
        })
        .map(gzipped)
        .collect();
    seeds.extend(gz);
    let xyz = "x,y,z,radius,color\n-40,-20,50,4,red\n30.5,-80,10,3,#00ff00\n0,0,0,2,white\n";
    seeds.push(Seed::new(Foci, "xyz.csv".into(), xyz.into()));
    let json = toml_to_json(&seeds.iter().find(|s| s.name == "stack.toml").unwrap().bytes);
    seeds.push(Seed::new(Spec, "stack.json".into(), json));
    let thickness = surfrender::io::read_overlay(&data.join("lh.thickness"), &Selection::default())
        .expect("data/fsaverage5/lh.thickness");
    seeds.extend(built_gifti(thickness.frame(0).expect("one frame")));
    seeds.extend(built_volumes());
    seeds.extend(corpus_seeds());
    seeds
}

fn toml_to_json(toml_bytes: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(toml_bytes).expect("utf-8 spec");
    let table: toml::Table = toml::from_str(text).expect("example spec parses");
    serde_json::to_vec_pretty(&table).expect("json")
}

/// The shared corpus's files of kinds the repository lacks, or none (with a SKIPPED line)
/// when it is absent; `.ci/run` makes it mandatory.
fn corpus_seeds() -> Vec<Seed> {
    use Reader::*;
    let shared = root().join("../shared/data");
    if !shared.join("truth.json").is_file() {
        if std::env::var_os("SURFRENDER_REQUIRE_SHARED").is_some_and(|v| v == "1") {
            panic!(
                "SURFRENDER_REQUIRE_SHARED=1 but {} is missing",
                shared.display()
            );
        }
        eprintln!("SKIPPED: ../shared/data not found; corpus seeds not fuzzed");
        return Vec::new();
    }
    [
        (Mgh, "fsaverage5/overlays/lh.stat.mgz"),
        (Mgh, "real/nibabel/test.mgz"),
        (Nifti, "fsaverage5/overlays/lh.curv.nii"),
        (Nifti, "fsaverage5/overlays/lh.stat.nii.gz"),
        (Nifti, "fsaverage5/overlays/lh.stat.nii2.nii"),
        (Gifti, "real/nibabel/ascii.gii"),
        (Gifti, "real/nibabel/base64bin.gii"),
        (Gifti, "real/nibabel/task.func.gii"),
        (Gifti, "real/nibabel/rh.aparc.annot.gii"),
        (Gifti, "real/nilearn/sulc_left.gii.gz"),
        (Gifti, "fsaverage5/gifti/lh.pial.surf.gii"),
        (FreeSurferSurface, "fsaverage5/surf/lh.white"),
        (Label, "fsaverage5/label/lh.stat_gt3.label"),
        (Volume, "volumes/image_10426.nii.gz"),
        (Volume, "real/nibabel/test.mgz"),
    ]
    .into_iter()
    .map(|(reader, rel)| seed_file(reader, &shared.join(rel)))
    .collect()
}

/// Frames 1 and 3 only, as `--frames 1:4:2` asks a reader for them.
fn frames() -> Selection {
    Selection {
        frames: Some(FrameSel::Parts(vec![FramePart::Range {
            start: 1,
            end: Some(4),
            step: 2,
        }])),
        ..Selection::default()
    }
}

/// Reads a mutant as `reader` would be asked to, in each way a figure asks.
fn read(reader: Reader, path: &Path) -> Vec<Result<(), String>> {
    let err = |e: surfrender::Error| e.one_line();
    let sel = |hemi, map| Selection {
        hemi,
        map,
        frames: None,
    };
    match reader {
        Reader::Foci => vec![read_foci(path, 3.0, [255, 0, 0], Some(Hemi::Left))
            .map(drop)
            .map_err(err)],
        Reader::Spec => vec![FigureDesc::from_spec_file(path).map(drop).map_err(err)],
        Reader::Volume => {
            // The sniff reads the header only; it must never panic either.
            let _ = surfrender::volume::is_volume(path);
            vec![
                surfrender::volume::read_volume(path, &surfrender::io::Limits::default())
                    .map(drop)
                    .map_err(err),
            ]
        }
        Reader::Cifti => [
            sel(None, None),
            sel(Some(Hemi::Left), Some(MapSelector::Index(1))),
            sel(Some(Hemi::Right), Some(MapSelector::Name("parcB".into()))),
            frames(),
        ]
        .iter()
        .map(|s| load(path, s).map(drop).map_err(err))
        .collect(),
        // Readers of frames also as a sequence reads them, some frames only (issue 12).
        Reader::Mgh | Reader::Nifti | Reader::Gifti => [Selection::default(), frames()]
            .iter()
            .map(|s| load(path, s).map(drop).map_err(err))
            .collect(),
        _ => vec![load(path, &Selection::default()).map(drop).map_err(err)],
    }
}

// ---------------------------------------------------------------------------------------
// The campaign

#[derive(Default)]
struct Tally {
    runs: usize,
    refused: usize,
    worst_time: (Duration, String),
    most_heap: (usize, String),
    failures: Vec<String>,
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name}={v}: not a number"))
        })
        .unwrap_or(default)
}

/// Runs case `i` of `seed` in `dir`, adding to `tally`.
fn run_case(seed: &Seed, i: usize, global: u64, dir: &Path, tally: &mut Tally) {
    let mut rng = Rng::from_parts(&[global, name_hash(&seed.name), i as u64]);
    let bytes = mutant(seed, &mut rng);
    let case = format!("{}:{i} (seed {global})", seed.name);
    let path = dir.join(&seed.name);
    std::fs::write(&path, &bytes).expect("write mutant");
    std::fs::write(dir.join("current.txt"), format!("{case} {path:?}\n")).expect("write case");
    let content = gunzip(&bytes, 1 << 30).map_or(bytes.len(), |p| p.len().max(bytes.len()));
    let start = Instant::now();
    let (outcome, peak) = measured(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read(seed.reader, &path)))
    });
    let took = start.elapsed();
    tally.runs += 1;
    if took > tally.worst_time.0 {
        tally.worst_time = (took, case.clone());
    }
    if peak > tally.most_heap.0 {
        tally.most_heap = (peak, format!("{case}, {content} bytes of content"));
    }
    let mut fail = |why: String| {
        let keep = dir.join("failures");
        std::fs::create_dir_all(&keep).expect("failures folder");
        let _ = std::fs::copy(&path, keep.join(format!("{i}.{}", seed.name)));
        tally.failures.push(format!("{case}: {why}"));
    };
    let Ok(results) = outcome else {
        return fail("panicked".into());
    };
    if peak > bound(content) {
        fail(format!(
            "peak heap {peak} bytes, over the bound {} for {content} bytes of content",
            bound(content)
        ));
    }
    for r in results {
        if let Err(msg) = r {
            tally.refused += 1;
            if msg.contains('\n') || !msg.contains(&seed.name) {
                fail(format!("error not one line naming the file: {msg}"));
            }
        }
    }
}

#[test]
fn fuzz_every_reader() {
    let runs = env_usize("SURFRENDER_FUZZ_RUNS", RUNS_PER_READER);
    let global = env_usize("SURFRENDER_FUZZ_SEED", 1) as u64;
    let only = std::env::var("SURFRENDER_FUZZ_ONLY").ok();
    let dir = root().join("tests/out/fuzz");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("fuzz folder");
    let seeds = seeds();
    let mut tallies: Vec<(Reader, Tally)> = Vec::new();
    for seed in &seeds {
        let of_reader = seeds.iter().filter(|s| s.reader == seed.reader).count();
        let cases: Vec<usize> = match only.as_deref().and_then(|o| o.rsplit_once(':')) {
            Some((name, i)) if name == seed.name => vec![i.parse().expect("case number")],
            Some(_) => continue,
            None => (0..runs.div_ceil(of_reader)).collect(),
        };
        let at = match tallies.iter().position(|(r, _)| *r == seed.reader) {
            Some(at) => at,
            None => {
                tallies.push((seed.reader, Tally::default()));
                tallies.len() - 1
            }
        };
        for i in cases {
            run_case(seed, i, global, &dir, &mut tallies[at].1);
        }
    }
    let mut failures = Vec::new();
    for (reader, t) in &tallies {
        println!(
            "{reader:?}: {} reads, {} refused; slowest {:.0?} ({}); most heap {:.1} MiB ({})",
            t.runs,
            t.refused,
            t.worst_time.0,
            t.worst_time.1,
            t.most_heap.0 as f64 / (1 << 20) as f64,
            t.most_heap.1
        );
        failures.extend(t.failures.iter().cloned());
    }
    assert!(
        failures.is_empty(),
        "{} failing mutants (kept in tests/out/fuzz/failures):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
