//! Panel layout (the pixels are composed in canvas.rs). The layout is planned in
//! millimetres before anything is drawn: each panel's window is the exact projected
//! extent of its surface, so panels are "cropped to content" without rendering twice,
//! every panel shares one pixels-per-millimetre scale, and the figure size is met
//! exactly without resampling.

mod canvas;
pub mod colorbar;
#[cfg(test)]
mod tests;

pub use canvas::{backdrop, compose, into_panels, time_label, with_panels};

use crate::error::{Error, Result};
use crate::hemi::Hemi;
use crate::render::{Panel, Part};
use crate::scene::Scene;
use crate::scene::{lights, Camera, View};
use crate::spec::{Layout, PANEL_WIDTH};

/// The title strip's height, in units of 1% of the figure width.
const TITLE_UNITS: f32 = 7.0;
/// Largest figure side in pixels (also the largest GL framebuffer llvmpipe allows).
pub const MAX_SIDE: u32 = 16384;
/// The most views one figure draws (each hemisphere gets a panel of each): more panels
/// than a page shows, and each costs a full-size image in memory.
pub const MAX_VIEWS: usize = 32;

/// Margin around each panel as a share of the largest panel extent.
const MARGIN: f32 = 0.03;

/// Where each panel goes and how big the figure is.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Every panel with its camera and exact window, in drawing order.
    pub panels: Vec<Panel>,
    /// Each panel's hemisphere and view (`lh lateral`), for messages.
    pub names: Vec<String>,
    /// Top-left corner of each panel in the figure.
    pub positions: Vec<(u32, u32)>,
    /// Figure width in pixels.
    pub width: u32,
    /// Figure height in pixels.
    pub height: u32,
    /// Height of the title strip at the top (0 without title).
    pub title_height: u32,
    /// Top of the colour bar strip (equal to `height` without colour bar).
    pub colorbar_top: u32,
    /// Panel captions and where their top-left corners go.
    pub labels: Vec<(String, f32, f32)>,
    /// Font size of panel captions in pixels.
    pub label_px: f32,
    /// The decoration unit (title, colour bar) in pixels.
    pub unit: f32,
    /// Left edge of a vertical colour bar's strip.
    pub colorbar_side: Option<u32>,
    /// The size of the image written: the figure above (panels, title and colour bars,
    /// one block of `width` x `height`) centred in it. Larger than the figure only where
    /// `--size` gives both sides in another aspect ratio than the figure's.
    pub canvas: (u32, u32),
    /// Where the figure's top-left corner lies in the canvas.
    pub offset: (u32, u32),
}

impl Plan {
    /// Whether the canvas leaves empty margins beside the figure (more than 1% of a
    /// side, and more than 2 pixels, so that rounding does not count).
    pub fn has_margins(&self) -> bool {
        let loose = |canvas: u32, block: u32| {
            let d = canvas.saturating_sub(block);
            d > 2 && d as f32 > 0.01 * canvas as f32
        };
        loose(self.canvas.0, self.width) || loose(self.canvas.1, self.height)
    }
}

