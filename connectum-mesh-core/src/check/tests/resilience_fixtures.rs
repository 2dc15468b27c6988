//! Fixtures of the resilience rules (03xx), and the retry budget's arithmetic.

use super::{Fixture, add_inventory, order, seed};
use crate::check;
use crate::diag::Severity::{Error, Warning};
use crate::diag::registry::{
    APP_TIMEOUT_EXCEEDS_MESH, CALL_CYCLE, CALLER_TIMEOUT_TOO_SHORT, CONFLICTING_CHAIN_BUDGET,
    EJECTION_OF_EVERY_POD, EMPTY_CONNECTION_POOL, HASH_WITH_SPLIT, INTERCEPTOR_OUT_OF_RANGE,
    INVALID_RETRY_STATUS, NO_DEADLINE, OUTLIER_PERCENT_OUT_OF_RANGE, RETRY_AMPLIFICATION,
    RETRY_ON_MISSES_GRPC, RETRY_ON_SUCCESS_STATUS, RETRY_POLICY_WITHOUT_ATTEMPTS,
    TRIES_OUTLAST_TIMEOUT, UNKNOWN_CHAIN_BUDGET,
};
use crate::model::{
    AppRetry, AppTimeout, Bulkhead, ChainBudget, ConnectionPool, Duration, HashKey, Interceptors,
    LoadBalancer, Mesh, MeshRetry, OutlierDetection, RetryBudget, RetryOn, Route, Scaling,
    SubsetRef, TcpPool, TrafficPolicy,
};

/// Sets the mesh retry attempts of every order-service route.
fn attempts(attempts: u32) -> impl Fn(&mut Mesh) {
    move |mesh| {
        for route in &mut order(mesh).routes {
            if let Some(retries) = &mut route.retries {
                retries.attempts = attempts;
            }
        }
    }
}

