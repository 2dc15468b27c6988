//! A service: `Service::builder()` with its settings, then its subsets (keeping their
//! handles) and its routes.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::route::route_of;
use super::security::allow_rules;
use super::value::{Handles, krate, mixed, record, setters};
use crate::syntax::service::ServiceNode;

pub(super) fn service(node: &ServiceNode) -> TokenStream {
    let k = krate();
    let service = mixed("service");
    let name = &node.name.value;
    let mut setters = setters(&node.fields, Handles::None);
    if !node.allow.is_empty() {
        let rules = allow_rules(&node.allow);
        setters.push(quote!(.allow(#rules)));
    }
    let handles: Vec<Ident> = (0..node.subsets.len())
        .map(|i| mixed(&format!("subset_{i}")))
        .collect();
    let subsets = node.subsets.iter().map(|subset| {
        let name = &subset.name.value;
        record(
            "Subset",
            &subset.fields,
            quote!(.name(#name)),
            Handles::None,
        )
    });
    let routes = node
        .routes
        .iter()
        .map(|route| route_of(route, node, &handles));
    quote!({
        #[allow(unused_mut)]
        let mut #service = #k::Service::builder().name(#name) #(#setters)* .build();
        #( let #handles = #service.add_subset(#subsets); )*
        #( #service.add_route(#routes); )*
        #service
    })
}
