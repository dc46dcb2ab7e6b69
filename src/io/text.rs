//! Small text inputs read whole (foci tables, spec files), with a cap on their size so
//! that `/dev/zero` or a runaway file ends in an error rather than in all of memory.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// Reads the text of `path`, `what` it is (for messages), refusing more than `max`
/// bytes. A FIFO or `/dev/stdin` is read too, up to `max`: a pipe is a fair way to hand
/// over a spec.
pub(crate) fn read_text(path: &Path, max: u64, what: &str) -> Result<String> {
    let read_err = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_err)?;
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > max {
        return Err(Error::invalid(
            path,
            format!("more than {max} bytes; {what} is at most {max} bytes"),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        Error::invalid(
            path,
            format!(
                "not UTF-8 text (byte {} is not)",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}
