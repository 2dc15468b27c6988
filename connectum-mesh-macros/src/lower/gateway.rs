//! A gateway: where it runs, its listeners, and its routes, each the first hop of the call
//! chains behind it.

use connectum_mesh_core::{
    Gateway, GatewayRoute, GatewayTarget, Listener, ListenerProtocol, Mesh, MeshPath,
};

use super::Lowering;
use crate::syntax::gateway::{GATEWAY, GATEWAY_ROUTE, GatewayNode, GatewayRouteNode, LISTENER};
use crate::syntax::record::{Scalar, Scope};

pub(super) fn lower_gateway(
    lowering: &mut Lowering,
    mesh: &Mesh,
    node: &GatewayNode,
    path: &MeshPath,
) -> Gateway {
    let mut gateway = Gateway::builder().name(node.name.value.clone()).build();
    lowering.record(&node.fields, GATEWAY, &mut gateway, path, Scope::Mesh(mesh));
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
    let mut route = GatewayRoute::builder()
        .name(node.name.value.clone())
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
