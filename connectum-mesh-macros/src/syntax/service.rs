//! `service name { ... }`: the workload, its subsets, routes, policies and calls.

use connectum_mesh_core::{
    Autoscaler, GracefulShutdown, PodSecurity, Probe, Quantity, Rollout, ScalingRule, Service,
    Subset,
};

use super::Fields;
use super::mesh::{MTLS, node_name};
use super::record::{Kind, Record, Scalar, Words, record_of, table};
use super::resilience::{INTERCEPTORS, TRAFFIC_POLICY};
use super::route::{RouteNode, route};
use super::security::{AllowNode, allow};
use super::tree::{Block, Name, SpanRange, Value};
use super::value::{Given, Spanned, block_of, count, quantity, text};
use crate::errors::{Codes, Errors};

/// One service.
pub struct ServiceNode {
    /// Its name.
    pub name: Spanned<String>,
    /// The keys of [`SERVICE`] that were written.
    pub fields: Record,
    /// `replicas: 3`.
    pub replicas: Option<Given<u32>>,
    /// `autoscale: { min_replicas: 2, max_replicas: 10, cpu_utilization: 70, scale_up: {..} }`,
    /// a block of [`AUTOSCALER`].
    pub autoscale: Option<Scalar>,
    /// `resources: { requests: { cpu: 100m, memory: 128Mi }, limits: { ... } }`.
    pub resources: Option<ResourcesNode>,
    /// `sidecar: { requests: ..., limits: ... }`.
    pub sidecar: Option<ResourcesNode>,
    /// `app_tls: "/etc/tls"`: the directory of the app's own certificates.
    pub app_tls: Option<Given<String>>,
    /// `probes: { startup: off, liveness: { path: "/healthz", period_seconds: 20 } }`.
    pub probes: Option<ProbesNode>,
    /// `subset name { ... }`, in order.
    pub subsets: Vec<SubsetNode>,
    /// `route name? { ... }`, in order.
    pub routes: Vec<RouteNode>,
    /// `allow { ... }`, in order.
    pub allow: Vec<AllowNode>,
}

table! {
    /// The keys of `service name { ... }` that map onto one builder setter each. The others
    /// (`replicas` or `autoscale`, which both set `scaling`; `resources` and `sidecar`, whose
    /// `requests`/`limits` blocks set four fields; `app_tls`; `probes`, where `off` removes a
    /// probe) and the nodes (`subset`, `route`, `allow`) are read by [`service`].
    pub SERVICE for Service {
        image: Kind::Text => required();
        app_version: Kind::Text;
        port: Kind::Number { min: 1, max: 65535 };
        service_account: Kind::Text;
        config: Kind::TextMap;
        mtls_override: Kind::Word(MTLS) => was(&["mtls"]);
        calls: Kind::Calls;
        spread_across_nodes: Kind::Flag;
        spread_policy: Kind::Word(SPREAD_POLICIES);
        disruption_budget: Kind::DisruptionBudget;
        shutdown: Kind::Record(SHUTDOWN);
        security: Kind::Record(SECURITY);
        rollout: Kind::Record(ROLLOUT);
        traffic_policy: Kind::Record(TRAFFIC_POLICY);
        interceptors: Kind::Record(INTERCEPTORS);
    }
}

/// `subset canary { image: "...", replicas: 1 }`.
pub struct SubsetNode {
    /// Its name.
    pub name: Spanned<String>,
    /// `image`, `replicas`, `version_label`, `app_version`.
    pub fields: Record,
}

