//! One job on a GL context: choose the programs, upload the scene, then per panel draw
//! the surface, its foci and its lines into the multisampled framebuffer, resolve it
//! and read it back. Every object made here is the job's ([`Resources`]); every piece of
//! state a draw depends on is set here, so nothing carries over from the last job, but
//! for the objects of a figure with a geometry key: the next figure with that key and
//! the same panels (a movie's next frame) draws with them, its overlay values and colour
//! mappings uploaded over the last ones ([`Kept`]).

use glow::HasContext;
use image::RgbaImage;

use super::layers::{gl_layers, kind_of, GlLayer, GlPaint};
use super::programs::{Programs, SurfaceKind};
use super::setup::{
    framebuffers, gl_err, index_buffer, update_lut, update_values, upload, upload_foci,
    upload_layers, upload_lines, LayerTextures, Objects, Resources,
};
use crate::color::{Cortex, FLAT_GREY};
use crate::error::{Error, Result};
use crate::render::{BackendInfo, Panel, LINE_LIFT_MM};
use crate::scene::{Scene, SceneSurface, AMBIENT};

/// A surface's program and GL objects: everything of it but its overlay values and
/// colour mappings, which are uploaded into `values` and `textures.lut`.
#[derive(Debug, Clone, Copy)]
struct SurfaceGl {
    program: glow::Program,
    vao: glow::VertexArray,
    /// The overlay values' buffer ([`upload`]), when the surface has overlays.
    values: Option<glow::Buffer>,
    /// The foci's vertex array.
    foci: Option<glow::VertexArray>,
    /// The vertex array of its lines' edges and lines, and their vertex counts.
    lines: Option<(glow::VertexArray, i32, i32)>,
    textures: Option<LayerTextures>,
}

/// The triangles of one surface of one panel that face its camera
/// ([`crate::render::visible_indices`], [`crate::render::visible_foci`]): index buffers
/// and their lengths.
#[derive(Debug, Clone, Copy)]
struct PartIndices {
    surface: (glow::Buffer, i32),
    foci: Option<(glow::Buffer, i32)>,
}

/// Everything a job draws with that does not depend on overlay values.
#[derive(Debug)]
struct Geometry {
    surfaces: Vec<SurfaceGl>,
    /// The layer stack each surface's program is made for.
    kinds: Vec<SurfaceKind>,
    /// Per panel, per part.
    indices: Vec<Vec<PartIndices>>,
    empty_vao: glow::VertexArray,
    draw_fbo: glow::Framebuffer,
    read_fbo: glow::Framebuffer,
    ms_tex: Option<glow::Texture>,
}

/// What a context keeps of the last figure with a
/// [`Scene::geometry_key`](crate::scene::Scene::geometry_key): its GL objects, and what
/// the next figure must share with it to draw with them.
#[derive(Debug)]
pub(in crate::render) struct Kept {
    key: u64,
    panels: Vec<Panel>,
    cortex: Cortex,
    widths: (f32, f32),
    geometry: Geometry,
    objects: Objects,
    /// How many figures were drawn with these objects after the one that made them.
    reused: usize,
}

impl Kept {
    /// Deletes the objects (made on `gl`, which is current).
    pub(super) unsafe fn release(self, gl: &glow::Context) {
        let mut res = Resources::new(gl);
        res.adopt(self.objects);
    }
}

/// Everything the panels of one job are drawn with.
struct Job<'a> {
    gl: &'a glow::Context,
    scene: &'a Scene,
    samples: i32,
    foci: Option<glow::Program>,
    lines: Option<glow::Program>,
    resolve: Option<glow::Program>,
    /// Each surface's layers that draw.
    layers: Vec<Vec<GlLayer<'a>>>,
    geometry: Geometry,
}

