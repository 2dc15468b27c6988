//! The words a reviewer reads: one phrase per model value, shared by the diagram and the diff
//! so both say the same thing the same way.

use connectum_mesh_core::{
    AllowRule, HeaderMatch, MeshRetry, RequestMatch, Route, RouteTarget, Scaling, Service, Source,
    Split, StringMatch,
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

/// One request match: its conditions joined by `and`; `every request` when it has none.
fn request_match(request: &RequestMatch) -> String {
    let mut parts: Vec<String> = request.headers.iter().map(header).collect();
    if let Some(uri) = &request.uri {
        parts.push(string_match("path", uri));
    }
    if parts.is_empty() {
        "every request".to_owned()
    } else {
        parts.join(" and ")
    }
}

/// What a route matches: its request matches joined by `or`; `every request` when it has none.
pub(crate) fn matches(route: &Route) -> String {
    if route.matches.is_empty() {
        return "every request".to_owned();
    }
    route
        .matches
        .iter()
        .map(request_match)
        .collect::<Vec<_>>()
        .join(" or ")
}

/// A route's name, or `routes[i]` for an unnamed one.
pub(crate) fn route_name(route: &Route, index: usize) -> String {
    route
        .name
        .clone()
        .unwrap_or_else(|| format!("routes[{index}]"))
}

/// A share of a split, in percent of the split's total: `90%`, `33.3%`.
pub(crate) fn share(weight: u32, split: &Split) -> String {
    let total = split.total();
    if total == 0 {
        return format!("weight {weight}");
    }
    let tenths = (u64::from(weight) * 1000 + total / 2) / total;
    if tenths.is_multiple_of(10) {
        format!("{}%", tenths / 10)
    } else {
        format!("{}.{}%", tenths / 10, tenths % 10)
    }
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

/// A route's mesh retries: `1`, `off`, or Istio's implicit `2 (Istio default)`.
pub(crate) fn retry_count(retries: Option<&MeshRetry>) -> String {
    match retries {
        None => format!(
            "{} (Istio default)",
            connectum_mesh_core::ISTIO_DEFAULT_RETRY_ATTEMPTS
        ),
        Some(retry) if retry.attempts == 0 => "off".to_owned(),
        Some(retry) => retry.attempts.to_string(),
    }
}

/// A route's mesh retries with their settings: `1 (per try 10s, on unavailable)`, `off`,
/// `2 (Istio default)`.
pub(crate) fn retries(retries: Option<&MeshRetry>) -> String {
    let mut text = retry_count(retries);
    let Some(retry) = retries.filter(|retry| retry.attempts > 0) else {
        return text;
    };
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

/// A route's timeout: `30s`, or `none` (Istio then waits indefinitely).
pub(crate) fn timeout(route: &Route) -> String {
    route
        .timeout
        .map_or_else(|| "none".to_owned(), |timeout| timeout.to_string())
}

/// One allowed source: `service account connectum/envoy-gateway`, `namespace connectum`.
pub(crate) fn source(source: &Source) -> String {
    match source {
        Source::ServiceAccount(account) => format!("service account {account}"),
        Source::Namespace(namespace) => format!("namespace {namespace}"),
    }
}

/// Who may call a service: every source of its allow rules, sorted; `anyone` without rules.
pub(crate) fn allowed_callers(rules: &[AllowRule]) -> String {
    if rules.is_empty() {
        return "anyone (no allow rules)".to_owned();
    }
    let mut sources: Vec<String> = rules
        .iter()
        .flat_map(|rule| rule.from.iter().map(source))
        .collect();
    sources.sort();
    sources.dedup();
    if sources.is_empty() {
        return "nobody (allow rules without sources)".to_owned();
    }
    sources.join(", ")
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
