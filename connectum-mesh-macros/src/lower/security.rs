//! Who may call whom: external callers and a service's `allow` rules.

use connectum_mesh_core::{AllowRule, ExternalCaller, MeshPath, ServiceAccountRef, Source};

use super::Lowering;
use crate::syntax::record::{Scalar, Scope};
use crate::syntax::security::{AllowNode, EXTERNAL, ExternalNode, SourceNode};
use crate::syntax::value::Given;

/// `namespace/name`, or `name` in the mesh's namespace.
pub(super) fn service_account(text: &str, namespace: &str) -> ServiceAccountRef {
    match text.split_once('/') {
        Some((ns, name)) => ServiceAccountRef::new(ns, name),
        None => ServiceAccountRef::new(namespace, text),
    }
}

pub(super) fn lower_external(
    lowering: &mut Lowering,
    node: &ExternalNode,
    path: &MeshPath,
) -> ExternalCaller {
    let mut caller = ExternalCaller::builder()
        .name(node.name.value.clone())
        .service_account(ServiceAccountRef::new("", ""))
        .build();
    lowering.record(&node.fields, EXTERNAL, &mut caller, path, Scope::Free);
    // Its calls are the first hop of call chains, and the checker may name them as the
    // caller's own (`service envoy-gateway › calls[0]`).
    if let Some(Scalar::Calls(calls)) = node.fields.get("calls") {
        for (i, call) in calls.iter().enumerate() {
            let as_service = MeshPath::service(&node.name.value).index("calls", i);
            lowering.index.record(&as_service, call.span());
            if let Given::Literal(call) = call {
                lowering
                    .index
                    .call(&node.name.value, &call.value, call.span);
            }
        }
    }
    caller
}

/// A service's `allow` rules, in order.
pub(super) fn lower_allow(
    lowering: &mut Lowering,
    rules: &[AllowNode],
    path: &MeshPath,
) -> Vec<AllowRule> {
    let mut allow = Vec::new();
    if let (Some(first), Some(last)) = (rules.first(), rules.last()) {
        lowering
            .index
            .record(&path.field("allow"), first.span.to(last.span));
    }
    for (i, rule) in rules.iter().enumerate() {
        let p = path.index("allow", i);
        lowering.index.record(&p, rule.span);
        if rule.broken {
            lowering.errors.covers(&p);
            lowering.errors.covers(&path.field("allow"));
        }
        let mut from = Vec::new();
        for (j, source) in rule.from.iter().enumerate() {
            lowering.index.record(&p.index("from", j), source.span());
            from.push(match source {
                SourceNode::ServiceAccount(account) => {
                    Source::ServiceAccount(service_account(&account.value, ""))
                }
                SourceNode::Namespace(ns) => Source::Namespace(ns.value.clone()),
            });
        }
        allow.push(AllowRule::builder().from(from).build());
    }
    allow
}
