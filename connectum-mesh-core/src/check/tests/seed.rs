//! The guide's order-service mesh, as the checker must accept it, and as published.

use crate::model::{
    AllowRule, AppRetry, AppTimeout, Bulkhead, CircuitBreaker, Duration, ExternalCaller,
    HeaderMatch, Interceptors, Mesh, MeshRetry, MtlsMode, RequestMatch, RetryOn, Route, Service,
    ServiceAccountRef, Split, Subset, Telemetry, Tracing,
};

/// A route's mesh retries as the guide's VirtualService writes them, with `attempts`.
fn retries(attempts: u32) -> MeshRetry {
    MeshRetry::builder()
        .attempts(attempts)
        .per_try_timeout(Duration::from_secs(10))
        .retry_on([RetryOn::Unavailable, RetryOn::DeadlineExceeded])
        .build()
}

/// order-service with mesh retries `attempts` on both routes.
fn order_service(attempts: u32) -> Service {
    let mut order = Service::builder()
        .name("order-service")
        .image("ghcr.io/mycompany/order-service:1.0.0")
        .interceptors(
            Interceptors::builder()
                .circuit_breaker(CircuitBreaker::builder().threshold(3).build())
                .timeout(
                    AppTimeout::builder()
                        .duration(Duration::from_secs(10))
                        .build(),
                )
                .retry(AppRetry::builder().max_retries(2).build())
                .bulkhead(Bulkhead::builder().capacity(20).queue_size(10).build())
                .build(),
        )
        .allow(vec![
            AllowRule::service_account(ServiceAccountRef::new("connectum", "envoy-gateway")),
            AllowRule::namespace("connectum"),
        ])
        .build();
    let stable = order.add_subset(Subset::builder().name("stable").build());
    let canary = order.add_subset(
        Subset::builder()
            .name("canary")
            .image("ghcr.io/mycompany/order-service:1.1.0-rc.1")
            .replicas(1)
            .build(),
    );
    order.add_route(
        Route::builder()
            .matches(vec![RequestMatch::header(HeaderMatch::exact(
                "x-canary", "true",
            ))])
            .target(&canary)
            .timeout(Duration::from_secs(30))
            .retries(retries(attempts))
            .build(),
    );
    order.add_route(
        Route::builder()
            .target(Split::new().weight(&stable, 90).weight(&canary, 10))
            .timeout(Duration::from_secs(30))
            .retries(retries(attempts))
            .build(),
    );
    order
}

fn mesh() -> Mesh {
    Mesh::builder()
        .namespace("connectum")
        .mtls(MtlsMode::Strict)
        .sidecar_injection(true)
        .telemetry(
            Telemetry::builder()
                .name("mesh-default")
                .tracing(
                    Tracing::builder()
                        .providers(["otel-tracing"])
                        .sampling_percent(100.0)
                        .build(),
                )
                .metrics_providers(["prometheus"])
                .access_log_providers(["otel-access-logging"])
                .build(),
        )
        .build()
}

/// The guide's mesh with the docs' advice applied: mesh retries 1, and the API gateway declared
/// as an external caller. The checker must accept it without a word.
pub(super) fn order_mesh() -> Mesh {
    let mut mesh = mesh();
    mesh.services.push(order_service(1));
    mesh.external_callers.push(
        ExternalCaller::builder()
            .name("envoy-gateway")
            .service_account(ServiceAccountRef::new("connectum", "envoy-gateway"))
            .calls(["order-service"])
            .build(),
    );
    mesh
}

/// The same mesh with the reference manifests' values: mesh retries 3 with the app's maxRetries 2,
/// and the `envoy-gateway` principal with no caller declaring it.
pub(super) fn as_published() -> Mesh {
    let mut mesh = mesh();
    mesh.services.push(order_service(3));
    mesh
}
