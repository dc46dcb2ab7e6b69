//! PySurfer's named views, re-derived from surfrender's orientation contract rather than
//! from Mayavi's azimuth/elevation/roll triples, so each one can be checked by reading it.

use crate::error::{Error, Result};
use crate::hemi::Hemi;
use crate::mesh::{cross, dot};

/// The named views.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ViewName {
    /// From outside the hemisphere.
    Lateral,
    /// From the midline.
    Medial,
    /// From above.
    Dorsal,
    /// From below.
    Ventral,
    /// From the front (`rostral`).
    Anterior,
    /// From behind (`caudal`).
    Posterior,
    /// PySurfer's oblique frontal view.
    Frontal,
    /// PySurfer's oblique parietal view.
    Parietal,
}

/// Names and aliases accepted on the command line (any unique prefix of one).
const NAMES: [(&str, ViewName); 10] = [
    ("lateral", ViewName::Lateral),
    ("medial", ViewName::Medial),
    ("dorsal", ViewName::Dorsal),
    ("ventral", ViewName::Ventral),
    ("anterior", ViewName::Anterior),
    ("rostral", ViewName::Anterior),
    ("posterior", ViewName::Posterior),
    ("caudal", ViewName::Posterior),
    ("frontal", ViewName::Frontal),
    ("parietal", ViewName::Parietal),
];

impl ViewName {
    /// Parses a view name or any unique prefix of one (`lat`, `med`, `ros`).
    pub fn parse(s: &str) -> Result<ViewName> {
        let s = s.trim().to_ascii_lowercase();
        if let Some((_, v)) = NAMES.iter().find(|(n, _)| *n == s) {
            return Ok(*v);
        }
        let hits: Vec<&(&str, ViewName)> = NAMES
            .iter()
            .filter(|(n, _)| !s.is_empty() && n.starts_with(&s))
            .collect();
        match hits.as_slice() {
            [(_, v)] => Ok(*v),
            [] => Err(Error::Usage(format!(
                "unknown view '{s}'; views: {}",
                NAMES.map(|(n, _)| n).join(", ")
            ))),
            many => {
                // "a" matches anterior only once aliases are folded, so compare views.
                let first = many[0].1;
                if many.iter().all(|(_, v)| *v == first) {
                    Ok(first)
                } else {
                    Err(Error::Usage(format!(
                        "view '{s}' is ambiguous: {}",
                        many.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                    )))
                }
            }
        }
    }

    /// The view's full name, as `--views` lists it.
    pub fn as_str(self) -> &'static str {
        match self {
            ViewName::Lateral => "lateral",
            ViewName::Medial => "medial",
            ViewName::Dorsal => "dorsal",
            ViewName::Ventral => "ventral",
            ViewName::Anterior => "anterior",
            ViewName::Posterior => "posterior",
            ViewName::Frontal => "frontal",
            ViewName::Parietal => "parietal",
        }
    }

    /// Whether the view sees both hemispheres side by side (from above, below, the front
    /// or behind), so that two hemispheres can share one whole-brain panel of it.
    pub fn sees_both(self) -> bool {
        matches!(
            self,
            ViewName::Dorsal | ViewName::Ventral | ViewName::Anterior | ViewName::Posterior
        )
    }

    /// `(towards camera, up)` in RAS for this hemisphere.
    fn directions(self, hemi: Hemi) -> ([f32; 3], [f32; 3]) {
        // Outward from the hemisphere: −x for the left, +x for the right.
        let out = if hemi == Hemi::Left { -1.0 } else { 1.0 };
        const Z: [f32; 3] = [0.0, 0.0, 1.0];
        const Y: [f32; 3] = [0.0, 1.0, 0.0];
        match self {
            ViewName::Lateral => ([out, 0.0, 0.0], Z),
            ViewName::Medial => ([-out, 0.0, 0.0], Z),
            ViewName::Dorsal => ([0.0, 0.0, 1.0], Y),
            ViewName::Ventral => ([0.0, 0.0, -1.0], Y),
            ViewName::Anterior => ([0.0, 1.0, 0.0], Z),
            ViewName::Posterior => ([0.0, -1.0, 0.0], Z),
            // PySurfer's oblique views: camera positions from its azimuth/elevation.
            ViewName::Frontal => ([0.49 * out, 0.85, 0.17], Z),
            ViewName::Parietal => ([0.43 * out, -0.75, 0.50], Z),
        }
    }
}

/// A named view plus the user's adjustments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    /// Which named view.
    pub name: ViewName,
    /// Degrees about the superior axis, counter-clockwise seen from above.
    pub azimuth: f32,
    /// Degrees towards the superior direction.
    pub elevation: f32,
    /// Degrees about the viewing axis, counter-clockwise on screen.
    pub roll: f32,
}

impl View {
    /// The named view, unturned.
    pub fn named(name: ViewName) -> View {
        View {
            name,
            azimuth: 0.0,
            elevation: 0.0,
            roll: 0.0,
        }
    }

    /// The camera axes for `hemi`.
    pub fn camera(&self, hemi: Hemi) -> Camera {
        let (eye, up) = self.name.directions(hemi);
        let mut eye = normalize(eye);
        let mut up = normalize(sub_proj(up, eye));
        if self.azimuth != 0.0 {
            let r = rotation([0.0, 0.0, 1.0], self.azimuth);
            eye = mul(r, eye);
            up = mul(r, up);
        }
        if self.elevation != 0.0 {
            let right = cross(neg(eye), up);
            // Turning the eye towards `up` is a rotation about −right.
            let r = rotation(right, -self.elevation);
            eye = mul(r, eye);
            up = mul(r, up);
        }
        if self.roll != 0.0 {
            up = mul(rotation(eye, -self.roll), up);
        }
        let up = normalize(sub_proj(up, eye));
        let right = normalize(cross(neg(eye), up));
        Camera { right, up, eye }
    }
}

