//! The runtime checker, run at compile time on the lowered mesh: each error lands on the
//! token its path names. Warnings are left to run time (stable Rust has no way for a
//! proc-macro to emit one).

use connectum_mesh_core::{Mesh, Severity};

use crate::errors::Errors;
use crate::lower::SpanIndex;

/// Runs `connectum_mesh_core::check` and records its errors whose inputs are all literals.
pub fn report(mesh: &Mesh, index: &SpanIndex, errors: &mut Errors) {
    for diagnostic in connectum_mesh_core::check(mesh).all() {
        if diagnostic.severity != Severity::Error || index.depends_on_runtime(diagnostic) {
            continue;
        }
        errors.diagnostic(diagnostic, index.span_of(diagnostic));
    }
}
