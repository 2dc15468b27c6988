//! The mesh: `Mesh::builder()` with its settings, then `add_service` for each service (each
//! built in a function of its own) and `add_gateway` for each gateway.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::gateway::gateway;
use super::security::external;
use super::service::service;
use super::value::{Handles, after, krate, mixed, record, setters};
use crate::syntax::mesh::{ChainBudgetNode, MeshNode};

/// `ChainBudget::builder().chain([..]).budget(..).build()` for `chain_budget { chain: [..],
/// calls: n }`.
pub(super) fn chain_budget(node: &ChainBudgetNode) -> TokenStream {
    record(
        "ChainBudget",
        &node.fields,
        TokenStream::new(),
        Handles::None,
    )
}

/// The helper each service is built through, and its name. Each service is built in a function
/// of its own (the helper, instantiated once per service's closure and never inlined), so
/// rustc's optimiser sees N small functions rather than one expression the size of the mesh,
/// and a release build grows linearly with it. A closure rather than a plain `fn` keeps the
/// user's expressions able to name local variables.
pub(super) fn service_builder() -> (Ident, TokenStream) {
    let k = krate();
    let build = mixed("__connectum_mesh_service");
    let helper = quote! {
        #[inline(never)]
        fn #build<F: ::core::ops::FnOnce() -> #k::Service>(service: F) -> #k::Service {
            service()
        }
    };
    (build, helper)
}

/// The expression `mesh!` expands to.
pub fn mesh(node: &MeshNode) -> TokenStream {
    let k = krate();
    let mesh = mixed("mesh");
    let mut setters = setters(&node.fields, Handles::None);
    if !node.chain_budgets.is_empty() {
        let budgets = node.chain_budgets.iter().map(chain_budget);
        setters.push(quote!(.chain_budgets(::std::vec![#(#budgets),*])));
    }
    if let Some(t) = &node.telemetry {
        let name = &t.name.value;
        let telemetry = record("Telemetry", &t.fields, quote!(.name(#name)), Handles::None);
        setters.push(quote!(.telemetry(#telemetry)));
    }
    if !node.externals.is_empty() {
        let callers = node.externals.iter().map(external);
        setters.push(quote!(.external_callers(::std::vec![#(#callers),*])));
    }
    let after = after(&node.fields, &mesh);
    let services = node.services.iter().map(service);
    let (build, builder) = service_builder();
    let gateways = node.gateways.iter().map(|g| gateway(g, &mesh));
    let edge = mixed("edge");
    quote!({
        #builder
        #[allow(unused_mut)]
        let mut #mesh = #k::Mesh::builder() #(#setters)* .build();
        #(#after)*
        #( #mesh.add_service(#build(|| #services)); )*
        #( { let #edge = #gateways; #mesh.add_gateway(#edge); } )*
        #mesh
    })
}
