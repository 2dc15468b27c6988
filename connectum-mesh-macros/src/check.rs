//! The runtime checker, run at compile time on the lowered mesh (with the levels the mesh sets:
//! `deny: [..]` makes a warning an error, `allow: [..]` drops it): each error and warning lands
//! on the token its path names. A warning is rustc's deprecation lint on a constant named after
//! its code, the one way a proc-macro warns on stable Rust.

use connectum_mesh_core::{Diagnostics, Mesh, MeshFragment, Severity};

use crate::errors::{Codes, Errors};
use crate::lower::SpanIndex;
use crate::syntax::tree::SpanRange;

/// What the macro's input is, and so which of the checker's rules can judge it now.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Judged {
    /// A whole mesh (`mesh!`): every rule, unless a call names its service by an expression,
    /// which leaves the call graph to run time and the mesh judged like a fragment.
    Mesh,
    /// A fragment (`mesh_fragment!`): the rules `MeshFragment::check` runs, the registry's
    /// `Scope::Local` codes; the whole-mesh ones are the composition's.
    Fragment,
}

/// The checker's verdict on `mesh` as `judged`; `unknown_callee` when a call names its service
/// by an expression.
fn verdict(mesh: &Mesh, unknown_callee: bool, judged: Judged) -> Diagnostics {
    match judged {
        Judged::Fragment => MeshFragment::from(mesh.clone()).check(),
        Judged::Mesh if unknown_callee => connectum_mesh_core::check(mesh).local(),
        Judged::Mesh => connectum_mesh_core::check(mesh),
    }
}

/// Runs `connectum_mesh_core::check` and records its errors whose inputs are all literals.
pub fn report(mesh: &Mesh, index: &SpanIndex, judged: Judged, errors: &mut Errors) {
    // The checker must never panic (a property test holds it to that); if it ever does, the
    // user gets a compile error naming the bug instead of "proc macro panicked".
    let unknown_callee = index.has_unknown_callee();
    let Ok(diagnostics) = std::panic::catch_unwind(|| verdict(mesh, unknown_callee, judged)) else {
        errors.at(
            SpanRange::single(proc_macro2::Span::call_site()),
            Codes::SYNTAX,
            "connectum-mesh's checker panicked on this mesh; this is a bug, please report it",
        );
        return;
    };
    let known_now = || {
        diagnostics
            .all()
            .iter()
            .filter(|d| !index.depends_on_runtime(d))
    };
    for diagnostic in known_now().filter(|d| d.severity == Severity::Error) {
        errors.diagnostic(diagnostic, index.span_of(diagnostic));
    }
    // Warnings once the mesh compiles, as rustc's lints come after its errors: beside errors
    // they would bury them (a half-written mesh warns about what is not written yet).
    if errors.is_empty() {
        for diagnostic in known_now().filter(|d| d.severity != Severity::Error) {
            errors.warning(diagnostic, index.span_of(diagnostic));
        }
    }
}
