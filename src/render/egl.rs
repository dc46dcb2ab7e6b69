//! Headless OpenGL 3.3 core contexts through EGL, loaded at run time so the binary starts
//! (and can explain itself) on machines without libEGL.
//!
//! We never call `eglGetDisplay(EGL_DEFAULT_DISPLAY)`: on Mesa it tries X11 and, with
//! `DISPLAY` set, even the X socket. Instead: the EGL device platform (hardware devices
//! first), then Mesa's surfaceless platform. All `unsafe` FFI of the EGL path lives here.

use std::ffi::{c_char, c_void, CStr};

use khronos_egl as egl;

use crate::error::{Error, Result};

/// A dynamically loaded libEGL.
pub type Egl = egl::DynamicInstance<egl::EGL1_4>;

const PLATFORM_DEVICE_EXT: egl::Enum = 0x313F;
const PLATFORM_SURFACELESS_MESA: egl::Enum = 0x31DD;
const DRM_DEVICE_FILE_EXT: egl::Int = 0x3233;
const RENDERER_EXT: egl::Int = 0x335F;
const CUDA_DEVICE_NV: egl::Int = 0x323A;

type QueryDevices = unsafe extern "system" fn(egl::Int, *mut *mut c_void, *mut egl::Int) -> u32;
type QueryDeviceString = unsafe extern "system" fn(*mut c_void, egl::Int) -> *const c_char;
type QueryDeviceAttrib = unsafe extern "system" fn(*mut c_void, egl::Int, *mut isize) -> u32;
type GetPlatformDisplay =
    unsafe extern "system" fn(egl::Enum, *mut c_void, *const egl::Int) -> *mut c_void;

/// Packages that provide a working headless libEGL, for error messages.
pub const EGL_PACKAGES: &str =
    "Debian/Ubuntu: apt-get install libegl1 libegl-mesa0 libgl1-mesa-dri; \
RHEL/Rocky/Fedora: dnf install mesa-libEGL mesa-dri-drivers; \
HPC: `module load mesa` (or the site's GL module), or NVIDIA's driver on GPU nodes";

/// One EGL device as enumerated by `eglQueryDevicesEXT`.
#[derive(Debug, Clone)]
pub struct EglDevice {
    /// Position in the driver's enumeration; what `--egl-device N` refers to.
    pub index: usize,
    /// Not a software rasterizer (no `EGL_MESA_device_software`).
    pub hardware: bool,
    /// The driver's name for the device.
    pub name: String,
    /// EGL_CUDA_DEVICE_NV: the CUDA device number of an NVIDIA GPU.
    pub cuda: Option<i32>,
    handle: *mut c_void,
}

/// A current EGL context with a glow function table.
pub struct EglContext {
    egl: Egl,
    display: egl::Display,
    context: egl::Context,
    /// The GL function table of the context.
    pub gl: glow::Context,
    /// How the display was obtained, e.g. "EGL device 0 (llvmpipe, software)".
    pub origin: String,
}

/// Loads libEGL: `SURFRENDER_EGL_LIB` (another libEGL, or a missing one in tests), else
/// libEGL.so.1 or libEGL.so.
pub fn load() -> Result<Egl> {
    let custom = std::env::var_os("SURFRENDER_EGL_LIB");
    let tried_libs = match &custom {
        Some(p) => p.to_string_lossy().into_owned(),
        None => "libEGL.so.1 and libEGL.so".to_string(),
    };
    // SAFETY: loading libEGL runs its initialisers; libEGL is a system library that is
    // designed to be dlopen'ed (glvnd does exactly this).
    let loaded = unsafe {
        match &custom {
            Some(p) => Egl::load_required_from_filename(p),
            None => Egl::load_required(),
        }
    };
    loaded.map_err(|e| {
        Error::Render(format!(
            "cannot load libEGL (tried {tried_libs}): {}\n  install: {EGL_PACKAGES}",
            error_chain(&e)
        ))
    })
}

