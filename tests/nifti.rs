//! Tests for the nifti readers.
