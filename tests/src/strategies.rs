//! proptest strategies for meshes, built with the public builders the way users write them.
//!
//! The strategy draws a plain description of a mesh (names, subsets, routes with matches,
//! splits, timeouts and retries, traffic policies, authorization and telemetry) and builds it
//! with `connectum_mesh_core`'s builders, so routes name subsets through the handles the services
//! return. Most values are ones the checker accepts; some are not (a split that does not total
//! 100, a sampling rate over 100, a route that a catch-all shadows), so a property over
//! "accepted meshes" also sees the checker's boundary.

use connectum_mesh_core::{
    AllowRule, ConnectionPool, Duration, H2UpgradePolicy, HashKey, HeaderMatch, HostStyle,
    HttpPool, LoadBalancer, Mesh, MeshRetry, MtlsMode, OutlierDetection, RequestMatch, RetryOn,
    Route, RouteTarget, Service, ServiceAccountRef, SimpleLb, Split, StringMatch, Subset,
    SubsetRef, TcpPool, Telemetry, Tracing, TrafficPolicy,
};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::{select, subsequence};

const NAMESPACES: [&str; 3] = ["connectum", "shop", "payments-prod"];
const SERVICES: [&str; 4] = [
    "order-service",
    "inventory-service",
    "payment-service",
    "cart",
];
const SUBSETS: [&str; 4] = ["stable", "canary", "v2", "blue"];
const HEADERS: [&str; 3] = ["x-canary", "x-user-tier", "x-debug"];
const VALUES: [&str; 3] = ["true", "gold", "1"];

/// How a route is targeted before subsets are known: by subset positions.
#[derive(Clone, Debug)]
enum TargetPlan {
    Subset(usize),
    /// `(subset position, weight)`; the last weight is adjusted to reach 100 unless `exact` is
    /// false.
    Split(Vec<(usize, u32)>, bool),
    Service,
}

#[derive(Clone, Debug)]
struct RoutePlan {
    name: Option<String>,
    matches: Vec<RequestMatch>,
    target: TargetPlan,
    timeout: Option<Duration>,
    retries: Option<MeshRetry>,
}

#[derive(Clone, Debug)]
struct ServicePlan {
    name: String,
    port: u16,
    subsets: Vec<(String, u32)>,
    routes: Vec<RoutePlan>,
    traffic_policy: TrafficPolicy,
    mtls_override: Option<MtlsMode>,
    allow_own_namespace: bool,
}

#[derive(Clone, Debug)]
struct MeshPlan {
    namespace: String,
    mtls: MtlsMode,
    host_style: HostStyle,
    telemetry: Option<Telemetry>,
    services: Vec<ServicePlan>,
}

fn millis(range: std::ops::RangeInclusive<u64>) -> impl Strategy<Value = Duration> {
    range.prop_map(Duration::from_millis)
}

fn string_match() -> impl Strategy<Value = StringMatch> {
    prop_oneof![
        4 => select(VALUES.to_vec()).prop_map(|v| StringMatch::Exact(v.to_owned())),
        1 => select(VALUES.to_vec()).prop_map(|v| StringMatch::Prefix(v.to_owned())),
        1 => select(vec!["tr.e", "gold|silver", "[0-9]+"]).prop_map(|v| StringMatch::Regex(v.to_owned())),
    ]
}

fn request_match() -> impl Strategy<Value = RequestMatch> {
    (
        vec((select(HEADERS.to_vec()), string_match()), 0..=2),
        option::weighted(
            0.3,
            select(vec![
                "/connectum.orders.v1.OrderService/",
                "/grpc.health.v1.Health/Check",
            ]),
        ),
    )
        .prop_map(|(headers, uri)| {
            let mut seen = Vec::new();
            let headers = headers
                .into_iter()
                .filter(|(name, _)| {
                    let fresh = !seen.contains(name);
                    seen.push(*name);
                    fresh
                })
                .map(|(name, value)| HeaderMatch {
                    name: name.to_owned(),
                    value,
                });
            let mut matched = RequestMatch::builder().headers(headers).build();
            matched.uri = uri.map(|u| StringMatch::Prefix(u.to_owned()));
            matched
        })
}

