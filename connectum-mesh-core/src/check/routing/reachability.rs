//! Which routes and requests can ever be matched: Istio takes the first route that matches, so
//! a route behind a catch-all is dead, and a request no route matches gets 404.

use crate::diag::Diagnostics;
use crate::diag::registry::{
    DUPLICATE_MATCH, DUPLICATE_ROUTE_NAME, NO_CATCH_ALL_ROUTE, SUBSETS_WITHOUT_ROUTES,
    UNREACHABLE_ROUTE,
};

use super::super::LazyPath;
use crate::model::{RequestMatch, Route, Service, StringMatch};

use super::matches::uri_takes_every_path;

/// Istio takes the first route that matches: a route after a catch-all, or whose matches all
/// repeat earlier ones, is dead; a match covered by an earlier one never selects its route.
pub(super) fn check_unreachable_routes(
    service: &Service,
    path: &LazyPath<'_>,
    out: &mut Diagnostics,
) {
    let catch_all = [RequestMatch::default()];
    let mut earlier: Vec<(usize, &RequestMatch)> = Vec::new();
    for (index, route) in service.routes.iter().enumerate() {
        let matches = if route.matches.is_empty() {
            &catch_all[..]
        } else {
            &route.matches[..]
        };
        let covering: Vec<Option<usize>> = matches
            .iter()
            .enumerate()
            .map(|(match_index, m)| {
                earlier
                    .iter()
                    .find(|(_, e)| covers(e, m))
                    .map(|(route_index, _)| *route_index)
                    .or_else(|| {
                        matches[..match_index]
                            .iter()
                            .any(|e| covers(e, m))
                            .then_some(index)
                    })
            })
            .collect();
        let route_path = || path().route(index);
        let earlier_routes: Vec<usize> = covering
            .iter()
            .flatten()
            .copied()
            .filter(|i| *i < index)
            .collect();
        if !earlier_routes.is_empty() && earlier_routes.len() == matches.len() {
            let first = earlier_routes.iter().copied().min().unwrap_or_default();
            let first_route = service.routes.get(first);
            let first_label = first_route.map_or_else(
                || format!("routes[{first}]"),
                |route| route_label(first, route),
            );
            let (message, help) = if first_route.is_some_and(is_catch_all) {
                (
                    format!("{first_label} takes every request, so this route is never used"),
                    format!("move the catch-all {first_label} last"),
                )
            } else {
                (
                    "every match of this route repeats or is covered by an earlier route's, so it is never used".to_owned(),
                    "remove the route, or make its matches more specific than the earlier ones".to_owned(),
                )
            };
            out.push(UNREACHABLE_ROUTE.at(route_path(), message).with_help(help));
        } else if !route.matches.is_empty() {
            for (match_index, covered_by) in covering.iter().enumerate() {
                let Some(covered_by) = covered_by else {
                    continue;
                };
                let whose = match service.routes.get(*covered_by) {
                    Some(_) if *covered_by == index => "an earlier match of this route".to_owned(),
                    Some(route) => format!("a match of {}", route_label(*covered_by, route)),
                    None => format!("a match of routes[{covered_by}]"),
                };
                out.push(
                    DUPLICATE_MATCH
                        .at(
                            route_path().index("matches", match_index),
                            format!("this match repeats or is covered by {whose}, so it never selects this route"),
                        )
                        .with_help("remove it, or make it more specific than the earlier match"),
                );
            }
        }
        earlier.extend(matches.iter().map(|m| (index, m)));
    }
}

/// Route names name Envoy's route stats and this library's diagnostics; two routes with one name
/// make both ambiguous (and `mesh!` refers to routes by name).
pub(super) fn check_duplicate_route_names(
    service: &Service,
    path: &LazyPath<'_>,
    out: &mut Diagnostics,
) {
    for (index, route) in service.routes.iter().enumerate() {
        let Some(name) = &route.name else { continue };
        let Some(first) = service.routes[..index]
            .iter()
            .position(|r| r.name.as_ref() == Some(name))
        else {
            continue;
        };
        out.push(
            DUPLICATE_ROUTE_NAME
                .at(
                    path().route(index).field("name"),
                    format!("route name `{name}` is already taken by routes[{first}]"),
                )
                .with_help(format!(
                    "give each route its own name, e.g. `{name}-{index}`"
                )),
        );
    }
}

/// The subsets whose Deployments may run pods (an autoscaled primary counts), with their fixed
/// replicas where known.
fn running_subsets(service: &Service) -> Vec<(&str, Option<u32>)> {
    service
        .subsets
        .iter()
        .enumerate()
        .map(|(index, subset)| (subset.name.as_str(), service.deployment_replicas(index)))
        .filter(|(_, replicas)| *replicas != Some(0))
        .collect()
}

/// Without routes no VirtualService is rendered and the Service, which selects every subset's
/// pods, spreads requests by pod count: the canary silently takes a share nobody chose.
pub(super) fn check_subsets_without_routes(
    service: &Service,
    path: &LazyPath<'_>,
    out: &mut Diagnostics,
) {
    if !service.routes.is_empty() {
        return;
    }
    let running = running_subsets(service);
    let [(primary, _), others @ ..] = running.as_slice() else {
        return;
    };
    if others.is_empty() {
        return;
    }
    // Known only when every workload has fixed replicas (an autoscaler decides otherwise).
    let pods: Option<u64> = running
        .iter()
        .map(|(_, replicas)| replicas.map(u64::from))
        .sum();
    let shares: Vec<String> = others
        .iter()
        .map(|(name, replicas)| match (replicas, pods) {
            (Some(replicas), Some(pods)) => format!("`{name}` ({replicas} of {pods} pods)"),
            _ => format!("`{name}`"),
        })
        .collect();
    let verb = if shares.len() == 1 { "gets" } else { "get" };
    out.push(
        SUBSETS_WITHOUT_ROUTES
            .at(
                path(),
                format!(
                    "`{}` has no route, so no VirtualService: its Service spreads requests over the pods of its {} subsets by pod count, and {} {verb} a share nobody chose",
                    service.name,
                    running.len(),
                    shares.join(", ")
                ),
            )
            .with_help(format!(
                "add a catch-all route to the primary subset `{primary}`, then send traffic to the others on purpose with a split or a header match"
            )),
    );
}

