//! TODO
pub mod cmap;
