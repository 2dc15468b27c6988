//! Who may call whom: external callers and a service's `allow` rules.

use proc_macro2::TokenStream;
use quote::quote;

use super::value::{calls, krate, string};
use crate::syntax::security::{AllowNode, ExternalNode, SourceNode};

pub(super) fn service_account(text: &str) -> TokenStream {
    let k = krate();
    // Read as `namespace/name` by the syntax, which refuses any other shape.
    let (ns, name) = text.split_once('/').unwrap_or(("", text));
    quote!(#k::ServiceAccountRef::new(#ns, #name))
}

pub(super) fn external(node: &ExternalNode) -> TokenStream {
    let k = krate();
    let name = &node.name.value;
    let account = service_account(&node.service_account.value);
    let calls = calls(&node.calls);
    quote!(#k::ExternalCaller::builder().name(#name).service_account(#account).calls(#calls).build())
}

/// `vec![AllowRule::builder().from([..]).build(), ..]`.
pub(super) fn allow_rules(rules: &[AllowNode]) -> TokenStream {
    let k = krate();
    let rules = rules.iter().map(|rule| {
        let sources = rule.from.iter().map(|source| match source {
            SourceNode::ServiceAccount(account) => {
                let account = service_account(&account.value);
                quote!(#k::Source::ServiceAccount(#account))
            }
            SourceNode::Namespace(ns) => {
                let ns = string(&ns.value);
                quote!(#k::Source::Namespace(#ns))
            }
        });
        quote!(#k::AllowRule::builder().from(::std::vec![#(#sources),*]).build())
    });
    quote!(::std::vec![#(#rules),*])
}