fn retries() -> impl Strategy<Value = Option<MeshRetry>> {
    let retry_on = subsequence(
        vec![
            RetryOn::Unavailable,
            RetryOn::DeadlineExceeded,
            RetryOn::ConnectFailure,
            RetryOn::Status(503),
        ],
        0..=2,
    );
    prop_oneof![
        2 => Just(None),
        1 => Just(Some(MeshRetry::disabled())),
        4 => (1u32..=3, option::of(millis(1..=10_000)), retry_on).prop_map(
            |(attempts, per_try, retry_on)| {
                let mut retry = MeshRetry::builder()
                    .attempts(attempts)
                    .retry_on(retry_on)
                    .build();
                retry.per_try_timeout = per_try;
                Some(retry)
            }
        ),
    ]
}

fn target(subsets: usize) -> BoxedStrategy<TargetPlan> {
    if subsets == 0 {
        return Just(TargetPlan::Service).boxed();
    }
    prop_oneof![
        2 => (0..subsets).prop_map(TargetPlan::Subset),
        3 => (vec((0..subsets, 0u32..=100), 1..=3), prop::bool::weighted(0.9))
            .prop_map(|(legs, exact)| TargetPlan::Split(legs, exact)),
        1 => Just(TargetPlan::Service),
    ]
    .boxed()
}

fn route(subsets: usize) -> impl Strategy<Value = RoutePlan> {
    (
        option::of(select(vec!["canary-header", "default", "tier"])),
        vec(request_match(), 0..=2),
        target(subsets),
        option::of(millis(1..=60_000)),
        retries(),
    )
        .prop_map(|(name, matches, target, timeout, retries)| RoutePlan {
            name: name.map(str::to_owned),
            matches,
            target,
            timeout,
            retries,
        })
}

fn traffic_policy() -> impl Strategy<Value = TrafficPolicy> {
    let pool = (
        option::of(1u32..=1000),
        option::of(millis(1..=30_000)),
        any::<bool>(),
    )
        .prop_map(|(max_connections, connect_timeout, upgrade)| {
            let mut tcp = TcpPool::default();
            tcp.max_connections = max_connections;
            tcp.connect_timeout = connect_timeout;
            let mut pool = ConnectionPool::builder().tcp(tcp).build();
            pool.http = upgrade.then(|| {
                HttpPool::builder()
                    .h2_upgrade_policy(H2UpgradePolicy::Upgrade)
                    .max_requests_per_connection(100)
                    .build()
            });
            pool
        });
    let outlier = (
        1u32..=10,
        millis(1..=60_000),
        millis(1..=60_000),
        0u32..=100,
    )
        .prop_map(|(errors, interval, ejection, percent)| {
            OutlierDetection::builder()
                .consecutive_5xx_errors(errors)
                .interval(interval)
                .base_ejection_time(ejection)
                .max_ejection_percent(percent)
                .build()
        });
    let balancer = prop_oneof![
        select(vec![
            SimpleLb::RoundRobin,
            SimpleLb::LeastRequest,
            SimpleLb::Random,
            SimpleLb::Passthrough
        ])
        .prop_map(LoadBalancer::Simple),
        Just(LoadBalancer::ConsistentHash(HashKey::UseSourceIp)),
        Just(LoadBalancer::ConsistentHash(HashKey::HttpHeaderName(
            "x-user-id".to_owned()
        ))),
    ];
    (option::of(pool), option::of(outlier), option::of(balancer)).prop_map(
        |(connection_pool, outlier_detection, load_balancer)| {
            let mut policy = TrafficPolicy::default();
            policy.connection_pool = connection_pool;
            policy.outlier_detection = outlier_detection;
            policy.load_balancer = load_balancer;
            policy
        },
    )
}

fn service(name: &'static str) -> impl Strategy<Value = ServicePlan> {
    let subsets = subsequence(SUBSETS.to_vec(), 0..=3)
        .prop_flat_map(|names| {
            let count = names.len();
            (Just(names), vec(1u32..=3, count))
        })
        .prop_map(|(names, replicas)| {
            names
                .into_iter()
                .map(str::to_owned)
                .zip(replicas)
                .collect::<Vec<_>>()
        });
    subsets.prop_flat_map(move |subsets| {
        let count = subsets.len();
        (
            Just(subsets),
            prop_oneof![Just(5000u16), 1024u16..=65535],
            vec(route(count), 0..=3),
            traffic_policy(),
            option::of(select(vec![MtlsMode::Strict, MtlsMode::Permissive])),
            any::<bool>(),
        )
            .prop_map(
                move |(subsets, port, routes, traffic_policy, mtls_override, allow)| ServicePlan {
                    name: name.to_owned(),
                    port,
                    subsets,
                    routes,
                    traffic_policy,
                    mtls_override,
                    allow_own_namespace: allow,
                },
            )
    })
}

