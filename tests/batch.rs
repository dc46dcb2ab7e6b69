//! Batch runs (`surfrender batch`) and what they rely on in single figures: a spec's bare
//! names meaning the subject's files, and `{subject}` in titles.

use std::path::{Path, PathBuf};

use crate::util::{data, out_dir, surfrender};

/// A subjects folder of `names`, each `surf/` linking to the repository's fsaverage5.
fn study(dir: &Path, names: &[&str]) -> PathBuf {
    let sd = dir.join("subjects");
    for n in names {
        let surf = sd.join(n).join("surf");
        std::fs::create_dir_all(&surf).unwrap();
        for f in ["inflated", "curv", "thickness", "white", "pial"] {
            for h in ["lh", "rh"] {
                let name = format!("{h}.{f}");
                std::os::unix::fs::symlink(data(&name), surf.join(&name)).unwrap();
            }
        }
    }
    sd
}

/// A spec elsewhere than the subjects, naming the overlay by its bare name, serves any
/// subject: `thickness` is the subject's `surf/<hemi>.thickness`, and the title names it.
#[test]
fn a_spec_serves_every_subject() {
    let dir = out_dir("batch_spec_subject");
    let sd = study(&dir, &["bert", "ernie"]);
    let spec = dir.join("specs").join("qc.toml");
    std::fs::create_dir_all(spec.parent().unwrap()).unwrap();
    std::fs::write(
        &spec,
        "overlay = [\"thickness\"]\ntitle = \"{subject} thickness\"\nsize = \"400x300\"\n",
    )
    .unwrap();
    let printed = surfrender()
        .args([
            "--spec".as_ref(),
            spec.as_os_str(),
            "--subject".as_ref(),
            "ernie".as_ref(),
        ])
        .arg("--subjects-dir")
        .arg(&sd)
        .arg("--print-spec")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&printed.stdout);
    assert!(
        printed.status.success(),
        "{}",
        String::from_utf8_lossy(&printed.stderr)
    );
    assert!(text.contains("\"thickness\""), "{text}");
    for subject in ["bert", "ernie"] {
        let png = dir.join(format!("{subject}.png"));
        let run = surfrender()
            .arg("--spec")
            .arg(&spec)
            .args(["--subject", subject, "--subjects-dir"])
            .arg(&sd)
            .arg("-o")
            .arg(&png)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let side = std::fs::read_to_string(dir.join(format!("{subject}.png.json"))).unwrap();
        let want = sd.join(subject).join("surf").join("lh.thickness");
        assert!(side.contains(&*want.to_string_lossy()), "{side}");
    }
    // The titles differ (the subject's name is drawn), the brains do not.
    let a = image::open(dir.join("bert.png")).unwrap().to_rgb8();
    let b = image::open(dir.join("ernie.png")).unwrap().to_rgb8();
    assert_eq!(a.dimensions(), b.dimensions());
    let rows_differing: Vec<u32> = (0..a.height())
        .filter(|&y| (0..a.width()).any(|x| a.get_pixel(x, y) != b.get_pixel(x, y)))
        .collect();
    assert!(
        !rows_differing.is_empty(),
        "the title does not name the subject"
    );
    assert!(
        *rows_differing.last().unwrap() < a.height() / 5,
        "only the title rows may differ: {rows_differing:?}"
    );
}
