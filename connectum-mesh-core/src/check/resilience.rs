//! Resilience rules: retries that multiply along call chains, timeouts that contradict each
//! other, and traffic-policy and interceptor values Istio or Connectum refuse.

use super::LazyPath;
use crate::diag::registry::{
    APP_TIMEOUT_EXCEEDS_MESH, CALL_CYCLE, CALLER_TIMEOUT_TOO_SHORT, CONFLICTING_CHAIN_BUDGET,
    EDGE_TIMEOUT_TOO_SHORT, EMPTY_CONNECTION_POOL, INTERCEPTOR_OUT_OF_RANGE, INVALID_RETRY_STATUS,
    OUTLIER_PERCENT_OUT_OF_RANGE, RETRY_AMPLIFICATION, RETRY_ON_SUCCESS_STATUS,
    RETRY_POLICY_WITHOUT_ATTEMPTS, TRIES_OUTLAST_TIMEOUT, UNKNOWN_CHAIN_BUDGET,
};
use crate::diag::{Diagnostics, MeshPath, closest};
use crate::model::{Duration, Gateway, GatewayRoute, Mesh, MeshRetry, RetryOn, Service};

use super::costs::{cost_of_chain, worst_case_wait};
use super::graph::{Chain, ServiceIndex, callees, chains, cycles};

pub(super) fn run(mesh: &Mesh, out: &mut Diagnostics) {
    let chains = chains(mesh);
    check_call_cycles(mesh, out);
    check_retry_amplification(mesh, &chains, out);
    check_chain_budgets_exist(mesh, &chains, out);
    check_chain_budgets_agree(mesh, out);
    check_caller_timeouts(mesh, out);
    for gateway in &mesh.gateways {
        let path = || MeshPath::gateway(&gateway.name);
        for (index, route) in gateway.routes.iter().enumerate() {
            let route_path = || path().index("routes", index);
            check_retry_policy(route.timeout, route.retries.as_ref(), &route_path, out);
            check_edge_timeout(mesh, gateway, route, &route_path, out);
        }
    }
    for service in &mesh.services {
        let path = || MeshPath::service(&service.name);
        for (index, route) in service.routes.iter().enumerate() {
            check_retry_policy(
                route.timeout,
                route.retries.as_ref(),
                &|| path().route(index),
                out,
            );
        }
        check_app_timeout_within_mesh(service, &path, out);
        check_outlier_percents(service, &path, out);
        check_connection_pool(service, &path, out);
        check_interceptor_ranges(service, &path, out);
    }
}

/// The rules of one retry policy and the timeout around it, for a mesh route or a gateway
/// route alike.
pub(super) fn check_retry_policy(
    timeout: Option<Duration>,
    retries: Option<&MeshRetry>,
    route_path: &LazyPath<'_>,
    out: &mut Diagnostics,
) {
    let Some(retries) = retries else {
        return;
    };
    check_zero_attempt_policies(retries, route_path, out);
    check_retry_statuses(retries, route_path, out);
    check_retry_on_success(retries, route_path, out);
    check_tries_within_timeout(timeout, retries, route_path, out);
}

