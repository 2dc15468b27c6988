//! A gateway: `Gateway::builder()` with where it runs, its listeners and its routes, whose
//! subset targets are the handles of the services declared before it.

use proc_macro2::Delimiter::Bracket;

use super::code::Code;
use super::security::vec_macro;
use super::value::{Handles, comma_separated, name_setter, named_record, setters};
use crate::syntax::gateway::{GatewayNode, GatewayRouteNode};

fn route(code: &mut Code, node: &GatewayRouteNode, mesh: &str) {
    code.path("GatewayRoute::builder()");
    name_setter(code, &node.name.value);
    setters(code, &node.fields, Handles::Mesh(mesh));
    code.push(".build()");
}

/// `Gateway::builder()...routes([..]).build()`, with `mesh` the local binding of the mesh its
/// services are already in.
pub(super) fn gateway(code: &mut Code, node: &GatewayNode, mesh: &str) {
    code.path("Gateway::builder()");
    name_setter(code, &node.name.value);
    setters(code, &node.fields, Handles::None);
    if !node.listeners.is_empty() {
        code.call(".listeners", |code| {
            vec_macro(code, |code| {
                comma_separated(code, &node.listeners, |code, listener| {
                    named_record(code, "Listener", &listener.name.value, &listener.fields);
                });
            });
        });
    }
    if !node.routes.is_empty() {
        code.call(".routes", |code| {
            code.group(Bracket, |code| {
                comma_separated(code, &node.routes, |code, r| route(code, r, mesh));
            });
        });
    }
    code.push(".build()");
}
