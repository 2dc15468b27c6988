//! A route: `Route::builder()` with its matches, its target (a subset's handle, the service,
//! or a split over handles), timeout and retries.

use connectum_mesh_core::{RetryOn, StringMatch};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::value::{self, count, duration, krate, string, variant};
use crate::syntax::route::{RetriesNode, RouteNode, TargetNode};
use crate::syntax::service::ServiceNode;
use crate::syntax::value::Spanned;

fn retry_on(on: RetryOn) -> TokenStream {
    let name = match on {
        RetryOn::Unavailable => "Unavailable",
        RetryOn::DeadlineExceeded => "DeadlineExceeded",
        RetryOn::ResourceExhausted => "ResourceExhausted",
        RetryOn::Cancelled => "Cancelled",
        RetryOn::Internal => "Internal",
        RetryOn::ConnectFailure => "ConnectFailure",
        RetryOn::RefusedStream => "RefusedStream",
        RetryOn::FiveXx => "FiveXx",
        RetryOn::GatewayError => "GatewayError",
        RetryOn::Reset => "Reset",
        RetryOn::ResetBeforeRequest => "ResetBeforeRequest",
        RetryOn::Retriable4xx => "Retriable4xx",
        RetryOn::Status(code) => {
            let k = krate();
            return quote!(#k::RetryOn::Status(#code));
        }
        // RetryOn is non_exhaustive: a condition added later is written by its text.
        other => {
            let k = krate();
            let text = other.to_string();
            return quote!(match <#k::RetryOn as ::core::str::FromStr>::from_str(#text) {
                ::core::result::Result::Ok(on) => on,
                ::core::result::Result::Err(_) => ::core::unreachable!(),
            });
        }
    };
    variant("RetryOn", name)
}

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
    if let Some(retries) = &node.retries {
        let retries = retries_of(retries);
        setters.push(quote!(.retries(#retries)));
    }
    quote!(#k::Route::builder() #(#setters)* .build())
}

/// `MeshRetry::builder().attempts(..)...build()`, for a mesh route or a gateway route.
pub(super) fn retries_of(retries: &RetriesNode) -> TokenStream {
    let k = krate();
    let attempts = retries.attempts.as_ref().map_or_else(|| quote!(0), count);
    let per_try = retries.per_try_timeout.as_ref().map(|d| {
        let d = duration(d);
        quote!(.per_try_timeout(#d))
    });
    let on = (!retries.retry_on.is_empty()).then(|| {
        let on = retries.retry_on.iter().map(|o| retry_on(o.value));
        quote!(.retry_on(::std::vec![#(#on),*]))
    });
    quote!(#k::MeshRetry::builder().attempts(#attempts) #per_try #on .build())
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
