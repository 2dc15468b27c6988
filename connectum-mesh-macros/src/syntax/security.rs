//! Who may call whom: external callers and a service's `allow` rules.

use connectum_mesh_core::diag::did_you_mean;
use connectum_mesh_core::{AllowRule, ExternalCaller};

use super::mesh::node_name;
use super::record::{Kind, Record, Scalar, record_of, table};
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
    /// The keys of [`ALLOW`] that were written.
    pub fields: Record,
}

impl AllowNode {
    /// Whether a source was malformed (and reported): the rule lost it, so what the checker
    /// says about who it admits is a follow-on.
    pub fn broken(&self) -> bool {
        matches!(self.fields.get("from"), Some(Scalar::Sources(_, _, true)))
    }
}

table! {
    /// The keys of `allow { ... }`: `AllowRule::builder()`'s setters.
    pub ALLOW for AllowRule {
        from: Kind::Sources => required();
    }
}

/// One admitted source.
#[derive(Clone, Debug)]
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
    AllowNode {
        span: kind.span.to(body.span),
        fields: record_of(body, "allow rule", ALLOW, errors),
    }
}

/// The sources of an allow rule, one or a list, and whether one was malformed (and reported).
pub fn sources(value: &Value, errors: &mut Errors) -> (Vec<SourceNode>, bool) {
    let written: Vec<&Value> = match value {
        Value::List { items, .. } => items.iter().collect(),
        single => vec![single],
    };
    let from: Vec<SourceNode> = written.iter().filter_map(|i| source(i, errors)).collect();
    let broken = from.len() < written.len();
    (from, broken)
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
    use super::Scalar;
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