/// Draws every panel of `scene`; the images are premultiplied RGBA, top row first. A
/// scene with a geometry key draws with the objects `kept` holds when they were made
/// for the same key, panels and layer stacks, and leaves its own there.
pub(super) unsafe fn run<'a>(
    res: &mut Resources<'a>,
    programs: &mut Programs,
    scene: &'a Scene,
    panels: &[Panel],
    kept: &mut Option<Box<Kept>>,
) -> Result<(Vec<RgbaImage>, BackendInfo)> {
    let gl = res
        .gl
        .ok_or_else(|| Error::Render("no GL context".into()))?;
    let info = BackendInfo {
        origin: String::new(),
        renderer: gl.get_parameter_string(glow::RENDERER),
        version: gl.get_parameter_string(glow::VERSION),
        samples: gl.get_parameter_i32(glow::MAX_SAMPLES).clamp(0, 4),
    };
    let mut t = std::time::Instant::now();
    // With SURFRENDER_TIMING, wait for the GPU after each stage so times are attributable.
    let mut stage = |name: &str| {
        if crate::timing::enabled() {
            gl.finish();
            crate::timing::stage(name, &mut t);
        }
    };
    let layers: Vec<Vec<GlLayer>> = scene.surfaces.iter().map(|s| gl_layers(scene, s)).collect();
    let categorical = layers.iter().flatten().any(|l| l.paint.kind() == 0);
    let kinds: Vec<SurfaceKind> = layers.iter().map(|l| kind_of(l, categorical)).collect();
    let key = scene.geometry_key;
    let widths = (scene.outline_px, scene.edge_px);
    let same = |k: &Kept| {
        Some(k.key) == key
            && k.panels == panels
            && k.cortex == scene.cortex
            && k.widths == widths
            && k.geometry.kinds == kinds
    };
    let (geometry, reused) = match kept.take() {
        Some(k) if same(&k) => {
            // Deleted with this job's objects should the job fail.
            res.adopt(k.objects);
            let g = k.geometry;
            for (((s, l), kind), gl_s) in (scene.surfaces.iter().zip(&layers))
                .zip(&kinds)
                .zip(&g.surfaces)
            {
                if let Some(vbo) = gl_s.values {
                    update_values(gl, vbo, s, l, kind.values());
                }
                if let Some(t) = gl_s.textures {
                    update_lut(gl, t.lut, l);
                }
            }
            stage("gl values");
            crate::timing::geometry_reused();
            (g, k.reused + 1)
        }
        other => {
            // Another figure's objects go before this one's are made.
            if let Some(k) = other {
                k.release(gl);
            }
            let g = prepare(
                gl,
                res,
                programs,
                scene,
                &layers,
                kinds,
                panels,
                info.samples,
            )?;
            stage("gl setup");
            (g, 0)
        }
    };
    let job = Job {
        gl,
        scene,
        samples: info.samples,
        foci: any_foci(scene).then(|| programs.foci(gl)).transpose()?,
        lines: (scene.surfaces.iter().any(|s| !s.lines.is_empty()))
            .then(|| programs.lines(gl))
            .transpose()?,
        resolve: (info.samples > 1)
            .then(|| programs.resolve(gl))
            .transpose()?,
        layers,
        geometry,
    };
    set_state(gl, info.samples);
    let mut images = Vec::with_capacity(panels.len());
    for (i, panel) in panels.iter().enumerate() {
        draw_panel(&job, i, panel)?;
        stage("draw");
        images.push(read_back(&job, panel)?);
        stage("resolve+read");
    }
    if let Some(key) = key {
        *kept = Some(Box::new(Kept {
            key,
            panels: panels.to_vec(),
            cortex: scene.cortex,
            widths,
            geometry: job.geometry,
            objects: res.detach(),
            reused,
        }));
    }
    Ok((images, info))
}

/// Whether any surface of `scene` has foci.
fn any_foci(scene: &Scene) -> bool {
    scene.surfaces.iter().any(|s| !s.foci.is_empty())
}

/// Leaves the context with nothing bound, for the next job.
pub(super) unsafe fn unbind(gl: &glow::Context) {
    gl.use_program(None);
    gl.bind_vertex_array(None);
    gl.bind_buffer(glow::ARRAY_BUFFER, None);
    gl.bind_framebuffer(glow::FRAMEBUFFER, None);
    gl.bind_renderbuffer(glow::RENDERBUFFER, None);
    for unit in 0..4 {
        gl.active_texture(glow::TEXTURE0 + unit);
        gl.bind_texture(glow::TEXTURE_2D, None);
        gl.bind_texture(glow::TEXTURE_2D_MULTISAMPLE, None);
    }
    gl.active_texture(glow::TEXTURE0);
}

