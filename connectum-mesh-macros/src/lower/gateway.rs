//! A gateway: where it runs, its listeners, and its routes, each the first hop of the call
//! chains behind it.

use connectum_mesh_core::{
    Gateway, GatewayClass, GatewayMatch, GatewayRoute, GatewayRuntime, GatewayTarget, Listener,
    ListenerProtocol, Mesh, MeshPath, Split, SubsetRef,
};

use super::Lowering;
use super::route::lower_headers;
use super::security::service_account;
use crate::errors::Codes;
use crate::syntax::gateway::{
    EdgeMatchNode, EdgeRequestNode, GATEWAY_ROUTE, GatewayNode, GatewayRouteNode, LISTENER,
    RuntimeNode,
};
use crate::syntax::record::FromScalar;
use crate::syntax::route::TargetNode;
use crate::syntax::value::Spanned;

/// `service/subset` as a subset of a declared service (an undeclared one is kept unchecked, and
/// the checker reports it with the closest name), or `None` when the name has no `/`.
pub(super) fn qualified_subset(mesh: &Mesh, name: &str) -> Option<SubsetRef> {
    let (service, subset) = name.split_once('/')?;
    Some(
        mesh.service(service)
            .and_then(|s| s.subset(subset))
            .unwrap_or_else(|| SubsetRef::unchecked(service, subset)),
    )
}

pub(super) fn lower_gateway(
    lowering: &mut Lowering,
    mesh: &Mesh,
    node: &GatewayNode,
    path: &MeshPath,
) -> Gateway {
    let mut gateway = Gateway::builder().name(node.name.value.clone()).build();
    if let Some(runtime) = &node.runtime {
        let p = path.field("runtime");
        lowering.index.record(&p, runtime.span());
        gateway.runtime = match runtime {
            RuntimeNode::IstioIngress(_) => GatewayRuntime::istio_ingress(),
            RuntimeNode::IstioClass(_) => GatewayClass::istio().into(),
            RuntimeNode::EnvoyGateway(name) => GatewayClass::envoy_gateway(&name.value).into(),
            RuntimeNode::Class(class) => {
                lowering.scalar(class, "runtime", &p, path);
                GatewayClass::from_scalar(class)
                    .unwrap_or_else(GatewayClass::istio)
                    .into()
            }
        };
    }
    if let Some(account) = &node.service_account {
        lowering
            .index
            .record(&path.field("service_account"), account.span);
        gateway.service_account = Some(service_account(&account.value, &mesh.namespace));
    }
    for (i, listener) in node.listeners.iter().enumerate() {
        let p = path.index("listeners", i);
        lowering.index.record(&p, listener.name.span);
        lowering.index.record(&p.field("name"), listener.name.span);
        let mut lowered = Listener::builder()
            .name(listener.name.value.clone())
            .port(0)
            .protocol(ListenerProtocol::Http)
            .build();
        lowering.record(&listener.fields, LISTENER, &mut lowered, &p);
        gateway.listeners.push(lowered);
    }
    for (i, route) in node.routes.iter().enumerate() {
        let p = path.index("routes", i);
        lowering.index.record(&p, route.span);
        lowering.index.record(&p.field("name"), route.name.span);
        let lowered = lower_route(lowering, mesh, &node.name.value, route, &p);
        gateway.routes.push(lowered);
    }
    gateway
}

fn lower_route(
    lowering: &mut Lowering,
    mesh: &Mesh,
    gateway: &str,
    node: &GatewayRouteNode,
    path: &MeshPath,
) -> GatewayRoute {
    let matches = lower_matches(lowering, &node.matches, path);
    let target = node
        .target
        .as_ref()
        .and_then(|target| lower_target(lowering, mesh, target, &path.field("target")));
    let mut route = GatewayRoute::builder()
        .name(node.name.value.clone())
        .matches(matches)
        .target(target.unwrap_or_else(|| GatewayTarget::service(String::new())))
        .build();
    lowering.record(&node.fields, GATEWAY_ROUTE, &mut route, path);
    // The edge hop is the first call of every chain through this route: a chain diagnostic
    // lands on the route's target.
    let span = node.target.as_ref().map(target_span);
    for service in route.target.services() {
        if let Some(span) = span {
            lowering.index.call(gateway, service, span);
        }
    }
    route
}

fn target_span(target: &TargetNode) -> crate::syntax::tree::SpanRange {
    match target {
        TargetNode::To(name) => name.span,
        TargetNode::Split { span, .. } => *span,
    }
}

fn lower_matches(
    lowering: &mut Lowering,
    matches: &[EdgeMatchNode],
    path: &MeshPath,
) -> Vec<GatewayMatch> {
    if let (Some(first), Some(last)) = (matches.first(), matches.last()) {
        lowering
            .index
            .record(&path.field("matches"), first.span.to(last.span));
    }
    let mut lowered = Vec::new();
    for (k, m) in matches.iter().enumerate() {
        let p = path.index("matches", k);
        lowering.index.record(&p, m.span);
        let mut edge = match &m.request {
            EdgeRequestNode::Grpc { service, method } => {
                lowering
                    .index
                    .record(&p.field("grpc_service"), service.span);
                match method {
                    Some(method) => {
                        lowering.index.record(&p.field("grpc_method"), method.span);
                        GatewayMatch::grpc_method(&service.value, &method.value)
                    }
                    None => GatewayMatch::grpc_service(&service.value),
                }
            }
            EdgeRequestNode::PathPrefix(prefix) => {
                lowering.index.record(&p.field("path_prefix"), prefix.span);
                GatewayMatch::path_prefix(&prefix.value)
            }
        };
        for header in lower_headers(lowering, &m.headers, &p) {
            edge = edge.header(header);
        }
        lowered.push(edge);
    }
    lowered
}

/// `target: service`, `target: service/subset` or `split: { service/subset: weight, .. }`.
fn lower_target(
    lowering: &mut Lowering,
    mesh: &Mesh,
    target: &TargetNode,
    path: &MeshPath,
) -> Option<GatewayTarget> {
    lowering.index.record(path, target_span(target));
    match target {
        TargetNode::To(name) => Some(qualified_subset(mesh, &name.value).map_or_else(
            || GatewayTarget::service(&name.value),
            GatewayTarget::Subset,
        )),
        TargetNode::Split { legs, .. } => {
            let mut split = Split::new();
            for (j, (name, weight)) in legs.iter().enumerate() {
                let leg = path.leg(j);
                lowering.index.record(&leg, name.span.to(weight.span()));
                let Some(subset) = qualified_subset(mesh, &name.value) else {
                    unqualified(lowering, name);
                    continue;
                };
                let weight = lowering.given(Some(weight), &leg.field("weight"));
                split = split.weight(&subset, weight.unwrap_or(0));
            }
            Some(GatewayTarget::Split(split))
        }
    }
}

fn unqualified(lowering: &mut Lowering, name: &Spanned<String>) {
    lowering.errors.at_with_help(
        name.span,
        Codes::WRONG_VALUE,
        format!(
            "a gateway split's leg names a subset with its service: `{}` has no `/`",
            name.value
        ),
        format!("write `service/{}`", name.value),
    );
}
