//! The movie encoders through the library's public API, as the command line uses them
//! (issue 12, item 4): the format from `-o`'s name, a check before rendering, frames
//! pushed in order, and the files `finish` reports.

use std::path::Path;

use image::{Rgba, RgbaImage};
use surfrender::movie::encode::{self, Container, MovieFormat, SinkOptions};

use crate::util;

/// `n` frames in which a square walks over a white background past a fixed grey bar.
fn frames(w: u32, h: u32, n: usize) -> Vec<RgbaImage> {
    (0..n as u32)
        .map(|k| {
            RgbaImage::from_fn(w, h, |x, y| match (x / 8 == k, y < 8) {
                (true, false) => Rgba([200, 30, 30, 255]),
                (_, true) => Rgba([90, 90, 90, 255]),
                _ => Rgba([255, 255, 255, 255]),
            })
        })
        .collect()
}

#[test]
fn movies_through_the_public_api() {
    let dir = util::out_dir("movie_encode");
    let f = frames(48, 32, 5);
    let opts = SinkOptions::new(48, 32, f.len());
    for name in ["m.gif", "m.png", "f_%02d.png"] {
        let path = dir.join(name);
        let format = encode::format_of(&path, f.len())
            .expect("a movie's name")
            .expect("several frames make a movie");
        encode::check(&format, &opts).expect("nothing to install");
        let mut sink = encode::open(&format, &path, &opts).expect("open");
        for frame in &f {
            sink.push(frame).expect("push");
        }
        let written = sink.finish().expect("finish");
        match format {
            MovieFormat::PngSequence { .. } => {
                assert_eq!(written.len(), f.len());
                for (k, p) in written.iter().enumerate() {
                    assert_eq!(p, &dir.join(format!("f_{k:02}.png")));
                    let img = image::open(p).expect("a PNG").to_rgba8();
                    assert!(img == f[k], "frame {k}");
                }
            }
            MovieFormat::Gif => {
                assert_eq!(written, std::slice::from_ref(&path));
                let file = std::fs::File::open(&path).expect("gif");
                let mut dec = gif::DecodeOptions::new()
                    .read_info(file)
                    .expect("gif header");
                let mut count = 0;
                while dec.read_next_frame().expect("gif frame").is_some() {
                    count += 1;
                }
                assert_eq!(count, f.len());
            }
            MovieFormat::Apng => {
                assert_eq!(written, std::slice::from_ref(&path));
                let file = std::io::BufReader::new(std::fs::File::open(&path).expect("apng"));
                let reader = png::Decoder::new(file).read_info().expect("png header");
                let ac = reader.info().animation_control.expect("animated");
                assert_eq!(ac.num_frames as usize, f.len());
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn movie_names_are_checked_before_rendering() {
    let refused = |path: &str, frames: usize| {
        let e = encode::format_of(Path::new(path), frames).expect_err(path);
        assert_eq!(e.exit_code(), 2, "{path}: usage error");
        e.to_string()
    };
    let e = refused("out.tif", 3);
    assert!(e.contains("unknown extension .tif"), "{e}");
    assert!(refused("f_%d_%d.png", 3).contains("not several"));
    assert_eq!(encode::format_of(Path::new("fig.png"), 1).unwrap(), None);
    let mp4 = MovieFormat::Ffmpeg {
        container: Container::Mp4,
    };
    let mut opts = SinkOptions::new(10, 10, 3);
    opts.ffmpeg = Some("/nonexistent/ffmpeg".into());
    let e = encode::check(&mp4, &opts).expect_err("no such ffmpeg");
    assert_eq!(e.exit_code(), 2);
    util::mentions(
        &e.to_string(),
        &["/nonexistent/ffmpeg", "apt-get install ffmpeg", ".gif"],
    );
}
