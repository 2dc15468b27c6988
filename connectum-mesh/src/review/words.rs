//! The words a reviewer reads: one phrase per model value, shared by the diagram and the diff
//! so both say the same thing the same way.

use connectum_mesh_core::{
    AllowRule, Authorization, Callers, EdgeRequest, Gateway, GatewayMatch, GatewayTarget,
    HeaderMatch, Mesh, MeshRetry, RequestMatch, Route, RouteTarget, Scaling, Service,
    ServiceAccountRef, Source, Split, StringMatch,
};

/// `x-canary: true`, `x-user: prefix beta-`, `path: regex /shop\..*`.
fn string_match(name: &str, value: &StringMatch) -> String {
    match value {
        StringMatch::Exact(text) => format!("{name}: {text}"),
        StringMatch::Prefix(text) => format!("{name}: prefix {text}"),
        StringMatch::Regex(text) => format!("{name}: regex {text}"),
    }
}

fn header(header: &HeaderMatch) -> String {
    string_match(&header.name, &header.value)
}

/// Conditions joined by `and`; `every request` when there are none.
fn all_of(parts: Vec<String>) -> String {
    if parts.is_empty() {
        "every request".to_owned()
    } else {
        parts.join(" and ")
    }
}

/// Alternatives joined by `or`; `every request` when there are none.
pub(crate) fn any_of(alternatives: Vec<String>) -> String {
    if alternatives.is_empty() {
        "every request".to_owned()
    } else {
        alternatives.join(" or ")
    }
}

/// One request match: its conditions joined by `and`; `every request` when it has none.
fn request_match(request: &RequestMatch) -> String {
    let mut parts: Vec<String> = request.headers.iter().map(header).collect();
    if let Some(uri) = &request.uri {
        parts.push(string_match("path", uri));
    }
    all_of(parts)
}

/// What a route matches: its request matches joined by `or`; `every request` when it has none.
pub(crate) fn matches(route: &Route) -> String {
    any_of(route.matches.iter().map(request_match).collect())
}

/// What a gateway request is: `grpc mycompany.orders.v1.OrderService`, `grpc S/Method`,
/// `path: prefix /v1/orders`.
pub(crate) fn edge_request(request: &EdgeRequest) -> String {
    match request {
        EdgeRequest::Grpc {
            service,
            method: None,
        } => format!("grpc {service}"),
        EdgeRequest::Grpc {
            service,
            method: Some(method),
        } => format!("grpc {service}/{method}"),
        EdgeRequest::PathPrefix(prefix) => format!("path: prefix {prefix}"),
    }
}

/// One gateway match: the request and its headers, joined by `and`.
pub(crate) fn edge_match(request: Option<String>, headers: &[HeaderMatch]) -> String {
    all_of(
        request
            .into_iter()
            .chain(headers.iter().map(header))
            .collect(),
    )
}

/// What a gateway route matches: its matches joined by `or`.
pub(crate) fn gateway_matches(matches: &[GatewayMatch]) -> String {
    any_of(
        matches
            .iter()
            .map(|m| edge_match(Some(edge_request(&m.request)), &m.headers))
            .collect(),
    )
}

/// A route's name, or `routes[i]` for an unnamed one.
pub(crate) fn route_name(route: &Route, index: usize) -> String {
    route
        .name
        .clone()
        .unwrap_or_else(|| format!("routes[{index}]"))
}

/// A share of a total, in percent: `90%`, `33.3%`.
pub(crate) fn percent(weight: u64, total: u64) -> String {
    if total == 0 {
        return format!("weight {weight}");
    }
    let tenths = (weight * 1000 + total / 2) / total;
    if tenths.is_multiple_of(10) {
        format!("{}%", tenths / 10)
    } else {
        format!("{}.{}%", tenths / 10, tenths % 10)
    }
}

/// A share of a split, in percent of the split's total.
pub(crate) fn share(weight: u32, split: &Split) -> String {
    percent(u64::from(weight), split.total())
}

/// Where a route sends traffic: `canary 100%`, `stable 90% · canary 10%`, `every pod`.
pub(crate) fn target(target: &RouteTarget) -> String {
    match target {
        RouteTarget::Subset(subset) => format!("{} 100%", subset.name()),
        RouteTarget::Split(split) if split.legs.is_empty() => "nowhere (empty split)".to_owned(),
        RouteTarget::Split(split) => split
            .legs
            .iter()
            .map(|leg| format!("{} {}", leg.subset.name(), share(leg.weight, split)))
            .collect::<Vec<_>>()
            .join(" · "),
        RouteTarget::Service => "every pod".to_owned(),
    }
}

