//! GL objects of one job: creation, upload and framebuffers, with every object owned
//! by [`Resources`] and deleted when the job ends, so nothing of one figure is left in
//! the context for the next, unless the figure has a geometry key: then they are kept
//! ([`Objects`]) for the next frame of the same movie, until a figure without that key
//! comes or the context goes.

use glow::HasContext;

use super::layers::{GlLayer, GlPaint};
use crate::color::LUT_SIZE;
use crate::error::{Error, Result};
use crate::render::MAX_LAYERS;
use crate::scene::SceneSurface;

/// GL objects to delete when the job ends, on success or error.
pub(super) struct Resources<'a> {
    pub(super) gl: Option<&'a glow::Context>,
    pub(super) vaos: Vec<glow::VertexArray>,
    pub(super) buffers: Vec<glow::Buffer>,
    pub(super) textures: Vec<glow::Texture>,
    pub(super) renderbuffers: Vec<glow::Renderbuffer>,
    pub(super) framebuffers: Vec<glow::Framebuffer>,
}

impl<'a> Resources<'a> {
    /// Nothing yet, on `gl`.
    pub(super) fn new(gl: &'a glow::Context) -> Resources<'a> {
        Resources {
            gl: Some(gl),
            vaos: Vec::new(),
            buffers: Vec::new(),
            textures: Vec::new(),
            renderbuffers: Vec::new(),
            framebuffers: Vec::new(),
        }
    }
}

/// GL objects kept from one job for the next (the geometry of a movie's frames): plain
/// names, deleted only once handed back to a [`Resources`] ([`Resources::adopt`]).
#[derive(Debug, Default)]
pub(super) struct Objects {
    vaos: Vec<glow::VertexArray>,
    buffers: Vec<glow::Buffer>,
    textures: Vec<glow::Texture>,
    renderbuffers: Vec<glow::Renderbuffer>,
    framebuffers: Vec<glow::Framebuffer>,
}

impl<'a> Resources<'a> {
    /// Takes every object out, to outlive the job: nothing is deleted on drop.
    pub(super) fn detach(&mut self) -> Objects {
        use std::mem::take;
        Objects {
            vaos: take(&mut self.vaos),
            buffers: take(&mut self.buffers),
            textures: take(&mut self.textures),
            renderbuffers: take(&mut self.renderbuffers),
            framebuffers: take(&mut self.framebuffers),
        }
    }

    /// Takes `objects` (made on this context) back: they are deleted with this job's.
    pub(super) fn adopt(&mut self, objects: Objects) {
        self.vaos.extend(objects.vaos);
        self.buffers.extend(objects.buffers);
        self.textures.extend(objects.textures);
        self.renderbuffers.extend(objects.renderbuffers);
        self.framebuffers.extend(objects.framebuffers);
    }
}

impl Drop for Resources<'_> {
    fn drop(&mut self) {
        let Some(gl) = self.gl else { return };
        // SAFETY: objects were created by this context, which is still current.
        unsafe {
            self.vaos.iter().for_each(|&o| gl.delete_vertex_array(o));
            self.buffers.iter().for_each(|&o| gl.delete_buffer(o));
            self.textures.iter().for_each(|&o| gl.delete_texture(o));
            self.renderbuffers
                .iter()
                .for_each(|&o| gl.delete_renderbuffer(o));
            self.framebuffers
                .iter()
                .for_each(|&o| gl.delete_framebuffer(o));
        }
    }
}

pub(super) fn gl_err(what: &str, e: String) -> Error {
    Error::Render(format!("OpenGL: {what}: {e}"))
}

