//! The mesh: its own settings, telemetry, budgets, and each external caller and service.

use connectum_mesh_core::{ChainBudget, Mesh, MeshPath, RetryBudget, Telemetry, Tracing};

use super::security::lower_external;
use super::service::lower_service;
use super::{Lowering, SpanIndex};
use crate::errors::Errors;
use crate::syntax::mesh::MeshNode;

/// Lowers the mesh, reporting names that do not resolve and duplicate declarations.
pub fn lower(node: &MeshNode, errors: &mut Errors) -> (Mesh, SpanIndex) {
    let mut lowering = Lowering {
        index: SpanIndex::default(),
        errors,
    };
    let root = MeshPath::root();
    let namespace = lowering.required(node.namespace.as_ref(), &root.field("namespace"));
    let mut mesh = Mesh::builder().namespace(namespace).build();
    if let Some(mtls) = &node.mtls {
        lowering.index.record(&root.field("mtls"), mtls.span);
        mesh.mtls = mtls.value;
    }
    if let Some(given) = &node.injection {
        lowering
            .index
            .record(&root.field("sidecar_injection"), given.span());
    }
    if let Some(injection) = lowering.given(node.injection.as_ref(), &root.field("injection")) {
        mesh.sidecar_injection = injection;
    }
    if let Some(v) = lowering.given(node.trust_domain.as_ref(), &root.field("trust_domain")) {
        mesh.trust_domain = v;
    }
    mesh.part_of = lowering.given(node.part_of.as_ref(), &root.field("part_of"));
    if let Some(v) = lowering.given(node.app_label.as_ref(), &root.field("app_label")) {
        mesh.app_label = v;
    }
    if let Some(v) = lowering.given(node.version_label.as_ref(), &root.field("version_label")) {
        mesh.version_label = v;
    }
    if let Some(style) = &node.host_style {
        mesh.host_style = style.value;
    }
    if let (Some((first, _)), Some((_, last))) =
        (node.namespace_labels.first(), node.namespace_labels.last())
    {
        let all = first.span.to(last.span());
        lowering.index.record(&root.field("namespace_labels"), all);
    }
    for (key, value) in &node.namespace_labels {
        let path = root.field("namespace_labels").key(&key.value);
        let v = lowering.given(Some(value), &path);
        // Problems with the key and with the value both underline the whole entry.
        lowering.index.record(&path, key.span.to(value.span()));
        if let Some(v) = v {
            mesh.namespace_labels.insert(key.value.clone(), v);
        }
    }
    for (i, ns) in node.known_namespaces.iter().enumerate() {
        lowering
            .index
            .record(&root.index("known_namespaces", i), ns.span);
        mesh.known_namespaces.push(ns.value.clone());
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
    if let Some(total) = lowering.given(node.split_total.as_ref(), &root.field("split_total")) {
        mesh.split_total = total;
    }
    if let Some(t) = &node.telemetry {
        let path = root.field("telemetry");
        lowering.index.record(&path, t.name.span);
        let mut telemetry = Telemetry::builder().name(t.name.value.clone()).build();
        for (i, provider) in t.metrics.iter().enumerate() {
            lowering
                .index
                .record(&path.index("metrics_providers", i), provider.span);
        }
        for (i, provider) in t.access_log.iter().enumerate() {
            lowering
                .index
                .record(&path.index("access_log_providers", i), provider.span);
        }
        if let Some((providers, sampling)) = &t.tracing {
            for (i, provider) in providers.iter().enumerate() {
                let p = path.field("tracing").index("providers", i);
                lowering.index.record(&p, provider.span);
            }
            if let Some(given) = sampling {
                let p = path.field("tracing").field("sampling_percent");
                lowering.index.record(&p, given.span());
            }
            let mut tracing = Tracing::builder()
                .providers(providers.iter().map(|p| p.value.clone()).collect())
                .build();
            tracing.sampling_percent =
                lowering.given(sampling.as_ref(), &path.field("tracing").field("sampling"));
            telemetry.tracing = Some(tracing);
        }
        telemetry.metrics_providers = t.metrics.iter().map(|p| p.value.clone()).collect();
        telemetry.access_log_providers = t.access_log.iter().map(|p| p.value.clone()).collect();
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
        mesh.add_service(lowered);
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
