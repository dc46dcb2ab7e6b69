//! The pieces of safe writing on their own: temporary names, which temporaries count as
//! stale, the folder lock, the commit of several files, and what counts as one file.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::lock::FolderLock;
use super::temp::{self, TempFile, STALE_AFTER, STALE_ELSEWHERE, SUFFIX};
use super::*;

/// A PID above Linux's PID_MAX_LIMIT (2^22): never a live process.
const DEAD_PID: u32 = 4_194_305;

fn out_dir(name: &str) -> PathBuf {
    crate::test_util::out_dir(&format!("output_{name}"))
}

use crate::test_util::names;

#[test]
fn temporary_names_are_short_whatever_the_output_name() {
    for name in [
        "a".repeat(255),
        "é".repeat(127),
        "fig.png".to_string(),
        String::new(),
    ] {
        let t = format!("{}-99{SUFFIX}", temp::stem(Path::new(&name), u32::MAX));
        assert!(t.len() <= 80, "{} bytes: {t}", t.len());
        assert!(
            temp::parse(&t).is_some_and(|(pid, _)| pid == u32::MAX),
            "{t}"
        );
    }
    // Outputs sharing their first 32 bytes still get names of their own.
    let a = temp::stem(Path::new(&format!("{}1.png", "x".repeat(40))), 1);
    let b = temp::stem(Path::new(&format!("{}2.png", "x".repeat(40))), 1);
    assert_ne!(a, b);
}

#[test]
fn temporary_names_are_recognised_exactly() {
    let ours = format!("{}-0{SUFFIX}", temp::stem(Path::new("fig.png"), 42));
    assert_eq!(temp::parse(&ours), Some((42, temp::host())));
    assert_eq!(
        temp::parse(".fig.png.1234-0.surfrender-tmp"),
        Some((1234, None)),
        "the naming of earlier versions"
    );
    assert_eq!(
        temp::parse(".a.0123abcd.89abcdef.7-1.surfrender-tmp"),
        Some((7, Some("89abcdef")))
    );
    for other in [
        "fig.png.1234-0.surfrender-tmp",
        "..1234-0.surfrender-tmp",
        ".fig.png.12a4-0.surfrender-tmp",
        ".fig.png.1234-.surfrender-tmp",
        ".fig.png.1234.surfrender-tmp",
        ".fig.png.-0.surfrender-tmp",
        ".fig.png.1234-0.surfrender-tmp.bak",
        ".fig.png.99999999999-0.surfrender-tmp",
        ".surfrender.lock",
    ] {
        assert_eq!(temp::parse(other), None, "{other}");
    }
}

#[test]
fn only_old_temporaries_of_dead_processes_are_stale() {
    let now = SystemTime::now();
    let ago = |d: Duration| now - d;
    let old = STALE_AFTER + Duration::from_secs(1);
    let here = Some("0123abcd");
    let ours = ".f.png.00000000.0123abcd.9-0.surfrender-tmp";
    let elsewhere = ".f.png.00000000.fedcba98.9-0.surfrender-tmp";
    let legacy = ".f.png.9-0.surfrender-tmp";
    let dead = |_| Some(false);
    let live = |_| Some(true);
    let unknown = |_| None;
    assert!(temp::is_stale(ours, ago(old), now, here, dead));
    assert!(temp::is_stale(legacy, ago(old), now, here, dead));
    assert!(!temp::is_stale(ours, ago(STALE_AFTER / 2), now, here, dead));
    assert!(!temp::is_stale(ours, ago(old), now, here, live));
    assert!(!temp::is_stale(ours, ago(old), now, here, unknown));
    assert!(
        !temp::is_stale(ours, now + old, now, here, dead),
        "a future time"
    );
    // Another machine's PID means nothing here: only its age counts.
    assert!(!temp::is_stale(elsewhere, ago(old), now, here, dead));
    let day = STALE_ELSEWHERE + Duration::from_secs(1);
    assert!(temp::is_stale(elsewhere, ago(day), now, here, live));
    // Without a host name of our own, every tagged temporary is another machine's.
    assert!(!temp::is_stale(ours, ago(old), now, None, dead));
    assert!(!temp::is_stale("notes.txt", ago(day), now, here, dead));
}

fn aged(path: &Path, age: Duration) {
    std::fs::write(path, b"x").expect("write");
    let f = std::fs::File::options()
        .write(true)
        .open(path)
        .expect("open");
    f.set_modified(SystemTime::now() - age).expect("mtime");
}

