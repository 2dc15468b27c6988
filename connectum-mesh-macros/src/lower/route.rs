//! A route: its matches, its destination (a subset, the service, or a split), timeout and
//! retries.

use connectum_mesh_core::{
    HeaderMatch, MeshPath, RequestMatch, Route, RouteTarget, Service, Split, StringMatch, SubsetRef,
};

use super::Lowering;
use crate::syntax::route::{ROUTE, RouteNode, TargetNode};
use crate::syntax::value::Spanned;

/// A route's `to: canary` or a split leg's subset. A name the service does not declare is
/// kept as an unchecked reference, which the checker reports (CM0201) with the closest name.
fn target(service: &Service, name: &str) -> RouteTarget {
    if name == service.name {
        return RouteTarget::Service;
    }
    RouteTarget::Subset(
        service
            .subset(name)
            .unwrap_or_else(|| SubsetRef::unchecked(&service.name, name)),
    )
}

pub(super) fn lower_route(
    lowering: &mut Lowering,
    service: &Service,
    node: &RouteNode,
    path: &MeshPath,
) -> Route {
    let mut matches = Vec::new();
    for (k, m) in node.matches.iter().enumerate() {
        let p = path.index("matches", k);
        lowering.index.record(&p, m.span);
        lowering.index.record(&path.field("match"), m.span);
        let mut request = RequestMatch::builder()
            .headers(lower_headers(lowering, &m.headers, &p))
            .build();
        if let Some(uri) = &m.uri {
            lowering.index.record(&p.field("uri"), uri.span);
            request.uri = Some(uri.value.clone());
        }
        matches.push(request);
    }
    let target = match &node.target {
        Some(TargetNode::To(name)) => {
            lowering.index.record(&path.field("target"), name.span);
            Some(target(service, &name.value))
        }
        Some(TargetNode::Split { span, legs }) => {
            let p = path.field("split");
            lowering.index.record(&p, *span);
            let mut split = Split::new();
            for (j, (name, weight)) in legs.iter().enumerate() {
                let leg = p.leg(j);
                lowering.index.record(&leg, name.span.to(weight.span()));
                let weight = lowering.given(Some(weight), &leg.field("weight"));
                let subset = match target(service, &name.value) {
                    RouteTarget::Subset(subset) => subset,
                    _ => SubsetRef::unchecked(&service.name, &name.value),
                };
                split = split.weight(&subset, weight.unwrap_or(0));
            }
            Some(RouteTarget::Split(split))
        }
        None => None,
    };
    let mut route = Route::builder()
        .target(target.unwrap_or(RouteTarget::Service))
        .matches(matches)
        .build();
    route.name = node.name.as_ref().map(|n| n.value.clone());
    lowering.record(&node.fields, ROUTE, &mut route, path);
    route
}

/// A match's header conditions, each recorded at `headers[i]` under `path`.
pub(super) fn lower_headers(
    lowering: &mut Lowering,
    headers: &[(Spanned<String>, Spanned<StringMatch>)],
    path: &MeshPath,
) -> Vec<HeaderMatch> {
    headers
        .iter()
        .enumerate()
        .map(|(h, (name, value))| {
            lowering
                .index
                .record(&path.index("headers", h), name.span.to(value.span));
            HeaderMatch {
                name: name.value.clone(),
                value: value.value.clone(),
            }
        })
        .collect()
}
