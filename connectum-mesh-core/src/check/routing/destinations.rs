//! Where routes send traffic: declared subsets of their own service that run pods, and splits
//! whose weights mean what their numbers say.

use crate::diag::registry::{
    EMPTY_SPLIT, REPEATED_SPLIT_SUBSET, SINGLE_LEG_WEIGHT, SPLIT_TOTAL, SPLIT_ZERO_TOTAL,
    SUBSET_WITHOUT_PODS, UNDECLARED_SUBSET,
};
use crate::diag::{Diagnostics, MeshPath, did_you_mean};

use super::super::LazyPath;
use crate::model::{Mesh, Route, RouteTarget, Service, SubsetRef};

/// One destination of a route: where it is written, the subset, and whether it gets traffic.
pub(in crate::check) struct Destination<'a> {
    /// The leg of the split it is, or `None` for the route's one `target`.
    leg: Option<usize>,
    pub(in crate::check) subset: &'a SubsetRef,
    pub(in crate::check) receives_traffic: bool,
}

impl Destination<'_> {
    /// Where it is written, under the route at `route_path`.
    pub(in crate::check) fn path(&self, route_path: &LazyPath<'_>) -> MeshPath {
        match self.leg {
            None => route_path().field("target"),
            Some(index) => route_path().field("split").leg(index),
        }
    }
}

/// The subsets a route sends to (none for a route to the whole service).
pub(in crate::check) fn destinations(route: &Route) -> impl Iterator<Item = Destination<'_>> {
    let (target, legs) = match &route.target {
        RouteTarget::Subset(subset) => (Some(subset), &[][..]),
        RouteTarget::Split(split) => (None, split.legs.as_slice()),
        RouteTarget::Service => (None, &[][..]),
    };
    let one = target.map(|subset| Destination {
        leg: None,
        subset,
        receives_traffic: true,
    });
    let split = legs
        .iter()
        .enumerate()
        .map(move |(index, leg)| Destination {
            leg: Some(index),
            subset: &leg.subset,
            receives_traffic: leg.weight > 0 || legs.len() == 1,
        });
    one.into_iter().chain(split)
}

/// A route to a subset the service does not declare has no Envoy cluster behind it: every request
/// it takes fails with 503.
pub(super) fn check_undeclared_subsets(
    service: &Service,
    route: &Route,
    route_path: &LazyPath<'_>,
    out: &mut Diagnostics,
) {
    let declared = || service.subsets.iter().map(|s| s.name.as_str());
    for destination in destinations(route) {
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
                    destination.path(route_path),
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
                    destination.path(route_path),
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
pub(super) fn check_subsets_have_pods(
    service: &Service,
    route: &Route,
    route_path: &LazyPath<'_>,
    out: &mut Diagnostics,
) {
    for destination in destinations(route) {
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
        if service.deployment_replicas(index) == Some(0) {
            out.push(
                SUBSET_WITHOUT_PODS
                    .at(
                        destination.path(route_path),
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

/// A split must have destinations, a positive total (both Istio rules), and by this library's
/// policy total the mesh's split total, so `90/10` means 90% and 10%.
pub(super) fn check_split(
    mesh: &Mesh,
    route: &Route,
    route_path: &LazyPath<'_>,
    out: &mut Diagnostics,
) {
    let RouteTarget::Split(split) = &route.target else {
        return;
    };
    let path = || route_path().field("split");
    let total = split.total();
    match split.legs.len() {
        0 => out.push(
            EMPTY_SPLIT
                .at(path(), "the split has no destinations; Istio refuses a route without one")
                .with_help("add legs with `Split::weight`, or target one subset directly"),
        ),
        1 if total != mesh.split_total => out.push(
            SINGLE_LEG_WEIGHT
                .at(
                    path().leg(0),
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
                .at(path(), "every weight of the split is 0; Istio refuses the route")
                .with_help("give at least one leg a positive weight"),
        ),
        _ if total != mesh.split_total && mesh.split_total > 0 => out.push(
            SPLIT_TOTAL
                .at(
                    path(),
                    format!("weights total {total}, not the mesh's split total {}", mesh.split_total),
                )
                .with_help(if total > mesh.split_total && [1000, 10_000].contains(&total) {
                    // Weights in per mille read as finer steps, not as a slip.
                    format!(
                        "make them total {}, or set the mesh's split_total to {total} for finer steps",
                        mesh.split_total
                    )
                } else {
                    format!("make them total {}", mesh.split_total)
                }),
        ),
        _ => {}
    }
    for (index, leg) in split.legs.iter().enumerate() {
        if split.legs[..index].iter().any(|l| l.subset == leg.subset) {
            out.push(
                REPEATED_SPLIT_SUBSET
                    .at(
                        path().leg(index),
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

/// "`a`, `b`, `c`", or "none".
fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<String> = names.map(|n| format!("`{n}`")).collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}
