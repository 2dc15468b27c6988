//! Typed Istio mesh configuration for Connectum gRPC services.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use connectum_mesh_core::*;
