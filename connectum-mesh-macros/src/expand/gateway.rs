//! A gateway: `Gateway::builder()` with where it runs, its listeners and its routes, whose
//! subset targets are the handles of the services declared before it.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::value::{Handles, krate, record, setters};
use crate::syntax::gateway::{GatewayNode, GatewayRouteNode};

fn route(node: &GatewayRouteNode, mesh: &Ident) -> TokenStream {
    let k = krate();
    let name = &node.name.value;
    let setters = setters(&node.fields, Handles::Mesh(mesh));
    quote!(#k::GatewayRoute::builder().name(#name) #(#setters)* .build())
}

/// `Gateway::builder()...routes([..]).build()`, with `mesh` the mesh its services are already
/// in.
pub(super) fn gateway(node: &GatewayNode, mesh: &Ident) -> TokenStream {
    let k = krate();
    let name = &node.name.value;
    let mut setters = setters(&node.fields, Handles::None);
    if !node.listeners.is_empty() {
        let listeners = node.listeners.iter().map(|listener| {
            let name = &listener.name.value;
            record(
                "Listener",
                &listener.fields,
                quote!(.name(#name)),
                Handles::None,
            )
        });
        setters.push(quote!(.listeners(::std::vec![#(#listeners),*])));
    }
    if !node.routes.is_empty() {
        let routes = node.routes.iter().map(|r| route(r, mesh));
        setters.push(quote!(.routes([#(#routes),*])));
    }
    quote!(#k::Gateway::builder().name(#name) #(#setters)* .build())
}
