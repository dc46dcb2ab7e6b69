//! One integration-test binary (fast to link); each module tests one stage or the CLI.

mod util;

mod cli;
mod colormaps;
mod mapping;
mod readers;
mod render;
