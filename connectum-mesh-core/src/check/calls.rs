//! How calls fail: a deadline on every route, retry conditions that see gRPC errors, load
//! balancing that keeps its promise under a split, and outlier ejection that cannot take every
//! pod out at once.

use super::LazyPath;
use crate::diag::registry::{
    EJECTION_OF_EVERY_POD, HASH_WITH_SPLIT, NO_DEADLINE, RETRY_ON_MISSES_GRPC,
};
use crate::diag::{Diagnostics, MeshPath};
use crate::model::{LoadBalancer, Mesh, RetryOn, Route, RouteTarget, Scaling, Service};

/// Fewer pods than this, and ejecting all of them is one error burst away.
const MIN_PODS_FOR_FULL_EJECTION: u32 = 3;

pub(super) fn run(mesh: &Mesh, out: &mut Diagnostics) {
    for service in &mesh.services {
        let path = || MeshPath::service(&service.name);
        for (index, route) in service.routes.iter().enumerate() {
            let route_path = || path().route(index);
            check_deadline(route, &route_path, out);
            check_grpc_retry_conditions(route, &route_path, out);
        }
        check_hash_with_split(service, &path, out);
        check_full_ejection(service, &path, out);
    }
}

/// Istio turns Envoy's 15 s route timeout off: without a route timeout or a per-try timeout a
/// call to a stuck pod never ends.
fn check_deadline(route: &Route, route_path: &LazyPath<'_>, out: &mut Diagnostics) {
    let per_try = route
        .retries
        .as_ref()
        .is_some_and(|r| r.attempts > 0 && r.per_try_timeout.is_some());
    if route.timeout.is_some() || per_try {
        return;
    }
    out.push(
        NO_DEADLINE
            .at(
                route_path(),
                "the route sets neither a timeout nor a per-try timeout, and Istio disables Envoy's default: a call to a stuck pod waits for ever",
            )
            .with_help("set the route's timeout (e.g. 30s), or a per_try_timeout on its retries"),
    );
}

/// Whether a retry condition is an HTTP one that a gRPC error (HTTP 200 plus a `grpc-status`
/// trailer) never meets.
fn is_http_failure_condition(condition: &RetryOn) -> bool {
    match condition {
        RetryOn::FiveXx | RetryOn::GatewayError | RetryOn::Retriable4xx => true,
        RetryOn::Status(code) => *code >= 400,
        _ => false,
    }
}

/// Whether a retry condition names a gRPC status.
fn is_grpc_condition(condition: &RetryOn) -> bool {
    matches!(
        condition,
        RetryOn::Unavailable
            | RetryOn::DeadlineExceeded
            | RetryOn::ResourceExhausted
            | RetryOn::Cancelled
            | RetryOn::Internal
    )
}

/// `5xx` looks like it covers failures, but gRPC errors arrive as HTTP 200: a policy of HTTP
/// conditions only retries transport failures, never UNAVAILABLE or DEADLINE_EXCEEDED.
fn check_grpc_retry_conditions(route: &Route, route_path: &LazyPath<'_>, out: &mut Diagnostics) {
    let Some(retries) = route.retries.as_ref().filter(|r| r.attempts > 0) else {
        return;
    };
    let http: Vec<String> = retries
        .retry_on
        .iter()
        .filter(|c| is_http_failure_condition(c))
        .map(|c| format!("`{c}`"))
        .collect();
    if http.is_empty() || retries.retry_on.iter().any(is_grpc_condition) {
        return;
    }
    out.push(
        RETRY_ON_MISSES_GRPC
            .at(
                route_path().field("retries"),
                format!(
                    "retryOn names {} but no gRPC status: gRPC errors arrive as HTTP 200 with a grpc-status trailer, so UNAVAILABLE and DEADLINE_EXCEEDED are never retried",
                    http.join(", ")
                ),
            )
            .with_help("add `unavailable` (and `deadline-exceeded` where retrying is safe) to retryOn"),
    );
}

/// The route picks the subset per request before the hash picks the pod: under a weighted split
/// one session key lands on both versions.
fn check_hash_with_split(service: &Service, path: &LazyPath<'_>, out: &mut Diagnostics) {
    let Some(LoadBalancer::ConsistentHash(_)) = &service.traffic_policy.load_balancer else {
        return;
    };
    for (index, route) in service.routes.iter().enumerate() {
        let RouteTarget::Split(split) = &route.target else {
            continue;
        };
        if split.legs.iter().filter(|leg| leg.weight > 0).count() < 2 {
            continue;
        }
        out.push(
            HASH_WITH_SPLIT
                .at(
                    path().route(index).field("split"),
                    "the service balances by consistent hash, but this split picks stable or canary per request first: one session's requests land on both versions and on different pods",
                )
                .with_help("split by a header match on the hash key instead of weights, or drop consistent hashing while the split runs"),
        );
    }
}

/// With `maxEjectionPercent` 100 and a handful of pods, one burst of errors ejects them all.
fn check_full_ejection(service: &Service, path: &LazyPath<'_>, out: &mut Diagnostics) {
    let Some(outlier) = &service.traffic_policy.outlier_detection else {
        return;
    };
    if outlier.max_ejection_percent != Some(100) {
        return;
    }
    let pods = match &service.scaling {
        Scaling::Replicas(replicas) => *replicas,
        Scaling::Autoscale(autoscaler) => autoscaler.min_replicas,
    };
    if pods >= MIN_PODS_FOR_FULL_EJECTION {
        return;
    }
    out.push(
        EJECTION_OF_EVERY_POD
            .at(
                path().field("traffic_policy")
                    .field("outlier_detection")
                    .field("max_ejection_percent"),
                format!(
                    "max_ejection_percent is 100 and the service runs {pods} pod{}: one burst of errors ejects every pod and the service answers 503",
                    if pods == 1 { "" } else { "s" }
                ),
            )
            .with_help(format!(
                "keep max_ejection_percent at 50 or below, or run at least {MIN_PODS_FOR_FULL_EJECTION} replicas"
            )),
    );
}
