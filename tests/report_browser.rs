//! The QC page in a real browser: `tests/browser/report_check.py` drives headless
//! Chromium through Selenium over the page of [`report::fixture`](crate::report::fixture)
//! (thumbnails load, keys move and mark, notes, reload, CSV, filter, full figure) and takes
//! a screenshot, which must be a PNG of the window's size that is not one flat colour.
//!
//! Needs `/usr/bin/chromium`, `/usr/bin/chromedriver` and a Python with selenium
//! (Debian: `chromium chromium-driver python3-selenium`); without them the test says
//! SKIPPED, unless `SURFRENDER_REQUIRE_SERVICES=1` (CI), which makes absence a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{report, util};

/// A Python that imports selenium: `/usr/bin/python3` first (Debian's python3-selenium),
/// then `python3` on the PATH.
fn python_with_selenium() -> Option<PathBuf> {
    ["/usr/bin/python3", "python3"]
        .into_iter()
        .map(PathBuf::from)
        .find(|py| {
            Command::new(py)
                .args(["-c", "import selenium"])
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

/// The Python to run the check with, or `None` (skip) when something is missing.
fn services() -> Option<PathBuf> {
    let python = python_with_selenium();
    let missing: Vec<&str> = [
        (!Path::new("/usr/bin/chromium").is_file()).then_some("/usr/bin/chromium"),
        (!Path::new("/usr/bin/chromedriver").exists()).then_some("/usr/bin/chromedriver"),
        python.is_none().then_some("python3 with selenium"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if missing.is_empty() {
        return python;
    }
    let what = missing.join(", ");
    if std::env::var_os("SURFRENDER_REQUIRE_SERVICES").is_some_and(|v| v == "1") {
        panic!("SURFRENDER_REQUIRE_SERVICES=1 but {what} missing");
    }
    eprintln!("SKIPPED: {what} missing (apt-get install chromium chromium-driver python3-selenium); the QC page was not tried in a browser");
    None
}

#[test]
fn report_page_works_in_headless_chromium() {
    let Some(python) = services() else { return };
    let dir = report::fixture("report_browser");
    report::report(&dir);
    let shot = dir.join("screenshot.png");
    let viewport = dir.join("viewport.json");
    let downloads = dir.join("downloads");
    std::fs::create_dir(&downloads).expect("make downloads folder");
    let out = Command::new(python)
        .arg(util::root().join("tests/browser/report_check.py"))
        .args([
            dir.join("index.html"),
            shot.clone(),
            viewport.clone(),
            downloads,
        ])
        .output()
        .expect("run report_check.py");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        out.status.success(),
        "browser check failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("all browser checks passed"), "{stdout}");
    eprintln!("{stdout}");

    let size: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&viewport).expect("read viewport.json"))
            .expect("viewport JSON");
    let dpr = size["dpr"].as_f64().expect("dpr");
    let want = |k: &str| (size[k].as_f64().expect("viewport size") * dpr).round() as u32;
    let img = image::open(&shot)
        .expect("the screenshot is a PNG")
        .to_rgba8();
    assert_eq!(
        img.dimensions(),
        (want("width"), want("height")),
        "screenshot size"
    );
    assert_eq!(img.width(), 1280, "the window is 1280 pixels wide");
    let first = img.get_pixel(0, 0);
    assert!(
        img.pixels().any(|p| p != first),
        "the screenshot is one flat colour"
    );
}