/// One destination of a gateway route: a service, a subset of it, and its weight if split.
pub(crate) struct EdgeLeg {
    pub(crate) service: String,
    pub(crate) subset: Option<String>,
    pub(crate) weight: Option<u64>,
}

/// A gateway target's destinations.
pub(crate) fn edge_legs(target: &GatewayTarget) -> Vec<EdgeLeg> {
    match target {
        GatewayTarget::Service(service) => vec![EdgeLeg {
            service: service.clone(),
            subset: None,
            weight: None,
        }],
        GatewayTarget::Subset(subset) => vec![EdgeLeg {
            service: subset.service().to_owned(),
            subset: Some(subset.name().to_owned()),
            weight: None,
        }],
        GatewayTarget::Split(split) => split
            .legs
            .iter()
            .map(|leg| EdgeLeg {
                service: leg.subset.service().to_owned(),
                subset: Some(leg.subset.name().to_owned()),
                weight: Some(u64::from(leg.weight)),
            })
            .collect(),
    }
}

/// Where a gateway route sends requests: `order-service`, `order-service/canary`,
/// `order-service/stable 90% · order-service/canary 10%`.
pub(crate) fn edge_target(legs: &[EdgeLeg]) -> String {
    if legs.is_empty() {
        return "nowhere".to_owned();
    }
    let total: u64 = legs.iter().filter_map(|leg| leg.weight).sum();
    legs.iter()
        .map(|leg| {
            let mut text = leg.service.clone();
            if let Some(subset) = &leg.subset {
                text = format!("{text}/{subset}");
            }
            match leg.weight {
                Some(weight) if legs.len() > 1 => format!("{text} {}", percent(weight, total)),
                _ => text,
            }
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Retries with their settings: `1 (per try 10s, on unavailable)`, `off`, or, when none is set,
/// `unset` (the caller adds whose default applies).
pub(crate) fn retries(retries: Option<&MeshRetry>) -> String {
    let Some(retry) = retries else {
        return "unset".to_owned();
    };
    if retry.attempts == 0 {
        return "off".to_owned();
    }
    let mut text = retry.attempts.to_string();
    let mut details = Vec::new();
    if let Some(per_try) = retry.per_try_timeout {
        details.push(format!("per try {per_try}"));
    }
    if let Some(on) = retry.retry_on_text() {
        details.push(format!("on {on}"));
    }
    if !details.is_empty() {
        text.push_str(&format!(" ({})", details.join(", ")));
    }
    text
}

/// A mesh route's retries: as [`retries`], Istio's implicit `2 (Istio default)` when unset.
pub(crate) fn mesh_retries(retry: Option<&MeshRetry>) -> String {
    match retry {
        None => format!(
            "{} (Istio default)",
            connectum_mesh_core::ISTIO_DEFAULT_RETRY_ATTEMPTS
        ),
        Some(_) => retries(retry),
    }
}

/// A route's retry count alone: `1`, `off`, `2 (Istio default)`.
pub(crate) fn retry_count(retry: Option<&MeshRetry>) -> String {
    match retry {
        Some(retry) if retry.attempts > 0 => retry.attempts.to_string(),
        _ => mesh_retries(retry),
    }
}

/// A gateway route's retries: as [`retries`], the runtime's default when unset.
pub(crate) fn gateway_retries(gateway: &Gateway, retry: Option<&MeshRetry>) -> String {
    match retry {
        None => format!(
            "{} (default of {})",
            gateway.runtime.default_retry_attempts(),
            gateway.runtime.describe()
        ),
        Some(_) => retries(retry),
    }
}

/// A timeout: `30s`, or `none` (the proxy then waits indefinitely).
pub(crate) fn timeout(timeout: Option<connectum_mesh_core::Duration>) -> String {
    timeout.map_or_else(|| "none".to_owned(), |timeout| timeout.to_string())
}

/// One allowed source: `service account connectum/envoy-gateway`, `namespace connectum`.
pub(crate) fn source(source: &Source) -> String {
    match source {
        Source::ServiceAccount(account) => account_source(account),
        Source::Namespace(namespace) => format!("namespace {namespace}"),
    }
}

fn account_source(account: &ServiceAccountRef) -> String {
    format!("service account {account}")
}

/// Sources sorted and without repeats, joined; `nobody` when there are none.
fn sources_text(mut sources: Vec<String>) -> String {
    sources.sort();
    sources.dedup();
    if sources.is_empty() {
        return "nobody (allow rules without sources)".to_owned();
    }
    sources.join(", ")
}

/// Who allow rules admit: every source, sorted; `anyone` without rules.
pub(crate) fn allowed_callers(rules: &[AllowRule]) -> String {
    if rules.is_empty() {
        return "anyone (no allow rules)".to_owned();
    }
    sources_text(
        rules
            .iter()
            .flat_map(|rule| rule.from.iter().map(source))
            .collect(),
    )
}

/// Who may call `service` as the renderer writes its AuthorizationPolicy: its allow rules and
/// the gateways that route to it, or the principals of its declared callers when it has no
/// rules, or `anyone`. `None` means no policy (no authorization boundary).
///
/// `callers` is the mesh's [`Mesh::callers`], gathered once by the caller: asking
/// [`Mesh::authorization`] for each service would gather them again per service, which made the
/// diagram and the diff quadratic in the number of services.
pub(crate) fn admitted(mesh: &Mesh, callers: &Callers<'_>, service: &Service) -> Option<String> {
    match mesh.authorization_among(callers, service) {
        Authorization::Explicit(rules) => {
            let mut sources: Vec<String> = rules
                .iter()
                .flat_map(|rule| rule.from.iter().map(source))
                .collect();
            sources.extend(
                mesh.unwritten_gateway_accounts(service)
                    .iter()
                    .map(account_source),
            );
            Some(sources_text(sources))
        }
        Authorization::Derived(accounts) => {
            Some(sources_text(accounts.iter().map(account_source).collect()))
        }
        Authorization::Open => None,
    }
}

/// How many pods a workload runs: `3 replicas`, `autoscaled 2–10 (cpu 70%, memory 80%)`.
pub(crate) fn scaling(scaling: &Scaling) -> String {
    match scaling {
        Scaling::Replicas(1) => "1 replica".to_owned(),
        Scaling::Replicas(replicas) => format!("{replicas} replicas"),
        Scaling::Autoscale(autoscaler) => {
            let mut targets = Vec::new();
            if let Some(cpu) = autoscaler.cpu_utilization {
                targets.push(format!("cpu {cpu}%"));
            }
            if let Some(memory) = autoscaler.memory_utilization {
                targets.push(format!("memory {memory}%"));
            }
            let mut text = format!(
                "autoscaled {}–{}",
                autoscaler.min_replicas, autoscaler.max_replicas
            );
            if !targets.is_empty() {
                text.push_str(&format!(" ({})", targets.join(", ")));
            }
            text
        }
    }
}

/// The image a subset's workload runs (the service's unless the subset sets its own).
pub(crate) fn image(service: &Service, subset_index: usize) -> &str {
    service
        .subsets
        .get(subset_index)
        .and_then(|subset| subset.image.as_deref())
        .unwrap_or(&service.image)
}

/// An image without its registry path: `order-service:1.1.0-rc.1`.
pub(crate) fn short_image(image: &str) -> &str {
    image.rsplit('/').next().unwrap_or(image)
}

/// A gateway's listeners: `grpc :9090 HTTP · https :443 HTTPS (TLS gateway-tls-cert)`.
pub(crate) fn listeners(listeners: &[(String, String, u32, Option<String>)]) -> String {
    if listeners.is_empty() {
        return "no listener".to_owned();
    }
    listeners
        .iter()
        .map(|(name, protocol, port, credential)| {
            let mut text = format!("{name} :{port} {protocol}");
            if let Some(credential) = credential {
                text.push_str(&format!(" (TLS {credential})"));
            }
            text
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The model's listeners in the shape [`listeners`] reads.
pub(crate) fn gateway_listeners(gateway: &Gateway) -> Vec<(String, String, u32, Option<String>)> {
    gateway
        .listeners
        .iter()
        .map(|l| {
            (
                l.name.clone(),
                l.protocol.as_istio().to_owned(),
                u32::from(l.port),
                l.tls_credential.clone(),
            )
        })
        .collect()
}