/// Uploads a surface's vertex attributes (surface.vert): position, normal and curvature
/// in one buffer, and `(value, validity)` in each of `slots` value slots in a buffer of
/// their own ([`value_data`]), which the next frame of a movie overwrites
/// ([`update_values`]). Returns the vertex array (left unbound) and the values' buffer,
/// if any.
pub(super) unsafe fn upload(
    gl: &glow::Context,
    res: &mut Resources,
    s: &SceneSurface,
    layers: &[GlLayer],
    slots: usize,
) -> Result<(glow::VertexArray, Option<glow::Buffer>)> {
    let n = s.mesh.vertices.len();
    let mut data = Vec::with_capacity(n * 7);
    for i in 0..n {
        data.extend_from_slice(&s.mesh.vertices[i]);
        data.extend_from_slice(&s.normals[i]);
        data.push(s.curv.as_ref().map_or(0.0, |c| c[i]));
    }
    let vao = float_vertex_array(gl, res, &data, &[3, 3, 1])?;
    if slots == 0 {
        return Ok((vao, None));
    }
    gl.bind_vertex_array(Some(vao));
    let vbo = gl.create_buffer().map_err(|e| gl_err("buffer", e))?;
    res.buffers.push(vbo);
    gl.bind_buffer(glow::ARRAY_BUFFER, Some(vbo));
    let values = value_data(s, layers, slots);
    gl.buffer_data_u8_slice(glow::ARRAY_BUFFER, bytes_of(&values), glow::DYNAMIC_DRAW);
    let stride = slots as i32 * 8;
    for k in 0..slots {
        let loc = 3 + k as u32;
        gl.enable_vertex_attrib_array(loc);
        gl.vertex_attrib_pointer_f32(loc, 2, glow::FLOAT, false, stride, k as i32 * 8);
    }
    gl.bind_vertex_array(None);
    Ok((vao, Some(vbo)))
}

/// `(value, validity)` of each of `slots` value slots per vertex of `s`: the overlays of
/// `layers` in order, 0 and invalid in slots this surface does not fill.
fn value_data(s: &SceneSurface, layers: &[GlLayer], slots: usize) -> Vec<f32> {
    let values: Vec<Vec<[f32; 2]>> = layers
        .iter()
        .filter_map(|l| match l.paint {
            GlPaint::Values(v, _) => Some(crate::scene::nodata::corners(v, &s.mesh.faces)),
            GlPaint::Colors(_) => None,
        })
        .collect();
    let n = s.mesh.vertices.len();
    let mut data = Vec::with_capacity(n * slots * 2);
    for i in 0..n {
        for k in 0..slots {
            // NaN would poison interpolation across a whole triangle: a value and a
            // validity instead (scene::nodata).
            let c = values.get(k).and_then(|v| v.get(i)).copied();
            data.extend_from_slice(&c.unwrap_or([0.0, 0.0]));
        }
    }
    data
}

/// Overwrites the values' buffer made by [`upload`] with the values of `layers` (the
/// same stack, on the same surface, as they were uploaded for).
pub(super) unsafe fn update_values(
    gl: &glow::Context,
    vbo: glow::Buffer,
    s: &SceneSurface,
    layers: &[GlLayer],
    slots: usize,
) {
    let values = value_data(s, layers, slots);
    gl.bind_buffer(glow::ARRAY_BUFFER, Some(vbo));
    gl.buffer_sub_data_u8_slice(glow::ARRAY_BUFFER, 0, bytes_of(&values));
    gl.bind_buffer(glow::ARRAY_BUFFER, None);
}

/// A buffer of triangle indices (an element array buffer, for whichever vertex array
/// binds it).
pub(super) unsafe fn index_buffer(
    gl: &glow::Context,
    res: &mut Resources,
    indices: &[u32],
) -> Result<glow::Buffer> {
    let ebo = gl.create_buffer().map_err(|e| gl_err("buffer", e))?;
    res.buffers.push(ebo);
    // Bound to ARRAY_BUFFER for the upload, so that no vertex array's element binding
    // changes here.
    gl.bind_buffer(glow::ARRAY_BUFFER, Some(ebo));
    gl.buffer_data_u8_slice(glow::ARRAY_BUFFER, bytes_of(indices), glow::STATIC_DRAW);
    gl.bind_buffer(glow::ARRAY_BUFFER, None);
    Ok(ebo)
}

