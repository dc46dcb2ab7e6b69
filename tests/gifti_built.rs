//! The GIfTI reader against hand-built files that pin byte order, column-major order,
//! legacy spellings, external data and label tables, and against broken or hostile files:
//! every failure must name the file and the problem, fast.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::json;
use surfrender::io::Loaded;

use crate::gifti::load;
use crate::util::{self, annotation, le_f32, overlay, surface};

// ---- hand-built files ----

const DOCTYPE: &str =
    r#"<!DOCTYPE GIFTI SYSTEM "http://www.nitrc.org/frs/download.php/115/gifti.dtd">"#;

/// A whole GIfTI document around `body` (DataArrays, LabelTable), with the DOCTYPE line
/// nearly every writer emits.
fn gii(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{DOCTYPE}\n\
         <GIFTI Version=\"1.0\">\n{body}</GIFTI>\n"
    )
}

/// One DataArray: `attrs` are written as given, `data` goes in `<Data>`.
fn da(attrs: &str, data: &str) -> String {
    format!("<DataArray {attrs}>\n<MetaData/>\n<Data>{data}</Data>\n</DataArray>\n")
}

/// Attributes of a 1-D array of `n` values.
fn vec_attrs(dtype: &str, n: usize, encoding: &str) -> String {
    format!(
        "Intent=\"NIFTI_INTENT_SHAPE\" DataType=\"{dtype}\" ArrayIndexingOrder=\"RowMajorOrder\" \
         Dimensionality=\"1\" Dim0=\"{n}\" Encoding=\"{encoding}\" Endian=\"LittleEndian\""
    )
}

/// A one-array ASCII GIfTI of `values` (for other modules' tests).
pub(crate) fn ascii_overlay(values: &[f32]) -> String {
    let text: Vec<String> = values.iter().map(f32::to_string).collect();
    gii(&da(
        &vec_attrs("NIFTI_TYPE_FLOAT32", values.len(), "ASCII"),
        &text.join(" "),
    ))
}

/// A one-array GIfTI of `n` float32 values in the external file `name`.
pub(crate) fn external_overlay(name: &str, n: usize) -> String {
    let attrs = vec_attrs("NIFTI_TYPE_FLOAT32", n, "ExternalFileBinary")
        + &format!(" ExternalFileName=\"{name}\" ExternalFileOffset=\"0\"");
    gii(&da(&attrs, ""))
}