/// Programs, uploads, index buffers and framebuffers for the panels of `scene`, whose
/// surfaces draw `layers` with programs for `kinds`.
#[allow(clippy::too_many_arguments)] // one job's inputs, each used once
unsafe fn prepare(
    gl: &glow::Context,
    res: &mut Resources,
    programs: &mut Programs,
    scene: &Scene,
    layers: &[Vec<GlLayer>],
    kinds: Vec<SurfaceKind>,
    panels: &[Panel],
    samples: i32,
) -> Result<Geometry> {
    let empty_vao = gl
        .create_vertex_array()
        .map_err(|e| gl_err("vertex array", e))?;
    res.vaos.push(empty_vao);
    let mut surfaces = Vec::with_capacity(scene.surfaces.len());
    for ((s, layers), kind) in scene.surfaces.iter().zip(layers).zip(&kinds) {
        let program = programs.surface(gl, kind)?;
        surfaces.push(upload_surface(gl, res, s, layers, kind, program)?);
    }
    let mut indices = Vec::with_capacity(panels.len());
    for panel in panels {
        let mut parts = Vec::with_capacity(panel.parts.len());
        for part in &panel.parts {
            let Some(surf) = scene.surfaces.get(part.surface) else {
                return Err(Error::Render("panel without surface".into()));
            };
            let upload = |res: &mut Resources, idx: Vec<u32>| -> Result<(glow::Buffer, i32)> {
                Ok((index_buffer(gl, res, &idx)?, idx.len() as i32))
            };
            let surface = upload(res, crate::render::visible_indices(surf, panel))?;
            let foci = (!surf.foci.is_empty())
                .then(|| upload(res, crate::render::visible_foci(surf, panel)))
                .transpose()?;
            parts.push(PartIndices { surface, foci });
        }
        indices.push(parts);
    }
    let (draw_fbo, read_fbo, ms_tex) = target(gl, res, panels, samples)?;
    Ok(Geometry {
        surfaces,
        kinds,
        indices,
        empty_vao,
        draw_fbo,
        read_fbo,
        ms_tex,
    })
}

/// Uploads one surface for `program`: vertices, foci, lines, and its layers' textures.
unsafe fn upload_surface(
    gl: &glow::Context,
    res: &mut Resources,
    s: &SceneSurface,
    layers: &[GlLayer],
    kind: &SurfaceKind,
    program: glow::Program,
) -> Result<SurfaceGl> {
    let (vao, values) = upload(gl, res, s, layers, kind.values())?;
    let foci = (!s.foci.is_empty())
        .then(|| upload_foci(gl, res, s))
        .transpose()?;
    let lines = (!s.lines.is_empty())
        .then(|| upload_lines(gl, res, s))
        .transpose()?;
    let textures = (!layers.is_empty())
        .then(|| upload_layers(gl, res, s, layers))
        .transpose()?;
    Ok(SurfaceGl {
        program,
        vao,
        values,
        foci,
        lines,
        textures,
    })
}

/// Framebuffers as large as the largest panel.
unsafe fn target(
    gl: &glow::Context,
    res: &mut Resources,
    panels: &[Panel],
    samples: i32,
) -> Result<(glow::Framebuffer, glow::Framebuffer, Option<glow::Texture>)> {
    let limit = gl.get_parameter_i32(glow::MAX_RENDERBUFFER_SIZE);
    if let Some(p) = panels
        .iter()
        .find(|p| p.width as i64 > limit as i64 || p.height as i64 > limit as i64)
    {
        return Err(Error::Render(format!(
            "a {}x{} panel exceeds this driver's largest framebuffer ({limit} pixels per side); choose a smaller --size",
            p.width, p.height
        )));
    }
    let max_w = panels.iter().map(|p| p.width).max().unwrap_or(1).max(1) as i32;
    let max_h = panels.iter().map(|p| p.height).max().unwrap_or(1).max(1) as i32;
    framebuffers(gl, res, max_w, max_h, samples)
}

