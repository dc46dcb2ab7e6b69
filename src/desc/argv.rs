//! The canonical command line of a figure: every option written out in one fixed order,
//! paths absolute. The PNG records it (`surfrender:command`), so a figure made from a
//! spec and the same figure made from the command line carry the same text, and the text
//! replays the figure.

use std::fmt::Display;
use std::path::PathBuf;

use super::file::Flat;
use super::values::{Outline, Range};
use super::{FigureDesc, Layer, LayerKind};
use crate::color::LABEL_COLORS;

/// Command-line words, built in order.
#[derive(Default)]
struct Words(Vec<String>);

impl Words {
    /// `--name=value` (a value that starts with `-` stays a value).
    fn one(&mut self, name: &str, v: Option<impl Display>) {
        if let Some(v) = v {
            self.0.push(format!("--{}={v}", name.replace('_', "-")));
        }
    }

    /// `--name=value` for each value.
    fn each<T: Display>(&mut self, name: &str, values: impl IntoIterator<Item = T>) {
        for v in values {
            self.one(name, Some(v));
        }
    }

    fn paths<'a>(&mut self, name: &str, paths: impl IntoIterator<Item = &'a PathBuf>) {
        self.each(name, paths.into_iter().map(|p| p.display()));
    }

    /// `--name` when `on`.
    fn flag(&mut self, name: &str, on: Option<bool>) {
        if on == Some(true) {
            self.0.push(format!("--{}", name.replace('_', "-")));
        }
    }

    /// Values joined with commas.
    fn list<T: Display>(&mut self, name: &str, values: &[T]) {
        if !values.is_empty() {
            let joined: Vec<String> = values.iter().map(T::to_string).collect();
            self.one(name, Some(joined.join(",")));
        }
    }

    /// An overlay layer's options, right after its files.
    fn style(&mut self, l: &Layer) {
        self.one("cmap", l.cmap.as_ref());
        self.one("threshold", l.threshold.map(|t| t.0));
        self.one("sign", l.sign.as_ref());
        self.one("opacity", l.opacity);
        self.one("cbar_label", l.cbar_label.as_ref());
        self.flag("symmetric", l.symmetric);
        self.flag("outline", l.outline);
        if let Some(Range(lo, hi)) = l.range {
            self.0
                .extend(["--range".into(), lo.to_string(), hi.to_string()]);
        }
    }
}

impl FigureDesc {
    /// The command line that makes this figure (without the output), in one canonical
    /// form: the same figure asked for in any way gives the same text.
    pub fn canonical_command(&self) -> String {
        let words: Vec<String> = self.canonical_args().iter().map(|w| quote(w)).collect();
        format!("surfrender {}", words.join(" "))
    }

    /// The words of [`canonical_command`](Self::canonical_command), unquoted, without the
    /// program name: [`FigureDesc::from_args`] reads them back as this figure.
    pub fn canonical_args(&self) -> Vec<String> {
        let mut d = self.effective().absolute();
        d.output = None;
        d.words()
    }

    fn words(&self) -> Vec<String> {
        let mut w = Words::default();
        w.0.extend(self.surfaces.iter().map(|p| p.display().to_string()));
        w.paths("output", &self.output);
        w.one("subject", self.subject.as_ref());
        w.paths("subjects_dir", &self.subjects_dir);
        w.one("surf", self.surf.as_ref());
        w.list("hemi", &self.hemi);
        let flat = self.flat();
        match &flat {
            Some(flat) => flat_words(&mut w, flat),
            None => self.stack_words(&mut w),
        }
        self.option_words(&mut w, flat.as_ref());
        w.0
    }

    /// A stack of layers, bottom first: each overlay layer starts with `--new-layer` and
    /// carries its own options; label colours, once any is given, are written for every
    /// label so that each stays with its own.
    fn stack_words(&self, w: &mut Words) {
        w.one("frame", self.frame);
        w.one("map", self.map.as_ref());
        let colored = self.layers.iter().any(|l| !l.label_color.is_empty());
        let mut n_label = 0;
        for l in &self.layers {
            match l.kind() {
                Some(LayerKind::Overlay) => {
                    w.0.push("--new-layer".into());
                    w.paths("overlay", &l.overlay);
                    w.style(l);
                    w.one("frame", l.frame);
                    w.one("map", l.map.as_ref());
                }
                Some(LayerKind::Annot) => w.paths("annot", &l.annot),
                Some(LayerKind::Label) => {
                    for (k, p) in l.label.iter().enumerate() {
                        w.paths("label", [p]);
                        if colored {
                            let [r, g, b] = LABEL_COLORS[n_label % LABEL_COLORS.len()];
                            let default = format!("#{r:02x}{g:02x}{b:02x}");
                            let c = l.label_color.get(k).map_or(default, |c| c.to_string());
                            w.one("label_color", Some(c));
                        }
                        n_label += 1;
                    }
                }
                None => {}
            }
        }
    }