pub(super) fn cm0301_retry_amplification() -> Fixture {
    Fixture::new(
        RETRY_AMPLIFICATION,
        Error,
        "chain envoy-gateway → order-service",
        attempts(3),
        attempts(1),
    )
    .help(r#"ChainBudget::new(["envoy-gateway", "order-service"], RetryBudget::calls(12))"#)
}

/// inventory-service with one route of mesh retries `attempts`, called by order-service.
fn inventory_behind_order(attempts: u32) -> impl FnOnce(&mut Mesh) {
    move |mesh| {
        let inventory = add_inventory(mesh);
        inventory.routes.push(
            Route::builder()
                .target(crate::model::RouteTarget::Service)
                .retries(MeshRetry::builder().attempts(attempts).build())
                .build(),
        );
        order(mesh).calls = vec!["inventory-service".to_owned()];
    }
}

pub(super) fn cm0301_chain_of_two_services() -> Fixture {
    // order-service is (1+1)×(1+2) = 6; inventory adds (1+attempts)×(1+0).
    Fixture::new(
        RETRY_AMPLIFICATION,
        Error,
        "chain envoy-gateway → order-service → inventory-service",
        inventory_behind_order(1),
        inventory_behind_order(0),
    )
}

pub(super) fn cm0301_chain_budget_override() -> Fixture {
    let budget = |calls: u64| {
        move |mesh: &mut Mesh| {
            attempts(3)(mesh);
            mesh.chain_budgets.push(ChainBudget::new(
                ["envoy-gateway", "order-service"],
                RetryBudget::calls(calls),
            ));
        }
    };
    Fixture::new(
        RETRY_AMPLIFICATION,
        Error,
        "chain envoy-gateway → order-service",
        budget(11),
        budget(12),
    )
}

/// A mesh of one service reached by nobody, with mesh retries `mesh_attempts` (`None`: Istio's
/// implicit retries) and the app retry interceptor `app` (`None`: off).
fn one_hop(mesh_attempts: Option<u32>, app: Option<AppRetry>) -> Mesh {
    let mut mesh = seed::order_mesh();
    mesh.external_callers.clear();
    // Reached by nobody, so open to the mesh (CM0460): not what these tests are about.
    mesh.lint(
        crate::diag::registry::OPEN_TO_MESH,
        crate::diag::Level::Allow,
    );
    let order = order(&mut mesh);
    order.allow.clear();
    order.interceptors = Interceptors {
        retry: app,
        ..Interceptors::default()
    };
    for route in &mut order.routes {
        route.retries = mesh_attempts.map(|a| MeshRetry::builder().attempts(a).build());
    }
    mesh
}

#[test]
fn the_default_budget_accepts_the_docs_advice() {
    // mesh retries 1 with Connectum's default maxRetries 3: (1+1)×(1+3) = 8 calls.
    let found = check(&one_hop(Some(1), Some(AppRetry::default())));
    assert!(found.is_empty(), "{found}");
}

#[test]
fn the_default_budget_refuses_the_reference_values() {
    // attempts 3 with maxRetries 2: (1+3)×(1+2) = 12 calls.
    let found = check(&one_hop(
        Some(3),
        Some(AppRetry::builder().max_retries(2).build()),
    ));
    assert_eq!(found.codes(), ["CM0301"], "{found}");
    assert!(
        found.all()[0].message.contains("can become 12 calls"),
        "{found}"
    );
}

#[test]
fn the_default_budget_refuses_implicit_retries_with_default_app_retries() {
    // no retry block (Istio's implicit 2) with Connectum's default 3: (1+2)×(1+3) = 12 calls.
    let found = check(&one_hop(None, Some(AppRetry::default())));
    assert_eq!(found.codes(), ["CM0301"], "{found}");
    assert!(
        found.all()[0].message.contains("can become 12 calls"),
        "{found}"
    );
    assert!(
        found.all()[0]
            .message
            .contains("(1 + 2 mesh retries) × (1 + 3 app retries)"),
        "{found}"
    );
}

#[test]
fn a_service_without_routes_counts_istios_implicit_retries() {
    let mut mesh = one_hop(Some(1), Some(AppRetry::default()));
    let order = order(&mut mesh);
    order.routes.clear();
    // One workload, so no canary silently shares the traffic (CM0212).
    order.subsets.truncate(1);
    assert_eq!(check(&mesh).codes(), ["CM0301"]);
}

#[test]
fn huge_retry_counts_saturate_instead_of_overflowing() {
    let found = check(&one_hop(
        Some(u32::MAX),
        Some(AppRetry::builder().max_retries(u32::MAX).build()),
    ));
    assert!(found.codes().contains(&"CM0301"), "{found}");
}

pub(super) fn cm0302_tries_outlast_timeout() -> Fixture {
    let per_try = |secs: u64| {
        move |mesh: &mut Mesh| {
            if let Some(retries) = &mut order(mesh).routes[0].retries {
                retries.per_try_timeout = Some(Duration::from_secs(secs));
            }
        }
    };
    // 2 tries × 20s = 40s > 30s; 2 × 15s = 30s fits.
    Fixture::new(
        TRIES_OUTLAST_TIMEOUT,
        Warning,
        "service order-service › routes[0] › retries",
        per_try(20),
        per_try(15),
    )
}

pub(super) fn cm0303_retry_policy_without_attempts() -> Fixture {
    let retries =
        |retries: MeshRetry| move |mesh: &mut Mesh| order(mesh).routes[0].retries = Some(retries);
    Fixture::new(
        RETRY_POLICY_WITHOUT_ATTEMPTS,
        Error,
        "service order-service › routes[0] › retries",
        retries(
            MeshRetry::builder()
                .attempts(0)
                .per_try_timeout(Duration::from_secs(2))
                .build(),
        ),
        retries(MeshRetry::disabled()),
    )
}

pub(super) fn cm0304_caller_timeout_too_short() -> Fixture {
    let inventory_timeout = |secs: u64| {
        move |mesh: &mut Mesh| {
            let inventory = add_inventory(mesh);
            inventory.routes.push(
                Route::builder()
                    .target(crate::model::RouteTarget::Service)
                    .timeout(Duration::from_secs(secs))
                    .retries(MeshRetry::disabled())
                    .build(),
            );
            order(mesh).calls = vec!["inventory-service".to_owned()];
        }
    };
    // order-service gives up after its Connectum timeout of 10s.
    Fixture::new(
        CALLER_TIMEOUT_TOO_SHORT,
        Warning,
        "service order-service › calls[0]",
        inventory_timeout(30),
        inventory_timeout(5),
    )
}

pub(super) fn cm0305_app_timeout_exceeds_mesh() -> Fixture {
    let app_timeout = |secs: u64| {
        move |mesh: &mut Mesh| {
            order(mesh).interceptors.timeout = Some(
                AppTimeout::builder()
                    .duration(Duration::from_secs(secs))
                    .build(),
            );
        }
    };
    // The routes' per-try timeout is 10s.
    Fixture::new(
        APP_TIMEOUT_EXCEEDS_MESH,
        Warning,
        "service order-service › interceptors › timeout",
        app_timeout(40),
        app_timeout(5),
    )
}

fn traffic_policy(policy: TrafficPolicy) -> impl FnOnce(&mut Mesh) {
    move |mesh| order(mesh).traffic_policy = policy
}

pub(super) fn cm0306_outlier_percent() -> Fixture {
    let outlier = |percent: u32| {
        traffic_policy(
            TrafficPolicy::builder()
                .outlier_detection(
                    OutlierDetection::builder()
                        .max_ejection_percent(percent)
                        .build(),
                )
                .build(),
        )
    };
    Fixture::new(
        OUTLIER_PERCENT_OUT_OF_RANGE,
        Error,
        "service order-service › traffic_policy › outlier_detection › max_ejection_percent",
        outlier(150),
        outlier(100),
    )
}

pub(super) fn cm0307_empty_connection_pool() -> Fixture {
    let pool = |pool: ConnectionPool| {
        traffic_policy(TrafficPolicy::builder().connection_pool(pool).build())
    };
    Fixture::new(
        EMPTY_CONNECTION_POOL,
        Error,
        "service order-service › traffic_policy › connection_pool",
        pool(ConnectionPool::default()),
        pool(
            ConnectionPool::builder()
                .tcp(TcpPool::builder().max_connections(100).build())
                .build(),
        ),
    )
}

pub(super) fn cm0308_interceptor_out_of_range() -> Fixture {
    let capacity = |capacity: u32| {
        move |mesh: &mut Mesh| {
            order(mesh).interceptors.bulkhead =
                Some(Bulkhead::builder().capacity(capacity).build());
        }
    };
    Fixture::new(
        INTERCEPTOR_OUT_OF_RANGE,
        Error,
        "service order-service › interceptors › bulkhead › capacity",
        capacity(0),
        capacity(1),
    )
}

pub(super) fn cm0309_invalid_retry_status() -> Fixture {
    Fixture::new(
        INVALID_RETRY_STATUS,
        Error,
        "service order-service › routes[0] › retries",
        retry_on_status(42),
        retry_on_status(503),
    )
}

/// Sets retryOn of order-service's first route to one status code.
fn retry_on_status(code: u16) -> impl FnOnce(&mut Mesh) {
    move |mesh| {
        if let Some(retries) = &mut order(mesh).routes[0].retries {
            retries.retry_on = vec![RetryOn::Status(code)];
        }
    }
}

pub(super) fn cm0312_retry_on_success_status() -> Fixture {
    Fixture::new(
        RETRY_ON_SUCCESS_STATUS,
        Warning,
        "service order-service › routes[0] › retries",
        retry_on_status(200),
        retry_on_status(503),
    )
    .message("every call, successful or not, is sent 2 times")
}

pub(super) fn cm0312_retry_on_redirect_status() -> Fixture {
    Fixture::new(
        RETRY_ON_SUCCESS_STATUS,
        Warning,
        "service order-service › routes[0] › retries",
        retry_on_status(302),
        retry_on_status(429),
    )
    .message("never catches a failed call")
}

#[test]
fn cm0312_leaves_unknown_statuses_to_cm0309() {
    let mut mesh = seed::order_mesh();
    retry_on_status(250)(&mut mesh);
    let found = check(&mesh);
    assert_eq!(found.codes(), ["CM0309"], "{found}");
}

pub(super) fn cm0310_call_cycle() -> Fixture {
    let calls = |back: bool| {
        move |mesh: &mut Mesh| {
            let inventory = add_inventory(mesh);
            inventory.routes.push(
                Route::builder()
                    .target(crate::model::RouteTarget::Service)
                    .retries(MeshRetry::disabled())
                    .build(),
            );
            if back {
                inventory.calls = vec!["order-service".to_owned()];
            }
            order(mesh).calls = vec!["inventory-service".to_owned()];
        }
    };
    Fixture::new(
        CALL_CYCLE,
        Error,
        "chain order-service → inventory-service → order-service",
        calls(true),
        calls(false),
    )
}

pub(super) fn cm0311_unknown_chain_budget() -> Fixture {
    let budget = |second: &'static str| {
        move |mesh: &mut Mesh| {
            mesh.chain_budgets.push(ChainBudget::new(
                ["envoy-gateway", second],
                RetryBudget::calls(20),
            ));
        }
    };
    Fixture::new(
        UNKNOWN_CHAIN_BUDGET,
        Warning,
        "chain_budgets[0]",
        budget("ordr-service"),
        budget("order-service"),
    )
    .help("did you mean `envoy-gateway → order-service`?")
}

