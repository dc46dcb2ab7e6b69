//! A spec and a command line, both ways: the effective spec of parsed arguments
//! (`--print-spec`, sidecars) and the arguments a spec stands for (`--spec`).

use std::ffi::OsString;
use std::path::PathBuf;

use super::layers::{self, LayerEntry};
use super::{format_num, FigureFile, NumOrText};
use crate::cli::Args;

impl FigureFile {
    /// The effective figure of a parsed command line: every field set. `map` is the
    /// figure's own grouping of the --overlay arguments (`cli::overlay_layers`).
    pub fn from_args(a: &Args, map: &crate::cli::LayerMap) -> FigureFile {
        let stack = layers::from_args(a, map);
        let count = |f: fn(&LayerEntry) -> bool| stack.iter().filter(|e| f(e)).count();
        // One overlay with annotations and labels wholly under or over it reads best as
        // top-level fields; anything else is a stack of layers.
        let flat = count(|e| e.overlay.is_some()) <= 1
            && count(|e| e.annot.is_some()) <= 1
            && count(|e| e.label.is_some()) <= 1;
        let top = if flat {
            stack
                .iter()
                .find(|e| e.overlay.is_some())
                .cloned()
                .unwrap_or_else(|| layers::options(a, map, 0))
        } else {
            LayerEntry::default()
        };
        fn flat_list<T: Clone>(flat: bool, v: &[T]) -> Option<Vec<T>> {
            (flat && !v.is_empty()).then(|| v.to_vec())
        }
        let flat_value = |v: Option<bool>| flat.then_some(v.unwrap_or(false));
        // The frame and map for every layer: with one layer, the last given; with a stack,
        // the last given before any --overlay (the layers keep their own).
        let global = |id: &str, n: usize| -> Option<usize> {
            let at = a.order.of(id, n);
            (0..n).rev().find(|&k| flat || at[k] == 0)
        };
        let top_frame = global("frame", a.frame.len()).map_or(0, |k| a.frame[k]);
        let top_map = global("map", a.map.len()).map(|k| NumOrText::parse(&a.map[k]));
        FigureFile {
            layers: (!flat).then_some(stack),
            output: a.output.clone(),
            surfaces: (!a.surfaces.is_empty()).then(|| a.surfaces.clone()),
            subject: a.subject.clone(),
            subjects_dir: a.subjects_dir.clone(),
            surf: a.subject.as_ref().map(|_| a.surf.clone()),
            hemi: (!a.hemi.is_empty()).then(|| a.hemi.clone()),
            overlay: flat_list(flat, &a.overlay),
            curv: (!a.curv.is_empty()).then(|| a.curv.clone()),
            frame: Some(top_frame),
            map: top_map,
            annot: flat_list(flat, &a.annot),
            annot_alpha: Some(a.annot_alpha),
            annot_outline: Some(a.annot_outline),
            annot_over_overlay: flat_value(Some(a.order.annot_after.iter().any(|&c| c > 0))),
            label: flat_list(flat, &a.label),
            label_color: flat_list(flat, &a.label_color),
            label_outline: Some(a.label_outline),
            label_over_overlay: flat_value(Some(a.order.label_after.iter().any(|&c| c > 0))),
            outline_width: Some(a.outline_width),
            border_color: a.border_color.clone(),
            outline: flat_value(top.outline),
            outline_color: Some(a.outline_color.clone()),
            contours: (!a.contours.is_empty()).then(|| a.contours.clone()),
            levels: (!a.levels.is_empty()).then(|| a.levels.clone()),
            n_contours: Some(a.n_contours),
            contour_cmap: Some(a.contour_cmap.clone()),
            mask: (!a.mask.is_empty()).then(|| a.mask.clone()),
            symmetric: flat_value(top.symmetric),
            focus: (!a.focus.is_empty()).then(|| a.focus.clone()),
            focus_vertex: (!a.focus_vertex.is_empty()).then(|| a.focus_vertex.clone()),
            foci: (!a.foci.is_empty()).then(|| a.foci.clone()),
            focus_radius: Some(a.focus_radius),
            focus_color: Some(a.focus_color.clone()),
            cortex: Some(a.cortex.clone()),
            cmap: flat.then(|| top.cmap.clone().unwrap_or_else(|| "heat".into())),
            threshold: top.threshold.clone(),
            range: top.range.clone(),
            opacity: flat.then_some(top.opacity.unwrap_or(1.0)),
            sign: flat.then(|| top.sign.clone().unwrap_or_else(|| "abs".into())),
            views: Some(a.views.clone()),
            azimuth: Some(a.azimuth),
            elevation: Some(a.elevation),
            roll: Some(a.roll),
            zoom: Some(a.zoom),
            layout: Some(a.layout.clone()),
            size: a.size.clone(),
            background: Some(a.background.clone()),
            colorbar: Some(!a.no_colorbar),
            cbar_label: top.cbar_label.clone(),
            cbar_orientation: Some(a.cbar_orientation.clone()),
            cbar_ticks: a.cbar_ticks,
            cbar_format: Some(a.cbar_format.clone()),
            font_size: a.font_size,
            colorbar_file: a.colorbar_file.clone(),
            panel_labels: Some(a.panel_labels),
            panel_size: a.panel_size.clone(),
            scale: Some(a.scale),
            dpi: a.dpi,
            title: a.title.clone(),
            backend: Some(a.backend.clone()),
            egl_device: a.egl_device,
            allow_empty: Some(a.allow_empty),
        }
    }