fn zlib(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// Writes `text` as `dir/name` and loads it.
fn load_text(dir: &Path, name: &str, text: &str) -> surfrender::Result<Loaded> {
    load(&util::write(dir, name, text.as_bytes()))
}

/// Writes `bytes` as `dir/name`, asserts that loading fails quickly with a message naming
/// the file and containing every one of `parts`, and returns the message.
fn refused(dir: &Path, name: &str, bytes: &[u8], parts: &[&str]) -> String {
    let timed_load = |path: &Path| {
        let start = Instant::now();
        let loaded = load(path);
        let took = start.elapsed();
        assert!(took < Duration::from_secs(1), "{name}: took {took:?}");
        loaded
    };
    util::refused(dir, name, bytes, timed_load, parts).to_string()
}

#[test]
fn gifti_big_endian_base64() {
    let dir = util::out_dir("gifti_big_endian");
    let floats = [1.5f32, -2.25, 3.0e5, f32::MIN_POSITIVE];
    let ints = [1i32, -2, 0x0102_0304, i32::MIN];
    let f_be: Vec<u8> = floats.iter().flat_map(|x| x.to_be_bytes()).collect();
    let i_be: Vec<u8> = ints.iter().flat_map(|x| x.to_be_bytes()).collect();
    let attrs = |dtype| vec_attrs(dtype, 4, "Base64Binary").replace("Little", "Big");
    let body = da(&attrs("NIFTI_TYPE_FLOAT32"), &B64.encode(&f_be))
        + &da(&attrs("NIFTI_TYPE_INT32"), &B64.encode(&i_be));
    let l = load_text(&dir, "be.func.gii", &gii(&body)).unwrap();
    assert_eq!(l.details["endian"], json!(["BigEndian"]));
    assert_eq!(l.details["encodings"], json!(["Base64Binary"]));
    assert_eq!(l.details["n_dataarrays"], json!(2));
    let ov = overlay(l);
    assert_eq!(ov.frame(0).unwrap(), floats);
    let want: Vec<f32> = ints.iter().map(|&i| i as f32).collect();
    assert_eq!(ov.frame(1).unwrap(), want);
}

/// A ColumnMajorOrder (N, 3) array stores all x, then all y, then all z; nibabel presents
/// it row by row, and so must we. Legacy spellings are read too, and the DOCTYPE line is
/// ignored.
#[test]
fn gifti_column_major_surface_and_legacy_spellings() {
    let dir = util::out_dir("gifti_column_major");
    let verts = [
        [0.0f32, 1.0, 2.0],
        [10.0, 11.0, 12.0],
        [20.0, 21.0, 22.0],
        [30.0, 31.0, 32.0],
    ];
    let faces = [[0i32, 1, 2], [0, 2, 3]];
    let col_v: Vec<f32> = (0..3)
        .flat_map(|k| verts.iter().map(move |v| v[k]))
        .collect();
    let col_f: Vec<i32> = (0..3)
        .flat_map(|k| faces.iter().map(move |f| f[k]))
        .collect();
    let col_f_bytes: Vec<u8> = col_f.iter().flat_map(|x| x.to_le_bytes()).collect();
    let attrs = |intent: &str, dtype: &str, n: usize, enc: &str| {
        format!(
            "Intent=\"{intent}\" DataType=\"{dtype}\" ArrayIndexingOrder=\"ColumnMajorOrder\" \
             Dimensionality=\"2\" Dim0=\"{n}\" Dim1=\"3\" Encoding=\"{enc}\" \
             Endian=\"GIFTI_ENDIAN_LITTLE\""
        )
    };
    let body = da(
        &attrs(
            "NIFTI_INTENT_POINTSET",
            "NIFTI_TYPE_FLOAT32",
            4,
            "GIFTI_ENCODING_B64GZ",
        ),
        &B64.encode(zlib(&le_f32(&col_v))),
    ) + &da(
        &attrs(
            "NIFTI_INTENT_TRIANGLE",
            "NIFTI_TYPE_INT32",
            2,
            "GIFTI_ENCODING_B64BIN",
        ),
        &B64.encode(&col_f_bytes),
    );
    let l = load_text(&dir, "cm.surf.gii", &gii(&body)).unwrap();
    assert_eq!(
        l.details["encodings"],
        json!(["GZipBase64Binary", "Base64Binary"])
    );
    assert_eq!(l.details["endian"], json!(["LittleEndian"]));
    assert!(l.details.get("n_dataarrays").is_none());
    let mesh = surface(l);
    assert_eq!(mesh.vertices, verts);
    assert_eq!(mesh.faces, [[0, 1, 2], [0, 2, 3]]);

    // The same surface in ASCII, row-major, with the values wrapped over lines.
    let ascii = |intent: &str, dtype: &str, n: usize| {
        attrs(intent, dtype, n, "GIFTI_ENCODING_ASCII").replace("ColumnMajor", "RowMajor")
    };
    let body = da(
        &ascii("NIFTI_INTENT_POINTSET", "NIFTI_TYPE_FLOAT64", 4),
        "\n 0 1 2\n 10 11 12 20\n 21 22 30 31 32\n",
    ) + &da(
        &ascii("NIFTI_INTENT_TRIANGLE", "NIFTI_TYPE_INT32", 2),
        "0 1 2 0 2 3",
    );
    let mesh = surface(load_text(&dir, "a.surf.gii", &gii(&body)).unwrap());
    assert_eq!(mesh.vertices, verts);
    assert_eq!(mesh.faces, [[0, 1, 2], [0, 2, 3]]);
}

#[test]
fn gifti_external_file_binary() {
    let dir = util::out_dir("gifti_external");
    let values = [0.5f32, -1.0, 7.25];
    let mut bin = b"garbage!".to_vec();
    bin.extend(le_f32(&values));
    util::write(&dir, "data.bin", &bin);
    let ext = |name: &str, offset: &str| {
        let attrs = vec_attrs("NIFTI_TYPE_FLOAT32", 3, "ExternalFileBinary")
            + &format!(" ExternalFileName=\"{name}\" ExternalFileOffset=\"{offset}\"");
        gii(&da(&attrs, ""))
    };
    let l = load_text(&dir, "ext.func.gii", &ext("data.bin", "8")).unwrap();
    assert_eq!(l.details["encodings"], json!(["ExternalFileBinary"]));
    assert_eq!(overlay(l).values, values);
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    util::write(&dir.join("sub"), "d.bin", &le_f32(&values));
    let l = load_text(&dir, "sub.func.gii", &ext("./sub/d.bin", "")).unwrap();
    assert_eq!(overlay(l).values, values);

    let bad =
        |name: &str, text: String, parts: &[&str]| refused(&dir, name, text.as_bytes(), parts);
    bad(
        "up.func.gii",
        ext("../x.bin", "0"),
        &["../x.bin", "'..'", "DataArray 0"],
    );
    bad("sub_up.func.gii", ext("sub/../../x.bin", "0"), &["'..'"]);
    bad(
        "abs.func.gii",
        ext("/etc/passwd", "0"),
        &["/etc/passwd", "absolute"],
    );
    bad(
        "missing.func.gii",
        ext("missing.bin", "0"),
        &["missing.bin", "cannot read"],
    );
    // 8 + 12 bytes in the file: offset 9 needs 21.
    bad(
        "short.func.gii",
        ext("data.bin", "9"),
        &["data.bin", "holds 20 bytes", "9", "12 bytes"],
    );
    bad(
        "huge.func.gii",
        ext("data.bin", "18446744073709551615"),
        &["data.bin", "holds 20 bytes"],
    );
    bad(
        "empty.func.gii",
        ext("", "0"),
        &["ExternalFileName is empty"],
    );
}

#[test]
fn gifti_annotation_from_label_table() {
    let dir = util::out_dir("gifti_annotation");
    let table = "<LabelTable>\n\
        <Label Key=\"0\" Red=\"1\" Green=\"1\" Blue=\"1\" Alpha=\"0\"><![CDATA[???]]></Label>\n\
        <Label Key=\"7\" Red=\"0.0980392\" Green=\"0.392157\" Blue=\"0.156863\" Alpha=\"1\">bankssts</Label>\n\
        <Label Key=\"9\">uncoloured</Label>\n\
        </LabelTable>\n";
    let attrs = vec_attrs("NIFTI_TYPE_INT32", 6, "ASCII").replace("SHAPE", "LABEL");
    let text = gii(&(table.to_string() + &da(&attrs, "0 7 9 7 5 -1")));
    let l = load_text(&dir, "lh.aparc.label.gii", &text).unwrap();
    assert!(l.details.get("n_dataarrays").is_none());
    let a = annotation(l);
    assert_eq!(a.labels, [Some(0), Some(1), Some(2), Some(1), None, None]);
    let keys: Vec<(i32, &str)> = a.table.iter().map(|e| (e.key, e.name.as_str())).collect();
    assert_eq!(keys, [(0, "???"), (7, "bankssts"), (9, "uncoloured")]);
    assert_eq!(a.table[0].rgba, [255, 255, 255, 0]);
    assert_eq!(a.table[1].rgba, [25, 100, 40, 255]);
    assert_eq!(a.table[2].rgba[3], 255);

    // Without a LabelTable the same array is per-vertex data.
    let text = gii(&da(&attrs, "0 7 9 7 5 -1"));
    let ov = overlay(load_text(&dir, "nolabels.gii", &text).unwrap());
    assert_eq!(ov.values, [0.0, 7.0, 9.0, 7.0, 5.0, -1.0]);
}

#[test]
fn gifti_overlay_frames_and_names() {
    let dir = util::out_dir("gifti_frames");
    let named = |name: &str, data: &str| {
        format!(
            "<DataArray {}>\n<MetaData><MD><Name>Name</Name><Value><![CDATA[{name}]]></Value></MD>\
             </MetaData>\n<Data>{data}</Data>\n</DataArray>\n",
            vec_attrs("NIFTI_TYPE_FLOAT32", 3, "ASCII")
        )
    };
    let u8s = vec_attrs("NIFTI_TYPE_UINT8", 3, "Base64Binary")
        .replace("Dimensionality=\"1\"", "Dimensionality=\"2\" Dim1=\"1\"");
    let body =
        named("first", "1 2 3") + &named("second", "4 5 6") + &da(&u8s, &B64.encode([7, 8, 255]));
    let l = load_text(&dir, "frames.func.gii", &gii(&body)).unwrap();
    assert_eq!(l.details["n_dataarrays"], json!(3));
    assert_eq!(l.details["encodings"], json!(["ASCII", "Base64Binary"]));
    let ov = overlay(l);
    assert_eq!((ov.n_vertices, ov.n_frames), (3, 3));
    assert_eq!(ov.values, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 255.0]);
    assert_eq!(ov.frame_names, ["first", "second", "DataArray 2"]);

    let body = named("a", "1 2 3") + &da(&vec_attrs("NIFTI_TYPE_FLOAT32", 2, "ASCII"), "1 2");
    refused(
        &dir,
        "lengths.func.gii",
        gii(&body).as_bytes(),
        &["DataArray 1 has 2 values", "3"],
    );
}

