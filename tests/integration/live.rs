//! Real OOM kills made in a throwaway memory cgroup while `oomlens --kmsg` runs (root only).