/// The three probes; each not written keeps Connectum's default.
pub struct ProbesNode {
    /// The block.
    pub span: SpanRange,
    /// `startup`, `liveness`, `readiness`, in that order.
    pub probes: Vec<(&'static str, ProbeSetting)>,
}

/// One probe: `off`, or its settings.
pub enum ProbeSetting {
    /// No probe of this kind.
    Off(SpanRange),
    /// A probe with these settings, a block of [`PROBE`] (`path` and `period_seconds`
    /// required, as in the builder).
    On(Scalar),
}

/// Requests and limits of CPU and memory.
pub struct ResourcesNode {
    /// The block.
    pub span: SpanRange,
    /// `requests: { cpu }`.
    pub cpu_request: Option<Given<Quantity>>,
    /// `limits: { cpu }`.
    pub cpu_limit: Option<Given<Quantity>>,
    /// `requests: { memory }`.
    pub memory_request: Option<Given<Quantity>>,
    /// `limits: { memory }`.
    pub memory_limit: Option<Given<Quantity>>,
}

table! {
    /// The keys of `subset name { ... }`.
    pub SUBSET for Subset {
        image: Kind::Text;
        replicas: Kind::Count;
        version_label: Kind::Text;
        app_version: Kind::Text;
    }
}

table! {
    /// The keys of `autoscale: { ... }`.
    pub AUTOSCALER: Autoscaler =
        Autoscaler::builder().min_replicas(1).max_replicas(1).build(), "autoscaler" {
        min_replicas: Kind::Count => required();
        max_replicas: Kind::Count => required();
        cpu_utilization: Kind::Count;
        memory_utilization: Kind::Count;
        scale_up: Kind::Record(SCALING_RULE);
        scale_down: Kind::Record(SCALING_RULE);
    }
}

table! {
    /// The keys of `scale_up: { ... }` and `scale_down: { ... }`.
    pub SCALING_RULE: ScalingRule = ScalingRule::builder()
        .stabilization_window_seconds(0)
        .pods(1)
        .period_seconds(1)
        .build(), "scaling rule" {
        stabilization_window_seconds: Kind::Count => required();
        pods: Kind::Count => required();
        period_seconds: Kind::Count => required();
    }
}

table! {
    /// The keys of a probe: `liveness: { path: "/healthz", period_seconds: 15 }`.
    pub PROBE: Probe = Probe::builder().path("").period_seconds(1).build(), "probe" {
        path: Kind::Text => required();
        initial_delay_seconds: Kind::Count;
        period_seconds: Kind::Count => required();
        failure_threshold: Kind::Count;
        timeout_seconds: Kind::Count;
    }
}

table! {
    /// The keys of `security: { ... }`, the pod security context.
    pub SECURITY: PodSecurity = PodSecurity::default(), "pod security context" {
        run_as_non_root: Kind::Flag;
        run_as_user: Kind::Count;
        run_as_group: Kind::Count;
        fs_group: Kind::Count;
        seccomp_runtime_default: Kind::Flag;
    }
}

table! {
    /// The keys of `rollout: { ... }`.
    pub ROLLOUT: Rollout = Rollout::default(), "rollout" {
        max_unavailable: Kind::Count;
        allow_zero_ready: Kind::Flag;
        max_surge: Kind::Count;
        revision_history_limit: Kind::Count;
    }
}

table! {
    /// The keys of `shutdown: { ... }`.
    pub SHUTDOWN: GracefulShutdown = GracefulShutdown::default(), "shutdown" {
        pre_stop_sleep: Kind::Duration;
        pre_stop_shell: Kind::Flag;
        timeout: Kind::Duration;
        proxy_drain: Kind::Duration;
        hold_until_proxy_starts: Kind::Flag;
        margin: Kind::Duration;
        termination_grace_period: Kind::Duration;
    }
}

/// How pods spread over nodes, in Kubernetes' `whenUnsatisfiable` words.
const SPREAD_POLICIES: &Words = &Words::of::<connectum_mesh_core::SpreadPolicy>("SpreadPolicy");

/// Reads `service name { ... }`.
pub fn service(
    kind: &Name,
    name: Option<&Name>,
    body: &Block,
    errors: &mut Errors,
) -> Option<ServiceNode> {
    let name = node_name(kind, name, errors);
    let mut fields = Fields::new(body, "service");
    let keys = fields.record(SERVICE, errors);
    let replicas = fields
        .take("replicas", errors)
        .and_then(|v| count(v, errors));
    let autoscale = fields
        .take("autoscale", errors)
        .and_then(|v| Scalar::read(v, Kind::Record(AUTOSCALER), errors));
    if let (Some(replicas), Some(autoscale)) = (&replicas, &autoscale) {
        errors.at_with_help(
            replicas.span().to(autoscale.span()),
            Codes::DUPLICATE_KEY,
            "a service has fixed `replicas` or an `autoscale`, not both",
            "remove one of them",
        );
    }
    let resources = fields
        .take("resources", errors)
        .and_then(|v| resources_of(v, errors));
    let sidecar = fields
        .take("sidecar", errors)
        .and_then(|v| resources_of(v, errors));
    let app_tls = fields.take("app_tls", errors).and_then(|v| text(v, errors));
    let probes = fields
        .take("probes", errors)
        .and_then(|v| probes_of(v, errors));
    let subsets = fields
        .nodes("subset")
        .into_iter()
        .filter_map(|(kind, name, body)| {
            let name = node_name(kind, name, errors);
            let record = record_of(body, "subset", SUBSET, errors);
            Some(SubsetNode {
                name: name?,
                fields: record,
            })
        })
        .collect();
    let routes = fields
        .nodes("route")
        .into_iter()
        .filter_map(|(kind, name, body)| route(kind, name, body, errors))
        .collect();
    let allow = fields
        .nodes("allow")
        .into_iter()
        .map(|(kind, _, body)| allow(kind, body, errors))
        .collect();
    fields.finish(errors);
    Some(ServiceNode {
        name: name?,
        fields: keys,
        replicas,
        autoscale,
        resources,
        sidecar,
        app_tls,
        probes,
        subsets,
        routes,
        allow,
    })
}

/// `{ requests: { cpu: 100m, memory: 128Mi }, limits: { cpu: 500m, memory: 256Mi } }`.
fn resources_of(value: &Value, errors: &mut Errors) -> Option<ResourcesNode> {
    let block = block_of(
        value,
        "`{ requests: { cpu: 100m, memory: 128Mi }, limits: { ... } }`",
        errors,
    )?;
    let mut fields = Fields::new(block, "resources block");
    let mut pair = |key: &'static str, errors: &mut Errors| {
        let Some(inner) = fields
            .take(key, errors)
            .and_then(|v| block_of(v, "`{ cpu: 100m, memory: 128Mi }`", errors))
        else {
            return (None, None);
        };
        let mut inner_fields = Fields::new(inner, "resources block");
        let cpu = inner_fields
            .take("cpu", errors)
            .and_then(|v| quantity(v, errors));
        let memory = inner_fields
            .take("memory", errors)
            .and_then(|v| quantity(v, errors));
        inner_fields.finish(errors);
        (cpu, memory)
    };
    let (cpu_request, memory_request) = pair("requests", errors);
    let (cpu_limit, memory_limit) = pair("limits", errors);
    fields.finish(errors);
    Some(ResourcesNode {
        span: block.span,
        cpu_request,
        cpu_limit,
        memory_request,
        memory_limit,
    })
}

