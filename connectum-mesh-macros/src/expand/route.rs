//! A route: `Route::builder()` with its matches, its target (a subset's handle, the service,
//! or a split over handles), timeout and retries.

use connectum_mesh_core::StringMatch;
use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::value::{self, count, krate, string};
use crate::syntax::route::{RouteNode, TargetNode};
use crate::syntax::service::ServiceNode;
use crate::syntax::value::Spanned;

fn string_match(m: &StringMatch) -> TokenStream {
    let k = krate();
    match m {
        StringMatch::Exact(s) => quote!(#k::StringMatch::Exact(#s.to_owned())),
        StringMatch::Prefix(s) => quote!(#k::StringMatch::Prefix(#s.to_owned())),
        StringMatch::Regex(s) => quote!(#k::StringMatch::Regex(#s.to_owned())),
    }
}

fn handle<'a>(service: &ServiceNode, handles: &'a [Ident], name: &str) -> Option<&'a Ident> {
    service
        .subsets
        .iter()
        .position(|s| s.name.value == name)
        .and_then(|i| handles.get(i))
}

pub(super) fn route_of(node: &RouteNode, service: &ServiceNode, handles: &[Ident]) -> TokenStream {
    let k = krate();
    let mut setters = Vec::new();
    if let Some(name) = &node.name {
        let name = &name.value;
        setters.push(quote!(.name(#name)));
    }
    if !node.matches.is_empty() {
        let matches = node.matches.iter().map(|m| {
            let headers = header_matches(&m.headers);
            let uri = m.uri.as_ref().map(|uri| {
                let uri = string_match(&uri.value);
                quote!(.uri(#uri))
            });
            quote!(#k::RequestMatch::builder().headers(::std::vec![#(#headers),*]) #uri .build())
        });
        setters.push(quote!(.matches(::std::vec![#(#matches),*])));
    }
    match &node.target {
        Some(TargetNode::To(name)) => match handle(service, handles, &name.value) {
            Some(h) => setters.push(quote!(.target(&#h))),
            None => setters.push(quote!(.target(#k::RouteTarget::Service))),
        },
        Some(TargetNode::Split { legs, .. }) => {
            let legs = legs.iter().filter_map(|(name, weight)| {
                let h = handle(service, handles, &name.value)?;
                let weight = count(weight);
                Some(quote!(.weight(&#h, #weight)))
            });
            setters.push(quote!(.target(#k::Split::new() #(#legs)*)));
        }
        None => setters.push(quote!(.target(#k::RouteTarget::Service))),
    }
    setters.extend(value::setters(&node.fields));
    quote!(#k::Route::builder() #(#setters)* .build())
}

/// `HeaderMatch { name, value }` for each header condition.
pub(super) fn header_matches(
    headers: &[(Spanned<String>, Spanned<StringMatch>)],
) -> Vec<TokenStream> {
    let k = krate();
    headers
        .iter()
        .map(|(name, value)| {
            let name = string(&name.value);
            let value = string_match(&value.value);
            quote!(#k::HeaderMatch { name: #name, value: #value })
        })
        .collect()
}
