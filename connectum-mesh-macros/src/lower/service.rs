//! A service: its workload settings, probes, resources, subsets, routes and policies.

use connectum_mesh_core::{
    AppTls, Autoscaler, MeshPath, Probe, Probes, Quantity, Resources, Scaling, Service, Subset,
};

use super::Lowering;
use super::route::lower_route;
use super::security::lower_allow;
use crate::syntax::record::{FromScalar, Scalar};
use crate::syntax::service::{
    ProbeSetting, ProbesNode, ResourcesNode, SERVICE, SUBSET, ServiceNode,
};
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
    lowering.record(&node.fields, SERVICE, &mut service, path);
    if let Some(Scalar::Names(calls)) = node.fields.get("calls") {
        for call in calls {
            lowering
                .index
                .call(&node.name.value, &call.value, call.span);
        }
    }
    let scaling = path.field("scaling");
    if let Some(replicas) = &node.replicas {
        lowering.index.record(&scaling, replicas.span());
        if let Some(replicas) = lowering.given(Some(replicas), &path.field("replicas")) {
            service.scaling = Scaling::Replicas(replicas);
        }
    }
    if let Some(autoscale) = &node.autoscale {
        lowering.scalar(autoscale, "autoscale", &scaling, path);
        if let Some(autoscaler) = Autoscaler::from_scalar(autoscale) {
            service.scaling = Scaling::Autoscale(autoscaler);
        }
    }
    service.resources = node
        .resources
        .as_ref()
        .map(|r| lower_resources(lowering, r, &path.field("resources")));
    service.sidecar = node
        .sidecar
        .as_ref()
        .map(|r| lower_resources(lowering, r, &path.field("sidecar")));
    if let Some(dir) = lowering.given(node.app_tls.as_ref(), &path.field("app_tls")) {
        service.app_tls = Some(AppTls::builder().dir_path(dir).build());
    }
    if let Some(probes) = &node.probes {
        lower_probes(lowering, probes, &mut service.probes, &path.field("probes"));
    }
    for (i, subset) in node.subsets.iter().enumerate() {
        let p = path.subset(&subset.name.value);
        lowering.index.record(&p, subset.name.span);
        lowering
            .index
            .record(&path.index("subsets", i), subset.name.span);
        let mut lowered = Subset::builder().name(subset.name.value.clone()).build();
        lowering.record(&subset.fields, SUBSET, &mut lowered, &p);
        service.add_subset(lowered);
    }
    let mut seen = Vec::new();
    for (i, route) in node.routes.iter().enumerate() {
        let p = path.route(i);
        lowering.index.record(&p, route.span);
        if let Some(name) = &route.name {
            lowering.duplicate(&mut seen, name, "route", &p);
        }
        let lowered = lower_route(lowering, &service, route, &p);
        service.add_route(lowered);
    }
    service
        .allow
        .extend(lower_allow(lowering, &node.allow, path));
    service
}

fn lower_probes(lowering: &mut Lowering, node: &ProbesNode, probes: &mut Probes, path: &MeshPath) {
    lowering.index.record(path, node.span);
    for (kind, setting) in &node.probes {
        let p = path.field(kind);
        let lowered = match setting {
            ProbeSetting::Off(span) => {
                lowering.index.record(&p, *span);
                None
            }
            ProbeSetting::On(probe) => {
                lowering.scalar(probe, kind, &p, path);
                Probe::from_scalar(probe)
            }
        };
        match *kind {
            "startup" => probes.startup = lowered,
            "liveness" => probes.liveness = lowered,
            _ => probes.readiness = lowered,
        }
    }
}

fn lower_resources(lowering: &mut Lowering, node: &ResourcesNode, path: &MeshPath) -> Resources {
    lowering.index.record(path, node.span);
    let mut q = |given: &Option<Given<Quantity>>, key: &'static str| {
        lowering.given(given.as_ref(), &path.field(key))
    };
    let mut resources = Resources::default();
    resources.cpu_request = q(&node.cpu_request, "cpu_request");
    resources.cpu_limit = q(&node.cpu_limit, "cpu_limit");
    resources.memory_request = q(&node.memory_request, "memory_request");
    resources.memory_limit = q(&node.memory_limit, "memory_limit");
    resources
}

#[cfg(test)]
mod tests {
    use crate::lower::test_support::lowered;
    use quote::quote;

    #[test]
    fn duplicate_route_names_are_reported_once() {
        let (_, _, errors) = lowered(quote! {
            namespace: connectum,
            service order-service {
                image: "order:1.0.0",
                route primary { to: order-service }
                route primary { to: order-service }
            }
        });
        assert_eq!(errors.messages().len(), 1);
        assert!(errors.messages()[0].starts_with("CM0910"));
    }
}