/// Whether `request` holds for every request the sidecar routes: no header condition, and a uri
/// condition every path meets (gRPC paths start with `/`). Broader than [`is_catch_all`],
/// which must not call a route dead unless it surely is.
fn matches_every_request(request: &RequestMatch) -> bool {
    request.headers.is_empty() && request.uri.as_ref().is_none_or(uri_takes_every_path)
}

/// A request that matches no route gets no route: the sidecar answers 404 and the service never
/// sees it.
pub(super) fn check_catch_all_route(service: &Service, path: &LazyPath<'_>, out: &mut Diagnostics) {
    let Some(last) = service.routes.len().checked_sub(1) else {
        return;
    };
    let takes_everything =
        |route: &Route| route.matches.is_empty() || route.matches.iter().any(matches_every_request);
    if service.routes.iter().any(takes_everything) {
        return;
    }
    let label = service.routes.get(last).map_or_else(
        || format!("routes[{last}]"),
        |route| route_label(last, route),
    );
    let target = running_subsets(service)
        .first()
        .map(|(primary, _)| format!(", e.g. to the primary subset `{primary}`"))
        .unwrap_or_default();
    out.push(
        NO_CATCH_ALL_ROUTE
            .at(
                path().route(last),
                format!(
                    "the last route, {label}, has matches and no route takes every request: a request that matches none gets 404 from the sidecar"
                ),
            )
            .with_help(format!("add a final route without matches{target}")),
    );
}

/// `routes[1]`, or `routes[1] (`default`)` when the route has a name.
fn route_label(index: usize, route: &Route) -> String {
    match &route.name {
        Some(name) => format!("routes[{index}] (`{name}`)"),
        None => format!("routes[{index}]"),
    }
}

/// Whether the route takes every request: it has no match, or one of its matches (they are
/// alternatives) asks for nothing.
fn is_catch_all(route: &Route) -> bool {
    let everything = RequestMatch::default();
    route.matches.is_empty() || route.matches.iter().any(|m| covers(m, &everything))
}

/// Whether every request `later` matches is also matched by `earlier`: `earlier` asks for a
/// subset of `later`'s header conditions and its uri condition is at least as broad (prefix `/`
/// is as broad as none: every gRPC path starts with it).
fn covers(earlier: &RequestMatch, later: &RequestMatch) -> bool {
    let headers = earlier.headers.iter().all(|h| later.headers.contains(h));
    let uri = match (&earlier.uri, &later.uri) {
        (None, _) => true,
        (Some(uri), _) if uri_takes_every_path(uri) => true,
        (Some(_), None) => false,
        (
            Some(StringMatch::Prefix(prefix)),
            Some(StringMatch::Prefix(value) | StringMatch::Exact(value)),
        ) => value.starts_with(prefix.as_str()),
        (Some(a), Some(b)) => a == b,
    };
    headers && uri
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HeaderMatch;
    use crate::model::RouteTarget;

    fn uri(uri: StringMatch) -> RequestMatch {
        RequestMatch::builder().uri(uri).build()
    }

    #[test]
    fn broader_matches_cover_narrower_ones() {
        let canary = RequestMatch::header(HeaderMatch::exact("x-canary", "true"));
        let canary_admin = RequestMatch::builder()
            .headers([HeaderMatch::exact("x-canary", "true")])
            .uri(StringMatch::Prefix("/admin".to_owned()))
            .build();
        assert!(covers(&canary, &canary_admin));
        assert!(!covers(&canary_admin, &canary));
        assert!(covers(&RequestMatch::default(), &canary));
        let prefix = |p: &str| uri(StringMatch::Prefix(p.to_owned()));
        assert!(covers(&prefix("/a"), &prefix("/a/b")));
        assert!(covers(
            &prefix("/a"),
            &uri(StringMatch::Exact("/a/b".to_owned()))
        ));
        assert!(!covers(&prefix("/a/b"), &prefix("/a")));
        assert!(covers(&prefix(""), &RequestMatch::default()));
        let regex = |r: &str| uri(StringMatch::Regex(r.to_owned()));
        assert!(covers(&regex(".*"), &regex(".*")));
        // Every gRPC path starts with `/`: prefix `/` and regex `.*` take every request.
        assert!(covers(&regex(".*"), &prefix("/a")));
        assert!(covers(&prefix("/"), &RequestMatch::default()));
        assert!(!covers(&regex("/a.*"), &prefix("/b")));
        assert!(!covers(&prefix("/a"), &RequestMatch::default()));
    }

    #[test]
    fn a_route_with_one_empty_alternative_is_a_catch_all() {
        let route = |matches| {
            Route::builder()
                .matches(matches)
                .target(RouteTarget::Service)
                .build()
        };
        let canary = RequestMatch::header(HeaderMatch::exact("x-canary", "true"));
        assert!(is_catch_all(&route(Vec::new())));
        assert!(is_catch_all(&route(vec![
            canary.clone(),
            RequestMatch::default()
        ])));
        assert!(!is_catch_all(&route(vec![canary])));
    }
}
