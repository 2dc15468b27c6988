//! The pieces of the guide's order-service that a service of its shape takes as they are: the
//! telemetry, the sidecar's resources, the connection and outlier limits, and the canary routes.
//! [`mesh`](crate::mesh) is built from them, and so is every service of the benchmark topology
//! (`connectum-mesh-bench`), which is the guide's service many times over; what differs between
//! the two (images, scaling, timeouts, retries, the HTTP pool) each writes out itself.

use connectum_mesh::{
    ConnectionPool, Duration, HeaderMatch, HttpPool, LoadBalancer, MeshRetry, OutlierDetection,
    Quantity, RequestMatch, Resources, Route, Split, SubsetRef, TcpPool, Telemetry, Tracing,
    TrafficPolicy,
};

/// The guide's Telemetry `connectum-telemetry`: every request traced (`otel-tracing`),
/// Prometheus metrics and OpenTelemetry access logs.
#[must_use]
pub fn telemetry() -> Telemetry {
    Telemetry::builder()
        .name("connectum-telemetry")
        .tracing(
            Tracing::builder()
                .providers(["otel-tracing"])
                .sampling_percent(100.0)
                .build(),
        )
        .metrics_providers(["prometheus"])
        .access_log_providers(["otel-access-logging"])
        .build()
}

/// The guide's sidecar resources: 100m–500m CPU, 128Mi–256Mi memory.
#[must_use]
pub fn sidecar_resources() -> Resources {
    Resources::builder()
        .cpu_request(Quantity::millicores(100))
        .cpu_limit(Quantity::millicores(500))
        .memory_request(Quantity::mebibytes(128))
        .memory_limit(Quantity::mebibytes(256))
        .build()
}

/// The guide's traffic policy with the `http` pool and `load_balancer` a service picks: at most
/// 100 TCP connections, and 5 consecutive 5xx eject a pod for 30s, checked every 30s, at most
/// half the pods out.
#[must_use]
pub fn traffic_policy(http: HttpPool, load_balancer: LoadBalancer) -> TrafficPolicy {
    TrafficPolicy::builder()
        .connection_pool(
            ConnectionPool::builder()
                .tcp(TcpPool::builder().max_connections(100).build())
                .http(http)
                .build(),
        )
        .outlier_detection(
            OutlierDetection::builder()
                .consecutive_5xx_errors(5)
                .interval(Duration::from_secs(30))
                .base_ejection_time(Duration::from_secs(30))
                .max_ejection_percent(50)
                .build(),
        )
        .load_balancer(load_balancer)
        .build()
}

/// The guide's canary routes: requests with `x-canary: true` go to `canary`, the rest split
/// 90/10 between `stable` and `canary`; each with `timeout` and the retries `retries` makes.
///
/// ```
/// use connectum_mesh::{Duration, MeshRetry, Service, Subset};
///
/// let mut service = Service::builder().name("cart").image("cart:1.0.0").build();
/// let stable = service.add_subset(Subset::builder().name("stable").build());
/// let canary = service.add_subset(Subset::builder().name("canary").build());
/// let retries = || MeshRetry::builder().attempts(1).build();
/// let routes = order_service::guide::canary_routes(&stable, &canary, Duration::from_secs(10), retries);
/// assert_eq!(routes.map(|r| r.name), [Some("canary-header".into()), Some("default".into())]);
/// ```
#[must_use]
pub fn canary_routes(
    stable: &SubsetRef,
    canary: &SubsetRef,
    timeout: Duration,
    retries: impl Fn() -> MeshRetry,
) -> [Route; 2] {
    [
        Route::builder()
            .name("canary-header")
            .matches([RequestMatch::header(HeaderMatch::exact("x-canary", "true"))])
            .target(canary)
            .timeout(timeout)
            .retries(retries())
            .build(),
        Route::builder()
            .name("default")
            .target(Split::new().weight(stable, 90).weight(canary, 10))
            .timeout(timeout)
            .retries(retries())
            .build(),
    ]
}
