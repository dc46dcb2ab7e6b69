//! GL object management: creation, upload, framebuffers and shader compilation, with
//! every object owned by [`Resources`] and deleted when rendering ends.

use glow::HasContext;

use crate::color::LUT_SIZE;
use crate::error::{Error, Result};
use crate::render::MAX_LAYERS;
use crate::scene::{Paint, Scene, SceneSurface};

/// Components of the surface's vertex attributes at locations 0..5 (surface.vert):
/// position, normal, curvature, value, validity; with overlay layers (`VALUES`) also
/// their values and validities, four layer slots per attribute, at locations 5..9.
const SURFACE_ATTRIBS: [i32; 9] = [3, 3, 1, 1, 1, 4, 4, 4, 4];

/// GL objects to delete when rendering ends, on success or error.
pub(super) struct Resources<'a> {
    pub(super) gl: Option<&'a glow::Context>,
    pub(super) programs: Vec<glow::Program>,
    pub(super) vaos: Vec<glow::VertexArray>,
    pub(super) buffers: Vec<glow::Buffer>,
    pub(super) textures: Vec<glow::Texture>,
    pub(super) renderbuffers: Vec<glow::Renderbuffer>,
    pub(super) framebuffers: Vec<glow::Framebuffer>,
}

impl Drop for Resources<'_> {
    fn drop(&mut self) {
        let Some(gl) = self.gl else { return };
        // SAFETY: objects were created by this context, which is still current.
        unsafe {
            self.programs.iter().for_each(|&p| gl.delete_program(p));
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

/// Uploads a surface's vertex attributes; `values`: with every layer slot's overlay
/// values (0 and invalid in slots that hold none), interpolated like the first overlay.
pub(super) unsafe fn upload(
    gl: &glow::Context,
    res: &mut Resources,
    s: &SceneSurface,
    values: bool,
) -> Result<(glow::VertexArray, glow::Buffer)> {
    let n = s.mesh.vertices.len();
    let attribs = if values {
        &SURFACE_ATTRIBS[..]
    } else {
        &SURFACE_ATTRIBS[..5]
    };
    let slot_values: [Option<&[f32]>; MAX_LAYERS] =
        std::array::from_fn(|l| match s.layers.get(l).map(|l| &l.paint) {
            Some(Paint::Values { values, .. }) => Some(values.as_slice()),
            _ => None,
        });
    let mut data = Vec::with_capacity(n * attribs.iter().sum::<i32>() as usize);
    for i in 0..n {
        data.extend_from_slice(&s.mesh.vertices[i]);
        data.extend_from_slice(&s.normals[i]);
        data.push(s.curv.as_ref().map_or(0.0, |c| c[i]));
        let v = s.overlay.as_ref().map_or(f32::NAN, |o| o[i]);
        // NaN would poison interpolation across a whole triangle; a separate validity
        // channel keeps the no-data boundary smooth instead.
        let valid = v.is_finite();
        data.push(if valid { v } else { 0.0 });
        data.push(if valid { 1.0 } else { 0.0 });
        if values {
            let at = |l: &Option<&[f32]>| l.and_then(|v| v.get(i)).copied().unwrap_or(f32::NAN);
            let slots: [f32; MAX_LAYERS] = slot_values.map(|l| at(&l));
            data.extend(slots.iter().map(|v| if v.is_finite() { *v } else { 0.0 }));
            data.extend(slots.iter().map(|v| if v.is_finite() { 1.0 } else { 0.0 }));
        }
    }
    let vao = float_vertex_array(gl, res, &data, attribs)?;
    gl.bind_vertex_array(Some(vao));
    let ebo = gl.create_buffer().map_err(|e| gl_err("buffer", e))?;
    res.buffers.push(ebo);
    gl.bind_buffer(glow::ELEMENT_ARRAY_BUFFER, Some(ebo));
    gl.bind_vertex_array(None);
    Ok((vao, ebo))
}

/// Uploads a surface's foci for the foci program: positions and normals as floats, and
/// colours as bytes that the vertex fetch normalises, as it does the 8-bit texels the
/// surface's layers are read from.
pub(super) unsafe fn upload_foci(
    gl: &glow::Context,
    res: &mut Resources,
    s: &SceneSurface,
) -> Result<(glow::VertexArray, glow::Buffer)> {
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
    let ebo = gl.create_buffer().map_err(|e| gl_err("buffer", e))?;
    res.buffers.push(ebo);
    gl.bind_buffer(glow::ELEMENT_ARRAY_BUFFER, Some(ebo));
    gl.bind_vertex_array(None);
    Ok((vao, ebo))
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

/// Compiles and links a program from its stages (`(kind, source, file extension)`); a
/// failure shows the driver's log and the numbered source.
pub(super) unsafe fn compile(
    gl: &glow::Context,
    stages: &[(u32, &str, &str)],
    name: &str,
) -> Result<glow::Program> {
    let program = gl.create_program().map_err(|e| gl_err("program", e))?;
    let mut shaders = Vec::new();
    for &(kind, src, ext) in stages {
        let sh = gl.create_shader(kind).map_err(|e| gl_err("shader", e))?;
        gl.shader_source(sh, src);
        gl.compile_shader(sh);
        if !gl.get_shader_compile_status(sh) {
            let log = gl.get_shader_info_log(sh);
            gl.delete_shader(sh);
            for sh in shaders {
                gl.delete_shader(sh);
            }
            gl.delete_program(program);
            return Err(Error::Render(format!(
                "shaders/{name}.{ext} does not compile:\n{log}\n{}",
                numbered(src)
            )));
        }
        gl.attach_shader(program, sh);
        shaders.push(sh);
    }
    gl.link_program(program);
    for sh in shaders {
        gl.detach_shader(program, sh);
        gl.delete_shader(sh);
    }
    if !gl.get_program_link_status(program) {
        let log = gl.get_program_info_log(program);
        gl.delete_program(program);
        return Err(Error::Render(format!(
            "shader program {name} does not link: {log}"
        )));
    }
    Ok(program)
}

fn numbered(src: &str) -> String {
    src.lines()
        .enumerate()
        .map(|(i, l)| format!("{:4} {l}\n", i + 1))
        .collect()
}

/// Width of the per-vertex layer texture; vertex `v` of layer `l` is at
/// `(v % LAYER_TEX_WIDTH, l * rows + v / LAYER_TEX_WIDTH)` (surface.frag uses the same).
pub(super) const LAYER_TEX_WIDTH: usize = 4096;

/// A surface's layers on the GPU (surface.frag's `u_layers` and `u_layer_lut`; overlay
/// values are vertex attributes, see [`upload`]).
pub(super) struct LayerTextures {
    pub colors: glow::Texture,
    pub lut: glow::Texture,
    /// Texture rows each layer takes.
    pub rows: i32,
}

/// Uploads a surface's layers: categorical colours as RGBA8, and each overlay layer's
/// two LUT rows at rows `2l` and `2l + 1` of one 256-wide table.
pub(super) unsafe fn upload_layers(
    gl: &glow::Context,
    res: &mut Resources,
    scene: &Scene,
    s: &SceneSurface,
) -> Result<LayerTextures> {
    let n = s.mesh.vertices.len();
    let rows = n.div_ceil(LAYER_TEX_WIDTH).max(1);
    let count = s.layers.len().clamp(1, MAX_LAYERS);
    let texels = LAYER_TEX_WIDTH * rows * count;
    let mut colors = vec![0u8; texels * 4];
    let mut lut = vec![0u8; LUT_SIZE * 2 * MAX_LAYERS * 4];
    for (l, layer) in s.layers.iter().enumerate().take(MAX_LAYERS) {
        let base = l * rows * LAYER_TEX_WIDTH;
        match &layer.paint {
            Paint::Colors(c) => {
                for (v, c) in c.iter().enumerate().take(n) {
                    if let Some(px) = colors.get_mut((base + v) * 4..(base + v) * 4 + 4) {
                        px.copy_from_slice(c);
                    }
                }
            }
            Paint::Values { layer, .. } => {
                if let Some(m) = scene.mapping(*layer) {
                    let at = l * 2 * LUT_SIZE * 4;
                    lut[at..at + 2 * LUT_SIZE * 4].copy_from_slice(&m.lut_rgba());
                }
            }
        }
    }
    let texture = |res: &mut Resources,
                   internal: u32,
                   (w, h): (usize, usize),
                   format: u32,
                   ty: u32,
                   data: &[u8]|
     -> Result<glow::Texture> {
        let tex = gl.create_texture().map_err(|e| gl_err("texture", e))?;
        res.textures.push(tex);
        gl.bind_texture(glow::TEXTURE_2D, Some(tex));
        gl.pixel_store_i32(glow::UNPACK_ALIGNMENT, 1);
        gl.tex_image_2d(
            glow::TEXTURE_2D,
            0,
            internal as i32,
            w as i32,
            h as i32,
            0,
            format,
            ty,
            glow::PixelUnpackData::Slice(Some(data)),
        );
        for p in [glow::TEXTURE_MIN_FILTER, glow::TEXTURE_MAG_FILTER] {
            gl.tex_parameter_i32(glow::TEXTURE_2D, p, glow::NEAREST as i32);
        }
        Ok(tex)
    };
    let size = (LAYER_TEX_WIDTH, rows * count);
    let ub = glow::UNSIGNED_BYTE;
    Ok(LayerTextures {
        colors: texture(res, glow::RGBA8, size, glow::RGBA, ub, &colors)?,
        lut: texture(
            res,
            glow::RGBA8,
            (LUT_SIZE, 2 * MAX_LAYERS),
            glow::RGBA,
            ub,
            &lut,
        )?,
        rows: rows as i32,
    })
}

/// Uploads a surface's border segments (position, colour) for the line program; returns
/// the vertex array and the number of vertices.
pub(super) unsafe fn upload_lines(
    gl: &glow::Context,
    res: &mut Resources,
    s: &SceneSurface,
) -> Result<(glow::VertexArray, i32)> {
    let mut data: Vec<f32> = Vec::with_capacity(s.lines.len() * 14);
    for seg in &s.lines {
        let c = seg.rgba.map(|x| x as f32 / 255.0);
        for p in [seg.a, seg.b] {
            data.extend_from_slice(&p);
            data.extend_from_slice(&c);
        }
    }
    // Position, colour.
    let vao = float_vertex_array(gl, res, &data, &[3, 4])?;
    Ok((vao, (s.lines.len() * 2) as i32))
}