    /// Every option outside the stack, in one fixed order.
    fn option_words(&self, w: &mut Words, flat: Option<&Flat>) {
        w.paths("curv", &self.curv);
        w.one("annot_alpha", self.annot_alpha);
        match self.annot_outline {
            Some(Outline::Borders) => w.flag("annot_outline", Some(true)),
            Some(Outline::Both) => w.one("annot_outline", Some(Outline::Both)),
            _ => {}
        }
        w.flag("annot_unknown", self.annot_unknown);
        if let Some(f) = flat {
            w.each("label_color", &f.label_color);
        }
        w.flag("label_outline", self.label_outline);
        w.one("outline_width", self.outline_width);
        w.one("border_color", self.border_color.as_ref());
        w.one("outline_color", self.outline_color.as_ref());
        w.paths("contours", &self.contours);
        w.list("levels", &self.levels);
        w.one("n_contours", self.n_contours);
        w.one("contour_cmap", self.contour_cmap.as_ref());
        w.paths("mask", &self.mask);
        w.list(
            "sample_surf",
            &self
                .sample_surf
                .iter()
                .map(|p| p.display())
                .collect::<Vec<_>>(),
        );
        w.one("projfrac", self.projfrac);
        w.one("sample_reduce", self.sample_reduce.as_ref());
        w.one("sample_interp", self.sample_interp.as_ref());
        w.paths("lut", &self.lut);
        w.each("focus", &self.focus);
        w.each("focus_vertex", &self.focus_vertex);
        w.paths("foci", &self.foci);
        w.one("focus_radius", self.focus_radius);
        w.one("focus_color", self.focus_color.as_ref());
        w.one("cortex", self.cortex.as_ref());
        w.one("curv_sign", self.curv_sign.as_ref());
        w.list("views", &self.views);
        w.one("azimuth", self.azimuth);
        w.one("elevation", self.elevation);
        w.one("roll", self.roll);
        w.one("zoom", self.zoom);
        w.one("layout", self.layout.as_ref());
        w.flag("split_views", self.split_views);
        w.one("size", self.size.as_ref());
        w.one("background", self.background.as_ref());
        w.flag("no_colorbar", self.colorbar.map(|c| !c));
        w.flag("no_sidecar", self.sidecar.map(|c| !c));
        w.one("cbar_orientation", self.cbar_orientation.as_ref());
        w.one("cbar_ticks", self.cbar_ticks);
        w.one("cbar_format", self.cbar_format.as_ref());
        w.one("font_size", self.font_size);
        w.paths("colorbar_file", &self.colorbar_file);
        w.flag("panel_labels", self.panel_labels);
        w.one("panel_size", self.panel_size.as_ref());
        w.one("scale", self.scale);
        w.one("dpi", self.dpi);
        w.one("png_compression", self.png_compression.as_ref());
        w.one("title", self.title.as_ref());
        w.one("backend", self.backend.as_ref());
        w.one("egl_device", self.egl_device);
        w.flag("allow_empty", self.allow_empty);
        w.one("frames", self.frames.as_ref());
        w.one("turntable", self.turntable);
        w.one("fps", self.fps);
        w.one("tr", self.tr);
        w.one("time_label", self.time_label.as_ref());
        w.paths("ffmpeg", &self.ffmpeg);
    }
}

/// One overlay layer with annotations and labels under or over it.
fn flat_words(w: &mut Words, f: &Flat) {
    w.one("frame", f.frame);
    w.one("map", f.map.as_ref());
    for over in [false, true] {
        if over {
            w.paths("overlay", &f.overlay.overlay);
            w.style(&f.overlay);
        }
        w.paths("annot", f.annot.iter().filter(|_| f.annot_over == over));
        w.paths("label", f.label.iter().filter(|_| f.label_over == over));
    }
}

/// A word as a POSIX shell reads it back: bare when safe, else in single quotes.
fn quote(w: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./,=:%#+".contains(c);
    if !w.is_empty() && w.chars().all(safe) {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}
