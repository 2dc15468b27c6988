//! Does the emitted configuration mean what the Rust description says? Compares a [`Mesh`]'s
//! routes, read the way the library documents them, with what Istio makes of the emitted
//! VirtualServices, DestinationRules, Services and Deployments (`connectum_mesh::testing`): which
//! route a request takes, how traffic is shared, which workloads receive it, timeouts and
//! retries.

use std::collections::BTreeSet;
use std::time::Duration;

use connectum_mesh_core::{Mesh, RequestMatch, Route, RouteTarget, Service, StringMatch};
use serde_json::Value;

use connectum_mesh::testing::{
    DEFAULT_RETRIABLE_STATUS_CODES, DEFAULT_RETRY_ON, Request, RouteMeaning, Share, Target,
    VirtualServiceMeaning, resolve_host, subset_workloads,
};

/// Whether `request` meets one of the model's conditions, read as the model documents them:
/// every header and the URI must hold (AND), any condition suffices (OR), none means every
/// request.
#[must_use]
pub fn model_matches(route: &Route, request: &Request) -> bool {
    route.matches.is_empty() || route.matches.iter().any(|m| condition_holds(m, request))
}

fn condition_holds(condition: &RequestMatch, request: &Request) -> bool {
    let uri_ok = condition
        .uri
        .as_ref()
        .is_none_or(|uri| text_matches(uri, Some(&request.path)));
    uri_ok
        && condition.headers.iter().all(|header| {
            text_matches(
                &header.value,
                request
                    .headers
                    .get(&header.name.to_ascii_lowercase())
                    .map(String::as_str),
            )
        })
}

fn text_matches(expected: &StringMatch, actual: Option<&str>) -> bool {
    let Some(actual) = actual else {
        return false;
    };
    match expected {
        StringMatch::Exact(text) => actual == text,
        StringMatch::Prefix(text) => actual.starts_with(text.as_str()),
        StringMatch::Regex(pattern) => {
            regex::Regex::new(&format!("^(?:{pattern})$")).is_ok_and(|re| re.is_match(actual))
        }
    }
}

/// The route the model says `request` takes: the first whose conditions it meets.
#[must_use]
pub fn model_route_for(service: &Service, request: &Request) -> Option<usize> {
    service
        .routes
        .iter()
        .position(|route| model_matches(route, request))
}

/// Requests that exercise a service's routes: one with no headers, and for each condition one
/// that meets its exact and prefix parts (regexes are not synthesised).
#[must_use]
pub fn probe_requests(service: &Service) -> Vec<Request> {
    let mut probes = vec![Request::grpc("/connectum.Probe/Call")];
    for condition in service.routes.iter().flat_map(|r| &r.matches) {
        let path = match &condition.uri {
            Some(StringMatch::Exact(text) | StringMatch::Prefix(text)) => text.clone(),
            _ => "/connectum.Probe/Call".to_owned(),
        };
        let mut request = Request::grpc(path);
        for header in &condition.headers {
            if let StringMatch::Exact(text) | StringMatch::Prefix(text) = &header.value {
                request = request.header(&header.name, text.clone());
            }
        }
        probes.push(request);
    }
    probes
}

/// The shares the model describes for a route: a subset or the whole service gets everything;
/// a split gives each leg `weight / total`, dropping weight-0 legs, and a lone leg everything.
#[must_use]
pub fn model_shares(mesh: &Mesh, service: &Service, route: &Route) -> Vec<(Target, Share)> {
    let target = |subset: Option<&str>| Target {
        host: resolve_host(&mesh.host(&service.name), &mesh.namespace),
        subset: subset.map(str::to_owned),
        port: Some(u32::from(service.port)),
    };
    let all = Share {
        weight: 1,
        total: 1,
    };
    match &route.target {
        RouteTarget::Subset(subset) => vec![(target(Some(subset.name())), all)],
        RouteTarget::Service => vec![(target(None), all)],
        RouteTarget::Split(split) => {
            if let [only] = split.legs.as_slice() {
                return vec![(target(Some(only.subset.name())), all)];
            }
            let total = split.total();
            split
                .legs
                .iter()
                .filter(|leg| leg.weight > 0)
                .map(|leg| {
                    (
                        target(Some(leg.subset.name())),
                        Share {
                            weight: u64::from(leg.weight),
                            total,
                        },
                    )
                })
                .collect()
        }
    }
}

/// The Deployments the model says serve `subset` of `service` (all of them for `None`): one
/// per subset, the first named after the service, or just the service's when it has none.
#[must_use]
pub fn model_workloads(service: &Service, subset: Option<&str>) -> Vec<String> {
    if service.subsets.is_empty() {
        return vec![service.name.clone()];
    }
    let mut names: Vec<String> = service
        .subsets
        .iter()
        .enumerate()
        .filter(|(_, s)| subset.is_none_or(|wanted| s.name == wanted))
        .map(|(index, _)| service.deployment_name(index))
        .collect();
    names.sort();
    names
}