/// Whether EGL lists a hardware device (a GPU), without opening a display on it.
pub fn has_hardware_device() -> bool {
    load()
        .map(|egl| list_devices(&egl).iter().any(|d| d.hardware))
        .unwrap_or(false)
}

/// The first entry of CUDA_VISIBLE_DEVICES when it is a device number (UUIDs and MIG
/// names cannot be matched to EGL devices and are ignored).
fn first_visible_cuda_device() -> Option<i32> {
    let v = std::env::var("CUDA_VISIBLE_DEVICES").ok()?;
    v.split(',').next()?.trim().parse().ok()
}

impl EglContext {
    /// Opens a context: the chosen or best EGL device, else Mesa surfaceless. The error
    /// lists every attempt with its reason and the packages to install.
    pub fn new(device: Option<usize>) -> Result<EglContext> {
        let egl = load()?;
        let mut t = std::time::Instant::now();
        let mut tried = Vec::new();
        let devices = list_devices(&egl);
        crate::timing::stage("egl devices", &mut t);
        if let Some(want) = device {
            let Some(dev) = devices.iter().find(|d| d.index == want) else {
                return Err(Error::Usage(format!(
                    "--egl-device {want}: no such EGL device ({} found{})",
                    devices.len(),
                    describe_devices(&devices)
                )));
            };
            return open(egl, Some(dev))
                .map_err(|e| Error::Render(format!("EGL device {want} ({}): {e}", dev.name)));
        }
        let mut ordered: Vec<&EglDevice> = devices.iter().filter(|d| d.hardware).collect();
        // Schedulers give a job its GPUs through CUDA_VISIBLE_DEVICES: use the first of them.
        if let Some(cuda) = first_visible_cuda_device() {
            ordered.sort_by_key(|d| d.cuda != Some(cuda));
        }
        ordered.extend(devices.iter().filter(|d| !d.hardware));
        let mut egl = Some(egl);
        for dev in ordered {
            let inst = egl
                .take()
                .ok_or_else(|| Error::Render("EGL instance lost".into()))?;
            match open_or_return(inst, Some(dev)) {
                Ok(ctx) => return Ok(ctx),
                Err((inst, why)) => {
                    tried.push(format!("EGL device {} ({}): {why}", dev.index, dev.name));
                    egl = Some(inst);
                }
            }
        }
        if devices.is_empty() {
            tried.push(
                "EGL device platform: no devices (EGL_EXT_device_enumeration missing or empty)"
                    .into(),
            );
        }
        let inst = egl
            .take()
            .ok_or_else(|| Error::Render("EGL instance lost".into()))?;
        match open_or_return(inst, None) {
            Ok(ctx) => Ok(ctx),
            Err((_, why)) => {
                tried.push(format!("Mesa surfaceless platform: {why}"));
                Err(Error::Render(format!(
                    "no usable EGL display; tried:\n  - {}\n  install: {EGL_PACKAGES}",
                    tried.join("\n  - ")
                )))
            }
        }
    }
}

fn open(egl: Egl, dev: Option<&EglDevice>) -> std::result::Result<EglContext, String> {
    open_or_return(egl, dev).map_err(|(_, why)| why)
}

/// Tries one display; on failure hands the instance back so the next attempt can use it.
// The instance is large, but it is moved once per attempt: boxing it buys nothing.
#[allow(clippy::result_large_err)]
fn open_or_return(
    egl: Egl,
    dev: Option<&EglDevice>,
) -> std::result::Result<EglContext, (Egl, String)> {
    match try_open(&egl, dev) {
        Ok((display, context, gl)) => {
            let origin = match dev {
                Some(d) => {
                    let kind = if d.hardware { "hardware" } else { "software" };
                    if d.name == kind {
                        format!("EGL device {} ({kind})", d.index)
                    } else {
                        format!("EGL device {} ({}, {kind})", d.index, d.name)
                    }
                }
                None => "EGL Mesa surfaceless".to_string(),
            };
            crate::timing::context_created();
            Ok(EglContext {
                egl,
                display,
                context,
                gl,
                origin,
            })
        }
        Err(why) => Err((egl, why)),
    }
}

