//! The checker: every rule the mesh must satisfy before anything is rendered.
//!
//! One file per family of rules, one `check_*` function per rule; every rule writes into the
//! same [`Diagnostics`] so users fix everything in one pass.

use crate::diag::Diagnostics;
use crate::model::Mesh;

/// Runs every rule on `mesh` and returns all problems found.
#[must_use]
pub fn check(mesh: &Mesh) -> Diagnostics {
    let _ = mesh;
    Diagnostics::new()
}