/// The fixed-function state every draw of a job assumes.
unsafe fn set_state(gl: &glow::Context, samples: i32) {
    gl.enable(glow::DEPTH_TEST);
    gl.depth_func(glow::LESS);
    gl.depth_mask(true);
    gl.color_mask(true, true, true, true);
    gl.disable(glow::BLEND);
    gl.disable(glow::CULL_FACE);
    gl.disable(glow::SCISSOR_TEST);
    if samples > 1 {
        gl.enable(glow::MULTISAMPLE);
    }
}

/// Draws panel `index` into the draw framebuffer: each of its surfaces (one, or both
/// hemispheres of a whole-brain panel) with its foci and its lines, surface after
/// surface into one depth buffer.
unsafe fn draw_panel(job: &Job, index: usize, panel: &Panel) -> Result<()> {
    let gl = job.gl;
    if panel.parts.is_empty() {
        return Err(Error::Render("panel without surface".into()));
    }
    let (w, h) = (panel.width.max(1) as i32, panel.height.max(1) as i32);
    gl.bind_framebuffer(glow::FRAMEBUFFER, Some(job.geometry.draw_fbo));
    gl.viewport(0, 0, w, h);
    gl.enable(glow::DEPTH_TEST);
    gl.clear_color(0.0, 0.0, 0.0, 0.0);
    gl.clear(glow::COLOR_BUFFER_BIT | glow::DEPTH_BUFFER_BIT);
    let indices = job.geometry.indices.get(index);
    for (k, part) in panel.parts.iter().enumerate() {
        let (Some(surf), Some(objects), Some(layers), Some(idx)) = (
            job.scene.surfaces.get(part.surface),
            job.geometry.surfaces.get(part.surface),
            job.layers.get(part.surface),
            indices.and_then(|i| i.get(k)),
        ) else {
            return Err(Error::Render("panel without surface".into()));
        };
        draw_part(job, panel, part.offset, surf, objects, layers, idx);
    }
    Ok(())
}

/// Draws one surface of a panel, moved by `offset`: its triangles, foci and lines.
unsafe fn draw_part(
    job: &Job,
    panel: &Panel,
    offset: [f32; 3],
    surf: &SceneSurface,
    objects: &SurfaceGl,
    layers: &[GlLayer],
    idx: &PartIndices,
) {
    let gl = job.gl;
    let (w, h) = (panel.width.max(1) as i32, panel.height.max(1) as i32);
    draw_surface(job, surf, objects, layers, panel, offset, idx.surface);
    if let (Some(program), Some(vao), Some(ebo)) = (job.foci, objects.foci, idx.foci) {
        draw_foci(gl, program, panel, offset, vao, ebo);
    }
    if let (Some(program), Some((vao, n_edges, n_lines))) = (job.lines, objects.lines) {
        gl.use_program(Some(program));
        let loc = |name: &str| gl.get_uniform_location(program, name);
        gl.uniform_matrix_4_f32_slice(loc("u_mvp").as_ref(), false, &mvp(panel, offset));
        let lift = panel.camera.eye.map(|x| x * LINE_LIFT_MM);
        gl.uniform_3_f32_slice(loc("u_lift").as_ref(), &lift);
        gl.uniform_2_f32(loc("u_viewport").as_ref(), w as f32, h as f32);
        // Lines are tested against the surface but do not write depth: each covers the
        // lines drawn before it, so lines cover their edges.
        gl.depth_func(glow::LEQUAL);
        gl.depth_mask(false);
        gl.bind_vertex_array(Some(vao));
        let (outline, edge) = (job.scene.outline_px, job.scene.edge_px);
        if n_edges > 0 {
            gl.uniform_1_f32(loc("u_width").as_ref(), outline + 2.0 * edge);
            gl.draw_arrays(glow::LINES, 0, n_edges);
        }
        gl.uniform_1_f32(loc("u_width").as_ref(), outline);
        gl.draw_arrays(glow::LINES, n_edges, n_lines);
        gl.depth_mask(true);
        gl.depth_func(glow::LESS);
    }
}

