//! A route: its matches, its destination (a subset, the service, or a split), timeout and
//! retries, all keys of its table, whose names resolve among the service's subsets.

use connectum_mesh_core::{MeshPath, Route, RouteTarget, Service};

use super::Lowering;
use crate::syntax::record::Scope;
use crate::syntax::route::{ROUTE, RouteNode};

pub(super) fn lower_route(
    lowering: &mut Lowering,
    service: &Service,
    node: &RouteNode,
    path: &MeshPath,
) -> Route {
    let mut route = Route::builder().target(RouteTarget::Service).build();
    route.name = node.name.as_ref().map(|n| n.value.clone());
    lowering.record(
        &node.fields,
        ROUTE,
        &mut route,
        path,
        Scope::Service(service),
    );
    route
}