#[test]
fn gifti_bad_xml_and_doctype() {
    let dir = util::out_dir("gifti_bad_xml");
    let attrs = vec_attrs("NIFTI_TYPE_FLOAT32", 4, "Base64Binary");
    let good = gii(&da(&attrs, &B64.encode(le_f32(&[1.0, 2.0, 3.0, 4.0]))));
    assert!(load_text(&dir, "good.gii", &good).is_ok());

    let cut = &good.as_bytes()[..good.len() / 2];
    refused(&dir, "cut.gii", cut, &["malformed XML", "line"]);
    let broken = good.replace("</Data>", "</Dta>");
    refused(
        &dir,
        "tag.gii",
        broken.as_bytes(),
        &["malformed XML at line 6, column 31"],
    );
    let latin1 = good
        .replace("<MetaData/>", "<MetaData>\u{e9}</MetaData>")
        .into_bytes();
    let latin1: Vec<u8> = latin1
        .iter()
        .flat_map(|&b| if b == 0xc3 { None } else { Some(b) })
        .collect();
    refused(&dir, "latin1.gii", &latin1, &["not UTF-8"]);
    refused(
        &dir,
        "root.gii",
        b"<?xml version=\"1.0\"?><NIFTI/>",
        &["<NIFTI>", "not <GIFTI>"],
    );
    refused(&dir, "none.gii", gii("").as_bytes(), &["no DataArray"]);

    // An external entity must never be fetched: the file is refused before parsing.
    let xxe = good
        .replace(
            DOCTYPE,
            "<!DOCTYPE GIFTI [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>",
        )
        .replace(
            "<MetaData/>",
            "<MetaData><MD><Name>x</Name><Value>&xxe;</Value></MD></MetaData>",
        );
    let msg = refused(&dir, "xxe.gii", xxe.as_bytes(), &["DOCTYPE", "refused"]);
    assert!(!msg.contains("root:"), "{msg}");
    // Nor an internal one expanded (billion laughs).
    let lol = good.replace(
        DOCTYPE,
        "<!DOCTYPE GIFTI [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]>",
    );
    refused(&dir, "lol.gii", lol.as_bytes(), &["DOCTYPE"]);
    // A DOCTYPE after the root element is not a blanked prolog line either.
    let late = good.replace(
        "<MetaData/>",
        "<!DOCTYPE x SYSTEM \"http://example.org/\"><MetaData/>",
    );
    refused(&dir, "late.gii", late.as_bytes(), &["malformed XML"]);
}