fn try_open(
    egl: &Egl,
    dev: Option<&EglDevice>,
) -> std::result::Result<(egl::Display, egl::Context, glow::Context), String> {
    let get_display: GetPlatformDisplay =
        proc(egl, "eglGetPlatformDisplayEXT").ok_or("eglGetPlatformDisplayEXT is not available")?;
    let (platform, native) = match dev {
        Some(d) => (PLATFORM_DEVICE_EXT, d.handle),
        None => (PLATFORM_SURFACELESS_MESA, std::ptr::null_mut()),
    };
    let attribs = [egl::NONE];
    // SAFETY: the function pointer comes from eglGetProcAddress for this exact name and
    // signature; `native` is a device handle from eglQueryDevicesEXT or null.
    let raw = unsafe { get_display(platform, native, attribs.as_ptr()) };
    if raw.is_null() {
        return Err(format!(
            "eglGetPlatformDisplayEXT failed ({})",
            last_error(egl)
        ));
    }
    // SAFETY: non-null display returned by EGL.
    let display = unsafe { egl::Display::from_ptr(raw) };
    let mut t = std::time::Instant::now();
    egl.initialize(display)
        .map_err(|e| format!("eglInitialize: {e}"))?;
    crate::timing::stage("egl init", &mut t);
    let result = (|| {
        egl.bind_api(egl::OPENGL_API)
            .map_err(|e| format!("eglBindAPI(OpenGL): {e}"))?;
        // SURFACE_TYPE must be set: left out it means WINDOW_BIT and Mesa then returns
        // zero configs without an error.
        let config_attribs = [
            egl::SURFACE_TYPE,
            egl::PBUFFER_BIT,
            egl::RENDERABLE_TYPE,
            egl::OPENGL_BIT,
            egl::RED_SIZE,
            8,
            egl::GREEN_SIZE,
            8,
            egl::BLUE_SIZE,
            8,
            egl::ALPHA_SIZE,
            8,
            egl::NONE,
        ];
        let config = egl
            .choose_first_config(display, &config_attribs)
            .map_err(|e| format!("eglChooseConfig: {e}"))?
            .ok_or("no RGBA8 OpenGL config")?;
        let ctx_attribs = [
            egl::CONTEXT_MAJOR_VERSION,
            3,
            egl::CONTEXT_MINOR_VERSION,
            3,
            egl::CONTEXT_OPENGL_PROFILE_MASK,
            egl::CONTEXT_OPENGL_CORE_PROFILE_BIT,
            egl::NONE,
        ];
        let context = egl
            .create_context(display, config, None, &ctx_attribs)
            .map_err(|e| format!("OpenGL 3.3 core context: {e}"))?;
        if let Err(e) = egl.make_current(display, None, None, Some(context)) {
            let _ = egl.destroy_context(display, context);
            return Err(format!("eglMakeCurrent without surface: {e}"));
        }
        // SAFETY: a context is current on this thread; symbols come from the same driver.
        let gl = unsafe {
            glow::Context::from_loader_function(|name| {
                egl.get_proc_address(name)
                    .map_or(std::ptr::null(), |f| f as *const c_void)
            })
        };
        Ok((display, context, gl))
    })();
    match result {
        Ok((_, ctx, gl)) => Ok((display, ctx, gl)),
        // The display stays initialised (see Drop): another thread may be using it.
        Err(e) => Err(e),
    }
}

impl Drop for EglContext {
    fn drop(&mut self) {
        let _ = self.egl.make_current(self.display, None, None, None);
        let _ = self.egl.destroy_context(self.display, self.context);
        // No eglTerminate: EGL hands every thread the same display for the same device,
        // and terminating it would pull it from under another thread's live context.
    }
}

