//! The OpenGL 3.3 core renderer shared by every GL context: upload, draw each panel into
//! a multisampled FBO, resolve, read back. All `unsafe` here is glow's FFI.

use glow::HasContext;
use image::RgbaImage;

mod setup;

use setup::{
    bytes_of, compile, framebuffers, gl_err, upload, upload_foci, upload_layers, upload_lines,
    Resources,
};

use super::{BackendInfo, Panel, LINE_LIFT_MM, MAX_LAYERS};
use crate::color::{FLAT_GREY, LUT_SIZE};
use crate::error::{Error, Result};
use crate::scene::AMBIENT;
use crate::scene::{Paint, Scene, SceneSurface, VertexLayer};

const VERT: &str = include_str!("../../../shaders/surface.vert");
const FRAG: &str = include_str!("../../../shaders/surface.frag");
const GEOM: &str = include_str!("../../../shaders/surface.geom");
const LINES_VERT: &str = include_str!("../../../shaders/lines.vert");
const LINES_GEOM: &str = include_str!("../../../shaders/lines.geom");
const LINES_FRAG: &str = include_str!("../../../shaders/lines.frag");
const RESOLVE_VERT: &str = include_str!("../../../shaders/resolve.vert");
const RESOLVE_FRAG: &str = include_str!("../../../shaders/resolve.frag");
const FOCI_VERT: &str = include_str!("../../../shaders/foci.vert");
const FOCI_FRAG: &str = include_str!("../../../shaders/foci.frag");
const LIGHTING: &str = include_str!("../../../shaders/lighting.glsl");

/// A shader's source with `defines` after its version line, and lighting.glsl where it
/// asks for it.
fn source(src: &str, defines: &str) -> String {
    src.replacen(
        "#version 330 core\n",
        &format!("#version 330 core\n{defines}"),
        1,
    )
    .replace("// @include lighting.glsl\n", LIGHTING)
}

/// GL_VENDOR, GL_RENDERER, GL_VERSION and GL_MAX_SAMPLES of the current context.
pub fn describe(gl: &glow::Context) -> (String, String, String, i32) {
    // SAFETY: plain queries on the current context.
    unsafe {
        (
            gl.get_parameter_string(glow::VENDOR),
            gl.get_parameter_string(glow::RENDERER),
            gl.get_parameter_string(glow::VERSION),
            gl.get_parameter_i32(glow::MAX_SAMPLES),
        )
    }
}

/// Draws all panels with the current context.
pub fn render_panels(
    gl: &glow::Context,
    scene: &Scene,
    panels: &[Panel],
) -> Result<(Vec<RgbaImage>, BackendInfo)> {
    let mut res = Resources {
        gl: Some(gl),
        programs: Vec::new(),
        vaos: Vec::new(),
        buffers: Vec::new(),
        textures: Vec::new(),
        renderbuffers: Vec::new(),
        framebuffers: Vec::new(),
    };
    // SAFETY: a context is current on this thread for the lifetime of `gl`; every object
    // created is owned by `res` and deleted on drop.
    unsafe { draw(&mut res, scene, panels) }
}