#[test]
fn gifti_bad_arrays() {
    let dir = util::out_dir("gifti_bad_arrays");
    let f32s = |n: usize, enc: &str| vec_attrs("NIFTI_TYPE_FLOAT32", n, enc);
    let four = le_f32(&[1.0, 2.0, 3.0, 4.0]);
    let bad = |name: &str, body: String, parts: &[&str]| {
        refused(&dir, name, gii(&body).as_bytes(), parts)
    };

    bad(
        "b64.gii",
        da(&f32s(4, "Base64Binary"), "AAAAAAAA!AAAAAAAAAAAAAAAA"),
        &["DataArray 0", "bad base64", "'!'", "position 8"],
    );
    bad(
        "b64gz.gii",
        da(&f32s(4, "GZipBase64Binary"), "eJ*"),
        &["DataArray 0", "bad base64", "'*'"],
    );
    bad(
        "dims.gii",
        da(&f32s(5, "Base64Binary"), &B64.encode(&four)),
        &["DataArray 0", "Dims [5]", "need 20 bytes", "hold 16"],
    );
    bad(
        "dims_gz.gii",
        da(&f32s(3, "GZipBase64Binary"), &B64.encode(zlib(&four))),
        &["DataArray 0", "more than the 12 bytes"],
    );
    bad(
        "dims_gz_short.gii",
        da(&f32s(5, "GZipBase64Binary"), &B64.encode(zlib(&four))),
        &["DataArray 0", "need 20 bytes", "hold 16"],
    );
    bad(
        "dims_ascii.gii",
        da(&f32s(5, "ASCII"), "1 2 3 4"),
        &["DataArray 0", "need 5 values", "hold 4"],
    );
    bad(
        "ascii_word.gii",
        da(&f32s(2, "ASCII"), "1 two"),
        &[
            "DataArray 0",
            "ASCII value 1",
            "\"two\"",
            "NIFTI_TYPE_FLOAT32",
        ],
    );
    bad(
        "notzlib.gii",
        da(&f32s(4, "GZipBase64Binary"), &B64.encode(&four)),
        &["DataArray 0", "corrupt GZipBase64Binary data"],
    );

    let overflow = f32s(1, "Base64Binary").replace(
        "Dimensionality=\"1\" Dim0=\"1\"",
        "Dimensionality=\"3\" Dim0=\"4294967296\" Dim1=\"4294967296\" Dim2=\"2\"",
    );
    bad(
        "overflow.gii",
        da(&overflow, &B64.encode(&four)),
        &["overflow"],
    );

    let no_dim1 = f32s(4, "ASCII").replace("Dimensionality=\"1\"", "Dimensionality=\"2\"");
    bad(
        "nodim1.gii",
        da(&no_dim1, "1 2 3 4"),
        &["DataArray 0", "no Dim1"],
    );
    let extra = f32s(4, "ASCII").replace("Dim0=\"4\"", "Dim0=\"4\" Dim1=\"2\"");
    bad(
        "extra.gii",
        da(&extra, "1 2 3 4"),
        &["Dim1 is 2 but Dimensionality is 1"],
    );
    let no_dims = f32s(4, "ASCII").replace("Dimensionality=\"1\"", "");
    bad(
        "nodims.gii",
        da(&no_dims, "1 2 3 4"),
        &["no Dimensionality"],
    );
    let seven = f32s(4, "ASCII").replace("Dimensionality=\"1\"", "Dimensionality=\"7\"");
    bad(
        "seven.gii",
        da(&seven, "1 2 3 4"),
        &["Dimensionality \"7\""],
    );
    let int16 = vec_attrs("NIFTI_TYPE_INT16", 2, "ASCII");
    bad(
        "int16.gii",
        da(&int16, "1 2"),
        &["DataType", "NIFTI_TYPE_INT16", "DataArray 0"],
    );
    bad(
        "enc.gii",
        da(&f32s(2, "Base85"), "1 2"),
        &["Encoding", "Base85"],
    );
    let two_d = f32s(2, "ASCII").replace(
        "Dimensionality=\"1\" Dim0=\"2\"",
        "Dimensionality=\"2\" Dim0=\"2\" Dim1=\"2\"",
    );
    bad(
        "2d.gii",
        da(&two_d, "1 2 3 4"),
        &["Dims [2, 2]", "(N) or (N, 1)"],
    );
}

