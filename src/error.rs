//! One error type for the library. Every variant that concerns a file names it, and says
//! what was expected and what was found, because users meet these messages in batch logs
//! of a thousand subjects where "invalid data" alone would be useless.

use std::path::{Path, PathBuf};

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong between the command line and the written PNG.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The operating system refused to open or read a file.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file concerned.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The file ends before the data its header announces.
    #[error("{}: truncated {what}: expected {expected} bytes, found {found}", path.display())]
    Truncated {
        /// The file concerned.
        path: PathBuf,
        /// What was being read or written.
        what: &'static str,
        /// Bytes the header announces.
        expected: u64,
        /// Bytes present.
        found: u64,
    },
    /// The first bytes are not those of the format we were asked to read.
    #[error("{}: not a {expected} file (first bytes {found})", path.display())]
    BadMagic {
        /// The file concerned.
        path: PathBuf,
        /// What was expected.
        expected: &'static str,
        /// What was found.
        found: String,
    },
    /// The format is recognised but this variant of it is not supported.
    #[error("{}: unsupported {what}: {found}", path.display())]
    Unsupported {
        /// The file concerned.
        path: PathBuf,
        /// What was being read or written.
        what: &'static str,
        /// What was found.
        found: String,
    },
    /// The file is structurally wrong (face index out of range, impossible header value, ...).
    #[error("{}: {message}", path.display())]
    Invalid {
        /// The file concerned.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Reading the file would take more memory than one input file may use (the memory
    /// budget, `io::Limits::max_memory`): refused from its header, before the memory is
    /// taken, so that a small hostile file costs an error message, not gigabytes. A
    /// legitimate file this large can be read with a larger budget, which the message
    /// says how to set.
    #[error(
        "{}: {what} needs {} of memory, more than the memory budget of {} per input file \
         (SURFRENDER_MAX_MEMORY=4G or more allows it)",
        path.display(),
        human_bytes(*needed),
        human_bytes(*budget)
    )]
    TooLarge {
        /// The file concerned.
        path: PathBuf,
        /// What would take the memory ("its 536870000 float32 values").
        what: String,
        /// Bytes needed.
        needed: u64,
        /// Bytes allowed.
        budget: u64,
    },
    /// A gzip stream that does not decompress (bad header, CRC mismatch, cut short).
    #[error("{}: corrupt gzip stream: {source}", path.display())]
    Gzip {
        /// The file concerned.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The format could not be recognised from content or name.
    #[error("{}: unknown file format (first bytes {found}); expected {expected}", path.display())]
    UnknownFormat {
        /// The file concerned.
        path: PathBuf,
        /// What was expected.
        expected: &'static str,
        /// What was found.
        found: String,
    },
    /// An overlay or curvature file that does not have one value per surface vertex.
    #[error(
        "vertex count mismatch: {} has {surface_vertices} vertices but {} has {data_vertices} values",
        surface.display(),
        data.display()
    )]
    VertexMismatch {
        /// The surface.
        surface: PathBuf,
        /// Its vertex count.
        surface_vertices: usize,
        /// The per-vertex file.
        data: PathBuf,
        /// Its value count per frame.
        data_vertices: usize,
    },
    /// A line of a text input (a foci table) that cannot be used.
    #[error("{}: line {line}: {message}", path.display())]
    Line {
        /// The file concerned.
        path: PathBuf,
        /// 1-based, as an editor counts.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A volume cannot be sampled onto surfaces as asked: sampling surfaces whose vertex
    /// counts differ, a label volume whose values are not whole numbers. The caller, which
    /// knows the files, names them.
    #[error("{0}")]
    Sampling(String),
    /// What the user typed, on the command line or in a spec file, is inconsistent or out
    /// of range (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// No rendering backend could be started, or rendering failed.
    #[error("{0}")]
    Render(String),
    /// A value could not be written as JSON or TOML (a path that is not UTF-8, say).
    #[error("cannot write {what}: {message}")]
    Serialize {
        /// What was being written.
        what: &'static str,
        /// The serialiser's reason.
        message: String,
    },
    /// Something that should not happen did: a worker thread panicked or vanished. Not
    /// the user's input; please report it.
    #[error("internal error: {0}")]
    Internal(String),
    /// Standard output failed or was closed; a closed pipe (`| head`) is not an error
    /// for the command-line tool, which ends quietly then.
    #[error("cannot write to standard output: {0}")]
    Stdout(#[source] std::io::Error),
    /// Writing the output failed.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file concerned.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A batch made some figures but not all; each failure is in its record.
    #[error("{failed} of {total} figures failed; the reasons are listed above and in {}", record.display())]
    BatchFailed {
        /// Figures not made.
        failed: usize,
        /// Figures of the run (this shard's).
        total: usize,
        /// The run's `batch.json`.
        record: PathBuf,
    },
}

impl Error {
    /// Exit status for the command-line tool: 2 for usage errors, 3 for a batch of which
    /// some figures failed, 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => 2,
            Error::BatchFailed { .. } => 3,
            _ => 1,
        }
    }

    /// Whether this is standard output closed by its reader (`surfrender inspect | head`),
    /// which ends the program quietly with exit status 0, as ripgrep does.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Stdout(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
    }

    /// The message as one line for a log: control characters escaped (a newline in an
    /// XML error, a file name with a tab), and quoted input longer than an excerpt cut to
    /// its start and end (a 20,000-character line of a spec is not repeated whole).
    pub fn one_line(&self) -> String {
        one_line(&self.to_string())
    }

    /// Names the spec file for a usage error about an option (`--focus-vertex 9: ...`)
    /// that was not typed on the command line (`typed`, by field name): it came from
    /// `spec`, where it is a field (`fig.toml: focus_vertex 9: ...`).
    pub fn in_spec(self, spec: &Path, typed: &[String]) -> Error {
        let Error::Usage(msg) = &self else {
            return self;
        };
        if msg.starts_with("give one or two SURFACE") && !typed.iter().any(|t| t == "surfaces") {
            let m = "no `surfaces` or `subject`: give them in the spec or on the command line";
            return Error::Usage(format!("{}: {m}", spec.display()));
        }
        // Too many layers for a hemisphere: the spec's stack, when none was typed.
        let stack = ["overlay", "annot", "label"];
        if msg.contains(" layers (") && !typed.iter().any(|t| stack.contains(&t.as_str())) {
            return Error::Usage(format!("{}: layers: {msg}", spec.display()));
        }
        let Some(rest) = msg.strip_prefix("--") else {
            return self;
        };
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(rest.len());
        let field = rest[..end].replace('-', "_");
        match typed.contains(&field) {
            true => self,
            false => Error::Usage(format!("{}: {field}{}", spec.display(), &rest[end..])),
        }
    }

    /// A thread of ours that panicked doing `what`, with the panic's message.
    pub(crate) fn panicked(what: &str, payload: &(dyn std::any::Any + Send)) -> Self {
        let text = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        Error::Internal(format!("{what} panicked: {text}"))
    }

    /// Shorthand for [`Error::Serialize`].
    pub fn serialize(what: &'static str, e: impl std::fmt::Display) -> Self {
        Error::Serialize {
            what,
            message: e.to_string(),
        }
    }

    /// Shorthand for [`Error::Invalid`].
    pub fn invalid(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Invalid {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// [`Error::one_line`] for any message (notes too).
pub fn one_line(msg: &str) -> String {
    const KEEP: usize = 60;
    let mut out = String::with_capacity(msg.len().min(1024));
    let mut quoted: Option<(char, String)> = None;
    let cut = |q: &str| -> String {
        let chars: Vec<char> = q.chars().collect();
        match chars.len() > KEEP {
            true => format!(
                "{}…{} ({} characters)",
                chars[..KEEP - 12].iter().collect::<String>(),
                chars[chars.len() - 10..].iter().collect::<String>(),
                chars.len()
            ),
            false => q.to_string(),
        }
    };
    let mut prev = ' ';
    for c in msg.trim_end().chars() {
        let c_text: String = match c {
            '\n' | '\r' | '\t' => c.escape_default().collect(),
            c if c.is_control() => c.escape_unicode().collect(),
            c => c.to_string(),
        };
        match &mut quoted {
            Some((q, text)) if c == *q => {
                out.push_str(&cut(text));
                out.push(c);
                quoted = None;
            }
            Some((_, text)) => text.push_str(&c_text),
            // An apostrophe opens a quote after a space or bracket, not in "file's".
            None if c == '`'
                || ("'\"".contains(c) && (prev.is_whitespace() || "([=:".contains(prev))) =>
            {
                out.push(c);
                quoted = Some((c, String::new()));
            }
            None => out.push_str(&c_text),
        }
        prev = c;
    }
    if let Some((_, text)) = quoted {
        out.push_str(&cut(&text));
    }
    // Input quoted without quotes (a table's header line) is cut too: the start names the
    // file, the end says what was expected.
    let chars: Vec<char> = out.chars().collect();
    if chars.len() > MAX_LINE {
        let (head, tail) = (&chars[..MAX_LINE - 100], &chars[chars.len() - 80..]);
        let (head, tail): (String, String) = (head.iter().collect(), tail.iter().collect());
        return format!("{head}… ({} characters) …{tail}", chars.len());
    }
    out
}

/// The longest error line printed, in characters.
const MAX_LINE: usize = 400;

/// Formats up to 8 leading bytes as hex for "first bytes" messages.
pub fn hex_prefix(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "(empty file)".to_string();
    }
    bytes
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A byte count for messages: "1.0 GiB", "512.0 MiB", "12.3 KiB", "100 bytes".
pub fn human_bytes(n: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (size, unit) in UNITS {
        if n >= size {
            return format!("{:.1} {unit} ({n} bytes)", n as f64 / size as f64);
        }
    }
    format!("{n} bytes")
}
