//! The engine of connectum-mesh: the mesh model, its typed builders and the checker.
//!
//! Users depend on the `connectum-mesh` crate, which re-exports everything here and adds
//! rendering and emitting. This crate does no I/O and pulls in no Kubernetes types, so the
//! `mesh!` proc-macro can run the same checks at compile time.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod check;
pub mod diag;
pub mod model;

pub use check::check;
pub use diag::{Code, Diagnostic, Diagnostics, MeshPath, Related, Segment, Severity};
pub use model::*;