/// Uploads a surface's foci for the foci program: positions and normals as floats, and
/// colours as bytes that the vertex fetch normalises, as it does the 8-bit texels the
/// surface's layers are read from.
pub(super) unsafe fn upload_foci(
    gl: &glow::Context,
    res: &mut Resources,
    s: &SceneSurface,
) -> Result<glow::VertexArray> {
    let f = &s.foci;
    let mut data = Vec::with_capacity(f.mesh.vertices.len() * 6);
    for (p, n) in f.mesh.vertices.iter().zip(&f.normals) {
        data.extend_from_slice(p);
        data.extend_from_slice(n);
    }
    let vao = float_vertex_array(gl, res, &data, &[3, 3])?;
    gl.bind_vertex_array(Some(vao));
    let colors = gl.create_buffer().map_err(|e| gl_err("buffer", e))?;
    res.buffers.push(colors);
    gl.bind_buffer(glow::ARRAY_BUFFER, Some(colors));
    gl.buffer_data_u8_slice(
        glow::ARRAY_BUFFER,
        f.colors.as_flattened(),
        glow::STATIC_DRAW,
    );
    gl.enable_vertex_attrib_array(2);
    gl.vertex_attrib_pointer_f32(2, 3, glow::UNSIGNED_BYTE, true, 3, 0);
    gl.bind_vertex_array(None);
    Ok(vao)
}

/// A vertex array over one buffer of interleaved floats whose attributes, at locations
/// 0, 1, ..., have the given numbers of components. Left unbound.
unsafe fn float_vertex_array(
    gl: &glow::Context,
    res: &mut Resources,
    data: &[f32],
    sizes: &[i32],
) -> Result<glow::VertexArray> {
    let vao = gl
        .create_vertex_array()
        .map_err(|e| gl_err("vertex array", e))?;
    res.vaos.push(vao);
    gl.bind_vertex_array(Some(vao));
    let vbo = gl.create_buffer().map_err(|e| gl_err("buffer", e))?;
    res.buffers.push(vbo);
    gl.bind_buffer(glow::ARRAY_BUFFER, Some(vbo));
    gl.buffer_data_u8_slice(glow::ARRAY_BUFFER, bytes_of(data), glow::STATIC_DRAW);
    let stride = sizes.iter().sum::<i32>() * 4;
    let mut offset = 0;
    for (loc, &size) in sizes.iter().enumerate() {
        gl.enable_vertex_attrib_array(loc as u32);
        gl.vertex_attrib_pointer_f32(loc as u32, size, glow::FLOAT, false, stride, offset * 4);
        offset += size;
    }
    gl.bind_vertex_array(None);
    Ok(vao)
}

/// Views plain numbers as bytes for upload.
pub(super) fn bytes_of<T: Copy + Into<f64>>(data: &[T]) -> &[u8] {
    // SAFETY: used with f32 and u32 only: no padding, every bit pattern valid; the byte
    // slice covers exactly the same memory.
    unsafe { std::slice::from_raw_parts(data.as_ptr() as *const u8, std::mem::size_of_val(data)) }
}

