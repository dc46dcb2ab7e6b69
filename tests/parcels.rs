//! Parcellations as atlases are drawn (issue #11, items 4–6): regions that mean "no label"
//! are transparent by default in FreeSurfer annotations, GIfTI label files and CIFTI
//! dlabel files; one parcellation filled and outlined at once; default borders that stay
//! visible on both cortex greys and between neighbouring parcels.

use std::path::{Path, PathBuf};

use image::RgbaImage;

use crate::nifti::{extension, nifti2};
use crate::util::{self, data_arg as data, render_small};

/// A figure of the CPU renderer (the same on every machine), 500 pixels wide.
fn render(dir: &Path, name: &str, args: &[&str]) -> RgbaImage {
    render_small(dir, name, &[args, &["--backend", "cpu"]].concat())
}

fn surface() -> surfrender::Mesh {
    surfrender::io::read_surface(&util::data("lh.inflated")).expect("lh.inflated")
}

// ---- writing parcellations ----

/// A FreeSurfer annotation with a version-2 colour table: `labels[v]` indexes `table`
/// (structure index = position, name, RGB); `None` is value 0, no label.
fn write_annot(
    dir: &Path,
    name: &str,
    labels: &[Option<usize>],
    table: &[(&str, [u8; 3])],
) -> PathBuf {
    fn be(out: &mut Vec<u8>, w: i32) {
        out.extend_from_slice(&w.to_be_bytes());
    }
    let mut out = Vec::new();
    let packed = |c: [u8; 3]| c[0] as i32 + c[1] as i32 * 256 + c[2] as i32 * 65536;
    be(&mut out, labels.len() as i32);
    for (v, l) in labels.iter().enumerate() {
        be(&mut out, v as i32);
        be(&mut out, l.map_or(0, |i| packed(table[i].1)));
    }
    for w in [1, -2, table.len() as i32] {
        be(&mut out, w);
    }
    let string = |out: &mut Vec<u8>, s: &str| {
        out.extend_from_slice(&(s.len() as i32 + 1).to_be_bytes());
        out.extend_from_slice(s.as_bytes());
        out.push(0);
    };
    string(&mut out, "NOFILE");
    be(&mut out, table.len() as i32);
    for (i, (name, rgb)) in table.iter().enumerate() {
        be(&mut out, i as i32);
        string(&mut out, name);
        for c in rgb {
            be(&mut out, *c as i32);
        }
        be(&mut out, 0);
    }
    util::write(dir, name, &out)
}

/// A label table as GIfTI and CIFTI write it: `(key, name, RGBA from 0 to 1)`.
fn label_table(table: &[(i32, &str, [f32; 4])]) -> String {
    let rows: String = table
        .iter()
        .map(|(k, name, [r, g, b, a])| {
            format!("<Label Key=\"{k}\" Red=\"{r}\" Green=\"{g}\" Blue=\"{b}\" Alpha=\"{a}\">{name}</Label>")
        })
        .collect();
    format!("<LabelTable>{rows}</LabelTable>")
}

/// A GIfTI label file (ASCII) of `keys`.
fn write_gifti_labels(
    dir: &Path,
    name: &str,
    keys: &[i32],
    table: &[(i32, &str, [f32; 4])],
) -> PathBuf {
    let data: Vec<String> = keys.iter().map(i32::to_string).collect();
    let text = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<GIFTI Version=\"1.0\" NumberOfDataArrays=\"1\">\n{}\n\
         <DataArray Intent=\"NIFTI_INTENT_LABEL\" DataType=\"NIFTI_TYPE_INT32\" ArrayIndexingOrder=\"RowMajorOrder\" \
         Dimensionality=\"1\" Dim0=\"{}\" Encoding=\"ASCII\" Endian=\"LittleEndian\">\n<Data>{}</Data>\n</DataArray>\n</GIFTI>\n",
        label_table(table),
        keys.len(),
        data.join(" ")
    );
    util::write(dir, name, text.as_bytes())
}

