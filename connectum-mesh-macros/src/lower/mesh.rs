//! The mesh: its own settings, telemetry, budgets, and each external caller, service and
//! gateway.

use connectum_mesh_core::{ChainBudget, Code, Level, Mesh, MeshPath, RetryBudget, Telemetry};

use super::gateway::lower_gateway;
use super::security::lower_external;
use super::service::lower_service;
use super::{Lowering, SpanIndex};
use crate::errors::Errors;
use crate::syntax::mesh::{MESH, MeshNode, TELEMETRY};
use crate::syntax::record::Scope;

/// Lowers the mesh, reporting names that do not resolve and duplicate declarations.
pub fn lower(node: &MeshNode, errors: &mut Errors) -> (Mesh, SpanIndex) {
    let mut lowering = Lowering {
        index: SpanIndex::default(),
        errors,
    };
    let root = MeshPath::root();
    let mut mesh = Mesh::builder().namespace(String::new()).build();
    lowering.record(&node.fields, MESH, &mut mesh, &root, Scope::Free);
    for (level, code) in &node.lints {
        let level = match *level {
            "Allow" => Level::Allow,
            "Warn" => Level::Warn,
            _ => Level::Deny,
        };
        mesh.lint(Code(code.value), level);
    }
    if lowering.given(node.deny_warnings.as_ref(), &root.field("deny_warnings")) == Some(true) {
        mesh.deny_warnings();
    }
    if let Some(calls) = lowering.given(node.retry_budget.as_ref(), &root.field("retry_budget")) {
        mesh.retry_budget = RetryBudget::calls(calls);
    }
    for (i, budget) in node.chain_budgets.iter().enumerate() {
        let chain: Vec<String> = budget.chain.iter().map(|s| s.value.clone()).collect();
        let path = root.index("chain_budgets", i);
        lowering.index.record(&path, budget.span);
        let calls = lowering.given(budget.calls.as_ref(), &path.field("calls"));
        mesh.chain_budgets.push(ChainBudget {
            chain,
            budget: calls.map_or(RetryBudget::DEFAULT, RetryBudget::calls),
        });
    }
    if let Some(t) = &node.telemetry {
        let path = root.field("telemetry");
        lowering.index.record(&path, t.name.span);
        let mut telemetry = Telemetry::builder().name(t.name.value.clone()).build();
        lowering.record(&t.fields, TELEMETRY, &mut telemetry, &path, Scope::Free);
        mesh.telemetry = Some(telemetry);
    }
    for (i, external) in node.externals.iter().enumerate() {
        let path = MeshPath::external_caller(&external.name.value);
        lowering.index.record(&path, external.name.span);
        lowering
            .index
            .record(&root.index("external_callers", i), external.name.span);
        let caller = lower_external(&mut lowering, external, &path, &mesh.namespace);
        mesh.external_callers.push(caller);
    }
    for (i, service) in node.services.iter().enumerate() {
        let path = MeshPath::service(&service.name.value);
        lowering.index.record(&path, service.name.span);
        lowering
            .index
            .record(&root.index("services", i), service.name.span);
        let lowered = lower_service(&mut lowering, service, &path);
        mesh.services.push(lowered);
    }
    for (i, gateway) in node.gateways.iter().enumerate() {
        let path = MeshPath::gateway(&gateway.name.value);
        lowering.index.record(&path, gateway.name.span);
        lowering
            .index
            .record(&root.index("gateways", i), gateway.name.span);
        let lowered = lower_gateway(&mut lowering, &mesh, gateway, &path);
        mesh.gateways.push(lowered);
    }
    (mesh, lowering.index)
}

#[cfg(test)]
mod tests {
    use crate::lower::test_support::{CANARY, lowered};
    use connectum_mesh_core::{Duration, RouteTarget, SubsetRef};
    use quote::quote;

    #[test]
    fn lowers_literals_into_the_model() {
        let (mesh, _, errors) = lowered(quote! {
            namespace: connectum,
            service order-service {
                image: "order:1.0.0",
                subset stable {}
                subset canary { replicas: 1 }
                route { split: { stable: 90, canary: 10 }, timeout: 1m30s }
            }
        });
        assert!(errors.is_empty(), "{:?}", errors.messages());
        let service = &mesh.services[0];
        assert_eq!(service.name, CANARY);
        assert_eq!(service.subsets[1].replicas, Some(1));
        let RouteTarget::Split(split) = &service.routes[0].target else {
            panic!("a split")
        };
        assert_eq!(split.total(), 100);
        assert_eq!(split.legs[1].subset, SubsetRef::unchecked(CANARY, "canary"));
        assert_eq!(service.routes[0].timeout, Some(Duration::from_secs(90)));
    }
}
