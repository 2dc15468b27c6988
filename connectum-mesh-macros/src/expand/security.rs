//! Who may call whom: external callers and a service's `allow` rules.

use proc_macro2::TokenStream;
use quote::quote;

use super::value::{Handles, krate, record, string};
use crate::syntax::security::{AllowNode, ExternalNode, SourceNode};

pub(super) fn service_account(text: &str) -> TokenStream {
    let k = krate();
    // Read as `namespace/name` by the syntax, which refuses any other shape.
    let (ns, name) = text.split_once('/').unwrap_or(("", text));
    quote!(#k::ServiceAccountRef::new(#ns, #name))
}

pub(super) fn external(node: &ExternalNode) -> TokenStream {
    let name = &node.name.value;
    record(
        "ExternalCaller",
        &node.fields,
        quote!(.name(#name)),
        Handles::None,
    )
}

/// `vec![AllowRule::builder().from([..]).build(), ..]`.
pub(super) fn allow_rules(rules: &[AllowNode]) -> TokenStream {
    let rules = rules
        .iter()
        .map(|rule| record("AllowRule", &rule.fields, TokenStream::new(), Handles::None));
    quote!(::std::vec![#(#rules),*])
}

/// `vec![Source::ServiceAccount(..), Source::Namespace(..)]` for an allow rule's `from`.
pub(super) fn sources(from: &[SourceNode]) -> TokenStream {
    let k = krate();
    let sources = from.iter().map(|source| match source {
        SourceNode::ServiceAccount(account) => {
            let account = service_account(&account.value);
            quote!(#k::Source::ServiceAccount(#account))
        }
        SourceNode::Namespace(ns) => {
            let ns = string(&ns.value);
            quote!(#k::Source::Namespace(#ns))
        }
    });
    quote!(::std::vec![#(#sources),*])
}
