//! Large pixel buffers handed from one figure of a batch to the next. A figure's canvas,
//! panels and PNG rows are megabytes each; freed, the allocator gives such memory back
//! to the system and the next figure faults it in again, page by page (measured: about
//! 8 ms of system time per 1600×1200 figure of `surfrender batch`, a tenth of its cost).
//! Kept here instead, it is reused while still mapped. Off unless a batch turns it on:
//! a single figure has no next figure, and keeping its buffers would only raise its peak.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// Buffers smaller than this come and go cheaply enough through the allocator.
const MIN_BYTES: usize = 256 * 1024;
/// At most this many are kept: two figures in flight need about a dozen.
const MAX_KEPT: usize = 16;

static ON: AtomicBool = AtomicBool::new(false);
static KEPT: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

/// Keeps buffers from now on (for the rest of the process).
pub(crate) fn enable() {
    ON.store(true, Ordering::Relaxed);
}

/// `len` bytes of which the caller overwrites every one: a kept buffer's old bytes are
/// not cleared first.
pub(crate) fn scratch(len: usize) -> Vec<u8> {
    match take(len) {
        Some(mut v) => {
            v.resize(len, 0);
            v
        }
        None => vec![0; len],
    }
}

/// `len` bytes (a multiple of 4) of the pixel `px` repeated, written in one pass.
pub(crate) fn filled(len: usize, px: [u8; 4]) -> Vec<u8> {
    let mut v = take(len).unwrap_or_else(|| Vec::with_capacity(len));
    v.clear();
    v.extend_from_slice(&px[..len.min(4)]);
    // Doubling copies run at memcpy speed.
    while v.len() < len {
        let n = v.len().min(len - v.len());
        v.extend_from_within(..n);
    }
    v
}

/// The smallest kept buffer that holds `len` bytes, when buffers are kept.
fn take(len: usize) -> Option<Vec<u8>> {
    if len < MIN_BYTES || !ON.load(Ordering::Relaxed) {
        return None;
    }
    let mut kept = KEPT.lock().ok()?;
    let best = (kept.iter().enumerate())
        .filter(|(_, v)| v.capacity() >= len)
        .min_by_key(|(_, v)| v.capacity())
        .map(|(i, _)| i)?;
    Some(kept.swap_remove(best))
}

/// Hands `v` back for a later [`scratch`] or [`filled`]; dropped when buffers are not
/// kept, when it is small, or when enough are kept already.
pub(crate) fn give(v: Vec<u8>) {
    if v.capacity() < MIN_BYTES || !ON.load(Ordering::Relaxed) {
        return;
    }
    if let Ok(mut kept) = KEPT.lock() {
        if kept.len() < MAX_KEPT {
            kept.push(v);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_given_buffer_comes_back_filled() {
        super::enable();
        let mut v = super::scratch(super::MIN_BYTES * 2);
        v.iter_mut().for_each(|b| *b = 7);
        let ptr = v.as_ptr();
        super::give(v);
        let w = super::filled(super::MIN_BYTES, [0, 1, 2, 3]);
        assert_eq!(w.len(), super::MIN_BYTES);
        assert!(w.chunks_exact(4).all(|p| p == [0, 1, 2, 3]));
        // Other tests may take it first; when this one did, it is the same memory.
        if w.as_ptr() == ptr {
            assert!(w.capacity() >= super::MIN_BYTES * 2);
        }
    }

    #[test]
    fn filled_repeats_the_pixel() {
        for len in [0, 4, 8, 12, 4 * 1001, super::MIN_BYTES + 4] {
            let v = super::filled(len, [1, 2, 3, 4]);
            assert_eq!(v.len(), len);
            assert!(v.chunks_exact(4).all(|p| p == [1, 2, 3, 4]), "{len}");
        }
    }
}