fn telemetry() -> impl Strategy<Value = Option<Telemetry>> {
    option::of(
        (
            option::of(0u32..=110),
            subsequence(vec!["prometheus"], 0..=1),
            subsequence(vec!["otel-access-logging"], 0..=1),
        )
            .prop_map(|(sampling, metrics, logs)| {
                let mut telemetry = Telemetry::builder()
                    .name("mesh-telemetry")
                    .metrics_providers(metrics)
                    .access_log_providers(logs)
                    .build();
                telemetry.tracing = sampling.map(|percent| {
                    Tracing::builder()
                        .providers(["otel-tracing"])
                        .sampling_percent(f64::from(percent))
                        .build()
                });
                telemetry
            }),
    )
}

fn mesh_plan() -> impl Strategy<Value = MeshPlan> {
    let services = subsequence(SERVICES.to_vec(), 1..=3)
        .prop_flat_map(|names| names.into_iter().map(service).collect::<Vec<_>>());
    (
        select(NAMESPACES.to_vec()),
        select(vec![
            MtlsMode::Strict,
            MtlsMode::Permissive,
            MtlsMode::Disable,
        ]),
        select(vec![HostStyle::Short, HostStyle::Fqdn]),
        telemetry(),
        services,
    )
        .prop_map(
            |(namespace, mtls, host_style, telemetry, services)| MeshPlan {
                namespace: namespace.to_owned(),
                mtls,
                host_style,
                telemetry,
                services,
            },
        )
}

fn build_target(plan: &TargetPlan, handles: &[SubsetRef]) -> RouteTarget {
    match plan {
        TargetPlan::Subset(index) => RouteTarget::Subset(handles[index % handles.len()].clone()),
        TargetPlan::Service => RouteTarget::Service,
        TargetPlan::Split(legs, exact) => {
            let mut split = Split::new();
            let mut total = 0;
            for (position, (index, weight)) in legs.iter().enumerate() {
                let last = position + 1 == legs.len();
                let weight = if last && *exact {
                    100u32.saturating_sub(total)
                } else {
                    (*weight).min(100 - total)
                };
                total += weight;
                split = split.weight(&handles[index % handles.len()], weight);
            }
            RouteTarget::Split(split)
        }
    }
}

fn build(plan: &MeshPlan) -> Mesh {
    let services = plan.services.iter().map(|service_plan| {
        let mut service = Service::builder()
            .name(service_plan.name.as_str())
            .image(format!("ghcr.io/acme/{}:1.0.0", service_plan.name))
            .port(service_plan.port)
            .traffic_policy(service_plan.traffic_policy.clone())
            .build();
        service.mtls_override = service_plan.mtls_override;
        if service_plan.allow_own_namespace {
            service.allow = vec![
                AllowRule::namespace(plan.namespace.as_str()),
                AllowRule::service_account(ServiceAccountRef::new(
                    plan.namespace.as_str(),
                    service_plan.name.as_str(),
                )),
            ];
        }
        let handles: Vec<SubsetRef> = service_plan
            .subsets
            .iter()
            .map(|(name, replicas)| {
                service.add_subset(
                    Subset::builder()
                        .name(name.as_str())
                        .replicas(*replicas)
                        .build(),
                )
            })
            .collect();
        for route_plan in &service_plan.routes {
            let target = if handles.is_empty() {
                RouteTarget::Service
            } else {
                build_target(&route_plan.target, &handles)
            };
            let mut route = Route::builder()
                .matches(route_plan.matches.clone())
                .target(target)
                .build();
            route.name.clone_from(&route_plan.name);
            route.timeout = route_plan.timeout;
            route.retries.clone_from(&route_plan.retries);
            service.add_route(route);
        }
        service
    });
    Mesh::builder()
        .namespace(plan.namespace.as_str())
        .mtls(plan.mtls)
        .host_style(plan.host_style)
        .maybe_telemetry(plan.telemetry.clone())
        .services(services)
        .build()
}

/// Meshes of one to three services with subsets, ordered routes (header and URI matches,
/// subset, split and whole-service targets, timeouts, retries including `attempts: 0` and
/// Istio's implicit policy), traffic policies, authorization and telemetry.
///
/// ```
/// use connectum_mesh_tests::strategies::meshes;
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
///
/// let mesh = meshes().new_tree(&mut TestRunner::deterministic()).expect("a mesh").current();
/// assert!(!mesh.services.is_empty());
/// ```
pub fn meshes() -> impl Strategy<Value = Mesh> {
    mesh_plan().prop_map(|plan| build(&plan))
}