/// What the layout needs besides the scene.
#[derive(Debug, Clone)]
pub struct LayoutOptions<'a> {
    /// The views, each drawn for every surface.
    pub views: &'a [View],
    /// Magnification of every panel.
    pub zoom: f32,
    /// How panels are arranged.
    pub layout: Layout,
    /// Figure width and height, either left to follow the other.
    pub size: (Option<u32>, Option<u32>),
    /// Leave room for colour bars.
    pub colorbar: bool,
    /// Leave room for a title.
    pub title: bool,
    /// A caption under the colour bars' ticks (`--cbar-label`): whether any bar has one.
    pub colorbar_label: bool,
    /// "L lateral", "R medial", ... above each panel.
    pub panel_labels: bool,
    /// Multiplies the figure size (`--scale 2` for high-resolution output).
    pub scale: f32,
    /// Every panel's cell in pixels (`--panel-size WxH`); overrides `size`.
    pub panel_size: Option<(u32, u32)>,
    /// The colour bar stands beside the panels instead of under them.
    pub colorbar_vertical: bool,
    /// Width of the strip of vertical colour bars: the sum of every bar's
    /// `colorbar::side_units` (`colorbar::side_units_all`), as they stand side by side.
    pub colorbar_side_units: f32,
    /// Panel caption size in pixels when given (`--font-size`); the margin above each
    /// panel grows to hold it.
    pub caption_px: Option<f32>,
    /// Draw the dorsal, ventral, anterior and posterior views of two hemispheres one
    /// panel per hemisphere (`--split-views`), rather than both in one whole-brain panel.
    pub split_views: bool,
    /// Frames of a turntable (`--turntable`): each panel's window holds its surfaces at
    /// every angle of the turn, so that no frame crops them or changes their size; 0
    /// for a still figure.
    pub turn: usize,
}