unsafe fn draw(
    res: &mut Resources,
    scene: &Scene,
    panels: &[Panel],
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
    // Layers switch on parts of the surface shaders; only annotation and label layers
    // need the geometry stage (plain figures and overlay stacks skip its cost).
    let paints = || {
        scene
            .surfaces
            .iter()
            .flat_map(|s| &s.layers)
            .map(|l| &l.paint)
    };
    let has_layers = paints().next().is_some();
    let has_values = paints().any(|p| matches!(p, Paint::Values { .. }));
    let has_colors = paints().any(|p| matches!(p, Paint::Colors(_)));
    let defines: String = [
        (has_layers, "LAYERS"),
        (has_values, "VALUES"),
        (has_colors, "CATEGORICAL"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, d)| format!("#define {d}\n"))
    .collect();
    let with = |src: &str| source(src, &defines);
    let (vert, geom, frag) = (with(VERT), with(GEOM), with(FRAG));
    let mut stages = vec![(glow::VERTEX_SHADER, vert.as_str(), "vert")];
    if has_colors {
        stages.push((glow::GEOMETRY_SHADER, geom.as_str(), "geom"));
    }
    stages.push((glow::FRAGMENT_SHADER, frag.as_str(), "frag"));
    let program = compile(gl, &stages, "surface")?;
    res.programs.push(program);
    let resolve = if info.samples > 1 {
        let p = compile(
            gl,
            &[
                (glow::VERTEX_SHADER, RESOLVE_VERT, "vert"),
                (glow::FRAGMENT_SHADER, RESOLVE_FRAG, "frag"),
            ],
            "resolve",
        )?;
        res.programs.push(p);
        Some(p)
    } else {
        None
    };
    let empty_vao = gl
        .create_vertex_array()
        .map_err(|e| gl_err("vertex array", e))?;
    res.vaos.push(empty_vao);

    let vaos: Vec<(glow::VertexArray, glow::Buffer)> = scene
        .surfaces
        .iter()
        .map(|s| upload(gl, res, s, has_values))
        .collect::<Result<_>>()?;

    let foci_vaos: Vec<Option<(glow::VertexArray, glow::Buffer)>> = scene
        .surfaces
        .iter()
        .map(|s| {
            (!s.foci.is_empty())
                .then(|| upload_foci(gl, res, s))
                .transpose()
        })
        .collect::<Result<_>>()?;
    let foci_program = if foci_vaos.iter().any(Option::is_some) {
        let frag = source(FOCI_FRAG, "");
        let stages = [
            (glow::VERTEX_SHADER, FOCI_VERT, "vert"),
            (glow::FRAGMENT_SHADER, frag.as_str(), "frag"),
        ];
        let p = compile(gl, &stages, "foci")?;
        res.programs.push(p);
        Some(p)
    } else {
        None
    };
    let lines_program = if scene.surfaces.iter().any(|s| !s.lines.is_empty()) {
        let stages = [
            (glow::VERTEX_SHADER, LINES_VERT, "vert"),
            (glow::GEOMETRY_SHADER, LINES_GEOM, "geom"),
            (glow::FRAGMENT_SHADER, LINES_FRAG, "frag"),
        ];
        let p = compile(gl, &stages, "lines")?;
        res.programs.push(p);
        Some(p)
    } else {
        None
    };
    let line_vaos: Vec<Option<(glow::VertexArray, i32)>> = scene
        .surfaces
        .iter()
        .map(|s| {
            (!s.lines.is_empty())
                .then(|| upload_lines(gl, res, s))
                .transpose()
        })
        .collect::<Result<_>>()?;
    let layer_textures: Vec<Option<setup::LayerTextures>> = scene
        .surfaces
        .iter()
        .map(|s| {
            (!s.layers.is_empty())
                .then(|| upload_layers(gl, res, scene, s))
                .transpose()
        })
        .collect::<Result<_>>()?;

    // Lookup table for the overlay colours.
    let lut_tex = gl.create_texture().map_err(|e| gl_err("texture", e))?;
    res.textures.push(lut_tex);
    gl.active_texture(glow::TEXTURE0);
    gl.bind_texture(glow::TEXTURE_2D, Some(lut_tex));
    let lut = scene
        .mapping(0)
        .map(|m| m.lut_rgba())
        .unwrap_or_else(|| vec![0; LUT_SIZE * 2 * 4]);
    gl.pixel_store_i32(glow::UNPACK_ALIGNMENT, 1);
    gl.tex_image_2d(
        glow::TEXTURE_2D,
        0,
        glow::RGBA8 as i32,
        LUT_SIZE as i32,
        2,
        0,
        glow::RGBA,
        glow::UNSIGNED_BYTE,
        glow::PixelUnpackData::Slice(Some(&lut)),
    );
    for p in [glow::TEXTURE_MIN_FILTER, glow::TEXTURE_MAG_FILTER] {
        gl.tex_parameter_i32(glow::TEXTURE_2D, p, glow::NEAREST as i32);
    }

    stage("gl setup");
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
    let (draw_fbo, read_fbo, ms_tex) = framebuffers(gl, res, max_w, max_h, info.samples)?;

    gl.use_program(Some(program));
    let loc = |name: &str| gl.get_uniform_location(program, name);
    gl.uniform_1_i32(loc("u_lut").as_ref(), 0);
    let (gyrus, sulcus) = scene.cortex.colors();
    let f = |c: [u8; 3]| c.map(|x| x as f32 / 255.0);
    gl.uniform_3_f32_slice(loc("u_gyrus").as_ref(), &f(gyrus));
    gl.uniform_3_f32_slice(loc("u_sulcus").as_ref(), &f(sulcus));
    gl.uniform_3_f32_slice(loc("u_flat").as_ref(), &f(FLAT_GREY));
    if let Some(m) = scene.mapping(0) {
        gl.uniform_1_i32(loc("u_sign").as_ref(), m.sign.code());
        gl.uniform_1_f32(loc("u_threshold").as_ref(), m.threshold);
        gl.uniform_1_f32(loc("u_lo").as_ref(), m.lo);
        gl.uniform_1_f32(loc("u_hi").as_ref(), m.hi);
        gl.uniform_1_f32(loc("u_opacity").as_ref(), m.opacity);
    }
    gl.enable(glow::DEPTH_TEST);
    gl.depth_func(glow::LESS);
    gl.disable(glow::BLEND);
    gl.disable(glow::CULL_FACE);
    if info.samples > 1 {
        gl.enable(glow::MULTISAMPLE);
    }

    let mut images = Vec::with_capacity(panels.len());
    for panel in panels {
        let surf = scene
            .surfaces
            .get(panel.surface)
            .ok_or_else(|| Error::Render("panel without surface".into()))?;
        let (vao, ebo) = vaos[panel.surface];
        let idx = super::visible_indices(surf, panel);
        let (w, h) = (panel.width.max(1) as i32, panel.height.max(1) as i32);
        gl.bind_framebuffer(glow::FRAMEBUFFER, Some(draw_fbo));
        gl.viewport(0, 0, w, h);
        gl.clear_color(0.0, 0.0, 0.0, 0.0);
        gl.clear(glow::COLOR_BUFFER_BIT | glow::DEPTH_BUFFER_BIT);
        let c = panel.camera;
        set_camera(gl, &loc, panel);
        gl.uniform_1_i32(loc("u_has_curv").as_ref(), surf.curv.is_some() as i32);
        let has_overlay = scene.mapping(0).is_some() && surf.overlay.is_some();
        gl.uniform_1_i32(loc("u_has_overlay").as_ref(), has_overlay as i32);
        if has_layers {
            // A surface without layers still needs complete textures bound.
            let (textures, rows) = match &layer_textures[panel.surface] {
                Some(t) => ([t.colors, t.lut], t.rows),
                None => ([lut_tex; 2], 1),
            };
            for (k, (tex, name)) in textures.iter().zip(["u_layers", "u_layer_lut"]).enumerate() {
                gl.active_texture(glow::TEXTURE2 + k as u32);
                gl.bind_texture(glow::TEXTURE_2D, Some(*tex));
                gl.uniform_1_i32(loc(name).as_ref(), 2 + k as i32);
            }
            gl.uniform_1_i32(loc("u_layer_rows").as_ref(), rows);
            set_layer_uniforms(gl, &loc, scene, surf);
        }
        gl.bind_vertex_array(Some(vao));
        gl.bind_buffer(glow::ELEMENT_ARRAY_BUFFER, Some(ebo));
        gl.buffer_data_u8_slice(
            glow::ELEMENT_ARRAY_BUFFER,
            bytes_of(&idx),
            glow::STREAM_DRAW,
        );
        gl.draw_elements(glow::TRIANGLES, idx.len() as i32, glow::UNSIGNED_INT, 0);
        if let (Some(fp), Some((vao, ebo))) = (foci_program, foci_vaos[panel.surface]) {
            draw_foci(gl, fp, panel, surf, vao, ebo);
            gl.use_program(Some(program));
        }
        if let (Some(lp), Some((line_vao, count))) = (lines_program, line_vaos[panel.surface]) {
            gl.use_program(Some(lp));
            let lloc = |name: &str| gl.get_uniform_location(lp, name);
            gl.uniform_matrix_4_f32_slice(lloc("u_mvp").as_ref(), false, &mvp(panel));
            gl.uniform_3_f32_slice(lloc("u_lift").as_ref(), &c.eye.map(|x| x * LINE_LIFT_MM));
            gl.uniform_2_f32(lloc("u_viewport").as_ref(), w as f32, h as f32);
            gl.uniform_1_f32(lloc("u_width").as_ref(), scene.outline_px);
            gl.depth_func(glow::LEQUAL);
            gl.bind_vertex_array(Some(line_vao));
            gl.draw_arrays(glow::LINES, 0, count);
            gl.depth_func(glow::LESS);
            gl.use_program(Some(program));
        }
        stage("draw");

        if let Some(resolve) = resolve {
            gl.bind_framebuffer(glow::FRAMEBUFFER, Some(read_fbo));
            gl.disable(glow::DEPTH_TEST);
            gl.use_program(Some(resolve));
            gl.active_texture(glow::TEXTURE1);
            gl.bind_texture(glow::TEXTURE_2D_MULTISAMPLE, ms_tex);
            let rloc = |name: &str| gl.get_uniform_location(resolve, name);
            gl.uniform_1_i32(rloc("u_samples").as_ref(), 1);
            gl.uniform_1_i32(rloc("u_count").as_ref(), info.samples);
            gl.bind_vertex_array(Some(empty_vao));
            gl.draw_arrays(glow::TRIANGLES, 0, 3);
            gl.use_program(Some(program));
            gl.enable(glow::DEPTH_TEST);
        }
        gl.bind_framebuffer(glow::FRAMEBUFFER, Some(read_fbo));
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
        stage("resolve+read");
        let err = gl.get_error();
        if err != glow::NO_ERROR {
            return Err(Error::Render(format!(
                "OpenGL error 0x{err:04x} while drawing"
            )));
        }
        // GL rows run bottom-up; images run top-down.
        let row = w as usize * 4;
        let flipped: Vec<u8> = pixels.chunks_exact(row).rev().flatten().copied().collect();
        let img = RgbaImage::from_raw(w as u32, h as u32, flipped)
            .ok_or_else(|| Error::Render("read-back size mismatch".into()))?;
        images.push(img);
    }
    Ok((images, info))
}

