//! Tests for the gifti readers.