pub(super) fn cm0130_conflicting_chain_budget() -> Fixture {
    let budgets = |second: u64| {
        move |mesh: &mut Mesh| {
            for calls in [20, second] {
                mesh.chain_budgets.push(ChainBudget::new(
                    ["envoy-gateway", "order-service"],
                    RetryBudget::calls(calls),
                ));
            }
        }
    };
    Fixture::new(
        CONFLICTING_CHAIN_BUDGET,
        Error,
        "chain_budgets[1]",
        budgets(12),
        budgets(20),
    )
    .message("12 calls here and of 20 calls in chain_budgets[0]")
}

#[test]
fn every_entry_point_starts_a_chain() {
    // A service nobody calls starts its own chain, beside the external caller's.
    let mut mesh = seed::order_mesh();
    attempts(3)(&mut mesh);
    let mut lonely = order(&mut mesh).clone();
    lonely.name = "report-service".to_owned();
    lonely.allow.clear();
    for route in &mut lonely.routes {
        route.target = SubsetRef::unchecked("report-service", "stable").into();
    }
    lonely.subsets.truncate(1);
    mesh.services.push(lonely);
    let paths: Vec<String> = check(&mesh)
        .all()
        .iter()
        .filter(|d| d.code == RETRY_AMPLIFICATION.code)
        .map(|d| d.path.to_string())
        .collect();
    assert_eq!(
        paths,
        [
            "chain envoy-gateway → order-service",
            "chain report-service"
        ]
    );
}

