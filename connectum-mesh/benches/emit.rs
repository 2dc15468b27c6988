//! Render and emit throughput on the benchmark topology (shared/bench/topology.md: N services;
//! 3 + 7N documents with the ServiceAccounts), and the YAML serializer choice: serde-saphyr
//! against the serde_yaml forks on the same documents. Numbers are recorded in BENCHMARKS.md.

use std::hint::black_box;

use connectum_mesh::{
    AllowRule, ConnectionPool, Duration, HeaderMatch, HostStyle, HttpPool, LoadBalancer, Mesh,
    MeshRetry, MtlsMode, OutlierDetection, Probes, Quantity, RequestMatch, Resources, RetryOn,
    Route, Scaling, Service, ServiceAccountRef, SimpleLb, Split, Subset, TcpPool, Telemetry,
    Tracing, TrafficPolicy, emit, render,
};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// The benchmark mesh for `n` services.
fn topology(n: usize) -> Mesh {
    let mut mesh = Mesh::builder()
        .namespace("connectum")
        .app_label("app")
        .host_style(HostStyle::Fqdn)
        .mtls(MtlsMode::Strict)
        .telemetry(
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
            .allow([AllowRule::builder()
                .from([
                    connectum_mesh::Source::ServiceAccount(ServiceAccountRef::new(
                        "connectum",
                        "api-gateway",
                    )),
                    connectum_mesh::Source::Namespace("connectum".to_owned()),
                ])
                .build()])
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

fn pipeline(c: &mut Criterion) {
    let mut group = c.benchmark_group("check+render+yaml");
    for n in [10, 100, 1000] {
        let mesh = topology(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &mesh, |b, mesh| {
            b.iter(|| {
                let manifests = render(black_box(mesh)).unwrap_or_else(|e| panic!("{e}"));
                emit::to_yaml(&manifests).unwrap_or_default()
            });
        });
    }
    group.finish();
}

fn serializers(c: &mut Criterion) {
    let manifests = render(&topology(100)).unwrap_or_else(|e| panic!("{e}"));
    let values = manifests.to_values().unwrap_or_default();
    assert_eq!(
        values.len(),
        3 + 7 * 100,
        "the topology's documents plus a ServiceAccount each"
    );
    let mut group = c.benchmark_group("yaml-serializer (703 documents)");
    group.bench_function("serde-saphyr", |b| {
        b.iter(|| {
            values
                .iter()
                .map(|v| {
                    serde_saphyr::to_string(black_box(v))
                        .unwrap_or_default()
                        .len()
                })
                .sum::<usize>()
        });
    });
    group.bench_function("serde_yaml_ng", |b| {
        b.iter(|| {
            values
                .iter()
                .map(|v| {
                    serde_yaml_ng::to_string(black_box(v))
                        .unwrap_or_default()
                        .len()
                })
                .sum::<usize>()
        });
    });
    group.bench_function("serde_norway", |b| {
        b.iter(|| {
            values
                .iter()
                .map(|v| {
                    serde_norway::to_string(black_box(v))
                        .unwrap_or_default()
                        .len()
                })
                .sum::<usize>()
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = pipeline, serializers
}
criterion_main!(benches);