impl<'a> LayoutOptions<'a> {
    /// A plain grid of `views`: default size, no decorations. Callers set what differs
    /// with struct update syntax.
    pub fn new(views: &'a [View]) -> LayoutOptions<'a> {
        LayoutOptions {
            views,
            zoom: 1.0,
            layout: Layout::Grid,
            size: (None, None),
            colorbar: false,
            title: false,
            colorbar_label: false,
            panel_labels: false,
            scale: 1.0,
            panel_size: None,
            colorbar_vertical: false,
            colorbar_side_units: 0.0,
            caption_px: None,
            split_views: false,
            turn: 0,
        }
    }
}

/// Plans the panels of a figure: one per (view, surface), placed by `layout`.
pub fn plan(scene: &Scene, opts: &LayoutOptions) -> Result<Plan> {
    let mut plan = plan_with(scene, opts, 1.0)?;
    // Captions are as large as the colour bars' tick labels (`--font-size`, else the
    // bars' text size at this unit), so that all text scales together; they may need a
    // wider margin than the default. The scale, and with it the unit, shifts a little
    // with the margin, so settle it in a few rounds.
    if opts.panel_labels {
        let target = |p: &Plan| opts.caption_px.unwrap_or(colorbar::FONT * p.unit);
        let mut widen = 1.0;
        for _ in 0..6 {
            let px = target(&plan);
            if plan.label_px >= px * 0.999 || plan.label_px <= 0.0 {
                break;
            }
            widen *= px / plan.label_px * 1.01;
            plan = plan_with(scene, opts, widen)?;
        }
        plan.label_px = plan.label_px.min(target(&plan));
    }
    Ok(plan)
}

/// One panel's place in the grid: which surfaces (one, or both hemispheres in a
/// whole-brain panel), seen from which view, in which row and columns. Planned first so
/// that sizes can be measured per row and column.
struct Cell {
    surfaces: Vec<usize>,
    view: usize,
    row: usize,
    col: usize,
    /// How many columns the cell spans, from `col` on: a whole-brain panel spans the
    /// columns its hemispheres' panels would take.
    span: usize,
}

/// [`plan`] with the margin `widen` times its default.
fn plan_with(scene: &Scene, opts: &LayoutOptions, widen: f32) -> Result<Plan> {
    let cells = cells(scene, opts);
    let offsets = whole_brain_offsets(scene);
    let (windows, mut panels): (Vec<[f32; 4]>, Vec<Panel>) = cells
        .iter()
        .map(|c| measure(scene, opts, c, &offsets))
        .unzip();
    let mut grid = Grid::new(&cells, &windows, opts.panel_labels, widen);
    let size_override = opts.panel_size.map(|cell| grid.fit_cells(cell));
    let (cw, ch) = grid.outer();
    let deco = Decorations::new(opts);
    // The default width gives each surface a panel width in a grid, else each column.
    let across = if opts.layout == Layout::Grid {
        scene.surfaces.len().max(1)
    } else {
        grid.col_w.len()
    };
    let (size, default_w) = requested(opts, size_override, across);
    let (block, canvas) = block_in(size, (cw, ch), &deco, default_w);
    let Fit {
        width,
        height,
        scale,
        unit: u,
    } = block;
    let (title_height, bar_height) = deco.strips(u);
    let area_h = height.saturating_sub(title_height + bar_height) as f32;
    let side_px = deco.side * u;
    let ox = (width as f32 - side_px - cw * scale).max(0.0) / 2.0;
    let oy = title_height as f32 + (area_h - ch * scale).max(0.0) / 2.0;
    let (col_x, row_y) = grid.edges(ox, oy, scale);

    let mut positions = Vec::with_capacity(cells.len());
    let mut labels = Vec::new();
    let margin = grid.margin;
    let label_px = 0.5 * margin * scale;
    for ((c, w), p) in cells.iter().zip(&windows).zip(panels.iter_mut()) {
        let rect = [
            col_x[c.col],
            row_y[c.row],
            grid.col_w[c.col..c.col + c.span].iter().sum::<f32>() * scale,
            grid.row_h[c.row] * scale,
        ];
        let (x, y) = place(p, w, rect, scale);
        positions.push((x.round().max(0.0) as u32, y.round().max(0.0) as u32));
        if opts.panel_labels {
            let text = caption(scene, opts, c);
            labels.push((text, x, row_y[c.row] + 0.2 * margin * scale));
        }
    }
    let canvas = canvas.unwrap_or((width.max(1), height.max(1)));
    if canvas.0 > MAX_SIDE || canvas.1 > MAX_SIDE {
        return Err(Error::Usage(format!(
            "the figure would be {}x{} pixels; at most {MAX_SIDE} per side: choose a smaller --size",
            canvas.0, canvas.1
        )));
    }
    let names = cells
        .iter()
        .map(|c| {
            let who = match c.surfaces.as_slice() {
                [one] => scene.surfaces[*one].hemi.to_string(),
                _ => "both".to_string(),
            };
            format!("{who} {}", opts.views[c.view].name.as_str())
        })
        .collect();
    Ok(Plan {
        panels,
        names,
        positions,
        width: width.max(1),
        height: height.max(1),
        title_height,
        colorbar_top: height.saturating_sub(bar_height),
        colorbar_side: deco
            .vertical
            .then(|| (width as f32 - side_px).round() as u32),
        labels,
        label_px,
        unit: u,
        offset: (
            canvas.0.saturating_sub(width.max(1)) / 2,
            canvas.1.saturating_sub(height.max(1)) / 2,
        ),
        canvas,
    })
}

/// The figure as one block and the canvas it is centred in. With both sides of the
/// size given, the block is the figure that one side alone would give (the width, or
/// the height where the width would make it too tall), so that panels, title and
/// colour bars keep together rather than spreading over a canvas of another aspect
/// ratio; the canvas is the size asked for. `None` when the canvas is the block.
fn block_in(
    size: (Option<u32>, Option<u32>),
    grid: (f32, f32),
    deco: &Decorations,
    default_w: f32,
) -> (Fit, Option<(u32, u32)>) {
    let (Some(w), Some(h)) = size else {
        return (Fit::new(size, grid, deco, default_w), None);
    };
    let by_width = Fit::new((Some(w), None), grid, deco, default_w);
    let block = if by_width.height <= h {
        by_width
    } else {
        let by_height = Fit::new((None, Some(h)), grid, deco, default_w);
        if by_height.width <= w {
            by_height
        } else {
            // Rounding: the height-bound block is a pixel too wide; keep the width.
            Fit {
                width: w,
                ..by_height
            }
        }
    };
    (block, Some((w, h)))
}

/// The figure size asked for (either side may be free) and the width to use when none
/// is, both times `--scale`: `--panel-size` fixes the width (`size_override`), else
/// `--size`; the default is one panel width for each of `across` panels.
fn requested(
    opts: &LayoutOptions,
    size_override: Option<u32>,
    across: usize,
) -> ((Option<u32>, Option<u32>), f32) {
    let scale_by = if opts.scale.is_finite() && opts.scale > 0.0 {
        opts.scale
    } else {
        1.0
    };
    let sized = |v: Option<u32>| v.map(|x| (x as f32 * scale_by).round() as u32);
    let size = match size_override {
        Some(w) => (sized(Some(w)), None),
        None => (sized(opts.size.0), sized(opts.size.1)),
    };
    (size, PANEL_WIDTH as f32 * across as f32 * scale_by)
}

/// Whether view `vi` shows both hemispheres in one whole-brain panel: two hemispheres,
/// a view that sees both (dorsal, ventral, anterior, posterior), and no `--split-views`.
fn whole_brain(scene: &Scene, opts: &LayoutOptions, vi: usize) -> bool {
    let hemis: Vec<Hemi> = scene.surfaces.iter().map(|s| s.hemi).collect();
    !opts.split_views
        && hemis.len() == 2
        && hemis[0] != hemis[1]
        && opts.views.get(vi).is_some_and(|v| v.name.sees_both())
}

/// The grid cell of every panel. Each hemisphere gets a panel of every view, placed as
/// the layout says (`Layout::Rows` lists its own views per row), except whole-brain
/// views ([`whole_brain`]), which get one panel of both hemispheres: in a grid it spans
/// the view's row (both hemisphere columns); in a row of views it follows the
/// hemispheres' panels of that row, two columns wide; in a column it follows them, one
/// panel below the other.
fn cells(scene: &Scene, opts: &LayoutOptions) -> Vec<Cell> {
    let n = scene.surfaces.len();
    let nv = opts.views.len();
    let last = nv.saturating_sub(1);
    // The layout as rows of views; a column is one "row" laid out downwards.
    let (rows, down): (Vec<Vec<usize>>, bool) = match &opts.layout {
        Layout::Rows(rows) => (
            rows.iter()
                .map(|r| r.iter().map(|&v| v.min(last)).collect())
                .collect(),
            false,
        ),
        Layout::Grid => ((0..nv).map(|v| vec![v]).collect(), false),
        Layout::Row => (vec![(0..nv).collect()], false),
        Layout::Column => (vec![(0..nv).collect()], true),
    };
    // Hemisphere blocks keep today's places wherever a row has no whole-brain view.
    let width = rows.iter().map(Vec::len).max().unwrap_or(1);
    let all: Vec<usize> = (0..n).collect();
    let mut cells = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        let (whole, each): (Vec<usize>, Vec<usize>) =
            row.iter().partition(|&&v| whole_brain(scene, opts, v));
        let block = if whole.is_empty() { width } else { each.len() };
        let mut at = |surfaces: Vec<usize>, view: usize, k: usize, span: usize| {
            let (row, col) = if down { (k, 0) } else { (r, k) };
            let span = if down { 1 } else { span };
            cells.push(Cell {
                surfaces,
                view,
                row,
                col,
                span,
            });
        };
        for si in 0..n {
            for (c, &vi) in each.iter().enumerate() {
                at(vec![si], vi, si * block + c, 1);
            }
        }
        for (k, &vi) in whole.iter().enumerate() {
            let place = if down {
                n * each.len() + k
            } else {
                n * block + k * n
            };
            at(all.clone(), vi, place, n);
        }
    }
    cells
}

