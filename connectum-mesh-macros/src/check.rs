//! The runtime checker, run at compile time on the lowered mesh: each error lands on the
//! token its path names. Warnings are left to run time (stable Rust has no way for a
//! proc-macro to emit one).

use connectum_mesh_core::{Mesh, Severity};

use crate::errors::{Codes, Errors};
use crate::lower::SpanIndex;
use crate::syntax::tree::SpanRange;

/// Runs `connectum_mesh_core::check` and records its errors whose inputs are all literals.
pub fn report(mesh: &Mesh, index: &SpanIndex, errors: &mut Errors) {
    // The checker must never panic (a property test holds it to that); if it ever does, the
    // user gets a compile error naming the bug instead of "proc macro panicked".
    let Ok(diagnostics) = std::panic::catch_unwind(|| connectum_mesh_core::check(mesh)) else {
        errors.at(
            SpanRange::single(proc_macro2::Span::call_site()),
            Codes::SYNTAX,
            "connectum-mesh's checker panicked on this mesh; this is a bug, please report it",
        );
        return;
    };
    for diagnostic in diagnostics.all() {
        if diagnostic.severity != Severity::Error || index.depends_on_runtime(diagnostic) {
            continue;
        }
        errors.diagnostic(diagnostic, index.span_of(diagnostic));
    }
}
