//! The inventory team's crate: it defines `inventory-service` and nothing else of the mesh.
//!
//! Other crates call the service by [`SERVICE`], a constant the compiler checks, and the crate
//! that composes the mesh merges [`fragment`] into it. The fragment is written with
//! `mesh_fragment!`, so what it can be judged by alone (a route to an undeclared subset, a
//! malformed duration …) is a compile error here, in this crate; the rest waits for the
//! composition.

use connectum_mesh_core::{MeshFragment, ServiceRef};
use connectum_mesh_macros::mesh_fragment;

/// The name other crates call inventory by (`calls`, chain budgets, gateway targets).
pub const SERVICE: ServiceRef = ServiceRef::new("inventory-service");

/// Inventory's part of the mesh: one stable workload, one mesh retry within a 5s route
/// timeout, and no application retries (its callers' sidecars already retry once).
#[must_use]
pub fn fragment() -> MeshFragment {
    fragment_with_app_retries(0)
}

/// Inventory's part with `max_retries` application retries: what the team might change on its
/// own, and the composition's retry budget would then refuse (the chain through checkout
/// multiplies them).
#[must_use]
pub fn fragment_with_app_retries(max_retries: u32) -> MeshFragment {
    mesh_fragment! {
        service inventory-service {
            image: "ghcr.io/mycompany/inventory-service:2.3.0",
            interceptors: { timeout: 2s, retry: { max_retries: (max_retries) } },
            subset stable { replicas: 2 }
            route default {
                to: stable,
                timeout: 5s,
                retries: { attempts: 1, per_try_timeout: 2s },
            }
        }
    }
}