#[test]
fn cleaning_removes_stale_regular_files_only() {
    let dir = out_dir("clean");
    let hour = Duration::from_secs(3600);
    let dest = dir.join("fig.png");
    let stale = dir.join(format!("{}-0{SUFFIX}", temp::stem(&dest, DEAD_PID)));
    let mine = dir.join(format!(
        "{}-0{SUFFIX}",
        temp::stem(&dest, std::process::id())
    ));
    let other_host = dir.join(format!(".fig.png.00000000.ffffffff.{DEAD_PID}-0{SUFFIX}"));
    for p in [&stale, &mine, &other_host] {
        aged(p, hour);
    }
    let as_dir = dir.join(format!(".d.{DEAD_PID}-0{SUFFIX}"));
    std::fs::create_dir(&as_dir).expect("mkdir");
    let target = dir.join("target.png");
    aged(&target, hour);
    let link = dir.join(format!(".l.{DEAD_PID}-0{SUFFIX}"));
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    temp::clean_stale(&dir);
    let left = names(&dir);
    if temp::host().is_some() && Path::new("/proc/self").exists() {
        assert!(!stale.exists(), "{left:?}");
    }
    for kept in [&mine, &other_host, &as_dir, &link, &target] {
        assert!(kept.exists(), "{} was removed: {left:?}", kept.display());
    }
}

#[test]
fn commit_places_every_file_or_leaves_no_mismatched_pair() {
    let dir = out_dir("commit");
    let (png, side) = (dir.join("fig.png"), dir.join("fig.png.json"));
    commit(
        &dir,
        vec![
            stage(&side, b"side 1").expect("stage"),
            stage(&png, b"png 1").expect("stage"),
        ],
    )
    .expect("commit");
    assert_eq!(names(&dir), ["fig.png", "fig.png.json"]);
    // The first rename fails (its destination is a folder that is not empty): the old
    // pair stays as it was.
    let blocked = dir.join("blocked");
    std::fs::create_dir_all(blocked.join("inside")).expect("mkdir");
    let err = commit(
        &dir,
        vec![
            stage(&blocked, b"x").expect("stage"),
            stage(&png, b"png 2").expect("stage"),
        ],
    )
    .expect_err("a rename onto a folder fails");
    assert!(err.to_string().contains("blocked"), "{err}");
    assert_eq!(std::fs::read(&png).expect("read"), b"png 1");
    // A later rename fails: what was placed goes, and the old PNG with it, which would
    // otherwise stand beside another run's sidecar.
    let err = commit(
        &dir,
        vec![
            stage(&side, b"side 3").expect("stage"),
            stage(&blocked, b"x").expect("stage"),
            stage(&png, b"png 3").expect("stage"),
        ],
    )
    .expect_err("a rename onto a folder fails");
    assert!(err.to_string().contains("blocked"), "{err}");
    assert_eq!(names(&dir), ["blocked"]);
    assert!(temp::registry().iter().all(|p| !p.starts_with(&dir)));
}

#[test]
fn the_folder_lock_excludes_and_leaves_no_file() {
    let dir = out_dir("lock");
    let first = FolderLock::acquire(&dir);
    assert!(dir.join(lock::NAME).exists());
    let (tx, rx) = std::sync::mpsc::channel();
    let d = dir.clone();
    let waiter = std::thread::spawn(move || {
        let second = FolderLock::acquire(&d);
        tx.send(()).expect("send");
        drop(second);
    });
    assert!(
        rx.recv_timeout(Duration::from_millis(300)).is_err(),
        "a second holder must wait"
    );
    drop(first);
    rx.recv_timeout(Duration::from_secs(10))
        .expect("the second holder gets the lock once the first releases it");
    waiter.join().expect("join");
    assert!(names(&dir).is_empty(), "{:?}", names(&dir));
}

#[test]
fn one_file_through_links_and_names() {
    let dir = out_dir("same");
    let a = dir.join("a.mgh");
    std::fs::write(&a, b"data").expect("write");
    std::os::unix::fs::symlink(&a, dir.join("sym")).expect("symlink");
    std::fs::hard_link(&a, dir.join("hard")).expect("link");
    std::fs::write(dir.join("b.mgh"), b"data").expect("write");
    assert!(same_file(&a, &dir.join("sym")));
    assert!(same_file(&a, &dir.join("hard")));
    assert!(same_file(&a, &dir.join(".").join("a.mgh")));
    assert!(
        !same_file(&a, &dir.join("b.mgh")),
        "equal content is not one file"
    );
    assert!(same_file(
        &dir.join("new.png"),
        &dir.join(".").join("new.png")
    ));
    assert!(!same_file(&dir.join("new.png"), &dir.join("new.svg")));
}

#[test]
fn a_temporary_removes_itself_unless_renamed() {
    let dir = out_dir("temp_drop");
    let mut t = TempFile::beside(&dir.join("x.png")).expect("temporary");
    t.write_all(b"x").expect("write");
    assert_eq!(names(&dir).len(), 1);
    drop(t);
    assert!(names(&dir).is_empty());
    write_atomic(&dir.join("x.png"), b"y").expect("write");
    assert_eq!(names(&dir), ["x.png"]);
}

#[test]
fn rgb_of_drops_alpha_for_any_pixel_count() {
    for n in [0usize, 1, 3, 4, 5, 17, 1000] {
        let rgba: Vec<u8> = (0..n * 4).map(|i| (i * 7 % 251) as u8).collect();
        let want: Vec<u8> = rgba.chunks_exact(4).flat_map(|p| p[..3].to_vec()).collect();
        assert_eq!(super::rgb_of(&rgba), want, "{n} pixels");
    }
}
