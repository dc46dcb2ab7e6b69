//! The report's stages on small hand-made folders: what a scan finds and skips, how a
//! subject is named, how failures of several batch records merge with the figures
//! present, when a thumbnail is remade, and that no name can break the page.

use std::path::Path;
use std::time::{Duration, SystemTime};

use image::{Rgba, RgbaImage};
use serde_json::{json, Value};

use super::page::{escape_html, fill, script_json};
use super::scan::{self, failures, natural_cmp, subject_of, Failure, Row};
use super::thumbs::is_stale;
use super::*;
use crate::test_util::out_dir;

/// A 64×48 PNG with two colours (a figure) at `path`.
fn png(path: &Path) {
    let img = RgbaImage::from_fn(64, 48, |x, _| match x < 32 {
        true => Rgba([255, 255, 255, 255]),
        false => Rgba([200, 40, 40, 255]),
    });
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    crate::output::write_png(
        path,
        &img,
        false,
        &Vec::new(),
        None,
        crate::spec::PngCompression::Fast,
    )
    .unwrap();
}

/// A figure with the sidecar `doc`.
fn figure(path: &Path, doc: Value) {
    png(path);
    std::fs::write(crate::output::sidecar::path(path), doc.to_string()).unwrap();
}

fn set_modified(path: &Path, t: SystemTime) {
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(t).unwrap();
}

#[test]
fn subject_comes_from_facts_then_batch_then_spec_then_file_name() {
    let png = Path::new("/x/fig-7.png");
    let all = json!({"facts": {"subject": "A"}, "batch": {"values": {"subject": "B"}}, "spec": {"subject": "C"}});
    assert_eq!(subject_of(&all, png), "A");
    let no_facts =
        json!({"facts": {}, "batch": {"values": {"subject": "B"}}, "spec": {"subject": "C"}});
    assert_eq!(subject_of(&no_facts, png), "B");
    assert_eq!(subject_of(&json!({"spec": {"subject": "C"}}), png), "C");
    // Wrong types and blank names fall through.
    let odd = json!({"facts": {"subject": 3}, "batch": {"values": {"subject": " "}}});
    assert_eq!(subject_of(&odd, png), "fig-7");
}

