//! The benchmark topology of connectum-mesh (`BENCHMARKS.md`, and `shared/bench/topology.md` in
//! the development setup): `n` services `s0000`..., each with stable and canary Deployments, a
//! Service, a DestinationRule, a VirtualService (a header route, then 90/10), an
//! AuthorizationPolicy and a ServiceAccount, plus the Namespace, PeerAuthentication and
//! Telemetry: 3 + 7n documents.
//!
//! Each service is the guide's order-service in its benchmark form: what the two share (telemetry,
//! sidecar resources, the traffic policy's limits, the canary routes) comes from
//! [`order_service::guide`]; what differs is written here.
//!
//! Built with the public builders only, the way a user would write it, and shared by the
//! `gen-mesh` binary (the whole-process benchmark, compared with cdk8s, KCL and Python) and the
//! criterion benchmarks.

use connectum_mesh::{
    AllowRule, DisruptionBudget, Duration, GracefulShutdown, HostStyle, HttpPool, LoadBalancer,
    Mesh, MeshRetry, MtlsMode, Object, Probes, RetryOn, Rollout, Scaling, Service,
    ServiceAccountRef, SimpleLb, SpreadPolicy, Subset,
};
use order_service::guide;

/// The benchmark mesh for `n` services, built with the public builders.
#[must_use]
pub fn topology(n: usize) -> Mesh {
    let services = (0..n).map(|i| {
        let name = format!("s{i:04}");
        let mut service = Service::builder()
            .name(name.clone())
            .image(format!("registry.example.com/connectum/{name}:1.0.0"))
            .scaling(Scaling::Replicas(2))
            .probes(Probes::builder().build())
            .shutdown(
                GracefulShutdown::builder()
                    .pre_stop_shell(true)
                    .hold_until_proxy_starts(false)
                    .termination_grace_period(Duration::from_secs(35))
                    .build(),
            )
            .rollout(Rollout::builder().allow_zero_ready(true).build())
            .disruption_budget(DisruptionBudget::Disabled)
            .spread_policy(SpreadPolicy::DoNotSchedule)
            .sidecar(guide::sidecar_resources())
            .traffic_policy(guide::traffic_policy(
                HttpPool::builder()
                    .http2_max_requests(1000)
                    .max_requests_per_connection(10)
                    .build(),
                LoadBalancer::Simple(SimpleLb::LeastRequest),
            ))
            .allow([AllowRule::builder()
                .from([
                    connectum_mesh::Source::ServiceAccount(ServiceAccountRef::new(
                        "connectum",
                        "api-gateway",
                    )),
                    connectum_mesh::Source::Namespace("connectum".to_owned()),
                ])
                .build()])
            .build();
        let stable = service.add_subset(Subset::builder().name("stable").build());
        let canary = service.add_subset(Subset::builder().name("canary").replicas(1).build());
        let retries = || {
            MeshRetry::builder()
                .attempts(1)
                .per_try_timeout(Duration::from_secs(3))
                .retry_on(vec![
                    RetryOn::Unavailable,
                    RetryOn::ResourceExhausted,
                    RetryOn::DeadlineExceeded,
                ])
                .build()
        };
        for route in guide::canary_routes(&stable, &canary, Duration::from_secs(10), retries) {
            service.add_route(route);
        }
        service
    });
    Mesh::builder()
        .namespace("connectum")
        .app_label("app")
        .host_style(HostStyle::Fqdn)
        .mtls(MtlsMode::Strict)
        .telemetry(guide::telemetry())
        .external_callers(vec![
            connectum_mesh::ExternalCaller::builder()
                .name("api-gateway")
                .service_account(ServiceAccountRef::new("connectum", "api-gateway"))
                .build(),
        ])
        .services(services)
        .build()
}

/// The topology without allow rules, each even service calling the next: what a
/// secure-by-default mesh looks like, where every service's policy is derived from its declared
/// callers ([`Mesh::authorization`]). Only the checker's benchmark uses it.
#[must_use]
pub fn secure_by_default(n: usize) -> Mesh {
    let mut mesh = topology(n);
    let names: Vec<String> = mesh.services.iter().map(|s| s.name.clone()).collect();
    for (index, service) in mesh.services.iter_mut().enumerate() {
        service.allow.clear();
        if index % 2 == 0
            && let Some(next) = names.get(index + 1)
        {
            service.calls = vec![next.clone()];
        }
    }
    mesh
}

/// The pod annotations the topology predates (`shared/bench/topology.md` was written before
/// every service got its ConfigMap and the pods their shutdown timeline).
const NEWER_ANNOTATIONS: [&str; 2] = ["checksum/config", "proxy.istio.io/config"];

/// What connectum-mesh renders for the benchmark mesh, as the frozen benchmark topology has it.
///
/// The topology was fixed before four of the library's defaults, which the model has no switch
/// for (by design: they prevent outages): every service's ConfigMap (and the pods' `envFrom`
/// and `checksum/config` annotation that follow it), Istio's `proxy.istio.io/config` timeline
/// annotation, and the spread constraint's `matchLabelKeys` and `nodeTaintsPolicy`. This drops
/// them from each object as it streams by, so the output stays comparable, document for
/// document, with the peers; the work of rendering them is still done and timed.
#[must_use]
pub fn as_topology(object: Object) -> Option<Object> {
    match object {
        Object::ConfigMap(_) => None,
        Object::Deployment(mut deployment) => {
            let template = &mut deployment.spec.template;
            if let Some(annotations) = template
                .metadata
                .as_mut()
                .and_then(|m| m.annotations.as_mut())
            {
                for key in NEWER_ANNOTATIONS {
                    annotations.remove(key);
                }
            }
            if let Some(pod) = template.spec.as_mut() {
                for container in &mut pod.containers {
                    container.env_from = None;
                }
                for constraint in pod.topology_spread_constraints.iter_mut().flatten() {
                    constraint.match_label_keys = None;
                    constraint.node_taints_policy = None;
                }
            }
            Some(Object::Deployment(deployment))
        }
        other => Some(other),
    }
}
