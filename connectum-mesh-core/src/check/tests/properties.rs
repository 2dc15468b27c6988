//! Property test: the checker never panics, and everything it reports is a registered code with
//! its registered severity, a message and a help line.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

use crate::check;
use crate::diag::lookup;
use crate::model::{
    AllowRule, AppRetry, AppTimeout, Autoscaler, Bulkhead, ChainBudget, CircuitBreaker,
    ConnectionPool, Duration, ExternalCaller, HeaderMatch, Interceptors, Mesh, MeshRetry, MtlsMode,
    OutlierDetection, Probe, Quantity, RequestMatch, Resources, RetryBudget, RetryOn, Route,
    RouteTarget, Scaling, Service, ServiceAccountRef, Source, Split, StringMatch, Subset,
    SubsetRef, Telemetry, Tracing, TrafficPolicy,
};

const NAMES: [&str; 6] = [
    "order-service",
    "inventory-service",
    "Bad_Name",
    "",
    "a",
    "payment",
];
const SUBSETS: [&str; 4] = ["stable", "canary", "Canary", ""];
const NAMESPACES: [&str; 4] = ["connectum", "other", "Bad NS", ""];

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(&NAMES[..]).prop_map(str::to_owned)
}

fn subset_name() -> impl Strategy<Value = String> {
    prop::sample::select(&SUBSETS[..]).prop_map(str::to_owned)
}

fn namespace() -> impl Strategy<Value = String> {
    prop::sample::select(&NAMESPACES[..]).prop_map(str::to_owned)
}

fn quantity() -> impl Strategy<Value = Quantity> {
    prop_oneof![
        Just("-1"),
        Just("100m"),
        Just("1e3"),
        Just("2Gi"),
        Just("1.")
    ]
    .prop_filter_map("not a quantity", |text| Quantity::parse(text).ok())
}

fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![1_u64..120_000, Just(u64::MAX)].prop_filter_map("zero", Duration::try_from_millis)
}

fn string_match() -> impl Strategy<Value = StringMatch> {
    prop_oneof![
        "[a-z/]{0,4}".prop_map(StringMatch::Exact),
        "[a-z/]{0,4}".prop_map(StringMatch::Prefix),
        "[a-z.*]{0,3}".prop_map(StringMatch::Regex),
    ]
}

fn request_match() -> impl Strategy<Value = RequestMatch> {
    (
        vec(
            (
                prop_oneof![Just("x-canary"), Just("x y"), Just(":path")],
                string_match(),
            )
                .prop_map(|(name, value)| HeaderMatch {
                    name: name.to_owned(),
                    value,
                }),
            0..2,
        ),
        option::of(string_match()),
    )
        .prop_map(|(headers, uri)| RequestMatch { headers, uri })
}

fn subset_ref() -> impl Strategy<Value = SubsetRef> {
    (name(), subset_name()).prop_map(|(service, subset)| SubsetRef::unchecked(service, subset))
}

fn target() -> impl Strategy<Value = RouteTarget> {
    prop_oneof![
        Just(RouteTarget::Service),
        subset_ref().prop_map(RouteTarget::Subset),
        vec(
            (subset_ref(), prop_oneof![0_u32..200, Just(u32::MAX)]),
            0..4
        )
        .prop_map(|legs| {
            RouteTarget::Split(legs.iter().fold(Split::new(), |split, (subset, weight)| {
                split.weight(subset, *weight)
            }))
        }),
    ]
}

fn retries() -> impl Strategy<Value = MeshRetry> {
    (
        prop_oneof![0_u32..5, Just(u32::MAX)],
        option::of(duration()),
        vec(
            prop_oneof![
                Just(RetryOn::Unavailable),
                any::<u16>().prop_map(RetryOn::Status)
            ],
            0..2,
        ),
    )
        .prop_map(|(attempts, per_try_timeout, retry_on)| MeshRetry {
            attempts,
            per_try_timeout,
            retry_on,
        })
}

fn route() -> impl Strategy<Value = Route> {
    (
        vec(request_match(), 0..3),
        target(),
        option::of(duration()),
        option::of(retries()),
    )
        .prop_map(|(matches, target, timeout, retries)| Route {
            name: None,
            matches,
            target,
            timeout,
            retries,
        })
}

fn interceptors() -> impl Strategy<Value = Interceptors> {
    (
        option::of(0_u32..4),
        option::of(duration()),
        option::of(prop_oneof![0_u32..5, Just(u32::MAX)]),
        option::of(0_u32..3),
    )
        .prop_map(|(threshold, timeout, max_retries, capacity)| Interceptors {
            circuit_breaker: threshold.map(|t| CircuitBreaker::builder().threshold(t).build()),
            timeout: timeout.map(|d| AppTimeout::builder().duration(d).build()),
            retry: max_retries.map(|m| AppRetry::builder().max_retries(m).build()),
            bulkhead: capacity.map(|c| Bulkhead::builder().capacity(c).build()),
        })
}

fn source() -> impl Strategy<Value = Source> {
    prop_oneof![
        (namespace(), name())
            .prop_map(|(ns, sa)| Source::ServiceAccount(ServiceAccountRef::new(ns, sa))),
        namespace().prop_map(Source::Namespace),
    ]
}

