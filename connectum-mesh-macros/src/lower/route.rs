//! A route: its matches, its destination (a subset, the service, or a split), timeout and
//! retries.

use connectum_mesh_core::{
    HeaderMatch, MeshPath, MeshRetry, RequestMatch, Route, RouteTarget, Service, Split, SubsetRef,
};

use super::Lowering;
use crate::syntax::route::{RouteNode, TargetNode};

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
        let mut request = RequestMatch::default();
        for (h, (name, value)) in m.headers.iter().enumerate() {
            lowering
                .index
                .record(&p.index("headers", h), name.span.to(value.span));
            request.headers.push(HeaderMatch {
                name: name.value.clone(),
                value: value.value.clone(),
            });
        }
        if let Some(uri) = &m.uri {
            lowering.index.record(&p.field("uri"), uri.span);
            request.uri = Some(uri.value.clone());
        }
        matches.push(request);
    }
    let target = match &node.target {
        Some(TargetNode::To(name)) => {
            lowering.index.record(&path.field("to"), name.span);
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
    route.timeout = lowering.given(node.timeout.as_ref(), &path.field("timeout"));
    if let Some(retries) = &node.retries {
        let p = path.field("retries");
        lowering.index.record(&p, retries.span);
        let attempts = lowering.given(retries.attempts.as_ref(), &p.field("attempts"));
        let mut retry = MeshRetry::builder().attempts(attempts.unwrap_or(0)).build();
        retry.per_try_timeout = lowering.given(
            retries.per_try_timeout.as_ref(),
            &p.field("per_try_timeout"),
        );
        for (i, on) in retries.retry_on.iter().enumerate() {
            lowering.index.record(&p.index("retry_on", i), on.span);
            retry.retry_on.push(on.value);
        }
        route.retries = Some(retry);
    }
    route
}
