//! The thread every sink encodes on, so that encoding a frame overlaps rendering the next.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

use image::RgbaImage;

use super::{FrameSink, SinkOptions, QUEUE};
use crate::error::{Error, Result};

/// One format's encoder, run on the sink's thread. Dropping it without `finish` must
/// remove whatever it wrote that is not complete (temporaries, a child process).
pub(super) trait Encoder: Send {
    /// Encodes the next frame.
    fn frame(&mut self, frame: RgbaImage) -> Result<()>;
    /// Completes the output and puts it in place; the files written.
    fn finish(self: Box<Self>) -> Result<Vec<PathBuf>>;
}

/// What the caller sends the thread.
enum Msg {
    Frame(RgbaImage),
    Finish,
}

/// A [`FrameSink`] that hands frames to an [`Encoder`] on a thread of its own through a
/// queue of [`QUEUE`] frames.
pub(super) struct Threaded {
    tx: Option<SyncSender<Msg>>,
    thread: Option<JoinHandle<Result<Vec<PathBuf>>>>,
    size: (u32, u32),
    /// Set when the sink is dropped without `finish`: the frames still queued are not
    /// encoded.
    abandoned: Arc<AtomicBool>,
}

impl Threaded {
    pub(super) fn spawn(encoder: Box<dyn Encoder>, opts: &SinkOptions) -> Result<Threaded> {
        let (tx, rx) = sync_channel::<Msg>(QUEUE);
        let abandoned = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&abandoned);
        let thread = std::thread::Builder::new()
            .name("surfrender-encode".into())
            .spawn(move || {
                let mut encoder = encoder;
                for msg in rx {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    match msg {
                        Msg::Frame(frame) => encoder.frame(frame)?,
                        Msg::Finish => return encoder.finish(),
                    }
                }
                // The sink was dropped without `finish`: `encoder` drops here and removes
                // what it wrote.
                Err(Error::Internal("the movie was abandoned".into()))
            })
            .map_err(|e| Error::Internal(format!("cannot start the encoding thread: {e}")))?;
        Ok(Threaded {
            tx: Some(tx),
            thread: Some(thread),
            size: (opts.width, opts.height),
            abandoned,
        })
    }

    /// The thread's result, once it has ended (or been told to end).
    fn join(&mut self) -> Result<Vec<PathBuf>> {
        self.tx = None;
        let Some(thread) = self.thread.take() else {
            return Err(Error::Internal(
                "the movie's sink was already finished".into(),
            ));
        };
        thread
            .join()
            .map_err(|payload| Error::panicked("the movie encoder", payload.as_ref()))?
    }
}

impl FrameSink for Threaded {
    fn push(&mut self, frame: &RgbaImage) -> Result<()> {
        if frame.dimensions() != self.size {
            return Err(Error::Internal(format!(
                "a movie frame of {}x{} in a movie of {}x{}",
                frame.width(),
                frame.height(),
                self.size.0,
                self.size.1
            )));
        }
        let sent = match &self.tx {
            Some(tx) => tx.send(Msg::Frame(frame.clone())).is_ok(),
            None => false,
        };
        match sent {
            true => Ok(()),
            // The thread has stopped on an error: that error.
            false => self.join().and(Err(Error::Internal(
                "the movie encoder stopped early".into(),
            ))),
        }
    }

    fn finish(mut self: Box<Self>) -> Result<Vec<PathBuf>> {
        if let Some(tx) = &self.tx {
            // When the thread has already stopped, `join` reports why.
            let _ = tx.send(Msg::Finish);
        }
        self.join()
    }
}

impl Drop for Threaded {
    /// Waits for the thread to drop its encoder, so that its temporaries are gone when the
    /// sink is.
    fn drop(&mut self) {
        self.abandoned.store(true, Ordering::Relaxed);
        self.tx = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