/// Draws the triangles of `surf` that face the camera (`ebo`, of that many indices) with
/// the surface program.
unsafe fn draw_surface(
    job: &Job,
    surf: &SceneSurface,
    objects: &SurfaceGl,
    layers: &[GlLayer],
    panel: &Panel,
    offset: [f32; 3],
    (ebo, count): (glow::Buffer, i32),
) {
    let gl = job.gl;
    gl.use_program(Some(objects.program));
    let loc = |name: &str| gl.get_uniform_location(objects.program, name);
    let (gyrus, sulcus) = job.scene.cortex.colors();
    let f = |c: [u8; 3]| c.map(|x| x as f32 / 255.0);
    gl.uniform_3_f32_slice(loc("u_gyrus").as_ref(), &f(gyrus));
    gl.uniform_3_f32_slice(loc("u_sulcus").as_ref(), &f(sulcus));
    gl.uniform_3_f32_slice(loc("u_flat").as_ref(), &f(FLAT_GREY));
    gl.uniform_1_i32(loc("u_has_curv").as_ref(), surf.curv.is_some() as i32);
    set_camera(gl, &loc, panel, offset);
    if let Some(t) = &objects.textures {
        for (k, (tex, name)) in [t.colors, t.lut]
            .iter()
            .zip(["u_layers", "u_layer_lut"])
            .enumerate()
        {
            gl.active_texture(glow::TEXTURE2 + k as u32);
            gl.bind_texture(glow::TEXTURE_2D, Some(*tex));
            gl.uniform_1_i32(loc(name).as_ref(), 2 + k as i32);
        }
        gl.uniform_1_i32(loc("u_layer_rows").as_ref(), t.rows);
        set_layer_uniforms(gl, &loc, layers);
    }
    gl.bind_vertex_array(Some(objects.vao));
    gl.bind_buffer(glow::ELEMENT_ARRAY_BUFFER, Some(ebo));
    gl.draw_elements(glow::TRIANGLES, count, glow::UNSIGNED_INT, 0);
}

/// surface.frag's per-layer uniforms: opacity, and each overlay layer's sign, threshold
/// and range (the kinds and slots are the program's own).
unsafe fn set_layer_uniforms(
    gl: &glow::Context,
    loc: &dyn Fn(&str) -> Option<glow::UniformLocation>,
    layers: &[GlLayer],
) {
    let ints = |f: &dyn Fn(&GlLayer) -> i32| -> Vec<i32> { layers.iter().map(f).collect() };
    let floats = |f: &dyn Fn(&crate::color::ColorMapping) -> f32| -> Vec<f32> {
        let value = |l: &GlLayer| match l.paint {
            GlPaint::Values(_, m) => f(m),
            GlPaint::Colors(_) => 0.0,
        };
        layers.iter().map(value).collect()
    };
    let alpha: Vec<f32> = layers.iter().map(|l| l.alpha).collect();
    gl.uniform_1_f32_slice(loc("u_layer_alpha").as_ref(), &alpha);
    let sign = |l: &GlLayer| match l.paint {
        GlPaint::Values(_, m) => m.sign.code(),
        GlPaint::Colors(_) => 0,
    };
    gl.uniform_1_i32_slice(loc("u_layer_sign").as_ref(), &ints(&sign));
    gl.uniform_1_f32_slice(loc("u_layer_threshold").as_ref(), &floats(&|m| m.threshold));
    gl.uniform_1_f32_slice(loc("u_layer_lo").as_ref(), &floats(&|m| m.lo));
    gl.uniform_1_f32_slice(loc("u_layer_hi").as_ref(), &floats(&|m| m.hi));
}

