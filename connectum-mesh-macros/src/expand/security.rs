//! Who may call whom: external callers and a service's `allow` rules.

use proc_macro2::Delimiter::{Bracket, Parenthesis};

use super::code::Code;
use super::value::{Handles, comma_separated, named_record, record};
use crate::syntax::security::{AllowNode, ExternalNode, SourceNode};

pub(super) fn service_account(code: &mut Code, text: &str) {
    // Read as `namespace/name` by the syntax, which refuses any other shape.
    let (ns, name) = text.split_once('/').unwrap_or(("", text));
    code.path("ServiceAccountRef::new(");
    code.str_lit(ns);
    code.push(", ");
    code.str_lit(name);
    code.push(")");
}

pub(super) fn external(code: &mut Code, node: &ExternalNode) {
    named_record(code, "ExternalCaller", &node.name.value, &node.fields);
}

/// `vec![..]` around what `items` writes.
pub(super) fn vec_macro(code: &mut Code, items: impl FnOnce(&mut Code)) {
    code.push("::std::vec!");
    code.group(Bracket, items);
}

/// `vec![AllowRule::builder().from([..]).build(), ..]`.
pub(super) fn allow_rules(code: &mut Code, rules: &[AllowNode]) {
    vec_macro(code, |code| {
        comma_separated(code, rules, |code, rule| {
            record(code, "AllowRule", &rule.fields, |_| {}, Handles::None);
        });
    });
}

/// `vec![Source::ServiceAccount(..), Source::Namespace(..)]` for an allow rule's `from`.
pub(super) fn sources(code: &mut Code, from: &[SourceNode]) {
    vec_macro(code, |code| {
        comma_separated(code, from, |code, source| match source {
            SourceNode::ServiceAccount(account) => {
                code.path("Source::ServiceAccount");
                code.group(Parenthesis, |code| service_account(code, &account.value));
            }
            SourceNode::Namespace(ns) => {
                code.path("Source::Namespace(");
                code.string(&ns.value);
                code.push(")");
            }
        });
    });
}
