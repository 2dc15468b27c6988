//! The checkout team's crate: it defines `checkout-service`, which calls the inventory crate's
//! service by its [`ServiceRef`], `calls: [(monorepo_inventory::SERVICE)]`: a misspelt
//! constant does not compile.
//!
//! It exports a [`MeshFragment`] written with `mesh_fragment!`: its service, without the
//! mesh-wide settings (namespace, mTLS, retry budget) the composing crate owns. The call to
//! inventory, which this crate does not define, is judged where the mesh is composed.

use connectum_mesh_core::{MeshFragment, ServiceRef};
use connectum_mesh_macros::mesh_fragment;

/// The name other crates call checkout by.
pub const SERVICE: ServiceRef = ServiceRef::new("checkout-service");

/// The gRPC service checkout serves, for the gateway route that exposes it.
pub const GRPC_SERVICE: &str = "mycompany.checkout.v1.CheckoutService";

/// Checkout's part of the mesh: the service, calling inventory.
#[must_use]
pub fn fragment() -> MeshFragment {
    mesh_fragment! {
        service checkout-service {
            image: "ghcr.io/mycompany/checkout-service:1.4.0",
            calls: [(monorepo_inventory::SERVICE)],
            interceptors: { timeout: 8s, retry: { max_retries: 1 } },
            subset stable { replicas: 2 }
            route default {
                to: stable,
                timeout: 20s,
                retries: { attempts: 1, per_try_timeout: 10s },
            }
        }
    }
}