/// Where each surface is drawn in whole-brain panels, as PySurfer places `hemi='both'`:
/// hemispheres that overlap along x by more than a tenth of the narrower one's width
/// (inflated, very inflated or spherical surfaces, centred on their own hemisphere) are
/// shifted so that their medial sides meet at x = 0 (the left's largest x and the
/// right's smallest); pial and white surfaces, which overlap by a millimetre or two at
/// most, stay where they are.
fn whole_brain_offsets(scene: &Scene) -> Vec<[f32; 3]> {
    let mut out = vec![[0.0f32; 3]; scene.surfaces.len()];
    let find = |h: Hemi| scene.surfaces.iter().position(|s| s.hemi == h);
    let (Some(l), Some(r)) = (find(Hemi::Left), find(Hemi::Right)) else {
        return out;
    };
    let span = |i: usize| {
        let xs = scene.surfaces[i].mesh.vertices.iter().map(|v| v[0]);
        xs.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), x| {
            (lo.min(x), hi.max(x))
        })
    };
    let ((l_lo, l_hi), (r_lo, r_hi)) = (span(l), span(r));
    let narrower = (l_hi - l_lo).min(r_hi - r_lo);
    let overlap = l_hi - r_lo;
    if narrower.is_finite() && overlap.is_finite() && overlap > 0.1 * narrower {
        out[l][0] = -l_hi;
        out[r][0] = -r_lo;
    }
    out
}

