//! Property tests (proptest): no input panics; chunking, compression and the fast path change nothing.