/// Dims of 2^40 values: refused from the sizes alone, in every encoding, by the memory
/// budget before anything is decoded (issue 10); a shape that is not per-vertex data is
/// refused as such, whatever its size.
#[test]
fn gifti_huge_dims() {
    let dir = util::out_dir("gifti_huge_dims");
    let four = le_f32(&[1.0]);
    let f32s = |n: usize, enc: &str| vec_attrs("NIFTI_TYPE_FLOAT32", n, enc);
    let bad = |name: &str, text: String, parts: &[&str]| {
        refused(&dir, name, gii(&text).as_bytes(), parts);
    };
    let huge = |enc: &str| {
        f32s(1, enc).replace(
            "Dimensionality=\"1\" Dim0=\"1\"",
            "Dimensionality=\"2\" Dim0=\"1099511627776\" Dim1=\"1\"",
        )
    };
    let budget = ["its 1 data arrays, decoded", "memory budget of 1.0 GiB"];
    bad(
        "huge.gii",
        da(&huge("Base64Binary"), &B64.encode(&four)),
        &budget,
    );
    bad(
        "huge_gz.gii",
        da(&huge("GZipBase64Binary"), &B64.encode(zlib(&four))),
        &budget,
    );
    bad("huge_ascii.gii", da(&huge("ASCII"), "1 2 3 4"), &budget);
    let square = f32s(1, "Base64Binary").replace(
        "Dimensionality=\"1\" Dim0=\"1\"",
        "Dimensionality=\"2\" Dim0=\"1048576\" Dim1=\"1048576\"",
    );
    bad(
        "square.gii",
        da(&square, &B64.encode(&four)),
        &[
            "Dims [1048576, 1048576]",
            "per-vertex data must be (N) or (N, 1)",
        ],
    );
}

