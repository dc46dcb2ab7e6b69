//! Named colormaps (helper B).

/// A colormap sampled on `[0, 1]`.
#[derive(Debug, Clone)]
pub struct Colormap {
    name: String,
}

impl Colormap {
    /// Looks a map up by its matplotlib name; `_r` reverses.
    pub fn from_name(name: &str) -> Result<Colormap, crate::error::Error> {
        Ok(Colormap { name: name.into() })
    }
    /// Canonical name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// RGB at `t` (clamped to `[0, 1]`).
    pub fn sample(&self, t: f32) -> [u8; 3] {
        let v = (t.clamp(0.0, 1.0) * 255.0) as u8;
        [v, v, v]
    }
    /// Whether the map's middle stands for zero (heat and the diverging maps).
    pub fn diverging(&self) -> bool {
        self.name == "heat"
    }
}