fn compare_route(
    documents: &[Value],
    mesh: &Mesh,
    service: &Service,
    route: &Route,
    meaning: &RouteMeaning,
    problems: &mut Vec<String>,
) {
    let at = format!("{} route {}", service.name, meaning.index);
    if meaning.name != route.name {
        problems.push(format!("{at}: name {:?} ≠ {:?}", meaning.name, route.name));
    }
    match meaning.shares() {
        Ok(shares) => {
            let expected = model_shares(mesh, service, route);
            if shares != expected {
                problems.push(format!(
                    "{at}: Istio shares {shares:?}, the model says {expected:?}"
                ));
            }
            for (target, _) in &shares {
                let expected = model_workloads(service, target.subset.as_deref());
                match subset_workloads(documents, target) {
                    Ok(mut workloads) => {
                        workloads.sort();
                        if workloads != expected {
                            problems.push(format!(
                                "{at}: traffic for {target:?} reaches {workloads:?}, the model says {expected:?}"
                            ));
                        }
                    }
                    Err(error) => problems.push(format!("{at}: {error}")),
                }
            }
        }
        Err(error) => problems.push(format!("{at}: {error}")),
    }
    let timeout = route.timeout.map(Duration::from);
    if meaning.timeout != timeout {
        problems.push(format!(
            "{at}: Istio's timeout {:?}, the model's {timeout:?}",
            meaning.timeout
        ));
    }
    let attempts = route.effective_retry_attempts();
    if meaning.retries.attempts != attempts {
        problems.push(format!(
            "{at}: Istio retries {} times, the model says {attempts}",
            meaning.retries.attempts
        ));
    }
    if let Some(retry) = route.retries.as_ref().filter(|r| r.attempts > 0) {
        let per_try = retry.per_try_timeout.map(Duration::from);
        if meaning.retries.per_try_timeout != per_try {
            problems.push(format!(
                "{at}: Istio's per-try timeout {:?}, the model's {per_try:?}",
                meaning.retries.per_try_timeout
            ));
        }
        let (names, codes): (Vec<String>, Vec<String>) = if retry.retry_on.is_empty() {
            (
                DEFAULT_RETRY_ON.iter().map(|s| (*s).to_owned()).collect(),
                DEFAULT_RETRIABLE_STATUS_CODES
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            )
        } else {
            retry
                .retry_on
                .iter()
                .map(ToString::to_string)
                .partition(|token| !token.bytes().all(|b| b.is_ascii_digit()))
        };
        let expected = canonical_retry_on(&names, &codes);
        let actual = canonical_retry_on(
            &meaning.retries.retry_on,
            &meaning
                .retries
                .retriable_status_codes
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
        );
        if actual != expected {
            problems.push(format!(
                "{at}: Istio retries on {actual:?}, the model on {expected:?}"
            ));
        }
    }
}

/// Retry conditions as a set: named conditions, status codes, and `retriable-status-codes`
/// whenever there are codes (Istio adds it itself).
fn canonical_retry_on(names: &[String], codes: &[String]) -> BTreeSet<String> {
    let mut set: BTreeSet<String> = names.iter().chain(codes).cloned().collect();
    if !codes.is_empty() {
        set.insert("retriable-status-codes".to_owned());
    }
    set
}

/// Everything about routing where the emitted VirtualServices and the mesh's description
/// disagree: a missing VirtualService, the hosts, the order and names of routes, which route
/// each probe request takes, traffic shares, timeouts and retries. Empty when they agree.
#[must_use]
pub fn disagreements(mesh: &Mesh, documents: &[Value]) -> Vec<String> {
    let mut problems = Vec::new();
    let virtual_services: Vec<VirtualServiceMeaning> = documents
        .iter()
        .filter(|d| d.get("kind").and_then(Value::as_str) == Some("VirtualService"))
        .filter_map(|d| match VirtualServiceMeaning::from_json(d) {
            Ok(meaning) => Some(meaning),
            Err(error) => {
                problems.push(error.to_string());
                None
            }
        })
        .collect();
    for service in &mesh.services {
        let found = virtual_services
            .iter()
            .find(|vs| vs.serves(&service.name, &mesh.namespace));
        let Some(vs) = found else {
            if !service.routes.is_empty() {
                problems.push(format!("{}: no VirtualService serves it", service.name));
            }
            continue;
        };
        if vs.namespace != mesh.namespace {
            problems.push(format!(
                "{}: VirtualService in {}",
                service.name, vs.namespace
            ));
        }
        if vs.routes.len() != service.routes.len() {
            problems.push(format!(
                "{}: {} routes emitted, {} described",
                service.name,
                vs.routes.len(),
                service.routes.len()
            ));
            continue;
        }
        for (route, meaning) in service.routes.iter().zip(&vs.routes) {
            compare_route(documents, mesh, service, route, meaning, &mut problems);
        }
        for request in probe_requests(service) {
            let expected = model_route_for(service, &request);
            match vs.route_for(&request) {
                Ok(actual) if actual.map(|r| r.index) == expected => {}
                Ok(actual) => problems.push(format!(
                    "{}: {request:?} takes route {:?} in Istio, {expected:?} in the model",
                    service.name,
                    actual.map(|r| r.index)
                )),
                Err(error) => problems.push(format!("{}: {error}", service.name)),
            }
        }
    }
    problems
}
