//! A service: its workload settings, probes, resources, subsets, routes and policies.

use connectum_mesh_core::{
    AppTls, Autoscaler, GracefulShutdown, MeshPath, Probe, Probes, Quantity, Resources, Scaling,
    ScalingRule, Service, Subset,
};

use super::Lowering;
use super::resilience::{lower_interceptors, lower_traffic_policy};
use super::route::lower_route;
use super::security::lower_allow;
use crate::syntax::service::{ProbeSetting, ProbesNode, ResourcesNode, ServiceNode};
use crate::syntax::value::{Given, Record};

pub(super) fn lower_service(
    lowering: &mut Lowering,
    node: &ServiceNode,
    path: &MeshPath,
) -> Service {
    let image = lowering.required(node.image.as_ref(), &path.field("image"));
    let mut service = Service::builder()
        .name(node.name.value.clone())
        .image(image)
        .build();
    service.app_version = lowering.given(node.app_version.as_ref(), &path.field("app_version"));
    if let Some(port) = lowering.given(node.port.as_ref(), &path.field("port")) {
        service.port = u16::try_from(port).unwrap_or(u16::MAX);
    }
    if let Some(given) = &node.replicas {
        lowering.index.record(&path.field("scaling"), given.span());
    }
    if let Some(replicas) = lowering.given(node.replicas.as_ref(), &path.field("replicas")) {
        service.scaling = Scaling::Replicas(replicas);
    }
    if let Some(record) = &node.autoscale {
        let p = path.field("autoscale");
        lowering.index.record(&p, record.span);
        lowering.index.record(&path.field("scaling"), record.span);
        let mut autoscaler = Autoscaler::builder()
            .min_replicas(lowering.count(record, "min_replicas", &p).unwrap_or(1))
            .max_replicas(lowering.count(record, "max_replicas", &p).unwrap_or(1))
            .build();
        autoscaler.cpu_utilization = lowering.count(record, "cpu_utilization", &p);
        autoscaler.memory_utilization = lowering.count(record, "memory_utilization", &p);
        let mut rule = |rule: &Option<Record>, key: &'static str| {
            let rule = rule.as_ref()?;
            let r = p.field(key);
            lowering.index.record(&r, rule.span);
            Some(ScalingRule {
                stabilization_window_seconds: lowering
                    .count(rule, "stabilization_window_seconds", &r)
                    .unwrap_or(0),
                pods: lowering.count(rule, "pods", &r).unwrap_or(1),
                period_seconds: lowering.count(rule, "period_seconds", &r).unwrap_or(1),
            })
        };
        autoscaler.scale_up = rule(&node.scale_up, "scale_up");
        autoscaler.scale_down = rule(&node.scale_down, "scale_down");
        service.scaling = Scaling::Autoscale(autoscaler);
    }
    service.resources = node
        .resources
        .as_ref()
        .map(|r| lower_resources(lowering, r, &path.field("resources")));
    service.sidecar = node
        .sidecar
        .as_ref()
        .map(|r| lower_resources(lowering, r, &path.field("sidecar")));
    service.service_account = lowering.given(
        node.service_account.as_ref(),
        &path.field("service_account"),
    );
    if let (Some((first, _)), Some((_, last))) = (node.config.first(), node.config.last()) {
        lowering
            .index
            .record(&path.field("config"), first.span.to(last.span()));
    }
    for (key, value) in &node.config {
        let entry = path.field("config").key(&key.value);
        let v = lowering.given(Some(value), &entry);
        // Problems with the key and with the value both underline the whole entry.
        lowering.index.record(&entry, key.span.to(value.span()));
        if let Some(v) = v {
            service.config.insert(key.value.clone(), v);
        }
    }
    if let Some(mtls) = &node.mtls {
        lowering.index.record(&path.field("mtls"), mtls.span);
        lowering
            .index
            .record(&path.field("mtls_override"), mtls.span);
        service.mtls_override = Some(mtls.value);
    }
    for (i, call) in node.calls.iter().enumerate() {
        lowering.index.record(&path.index("calls", i), call.span);
        lowering
            .index
            .call(&node.name.value, &call.value, call.span);
    }
    service.calls = node.calls.iter().map(|c| c.value.clone()).collect();
    if let Some(dir) = lowering.given(node.app_tls.as_ref(), &path.field("app_tls")) {
        service.app_tls = Some(AppTls::builder().dir_path(dir).build());
    }
    if let Some(spread) = lowering.given(
        node.spread_across_nodes.as_ref(),
        &path.field("spread_across_nodes"),
    ) {
        service.spread_across_nodes = spread;
    }
    if let Some(record) = &node.shutdown {
        let p = path.field("shutdown");
        lowering.index.record(&p, record.span);
        let mut shutdown = GracefulShutdown::default();
        if let Some(d) = lowering.duration(record, "pre_stop_sleep", &p) {
            shutdown.pre_stop_sleep = Some(d);
        }
        if let Some(d) = lowering.duration(record, "timeout", &p) {
            shutdown.timeout = d;
        }
        shutdown.termination_grace_period =
            lowering.duration(record, "termination_grace_period", &p);
        service.shutdown = shutdown;
    }
    if let Some(probes) = &node.probes {
        lower_probes(lowering, probes, &mut service.probes, &path.field("probes"));
    }
    if let Some(record) = &node.security {
        let p = path.field("security");
        lowering.index.record(&p, record.span);
        let security = &mut service.security;
        if let Some(v) = lowering.flag(record, "run_as_non_root", &p) {
            security.run_as_non_root = v;
        }
        if let Some(v) = lowering.count(record, "run_as_user", &p) {
            security.run_as_user = i64::from(v);
        }
        if let Some(v) = lowering.count(record, "run_as_group", &p) {
            security.run_as_group = i64::from(v);
        }
        if let Some(v) = lowering.count(record, "fs_group", &p) {
            security.fs_group = i64::from(v);
        }
        if let Some(v) = lowering.flag(record, "seccomp_runtime_default", &p) {
            security.seccomp_runtime_default = v;
        }
    }
    if let Some(record) = &node.rollout {
        let p = path.field("rollout");
        lowering.index.record(&p, record.span);
        let rollout = &mut service.rollout;
        if let Some(v) = lowering.count(record, "max_unavailable", &p) {
            rollout.max_unavailable = v;
        }
        if let Some(v) = lowering.count(record, "max_surge", &p) {
            rollout.max_surge = v;
        }
        if let Some(v) = lowering.count(record, "revision_history_limit", &p) {
            rollout.revision_history_limit = v;
        }
    }
    if let Some(policy) = &node.traffic_policy {
        service.traffic_policy =
            lower_traffic_policy(lowering, policy, &path.field("traffic_policy"));
    }
    if let Some(interceptors) = &node.interceptors {
        service.interceptors =
            lower_interceptors(lowering, interceptors, &path.field("interceptors"));
    }
    for (i, subset) in node.subsets.iter().enumerate() {
        let p = path.subset(&subset.name.value);
        lowering.index.record(&p, subset.name.span);
        lowering
            .index
            .record(&path.index("subsets", i), subset.name.span);
        let mut lowered = Subset::builder().name(subset.name.value.clone()).build();
        lowered.image = lowering.text(&subset.fields, "image", &p);
        lowered.replicas = lowering.count(&subset.fields, "replicas", &p);
        lowered.version_label = lowering.text(&subset.fields, "version_label", &p);
        lowered.app_version = lowering.text(&subset.fields, "app_version", &p);
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
            ProbeSetting::On(record) => {
                lowering.index.record(&p, record.span);
                let mut probe = Probe::builder()
                    .path(lowering.text(record, "path", &p).unwrap_or_default())
                    .period_seconds(lowering.count(record, "period_seconds", &p).unwrap_or(1))
                    .build();
                probe.initial_delay_seconds = lowering.count(record, "initial_delay_seconds", &p);
                if let Some(v) = lowering.count(record, "failure_threshold", &p) {
                    probe.failure_threshold = v;
                }
                if let Some(v) = lowering.count(record, "timeout_seconds", &p) {
                    probe.timeout_seconds = v;
                }
                Some(probe)
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
    Resources {
        cpu_request: q(&node.cpu_request, "cpu_request"),
        cpu_limit: q(&node.cpu_limit, "cpu_limit"),
        memory_request: q(&node.memory_request, "memory_request"),
        memory_limit: q(&node.memory_limit, "memory_limit"),
    }
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
