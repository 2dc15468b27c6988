//! Typed Istio mesh configuration for Connectum gRPC services.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use connectum_mesh_core::*;

pub mod api;
pub mod emit;
pub mod render;

pub use render::{IstioApi, Manifests, Object, RenderError, RenderOptions, render, render_with};
