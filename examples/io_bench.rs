//! Times the read and write stages of the benchmark figure "fig4" alone (see
//! benches/README.md, issue #15): the read stage (every file decoded and checked, with
//! each surface's normals and winding) through a fresh `read::Cache` per run, and the PNG
//! encoder at each setting, with the file size each gives.
//!
//! ```sh
//! cargo run --release --example io_bench -- read /tmp/large --runs 21
//! cargo run --release --example io_bench -- parts /tmp/large --runs 21
//! cargo run --release --example io_bench -- png /tmp/large --runs 11
//! valgrind --tool=callgrind target/release/examples/io_bench read /tmp/large --runs 1
//! ```
//!
//! `png` renders the figure once (CPU backend), then encodes it as RGB with each
//! `--png-compression` level and with a few of the png crate's own settings besides, and
//! checks that every file decodes to the same pixels.

use std::error::Error;
use std::time::Instant;

use surfrender::output::encode_png;
use surfrender::render::Renderer;
use surfrender::spec::PngCompression;
use surfrender::{figure, read, FigureDesc};

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "read".into());
    let mut dir = "data/fsaverage5".to_string();
    let mut runs = 11usize;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|s| s.parse().ok()).unwrap_or(runs),
            _ => dir = a,
        }
    }
    let line = format!(
        "{dir}/lh.inflated {dir}/rh.inflated --overlay {dir}/lh.thickness --overlay \
         {dir}/rh.thickness --threshold 2.5 --range 2.5 4.0 --cmap hot --size 1600x1200 \
         --backend cpu"
    );
    let desc = FigureDesc::from_args(std::iter::once("surfrender").chain(line.split(' ')))?;
    let spec = desc.resolve()?;
    match mode.as_str() {
        "read" => {
            let times = timed(runs, || read::read(&spec, &read::Cache::new()).map(|_| ()))?;
            report("read stage", &times, None);
        }
        "parts" => parts(&dir, runs)?,
        "png" => png(&spec, runs)?,
        other => return Err(format!("unknown mode {other} (read, parts or png)").into()),
    }
    Ok(())
}

/// The read stage's pieces for one hemisphere, on this thread: the surface decoded,
/// normals and winding, a per-vertex file decoded.
fn parts(dir: &str, runs: usize) -> Result<(), Box<dyn Error>> {
    let surface = std::path::PathBuf::from(format!("{dir}/lh.inflated"));
    let times = timed(runs, || surfrender::io::read_surface(&surface).map(|_| ()))?;
    report("read_surface (lh)", &times, None);
    let mesh = surfrender::io::read_surface(&surface)?;
    let times = timed(runs, || {
        std::hint::black_box(mesh.bounds());
        Ok(())
    })?;
    report("bounds (lh)", &times, None);
    let times = timed(runs, || {
        std::hint::black_box(mesh.normals_and_winding());
        Ok(())
    })?;
    report("normals_and_winding (lh)", &times, None);
    let curv = std::path::PathBuf::from(format!("{dir}/lh.thickness"));
    let sel = surfrender::io::Selection::default();
    let times = timed(runs, || {
        surfrender::io::read_overlay(&curv, &sel).map(|_| ())
    })?;
    report("read_overlay (lh.thickness)", &times, None);
    Ok(())
}

