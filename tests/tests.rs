//! One integration-test binary (fast to link); each module tests one stage or the CLI.

mod rng;
mod util;

mod backends;
mod budget;
mod cifti;
mod cli;
mod colormaps;
mod cpu;
mod desc;
mod example;
mod figures;
mod formats;
mod fslabel;
mod gifti;
mod gifti_built;
mod hcp;
mod inspect;
mod layers;
mod limits;
mod look;
mod mapping;
mod movie_encode;
mod nifti;
mod nodata;
mod output;
mod parcels;
mod property;
mod readers;
mod render;
mod renderer;
mod shading;
mod spec;
mod stack;
mod stack_spec;
mod wholebrain;
