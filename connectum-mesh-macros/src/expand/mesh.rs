//! The mesh: `Mesh::builder()` with its settings, its `services` (each built in a function of
//! its own) and its `gateways`.

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

/// The statement that builds the services and the setters that put them and the gateways in a
/// mesh or fragment builder. The services are built first, into a fragment, because the
/// gateways' routes name subsets through the handles of those services
/// (`MeshFragment::service`); the `gateways` setter borrows it before `services` moves the
/// services out.
pub(super) fn services_and_gateways(node: &MeshNode) -> (TokenStream, TokenStream) {
    if node.services.is_empty() && node.gateways.is_empty() {
        return (TokenStream::new(), TokenStream::new());
    }
    let k = krate();
    let declared = mixed("services");
    let services = node.services.iter().map(service);
    let (build, builder) = service_builder();
    let builder = (!node.services.is_empty()).then_some(builder);
    let gateways = node.gateways.iter().map(|g| gateway(g, &declared));
    let prelude = quote! {
        #builder
        let #declared = #k::MeshFragment::builder()
            .services([#( #build(|| #services) ),*])
            .build();
    };
    let gateways = (!node.gateways.is_empty()).then(|| quote!(.gateways([#(#gateways),*])));
    (prelude, quote!(#gateways .services(#declared.services)))
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
    let (services, members) = services_and_gateways(node);
    quote!({
        #services
        #[allow(unused_mut)]
        let mut #mesh = #k::Mesh::builder() #(#setters)* #members .build();
        #(#after)*
        #mesh
    })
}