/// `{ startup: off, liveness: { path: "/healthz", period_seconds: 20 }, readiness: { .. } }`.
fn probes_of(value: &Value, errors: &mut Errors) -> Option<ProbesNode> {
    let block = block_of(
        value,
        "`{ liveness: { path: \"/healthz\", period_seconds: 15 } }`",
        errors,
    )?;
    let mut fields = Fields::new(block, "probes block");
    let mut probes = Vec::new();
    for kind in ["startup", "liveness", "readiness"] {
        let setting = match fields.take(kind, errors) {
            Some(Value::Name(off)) if off.text == "off" => Some(ProbeSetting::Off(off.span)),
            Some(other) => Scalar::read(other, Kind::Record(PROBE), errors).map(ProbeSetting::On),
            None => None,
        };
        if let Some(setting) = setting {
            probes.push((kind, setting));
        }
    }
    fields.finish(errors);
    Some(ProbesNode {
        span: block.span,
        probes,
    })
}

#[cfg(test)]
mod tests {
    use crate::syntax::record::Scalar;
    use crate::syntax::test_support::read;
    use quote::quote;

    #[test]
    fn reads_resources_probes_and_autoscaling() {
        let (mesh, errors) = read(quote! {
            namespace: connectum,
            service order-service {
                image: "order:1.0.0",
                autoscale: {
                    min_replicas: 2, max_replicas: 10,
                    scale_down: { stabilization_window_seconds: 300, pods: 1, period_seconds: 120 },
                },
                resources: { requests: { cpu: 100m, memory: 128Mi }, limits: { memory: 1Gi } },
                probes: { startup: off, liveness: { path: "/healthz", period_seconds: 15 } },
            }
        });
        assert!(errors.is_empty(), "{errors:?}");
        let service = &mesh.services[0];
        let Some(Scalar::Record(_, autoscale)) = &service.autoscale else {
            panic!("an autoscaler");
        };
        assert!(autoscale.get("scale_down").is_some());
        let resources = service.resources.as_ref().map(|r| {
            (
                r.cpu_request.is_some(),
                r.cpu_limit.is_some(),
                r.memory_limit.is_some(),
            )
        });
        assert_eq!(resources, Some((true, false, true)));
        let probes = service.probes.as_ref().map(|p| p.probes.len());
        assert_eq!(probes, Some(2));
    }

    #[test]
    fn replicas_and_autoscale_exclude_each_other() {
        let (_, errors) = read(quote! {
            namespace: connectum,
            service order-service {
                image: "order:1.0.0",
                replicas: 3,
                autoscale: { min_replicas: 2, max_replicas: 10 },
            }
        });
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].starts_with("CM0904"));
    }

    #[test]
    fn a_probe_needs_what_its_builder_needs() {
        let (_, errors) = read(quote! {
            namespace: connectum,
            service order-service { image: "order:1.0.0", probes: { liveness: { path: "/healthz" } } }
        });
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("no `period_seconds`"));
    }
}