/// The exact projected extent of a cell's surface in millimetres (its window, grown by
/// `--zoom` < 1 or cut by > 1) and its panel with camera, lights and depth range. The
/// panel's window and pixel size are set by [`place`] once the scale is known.
fn measure(
    scene: &Scene,
    opts: &LayoutOptions,
    c: &Cell,
    offsets: &[[f32; 3]],
) -> ([f32; 4], Panel) {
    // A whole-brain panel is seen and lit as one scene: the left hemisphere's camera
    // (the views that see both look along an axis that does not depend on the
    // hemisphere) and unmirrored lights, as PySurfer lights `hemi='both'`.
    let hemi = match c.surfaces.as_slice() {
        [one] => scene.surfaces[*one].hemi,
        _ => Hemi::Left,
    };
    let camera = opts.views[c.view].camera(hemi);
    let parts: Vec<Part> = c
        .surfaces
        .iter()
        .map(|&i| Part {
            surface: i,
            offset: if c.surfaces.len() > 1 {
                offsets[i]
            } else {
                [0.0; 3]
            },
        })
        .collect();
    let (mut lo, mut hi) = extent(scene, &parts, &camera, [0.0; 3]);
    if opts.turn > 1 {
        // Every angle of the turn, about the vertical axis through the surfaces' centre
        // (at most 360 of them: a finer turn moves less than a pixel between them).
        let centre = turn_centre(scene, &parts);
        let c0 = camera.project(centre);
        let steps = opts.turn.min(360);
        for i in 1..steps {
            let cam = camera.turned(360.0 * i as f32 / steps as f32);
            let shift = crate::mesh::sub(c0, cam.project(centre));
            let (l, h) = extent(scene, &parts, &cam, shift);
            for k in 0..3 {
                lo[k] = lo[k].min(l[k]);
                hi[k] = hi[k].max(h[k]);
            }
        }
    }
    if !lo[0].is_finite() {
        lo = [-1.0; 3];
        hi = [1.0; 3];
    }
    let zoom = if opts.zoom > 0.0 { opts.zoom } else { 1.0 };
    let (cx, cy) = (0.5 * (lo[0] + hi[0]), 0.5 * (lo[1] + hi[1]));
    let (hw, hh) = (
        (0.5 * (hi[0] - lo[0]) / zoom).max(1e-3),
        (0.5 * (hi[1] - lo[1]) / zoom).max(1e-3),
    );
    let pad = 1.0 + 0.01 * (hi[2] - lo[2]);
    let panel = Panel {
        parts,
        camera,
        lights: lights(hemi),
        window: [0.0; 4],
        depth: [hi[2] + pad, lo[2] - pad],
        width: 1,
        height: 1,
    };
    ([cx - hw, cx + hw, cy - hh, cy + hh], panel)
}