/// Attributes of an (n, 3) surface array.
fn rows3(intent: &str, dtype: &str, n: usize) -> String {
    format!(
        "Intent=\"NIFTI_INTENT_{intent}\" DataType=\"NIFTI_TYPE_{dtype}\" \
         ArrayIndexingOrder=\"RowMajorOrder\" Dimensionality=\"2\" Dim0=\"{n}\" Dim1=\"3\" \
         Encoding=\"ASCII\" Endian=\"LittleEndian\""
    )
}

#[test]
fn gifti_bad_surfaces() {
    let dir = util::out_dir("gifti_bad_surfaces");
    let points = da(&rows3("POINTSET", "FLOAT32", 3), "0 0 0 1 0 0 0 1 0");
    let bad = |name: &str, body: String, parts: &[&str]| {
        refused(&dir, name, gii(&body).as_bytes(), parts)
    };
    let tris = |data: &str| da(&rows3("TRIANGLE", "INT32", 2), data);
    assert!(load_text(
        &dir,
        "ok.surf.gii",
        &gii(&(points.clone() + &tris("0 1 2 2 1 0")))
    )
    .is_ok());

    bad(
        "oob.surf.gii",
        points.clone() + &tris("0 1 2 2 1 3"),
        &["face 1 (2, 1, 3)", "vertex 3", "3 vertices"],
    );
    bad(
        "neg.surf.gii",
        points.clone() + &tris("0 1 2 -1 1 2"),
        &["face 1", "vertex -1"],
    );
    bad(
        "nofaces.surf.gii",
        points.clone(),
        &["NIFTI_INTENT_POINTSET", "no DataArray holds faces"],
    );
    bad(
        "novertices.surf.gii",
        tris("0 1 2 2 1 0"),
        &["NIFTI_INTENT_TRIANGLE", "NIFTI_INTENT_POINTSET"],
    );
    let float_faces = da(&rows3("TRIANGLE", "FLOAT32", 1), "0 1 2");
    bad(
        "ffaces.surf.gii",
        points.clone() + &float_faces,
        &["DataArray 1", "NIFTI_TYPE_FLOAT32", "integers"],
    );
    let flat = da(
        &vec_attrs("NIFTI_TYPE_FLOAT32", 9, "ASCII").replace("SHAPE", "POINTSET"),
        "0 0 0 1 0 0 0 1 0",
    );
    bad(
        "flat.surf.gii",
        flat + &tris("0 1 2 2 1 0"),
        &["DataArray 0", "Dims [9]", "(N, 3)"],
    );
}

