//! A gateway: where it runs, its listeners, and its routes, each the first hop of the call
//! chains behind it.

use connectum_mesh_core::{
    Gateway, GatewayClass, GatewayMatch, GatewayRoute, GatewayRuntime, GatewayTarget, HeaderMatch,
    Listener, ListenerProtocol, Mesh, MeshPath,
};

use super::Lowering;
use super::security::service_account;
use crate::syntax::gateway::{
    EdgeMatchNode, EdgeRequestNode, GATEWAY_ROUTE, GatewayNode, GatewayRouteNode, LISTENER,
    RuntimeNode,
};
use crate::syntax::record::{FromScalar, Scalar, Scope};

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
                GatewayClass::from_scalar(class, Scope::Free)
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
        lowering.record(&listener.fields, LISTENER, &mut lowered, &p, Scope::Free);
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
    let mut route = GatewayRoute::builder()
        .name(node.name.value.clone())
        .matches(matches)
        .target(GatewayTarget::service(String::new()))
        .build();
    lowering.record(
        &node.fields,
        GATEWAY_ROUTE,
        &mut route,
        path,
        Scope::Mesh(mesh),
    );
    // The edge hop is the first call of every chain through this route: a chain diagnostic
    // lands on the route's target.
    let target = node
        .fields
        .get("target")
        .or_else(|| node.fields.get("split"));
    if let Some(span) = target.map(Scalar::span) {
        for service in route.target.services() {
            lowering.index.call(gateway, service, span);
        }
    }
    route
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
        if let Some(headers) = &m.headers {
            lowering.scalar(headers, "headers", &p.field("headers"), &p);
            for header in Vec::<HeaderMatch>::from_scalar(headers, Scope::Free).unwrap_or_default()
            {
                edge = edge.header(header);
            }
        }
        lowered.push(edge);
    }
    lowered
}