/// surface.frag's per-layer uniforms: kind, opacity, stacking and each overlay layer's
/// sign, threshold and range.
unsafe fn set_layer_uniforms(
    gl: &glow::Context,
    loc: &dyn Fn(&str) -> Option<glow::UniformLocation>,
    scene: &Scene,
    surf: &SceneSurface,
) {
    let layers: Vec<_> = surf.layers.iter().take(MAX_LAYERS).collect();
    gl.uniform_1_i32(loc("u_n_layers").as_ref(), layers.len() as i32);
    if layers.is_empty() {
        return;
    }
    let mapping = |l: &VertexLayer| match l.paint {
        Paint::Values { layer, .. } => scene.mapping(layer),
        Paint::Colors(_) => None,
    };
    let ints =
        |f: &dyn Fn(&VertexLayer) -> i32| -> Vec<i32> { layers.iter().map(|l| f(l)).collect() };
    let floats = |f: &dyn Fn(&crate::color::ColorMapping) -> f32| -> Vec<f32> {
        layers.iter().map(|l| mapping(l).map_or(0.0, f)).collect()
    };
    // Kind: 0 categorical, 1 overlay values, 2 overlay that colours nothing.
    let kind = ints(&|l| match l.paint {
        Paint::Colors(_) => 0,
        Paint::Values { .. } if mapping(l).is_some() => 1,
        Paint::Values { .. } => 2,
    });
    gl.uniform_1_i32_slice(loc("u_layer_kind").as_ref(), &kind);
    gl.uniform_1_i32_slice(
        loc("u_layer_over").as_ref(),
        &ints(&|l| l.over_overlay as i32),
    );
    let alpha: Vec<f32> = layers.iter().map(|l| l.alpha).collect();
    gl.uniform_1_f32_slice(loc("u_layer_alpha").as_ref(), &alpha);
    gl.uniform_1_i32_slice(
        loc("u_layer_sign").as_ref(),
        &ints(&|l| mapping(l).map_or(0, |m| m.sign.code())),
    );
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
) {
    gl.uniform_matrix_4_f32_slice(loc("u_mvp").as_ref(), false, &mvp(panel));
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

/// Draws the foci of `surf` that face the camera with the foci program, after the
/// surface's triangles (and so under the same depth test, as if part of it).
unsafe fn draw_foci(
    gl: &glow::Context,
    program: glow::Program,
    panel: &Panel,
    surf: &SceneSurface,
    vao: glow::VertexArray,
    ebo: glow::Buffer,
) {
    let idx = super::visible_foci(surf, panel);
    if idx.is_empty() {
        return;
    }
    gl.use_program(Some(program));
    set_camera(gl, &|name| gl.get_uniform_location(program, name), panel);
    gl.bind_vertex_array(Some(vao));
    gl.bind_buffer(glow::ELEMENT_ARRAY_BUFFER, Some(ebo));
    gl.buffer_data_u8_slice(
        glow::ELEMENT_ARRAY_BUFFER,
        bytes_of(&idx),
        glow::STREAM_DRAW,
    );
    gl.draw_elements(glow::TRIANGLES, idx.len() as i32, glow::UNSIGNED_INT, 0);
}

/// The panel's projection (`Panel::projection`) as a column-major 4x4 matrix.
fn mvp(p: &Panel) -> [f32; 16] {
    let [r0, r1, r2] = p.projection();
    let r3 = [0.0, 0.0, 0.0, 1.0];
    let mut m = [0.0; 16];
    for (i, r) in [r0, r1, r2, r3].iter().enumerate() {
        for j in 0..4 {
            m[j * 4 + i] = r[j];
        }
    }
    m
}
