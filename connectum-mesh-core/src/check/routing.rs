//! Routing rules: routes must reach declared subsets that run pods, splits must mean what their
//! numbers say, and every route and match must be able to match something.

use crate::diag::registry::{
    DUPLICATE_MATCH, DUPLICATE_ROUTE_NAME, EMPTY_SPLIT, NO_CATCH_ALL_ROUTE, REPEATED_SPLIT_SUBSET,
    SINGLE_LEG_WEIGHT, SPLIT_TOTAL, SPLIT_ZERO_TOTAL, SUBSET_WITHOUT_PODS, SUBSETS_WITHOUT_ROUTES,
    UNDECLARED_SUBSET, UNREACHABLE_ROUTE,
};
use crate::diag::{Diagnostics, MeshPath, did_you_mean};
use crate::model::{
    Mesh, RequestMatch, Route, RouteTarget, Scaling, Service, StringMatch, SubsetRef,
};

use super::matching::uri_takes_every_path;

pub(super) fn run(mesh: &Mesh, out: &mut Diagnostics) {
    for service in &mesh.services {
        let path = MeshPath::service(&service.name);
        for (index, route) in service.routes.iter().enumerate() {
            let route_path = path.index("routes", index);
            check_undeclared_subsets(service, route, &route_path, out);
            check_subsets_have_pods(service, route, &route_path, out);
            check_split(mesh, route, &route_path, out);
            super::matching::check_route(route, &route_path, out);
        }
        check_duplicate_route_names(service, &path, out);
        check_unreachable_routes(service, &path, out);
        check_subsets_without_routes(service, &path, out);
        check_catch_all_route(service, &path, out);
    }
}

/// One destination of a route: where it is written, the subset, and whether it gets traffic.
struct Destination<'a> {
    path: MeshPath,
    subset: &'a SubsetRef,
    receives_traffic: bool,
}

/// The subsets a route sends to (none for a route to the whole service).
fn destinations<'a>(route: &'a Route, route_path: &MeshPath) -> Vec<Destination<'a>> {
    match &route.target {
        RouteTarget::Subset(subset) => vec![Destination {
            path: route_path.clone(),
            subset,
            receives_traffic: true,
        }],
        RouteTarget::Split(split) => split
            .legs
            .iter()
            .enumerate()
            .map(|(index, leg)| Destination {
                path: route_path.join("split").index("legs", index),
                subset: &leg.subset,
                receives_traffic: leg.weight > 0 || split.legs.len() == 1,
            })
            .collect(),
        RouteTarget::Service => Vec::new(),
    }
}

/// A route to a subset the service does not declare has no Envoy cluster behind it: every request
/// it takes fails with 503.
fn check_undeclared_subsets(
    service: &Service,
    route: &Route,
    route_path: &MeshPath,
    out: &mut Diagnostics,
) {
    let declared = || service.subsets.iter().map(|s| s.name.as_str());
    for destination in destinations(route, route_path) {
        let subset = destination.subset;
        let diagnostic = if subset.service() != service.name {
            let help = if service.subset(subset.name()).is_some() {
                format!(
                    "use `{}`'s own handle for `{}`",
                    service.name,
                    subset.name()
                )
            } else {
                format!(
                    "routes of `{}` can target only its subsets: {}",
                    service.name,
                    list(declared())
                )
            };
            UNDECLARED_SUBSET
                .at(
                    destination.path,
                    format!(
                        "targets subset `{}` of service `{}`, but this route belongs to `{}`",
                        subset.name(),
                        subset.service(),
                        service.name
                    ),
                )
                .with_help(help)
        } else if service.subset(subset.name()).is_none() {
            UNDECLARED_SUBSET
                .at(
                    destination.path,
                    format!(
                        "targets subset `{}`, which service `{}` does not declare",
                        subset.name(),
                        service.name
                    ),
                )
                .with_help(did_you_mean(
                    subset.name(),
                    declared(),
                    format!(
                        "declare it with `add_subset`; declared subsets: {}",
                        list(declared())
                    ),
                ))
        } else {
            continue;
        };
        out.push(diagnostic);
    }
}

/// A subset whose Deployment runs no pods answers every request it is sent with 503.
fn check_subsets_have_pods(
    service: &Service,
    route: &Route,
    route_path: &MeshPath,
    out: &mut Diagnostics,
) {
    for destination in destinations(route, route_path) {
        if !destination.receives_traffic || destination.subset.service() != service.name {
            continue;
        }
        let Some(index) = service
            .subsets
            .iter()
            .position(|s| s.name == destination.subset.name())
        else {
            continue;
        };
        if fixed_replicas(service, index) == Some(0) {
            out.push(
                SUBSET_WITHOUT_PODS
                    .at(
                        destination.path,
                        format!(
                            "sends traffic to subset `{}`, whose Deployment runs 0 replicas",
                            destination.subset.name()
                        ),
                    )
                    .with_help(
                        "give the subset at least 1 replica, or give it weight 0 in the split",
                    ),
            );
        }
    }
}

