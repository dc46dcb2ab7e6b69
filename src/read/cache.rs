//! Files decoded once per process: figures that name the same file (the same surface for
//! every frame of a movie, one atlas for a thousand subjects' figures) share one decoded
//! copy instead of reading and parsing it again.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::annotation::{Annotation, Label};
use crate::error::Result;
use crate::io::{self, Limits, ReadOptions, Selection, SurfaceVertices};
use crate::mesh::Mesh;
use crate::spec::CurvSign;
use crate::volume::Volume;
use crate::Overlay;

use super::Geometry;

/// Decoded files by path and selection, shared by every figure that reads through it.
/// Errors are not kept: a file that failed is read again (and fails again with its own
/// message) the next time it is asked for. A file that changes on disk while the cache
/// lives is not read again. Every file is read within the cache's [`Limits`].
#[derive(Debug, Default)]
pub struct Cache {
    entries: Mutex<HashMap<Key, Entry>>,
    limits: Limits,
}

/// What a file was read as: the same path may be an overlay in one place and a label
/// in another, and each reader checks for its own kind of content.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    kind: Kind,
    path: PathBuf,
    selection: Selection,
    /// The surface a curvature's sign was decided on, or a volume sampled on; empty
    /// for other kinds.
    surface: PathBuf,
    /// What else the content depends on (a volume's sampling); empty for other kinds.
    detail: String,
}

