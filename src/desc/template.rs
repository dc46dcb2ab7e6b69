//! `{name}` placeholders in text fields (titles, captions, output paths): a batch fills
//! them from each manifest row, and a single figure in subject mode fills `{subject}`,
//! so one spec names every subject's figure. `{{` and `}}` are literal braces.

/// A piece of a template: text as is, or a placeholder's name.
#[derive(Debug, PartialEq)]
enum Piece<'a> {
    Text(&'a str),
    Name(&'a str),
}

/// The pieces of `text`; an unclosed `{` or a lone `}` is an error that quotes the text.
fn pieces(text: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        if i > 0 {
            out.push(Piece::Text(&rest[..i]));
        }
        let (open, tail) = (rest.as_bytes()[i] == b'{', &rest[i + 1..]);
        if tail.starts_with(if open { '{' } else { '}' }) {
            out.push(Piece::Text(&rest[i..=i]));
            rest = &tail[1..];
            continue;
        }
        let end = tail.find('}').filter(|_| open).ok_or_else(|| {
            format!("'{text}': a brace without its pair (write {{{{ or }}}} for a literal one)")
        })?;
        let name = tail[..end].trim();
        if name.is_empty() || name.contains('{') {
            return Err(format!("'{text}': an empty or nested placeholder"));
        }
        out.push(Piece::Name(name));
        rest = &tail[end + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    Ok(out)
}

/// The placeholder names in `text`, in order.
pub fn names(text: &str) -> Result<Vec<String>, String> {
    Ok(pieces(text)?
        .into_iter()
        .filter_map(|p| match p {
            Piece::Name(n) => Some(n.to_string()),
            Piece::Text(_) => None,
        })
        .collect())
}

/// `text` with each placeholder replaced by `value(name)`; a name with no value is an
/// error that lists the names known (`known`).
pub fn fill(
    text: &str,
    value: impl Fn(&str) -> Option<String>,
    known: &[&str],
) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    for p in pieces(text)? {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Name(n) => match value(n) {
                Some(v) => out.push_str(&v),
                None => {
                    return Err(format!(
                        "'{text}': no column or field '{n}' to fill {{{n}}} (known: {})",
                        known.join(", ")
                    ))
                }
            },
        }
    }
    Ok(out)
}

/// `text` with `{subject}` replaced, for a single figure in subject mode; any other
/// braces are left as typed.
pub fn fill_subject(text: &str, subject: &str) -> String {
    text.replace("{subject}", subject)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_names_and_keeps_literal_braces() {
        let v = |n: &str| (n == "subject").then(|| "sub-01".to_string());
        assert_eq!(
            fill("{subject} thickness {{mm}}", v, &["subject"]).unwrap(),
            "sub-01 thickness {mm}"
        );
        assert_eq!(names("a {x}/{ y }.png").unwrap(), ["x", "y"]);
    }

    #[test]
    fn unknown_and_unbalanced_are_errors() {
        let e = fill("{site}.png", |_| None, &["subject"]).unwrap_err();
        assert!(e.contains("'site'") && e.contains("known: subject"), "{e}");
        assert!(names("a {b").unwrap_err().contains("without its pair"));
        assert!(names("a } b").is_err());
        assert!(names("{}").is_err());
    }
}
