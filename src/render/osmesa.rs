//! OpenGL 3.3 core through OSMesa, loaded at run time: the fallback for old cluster
//! images whose Mesa has OSMesa but no usable EGL. (Mesa removed OSMesa in 25.1, so this
//! is for older systems, not the future.) All `unsafe` FFI of the OSMesa path lives here.

use std::ffi::{c_char, c_int, c_uint, c_void, CString};

use crate::error::{Error, Result};
use crate::render::egl::error_chain;

/// Packages that provide libOSMesa, for error messages.
pub const OSMESA_PACKAGES: &str =
    "Debian/Ubuntu: apt-get install libosmesa6; RHEL/Rocky: dnf install mesa-libOSMesa \
(Mesa 25.1 and later no longer ship OSMesa)";

const OSMESA_FORMAT: c_int = 0x22;
const OSMESA_RGBA: c_int = 0x1908;
const OSMESA_DEPTH_BITS: c_int = 0x30;
const OSMESA_PROFILE: c_int = 0x33;
const OSMESA_CORE_PROFILE: c_int = 0x34;
const OSMESA_CONTEXT_MAJOR_VERSION: c_int = 0x36;
const OSMESA_CONTEXT_MINOR_VERSION: c_int = 0x37;
const GL_UNSIGNED_BYTE: c_uint = 0x1401;

type CreateContextAttribs = unsafe extern "C" fn(*const c_int, *mut c_void) -> *mut c_void;
type MakeCurrent = unsafe extern "C" fn(*mut c_void, *mut c_void, c_uint, c_int, c_int) -> u8;
type GetProcAddress = unsafe extern "C" fn(*const c_char) -> *const c_void;
type DestroyContext = unsafe extern "C" fn(*mut c_void);

/// A current OSMesa context with a glow function table.
pub struct OsMesaContext {
    // Field order matters for drop: the GL table, then the context, then the buffer the
    // context draws into, then the library that holds the code.
    /// The GL function table of the context.
    pub gl: glow::Context,
    ctx: *mut c_void,
    destroy: DestroyContext,
    /// OSMesa needs a colour buffer to make a context current; we render into our own
    /// framebuffer objects, so one pixel is enough. It must outlive the context.
    _buffer: Vec<u8>,
    _lib: libloading::Library,
    /// Which library was loaded.
    pub origin: String,
}

impl OsMesaContext {
    /// Loads libOSMesa (`SURFRENDER_OSMESA_LIB`, else libOSMesa.so.8, then .so.6) and
    /// makes a 3.3 core context current on this thread.
    pub fn new() -> Result<OsMesaContext> {
        let names: Vec<String> = match std::env::var("SURFRENDER_OSMESA_LIB") {
            Ok(p) => vec![p],
            Err(_) => vec!["libOSMesa.so.8".into(), "libOSMesa.so.6".into()],
        };
        let mut reasons = Vec::new();
        let mut loaded = None;
        for name in &names {
            // SAFETY: libOSMesa is a plain C library whose initialisers are safe to run.
            match unsafe { libloading::Library::new(name) } {
                Ok(lib) => {
                    loaded = Some((lib, name.clone()));
                    break;
                }
                Err(e) => reasons.push(format!("{name}: {}", error_chain(&e))),
            }
        }
        let Some((lib, name)) = loaded else {
            return Err(Error::Render(format!(
                "cannot load libOSMesa ({})\n  install: {OSMESA_PACKAGES}",
                reasons.join("; ")
            )));
        };
        let sym = |s: &[u8]| -> Result<*const c_void> {
            // SAFETY: looking a symbol up has no side effects; its type is fixed below.
            unsafe { lib.get::<*const c_void>(s) }
                .map(|p| *p)
                .map_err(|e| Error::Render(format!("{name}: {}", error_chain(&e))))
        };
        // SAFETY: the symbols are the documented OSMesa entry points with these C signatures.
        let (create, make_current, get_proc, destroy) = unsafe {
            (
                std::mem::transmute::<*const c_void, CreateContextAttribs>(sym(
                    b"OSMesaCreateContextAttribs\0",
                )?),
                std::mem::transmute::<*const c_void, MakeCurrent>(sym(b"OSMesaMakeCurrent\0")?),
                std::mem::transmute::<*const c_void, GetProcAddress>(sym(
                    b"OSMesaGetProcAddress\0",
                )?),
                std::mem::transmute::<*const c_void, DestroyContext>(sym(
                    b"OSMesaDestroyContext\0",
                )?),
            )
        };
        let attribs = [
            OSMESA_FORMAT,
            OSMESA_RGBA,
            OSMESA_DEPTH_BITS,
            24,
            OSMESA_PROFILE,
            OSMESA_CORE_PROFILE,
            OSMESA_CONTEXT_MAJOR_VERSION,
            3,
            OSMESA_CONTEXT_MINOR_VERSION,
            3,
            0,
        ];
        // SAFETY: a zero-terminated attribute list; no share context.
        let ctx = unsafe { create(attribs.as_ptr(), std::ptr::null_mut()) };
        if ctx.is_null() {
            return Err(Error::Render(format!(
                "{name}: OSMesaCreateContextAttribs failed (no OpenGL 3.3 core profile)"
            )));
        }
        let mut buffer = vec![0u8; 4];
        // SAFETY: `buffer` holds 1x1 RGBA8 and lives as long as the context (see Drop order).
        if unsafe {
            make_current(
                ctx,
                buffer.as_mut_ptr() as *mut c_void,
                GL_UNSIGNED_BYTE,
                1,
                1,
            )
        } == 0
        {
            // SAFETY: the context was created above and is not current.
            unsafe { destroy(ctx) };
            return Err(Error::Render(format!("{name}: OSMesaMakeCurrent failed")));
        }
        // SAFETY: the context is current on this thread; names are NUL-terminated.
        let gl = unsafe {
            glow::Context::from_loader_function(|s| {
                CString::new(s).map_or(std::ptr::null(), |c| get_proc(c.as_ptr()))
            })
        };
        crate::timing::context_created();
        Ok(OsMesaContext {
            gl,
            ctx,
            destroy,
            _buffer: buffer,
            _lib: lib,
            origin: format!("OSMesa ({name})"),
        })
    }
}

impl Drop for OsMesaContext {
    fn drop(&mut self) {
        // SAFETY: the context was created by this library, which is still loaded.
        unsafe { (self.destroy)(self.ctx) };
    }
}

impl super::gl::Context for OsMesaContext {
    fn gl(&self) -> &glow::Context {
        &self.gl
    }

    fn origin(&self) -> &str {
        &self.origin
    }
}
