//! The checker: every rule the mesh must satisfy before anything is rendered.
//!
//! One file per family of rules, one `check_*` function per rule, each documenting the outage it
//! prevents; every rule writes into the same [`Diagnostics`] so users fix everything in one pass.
//! The codes, their explanations and the Istio rules they mirror are in
//! [`registry`](crate::diag::registry).

mod graph;
mod kubernetes;
mod model;
mod names;
mod resilience;
mod routing;
mod security;
mod telemetry;
mod workloads;

#[cfg(test)]
mod tests;

use crate::diag::Diagnostics;
use crate::model::Mesh;

/// Runs every rule on `mesh` and returns all problems found, errors and warnings alike.
///
/// ```
/// use connectum_mesh_core::{Mesh, Route, Service, SubsetRef, check};
///
/// let mut mesh = Mesh::builder().namespace("connectum").build();
/// let mut order = Service::builder().name("order-service").image("order:1.0.0").build();
/// order.add_route(Route::builder().target(SubsetRef::unchecked("order-service", "canary")).build());
/// mesh.add_service(order);
///
/// let diagnostics = check(&mesh);
/// assert!(diagnostics.has_errors());
/// assert!(diagnostics.codes().contains(&"CM0201"));
/// ```
#[must_use]
pub fn check(mesh: &Mesh) -> Diagnostics {
    let mut out = Diagnostics::new();
    model::run(mesh, &mut out);
    telemetry::run(mesh, &mut out);
    routing::run(mesh, &mut out);
    resilience::run(mesh, &mut out);
    security::run(mesh, &mut out);
    kubernetes::run(mesh, &mut out);
    workloads::run(mesh, &mut out);
    out
}