/// A CIFTI-2 dlabel file with one map over the whole left cortex.
fn write_dlabel(dir: &Path, name: &str, keys: &[i32], table: &[(i32, &str, [f32; 4])]) -> PathBuf {
    let n = keys.len();
    let vertices: Vec<String> = (0..n).map(|v| v.to_string()).collect();
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CIFTI Version=\"2\"><Matrix>\
         <MatrixIndicesMap AppliesToMatrixDimension=\"0\" IndicesMapToDataType=\"CIFTI_INDEX_TYPE_LABELS\">\
         <NamedMap>{}<MapName>parcels</MapName></NamedMap></MatrixIndicesMap>\
         <MatrixIndicesMap AppliesToMatrixDimension=\"1\" IndicesMapToDataType=\"CIFTI_INDEX_TYPE_BRAIN_MODELS\">\
         <BrainModel IndexOffset=\"0\" IndexCount=\"{n}\" ModelType=\"CIFTI_MODEL_TYPE_SURFACE\" \
         BrainStructure=\"CIFTI_STRUCTURE_CORTEX_LEFT\" SurfaceNumberOfVertices=\"{n}\">\
         <VertexIndices>{}</VertexIndices></BrainModel></MatrixIndicesMap></Matrix></CIFTI>",
        label_table(table),
        vertices.join(" ")
    );
    let bytes: Vec<u8> = keys
        .iter()
        .flat_map(|&k| (k as f32).to_le_bytes())
        .collect();
    let file = nifti2(
        &[1, 1, 1, 1, 1, n as i64],
        16,
        3007,
        &extension(32, &xml),
        &bytes,
    );
    util::write(dir, name, &file)
}

// ---- comparing figures ----

fn is_background(p: &image::Rgba<u8>) -> bool {
    p.0 == [255, 255, 255, 255]
}

/// The largest difference of any channel between two pixels.
fn diff(a: &image::Rgba<u8>, b: &image::Rgba<u8>) -> u8 {
    (0..3).map(|c| a[c].abs_diff(b[c])).max().unwrap_or(0)
}

/// The share of the surface's pixels in `plain` that `img` leaves as they are (within
/// 2/255), the pixels `skip` names aside.
fn cortex_kept(img: &RgbaImage, plain: &RgbaImage, skip: impl Fn(&image::Rgba<u8>) -> bool) -> f64 {
    let (mut kept, mut n) = (0usize, 0usize);
    for (p, q) in img.pixels().zip(plain.pixels()) {
        if is_background(q) || skip(p) {
            continue;
        }
        n += 1;
        kept += (diff(p, q) <= 2) as usize;
    }
    kept as f64 / n.max(1) as f64
}

fn is_red(p: &image::Rgba<u8>) -> bool {
    p[0] as i32 - p[1] as i32 > 60 && p[0] as i32 - p[2] as i32 > 60
}

// ---- item 4: "no label" is transparent ----

/// Superior vertices (z above the top third) belong to a real region; the others to
/// regions that mean "no label".
fn regions() -> Vec<usize> {
    let mesh = surface();
    let (lo, hi) = mesh.bounds();
    let top = hi[2] - (hi[2] - lo[2]) / 3.0;
    let front = lo[1] + (hi[1] - lo[1]) / 2.0;
    mesh.vertices
        .iter()
        .map(|v| match (v[2] > top, v[1] > front) {
            (true, _) => 0,
            (false, true) => 1,
            (false, false) => 2,
        })
        .collect()
}

/// Checks that the regions of `file` that mean "no label" leave the cortex as it is,
/// that `--annot-unknown` draws them, and that the real region and its border are drawn.
fn check_unlabelled_transparent(dir: &Path, what: &str, file: &Path) {
    let lh = data("lh.inflated");
    let f = file.to_str().expect("utf8");
    let base = [&lh as &str, "--views", "lateral,medial"];
    let plain = render(dir, &format!("{what}_plain.png"), &base);
    let filled = render(
        dir,
        &format!("{what}_filled.png"),
        &[&base[..], &["--annot", f]].concat(),
    );
    let shown = render(
        dir,
        &format!("{what}_unknown.png"),
        &[&base[..], &["--annot", f, "--annot-unknown"]].concat(),
    );
    let reds = filled.pixels().filter(|p| is_red(p)).count();
    assert!(
        reds > 2000,
        "{what}: the real region drew {reds} red pixels"
    );
    let kept = cortex_kept(&filled, &plain, is_red);
    assert!(
        kept > 0.95,
        "{what}: only {:.1} % of the cortex outside the real region shows through",
        100.0 * kept
    );
    let kept = cortex_kept(&shown, &plain, is_red);
    assert!(
        kept < 0.1,
        "{what}: with --annot-unknown, {:.1} % of the cortex still shows through",
        100.0 * kept
    );
    // The real region's border towards "no label" is drawn, in its own colour.
    let outlined = render(
        dir,
        &format!("{what}_outline.png"),
        &[&base[..], &["--annot", f, "--annot-outline"]].concat(),
    );
    let border = outlined.pixels().filter(|p| is_red(p)).count();
    assert!(
        border > 150 && border * 5 < reds,
        "{what}: {border} red border pixels (the region fills {reds})"
    );
}