/// Orthonormal camera axes in world coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Camera {
    /// The image's +x direction.
    pub right: [f32; 3],
    /// The image's up direction.
    pub up: [f32; 3],
    /// From the surface towards the camera.
    pub eye: [f32; 3],
}

impl Camera {
    /// The camera turned by `degrees` about the superior (z) axis, counter-clockwise
    /// seen from above, as `--azimuth` turns a view: a turntable's frame.
    pub fn turned(&self, degrees: f32) -> Camera {
        if degrees == 0.0 {
            return *self;
        }
        let r = rotation([0.0, 0.0, 1.0], degrees);
        Camera {
            right: mul(r, self.right),
            up: mul(r, self.up),
            eye: mul(r, self.eye),
        }
    }

    /// Coordinates of a world point along (right, up, eye).
    pub fn project(&self, p: [f32; 3]) -> [f32; 3] {
        [dot(p, self.right), dot(p, self.up), dot(p, self.eye)]
    }
}

fn normalize(v: [f32; 3]) -> [f32; 3] {
    let l = dot(v, v).sqrt();
    v.map(|x| x / l)
}

fn neg(v: [f32; 3]) -> [f32; 3] {
    v.map(|x| -x)
}

/// `v` minus its component along unit `n`.
fn sub_proj(v: [f32; 3], n: [f32; 3]) -> [f32; 3] {
    let d = dot(v, n);
    [v[0] - d * n[0], v[1] - d * n[1], v[2] - d * n[2]]
}

/// Rotation matrix (rows) about unit `axis` by `deg` degrees, right-handed.
fn rotation(axis: [f32; 3], deg: f32) -> [[f32; 3]; 3] {
    let [x, y, z] = normalize(axis);
    let (s, c) = deg.to_radians().sin_cos();
    let t = 1.0 - c;
    [
        [t * x * x + c, t * x * y - s * z, t * x * z + s * y],
        [t * x * y + s * z, t * y * y + c, t * y * z - s * x],
        [t * x * z - s * y, t * y * z + s * x, t * z * z + c],
    ]
}

fn mul(m: [[f32; 3]; 3], v: [f32; 3]) -> [f32; 3] {
    [dot(m[0], v), dot(m[1], v), dot(m[2], v)]
}

/// A view by name or unique prefix, as the command line and spec files give it (one message for both).
impl std::str::FromStr for ViewName {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        ViewName::parse(s).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: [f32; 3], b: [f32; 3]) -> bool {
        (0..3).all(|k| (a[k] - b[k]).abs() < 1e-5)
    }

    #[test]
    fn conventions() {
        let cam = |n, h| View::named(n).camera(h);
        const ANT: [f32; 3] = [0.0, 1.0, 0.0];
        const POST: [f32; 3] = [0.0, -1.0, 0.0];
        const LEFT: [f32; 3] = [-1.0, 0.0, 0.0];
        const RIGHT: [f32; 3] = [1.0, 0.0, 0.0];
        const SUP: [f32; 3] = [0.0, 0.0, 1.0];
        // lh lateral: anterior on the image's left.
        assert!(close(cam(ViewName::Lateral, Hemi::Left).right, POST));
        assert!(close(cam(ViewName::Medial, Hemi::Left).right, ANT));
        assert!(close(cam(ViewName::Lateral, Hemi::Right).right, ANT));
        assert!(close(cam(ViewName::Medial, Hemi::Right).right, POST));
        for h in [Hemi::Left, Hemi::Right] {
            for n in [
                ViewName::Lateral,
                ViewName::Medial,
                ViewName::Anterior,
                ViewName::Posterior,
            ] {
                assert!(close(cam(n, h).up, SUP));
            }
            assert!(close(cam(ViewName::Dorsal, h).up, ANT));
            assert!(close(cam(ViewName::Dorsal, h).right, RIGHT));
            assert!(close(cam(ViewName::Ventral, h).up, ANT));
            assert!(close(cam(ViewName::Ventral, h).right, LEFT));
            assert!(close(cam(ViewName::Anterior, h).right, LEFT));
            assert!(close(cam(ViewName::Posterior, h).right, RIGHT));
        }
    }

    #[test]
    fn adjustments() {
        let mut v = View::named(ViewName::Lateral);
        v.azimuth = 90.0;
        // lh lateral camera at −x turned 90° counter-clockwise seen from above → −y.
        let c = v.camera(Hemi::Left);
        assert!(close(c.eye, [0.0, -1.0, 0.0]), "{c:?}");
        let mut v = View::named(ViewName::Lateral);
        v.elevation = 90.0;
        assert!(close(v.camera(Hemi::Left).eye, [0.0, 0.0, 1.0]));
    }

    #[test]
    fn prefixes() {
        assert_eq!(ViewName::parse("lat").ok(), Some(ViewName::Lateral));
        assert_eq!(ViewName::parse("ros").ok(), Some(ViewName::Anterior));
        assert_eq!(ViewName::parse("Medial").ok(), Some(ViewName::Medial));
        assert!(ViewName::parse("xyz").is_err());
        // "p" could be posterior or parietal.
        assert!(ViewName::parse("p").is_err());
    }
}