/// Retries multiply along a call chain; over the budget, one failing request becomes a retry
/// storm that keeps the failing service down.
fn check_retry_amplification(mesh: &Mesh, chains: &[Chain<'_>], out: &mut Diagnostics) {
    for chain in chains {
        let cost = cost_of_chain(mesh, chain);
        if cost.within_budget() {
            continue; // A budget of 0 is CM0105's: it can never be met.
        }
        let names = chain.names();
        let product = cost.worst_case_calls();
        let factors: Vec<String> = cost
            .hops
            .iter()
            .map(|hop| {
                format!(
                    "{}: (1 + {} {} retries) × (1 + {} app retries)",
                    hop.service, hop.mesh_retries, hop.retried_by, hop.app_retries
                )
            })
            .collect();
        out.push(
            RETRY_AMPLIFICATION
                .at(
                    chain.path(),
                    format!(
                        "one failing request along {} can become {product} calls ({}), over the retry budget of {}",
                        names.join(" → "),
                        factors.join("; "),
                        cost.budget.max_worst_case_calls
                    ),
                )
                .with_help(format!(
                    "set mesh retries to 0 or 1 where the app retries (mesh retries 1 with maxRetries 3 is 8 calls), lower the app's maxRetries, or raise this chain's budget with ChainBudget::new([{}], RetryBudget::calls({product}))",
                    names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
                ))
                .with_dsl_help(format!(
                    "set `retries: {{ attempts: 1, .. }}` or `retries: off` where the app retries (attempts 1 with max_retries 3 is 8 calls), lower `interceptors: {{ retry: {{ max_retries }} }}`, or raise this chain's budget with `chain_budget {{ chain: [{}], calls: {product} }}`",
                    names.join(", ")
                )),
        );
    }
}

/// In a call cycle retries multiply without bound and no retry budget can be computed.
fn check_call_cycles(mesh: &Mesh, out: &mut Diagnostics) {
    for cycle in cycles(mesh) {
        out.push(
            CALL_CYCLE
                .at(
                    MeshPath::chain(&cycle),
                    format!("services call each other in a cycle: {}", cycle.join(" → ")),
                )
                .with_help("remove one of the calls that close the cycle"),
        );
    }
}

/// A budget for a chain that does not exist silently does nothing.
fn check_chain_budgets_exist(mesh: &Mesh, chains: &[Chain<'_>], out: &mut Diagnostics) {
    let known: Vec<String> = chains.iter().map(|c| c.names().join(" → ")).collect();
    for (index, budget) in mesh.chain_budgets.iter().enumerate() {
        let written = budget.chain.join(" → ");
        if known.contains(&written) {
            continue;
        }
        let help = closest(&written, known.iter().map(String::as_str)).map_or_else(
            || {
                format!(
                    "call chains of this mesh: {}",
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join("; ")
                    }
                )
            },
            |name| format!("did you mean `{name}`?"),
        );
        out.push(
            UNKNOWN_CHAIN_BUDGET
                .at(
                    MeshPath::root().index("chain_budgets", index),
                    format!("the budget names `{written}`, which is not a call chain of this mesh"),
                )
                .with_help(help),
        );
    }
}

/// One chain with two different budgets: the cost rules would take the first, so the other
/// team's budget would silently not apply. (Identical ones are harmless; `Mesh::merge` keeps
/// them once.)
fn check_chain_budgets_agree(mesh: &Mesh, out: &mut Diagnostics) {
    for (index, budget) in mesh.chain_budgets.iter().enumerate() {
        let Some(first) = mesh.chain_budgets[..index]
            .iter()
            .position(|earlier| earlier.chain == budget.chain)
        else {
            continue;
        };
        let earlier = &mesh.chain_budgets[first];
        if earlier.budget == budget.budget {
            continue;
        }
        out.push(
            CONFLICTING_CHAIN_BUDGET
                .at(
                    MeshPath::root().index("chain_budgets", index),
                    format!(
                        "the chain {} has a budget of {} calls here and of {} calls in chain_budgets[{first}]",
                        budget.chain.join(" → "),
                        budget.budget.max_worst_case_calls,
                        earlier.budget.max_worst_case_calls,
                    ),
                )
                .with_related(MeshPath::root().index("chain_budgets", first), "the other budget")
                .with_help("keep one budget for the chain"),
        );
    }
}

/// How long `service` works on one request before it gives up: its Connectum timeout, or the
/// longest of its route timeouts when every route has one (the mesh abandons it then).
fn time_limit(service: &Service) -> Option<(Duration, &'static str)> {
    let route_limit = if service.routes.is_empty() {
        None
    } else {
        service
            .routes
            .iter()
            .map(|r| r.timeout)
            .collect::<Option<Vec<_>>>()
            .and_then(|timeouts| timeouts.into_iter().max())
    };
    let app_limit = service.interceptors.timeout.as_ref().map(|t| t.duration);
    match (app_limit, route_limit) {
        (Some(app), Some(route)) if route < app => Some((route, "its route timeout")),
        (Some(app), _) => Some((app, "its Connectum timeout")),
        (None, Some(route)) => Some((route, "its route timeout")),
        (None, None) => None,
    }
}

/// A caller that gives up before its callee's worst case wastes the callee's work and leaves its
/// retries running exactly when the callee is slow.
fn check_caller_timeouts(mesh: &Mesh, out: &mut Diagnostics) {
    let index = ServiceIndex::of(mesh);
    for caller in &mesh.services {
        let Some((limit, source)) = time_limit(caller) else {
            continue;
        };
        for callee in callees(&index, caller) {
            let Some(worst) = worst_case_wait(callee) else {
                continue;
            };
            if limit.as_millis() >= worst {
                continue;
            }
            let index = caller
                .calls
                .iter()
                .position(|c| *c == callee.name)
                .unwrap_or_default();
            let worst_text = Duration::try_from_millis(worst)
                .map_or_else(|| format!("{worst}ms"), |d| d.to_string());
            out.push(
                CALLER_TIMEOUT_TOO_SHORT
                    .at(
                        MeshPath::service(&caller.name).index("calls", index),
                        format!(
                            "`{}` gives up after {limit} ({source}), but `{}` may take {worst_text} with its retries",
                            caller.name, callee.name
                        ),
                    )
                    .with_help(format!(
                        "give `{}`'s routes a timeout under {limit}, or raise `{}`'s timeout above {worst_text}",
                        callee.name, caller.name
                    ))
                    .with_related(
                        MeshPath::service(&callee.name),
                        format!("`{}` may take {worst_text} with its retries", callee.name),
                    ),
            );
        }
    }
}

/// How long `service` may work on one request that came through a gateway: its Connectum
/// timeout, or else the longest of its callees' worst cases (its mesh routes do not apply to
/// the gateway's requests).
fn behind_edge(mesh: &Mesh, service: &Service) -> Option<(u64, String)> {
    if let Some(timeout) = &service.interceptors.timeout {
        return Some((
            timeout.duration.as_millis(),
            format!(
                "`{}`'s Connectum timeout is {}",
                service.name, timeout.duration
            ),
        ));
    }
    callees(&ServiceIndex::of(mesh), service)
        .into_iter()
        .filter_map(|callee| worst_case_wait(callee).map(|t| (t, callee)))
        .max_by_key(|(t, _)| *t)
        .map(|(t, callee)| {
            let text =
                Duration::try_from_millis(t).map_or_else(|| format!("{t}ms"), |d| d.to_string());
            (
                t,
                format!(
                    "`{}` may wait {text} on `{}` with its retries",
                    service.name, callee.name
                ),
            )
        })
}

/// The first limit a try runs into: the per-try timeout when retries are on and set one, else
/// the route timeout; with what it is called.
fn first_limit(
    timeout: Option<Duration>,
    retries: Option<&MeshRetry>,
) -> Option<(Duration, &'static str)> {
    retries
        .filter(|r| r.attempts > 0)
        .and_then(|r| r.per_try_timeout)
        .map(|d| (d, "per-try timeout"))
        .or_else(|| timeout.map(|d| (d, "timeout")))
}

/// A gateway that gives up before the service behind it abandons work in progress and retries it
/// exactly when the service is slow.
fn check_edge_timeout(
    mesh: &Mesh,
    gateway: &Gateway,
    route: &GatewayRoute,
    route_path: &LazyPath<'_>,
    out: &mut Diagnostics,
) {
    let Some((limit, what)) = first_limit(route.timeout, route.retries.as_ref()) else {
        return;
    };
    for service in route
        .target
        .services()
        .into_iter()
        .filter_map(|n| mesh.service(n))
    {
        let Some((worst, why)) = behind_edge(mesh, service) else {
            continue;
        };
        if limit.as_millis() >= worst {
            continue;
        }
        out.push(
            EDGE_TIMEOUT_TOO_SHORT
                .at(
                    route_path().field(if what == "timeout" { "timeout" } else { "retries" }),
                    format!(
                        "gateway `{}` gives up on route `{}` after its {what} {limit}, but {why}",
                        gateway.name, route.name
                    ),
                )
                .with_help(format!(
                    "raise the gateway route's {what} to at least the service's worst case, or lower `{}`'s timeout",
                    service.name
                )),
        );
    }
}

/// Istio refuses a retry block with 0 attempts that still sets perTryTimeout or retryOn.
fn check_zero_attempt_policies(
    retries: &MeshRetry,
    route_path: &LazyPath<'_>,
    out: &mut Diagnostics,
) {
    if retries.attempts == 0 && (retries.per_try_timeout.is_some() || !retries.retry_on.is_empty())
    {
        out.push(
            RETRY_POLICY_WITHOUT_ATTEMPTS
                .at(
                    route_path().field("retries"),
                    "retries has 0 attempts but sets perTryTimeout or retryOn; Istio refuses it",
                )
                .with_help("use `MeshRetry::disabled()` to turn retries off, or set attempts of at least 1")
                .with_dsl_help("write `retries: off` to turn retries off, or set `attempts` of at least 1"),
        );
    }
}

/// HTTP status codes Go's `net/http` knows, the ones Istio accepts in `retryOn`.
fn is_known_status(code: u16) -> bool {
    matches!(code, 100..=103 | 200..=208 | 226 | 300..=305 | 307 | 308 | 400..=418 | 421..=426 | 428 | 429 | 431 | 451 | 500..=508 | 510 | 511)
}

/// Istio refuses `retryOn` with a status code it does not know.
fn check_retry_statuses(retries: &MeshRetry, route_path: &LazyPath<'_>, out: &mut Diagnostics) {
    for condition in &retries.retry_on {
        if let RetryOn::Status(code) = condition
            && !is_known_status(*code)
        {
            out.push(
                INVALID_RETRY_STATUS
                    .at(
                        route_path().field("retries"),
                        format!("retryOn names HTTP status {code}, which Istio does not know"),
                    )
                    .with_help(
                        "use a known status such as 503, or a condition such as `unavailable`",
                    ),
            );
        }
    }
}

/// gRPC answers every call with HTTP 200 and carries errors in the `grpc-status` trailer:
/// retrying on 200 repeats every call, successful or not, and a 1xx, other 2xx or 3xx status
/// never marks a failed call.
fn check_retry_on_success(retries: &MeshRetry, route_path: &LazyPath<'_>, out: &mut Diagnostics) {
    // With 0 attempts nothing is retried (and CM0303 refuses the retryOn).
    if retries.attempts == 0 {
        return;
    }
    for condition in &retries.retry_on {
        let RetryOn::Status(code) = *condition else {
            continue;
        };
        // Unknown codes are CM0309's.
        if !(100..400).contains(&code) || !is_known_status(code) {
            continue;
        }
        let message = if code == 200 {
            format!(
                "retryOn names HTTP status 200, which gRPC answers every call with: every call, successful or not, is sent {} times",
                1 + u64::from(retries.attempts)
            )
        } else {
            format!(
                "retryOn names HTTP status {code}, which is not a failure: gRPC answers every call with 200 and reports errors in the grpc-status trailer, so this condition never catches a failed call"
            )
        };
        out.push(
            RETRY_ON_SUCCESS_STATUS
                .at(route_path().field("retries"), message)
                .with_help(format!(
                    "remove {code} from retryOn; retry on gRPC conditions such as `unavailable`, or on a failure status such as 503"
                )),
        );
    }
}

/// The route timeout bounds all tries together: per-try timeouts that add up past it make the
/// last retries fiction.
fn check_tries_within_timeout(
    timeout: Option<Duration>,
    retries: &MeshRetry,
    route_path: &LazyPath<'_>,
    out: &mut Diagnostics,
) {
    let Some(timeout) = timeout else {
        return;
    };
    let Some(per_try) = retries.per_try_timeout else {
        return;
    };
    if retries.attempts == 0 {
        return;
    }
    let tries = 1 + u64::from(retries.attempts);
    let all_tries = per_try.as_millis().saturating_mul(tries);
    if all_tries > timeout.as_millis() {
        let all_text = Duration::try_from_millis(all_tries)
            .map_or_else(|| format!("{all_tries}ms"), |d| d.to_string());
        out.push(
            TRIES_OUTLAST_TIMEOUT
                .at(
                    route_path().field("retries"),
                    format!(
                        "{tries} tries of up to {per_try} each take up to {all_text}, longer than the route timeout {timeout}"
                    ),
                )
                .with_help(format!(
                    "raise the route timeout to {all_text}, or lower attempts or perTryTimeout"
                ))
                .with_dsl_help(format!(
                    "raise the route's `timeout` to {all_text}, or lower `attempts` or `per_try_timeout`"
                )),
        );
    }
}

/// When Connectum's timeout is longer than the mesh's per-try (or route) timeout it never fires:
/// Envoy abandons the try first and retries it while the app still works on it.
fn check_app_timeout_within_mesh(service: &Service, path: &LazyPath<'_>, out: &mut Diagnostics) {
    let Some(app) = service.interceptors.timeout.as_ref().map(|t| t.duration) else {
        return;
    };
    let tightest = service
        .routes
        .iter()
        .enumerate()
        .filter_map(|(index, route)| {
            first_limit(route.timeout, route.retries.as_ref())
                .map(|(limit, what)| (limit, what, index))
        })
        .min_by_key(|(limit, _, _)| *limit);
    let Some((limit, what, index)) = tightest else {
        return;
    };
    if app > limit {
        out.push(
            APP_TIMEOUT_EXCEEDS_MESH
                .at(
                    path().field("interceptors").field("timeout"),
                    format!("Connectum's timeout {app} is longer than the {what} {limit} of routes[{index}], so it never fires"),
                )
                .with_help(format!("set Connectum's timeout to {limit} or less, or raise the route's {what}")),
        );
    }
}

/// Istio refuses outlier-detection percentages outside 0..100, and the DestinationRule with them.
fn check_outlier_percents(service: &Service, path: &LazyPath<'_>, out: &mut Diagnostics) {
    let Some(outlier) = &service.traffic_policy.outlier_detection else {
        return;
    };
    let fields = [
        ("max_ejection_percent", outlier.max_ejection_percent),
        ("min_health_percent", outlier.min_health_percent),
    ];
    for (field, value) in fields {
        if let Some(percent) = value.filter(|p| *p > 100) {
            out.push(
                OUTLIER_PERCENT_OUT_OF_RANGE
                    .at(
                        path()
                            .field("traffic_policy")
                            .field("outlier_detection")
                            .field(field),
                        format!("{field} is {percent}; Istio accepts 0 to 100"),
                    )
                    .with_help("use a percentage from 0 to 100"),
            );
        }
    }
}

/// Istio refuses a connection pool with neither tcp nor http limits.
fn check_connection_pool(service: &Service, path: &LazyPath<'_>, out: &mut Diagnostics) {
    let Some(pool) = &service.traffic_policy.connection_pool else {
        return;
    };
    if pool.tcp.is_none() && pool.http.is_none() {
        out.push(
            EMPTY_CONNECTION_POOL
                .at(
                    path().field("traffic_policy").field("connection_pool"),
                    "the connection pool sets neither tcp nor http limits; Istio refuses it",
                )
                .with_help("set `tcp` or `http` limits, or remove the connection pool"),
        );
    }
}

/// Connectum's factories throw on a circuit-breaker threshold or bulkhead capacity of 0: the
/// server never starts.
fn check_interceptor_ranges(service: &Service, path: &LazyPath<'_>, out: &mut Diagnostics) {
    let interceptors = &service.interceptors;
    let path = || path().field("interceptors");
    let zero_fields = [
        (
            "circuit_breaker",
            "threshold",
            interceptors.circuit_breaker.as_ref().map(|c| c.threshold),
        ),
        (
            "bulkhead",
            "capacity",
            interceptors.bulkhead.as_ref().map(|b| b.capacity),
        ),
    ];
    for (interceptor, field, value) in zero_fields {
        if value == Some(0) {
            out.push(
                INTERCEPTOR_OUT_OF_RANGE
                    .at(
                        path().field(interceptor).field(field),
                        format!("{interceptor} {field} is 0; Connectum refuses it and the server does not start"),
                    )
                    .with_help(format!("use a {field} of at least 1")),
            );
        }
    }
}