/// The box of the parts' points along `camera`'s axes, moved by `shift`.
fn extent(scene: &Scene, parts: &[Part], camera: &Camera, shift: [f32; 3]) -> ([f32; 3], [f32; 3]) {
    let mut lo = [f32::INFINITY; 3];
    let mut hi = [f32::NEG_INFINITY; 3];
    for part in parts {
        let d = part.offset;
        for &v in scene.surfaces[part.surface].points() {
            let p = camera.project([v[0] + d[0], v[1] + d[1], v[2] + d[2]]);
            for k in 0..3 {
                lo[k] = lo[k].min(p[k] + shift[k]);
                hi[k] = hi[k].max(p[k] + shift[k]);
            }
        }
    }
    (lo, hi)
}

/// The centre of the box of a panel's surfaces (moved by their offsets): a turntable
/// turns them about the vertical axis through it, so that they stay in place.
fn turn_centre(scene: &Scene, parts: &[Part]) -> [f32; 3] {
    let axes = Camera {
        right: [1.0, 0.0, 0.0],
        up: [0.0, 1.0, 0.0],
        eye: [0.0, 0.0, 1.0],
    };
    let (lo, hi) = extent(scene, parts, &axes, [0.0; 3]);
    if !lo[0].is_finite() {
        return [0.0; 3];
    }
    [0, 1, 2].map(|k| 0.5 * (lo[k] + hi[k]))
}

/// The panels of a still figure planned with [`LayoutOptions::turn`], turned by
/// `degrees` about the superior axis through each panel's centre: the same windows and
/// sizes, following the turned surfaces.
pub fn turned(panels: &[Panel], scene: &Scene, degrees: f32) -> Vec<Panel> {
    panels
        .iter()
        .map(|p| {
            let centre = turn_centre(scene, &p.parts);
            let cam = p.camera.turned(degrees);
            let d = crate::mesh::sub(cam.project(centre), p.camera.project(centre));
            let mut q = p.clone();
            q.camera = cam;
            let w = p.window;
            q.window = [w[0] + d[0], w[1] + d[0], w[2] + d[1], w[3] + d[1]];
            q.depth = [p.depth[0] + d[2], p.depth[1] + d[2]];
            q
        })
        .collect()
}

/// Column widths and row heights in millimetres, each with its cell's margin on both
/// sides: the figure is laid out at one scale before any pixel size is chosen.
struct Grid {
    col_w: Vec<f32>,
    row_h: Vec<f32>,
    margin: f32,
}

impl Grid {
    /// Every column as wide as its widest panel and every row as tall as its tallest, so
    /// that panels of one row or column line up. The margin is a share of the largest
    /// panel so that it looks the same at any size.
    fn new(cells: &[Cell], windows: &[[f32; 4]], captions: bool, widen: f32) -> Grid {
        let nrows = cells.iter().map(|c| c.row + 1).max().unwrap_or(1);
        let ncols = cells.iter().map(|c| c.col + 1).max().unwrap_or(1);
        let largest = windows
            .iter()
            .map(|w| (w[1] - w[0]).max(w[3] - w[2]))
            .fold(0.0f32, f32::max);
        // Captions sit in the margin above each panel, so it is wider with them.
        let margin = if captions { 2.2 } else { 1.0 } * MARGIN * largest * widen;
        let ncols = cells
            .iter()
            .map(|c| c.col + c.span)
            .max()
            .unwrap_or(1)
            .max(ncols);
        let mut col_w = vec![0.0f32; ncols];
        let mut row_h = vec![0.0f32; nrows];
        for (c, w) in cells.iter().zip(windows) {
            if c.span == 1 {
                col_w[c.col] = col_w[c.col].max(w[1] - w[0] + 2.0 * margin);
            }
            row_h[c.row] = row_h[c.row].max(w[3] - w[2] + 2.0 * margin);
        }
        // A panel spanning columns widens them alike where they are too narrow for it
        // together (its cell has one margin each side, as any cell has).
        for (c, w) in cells.iter().zip(windows) {
            if c.span > 1 {
                let cols = &mut col_w[c.col..c.col + c.span];
                let need = w[1] - w[0] + 2.0 * margin - cols.iter().sum::<f32>();
                if need > 0.0 {
                    let each = need / c.span as f32;
                    cols.iter_mut().for_each(|x| *x += each);
                }
            }
        }
        Grid {
            col_w,
            row_h,
            margin,
        }
    }

