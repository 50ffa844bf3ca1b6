//! Inputs found by fuzzing, kept as regression tests.
