//! A mesh as Rust source: a `mesh!{}` block, or the builder calls it expands to. What an
//! import found, ready to paste into an infra crate.
//!
//! Both printers write every setting the import reads that differs from the builders' defaults
//! (which are the DSL's defaults too), each in its own syntax: the settings are described once
//! (`settings` turns the model into `Value`s) and written by `dsl` or
//! `builders`, laid out by `doc` the way rustfmt would.
//!
//! The `mesh!` block says everything the DSL has words for. The little it has none for (an
//! Istio ingress gateway selected by other pod labels, a service without a preStop sleep, a
//! traffic policy's client TLS) follows the block as statements on the mesh it built, each
//! under a comment naming what it sets. A mesh the checker refuses is printed too, under a
//! comment that lists the errors: `mesh!` reports them again where the code compiles.

mod builders;
mod doc;
mod dsl;
mod settings;
mod value;

use connectum_mesh_core::Mesh;

/// The mesh as a `mesh!{}` block, as an expression (`let mesh = …;` around it is yours).
///
/// ```
/// use connectum_mesh::{Mesh, Service};
///
/// let mesh = Mesh::builder()
///     .namespace("shop")
///     .services([Service::builder().name("cart").image("cart:1.0.0").build()])
///     .build();
/// let code = connectum_mesh::import::print::mesh_macro(&mesh);
/// assert!(code.contains("service cart {"));
/// ```
#[must_use]
pub fn mesh_macro(mesh: &Mesh) -> String {
    dsl::mesh_macro(mesh)
}

/// The mesh as builder calls, the calls `mesh!` expands to: a `use` line and a function
/// `mesh()` that returns the mesh, written with the builders the crate's docs use.
///
/// ```
/// use connectum_mesh::{Mesh, Service};
///
/// let mesh = Mesh::builder()
///     .namespace("shop")
///     .services([Service::builder().name("cart").image("cart:1.0.0").build()])
///     .build();
/// let code = connectum_mesh::import::print::builders(&mesh);
/// assert!(code.contains("use connectum_mesh::{Mesh, MtlsMode, Service};"));
/// assert!(code.contains(".services([Service::builder().name(\"cart\").image(\"cart:1.0.0\").build()])"));
/// ```
#[must_use]
pub fn builders(mesh: &Mesh) -> String {
    builders::builders(mesh)
}

/// A comment saying the checker refuses the mesh and why, or nothing when it accepts it: the
/// printed code is what the manifests say, mistakes included, and `what` says where they stop
/// it.
fn refusal_note(mesh: &Mesh, what: &str) -> String {
    let diagnostics = connectum_mesh_core::check(mesh);
    let errors: Vec<_> = diagnostics
        .into_iter()
        .filter(|d| d.severity == connectum_mesh_core::Severity::Error)
        .collect();
    if errors.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "// The checker refuses this mesh: {what} until these {} error(s) are fixed,\n// here or in the manifests:\n",
        errors.len()
    );
    for error in errors {
        let first_line = error.message.lines().next().unwrap_or_default();
        out.push_str(&format!(
            "// - {}: {} ({})\n",
            error.code.as_str(),
            first_line,
            error.path
        ));
    }
    out
}
