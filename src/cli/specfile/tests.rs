//! Spec ⇄ command line round trips.
use super::*;
use crate::cli::Args;
use clap::{CommandFactory, FromArgMatches};

/// Every field survives spec → command line → spec, so no option can be forgotten
/// in one direction.
#[test]
fn every_field_round_trips() {
    let p = |s: &str| PathBuf::from(format!("/x/{s}"));
    let full = FigureFile {
        output: Some(p("o.png")),
        surfaces: Some(vec![p("lh.pial"), p("rh.pial")]),
        subject: None,
        subjects_dir: None,
        surf: None,
        hemi: Some(vec!["lh".into(), "rh".into()]),
        overlay: Some(vec![p("lh.a"), p("rh.a")]),
        curv: Some(vec![p("lh.c")]),
        frame: Some(2),
        map: Some(NumOrText::Text("beta".into())),
        annot: Some(vec![p("lh.x.annot")]),
        annot_alpha: Some(0.5),
        annot_outline: Some(true),
        annot_over_overlay: Some(true),
        label: Some(vec![p("lh.v1.label")]),
        label_color: Some(vec!["gold".into()]),
        label_outline: Some(true),
        label_over_overlay: Some(false),
        outline_width: Some(3.0),
        border_color: Some("white".into()),
        outline: Some(true),
        outline_color: Some("lime".into()),
        contours: Some(vec![p("lh.s.mgh")]),
        levels: Some(vec![-2.0, 2.5]),
        n_contours: Some(5),
        contour_cmap: Some("viridis".into()),
        mask: Some(vec![p("lh.cortex.label")]),
        symmetric: Some(true),
        focus: Some(vec!["-40,20,30".into()]),
        focus_vertex: Some(vec!["lh:12".into()]),
        foci: Some(vec![p("f.csv")]),
        focus_radius: Some(3.0),
        focus_color: Some("red".into()),
        cortex: Some("bone".into()),
        cmap: Some("RdBu_r".into()),
        threshold: Some(NumOrText::Text("95%".into())),
        range: Some(vec![NumOrText::Num(1.0), NumOrText::Num(4.5)]),
        opacity: Some(0.5),
        sign: Some("pos".into()),
        views: Some(vec!["dorsal".into(), "ventral".into()]),
        azimuth: Some(10.0),
        elevation: Some(-5.0),
        roll: Some(3.0),
        zoom: Some(1.5),
        layout: Some("row".into()),
        size: Some("900x".into()),
        background: Some("#102030".into()),
        colorbar: Some(false),
        cbar_label: Some("t (mm)".into()),
        cbar_orientation: Some("vertical".into()),
        cbar_ticks: Some(5),
        cbar_format: Some("%.1f".into()),
        font_size: Some(9.0),
        colorbar_file: Some(p("bar.svg")),
        panel_labels: Some(true),
        panel_size: Some("400x300".into()),
        scale: Some(2.0),
        dpi: Some(300),
        title: Some("-a title".into()),
        backend: Some("cpu".into()),
        egl_device: Some(1),
        allow_empty: Some(true),
        layers: None,
    };
    let mut argv: Vec<std::ffi::OsString> = vec!["surfrender".into()];
    argv.extend(full.to_args(&|_| false));
    let m = Args::command().try_get_matches_from(&argv).expect("parses");
    let mut a = Args::from_arg_matches(&m).expect("args");
    a.order = super::super::LayerOrder::from_matches(&m);
    let layer_of = crate::cli::overlay_layers(&a).expect("layers");
    assert_eq!(FigureFile::from_args(&a, &layer_of), full);
    // Every path field is rebased (all of them are absolute `/x/...` here).
    let mut relative = full.clone();
    relative.for_each_path(|p| {
        *p = p
            .strip_prefix("/x")
            .map(Path::to_path_buf)
            .unwrap_or_default()
    });
    let based = relative.rebased(Path::new("/x"));
    assert_eq!(based, full);
}

/// A stack of layers survives spec → command line → spec: each overlay keeps its own
/// options, and annotations and labels keep their places between the overlays.
#[test]
fn layers_round_trip() {
    let p = |s: &str| PathBuf::from(format!("/x/{s}"));
    let layers = vec![
        LayerEntry {
            annot: Some(vec![p("lh.aparc.annot")]),
            ..Default::default()
        },
        LayerEntry {
            overlay: Some(vec![p("lh.thickness"), p("rh.thickness")]),
            cmap: Some("gray".into()),
            opacity: Some(0.5),
            cbar_label: Some("mm".into()),
            ..Default::default()
        },
        LayerEntry {
            label: Some(vec![p("lh.v1.label"), p("rh.v1.label")]),
            label_color: Some(vec!["gold".into(), "#00ff00".into()]),
            ..Default::default()
        },
        LayerEntry {
            overlay: Some(vec![p("lh.sig.mgh"), p("rh.sig.mgh")]),
            threshold: Some(NumOrText::Text("95%".into())),
            range: Some(vec![NumOrText::Num(2.0), NumOrText::Num(5.0)]),
            sign: Some("pos".into()),
            symmetric: Some(true),
            outline: Some(true),
            frame: Some(1),
            map: Some(NumOrText::Text("beta".into())),
            ..Default::default()
        },
        LayerEntry {
            overlay: Some(vec![p("lh.sig.mgh")]),
            cmap: Some("viridis".into()),
            ..Default::default()
        },
    ];
    let spec = FigureFile {
        surfaces: Some(vec![p("lh.pial"), p("rh.pial")]),
        layers: Some(layers.clone()),
        ..Default::default()
    };
    assert_eq!(spec.validate(), Ok(()));
    let mut argv: Vec<std::ffi::OsString> = vec!["surfrender".into()];
    argv.extend(spec.to_args(&|_| false));
    let m = Args::command().try_get_matches_from(&argv).expect("parses");
    let mut a = Args::from_arg_matches(&m).expect("args");
    a.order = super::super::LayerOrder::from_matches(&m);
    let layer_of = crate::cli::overlay_layers(&a).expect("layers");
    let back = FigureFile::from_args(&a, &layer_of);
    assert_eq!(back.layers, Some(layers));
    assert_eq!(back.validate(), Ok(()));
    assert_eq!((back.overlay, back.cmap, back.annot), (None, None, None));
}