/// The multisampled draw target (colour texture, depth renderbuffer), and the single-
/// sampled target we resolve into and read back. Without MSAA both are the same FBO.
pub(super) unsafe fn framebuffers(
    gl: &glow::Context,
    res: &mut Resources,
    w: i32,
    h: i32,
    samples: i32,
) -> Result<(glow::Framebuffer, glow::Framebuffer, Option<glow::Texture>)> {
    let mut fbo = || -> Result<glow::Framebuffer> {
        let fbo = gl
            .create_framebuffer()
            .map_err(|e| gl_err("framebuffer", e))?;
        res.framebuffers.push(fbo);
        gl.bind_framebuffer(glow::FRAMEBUFFER, Some(fbo));
        Ok(fbo)
    };
    let complete = || -> Result<()> {
        let status = gl.check_framebuffer_status(glow::FRAMEBUFFER);
        if status != glow::FRAMEBUFFER_COMPLETE {
            return Err(Error::Render(format!(
                "framebuffer {w}x{h} incomplete (0x{status:04x})"
            )));
        }
        Ok(())
    };
    let read = fbo()?;
    let rb = gl
        .create_renderbuffer()
        .map_err(|e| gl_err("renderbuffer", e))?;
    res.renderbuffers.push(rb);
    gl.bind_renderbuffer(glow::RENDERBUFFER, Some(rb));
    gl.renderbuffer_storage(glow::RENDERBUFFER, glow::RGBA8, w, h);
    gl.framebuffer_renderbuffer(
        glow::FRAMEBUFFER,
        glow::COLOR_ATTACHMENT0,
        glow::RENDERBUFFER,
        Some(rb),
    );
    let (draw, ms_tex) = if samples > 1 {
        let draw = fbo()?;
        let tex = gl.create_texture().map_err(|e| gl_err("texture", e))?;
        res.textures.push(tex);
        gl.bind_texture(glow::TEXTURE_2D_MULTISAMPLE, Some(tex));
        gl.tex_image_2d_multisample(
            glow::TEXTURE_2D_MULTISAMPLE,
            samples,
            glow::RGBA8 as i32,
            w,
            h,
            true,
        );
        gl.framebuffer_texture_2d(
            glow::FRAMEBUFFER,
            glow::COLOR_ATTACHMENT0,
            glow::TEXTURE_2D_MULTISAMPLE,
            Some(tex),
            0,
        );
        (draw, Some(tex))
    } else {
        (read, None)
    };
    let depth = gl
        .create_renderbuffer()
        .map_err(|e| gl_err("renderbuffer", e))?;
    res.renderbuffers.push(depth);
    gl.bind_renderbuffer(glow::RENDERBUFFER, Some(depth));
    if samples > 1 {
        gl.renderbuffer_storage_multisample(
            glow::RENDERBUFFER,
            samples,
            glow::DEPTH_COMPONENT24,
            w,
            h,
        );
    } else {
        gl.renderbuffer_storage(glow::RENDERBUFFER, glow::DEPTH_COMPONENT24, w, h);
    }
    gl.framebuffer_renderbuffer(
        glow::FRAMEBUFFER,
        glow::DEPTH_ATTACHMENT,
        glow::RENDERBUFFER,
        Some(depth),
    );
    complete()?;
    gl.bind_framebuffer(glow::FRAMEBUFFER, Some(read));
    complete()?;
    Ok((draw, read, ms_tex))
}

/// Width of the per-vertex layer texture; vertex `v` of layer `l` is at
/// `(v % LAYER_TEX_WIDTH, l * rows + v / LAYER_TEX_WIDTH)` (surface.frag uses the same).
pub(super) const LAYER_TEX_WIDTH: usize = 4096;

/// A surface's layers on the GPU (surface.frag's `u_layers` and `u_layer_lut`; overlay
/// values are vertex attributes, see [`upload`]).
#[derive(Debug, Clone, Copy)]
pub(super) struct LayerTextures {
    pub colors: glow::Texture,
    pub lut: glow::Texture,
    /// Texture rows each layer takes.
    pub rows: i32,
}

/// Uploads a surface's layers: the colours of each annotation and label in its slot's
/// block of rows as RGBA8, and each layer's two LUT rows at rows `2l` and `2l + 1` of
/// one 256-wide table (overlay values are vertex attributes, see [`upload`]).
pub(super) unsafe fn upload_layers(
    gl: &glow::Context,
    res: &mut Resources,
    s: &SceneSurface,
    layers: &[GlLayer],
) -> Result<LayerTextures> {
    let n = s.mesh.vertices.len();
    let rows = n.div_ceil(LAYER_TEX_WIDTH).max(1);
    let count = layers.iter().filter(|l| l.paint.kind() == 0).count().max(1);
    let mut colors = vec![0u8; LAYER_TEX_WIDTH * rows * count * 4];
    for layer in layers {
        if let GlPaint::Colors(c) = layer.paint {
            let base = layer.slot * rows * LAYER_TEX_WIDTH * 4;
            let n = c.len().min(n);
            if let Some(px) = colors.get_mut(base..base + n * 4) {
                px.copy_from_slice(c[..n].as_flattened());
            }
        }
    }
    let lut = lut_data(layers);
    let size = (LAYER_TEX_WIDTH, rows * count);
    Ok(LayerTextures {
        colors: rgba_texture(gl, res, size, &colors)?,
        lut: rgba_texture(gl, res, (LUT_SIZE, 2 * MAX_LAYERS), &lut)?,
        rows: rows as i32,
    })
}

