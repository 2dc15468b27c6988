//! Who may call whom: external callers and a service's `allow` rules.

use connectum_mesh_core::{AllowRule, ExternalCaller, MeshPath, ServiceAccountRef};

use super::Lowering;
use crate::syntax::record::{Scalar, Scope};
use crate::syntax::security::{ALLOW, AllowNode, EXTERNAL, ExternalNode};
use crate::syntax::value::Given;

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
    for (i, node) in rules.iter().enumerate() {
        let p = path.index("allow", i);
        lowering.index.record(&p, node.span);
        if node.broken() {
            lowering.errors.covers(&p);
            lowering.errors.covers(&path.field("allow"));
        }
        let mut rule = AllowRule::default();
        lowering.record(&node.fields, ALLOW, &mut rule, &p, Scope::Free);
        allow.push(rule);
    }
    allow
}
