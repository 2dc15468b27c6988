//! A fragment: `MeshFragment::builder()` with the same setters as the mesh's for its external
//! callers, chain budgets, services (each built in a function of its own) and gateways.

use proc_macro2::TokenStream;
use quote::quote;

use super::mesh::{chain_budget, services_and_gateways};
use super::security::external;
use super::value::{Handles, krate, scalar};
use crate::syntax::mesh::MeshNode;

/// The expression `mesh_fragment!` expands to.
pub fn fragment(node: &MeshNode) -> TokenStream {
    let k = krate();
    let namespaces = node.fields.get("known_namespaces").map(|namespaces| {
        let namespaces = scalar(namespaces, Handles::None);
        quote!(.known_namespaces(#namespaces))
    });
    let externals = node.externals.iter().map(external);
    let budgets = node.chain_budgets.iter().map(chain_budget);
    let (services, members) = services_and_gateways(node);
    quote!({
        #services
        #k::MeshFragment::builder()
            #namespaces
            .external_callers([#(#externals),*])
            .chain_budgets([#(#budgets),*])
            #members
            .build()
    })
}