#[test]
fn parcels_unlabelled_regions_are_transparent_freesurfer() {
    let dir = util::out_dir("parcels_unknown_annot");
    let labels: Vec<Option<usize>> = regions()
        .iter()
        .enumerate()
        .map(|(v, &r)| match r {
            0 => Some(1),
            // FreeSurfer's names, and a few vertices with no label at all (value 0).
            1 => Some(if v % 7 == 0 { 3 } else { 0 }),
            _ if v % 11 == 0 => None,
            _ => Some(2),
        })
        .collect();
    let table = [
        ("unknown", [25, 5, 25]),
        ("precentral", [220, 20, 10]),
        ("Medial_wall", [40, 40, 40]),
        ("corpuscallosum", [120, 70, 50]),
    ];
    let annot = write_annot(&dir, "lh.atlas.annot", &labels, &table);
    check_unlabelled_transparent(&dir, "annot", &annot);

    // A table written by another program whose index 0 is a real region keeps it.
    let table = [("region0", [30, 60, 200]), ("precentral", [220, 20, 10])];
    let labels: Vec<Option<usize>> = regions().iter().map(|&r| Some((r == 0) as usize)).collect();
    let annot = write_annot(&dir, "lh.index0.annot", &labels, &table);
    let lh = data("lh.inflated");
    let base = [&lh as &str, "--views", "lateral"];
    let plain = render(&dir, "index0_plain.png", &base);
    let a = annot.to_str().expect("utf8");
    let filled = render(&dir, "index0.png", &[&base[..], &["--annot", a]].concat());
    let kept = cortex_kept(&filled, &plain, is_red);
    assert!(
        kept < 0.1,
        "region0 of a FreeSurfer table was hidden ({kept:.2} kept)"
    );
}

#[test]
fn parcels_unlabelled_regions_are_transparent_gifti() {
    let dir = util::out_dir("parcels_unknown_gifti");
    // Key 0 opaque, as nibabel writes a label table from an integer array; another
    // "no label" name with another key.
    let table = [
        (0, "Background", [0.1, 0.02, 0.1, 1.0]),
        (7, "V1", [0.86, 0.08, 0.04, 1.0]),
        (9, "Medial Wall", [0.2, 0.2, 0.2, 1.0]),
    ];
    let keys: Vec<i32> = regions().iter().map(|&r| [7, 0, 9][r]).collect();
    let gii = write_gifti_labels(&dir, "lh.atlas.label.gii", &keys, &table);
    check_unlabelled_transparent(&dir, "gifti", &gii);
    // Key 0 means "no label" in a GIfTI file whatever its name.
    let table = [
        (0, "Region zero", [0.1, 0.02, 0.1, 1.0]),
        (7, "V1", [0.86, 0.08, 0.04, 1.0]),
    ];
    let keys: Vec<i32> = regions()
        .iter()
        .map(|&r| if r == 0 { 7 } else { 0 })
        .collect();
    let gii = write_gifti_labels(&dir, "lh.key0.label.gii", &keys, &table);
    check_unlabelled_transparent(&dir, "gifti_key0", &gii);
}

#[test]
fn parcels_unlabelled_regions_are_transparent_cifti() {
    let dir = util::out_dir("parcels_unknown_cifti");
    // Workbench's ??? (here opaque, as some converters write it) and HCP's names.
    let table = [
        (0, "???", [0.1, 0.02, 0.1, 1.0]),
        (2, "L_V1_ROI", [0.86, 0.08, 0.04, 1.0]),
        (3, "Medial_Wall", [0.3, 0.3, 0.3, 1.0]),
    ];
    let keys: Vec<i32> = regions().iter().map(|&r| [2, 0, 3][r]).collect();
    let dlabel = write_dlabel(&dir, "atlas.dlabel.nii", &keys, &table);
    check_unlabelled_transparent(&dir, "cifti", &dlabel);
}

