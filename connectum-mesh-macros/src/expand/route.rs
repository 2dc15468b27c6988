//! A route: `Route::builder()` with its keys, whose subset names are the handles of the
//! service's subsets.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::value::{self, Handles, krate};
use crate::syntax::route::RouteNode;
use crate::syntax::service::ServiceNode;

pub(super) fn route_of(node: &RouteNode, service: &ServiceNode, handles: &[Ident]) -> TokenStream {
    let k = krate();
    let name = node.name.as_ref().map(|name| {
        let name = &name.value;
        quote!(.name(#name))
    });
    let handles = Handles::Service {
        subsets: &service.subsets,
        handles,
    };
    let setters = value::setters(&node.fields, handles);
    quote!(#k::Route::builder() #name #(#setters)* .build())
}
