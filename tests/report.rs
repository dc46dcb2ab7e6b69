//! `surfrender report OUTDIR` on real figures (issue 14, item 6): three figures made by the
//! binary (one in a subfolder, one whose sidecar carries facts and an awkward subject name)
//! and a batch record with a failed subject; the page names them all and every thumbnail
//! decodes. A missing OUTDIR is a clear error.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::util;

/// The awkward subject name the fixture gives the third figure through its facts.
pub const ODD_SUBJECT: &str = "sub-03 <\"&>";

/// The failed subject's error in the fixture's batch record.
pub const FAILURE: &str = "lh.thickness: truncated overlay: expected 40968 bytes, found 12";

/// Renders a small CPU figure of `hemi`'s surface with `overlay` to `out`.
fn render(hemi: &str, overlay: &str, out: &Path) {
    let surface = util::data(&format!("{hemi}.inflated"));
    let overlay = util::data(&format!("{hemi}.{overlay}"));
    let status = util::surfrender()
        .arg(&surface)
        .arg("--overlay")
        .arg(&overlay)
        .args(["--backend", "cpu", "--size", "400x300", "-q", "-o"])
        .arg(out)
        .status()
        .expect("run surfrender");
    assert!(status.success(), "rendering {} failed", out.display());
}

/// A folder as a batch leaves it: `sub-01.png`, `sub-02.png`, `group/sub-03.png` with
/// their sidecars (the third with the facts main's batch adds, its subject
/// [`ODD_SUBJECT`]), and `batch.json` recording `sub-04` as failed with [`FAILURE`].
pub fn fixture(name: &str) -> PathBuf {
    let dir = util::out_dir(name);
    render("lh", "thickness", &dir.join("sub-01.png"));
    render("rh", "thickness", &dir.join("sub-02.png"));
    std::fs::create_dir(dir.join("group")).expect("make group folder");
    let third = dir.join("group/sub-03.png");
    render("lh", "curv", &third);
    let side = dir.join("group/sub-03.png.json");
    let mut doc: Value =
        serde_json::from_str(&std::fs::read_to_string(&side).expect("read sidecar"))
            .expect("sidecar JSON");
    doc["facts"] = json!({
        "subject": ODD_SUBJECT,
        "surfaces": [{"hemi": "lh", "path": "lh.inflated", "vertices": 10242, "faces": 20480}],
        "overlays": [{"hemi": "lh", "path": "lh.curv", "min": -0.6, "max": 0.7, "non_finite": 2, "range": [0.1, 0.5]}],
    });
    doc["batch"] = json!({"row": 3, "values": {"subject": "not this one"}});
    std::fs::write(&side, doc.to_string()).expect("write sidecar");
    let record = json!({
        "surfrender": "0.1.0", "shard": null, "seconds": 1.5,
        "counts": {"written": 3, "up_to_date": 0, "failed": 1},
        "figures": [
            {"row": 1, "subject": "sub-01", "output": "sub-01.png", "status": "written", "seconds": 0.2},
            {"row": 4, "subject": "sub-04", "output": "sub-04.png", "status": "failed", "error": FAILURE, "seconds": 0.1},
        ],
    });
    std::fs::write(dir.join("batch.json"), record.to_string()).expect("write batch.json");
    dir
}

/// Runs `surfrender report dir` and returns its standard output; it must succeed.
pub fn report(dir: &Path) -> String {
    let out = util::surfrender()
        .arg("report")
        .arg(dir)
        .output()
        .expect("run report");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "report failed: {stderr}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn report_shows_every_figure_and_failure_with_thumbnails() {
    let dir = fixture("report_cli");
    let stdout = report(&dir);
    let page = dir.join("index.html");
    assert_eq!(
        stdout.trim(),
        format!("report: 3 figures, 1 failed: {}", page.display())
    );
    let html = std::fs::read_to_string(&page).expect("read index.html");
    // The odd name travels JSON-escaped, never as markup.
    let odd = r#"sub-03 \u003c\"\u0026\u003e"#;
    for text in [
        "\"sub-01\"",
        "\"sub-02\"",
        odd,
        "\"sub-04\"",
        FAILURE,
        "\"non_finite\":2",
    ] {
        assert!(html.contains(text), "index.html lacks {text}");
    }
    assert!(
        !html.contains(ODD_SUBJECT),
        "the odd name appears unescaped"
    );
    assert!(
        !html.contains("not this one"),
        "facts.subject comes before the batch's"
    );
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the page must need no network"
    );
    for fig in ["sub-01.png", "sub-02.png", "group/sub-03.png"] {
        let thumb = image::open(dir.join("thumbs").join(fig)).expect("thumbnail decodes");
        assert!(
            thumb.width() > 0 && thumb.width() <= 400,
            "{fig}: {}",
            thumb.width()
        );
        assert!(
            html.contains(&format!("\"thumbs/{fig}\"")),
            "page does not use the thumbnail of {fig}"
        );
    }
    // A second run keeps the thumbnails (none is older than its figure).
    let before = std::fs::metadata(dir.join("thumbs/sub-01.png"))
        .and_then(|m| m.modified())
        .expect("mtime");
    report(&dir);
    let after = std::fs::metadata(dir.join("thumbs/sub-01.png"))
        .and_then(|m| m.modified())
        .expect("mtime");
    assert_eq!(before, after, "an up-to-date thumbnail was remade");
}

#[test]
fn report_of_a_missing_folder_is_a_clear_error() {
    let dir = util::out_dir("report_missing");
    let missing = dir.join("no-such-run");
    let out = util::surfrender()
        .arg("report")
        .arg(&missing)
        .output()
        .expect("run report");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("surfrender: error: "), "{stderr}");
    assert!(
        stderr.contains("no-such-run") && stderr.contains("No such file"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        !missing.exists(),
        "report made the folder it was asked to read"
    );
}

#[test]
fn a_corrupt_sidecar_is_named_and_skipped() {
    let dir = util::out_dir("report_corrupt");
    render("lh", "thickness", &dir.join("good.png"));
    std::fs::copy(dir.join("good.png"), dir.join("bad.png")).expect("copy figure");
    std::fs::write(dir.join("bad.png.json"), "{\"surfrender\": ").expect("write corrupt sidecar");
    let out = util::surfrender()
        .arg("report")
        .arg(&dir)
        .output()
        .expect("run report");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("report: 1 figures, 0 failed"));
    assert!(
        stderr.contains("note: report: skipped") && stderr.contains("bad.png.json"),
        "{stderr}"
    );
}
