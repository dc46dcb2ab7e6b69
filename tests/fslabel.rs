//! Tests for the fslabel readers.