/// Encodes the figure with each setting, `runs` times each, and checks the pixels.
fn png(spec: &surfrender::FigureSpec, runs: usize) -> Result<(), Box<dyn Error>> {
    let renderer = Renderer::new(figure::render_options(spec));
    let fig = figure::render_figure(&renderer, spec)?;
    let img = &fig.image;
    eprintln!("{}x{} RGB", img.width(), img.height());
    let mut first: Option<Vec<u8>> = None;
    let mut check = |bytes: &[u8]| -> Result<(), Box<dyn Error>> {
        let px = decode(bytes)?;
        match &first {
            Some(f) if *f != px => Err("pixels differ between settings".into()),
            Some(_) => Ok(()),
            None => {
                first = Some(px);
                Ok(())
            }
        }
    };
    let path = std::path::Path::new("bench.png");
    // `IO_BENCH_ONLY=fdeflate` times only the settings whose name holds that text.
    let only = std::env::var("IO_BENCH_ONLY").unwrap_or_default();
    let levels = [
        PngCompression::Fast,
        PngCompression::Default,
        PngCompression::Best,
    ];
    for level in levels
        .into_iter()
        .filter(|l| format!("--png-compression {l}").contains(&*only))
    {
        let mut size = 0;
        let times = timed(runs, || {
            let b = encode_png(path, img, false, &Vec::new(), None, level)?;
            size = b.len();
            Ok(())
        })?;
        check(&encode_png(path, img, false, &Vec::new(), None, level)?)?;
        report(&format!("--png-compression {level}"), &times, Some(size));
    }
    // The png crate's settings besides, on the same RGB bytes.
    let rgb: Vec<u8> = img
        .as_raw()
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    use png::{DeflateCompression as D, Filter as F};
    let variants = [
        ("fdeflate, NoFilter", D::FdeflateUltraFast, F::NoFilter),
        ("fdeflate, Sub", D::FdeflateUltraFast, F::Sub),
        ("fdeflate, Up", D::FdeflateUltraFast, F::Up),
        ("fdeflate, Paeth", D::FdeflateUltraFast, F::Paeth),
        ("fdeflate, Adaptive", D::FdeflateUltraFast, F::Adaptive),
        ("zlib 1, Up", D::Level(1), F::Up),
        ("zlib 1, Adaptive", D::Level(1), F::Adaptive),
        ("zlib 3, Up", D::Level(3), F::Up),
        ("zlib 6, Up", D::Level(6), F::Up),
        ("zlib 6, Adaptive", D::Level(6), F::Adaptive),
        ("zlib 6, Paeth", D::Level(6), F::Paeth),
        ("zlib 9, Up", D::Level(9), F::Up),
        ("zlib 9, Adaptive", D::Level(9), F::Adaptive),
        ("zlib 9, Paeth", D::Level(9), F::Paeth),
    ];
    for (name, deflate, filter) in variants.into_iter().filter(|v| v.0.contains(&*only)) {
        let enc = |out: &mut Vec<u8>| -> Result<(), png::EncodingError> {
            let mut e = png::Encoder::new(out, img.width(), img.height());
            e.set_color(png::ColorType::Rgb);
            e.set_depth(png::BitDepth::Eight);
            e.set_deflate_compression(deflate);
            e.set_filter(filter);
            let mut w = e.write_header()?;
            w.write_image_data(&rgb)?;
            w.finish()
        };
        let mut size = 0;
        let times = timed(runs, || {
            let mut out = Vec::with_capacity(rgb.len() / 4);
            enc(&mut out).map_err(|e| surfrender::Error::Internal(e.to_string()))?;
            size = out.len();
            Ok(())
        })?;
        let mut out = Vec::new();
        enc(&mut out)?;
        check(&out)?;
        report(name, &times, Some(size));
    }
    eprintln!("pixels identical for every setting");
    Ok(())
}

/// The RGB(A) pixels of a PNG.
fn decode(bytes: &[u8]) -> Result<Vec<u8>, Box<dyn Error>> {
    let mut r = png::Decoder::new(std::io::Cursor::new(bytes)).read_info()?;
    let mut buf = vec![0; r.output_buffer_size().ok_or("image too large")?];
    let info = r.next_frame(&mut buf)?;
    buf.truncate(info.buffer_size());
    Ok(buf)
}

/// Milliseconds of each of `runs` calls of `f`, after one warm-up call.
fn timed(
    runs: usize,
    mut f: impl FnMut() -> surfrender::Result<()>,
) -> surfrender::Result<Vec<f64>> {
    f()?;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        f()?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    Ok(times)
}

fn report(what: &str, sorted: &[f64], size: Option<usize>) {
    let median = sorted[sorted.len() / 2];
    let size = size.map_or(String::new(), |s| {
        format!("   {:8.1} KiB", s as f64 / 1024.0)
    });
    println!(
        "{what:<28} median {median:7.2} ms   min {:7.2} ms   max {:7.2} ms{size}   ({} runs)",
        sorted[0],
        sorted[sorted.len() - 1],
        sorted.len()
    );
}