    /// Command-line arguments saying the same, leaving out the options for which `skip`
    /// is true (those the user gave on the command line, which win).
    pub fn to_args(&self, skip: &dyn Fn(&str) -> bool) -> Vec<OsString> {
        let mut out: Vec<OsString> = Vec::new();
        let one = |id: &str, v: Option<String>, out: &mut Vec<OsString>| {
            if let Some(v) = v {
                if !skip(id) {
                    // `--flag=value`: a value that starts with `-` stays a value.
                    out.push(format!("--{}={v}", id.replace('_', "-")).into());
                }
            }
        };
        let flag = |id: &str, v: Option<bool>, out: &mut Vec<OsString>| {
            if v == Some(true) && !skip(id) {
                out.push(format!("--{}", id.replace('_', "-")).into());
            }
        };
        let many = |id: &str, v: &Option<Vec<PathBuf>>, out: &mut Vec<OsString>| {
            if !skip(id) {
                for p in v.iter().flatten() {
                    let mut arg = OsString::from(format!("--{}=", id.replace('_', "-")));
                    arg.push(p.as_os_str());
                    out.push(arg);
                }
            }
        };
        if !skip("surfaces") {
            out.extend(self.surfaces.iter().flatten().map(|p| p.clone().into()));
        }
        one(
            "output",
            self.output.as_ref().map(|p| p.display().to_string()),
            &mut out,
        );
        one("subject", self.subject.clone(), &mut out);
        one(
            "subjects_dir",
            self.subjects_dir.as_ref().map(|p| p.display().to_string()),
            &mut out,
        );
        one("surf", self.surf.clone(), &mut out);
        one("hemi", self.hemi.as_ref().map(|h| h.join(",")), &mut out);
        // Before any --overlay, so that they are for every layer.
        one("frame", self.frame.map(|f| f.to_string()), &mut out);
        one("map", self.map.as_ref().map(NumOrText::arg), &mut out);
        // Order carries meaning: layers given after the overlay are drawn over it.
        let under = |over: Option<bool>| over != Some(true);
        if under(self.annot_over_overlay) {
            many("annot", &self.annot, &mut out);
        }
        if under(self.label_over_overlay) {
            many("label", &self.label, &mut out);
        }
        many("overlay", &self.overlay, &mut out);
        // The top-level overlay options, right after the overlay they colour.
        self.style().args(skip, &mut out);
        if let Some(l) = &self.layers {
            layers::to_args(l, skip, &mut out);
        }
        if !under(self.annot_over_overlay) {
            many("annot", &self.annot, &mut out);
        }
        if !under(self.label_over_overlay) {
            many("label", &self.label, &mut out);
        }
        many("curv", &self.curv, &mut out);
        one(
            "annot_alpha",
            self.annot_alpha.map(|v| format_num(v as f64)),
            &mut out,
        );
        flag("annot_outline", self.annot_outline, &mut out);
        if !skip("label_color") {
            for c in self.label_color.iter().flatten() {
                out.push(format!("--label-color={c}").into());
            }
        }
        flag("label_outline", self.label_outline, &mut out);
        one(
            "outline_width",
            self.outline_width.map(|v| format_num(v as f64)),
            &mut out,
        );
        one("border_color", self.border_color.clone(), &mut out);
        one("outline_color", self.outline_color.clone(), &mut out);
        many("contours", &self.contours, &mut out);
        one(
            "levels",
            self.levels.as_ref().map(|l| {
                l.iter()
                    .map(|v| format_num(*v as f64))
                    .collect::<Vec<_>>()
                    .join(",")
            }),
            &mut out,
        );
        one(
            "n_contours",
            self.n_contours.map(|n| n.to_string()),
            &mut out,
        );
        one("contour_cmap", self.contour_cmap.clone(), &mut out);
        many("mask", &self.mask, &mut out);
        for (id, list) in [("focus", &self.focus), ("focus_vertex", &self.focus_vertex)] {
            if !skip(id) {
                for v in list.iter().flatten() {
                    out.push(format!("--{}={v}", id.replace('_', "-")).into());
                }
            }
        }
        many("foci", &self.foci, &mut out);
        one(
            "focus_radius",
            self.focus_radius.map(|v| format_num(v as f64)),
            &mut out,
        );
        one("focus_color", self.focus_color.clone(), &mut out);
        one("cortex", self.cortex.clone(), &mut out);
        one("views", self.views.as_ref().map(|v| v.join(",")), &mut out);
        for (id, v) in [
            ("azimuth", self.azimuth),
            ("elevation", self.elevation),
            ("roll", self.roll),
            ("zoom", self.zoom),
        ] {
            one(id, v.map(|x| format_num(x as f64)), &mut out);
        }
        one("layout", self.layout.clone(), &mut out);
        one("size", self.size.clone(), &mut out);
        one("background", self.background.clone(), &mut out);
        if self.colorbar == Some(false) && !skip("no_colorbar") {
            out.push("--no-colorbar".into());
        }
        one("cbar_orientation", self.cbar_orientation.clone(), &mut out);
        one(
            "cbar_ticks",
            self.cbar_ticks.map(|n| n.to_string()),
            &mut out,
        );
        one("cbar_format", self.cbar_format.clone(), &mut out);
        one(
            "font_size",
            self.font_size.map(|v| format_num(v as f64)),
            &mut out,
        );
        one(
            "colorbar_file",
            self.colorbar_file.as_ref().map(|p| p.display().to_string()),
            &mut out,
        );
        flag("panel_labels", self.panel_labels, &mut out);
        one("panel_size", self.panel_size.clone(), &mut out);
        one("scale", self.scale.map(|v| format_num(v as f64)), &mut out);
        one("dpi", self.dpi.map(|d| d.to_string()), &mut out);
        one("title", self.title.clone(), &mut out);
        one("backend", self.backend.clone(), &mut out);
        one(
            "egl_device",
            self.egl_device.map(|d| d.to_string()),
            &mut out,
        );
        flag("allow_empty", self.allow_empty, &mut out);
        out
    }
}