impl Key {
    fn new(kind: Kind, path: &Path, selection: &Selection) -> Key {
        Key {
            kind,
            path: path.to_path_buf(),
            selection: selection.clone(),
            surface: PathBuf::new(),
            detail: String::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Surface,
    Overlay,
    Annotation,
    Label,
    /// A curvature in FreeSurfer's sign, as asked.
    Curvature(CurvSign),
    /// A surface read for its coordinates only (a sampling surface: no normals).
    Mesh,
    /// A volume, read whole.
    Volume,
    /// A volume sampled onto a surface (values per vertex).
    Sampled,
    /// A label volume sampled onto a surface (a parcellation).
    SampledLabels,
}

#[derive(Debug, Clone)]
enum Entry {
    Surface(Geometry),
    Overlay(Arc<Overlay>),
    Annotation(Arc<Annotation>),
    Label(Arc<Label>),
    Curvature(Arc<Overlay>, Option<String>),
    Volume(Arc<Volume>),
    Mesh(Arc<Mesh>),
}

impl Cache {
    /// An empty cache, reading within the default [`Limits`] (1 GiB of memory per file).
    pub fn new() -> Cache {
        Cache::default()
    }

    /// An empty cache that reads every file within `limits`: a program (or a
    /// `--max-memory` option) that must read a file larger than the default budget allows
    /// raises [`Limits::max_memory`] here.
    pub fn with_limits(limits: Limits) -> Cache {
        Cache {
            entries: Mutex::default(),
            limits,
        }
    }

    /// The limits every file is read within.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Forgets every file, so that what only this cache held is freed. A cache keeps
    /// what it decoded for as long as it lives: a program that draws many subjects
    /// shares one cache among the figures of a subject and clears it (or makes a new
    /// one) between subjects.
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// A surface with its normals and winding, checked by `check` when it is first
    /// decoded (a mesh that fails the check is not kept).
    pub(crate) fn surface(
        &self,
        path: &Path,
        check: fn(&Mesh, &Path) -> Result<()>,
    ) -> Result<Geometry> {
        let key = Key::new(Kind::Surface, path, &Selection::default());
        if let Some(Entry::Surface(g)) = self.get(&key) {
            return Ok(g);
        }
        let mesh = io::read_surface_with(path, &self.limits)?;
        check(&mesh, path)?;
        let (normals, winding) = mesh.normals_and_winding();
        let g = Geometry {
            winding,
            normals: Arc::new(normals),
            mesh: Arc::new(mesh),
        };
        self.put(key, Entry::Surface(g.clone()));
        Ok(g)
    }

    /// Per-vertex values, every frame. A file not yet read is refused from its header when
    /// its vertex count differs from `surface`'s; one already read is returned as it is
    /// (the caller checks its count).
    pub(crate) fn overlay(
        &self,
        path: &Path,
        selection: &Selection,
        surface: &SurfaceVertices,
    ) -> Result<Arc<Overlay>> {
        let key = Key::new(Kind::Overlay, path, selection);
        if let Some(Entry::Overlay(o)) = self.get(&key) {
            return Ok(o);
        }
        let o = Arc::new(io::read_overlay_with(
            path,
            selection,
            &self.options(surface),
        )?);
        self.put(key, Entry::Overlay(Arc::clone(&o)));
        Ok(o)
    }

    /// A parcellation, refused from its header like [`Cache::overlay`].
    pub(crate) fn annotation(
        &self,
        path: &Path,
        selection: &Selection,
        surface: &SurfaceVertices,
    ) -> Result<Arc<Annotation>> {
        let key = Key::new(Kind::Annotation, path, selection);
        if let Some(Entry::Annotation(a)) = self.get(&key) {
            return Ok(a);
        }
        let a = Arc::new(io::read_annotation_with(
            path,
            selection,
            &self.options(surface),
        )?);
        self.put(key, Entry::Annotation(Arc::clone(&a)));
        Ok(a)
    }

    /// A vertex set.
    pub(crate) fn label(&self, path: &Path) -> Result<Arc<Label>> {
        let key = Key::new(Kind::Label, path, &Selection::default());
        if let Some(Entry::Label(l)) = self.get(&key) {
            return Ok(l);
        }
        let l = Arc::new(io::read_label_with(path, &self.limits)?);
        self.put(key, Entry::Label(Arc::clone(&l)));
        Ok(l)
    }

    /// A curvature `read` from `path` (checked against `surface`), with its sign turned to
    /// FreeSurfer's by `sign` (see `curv_sign`), and the note about its sign; decided
    /// once per curvature file and surface.
    pub(crate) fn curvature(
        &self,
        path: &Path,
        selection: &Selection,
        surface: &Path,
        sign: CurvSign,
        read: impl FnOnce() -> Result<Arc<Overlay>>,
        decide: impl FnOnce(Arc<Overlay>) -> (Arc<Overlay>, Option<String>),
    ) -> Result<(Arc<Overlay>, Option<String>)> {
        let mut key = Key::new(Kind::Curvature(sign), path, selection);
        key.surface = surface.to_path_buf();
        if let Some(Entry::Curvature(c, note)) = self.get(&key) {
            return Ok((c, note));
        }
        let (c, note) = decide(read()?);
        self.put(key, Entry::Curvature(Arc::clone(&c), note.clone()));
        Ok((c, note))
    }

    /// A surface's mesh alone, checked by `check` when first decoded: a sampling surface
    /// needs its coordinates, not the normals and winding that drawing derives (on a
    /// 163842-vertex mesh they cost more than reading). A surface already read for
    /// drawing lends its mesh.
    pub(crate) fn mesh(
        &self,
        path: &Path,
        check: fn(&Mesh, &Path) -> Result<()>,
    ) -> Result<Arc<Mesh>> {
        if let Some(Entry::Surface(g)) =
            self.get(&Key::new(Kind::Surface, path, &Selection::default()))
        {
            return Ok(g.mesh);
        }
        let key = Key::new(Kind::Mesh, path, &Selection::default());
        if let Some(Entry::Mesh(m)) = self.get(&key) {
            return Ok(m);
        }
        let mesh = io::read_surface_with(path, &self.limits)?;
        check(&mesh, path)?;
        let m = Arc::new(mesh);
        self.put(key, Entry::Mesh(Arc::clone(&m)));
        Ok(m)
    }

    /// A volume (NIfTI or MGH grid), read once for every hemisphere it is sampled onto.
    pub(crate) fn volume(&self, path: &Path) -> Result<Arc<Volume>> {
        let key = Key::new(Kind::Volume, path, &Selection::default());
        if let Some(Entry::Volume(v)) = self.get(&key) {
            return Ok(v);
        }
        let v = Arc::new(crate::volume::read_volume(path, &self.limits)?);
        self.put(key, Entry::Volume(Arc::clone(&v)));
        Ok(v)
    }

    /// Volume `path` sampled onto `surface` by `make`, once per volume, surface and
    /// `detail` (the other sampling surface and the sampling options).
    pub(crate) fn sampled(
        &self,
        path: &Path,
        surface: &Path,
        detail: String,
        make: impl FnOnce() -> Result<Arc<Overlay>>,
    ) -> Result<Arc<Overlay>> {
        let mut key = Key::new(Kind::Sampled, path, &Selection::default());
        key.surface = surface.to_path_buf();
        key.detail = detail;
        if let Some(Entry::Overlay(o)) = self.get(&key) {
            return Ok(o);
        }
        let o = make()?;
        self.put(key, Entry::Overlay(Arc::clone(&o)));
        Ok(o)
    }

    /// Label volume `path` sampled onto `surface` by `make`, as [`Cache::sampled`].
    pub(crate) fn sampled_labels(
        &self,
        path: &Path,
        surface: &Path,
        detail: String,
        make: impl FnOnce() -> Result<Arc<Annotation>>,
    ) -> Result<Arc<Annotation>> {
        let mut key = Key::new(Kind::SampledLabels, path, &Selection::default());
        key.surface = surface.to_path_buf();
        key.detail = detail;
        if let Some(Entry::Annotation(a)) = self.get(&key) {
            return Ok(a);
        }
        let a = make()?;
        self.put(key, Entry::Annotation(Arc::clone(&a)));
        Ok(a)
    }

    fn options(&self, surface: &SurfaceVertices) -> ReadOptions {
        ReadOptions {
            surface: Some(surface.clone()),
            limits: self.limits,
        }
    }

    // The lock is held only to look up or insert, never while a file is read, so
    // hemispheres read in parallel; two threads asking for the same new file may both
    // read it, and the first stored copy wins. A panic elsewhere cannot leave the map
    // half-written, so a poisoned lock is still usable.
    fn get(&self, key: &Key) -> Option<Entry> {
        let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key).cloned()
    }

    fn put(&self, key: Key, entry: Entry) {
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(key).or_insert(entry);
    }
}
