//! Where the time goes: with `SURFRENDER_TIMING` set, each stage of the pipeline prints
//! its duration on standard error (`timing: render      61.2 ms`). benches/README.md's
//! breakdowns come from here. Rendering contexts are counted too, so that a program
//! rendering many figures can see that its context was made once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Whether `SURFRENDER_TIMING` is set (read once).
pub fn enabled() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("SURFRENDER_TIMING").is_some())
}

/// Prints how long stage `name` took since `since` (when timing is on) and restarts the
/// clock for the next stage.
pub fn stage(name: &str, since: &mut Instant) {
    if enabled() {
        eprintln!(
            "timing: {name:<10} {:7.1} ms",
            since.elapsed().as_secs_f64() * 1000.0
        );
    }
    *since = Instant::now();
}

static CONTEXTS: AtomicUsize = AtomicUsize::new(0);

/// Records that a GL context was created (EGL or OSMesa).
pub(crate) fn context_created() {
    CONTEXTS.fetch_add(1, Ordering::Relaxed);
}

/// How many GL contexts this process has created so far.
pub fn contexts_created() -> usize {
    CONTEXTS.load(Ordering::Relaxed)
}

static REUSED: AtomicUsize = AtomicUsize::new(0);

/// Records that a figure was drawn from the geometry the renderer kept from the figure
/// before it ([`Scene::geometry_key`](crate::scene::Scene::geometry_key)).
pub(crate) fn geometry_reused() {
    REUSED.fetch_add(1, Ordering::Relaxed);
}

/// How many figures this process has drawn from kept geometry so far (any backend): a
/// program rendering a movie can see that only its first frame was drawn in full.
pub fn figures_from_kept_geometry() -> usize {
    REUSED.load(Ordering::Relaxed)
}
