//! Who may call whom: external callers and a service's `allow` rules.

use connectum_mesh_core::ExternalCaller;
use connectum_mesh_core::diag::did_you_mean;

use super::Fields;
use super::mesh::node_name;
use super::record::{Kind, Record, record_of, table};
use super::tree::{Block, Name, SpanRange, Value};
use super::value::{Spanned, name, wrong};
use crate::errors::{Codes, Errors};

/// `external envoy-gateway { service_account: connectum/envoy-gateway, calls: [order-service] }`.
pub struct ExternalNode {
    /// Its name.
    pub name: Spanned<String>,
    /// The keys of [`EXTERNAL`] that were written, `service_account` among them.
    pub fields: Record,
}

table! {
    /// The keys of `external name { ... }`: `ExternalCaller::builder()`'s setters.
    pub EXTERNAL for ExternalCaller {
        service_account: Kind::ServiceAccount => required();
        calls: Kind::Calls;
    }
}

/// `allow { from: [service_account connectum/envoy-gateway, namespace connectum] }`.
pub struct AllowNode {
    /// The `allow` keyword and body.
    pub span: SpanRange,
    /// The sources, any of which suffices.
    pub from: Vec<SourceNode>,
    /// Whether a source was malformed (and reported): the rule lost it, so what the checker
    /// says about who it admits is a follow-on.
    pub broken: bool,
}

/// One admitted source.
pub enum SourceNode {
    /// `service_account namespace/name` (or `service_account name`: the mesh's namespace).
    ServiceAccount(Spanned<String>),
    /// `namespace name`.
    Namespace(Spanned<String>),
}

impl SourceNode {
    /// Where it is written.
    pub fn span(&self) -> SpanRange {
        match self {
            Self::ServiceAccount(s) | Self::Namespace(s) => s.span,
        }
    }
}

/// Reads `external name { ... }`.
pub fn external(
    kind: &Name,
    name: Option<&Name>,
    body: &Block,
    errors: &mut Errors,
) -> Option<ExternalNode> {
    let name = node_name(kind, name, errors);
    let fields = record_of(body, "external caller", EXTERNAL, errors);
    // A caller without its account is left out: it was reported, and the checker would only
    // repeat it as a caller no rule admits.
    fields.get("service_account")?;
    Some(ExternalNode {
        name: name?,
        fields,
    })
}

const SOURCE_KINDS: [&str; 2] = ["service_account", "namespace"];

/// Reads `allow { from: [...] }`.
pub fn allow(kind: &Name, body: &Block, errors: &mut Errors) -> AllowNode {
    let mut fields = Fields::new(body, "allow rule");
    let written: Vec<&Value> = match fields.require("from", errors) {
        Some(Value::List { items, .. }) => items.iter().collect(),
        Some(single) => vec![single],
        None => Vec::new(),
    };
    let from: Vec<SourceNode> = written.iter().filter_map(|i| source(i, errors)).collect();
    fields.finish(errors);
    AllowNode {
        span: kind.span.to(body.span),
        broken: from.len() < written.len(),
        from,
    }
}

fn source(value: &Value, errors: &mut Errors) -> Option<SourceNode> {
    let Value::Tagged { tag, value } = value else {
        wrong(
            errors,
            value,
            "`service_account namespace/name` or `namespace name`",
        );
        return None;
    };
    let target = name(value, errors)?;
    match tag.text.as_str() {
        "service_account" => account(value, errors).map(SourceNode::ServiceAccount),
        "namespace" => Some(SourceNode::Namespace(target)),
        other => {
            let message = format!("`{other}` is not a kind of source");
            let help = did_you_mean(
                other,
                SOURCE_KINDS,
                "write `service_account namespace/name` or `namespace name`",
            );
            errors.at_with_help(tag.span, Codes::UNKNOWN_WORD, message, help);
            None
        }
    }
}

/// `namespace/name`: the namespace is written out, as in the principal Istio matches.
pub fn account(value: &Value, errors: &mut Errors) -> Option<Spanned<String>> {
    let account = name(value, errors)?;
    let parts: Vec<&str> = account.value.split('/').collect();
    if parts.len() == 2 && parts.iter().all(|p| !p.is_empty()) {
        return Some(account);
    }
    errors.at_with_help(
        account.span,
        Codes::WRONG_VALUE,
        format!("`{}` is not a service account", account.value),
        "write it as `namespace/name`, e.g. `connectum/envoy-gateway`",
    );
    None
}

#[cfg(test)]
mod tests {
    use crate::syntax::record::Scalar;
    use crate::syntax::test_support::read;
    use quote::quote;

    #[test]
    fn service_accounts_are_written_with_their_namespace() {
        let (mesh, errors) = read(quote! {
            namespace: connectum,
            external envoy-gateway { service_account: connectum/envoy-gateway }
            service order-service {
                image: "order:1.0.0",
                allow { from: [service_account envoy-gateway, namespace connectum] }
                allow { from: [principal connectum/x] }
            }
        });
        assert!(
            matches!(mesh.externals[0].fields.get("service_account"), Some(Scalar::ServiceAccount(a)) if a.value == "connectum/envoy-gateway")
        );
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].contains("`envoy-gateway` is not a service account"));
        assert!(errors[1].contains("`principal` is not a kind of source"));
    }
}