/// 100 MB of zeros deflate to about 100 kB; with Dims of 10 floats the reader must stop
/// after 41 inflated bytes.
fn zlib_bomb() -> Vec<u8> {
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let block = vec![0u8; 1 << 20];
    for _ in 0..100 {
        enc.write_all(&block).unwrap();
    }
    enc.finish().unwrap()
}

const BOMB_ENV: &str = "SURFRENDER_TEST_GIFTI_BOMB";

#[test]
fn gifti_zlib_bomb_fails_fast() {
    let dir = util::out_dir("gifti_zlib_bomb");
    let bomb = zlib_bomb();
    assert!(bomb.len() < 200_000, "bomb is {} bytes", bomb.len());
    let text = gii(&da(
        &vec_attrs("NIFTI_TYPE_FLOAT32", 10, "GZipBase64Binary"),
        &B64.encode(&bomb),
    ));
    let msg = refused(
        &dir,
        "bomb.func.gii",
        text.as_bytes(),
        &["DataArray 0", "more than the 40 bytes"],
    );
    assert!(msg.contains("stopped"), "{msg}");

    // Memory, measured in a process of its own: the child reads the bomb and reports its
    // peak resident memory, which must stay far below the 100 MB the data inflate to.
    let (child, path) = (
        "gifti_built::gifti_zlib_bomb_child",
        dir.join("bomb.func.gii"),
    );
    util::assert_child_peak_below(child, BOMB_ENV, &path, 48 << 10);
}

/// Run by the test above in a child process; does nothing on its own.
#[test]
#[ignore = "helper run in a child process by gifti_zlib_bomb_fails_fast"]
fn gifti_zlib_bomb_child() {
    let Some(path) = std::env::var_os(BOMB_ENV) else {
        return;
    };
    assert!(load(Path::new(&path)).is_err());
    util::report_peak_rss();
}

/// Whole-file gzip of a GIfTI (nilearn's `.gii.gz`) reads like the plain file.
#[test]
fn gifti_whole_file_gzip() {
    let dir = util::out_dir("gifti_gz");
    let text = gii(&da(&vec_attrs("NIFTI_TYPE_FLOAT32", 3, "ASCII"), "1 2 3"));
    let path = util::write(&dir, "x.func.gii.gz", &util::gzip(text.as_bytes()));
    assert_eq!(overlay(load(&path).unwrap()).values, [1.0, 2.0, 3.0]);
}
