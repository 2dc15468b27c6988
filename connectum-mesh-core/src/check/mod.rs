//! The checker: every rule the mesh must satisfy before anything is rendered.
//!
//! One file per family of rules, one `check_*` function per rule, each documenting the outage it
//! prevents; every rule writes into the same [`Diagnostics`] so users fix everything in one pass.
//! The codes, their explanations and the Istio rules they mirror are in
//! [`registry`](crate::diag::registry) and `docs/diagnostics.md`.
//!
//! | file | rules | codes |
//! |---|---|---|
//! | `model.rs` | unique names, calls to known services, mesh settings, 32-bit limits | CM0101–CM0108 |
//! | `telemetry.rs` | the Telemetry resource Istio accepts and applies | CM0151–CM0154 |
//! | `edge.rs` | gateways: unique names, listeners, routes to services, subsets, ports and listeners that exist, settings their rendering carries | CM0120–CM0122, CM0220–CM0226, CM0520 |
//! | `routing/` | declared subsets with pods and split weights (`destinations.rs`), match syntax (`matches.rs`), unreachable routes and requests no route covers (`reachability.rs`) | CM0201–CM0213 |
//! | `resilience.rs` | retry amplification along call chains (through the edge too), timeout coherence (at the edge too), retry conditions, traffic policy, interceptors | CM0301–CM0312, CM0320 |
//! | `security.rs` | principals and namespaces that exist, mTLS actually enforced, callers admitted, PERMISSIVE that admits nobody more, gateways admitted, TLS listeners with credentials, client TLS vs mTLS | CM0401–CM0409, CM0420–CM0422 |
//! | `kubernetes.rs` | object names, labels, injection labels | CM0501–CM0504 |
//! | `workloads.rs` | ports, scaling, rollout, resources, pod security, probes, images, config and the app settings it must not contradict | CM0505–CM0519, CM0530 |
//! | `availability.rs` | the shutdown timeline (CM0511), start-up order, rollouts and disruption budgets that keep pods serving | CM0511, CM0550–CM0555 |
//!
//! Where this library is stricter than Istio it says so in the code's `rule`: splits must total
//! the mesh's `split_total` (100), retries multiplied along a call chain must stay within the
//! retry budget (10 worst-case calls, counting Istio's implicit 2 retries where a route sets
//! none), per-try timeouts must fit the route timeout, and principals must name declared
//! service accounts.

mod availability;
mod calls;
pub mod costs;
mod edge;
mod graph;
mod images;
mod kubernetes;
mod model;
mod names;
mod quantities;
mod re2;
mod resilience;
mod routing;
mod security;
mod telemetry;
mod workloads;

#[cfg(test)]
mod tests;

use crate::diag::{Diagnostics, MeshPath};
use crate::model::Mesh;

/// Where a rule is looking, built only when it reports: most items pass every rule, and a
/// [`MeshPath`] costs an allocation per segment. Rules take `path: &LazyPath<'_>` and write
/// `path().field("port")` in the diagnostic; a narrower place is `|| path().field("security")`.
type LazyPath<'a> = dyn Fn() -> MeshPath + 'a;

/// Runs every rule on `mesh` and returns all problems found, errors and warnings alike, at the
/// levels the mesh sets ([`Mesh::lint`], [`Mesh::deny_warnings`]).
///
/// ```
/// use connectum_mesh_core::{Mesh, Route, Service, SubsetRef, check};
///
/// let mut order = Service::builder().name("order-service").image("order:1.0.0").build();
/// order.add_route(Route::builder().target(SubsetRef::unchecked("order-service", "canary")).build());
/// let mesh = Mesh::builder().namespace("connectum").services([order]).build();
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
    edge::run(mesh, &mut out);
    resilience::run(mesh, &mut out);
    security::run(mesh, &mut out);
    kubernetes::run(mesh, &mut out);
    workloads::run(mesh, &mut out);
    availability::run(mesh, &mut out);
    images::run(mesh, &mut out);
    quantities::run(mesh, &mut out);
    calls::run(mesh, &mut out);
    mesh.lints.apply(out)
}
