//! The benchmark topology of connectum-mesh (`BENCHMARKS.md`, and `shared/bench/topology.md` in
//! the development setup): `n` services `s0000`..., each with stable and canary Deployments, a
//! Service, a DestinationRule, a VirtualService (a header route, then 90/10), an
//! AuthorizationPolicy and a ServiceAccount, plus the Namespace, PeerAuthentication and
//! Telemetry: 3 + 7n documents.
//!
//! Built with the public builders only, the way a user would write it, and shared by the
//! `gen-mesh` binary (the whole-process benchmark, compared with cdk8s, KCL and Python) and the
//! criterion benchmarks.

use connectum_mesh::{
    AllowRule, ConnectionPool, Duration, HeaderMatch, HostStyle, HttpPool, LoadBalancer, Mesh,
    MeshRetry, MtlsMode, OutlierDetection, Probes, Quantity, RequestMatch, Resources, RetryOn,
    Route, Scaling, Service, ServiceAccountRef, SimpleLb, Split, Subset, TcpPool, Telemetry,
    Tracing, TrafficPolicy,
};

/// The benchmark mesh for `n` services, built with the public builders.
#[must_use]
pub fn topology(n: usize) -> Mesh {
    let mut mesh = Mesh::builder()
        .namespace("connectum")
        .app_label("app")
        .host_style(HostStyle::Fqdn)
        .mtls(MtlsMode::Strict)
        .known_namespaces(vec![])
        .telemetry(
            Telemetry::builder()
                .name("connectum-telemetry")
                .tracing(
                    Tracing::builder()
                        .providers(vec!["otel-tracing".to_owned()])
                        .sampling_percent(100.0)
                        .build(),
                )
                .metrics_providers(vec!["prometheus".to_owned()])
                .access_log_providers(vec!["otel-access-logging".to_owned()])
                .build(),
        )
        .external_callers(vec![
            connectum_mesh::ExternalCaller::builder()
                .name("api-gateway")
                .service_account(ServiceAccountRef::new("connectum", "api-gateway"))
                .build(),
        ])
        .build();
    for i in 0..n {
        let name = format!("s{i:04}");
        let mut service = Service::builder()
            .name(name.clone())
            .image(format!("registry.example.com/connectum/{name}:1.0.0"))
            .scaling(Scaling::Replicas(2))
            .probes(Probes::builder().build())
            .sidecar(
                Resources::builder()
                    .cpu_request(Quantity::millicores(100))
                    .cpu_limit(Quantity::millicores(500))
                    .memory_request(Quantity::mebibytes(128))
                    .memory_limit(Quantity::mebibytes(256))
                    .build(),
            )
            .traffic_policy(
                TrafficPolicy::builder()
                    .connection_pool(
                        ConnectionPool::builder()
                            .tcp(TcpPool::builder().max_connections(100).build())
                            .http(
                                HttpPool::builder()
                                    .http2_max_requests(1000)
                                    .max_requests_per_connection(10)
                                    .build(),
                            )
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
                    .load_balancer(LoadBalancer::Simple(SimpleLb::LeastRequest))
                    .build(),
            )
            .allow(vec![AllowRule {
                from: vec![
                    connectum_mesh::Source::ServiceAccount(ServiceAccountRef::new(
                        "connectum",
                        "api-gateway",
                    )),
                    connectum_mesh::Source::Namespace("connectum".to_owned()),
                ],
            }])
            .build();
        let stable = service.add_subset(Subset::builder().name("stable").build());
        let canary = service.add_subset(Subset::builder().name("canary").replicas(1).build());
        let retries = || {
            MeshRetry::builder()
                .attempts(1)
                .per_try_timeout(Duration::from_secs(3))
                .retry_on(vec![
                    RetryOn::Unavailable,
                    RetryOn::ResourceExhausted,
                    RetryOn::DeadlineExceeded,
                ])
                .build()
        };
        service
            .add_route(
                Route::builder()
                    .name("canary-header")
                    .matches(vec![RequestMatch::header(HeaderMatch::exact(
                        "x-canary", "true",
                    ))])
                    .target(&canary)
                    .timeout(Duration::from_secs(10))
                    .retries(retries())
                    .build(),
            )
            .add_route(
                Route::builder()
                    .name("default")
                    .target(Split::new().weight(&stable, 90).weight(&canary, 10))
                    .timeout(Duration::from_secs(10))
                    .retries(retries())
                    .build(),
            );
        mesh.add_service(service);
    }
    mesh
}