pub(super) fn cm0360_no_deadline() -> Fixture {
    let deadline = |keep_retries: bool| {
        move |mesh: &mut Mesh| {
            let route = &mut order(mesh).routes[1];
            route.timeout = None;
            if !keep_retries {
                route.retries = None;
            }
        }
    };
    Fixture::new(
        NO_DEADLINE,
        Warning,
        "service order-service › routes[1]",
        deadline(false),
        // The per-try timeout of the retries is a deadline too.
        deadline(true),
    )
}

fn retry_on(conditions: Vec<RetryOn>) -> impl FnOnce(&mut Mesh) {
    move |mesh| {
        for route in &mut order(mesh).routes {
            if let Some(retries) = &mut route.retries {
                retries.retry_on.clone_from(&conditions);
            }
        }
    }
}

pub(super) fn cm0361_retry_on_5xx_only() -> Fixture {
    Fixture::new(
        RETRY_ON_MISSES_GRPC,
        Warning,
        "service order-service › routes[0] › retries",
        retry_on(vec![RetryOn::FiveXx]),
        retry_on(vec![RetryOn::FiveXx, RetryOn::Unavailable]),
    )
    .message("`5xx`")
}

pub(super) fn cm0361_retry_on_status_codes_only() -> Fixture {
    Fixture::new(
        RETRY_ON_MISSES_GRPC,
        Warning,
        "service order-service › routes[0] › retries",
        retry_on(vec![RetryOn::Status(503), RetryOn::GatewayError]),
        // Transport conditions alone are chosen on purpose, not mistaken for gRPC ones.
        retry_on(vec![RetryOn::ConnectFailure, RetryOn::RefusedStream]),
    )
}

pub(super) fn cm0362_hash_with_split() -> Fixture {
    let hash = |split: bool| {
        move |mesh: &mut Mesh| {
            let order = order(mesh);
            order.traffic_policy.load_balancer = Some(LoadBalancer::ConsistentHash(
                HashKey::HttpHeaderName("x-user".to_owned()),
            ));
            if !split {
                order.routes[1].target = SubsetRef::unchecked("order-service", "stable").into();
            }
        }
    };
    Fixture::new(
        HASH_WITH_SPLIT,
        Warning,
        "service order-service › routes[1] › split",
        hash(true),
        hash(false),
    )
}

pub(super) fn cm0363_ejection_of_every_pod() -> Fixture {
    let eject_all_of = |replicas: u32| {
        move |mesh: &mut Mesh| {
            let order = order(mesh);
            order.scaling = Scaling::Replicas(replicas);
            order.traffic_policy.outlier_detection = Some(
                OutlierDetection::builder()
                    .max_ejection_percent(100)
                    .build(),
            );
        }
    };
    Fixture::new(
        EJECTION_OF_EVERY_POD,
        Warning,
        "service order-service › traffic_policy › outlier_detection › max_ejection_percent",
        eject_all_of(2),
        eject_all_of(3),
    )
    .message("2 pods")
}
