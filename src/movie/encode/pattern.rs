//! printf-style frame patterns (`frames/f_%04d.png`), as ffmpeg and image tools name
//! sequences.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A parsed pattern: the path before the frame number, its zero-padded width (0 for
/// `%d`), and the path after it, `%%` already made `%`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Pattern {
    head: String,
    width: usize,
    tail: String,
}

impl Pattern {
    /// The file of frame `k`.
    pub(super) fn path(&self, k: usize) -> PathBuf {
        PathBuf::from(format!(
            "{}{k:0width$}{}",
            self.head,
            self.tail,
            width = self.width
        ))
    }
}

/// The widest zero padding accepted (`%020d`): wider is surely a typing error.
const MAX_WIDTH: usize = 20;

/// The pattern in `path`'s file name, `None` when the name has no `%d` or `%0Nd` (it is
/// then a literal name). The folder is taken literally. Refused: a pattern that does not
/// end in `.png`, several conversions, a lone `%` beside a conversion, a conversion other
/// than `%d`/`%0Nd` (`%4d`, `%i`, `%s`), which would otherwise silently become part of a
/// literal name, and a conversion in the folder's name.
pub(super) fn of_path(path: &Path) -> Result<Option<Pattern>> {
    let usage = |msg: &str| Error::Usage(format!("-o {}: {msg}", path.display()));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let folder = path.parent().unwrap_or(Path::new(""));
    let in_folder = folder
        .components()
        .any(|c| matches!(parse(&c.as_os_str().to_string_lossy()), Ok(Some(_))));
    if in_folder {
        return Err(usage(
            "the frame number (%d or %04d) must be in the file name, not in a folder's",
        ));
    }
    let Some(mut p) = parse(&name).map_err(|m| usage(&m))? else {
        return Ok(None);
    };
    if !p.tail.to_ascii_lowercase().ends_with(".png") {
        return Err(usage(
            "a frame pattern writes PNG files: end it in .png (frames/f_%04d.png)",
        ));
    }
    if path.to_str().is_none() {
        return Err(usage("a frame pattern must be valid UTF-8"));
    }
    if !folder.as_os_str().is_empty() {
        p.head = folder.join(&p.head).to_string_lossy().into_owned();
    }
    Ok(Some(p))
}

/// Parses one file name (see [`of_path`]); the error is the message's end.
fn parse(name: &str) -> std::result::Result<Option<Pattern>, String> {
    let mut text = String::new();
    let mut conversion: Option<(usize, usize)> = None; // (where in `text`, width)
    let mut lone: Option<String> = None;
    let mut rest = name;
    while let Some(at) = rest.find('%') {
        text.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(r) = after.strip_prefix('%') {
            text.push('%');
            rest = r;
            continue;
        }
        // printf's flags and width, then its conversion letter; no '.' so that
        // "100%.gif" stays a literal name.
        let spec_len = after
            .find(|c: char| !(c.is_ascii_digit() || "-+ #".contains(c)))
            .unwrap_or(after.len());
        let (spec, letter) = (&after[..spec_len], after[spec_len..].chars().next());
        let is_conversion = matches!(letter, Some('d' | 'i' | 'u' | 'x' | 'X' | 's'));
        if !is_conversion {
            lone.get_or_insert_with(|| format!("%{spec}{}", letter.unwrap_or(' ')));
            text.push('%');
            rest = after;
            continue;
        }
        let conv = format!("%{spec}{}", letter.unwrap_or('d'));
        let width = match (spec, letter) {
            ("", Some('d')) => 0,
            (s, Some('d')) if s.starts_with('0') && s.bytes().all(|b| b.is_ascii_digit()) => {
                let w: usize = s.parse().unwrap_or(usize::MAX);
                if w > MAX_WIDTH {
                    return Err(format!(
                        "{conv} pads the frame number to more than {MAX_WIDTH} digits"
                    ));
                }
                w
            }
            _ => {
                return Err(format!(
                    "{conv} is not a frame number conversion: use %d or %04d (zero-padded), and %% for a literal %"
                ))
            }
        };
        if conversion.is_some() {
            return Err(
                "a frame pattern takes one frame number (%d or %04d), not several".to_string(),
            );
        }
        conversion = Some((text.len(), width));
        rest = &after[spec_len + 1..];
    }
    text.push_str(rest);
    let Some((at, width)) = conversion else {
        return Ok(None);
    };
    if let Some(lone) = lone {
        return Err(format!(
            "{} in a frame pattern: write %% for a literal %",
            lone.trim_end()
        ));
    }
    Ok(Some(Pattern {
        head: text[..at].to_string(),
        width,
        tail: text[at..].to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(pattern: &str, k: usize) -> String {
        of_path(Path::new(pattern))
            .expect("valid")
            .expect("a pattern")
            .path(k)
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn patterns_number_frames() {
        assert_eq!(frame("frames/f_%04d.png", 7), "frames/f_0007.png");
        assert_eq!(frame("f_%d.png", 12), "f_12.png");
        assert_eq!(frame("f_%02d.png", 123), "f_123.png");
        assert_eq!(frame("100%%_%03d.PNG", 5), "100%_005.PNG");
        assert_eq!(frame("/abs/50%/x%d.png", 1), "/abs/50%/x1.png");
    }

    #[test]
    fn literal_names_are_not_patterns() {
        for name in ["out.gif", "100%.gif", "a%%b.png", "50%_done.mp4", "%"] {
            assert_eq!(of_path(Path::new(name)).expect(name), None, "{name}");
        }
    }

    #[test]
    fn bad_patterns_are_refused() {
        let cases = [
            ("f_%4d.png", "%4d is not a frame number conversion"),
            ("f_%i.png", "%i is not"),
            ("f_%s.png", "%s is not"),
            ("f_%d_%d.png", "not several"),
            ("f_%d.jpg", "end it in .png"),
            ("50%_%d.png", "write %% for a literal %"),
            ("f_%030d.png", "more than 20 digits"),
            ("run_%d/f.png", "must be in the file name"),
        ];
        for (name, want) in cases {
            let e = of_path(Path::new(name)).expect_err(name).to_string();
            assert!(e.contains(want), "{name}: {e}");
            assert!(e.starts_with(&format!("-o {name}: ")), "{e}");
        }
    }
}