    /// `--panel-size WxH`: every cell W x H pixels, at the one scale that fits the largest
    /// panel; the figure size follows from the grid, so this returns the figure width
    /// in pixels.
    fn fit_cells(&mut self, (pw, ph): (u32, u32)) -> u32 {
        let widest = self.col_w.iter().fold(0.0f32, |a, &b| a.max(b));
        let tallest = self.row_h.iter().fold(0.0f32, |a, &b| a.max(b));
        let s = (pw as f32 / widest).min(ph as f32 / tallest);
        self.col_w.iter_mut().for_each(|w| *w = pw as f32 / s);
        self.row_h.iter_mut().for_each(|h| *h = ph as f32 / s);
        (pw as f32 * self.col_w.len() as f32 + 2.0 * self.margin * s).round() as u32
    }

    /// Width and height of the whole grid in millimetres. Each cell has its margin on
    /// every side; one more margin around the whole grid makes the outer margins equal
    /// to the gaps between panels.
    fn outer(&self) -> (f32, f32) {
        (
            self.col_w.iter().sum::<f32>() + 2.0 * self.margin,
            self.row_h.iter().sum::<f32>() + 2.0 * self.margin,
        )
    }

    /// Left edge of each column and top of each row in pixels, with the grid's top-left
    /// corner at (`ox`, `oy`) and `scale` pixels per millimetre: the panels are centred
    /// in these cells.
    fn edges(&self, ox: f32, oy: f32, scale: f32) -> (Vec<f32>, Vec<f32>) {
        let col_x = prefix_sums(&self.col_w)
            .iter()
            .map(|x| ox + (x + self.margin) * scale)
            .collect();
        let row_y = prefix_sums(&self.row_h)
            .iter()
            .map(|y| oy + (y + self.margin) * scale)
            .collect();
        (col_x, row_y)
    }
}

/// The decorations that take room beside the panels, in the unit of 1% of the figure
/// width (so they scale with the figure). A horizontal colour bar takes a strip under
/// the panels (height units), a vertical one a strip beside them (width units).
struct Decorations {
    title: bool,
    /// A caption under the colour bars' ticks.
    bar_label: bool,
    vertical: bool,
    horizontal: bool,
    /// Units of height above and below the panels: title and horizontal colour bar.
    deco: f32,
    /// Units of width beside the panels: the vertical colour bars.
    side: f32,
}

impl Decorations {
    /// Which decorations the figure has and how many units each way they take.
    fn new(opts: &LayoutOptions) -> Decorations {
        let vertical = opts.colorbar && opts.colorbar_vertical;
        let horizontal = opts.colorbar && !vertical;
        let deco = if opts.title { TITLE_UNITS } else { 0.0 }
            + if horizontal { colorbar::UNITS } else { 0.0 }
            + if horizontal && opts.colorbar_label {
                colorbar::LABEL_UNITS
            } else {
                0.0
            };
        let side = if vertical {
            opts.colorbar_side_units
        } else {
            0.0
        };
        Decorations {
            title: opts.title,
            bar_label: opts.colorbar_label,
            vertical,
            horizontal,
            deco,
            side,
        }
    }

    /// Heights in whole pixels of the title strip and the horizontal colour bar strip
    /// (0 for those the figure lacks) for a unit of `u` pixels: the panels are centred
    /// in what remains.
    fn strips(&self, u: f32) -> (u32, u32) {
        let title_height = if self.title {
            (TITLE_UNITS * u).round() as u32
        } else {
            0
        };
        let bar_units = colorbar::UNITS
            + if self.bar_label {
                colorbar::LABEL_UNITS
            } else {
                0.0
            };
        let bar_height = if self.horizontal {
            (bar_units * u).round() as u32
        } else {
            0
        };
        (title_height, bar_height)
    }
}