fn service() -> impl Strategy<Value = Service> {
    (
        (
            name(),
            prop_oneof![Just(""), Just("img:1")],
            prop_oneof![Just(0_u16), Just(5000), Just(15021)],
        ),
        vec(
            (subset_name(), option::of(0_u32..3), option::of(name())),
            0..3,
        ),
        vec(route(), 0..3),
        interceptors(),
        vec(name(), 0..3),
        vec(
            vec(source(), 0..2).prop_map(|from| AllowRule { from }),
            0..2,
        ),
        (
            option::of((quantity(), quantity())),
            prop_oneof![Just(0_u32), Just(1), Just(u32::MAX)],
        ),
        (
            option::of(prop_oneof![Just(MtlsMode::Strict), Just(MtlsMode::Disable)]),
            prop_oneof![Just(-1_i64), Just(0), Just(1337), Just(1000)],
            option::of((0_u32..3, 0_u32..3)),
            option::of(duration()),
            option::of(0_u32..150),
            "[a-z/]{0,8}",
        ),
    )
        .prop_map(
            |((name, image, port), subsets, routes, interceptors, calls, allow, sizes, extra)| {
                let (mtls, uid, autoscale, grace, percent, probe_path) = extra;
                let (resources, rollout) = sizes;
                let mut service = Service::builder()
                    .name(name)
                    .image(image)
                    .port(port)
                    .interceptors(interceptors)
                    .calls(calls)
                    .allow(allow)
                    .build();
                service.mtls_override = mtls;
                service.resources = resources.map(|(request, limit)| Resources {
                    cpu_request: Some(request),
                    cpu_limit: Some(limit),
                    memory_request: None,
                    memory_limit: None,
                });
                service.config.insert(probe_path.clone(), String::new());
                service.rollout.max_surge = rollout;
                service.rollout.max_unavailable = rollout;
                service.security.run_as_user = uid;
                if let Some((min, max)) = autoscale {
                    service.scaling = Scaling::Autoscale(
                        Autoscaler::builder()
                            .min_replicas(min)
                            .max_replicas(max)
                            .build(),
                    );
                }
                service.shutdown.termination_grace_period = grace;
                service.probes.liveness =
                    Some(Probe::builder().path(probe_path).period_seconds(0).build());
                service.traffic_policy = TrafficPolicy {
                    connection_pool: percent.map(|_| ConnectionPool::default()),
                    outlier_detection: percent
                        .map(|p| OutlierDetection::builder().max_ejection_percent(p).build()),
                    load_balancer: None,
                    tls: None,
                };
                for (subset, replicas, label) in subsets {
                    service.add_subset(Subset {
                        name: subset,
                        version_label: label,
                        image: None,
                        replicas,
                        app_version: None,
                    });
                }
                service.routes = routes;
                service
            },
        )
}

fn mesh() -> impl Strategy<Value = Mesh> {
    (
        (
            namespace(),
            any::<bool>(),
            prop_oneof![
                Just(MtlsMode::Strict),
                Just(MtlsMode::Permissive),
                Just(MtlsMode::Disable)
            ],
        ),
        vec(service(), 0..4),
        vec((name(), namespace(), name(), vec(name(), 0..3)), 0..2),
        (
            0_u64..1001,
            0_u64..20,
            vec((vec(name(), 0..3), 0_u64..20), 0..2),
        ),
        option::of((vec(name(), 0..3), any::<f64>())),
        (
            vec(namespace(), 0..2),
            prop_oneof![Just("cluster.local"), Just(""), Just("a/b")],
            prop_oneof![
                Just("version"),
                Just("app.kubernetes.io/name"),
                Just("Bad Key")
            ],
        ),
    )
        .prop_map(|(basics, services, callers, budgets, telemetry, names)| {
            let (namespace, injection, mtls) = basics;
            let (split_total, budget, chain_budgets) = budgets;
            let (known_namespaces, trust_domain, version_label) = names;
            let mut mesh = Mesh::builder()
                .namespace(namespace)
                .sidecar_injection(injection)
                .mtls(mtls)
                .split_total(split_total)
                .retry_budget(RetryBudget::calls(budget))
                .known_namespaces(known_namespaces)
                .trust_domain(trust_domain)
                .version_label(version_label)
                .build();
            mesh.external_callers = callers
                .into_iter()
                .map(|(name, ns, sa, calls)| ExternalCaller {
                    name,
                    service_account: ServiceAccountRef::new(ns, sa),
                    calls,
                })
                .collect();
            mesh.chain_budgets = chain_budgets
                .into_iter()
                .map(|(chain, calls)| ChainBudget::new(chain, RetryBudget::calls(calls)))
                .collect();
            mesh.telemetry = telemetry.map(|(providers, sampling)| Telemetry {
                name: "mesh-default".to_owned(),
                tracing: Some(Tracing {
                    providers,
                    sampling_percent: Some(sampling),
                }),
                metrics_providers: Vec::new(),
                access_log_providers: Vec::new(),
            });
            for service in services {
                mesh.services.push(service);
            }
            mesh
        })
}

/// 512 random meshes by default (CI-sized: the suite stays fast on 2 cores); set proptest's own
/// `PROPTEST_CASES` for a long local run, e.g. `PROPTEST_CASES=100000 cargo test -p
/// connectum-mesh-core random_meshes --release`.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(512)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn random_meshes_are_accepted_or_refused_with_registered_diagnostics(mesh in mesh()) {
        let found = check(&mesh);
        for diagnostic in found.all() {
            let info = lookup(diagnostic.code);
            prop_assert!(info.is_some(), "unregistered code {}", diagnostic.code);
            prop_assert_eq!(info.map(|i| i.severity), Some(diagnostic.severity));
            prop_assert!(!diagnostic.message.is_empty());
            prop_assert!(diagnostic.help.as_deref().is_some_and(|h| !h.is_empty()), "{}", diagnostic);
        }
        // Printing never panics either.
        prop_assert!(!found.to_string().is_empty());
    }
}
