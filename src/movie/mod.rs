//! Movies: many frames of one figure written as a PNG sequence, an animated GIF or PNG, or
//! a video through ffmpeg.

pub mod encode;