/// The figure size in pixels, the scale in pixels per millimetre and the decoration
/// unit in pixels.
struct Fit {
    width: u32,
    height: u32,
    scale: f32,
    unit: f32,
}

impl Fit {
    /// Meets the requested `size` (one side, or none; with both, the width) for a grid of
    /// `cw` x `ch` millimetres and its decorations; with no size the width is `default_w`. The unit
    /// depends on the scale and the scale on the room the decorations leave, so the
    /// sizes with a fixed width settle the two in a few rounds.
    fn new(
        size: (Option<u32>, Option<u32>),
        (cw, ch): (f32, f32),
        d: &Decorations,
        default_w: f32,
    ) -> Fit {
        let (deco, side) = (d.deco, d.side);
        // Decorations are measured in a unit of 1% of the figure width, but at most 1.5%
        // of the panels' height, so that a single row of panels keeps modest text.
        let unit_for = |w: f32, s: f32| w.min(1.5 * ch * s) / 100.0;
        let (width, height, scale, unit) = match size {
            // Both sides given: `block_in` fits the block by one side and centres it.
            (Some(w), _) => {
                let (mut s, mut u) = (w as f32 / cw, w as f32 / 100.0);
                for _ in 0..4 {
                    s = (w as f32 - side * u).max(1.0) / cw;
                    u = unit_for(w as f32, s);
                }
                (w, (ch * s + deco * u).round() as u32, s, u)
            }
            (None, Some(h)) => {
                let k = cw.min(1.5 * ch) / 100.0;
                let s = h as f32 / (ch + deco * k);
                ((cw * s + side * s * k).round() as u32, h, s, s * k)
            }
            (None, None) => {
                let w = default_w;
                let s = w / cw;
                let u = unit_for(w, s);
                (
                    (w + side * u).round() as u32,
                    (ch * s + deco * u).round() as u32,
                    s,
                    u,
                )
            }
        };
        Fit {
            width,
            height,
            scale,
            unit,
        }
    }
}

/// Sizes panel `p` (whose extent is `w` in millimetres) in whole pixels and centres it in
/// its cell `rect` (`[x, y, width, height]` in pixels). The window is re-centred on the
/// rounded pixel size so that every panel keeps the one exact scale. Returns the panel's
/// top-left corner, not yet rounded, from which its caption is placed too.
fn place(p: &mut Panel, w: &[f32; 4], rect: [f32; 4], scale: f32) -> (f32, f32) {
    let pw = ((w[1] - w[0]) * scale).round().max(1.0) as u32;
    let ph = ((w[3] - w[2]) * scale).round().max(1.0) as u32;
    let (cx, cy) = (0.5 * (w[0] + w[1]), 0.5 * (w[2] + w[3]));
    let (hw, hh) = (0.5 * pw as f32 / scale, 0.5 * ph as f32 / scale);
    p.window = [cx - hw, cx + hw, cy - hh, cy + hh];
    p.width = pw;
    p.height = ph;
    let x = rect[0] + (rect[2] - pw as f32) / 2.0;
    let y = rect[1] + (rect[3] - ph as f32) / 2.0;
    (x, y)
}

/// A panel's caption, "L lateral", "R medial", "L+R dorsal" (a whole-brain panel), ...:
/// hemisphere and view, all a reader
/// needs to tell the panels apart.
fn caption(scene: &Scene, opts: &LayoutOptions, c: &Cell) -> String {
    let hemi = match c.surfaces.as_slice() {
        [one] => match scene.surfaces[*one].hemi {
            Hemi::Left => "L",
            Hemi::Right => "R",
        },
        _ => "L+R",
    };
    format!("{hemi} {}", opts.views[c.view].name.as_str())
}

fn prefix_sums(v: &[f32]) -> Vec<f32> {
    let mut acc = 0.0;
    v.iter()
        .map(|x| {
            let s = acc;
            acc += x;
            s
        })
        .collect()
}
