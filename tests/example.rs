//! The library example (`examples/many_figures.rs`): several figures through one renderer
//! come out byte for byte as the binary makes them, and its context is made once.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::backends::required;
use crate::util::{self, run_in};

/// The built example, beside the binary the tests run: `cargo test` builds examples, and
/// a run of this test alone (`cargo test --test tests example`) builds it here.
fn example() -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_surfrender"));
    let path = bin
        .parent()
        .map(|d| d.join("examples").join("many_figures"))
        .expect("the binary's folder");
    if !path.exists() {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let built = Command::new(cargo)
            .current_dir(util::root())
            .args(["build", "--example", "many_figures"])
            .status()
            .expect("run cargo");
        assert!(built.success(), "cargo build --example many_figures");
    }
    path
}

/// Runs the example with `backend`; `None` when that backend cannot start here.
fn run_example(dir: &Path, backend: &str) -> Option<(Vec<PathBuf>, String)> {
    let out = Command::new(example())
        .current_dir(util::root())
        .env("SURFRENDER_BACKEND", backend)
        .env("SURFRENDER_TIMING", "1")
        .arg(dir)
        .output()
        .expect("run the example (built by cargo test)");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        assert!(!required() || backend == "cpu", "{backend}: {err}");
        assert_ne!(backend, "cpu", "{err}");
        eprintln!("SKIPPED: the example on {backend}: {err}");
        return None;
    }
    let pngs = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(PathBuf::from)
        .collect();
    Some((pngs, err))
}

#[test]
fn library_example_draws_what_the_binary_draws_with_one_context() {
    for backend in ["cpu", "egl", "osmesa"] {
        let dir = util::out_dir(&format!("example_{backend}"));
        let Some((pngs, err)) = run_example(&dir, backend) else {
            continue;
        };
        assert_eq!(pngs.len(), 5, "{err}");
        let contexts = err
            .lines()
            .filter(|l| l.starts_with("timing: context"))
            .count();
        let made = if backend == "cpu" { 0 } else { 1 };
        assert!(
            err.contains(&format!("{made} rendering context(s) made")),
            "{backend}: {err}"
        );
        assert!(
            contexts <= 1,
            "{backend}: one context for every figure: {err}"
        );
        // Each figure replayed by the binary from the sidecar the example wrote.
        for png in &pngs {
            let side: serde_json::Value = serde_json::from_slice(
                &std::fs::read(format!("{}.json", png.display())).expect("sidecar"),
            )
            .expect("json");
            let spec = util::write(&dir, "spec.json", side["spec"].to_string().as_bytes());
            let again = dir.join("again.png");
            let (code, _, err) = run_in(
                &dir,
                &[
                    "--spec",
                    spec.to_str().expect("utf8"),
                    "-o",
                    again.to_str().expect("utf8"),
                ],
            );
            assert_eq!(code, 0, "{err}");
            assert!(
                std::fs::read(png).expect("png") == std::fs::read(&again).expect("png"),
                "{backend}: {} differs from the binary's",
                png.display()
            );
        }
    }
}