// ---- item 5: filled and outlined at once ----

#[test]
fn parcels_fill_and_outline_at_once() {
    let dir = util::out_dir("parcels_both");
    let lh = data("lh.inflated");
    let annot = data("lh.synthkmeans.annot");
    let base = [
        &lh as &str,
        "--views",
        "lateral",
        "--annot",
        &annot,
        "--annot-alpha",
        "0.6",
    ];
    let plain = render(&dir, "plain.png", &[&lh as &str, "--views", "lateral"]);
    let fill = render(&dir, "fill.png", &base);
    let outline = render(
        &dir,
        "outline.png",
        &[&base[..], &["--annot-outline"]].concat(),
    );
    let both = render(
        &dir,
        "both.png",
        &[&base[..], &["--annot-outline=both"]].concat(),
    );
    let surface = plain.pixels().filter(|p| !is_background(p)).count();
    // The borders: where the outlined figure differs from the plain cortex, one pixel
    // around.
    let (w, h) = plain.dimensions();
    let border_at = |x: u32, y: u32| {
        (x.saturating_sub(1)..=(x + 1).min(w - 1)).any(|i| {
            (y.saturating_sub(1)..=(y + 1).min(h - 1))
                .any(|j| diff(outline.get_pixel(i, j), plain.get_pixel(i, j)) > 2)
        })
    };
    let (mut changed, mut off_border) = (0usize, 0usize);
    for (x, y, p) in both.enumerate_pixels() {
        if diff(p, fill.get_pixel(x, y)) > 2 {
            changed += 1;
            off_border += !border_at(x, y) as usize;
        }
    }
    assert!(
        changed > 1000 && changed * 3 < surface,
        "--annot-outline=both changed {changed} of {surface} surface pixels of the fill"
    );
    assert!(
        off_border * 100 < changed,
        "{off_border} of the {changed} changed pixels are not on a border"
    );
    // Filled outside the borders: as the fill alone, not as the cortex.
    let kept = cortex_kept(&both, &plain, |_| false);
    assert!(kept < 0.3, "{:.2} of the cortex left unfilled", kept);

    // A spec says the same.
    let spec = util::write(
        &dir,
        "both.toml",
        format!(
            "surfaces = [{lh:?}]\nviews = [\"lateral\"]\nannot = [{annot:?}]\nannot_alpha = 0.6\nannot_outline = \"both\"\n"
        )
        .as_bytes(),
    );
    let from_spec = render(&dir, "spec.png", &["--spec", spec.to_str().expect("utf8")]);
    assert!(
        from_spec == both,
        "the spec's figure differs from the command line's"
    );
    let (code, out, err) = util::run_in(
        &dir,
        &[&base[..], &["--annot-outline=both", "--print-spec"]].concat(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("annot_outline = \"both\""), "{out}");
    // Booleans keep their meaning, in both forms.
    let (code, out, err) = util::run_in(
        &dir,
        &[&base[..], &["--annot-outline", "--print-spec"]].concat(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("annot_outline = true"), "{out}");
    let (code, _, err) = util::run_in(&dir, &[&base[..], &["--annot-outline=fill"]].concat());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("both"), "{err}");
}

#[test]
fn parcels_same_file_twice_points_to_both() {
    let dir = util::out_dir("parcels_twice");
    let lh = data("lh.inflated");
    let annot = data("lh.synthkmeans.annot");
    let out = dir.join("x.png");
    let o = out.to_str().expect("utf8");
    let (code, _, err) = util::run_in(
        &dir,
        &[
            &lh as &str,
            "--annot",
            &annot,
            "--annot-alpha",
            "0.5",
            "--annot",
            &annot,
            "-o",
            o,
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--annot-outline=both"), "{err}");
    let spec = util::write(
        &dir,
        "twice.toml",
        format!("surfaces = [{lh:?}]\n[[layers]]\nannot = [{annot:?}]\n[[layers]]\nannot = [{annot:?}]\n")
            .as_bytes(),
    );
    let (code, _, err) = util::run_in(&dir, &["--spec", spec.to_str().expect("utf8"), "-o", o]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("annot_outline = \"both\""), "{err}");
}

// ---- item 6: borders visible on any grey and between parcels ----

/// A 180-region parcellation of lh.inflated as dense as HCP-MMP1.0's: each vertex joins
/// the nearest of the first 180 vertices (those of the icosahedron's first subdivisions,
/// spread evenly), in colours that include near-black, both cortex greys and other dark
/// and light ones, all different.
fn mmp_like(dir: &Path) -> PathBuf {
    let mesh = surface();
    let seeds = &mesh.vertices[..180];
    let labels: Vec<Option<usize>> = mesh
        .vertices
        .iter()
        .map(|v| {
            let d2 = |s: &[f32; 3]| (0..3).map(|k| (v[k] - s[k]).powi(2)).sum::<f32>();
            (0..seeds.len()).min_by(|&a, &b| d2(&seeds[a]).total_cmp(&d2(&seeds[b])))
        })
        .collect();
    let names: Vec<String> = (0..180).map(|i| format!("parcel{i:03}")).collect();
    let table: Vec<(&str, [u8; 3])> = (0..180)
        .map(|i| {
            let j = (i / 8) as u8;
            let rgb = match i % 8 {
                0 => [4 + j % 8, 2, 6 + j / 8],       // near-black
                1 => [103 + j % 3, 104, 102 + j / 8], // sulcal grey
                2 => [197 + j % 3, 198, 196 + j / 8], // gyral grey
                3 => [30 + j, 20, 90],                // dark blue
                4 => [60 + j, 40, 20],                // dark brown
                5 => [230, 225 - j, 200],             // near-white
                6 => [150 + j, 150, 160],             // light grey-blue
                _ => [20 + 9 * j, 140, 255 - 9 * j],  // colours
            };
            (names[i].as_str(), rgb)
        })
        .collect();
    write_annot(dir, "lh.mmplike.annot", &labels, &table)
}

/// For every pixel at the core of a border (exactly magenta in `marked`, drawn with
/// `--border-color magenta`), the largest difference between `img` and `behind` within
/// two pixels of it; returns the border pixels and how many differ by less than `min`.
fn border_contrast(
    img: &RgbaImage,
    behind: &RgbaImage,
    marked: &RgbaImage,
    min: u8,
) -> (usize, usize) {
    let (w, h) = img.dimensions();
    let (mut n, mut faint) = (0, 0);
    for (x, y, p) in marked.enumerate_pixels() {
        if p.0 != [255, 0, 255, 255] {
            continue;
        }
        n += 1;
        let best = (x.saturating_sub(2)..=(x + 2).min(w - 1))
            .flat_map(|i| (y.saturating_sub(2)..=(y + 2).min(h - 1)).map(move |j| (i, j)))
            .map(|(i, j)| diff(img.get_pixel(i, j), behind.get_pixel(i, j)))
            .max()
            .unwrap_or(0);
        faint += (best < min) as usize;
    }
    (n, faint)
}

#[test]
fn parcels_default_borders_stay_visible() {
    let dir = util::out_dir("parcels_borders");
    let lh = data("lh.inflated");
    let annot = mmp_like(&dir);
    let a = annot.to_str().expect("utf8");
    let base = [&lh as &str, "--views", "lateral,medial", "--annot", a];
    // Borders alone, over the cortex.
    let cortex = render(
        &dir,
        "cortex.png",
        &[&lh as &str, "--views", "lateral,medial"],
    );
    let lines = render(
        &dir,
        "outline.png",
        &[&base[..], &["--annot-outline"]].concat(),
    );
    let marked = render(
        &dir,
        "outline_marked.png",
        &[&base[..], &["--annot-outline", "--border-color", "magenta"]].concat(),
    );
    let (n, faint) = border_contrast(&lines, &cortex, &marked, 60);
    assert!(n > 5000, "only {n} border pixels");
    assert!(
        faint * 200 < n,
        "{faint} of {n} border pixels differ from the cortex behind by less than 60/255"
    );
    // Borders over the filled parcels.
    let filled = render(&dir, "filled.png", &base);
    let both = render(
        &dir,
        "both.png",
        &[&base[..], &["--annot-outline=both"]].concat(),
    );
    let marked = render(
        &dir,
        "both_marked.png",
        &[
            &base[..],
            &["--annot-outline=both", "--border-color", "magenta"],
        ]
        .concat(),
    );
    let (n, faint) = border_contrast(&both, &filled, &marked, 60);
    assert!(n > 5000, "only {n} border pixels over the fill");
    assert!(
        faint * 200 < n,
        "{faint} of {n} border pixels differ from the parcels behind by less than 60/255"
    );
}
