//! A fragment: `MeshFragment::new()`, then the same builder calls as the mesh's for each
//! external caller, chain budget, service (each built in a function of its own) and gateway.

use proc_macro2::TokenStream;
use quote::quote;

use super::gateway::gateway;
use super::mesh::{chain_budget, service_builder};
use super::security::external;
use super::service::service;
use super::value::{Handles, krate, mixed, scalar};
use crate::syntax::mesh::MeshNode;

/// The expression `mesh_fragment!` expands to.
pub fn fragment(node: &MeshNode) -> TokenStream {
    let k = krate();
    let fragment = mixed("fragment");
    let namespaces = node.fields.get("known_namespaces").map(|namespaces| {
        let namespaces = scalar(namespaces, Handles::None);
        quote!(#fragment.known_namespaces = #namespaces;)
    });
    let externals = node.externals.iter().map(external);
    let budgets = node.chain_budgets.iter().map(chain_budget);
    let services = node.services.iter().map(service);
    let (build, mut builder) = service_builder();
    if node.services.is_empty() {
        builder = TokenStream::new();
    }
    let gateways = node.gateways.iter().map(|g| gateway(g, &fragment));
    let edge = mixed("edge");
    quote!({
        #builder
        #[allow(unused_mut)]
        let mut #fragment = #k::MeshFragment::new();
        #namespaces
        #( #fragment.add_external_caller(#externals); )*
        #( #fragment.add_chain_budget(#budgets); )*
        #( #fragment.add_service(#build(|| #services)); )*
        #( { let #edge = #gateways; #fragment.add_gateway(#edge); } )*
        #fragment
    })
}
