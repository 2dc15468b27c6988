//! Helpers shared by connectum-mesh's cross-crate tests.