#[test]
fn scan_reads_facts_skips_thumbs_and_names_the_bad_sidecars() {
    let dir = out_dir("report_scan");
    let facts = json!({
        "subject": "sub-10",
        "surfaces": [{"hemi": "lh", "path": "lh.inflated", "vertices": 10242, "faces": 20480}],
        "overlays": [{"hemi": "lh", "min": 1.2, "max": 4.9, "non_finite": 3, "range": [2.5, 4.0]},
                     {"hemi": "rh", "min": "oops", "range": [1]}],
    });
    figure(
        &dir.join("group/a.png"),
        json!({"surfrender": "0.1.0", "facts": facts, "batch": {"row": 4}}),
    );
    figure(
        &dir.join("sub-2.png"),
        json!({"surfrender": "0.1.0", "spec": {}}),
    );
    figure(
        &dir.join("thumbs/sub-2.png"),
        json!({"surfrender": "0.1.0"}),
    );
    png(&dir.join("broken.png"));
    std::fs::write(dir.join("broken.png.json"), "{not json").unwrap();
    std::fs::write(dir.join("orphan.png.json"), r#"{"surfrender": "0.1.0"}"#).unwrap();
    png(&dir.join("other.png"));
    std::fs::write(dir.join("other.png.json"), "{}").unwrap();

    let found = scan::scan(&dir).unwrap();
    let names: Vec<_> = found
        .figures
        .iter()
        .map(|f| (f.subject.as_str(), f.png.as_str()))
        .collect();
    assert_eq!(names, [("sub-2", "sub-2.png"), ("sub-10", "group/a.png")]);
    let a = &found.figures[1];
    assert_eq!(a.row, Some(4));
    assert_eq!(a.surfaces[0].vertices, Some(10242));
    assert_eq!(a.overlays[0].non_finite, Some(3));
    assert_eq!(a.overlays[0].range, Some([2.5, 4.0]));
    assert_eq!(
        (
            a.overlays[1].hemi.as_deref(),
            a.overlays[1].min,
            a.overlays[1].range
        ),
        (Some("rh"), None, None)
    );
    assert!(found.figures[0].surfaces.is_empty());
    let notices = found.notices.join("\n");
    assert_eq!(found.notices.len(), 3, "{notices}");
    for name in ["broken.png.json", "orphan.png.json", "other.png.json"] {
        assert!(notices.contains(name), "no notice names {name}: {notices}");
    }
}

fn row(output: &str, status: &str, record: &str, at: SystemTime) -> Row {
    Row {
        output: output.into(),
        status: status.into(),
        failure: Failure {
            subject: output.trim_end_matches(".png").into(),
            output: output.into(),
            error: format!("{record}: it broke"),
            row: Some(1),
            record: record.into(),
        },
        written: Some(at),
    }
}

#[test]
fn failures_merge_newest_record_first_and_yield_to_newer_figures() {
    let dir = out_dir("report_failures");
    let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let at = |s: u64| t0 + Duration::from_secs(s);
    figure(&dir.join("fixed.png"), json!({"surfrender": "0.1.0"}));
    figure(&dir.join("stale.png"), json!({"surfrender": "0.1.0"}));
    set_modified(&dir.join("fixed.png"), at(20));
    set_modified(&dir.join("stale.png"), at(5));
    let figs = scan::scan(&dir).unwrap().figures;
    let rows = vec![
        // A failure, then a later figure of the same output: the figure wins.
        row("fixed.png", "failed", "batch.json", at(10)),
        // A figure older than its failure: the failure stands (the figure is kept too).
        row("stale.png", "failed", "batch.json", at(10)),
        // Failed in an older shard record, written by a newer one: cleared.
        row("redone.png", "failed", "batch-shard-1-of-2.json", at(1)),
        row("redone.png", "written", "batch.json", at(10)),
        // Failed twice: the newer record's error is shown, once.
        row("twice.png", "failed", "batch-shard-1-of-2.json", at(1)),
        row("twice.png", "failed", "batch.json", at(10)),
    ];
    let left = failures(rows, &figs);
    let got: Vec<_> = left
        .iter()
        .map(|f| (f.output.as_str(), f.record.as_str()))
        .collect();
    assert_eq!(
        got,
        [("stale.png", "batch.json"), ("twice.png", "batch.json")]
    );
}

#[test]
fn batch_records_are_read_from_every_batch_json() {
    let dir = out_dir("report_records");
    let record =
        |figs: Value| json!({"surfrender": "0.1.0", "shard": null, "figures": figs}).to_string();
    std::fs::write(
        dir.join("batch-shard-1-of-2.json"),
        record(json!([{"row": 2, "subject": "sub-02", "output": "./sub-02.png", "status": "failed", "error": "lh.thickness: truncated"},
                      {"row": 1, "subject": "sub-01", "output": "sub-01.png", "status": "written"}])),
    )
    .unwrap();
    std::fs::write(
        dir.join("batch.json"),
        record(json!([{"output": "x/sub-09.png", "status": "failed"}])),
    )
    .unwrap();
    std::fs::write(dir.join("batch-old.json"), "[1, 2").unwrap();
    let found = scan::scan(&dir).unwrap();
    let got: Vec<_> = found
        .failures
        .iter()
        .map(|f| (f.subject.as_str(), f.output.as_str(), f.row))
        .collect();
    assert_eq!(
        got,
        [
            ("sub-02", "sub-02.png", Some(2)),
            ("sub-09", "x/sub-09.png", None)
        ]
    );
    assert_eq!(found.failures[0].error, "lh.thickness: truncated");
    assert_eq!(found.failures[1].error, "(no error recorded)");
    assert!(
        found.notices.iter().any(|n| n.contains("batch-old.json")),
        "{:?}",
        found.notices
    );
}

#[test]
fn thumbnails_keep_the_figure_path_and_are_remade_when_stale() {
    let dir = out_dir("report_thumbs");
    assert_eq!(
        thumbnail_path(&dir, &dir.join("a/b.png")),
        dir.join("thumbs/a/b.png")
    );
    assert_eq!(
        thumbnail_path(&dir, Path::new("/elsewhere/c.png")),
        dir.join("thumbs/c.png")
    );

    let big = RgbaImage::from_pixel(1000, 750, Rgba([10, 20, 30, 255]));
    let t = dir.join("deep/er/t.png");
    write_thumbnail(&big, &t).unwrap();
    let small = image::open(&t).unwrap();
    assert_eq!((small.width(), small.height()), (THUMB_WIDTH, 300));
    assert!(!small.color().has_alpha());
    write_thumbnail(&RgbaImage::from_pixel(100, 50, Rgba([0, 0, 0, 0])), &t).unwrap();
    let kept = image::open(&t).unwrap();
    assert_eq!(
        (kept.width(), kept.height(), kept.color().has_alpha()),
        (100, 50, true)
    );

    let fig = dir.join("sub-1.png");
    figure(&fig, json!({"surfrender": "0.1.0"}));
    let thumb = thumbnail_path(&dir, &fig);
    assert!(is_stale(&fig, &thumb), "a missing thumbnail is stale");
    let r = write_report(&dir).unwrap();
    assert_eq!(
        (r.figures, r.failed, r.notices.len()),
        (1, 0, 0),
        "{:?}",
        r.notices
    );
    assert!(!is_stale(&fig, &thumb));
    // A thumbnail newer than its figure is kept as it is; an older one is remade.
    let marker = RgbaImage::from_pixel(7, 7, Rgba([1, 2, 3, 255]));
    write_thumbnail(&marker, &thumb).unwrap();
    write_report(&dir).unwrap();
    assert_eq!(image::open(&thumb).unwrap().width(), 7);
    set_modified(&thumb, SystemTime::now() - Duration::from_secs(3600));
    assert!(is_stale(&fig, &thumb));
    write_report(&dir).unwrap();
    assert_eq!(image::open(&thumb).unwrap().width(), 64);
}

#[test]
fn no_name_breaks_the_page() {
    let dir = out_dir("report_escape");
    let evil = "a</script><b>\"&amp;'{{data}}";
    figure(
        &dir.join("x.png"),
        json!({"surfrender": "0.1.0", "facts": {"subject": evil}}),
    );
    std::fs::write(
        dir.join("batch.json"),
        json!({"figures": [{"subject": evil, "output": "y.png", "status": "failed", "error": "<!-- </script>"}]}).to_string(),
    )
    .unwrap();
    let r = write_report(&dir).unwrap();
    let html = std::fs::read_to_string(&r.page).unwrap();
    assert_eq!(
        html.matches("</script>").count(),
        2,
        "only the page's own two scripts end"
    );
    assert!(!html.contains("<b>") && !html.contains("<!--"));
    let start = html.find(r#"id="qc-data">"#).unwrap() + r#"id="qc-data">"#.len();
    let end = start + html[start..].find("</script>").unwrap();
    let data: Value = serde_json::from_str(&html[start..end]).unwrap();
    assert_eq!(data["figures"][0]["subject"], evil);
    assert_eq!(data["failures"][0]["subject"], evil);
    assert_eq!(data["failures"][0]["error"], "<!-- </script>");
}

#[test]
fn escapes_and_template() {
    assert_eq!(
        escape_html(r#"<a href="x">&'"#),
        "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
    );
    assert_eq!(
        script_json(r#"{"a":"</script>&"}"#),
        r#"{"a":"\u003c/script\u003e\u0026"}"#
    );
    assert_eq!(
        fill("{{a}}-{{b}}-{{c}}-{{", &[("a", "{{b}}"), ("b", "B")]),
        "{{b}}-B-{{c}}-{{"
    );
}

#[test]
fn names_sort_as_people_count() {
    let mut v = vec!["sub-10", "sub-2", "Sub-1", "sub-02b", "sub-002", "x"];
    v.sort_by(|a, b| natural_cmp(a, b));
    assert_eq!(v, ["Sub-1", "sub-002", "sub-2", "sub-02b", "sub-10", "x"]);
}

#[test]
fn a_missing_or_plain_file_outdir_is_an_error() {
    let dir = out_dir("report_outdir");
    let e = write_report(&dir.join("nope")).unwrap_err();
    assert!(e.to_string().contains("nope"), "{e}");
    std::fs::write(dir.join("file"), "x").unwrap();
    let e = write_report(&dir.join("file")).unwrap_err();
    assert!(e.to_string().contains("not a folder"), "{e}");
}
