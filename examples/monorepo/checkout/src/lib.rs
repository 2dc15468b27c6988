//! The checkout team's crate: it defines `checkout-service`, which calls the inventory crate's
//! service by its [`ServiceRef`]: a misspelt name does not compile.
//!
//! It exports a [`MeshFragment`]: its service and the chain budget it asks for, without the
//! mesh-wide settings (namespace, mTLS, retry budget) the composing crate owns.

use connectum_mesh_core::{
    AppRetry, AppTimeout, Duration, Interceptors, MeshFragment, MeshRetry, Route, Service,
    ServiceRef, Subset,
};

/// The name other crates call checkout by.
pub const SERVICE: ServiceRef = ServiceRef::new("checkout-service");

/// The gRPC service checkout serves, for the gateway route that exposes it.
pub const GRPC_SERVICE: &str = "mycompany.checkout.v1.CheckoutService";

/// Checkout's part of the mesh: the service, calling inventory.
#[must_use]
pub fn fragment() -> MeshFragment {
    let mut checkout = Service::builder()
        .name(SERVICE)
        .image("ghcr.io/mycompany/checkout-service:1.4.0")
        .calls([monorepo_inventory::SERVICE])
        .interceptors(
            Interceptors::builder()
                .timeout(
                    AppTimeout::builder()
                        .duration(Duration::from_secs(8))
                        .build(),
                )
                .retry(AppRetry::builder().max_retries(1).build())
                .build(),
        )
        .build();
    let stable = checkout.add_subset(Subset::builder().name("stable").replicas(2).build());
    checkout.add_route(
        Route::builder()
            .name("default")
            .target(&stable)
            .timeout(Duration::from_secs(20))
            .retries(
                MeshRetry::builder()
                    .attempts(1)
                    .per_try_timeout(Duration::from_secs(10))
                    .build(),
            )
            .build(),
    );
    let mut fragment = MeshFragment::new();
    fragment.add_service(checkout);
    fragment
}