/// Lists EGL devices; hardware is any device without `EGL_MESA_device_software`.
/// Returns an empty list when the driver cannot enumerate devices.
pub fn list_devices(egl: &Egl) -> Vec<EglDevice> {
    let (Some(query), Some(query_str)) = (
        proc::<QueryDevices>(egl, "eglQueryDevicesEXT"),
        proc::<QueryDeviceString>(egl, "eglQueryDeviceStringEXT"),
    ) else {
        return Vec::new();
    };
    let attrib = proc::<QueryDeviceAttrib>(egl, "eglQueryDeviceAttribEXT");
    let mut n: egl::Int = 0;
    // SAFETY: standard two-call enumeration; buffer sized from the first call's count.
    if unsafe { query(0, std::ptr::null_mut(), &mut n) } == 0 || n <= 0 {
        return Vec::new();
    }
    let mut handles = vec![std::ptr::null_mut(); n.min(64) as usize];
    let mut got: egl::Int = 0;
    // SAFETY: `handles` holds `handles.len()` slots.
    if unsafe { query(handles.len() as egl::Int, handles.as_mut_ptr(), &mut got) } == 0 {
        return Vec::new();
    }
    handles.truncate(got.max(0) as usize);
    handles
        .into_iter()
        .enumerate()
        .map(|(index, handle)| {
            let s = |what| {
                // SAFETY: valid device handle; EGL returns a static NUL-terminated string or null.
                let p = unsafe { query_str(handle, what) };
                (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
            };
            let exts = s(egl::EXTENSIONS).unwrap_or_default();
            let hardware = !exts.contains("EGL_MESA_device_software");
            let name = s(RENDERER_EXT)
                .or_else(|| s(DRM_DEVICE_FILE_EXT))
                .unwrap_or_else(|| {
                    if hardware {
                        "GPU".into()
                    } else {
                        "software".into()
                    }
                });
            let cuda = attrib.and_then(|q| {
                let mut value: isize = -1;
                // SAFETY: valid device handle; EGL writes one attribute value.
                let ok = unsafe { q(handle, CUDA_DEVICE_NV, &mut value) } != 0;
                (ok && exts.contains("EGL_NV_device_cuda")).then_some(value as i32)
            });
            EglDevice {
                index,
                hardware,
                name,
                cuda,
                handle,
            }
        })
        .collect()
}

fn describe_devices(devices: &[EglDevice]) -> String {
    if devices.is_empty() {
        return String::new();
    }
    let list: Vec<String> = devices
        .iter()
        .map(|d| {
            format!(
                "{}: {}{}",
                d.index,
                d.name,
                if d.hardware { "" } else { " (software)" }
            )
        })
        .collect();
    format!(": {}", list.join(", "))
}

fn proc<F: Copy>(egl: &Egl, name: &str) -> Option<F> {
    let f = egl.get_proc_address(name)?;
    debug_assert_eq!(std::mem::size_of::<F>(), std::mem::size_of_val(&f));
    // SAFETY: F is always one of the extern "system" fn types above, matching the EGL
    // extension's published signature for `name`.
    Some(unsafe { std::mem::transmute_copy::<extern "system" fn(), F>(&f) })
}

fn last_error(egl: &Egl) -> String {
    egl.get_error()
        .map_or("no EGL error".into(), |e| e.to_string())
}

/// The whole `source()` chain: libloading puts the dlopen reason there, not in Display.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let m = c.to_string();
        // Some errors repeat their source in their own message; say it once.
        if !s.contains(&m) {
            s.push_str(": ");
            s.push_str(&m);
        }
        cur = c.source();
    }
    s
}

impl super::gl::Context for EglContext {
    fn gl(&self) -> &glow::Context {
        &self.gl
    }

    fn origin(&self) -> &str {
        &self.origin
    }
}