/// Each overlay layer's two LUT rows of `layers` at rows `2l` and `2l + 1` of one
/// 256-wide RGBA8 table (surface.frag's `u_layer_lut`).
fn lut_data(layers: &[GlLayer]) -> Vec<u8> {
    let mut lut = vec![0u8; LUT_SIZE * 2 * MAX_LAYERS * 4];
    for (l, layer) in layers.iter().enumerate() {
        if let GlPaint::Values(_, m) = layer.paint {
            let at = l * 2 * LUT_SIZE * 4;
            if let Some(rows) = lut.get_mut(at..at + 2 * LUT_SIZE * 4) {
                rows.copy_from_slice(&m.lut_rgba());
            }
        }
    }
    lut
}

/// Overwrites the LUT texture made by [`upload_layers`] with the mappings of `layers`
/// (the same stack as it was made for).
pub(super) unsafe fn update_lut(gl: &glow::Context, tex: glow::Texture, layers: &[GlLayer]) {
    let lut = lut_data(layers);
    gl.bind_texture(glow::TEXTURE_2D, Some(tex));
    gl.pixel_store_i32(glow::UNPACK_ALIGNMENT, 1);
    gl.tex_sub_image_2d(
        glow::TEXTURE_2D,
        0,
        0,
        0,
        LUT_SIZE as i32,
        (2 * MAX_LAYERS) as i32,
        glow::RGBA,
        glow::UNSIGNED_BYTE,
        glow::PixelUnpackData::Slice(Some(&lut)),
    );
    gl.bind_texture(glow::TEXTURE_2D, None);
}

/// A `w` x `h` RGBA8 texture of `data`, sampled at texel centres only (`texelFetch`).
unsafe fn rgba_texture(
    gl: &glow::Context,
    res: &mut Resources,
    (w, h): (usize, usize),
    data: &[u8],
) -> Result<glow::Texture> {
    let tex = gl.create_texture().map_err(|e| gl_err("texture", e))?;
    res.textures.push(tex);
    gl.bind_texture(glow::TEXTURE_2D, Some(tex));
    gl.pixel_store_i32(glow::UNPACK_ALIGNMENT, 1);
    gl.tex_image_2d(
        glow::TEXTURE_2D,
        0,
        glow::RGBA8 as i32,
        w as i32,
        h as i32,
        0,
        glow::RGBA,
        glow::UNSIGNED_BYTE,
        glow::PixelUnpackData::Slice(Some(data)),
    );
    for p in [glow::TEXTURE_MIN_FILTER, glow::TEXTURE_MAG_FILTER] {
        gl.tex_parameter_i32(glow::TEXTURE_2D, p, glow::NEAREST as i32);
    }
    gl.bind_texture(glow::TEXTURE_2D, None);
    Ok(tex)
}

/// Uploads a surface's border segments (position, colour) for the line program, the
/// contrasting edges first and then the lines; returns the vertex array and the number
/// of vertices of the edges and of the lines.
pub(super) unsafe fn upload_lines(
    gl: &glow::Context,
    res: &mut Resources,
    s: &SceneSurface,
) -> Result<(glow::VertexArray, i32, i32)> {
    let mut data: Vec<f32> = Vec::with_capacity((s.edges.len() + s.lines.len()) * 14);
    for seg in s.edges.iter().chain(&s.lines) {
        let c = seg.rgba.map(|x| x as f32 / 255.0);
        for p in [seg.a, seg.b] {
            data.extend_from_slice(&p);
            data.extend_from_slice(&c);
        }
    }
    // Position, colour.
    let vao = float_vertex_array(gl, res, &data, &[3, 4])?;
    Ok((vao, (s.edges.len() * 2) as i32, (s.lines.len() * 2) as i32))
}
