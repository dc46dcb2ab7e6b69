//! A renderer that lives for many figures: the backend is opened once, on a thread of
//! its own, and takes job after job from a channel. A GL context must stay on the
//! thread that made it current, and creating one costs tens of milliseconds, so a batch
//! of figures or the frames of a movie pay for it once.

use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;

use image::RgbaImage;

use super::backend;
use super::{BackendInfo, Panel, RenderOptions};
use crate::error::{Error, Result};
use crate::scene::Scene;

type Outcome = Result<(Vec<RgbaImage>, BackendInfo)>;

/// One figure's panels to draw, and where to send the images.
struct Job {
    scene: Arc<Scene>,
    panels: Vec<Panel>,
    reply: mpsc::Sender<Outcome>,
}

/// Draws scenes, job after job, on one backend (a GL context or the CPU renderer's
/// thread pool) that is opened once. Any thread may submit a figure (`Renderer` is
/// `Send + Sync`); jobs are drawn one after another in the order they arrive.
///
/// Dropping the renderer closes its backend and waits for that to finish: a GL driver's
/// exit handlers must not run while a context is still alive. [`Renderer::close`]
/// starts the teardown early, so that it overlaps other work.
pub struct Renderer {
    opts: RenderOptions,
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
    /// Why the thread could not be started, if it could not.
    failed: Option<String>,
}

impl Renderer {
    /// Starts opening the backend `opts` asks for, in the background: loading a GL
    /// driver (tens of milliseconds) overlaps whatever the caller does next, such as
    /// reading the inputs. A backend that cannot open is reported by [`Renderer::render`].
    pub fn new(opts: RenderOptions) -> Renderer {
        let (jobs, queue) = mpsc::channel::<Job>();
        let serving = opts.clone();
        let spawned = std::thread::Builder::new()
            .name("surfrender-render".into())
            .spawn(move || serve(&serving, &queue));
        match spawned {
            Ok(thread) => Renderer {
                opts,
                jobs: Some(jobs),
                thread: Some(thread),
                failed: None,
            },
            Err(e) => Renderer {
                opts,
                jobs: None,
                thread: None,
                failed: Some(e.to_string()),
            },
        }
    }

    /// The backend this renderer was asked for.
    pub fn options(&self) -> &RenderOptions {
        &self.opts
    }

    /// Draws `panels` of `scene` once the backend is ready. Images are premultiplied
    /// RGBA with a transparent background, top row first, one per panel.
    pub fn render(&self, scene: Arc<Scene>, panels: Vec<Panel>) -> Outcome {
        self.submit(scene, panels)?.wait()
    }

    /// Sends `panels` of `scene` to be drawn and returns at once: the caller composes
    /// or encodes the previous frame of a sequence while this one is drawn.
    pub fn submit(&self, scene: Arc<Scene>, panels: Vec<Panel>) -> Result<Pending> {
        let jobs = self.jobs.as_ref().ok_or_else(|| {
            Error::Internal(match &self.failed {
                Some(e) => format!("cannot start the rendering thread: {e}"),
                None => "the renderer was closed before this figure".into(),
            })
        })?;
        let (reply, answer) = mpsc::channel();
        let job = Job {
            scene,
            panels,
            reply,
        };
        jobs.send(job).map_err(|_| lost())?;
        Ok(Pending { answer })
    }

    /// Starts tearing the backend down once the jobs already sent are done, without
    /// waiting for it; later jobs are refused. Dropping the renderer waits.
    pub fn close(&mut self) {
        self.jobs = None;
    }
}

/// A figure sent to the renderer ([`Renderer::submit`]), not yet drawn.
pub struct Pending {
    answer: mpsc::Receiver<Outcome>,
}

impl Pending {
    /// Waits for the images.
    pub fn wait(self) -> Outcome {
        self.answer.recv().unwrap_or_else(|_| Err(lost()))
    }
}

impl Drop for Renderer {
    fn drop(&mut self) {
        let mut t = std::time::Instant::now();
        self.close();
        if let Some(thread) = self.thread.take() {
            // A panic on the thread was already reported to the job it failed.
            let _ = thread.join();
        }
        crate::timing::stage("teardown", &mut t);
    }
}

fn lost() -> Error {
    Error::Internal("the rendering thread stopped unexpectedly".into())
}

/// The renderer's thread: opens the backend, then draws every job until the renderer
/// closes the channel; the backend is torn down here, on the thread that made it.
fn serve(opts: &RenderOptions, queue: &mpsc::Receiver<Job>) {
    let mut t = std::time::Instant::now();
    let mut ready = backend::open(opts);
    crate::timing::stage("context", &mut t);
    for job in queue {
        // A figure that makes the backend panic fails alone, with the panic's message;
        // the renderer goes on with the next figure.
        let outcome = match &mut ready {
            Ok(backend) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                backend.draw(&job.scene, &job.panels)
            }))
            .unwrap_or_else(|p| Err(Error::panicked("rendering", &*p))),
            Err(e) => Err(copy_error(e)),
        };
        // The caller may have given up waiting; nothing to do then.
        let _ = job.reply.send(outcome);
    }
}

/// The backend's opening error, for each job: the error stays with the thread, and
/// every job gets a copy that says the same.
fn copy_error(e: &Error) -> Error {
    match e {
        Error::Usage(m) => Error::Usage(m.clone()),
        Error::Internal(m) => Error::Internal(m.clone()),
        other => Error::Render(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn renderer_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<super::Renderer>();
    }
}
