//! One error type for the library. Every variant that concerns a file names it, and says
//! what was expected and what was found, because users meet these messages in batch logs
//! of a thousand subjects where "invalid data" alone would be useless.

use std::path::PathBuf;

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong between the command line and the written PNG.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The operating system refused to open or read a file.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file ends before the data its header announces.
    #[error("{}: truncated {what}: expected {expected} bytes, found {found}", path.display())]
    Truncated {
        path: PathBuf,
        what: &'static str,
        expected: u64,
        found: u64,
    },
    /// The first bytes are not those of the format we were asked to read.
    #[error("{}: not a {expected} file (first bytes {found})", path.display())]
    BadMagic {
        path: PathBuf,
        expected: &'static str,
        found: String,
    },
    /// The format is recognised but this variant of it is not supported.
    #[error("{}: unsupported {what}: {found}", path.display())]
    Unsupported {
        path: PathBuf,
        what: &'static str,
        found: String,
    },
    /// The file is structurally wrong (face index out of range, impossible header value, ...).
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
    /// A gzip stream that does not decompress (bad header, CRC mismatch, cut short).
    #[error("{}: corrupt gzip stream: {source}", path.display())]
    Gzip {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The format could not be recognised from content or name.
    #[error("{}: unknown file format (first bytes {found}); expected {expected}", path.display())]
    UnknownFormat {
        path: PathBuf,
        expected: &'static str,
        found: String,
    },
    /// An overlay or curvature file that does not have one value per surface vertex.
    #[error(
        "vertex count mismatch: {} has {surface_vertices} vertices but {} has {data_vertices} values",
        surface.display(),
        data.display()
    )]
    VertexMismatch {
        surface: PathBuf,
        surface_vertices: usize,
        data: PathBuf,
        data_vertices: usize,
    },
    /// The command line or figure description is inconsistent (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// No rendering backend could be started, or rendering failed.
    #[error("{0}")]
    Render(String),
    /// Writing the output failed.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// Exit status for the command-line tool: 2 for usage errors, 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => 2,
            _ => 1,
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
