//! A service: its workload settings, probes, resources, subsets, routes and policies.

use connectum_mesh_core::{MeshPath, Service, Subset};

use super::Lowering;
use super::route::lower_route;
use super::security::lower_allow;
use crate::syntax::record::{Scalar, Scope};
use crate::syntax::service::{SERVICE, SUBSET, ServiceNode};
use crate::syntax::value::Given;

pub(super) fn lower_service(
    lowering: &mut Lowering,
    node: &ServiceNode,
    path: &MeshPath,
) -> Service {
    let mut service = Service::builder()
        .name(node.name.value.clone())
        .image(String::new())
        .build();
    lowering.record(&node.fields, SERVICE, &mut service, path, Scope::Free);
    if let Some(Scalar::Calls(calls)) = node.fields.get("calls") {
        for call in calls {
            if let Given::Literal(call) = call {
                lowering
                    .index
                    .call(&node.name.value, &call.value, call.span);
            }
        }
    }
    for (i, subset) in node.subsets.iter().enumerate() {
        let p = path.subset(&subset.name.value);
        lowering.index.record(&p, subset.name.span);
        lowering
            .index
            .record(&path.index("subsets", i), subset.name.span);
        let mut lowered = Subset::builder().name(subset.name.value.clone()).build();
        lowering.record(&subset.fields, SUBSET, &mut lowered, &p, Scope::Free);
        service.add_subset(lowered);
    }
    for (i, route) in node.routes.iter().enumerate() {
        let p = path.route(i);
        lowering.index.record(&p, route.span);
        if let Some(name) = &route.name {
            lowering.index.record(&p.field("name"), name.span);
        }
        let lowered = lower_route(lowering, &service, route, &p);
        service.add_route(lowered);
    }
    service
        .allow
        .extend(lower_allow(lowering, &node.allow, path));
    service
}

#[cfg(test)]
mod tests {
    use crate::lower::test_support::lowered;
    use quote::quote;

    #[test]
    fn a_duplicate_route_name_is_the_checkers_to_report_at_the_name() {
        let (mesh, index, errors) = lowered(quote! {
            namespace: connectum,
            service order-service {
                image: "order:1.0.0",
                route primary { to: order-service }
                route primary { to: order-service }
            }
        });
        assert!(errors.is_empty(), "{:?}", errors.messages());
        let diagnostics = connectum_mesh_core::check(&mesh);
        let duplicate = diagnostics
            .errors()
            .find(|d| d.code.as_str() == "CM0232")
            .expect("the checker refuses the second name");
        assert_eq!(
            duplicate.path,
            connectum_mesh_core::MeshPath::service("order-service")
                .route(1)
                .field("name")
        );
        assert!(!index.depends_on_runtime(duplicate));
    }
}

#[cfg(test)]
mod zero_downtime_tests {
    use crate::lower::test_support::lowered;
    use connectum_mesh_core::{
        DisruptionBudget, Duration, GracefulShutdown, MeshMode, PodCount, Rollout, SidecarMode,
        SpreadPolicy,
    };
    use quote::quote;

    #[test]
    fn the_zero_downtime_keys_land_in_the_model_as_the_builders_put_them() {
        let (mesh, _, errors) = lowered(quote! {
            namespace: shop,
            sidecars: native,
            deny_by_default: true,
            service orders {
                image: "orders:1.0.0",
                replicas: 4,
                shutdown: {
                    pre_stop_sleep: 3s, pre_stop_shell: true, timeout: 20s,
                    hold_until_proxy_starts: false, margin: 2s,
                },
                rollout: { max_unavailable: 1, allow_zero_ready: true },
                disruption_budget: min_available "50%",
                spread_policy: DoNotSchedule,
            }
            service billing { image: "billing:1.0.0", replicas: 2, disruption_budget: max_unavailable 1 }
            service batch { image: "batch:1.0.0", disruption_budget: disabled }
        });
        assert!(errors.is_empty(), "{:?}", errors.messages());
        assert_eq!(mesh.sidecars, SidecarMode::Native);
        assert_eq!(mesh.mode, MeshMode::Istio);
        assert!(mesh.deny_by_default);
        let orders = &mesh.services[0];
        let shutdown = GracefulShutdown::builder()
            .pre_stop_sleep(Duration::from_secs(3))
            .pre_stop_shell(true)
            .timeout(Duration::from_secs(20))
            .hold_until_proxy_starts(false)
            .margin(Duration::from_secs(2))
            .build();
        assert_eq!(orders.shutdown, shutdown);
        let rollout = Rollout::builder()
            .max_unavailable(1)
            .allow_zero_ready(true)
            .build();
        assert_eq!(orders.rollout, rollout);
        assert_eq!(
            orders.disruption_budget,
            DisruptionBudget::MinAvailable(PodCount::Percent(50))
        );
        assert_eq!(orders.spread_policy, SpreadPolicy::DoNotSchedule);
        assert_eq!(
            mesh.services[1].disruption_budget,
            DisruptionBudget::MaxUnavailable(PodCount::Pods(1))
        );
        assert_eq!(
            mesh.services[2].disruption_budget,
            DisruptionBudget::Disabled
        );
        let diagnostics = connectum_mesh_core::check(&mesh);
        assert!(!diagnostics.has_errors(), "{diagnostics}");
    }

    #[test]
    fn a_disruption_budget_that_blocks_drains_is_refused_at_its_token() {
        let (mesh, index, errors) = lowered(quote! {
            namespace: shop,
            mode: none,
            service orders { image: "orders:1.0.0", replicas: 2, disruption_budget: min_available 2 }
            service billing { image: "billing:1.0.0", disruption_budget: max_unavailable "150%" }
            service batch { image: "batch:1.0.0", disruption_budget: most_unavailable 1 }
        });
        assert_eq!(mesh.mode, MeshMode::None);
        let codes: Vec<String> = errors
            .messages()
            .iter()
            .map(|m| m[..6].to_owned())
            .collect();
        assert_eq!(codes, ["CM0909", "CM0908"], "{:?}", errors.messages());
        assert!(errors.messages()[1].contains("did you mean `max_unavailable`?"));
        let diagnostics = connectum_mesh_core::check(&mesh);
        let blocked = diagnostics
            .errors()
            .find(|d| d.code.as_str() == "CM0554")
            .expect("min_available 2 of 2 pods blocks every drain");
        assert!(!index.depends_on_runtime(blocked));
    }
}