/// The uniforms of the camera and lights that surface.vert, foci.vert and lighting.glsl
/// share.
unsafe fn set_camera(
    gl: &glow::Context,
    loc: &dyn Fn(&str) -> Option<glow::UniformLocation>,
    panel: &Panel,
    offset: [f32; 3],
) {
    gl.uniform_matrix_4_f32_slice(loc("u_mvp").as_ref(), false, &mvp(panel, offset));
    let c = panel.camera;
    // Column-major upload of a matrix whose rows are right, up, eye.
    let view = [
        c.right[0], c.up[0], c.eye[0], c.right[1], c.up[1], c.eye[1], c.right[2], c.up[2], c.eye[2],
    ];
    gl.uniform_matrix_3_f32_slice(loc("u_view").as_ref(), false, &view);
    let dirs: Vec<f32> = panel.lights.iter().flat_map(|l| l.dir).collect();
    let ints: Vec<f32> = panel.lights.iter().map(|l| l.intensity).collect();
    gl.uniform_3_f32_slice(loc("u_light_dir").as_ref(), &dirs);
    gl.uniform_1_f32_slice(loc("u_light_int").as_ref(), &ints);
    gl.uniform_1_f32(loc("u_ambient").as_ref(), AMBIENT);
}

/// Draws the foci that face the camera (`ebo`, of that many indices) with the foci
/// program, after the surface's triangles (and so under the same depth test, as if
/// part of it).
unsafe fn draw_foci(
    gl: &glow::Context,
    program: glow::Program,
    panel: &Panel,
    offset: [f32; 3],
    vao: glow::VertexArray,
    (ebo, count): (glow::Buffer, i32),
) {
    if count == 0 {
        return;
    }
    gl.use_program(Some(program));
    set_camera(
        gl,
        &|name| gl.get_uniform_location(program, name),
        panel,
        offset,
    );
    gl.bind_vertex_array(Some(vao));
    gl.bind_buffer(glow::ELEMENT_ARRAY_BUFFER, Some(ebo));
    gl.draw_elements(glow::TRIANGLES, count, glow::UNSIGNED_INT, 0);
}

/// Resolves the drawn panel (our own shader; see resolve.frag) and reads it back.
unsafe fn read_back(job: &Job, panel: &Panel) -> Result<RgbaImage> {
    let gl = job.gl;
    let (w, h) = (panel.width.max(1) as i32, panel.height.max(1) as i32);
    if let Some(resolve) = job.resolve {
        gl.bind_framebuffer(glow::FRAMEBUFFER, Some(job.geometry.read_fbo));
        gl.disable(glow::DEPTH_TEST);
        gl.use_program(Some(resolve));
        gl.active_texture(glow::TEXTURE1);
        gl.bind_texture(glow::TEXTURE_2D_MULTISAMPLE, job.geometry.ms_tex);
        let loc = |name: &str| gl.get_uniform_location(resolve, name);
        gl.uniform_1_i32(loc("u_samples").as_ref(), 1);
        gl.uniform_1_i32(loc("u_count").as_ref(), job.samples);
        gl.bind_vertex_array(Some(job.geometry.empty_vao));
        gl.draw_arrays(glow::TRIANGLES, 0, 3);
    }
    gl.bind_framebuffer(glow::FRAMEBUFFER, Some(job.geometry.read_fbo));
    let mut pixels = vec![0u8; w as usize * h as usize * 4];
    gl.pixel_store_i32(glow::PACK_ALIGNMENT, 1);
    gl.read_pixels(
        0,
        0,
        w,
        h,
        glow::RGBA,
        glow::UNSIGNED_BYTE,
        glow::PixelPackData::Slice(Some(&mut pixels)),
    );
    let err = gl.get_error();
    if err != glow::NO_ERROR {
        return Err(Error::Render(format!(
            "OpenGL error 0x{err:04x} while drawing"
        )));
    }
    // GL rows run bottom-up; images run top-down.
    let row = w as usize * 4;
    let flipped: Vec<u8> = pixels.chunks_exact(row).rev().flatten().copied().collect();
    RgbaImage::from_raw(w as u32, h as u32, flipped)
        .ok_or_else(|| Error::Render("read-back size mismatch".into()))
}

/// The panel's projection of a surface moved by `offset` (`Panel::projection_at`) as a
/// column-major 4x4 matrix.
fn mvp(p: &Panel, offset: [f32; 3]) -> [f32; 16] {
    let [r0, r1, r2] = p.projection_at(offset);
    let r3 = [0.0, 0.0, 0.0, 1.0];
    let mut m = [0.0; 16];
    for (i, r) in [r0, r1, r2, r3].iter().enumerate() {
        for j in 0..4 {
            m[j * 4 + i] = r[j];
        }
    }
    m
}
