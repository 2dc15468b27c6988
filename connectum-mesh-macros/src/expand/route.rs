//! A route: `Route::builder()` with its keys, whose subset names are the handles of the
//! service's subsets.

use super::code::Code;
use super::value::{self, Handles, name_setter};
use crate::syntax::route::RouteNode;
use crate::syntax::service::ServiceNode;

pub(super) fn route_of(code: &mut Code, node: &RouteNode, service: &ServiceNode) {
    code.path("Route::builder()");
    if let Some(name) = &node.name {
        name_setter(code, &name.value);
    }
    let handles = Handles::Service {
        subsets: &service.subsets,
    };
    value::setters(code, &node.fields, handles);
    code.push(".build()");
}
