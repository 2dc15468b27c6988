//! The mesh: its own settings, telemetry, budgets, and each external caller, service and
//! gateway.

use connectum_mesh_core::{ChainBudget, Mesh, MeshPath, RetryBudget, Telemetry};

use super::gateway::lower_gateway;
use super::security::lower_external;
use super::service::lower_service;
use super::{Lowering, SpanIndex};
use crate::errors::Errors;
use crate::syntax::mesh::{CHAIN_BUDGET, MESH, MeshNode, TELEMETRY};
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
    for (i, node) in node.chain_budgets.iter().enumerate() {
        let path = root.index("chain_budgets", i);
        lowering.index.record(&path, node.span);
        let mut budget = ChainBudget::new(Vec::<String>::new(), RetryBudget::DEFAULT);
        lowering.record(&node.fields, CHAIN_BUDGET, &mut budget, &path, Scope::Free);
        mesh.chain_budgets.push(budget);
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
        let caller = lower_external(&mut lowering, external, &path);
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
    use connectum_mesh_core::{Duration, MeshPath, RouteTarget, SubsetRef};
    use quote::quote;

    #[test]
    fn the_keys_once_read_by_hand_land_in_the_model_from_their_rows() {
        use connectum_mesh_core::diag::Level;
        use connectum_mesh_core::{
            AppTls, Code, GatewayClass, GatewayMatch, GatewayRuntime, HeaderMatch, RetryBudget,
            Scaling, ServiceAccountRef,
        };
        let (mesh, index, errors) = lowered(quote! {
            namespace: connectum,
            retry_budget: 12,
            deny: [CM0302],
            allow: CM0460,
            deny_warnings: true,
            service order-service { image: "order:1.0.0", replicas: 3, app_tls: "/etc/tls" }
            service billing { image: "billing:1.0.0", autoscale: { min_replicas: 2, max_replicas: 5 } }
            gateway edge {
                runtime: envoy_gateway edge,
                service_account: connectum/envoy-gateway,
                route orders {
                    match: [
                        { grpc_service: "shop.Orders", grpc_method: "Create" },
                        { path_prefix: "/v1", headers: { x-canary: "true" } },
                    ],
                    target: order-service,
                }
            }
        });
        assert!(errors.is_empty(), "{:?}", errors.messages());
        assert_eq!(mesh.retry_budget, RetryBudget::calls(12));
        assert_eq!(mesh.lints.level(Code("CM0302")), Some(Level::Deny));
        assert_eq!(mesh.lints.level(Code("CM0460")), Some(Level::Allow));
        assert_eq!(mesh.services[0].scaling, Scaling::Replicas(3));
        assert_eq!(
            mesh.services[0].app_tls,
            Some(AppTls::builder().dir_path("/etc/tls").build())
        );
        assert!(matches!(&mesh.services[1].scaling, Scaling::Autoscale(a) if a.max_replicas == 5));
        let edge = &mesh.gateways[0];
        assert_eq!(
            edge.runtime,
            GatewayRuntime::from(GatewayClass::envoy_gateway("edge"))
        );
        assert_eq!(
            edge.service_account,
            Some(ServiceAccountRef::new("connectum", "envoy-gateway"))
        );
        assert_eq!(
            edge.routes[0].matches,
            [
                GatewayMatch::grpc_method("shop.Orders", "Create"),
                GatewayMatch::path_prefix("/v1").header(HeaderMatch::exact("x-canary", "true")),
            ]
        );
        let second = MeshPath::gateway("edge")
            .index("routes", 0)
            .index("matches", 1);
        for path in [second.field("path_prefix"), second.index("headers", 0)] {
            assert!(index.has(&path), "{path:?}");
        }
        assert!(index.has(&MeshPath::service(CANARY).field("scaling")));
    }

    #[test]
    fn a_replica_count_known_at_run_time_leaves_the_scaling_rules_to_run_time() {
        let (_, index, _) = lowered(quote! {
            namespace: connectum,
            service order-service { image: "order:1.0.0", replicas: (replicas()) }
        });
        let scaling = MeshPath::service(CANARY).field("scaling");
        let diagnostic = crate::lower::test_support::diagnostic(scaling, "0 replicas");
        assert!(index.depends_on_runtime(&diagnostic));
    }

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
