//! The mesh, in one file that both `build.rs` (through `#[path]`) and the library compile.

use connectum_mesh::{
    AllowRule, Duration, HeaderMatch, Mesh, MeshRetry, RequestMatch, Route, Service, Split, Subset,
};

/// The catalog service: a stable and a canary workload, `x-canary: true` to the canary, then
/// 95/5.
#[must_use]
pub fn mesh() -> Mesh {
    let mut catalog = Service::builder()
        .name("catalog")
        .image("ghcr.io/shop/catalog:2.4.0")
        .allow([AllowRule::namespace("shop")])
        .build();
    let stable = catalog.add_subset(Subset::builder().name("stable").build());
    let canary = catalog.add_subset(
        Subset::builder()
            .name("canary")
            .image("ghcr.io/shop/catalog:2.5.0-rc.1")
            .replicas(1)
            .build(),
    );
    let retries = MeshRetry::builder()
        .attempts(1)
        .per_try_timeout(Duration::from_secs(2))
        .build();
    catalog
        .add_route(
            Route::builder()
                .name("canary-header")
                .matches(vec![RequestMatch::header(HeaderMatch::exact(
                    "x-canary", "true",
                ))])
                .target(&canary)
                .timeout(Duration::from_secs(5))
                .retries(retries.clone())
                .build(),
        )
        .add_route(
            Route::builder()
                .name("default")
                .target(Split::new().weight(&stable, 95).weight(&canary, 5))
                .timeout(Duration::from_secs(5))
                .retries(retries)
                .build(),
        );
    Mesh::builder()
        .namespace("shop")
        .part_of("shop")
        .services([catalog])
        .build()
}