/// The replicas a subset's Deployment runs, or `None` when an autoscaler decides.
fn fixed_replicas(service: &Service, subset_index: usize) -> Option<u32> {
    let primary = subset_index == 0;
    let subset_replicas = service.subsets.get(subset_index).and_then(|s| s.replicas);
    match (&service.scaling, subset_replicas) {
        (Scaling::Autoscale(_), _) if primary => None,
        (_, Some(replicas)) => Some(replicas),
        (Scaling::Replicas(replicas), None) if primary => Some(*replicas),
        _ => Some(1),
    }
}

/// A split must have destinations, a positive total (both Istio rules), and by this library's
/// policy total the mesh's split total, so `90/10` means 90% and 10%.
fn check_split(mesh: &Mesh, route: &Route, route_path: &MeshPath, out: &mut Diagnostics) {
    let RouteTarget::Split(split) = &route.target else {
        return;
    };
    let path = route_path.join("split");
    let total = split.total();
    match split.legs.len() {
        0 => out.push(
            EMPTY_SPLIT
                .at(path.clone(), "the split has no destinations; Istio refuses a route without one")
                .with_help("add legs with `Split::weight`, or target one subset directly"),
        ),
        1 if total != mesh.split_total => out.push(
            SINGLE_LEG_WEIGHT
                .at(
                    path.index("legs", 0),
                    format!(
                        "the only destination has weight {total}, but Istio sends it all traffic"
                    ),
                )
                .with_help(format!(
                    "add the other legs of the split, or target the subset directly (weight {})",
                    mesh.split_total
                )),
        ),
        1 => {}
        _ if total == 0 => out.push(
            SPLIT_ZERO_TOTAL
                .at(path.clone(), "every weight of the split is 0; Istio refuses the route")
                .with_help("give at least one leg a positive weight"),
        ),
        _ if total != mesh.split_total && mesh.split_total > 0 => out.push(
            SPLIT_TOTAL
                .at(
                    path.clone(),
                    format!("weights total {total}, not the mesh's split total {}", mesh.split_total),
                )
                .with_help(format!(
                    "make them total {}, or set the mesh's split_total to {total} if finer steps are meant",
                    mesh.split_total
                )),
        ),
        _ => {}
    }
    for (index, leg) in split.legs.iter().enumerate() {
        if split.legs[..index].iter().any(|l| l.subset == leg.subset) {
            out.push(
                REPEATED_SPLIT_SUBSET
                    .at(
                        path.index("legs", index),
                        format!(
                            "subset `{}` appears more than once in the split",
                            leg.subset.name()
                        ),
                    )
                    .with_help("name each subset once, with the sum of its weights"),
            );
        }
    }
}

/// Istio takes the first route that matches: a route after a catch-all, or whose matches all
/// repeat earlier ones, is dead; a match covered by an earlier one never selects its route.
fn check_unreachable_routes(service: &Service, path: &MeshPath, out: &mut Diagnostics) {
    let catch_all = [RequestMatch::default()];
    let matches_of = |route: &Route| -> Vec<RequestMatch> {
        if route.matches.is_empty() {
            catch_all.to_vec()
        } else {
            route.matches.clone()
        }
    };
    let mut earlier: Vec<(usize, RequestMatch)> = Vec::new();
    for (index, route) in service.routes.iter().enumerate() {
        let matches = matches_of(route);
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
        let route_path = path.index("routes", index);
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
            out.push(UNREACHABLE_ROUTE.at(route_path, message).with_help(help));
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
                            route_path.index("matches", match_index),
                            format!("this match repeats or is covered by {whose}, so it never selects this route"),
                        )
                        .with_help("remove it, or make it more specific than the earlier match"),
                );
            }
        }
        earlier.extend(matches.into_iter().map(|m| (index, m)));
    }
}

/// Route names name Envoy's route stats and this library's diagnostics; two routes with one name
/// make both ambiguous (and `mesh!` refers to routes by name).
fn check_duplicate_route_names(service: &Service, path: &MeshPath, out: &mut Diagnostics) {
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
                    path.index("routes", index),
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
        .map(|(index, subset)| (subset.name.as_str(), fixed_replicas(service, index)))
        .filter(|(_, replicas)| *replicas != Some(0))
        .collect()
}

/// Without routes no VirtualService is rendered and the Service, which selects every subset's
/// pods, spreads requests by pod count: the canary silently takes a share nobody chose.
fn check_subsets_without_routes(service: &Service, path: &MeshPath, out: &mut Diagnostics) {
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
                path.clone(),
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
fn check_catch_all_route(service: &Service, path: &MeshPath, out: &mut Diagnostics) {
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
                path.index("routes", last),
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

/// "`a`, `b`, `c`", or "none".
fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<String> = names.map(|n| format!("`{n}`")).collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HeaderMatch;

    fn uri(uri: StringMatch) -> RequestMatch {
        RequestMatch::builder().uri(uri).build()
    }

    #[test]
    fn broader_matches_cover_narrower_ones() {
        let canary = RequestMatch::header(HeaderMatch::exact("x-canary", "true"));
        let canary_admin = RequestMatch::builder()
            .headers(vec![HeaderMatch::exact("x-canary", "true")])
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
