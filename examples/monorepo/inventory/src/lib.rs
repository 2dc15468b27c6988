//! The inventory team's crate: it defines `inventory-service` and nothing else of the mesh.
//!
//! Other crates call the service by [`SERVICE`], a constant the compiler checks, and the crate
//! that composes the mesh merges [`service`] into it (`Mesh::merge` takes a `Service` as a
//! one-service fragment).

use connectum_mesh_core::{
    AppTimeout, Duration, Interceptors, MeshRetry, Route, Service, ServiceRef, Subset,
};

/// The name other crates call inventory by (`calls`, chain budgets, gateway targets).
pub const SERVICE: ServiceRef = ServiceRef::new("inventory-service");

/// The inventory service: one stable workload, one mesh retry within a 5s route timeout, and no
/// application retries (its callers' sidecars already retry once).
#[must_use]
pub fn service() -> Service {
    service_with_app_retries(0)
}

/// The inventory service with `max_retries` application retries: what the team might change on
/// its own, and the composition's retry budget would then refuse (the chain through checkout
/// multiplies them).
#[must_use]
pub fn service_with_app_retries(max_retries: u32) -> Service {
    let mut interceptors = Interceptors::builder()
        .timeout(
            AppTimeout::builder()
                .duration(Duration::from_secs(2))
                .build(),
        )
        .build();
    if max_retries > 0 {
        interceptors.retry = Some(
            connectum_mesh_core::AppRetry::builder()
                .max_retries(max_retries)
                .build(),
        );
    }
    let mut inventory = Service::builder()
        .name(SERVICE)
        .image("ghcr.io/mycompany/inventory-service:2.3.0")
        .interceptors(interceptors)
        .build();
    let stable = inventory.add_subset(Subset::builder().name("stable").replicas(2).build());
    inventory.add_route(
        Route::builder()
            .name("default")
            .target(&stable)
            .timeout(Duration::from_secs(5))
            .retries(
                MeshRetry::builder()
                    .attempts(1)
                    .per_try_timeout(Duration::from_secs(2))
                    .build(),
            )
            .build(),
    );
    inventory
}
