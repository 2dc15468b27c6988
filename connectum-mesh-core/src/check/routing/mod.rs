//! Routing rules: routes must reach declared subsets that run pods, splits must mean what their
//! numbers say, and every route and match must be able to match something.
//!
//! [`destinations`] checks where routes send traffic (declared subsets with pods, splits that
//! add up), [`matches`] what Istio accepts in a match, [`reachability`] which routes and
//! requests can ever be matched.

mod destinations;

pub(super) use destinations::destinations;
mod matches;
mod reachability;

use crate::diag::{Diagnostics, MeshPath};

use crate::model::Mesh;

pub(super) fn run(mesh: &Mesh, out: &mut Diagnostics) {
    for service in &mesh.services {
        let path = || MeshPath::service(&service.name);
        for (index, route) in service.routes.iter().enumerate() {
            let route_path = || path().route(index);
            destinations::check_undeclared_subsets(service, route, &route_path, out);
            destinations::check_subsets_have_pods(service, route, &route_path, out);
            destinations::check_split(mesh, route, &route_path, out);
            matches::check_route(route, &route_path, out);
        }
        reachability::check_duplicate_route_names(service, &path, out);
        reachability::check_unreachable_routes(service, &path, out);
        reachability::check_subsets_without_routes(service, &path, out);
        reachability::check_catch_all_route(service, &path, out);
    }
}
