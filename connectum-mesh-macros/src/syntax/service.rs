//! `service name { ... }`: the workload, its subsets, routes, policies and calls.

use connectum_mesh_core::{MtlsMode, Quantity};

use super::Fields;
use super::mesh::{MTLS_MODES, node_name, text_map};
use super::resilience::{InterceptorsNode, TrafficPolicyNode, interceptors, traffic_policy};
use super::route::{RouteNode, route};
use super::security::{AllowNode, allow};
use super::tree::{Block, Name, SpanRange, Value};
use super::value::{
    Given, Kind, Record, Schema, Spanned, block_of, count, flag, names, number, quantity, record,
    record_of, text, word,
};
use crate::errors::{Codes, Errors};

/// One service.
pub struct ServiceNode {
    /// Its name.
    pub name: Spanned<String>,
    /// `image: "..."`.
    pub image: Option<Given<String>>,
    /// `app_version: "1.0.0"`.
    pub app_version: Option<Given<String>>,
    /// `port: 5000`.
    pub port: Option<Given<u64>>,
    /// `replicas: 3`.
    pub replicas: Option<Given<u32>>,
    /// `autoscale: { min_replicas: 2, max_replicas: 10, cpu_utilization: 70 }`.
    pub autoscale: Option<Record>,
    /// `autoscale: { scale_up: { stabilization_window_seconds: 60, pods: 2, period_seconds: 60 } }`.
    pub scale_up: Option<Record>,
    /// `autoscale: { scale_down: { ... } }`.
    pub scale_down: Option<Record>,
    /// `resources: { requests: { cpu: 100m, memory: 128Mi }, limits: { ... } }`.
    pub resources: Option<ResourcesNode>,
    /// `sidecar: { requests: ..., limits: ... }`.
    pub sidecar: Option<ResourcesNode>,
    /// `service_account: "orders"`.
    pub service_account: Option<Given<String>>,
    /// `config: { LOG_LEVEL: "info" }`.
    pub config: Vec<(Spanned<String>, Given<String>)>,
    /// `mtls: PERMISSIVE`, overriding the namespace's mode.
    pub mtls: Option<Spanned<MtlsMode>>,
    /// `calls: [inventory-service]`.
    pub calls: Vec<Spanned<String>>,
    /// `app_tls: "/etc/tls"`.
    pub app_tls: Option<Given<String>>,
    /// `spread_across_nodes: false`.
    pub spread_across_nodes: Option<Given<bool>>,
    /// `shutdown: { pre_stop_sleep: 5s, timeout: 30s, termination_grace_period: 40s }`.
    pub shutdown: Option<Record>,
    /// `probes: { startup: off, liveness: { path: "/healthz", period_seconds: 20 } }`.
    pub probes: Option<ProbesNode>,
    /// `security: { run_as_user: 1000, ... }`.
    pub security: Option<Record>,
    /// `rollout: { max_unavailable: 0, max_surge: 1 }`.
    pub rollout: Option<Record>,
    /// `traffic_policy: { ... }`.
    pub traffic_policy: Option<TrafficPolicyNode>,
    /// `interceptors: { ... }`.
    pub interceptors: Option<InterceptorsNode>,
    /// `subset name { ... }`, in order.
    pub subsets: Vec<SubsetNode>,
    /// `route name? { ... }`, in order.
    pub routes: Vec<RouteNode>,
    /// `allow { ... }`, in order.
    pub allow: Vec<AllowNode>,
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
    /// A probe with these settings (`path` and `period_seconds` required, as in the builder).
    On(Record),
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

const SUBSET: Schema = &[
    ("image", Kind::Text, false),
    ("replicas", Kind::Count, false),
    ("version_label", Kind::Text, false),
    ("app_version", Kind::Text, false),
];

const AUTOSCALE: Schema = &[
    ("min_replicas", Kind::Count, true),
    ("max_replicas", Kind::Count, true),
    ("cpu_utilization", Kind::Count, false),
    ("memory_utilization", Kind::Count, false),
];

const SCALING_RULE: Schema = &[
    ("stabilization_window_seconds", Kind::Count, true),
    ("pods", Kind::Count, true),
    ("period_seconds", Kind::Count, true),
];

const PROBE: Schema = &[
    ("path", Kind::Text, true),
    ("initial_delay_seconds", Kind::Count, false),
    ("period_seconds", Kind::Count, true),
    ("failure_threshold", Kind::Count, false),
    ("timeout_seconds", Kind::Count, false),
];

const SECURITY: Schema = &[
    ("run_as_non_root", Kind::Flag, false),
    ("run_as_user", Kind::Count, false),
    ("run_as_group", Kind::Count, false),
    ("fs_group", Kind::Count, false),
    ("seccomp_runtime_default", Kind::Flag, false),
];

const ROLLOUT: Schema = &[
    ("max_unavailable", Kind::Count, false),
    ("max_surge", Kind::Count, false),
    ("revision_history_limit", Kind::Count, false),
];

const SHUTDOWN: Schema = &[
    ("pre_stop_sleep", Kind::Duration, false),
    ("timeout", Kind::Duration, false),
    ("termination_grace_period", Kind::Duration, false),
];

/// Reads `service name { ... }`.
pub fn service(
    kind: &Name,
    name: Option<&Name>,
    body: &Block,
    errors: &mut Errors,
) -> Option<ServiceNode> {
    let name = node_name(kind, name, errors);
    let mut fields = Fields::new(body, "service");
    let image = fields
        .require("image", errors)
        .and_then(|v| text(v, errors));
    let app_version = fields
        .take("app_version", errors)
        .and_then(|v| text(v, errors));
    let port = fields
        .take("port", errors)
        .and_then(|v| number(v, 1, 65535, errors));
    let replicas = fields
        .take("replicas", errors)
        .and_then(|v| count(v, errors));
    let (autoscale, scale_up, scale_down) = match fields.take("autoscale", errors) {
        Some(Value::Block(block)) => {
            let mut rules = Fields::new(block, "autoscaler");
            let mut rule = |key, errors: &mut Errors| {
                rules
                    .take(key, errors)
                    .and_then(|v| record(v, "scaling rule", SCALING_RULE, errors))
            };
            let up = rule("scale_up", errors);
            let down = rule("scale_down", errors);
            let rest = block.without(&["scale_up", "scale_down"]);
            (
                Some(record_of(&rest, "autoscaler", AUTOSCALE, errors)),
                up,
                down,
            )
        }
        Some(other) => (record(other, "autoscaler", AUTOSCALE, errors), None, None),
        None => (None, None, None),
    };
    if let (Some(replicas), Some(autoscale)) = (&replicas, &autoscale) {
        errors.at_with_help(
            replicas.span().to(autoscale.span),
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
    let service_account = fields
        .take("service_account", errors)
        .and_then(|v| text(v, errors));
    let config = fields
        .take("config", errors)
        .map(|v| text_map(v, errors))
        .unwrap_or_default();
    let mtls = fields
        .take("mtls", errors)
        .and_then(|v| word(v, MTLS_MODES, errors));
    let calls = fields
        .take("calls", errors)
        .map(|v| names(v, errors))
        .unwrap_or_default();
    let app_tls = fields.take("app_tls", errors).and_then(|v| text(v, errors));
    let spread_across_nodes = fields
        .take("spread_across_nodes", errors)
        .and_then(|v| flag(v, errors));
    let shutdown = fields
        .take("shutdown", errors)
        .and_then(|v| record(v, "shutdown", SHUTDOWN, errors));
    let probes = fields
        .take("probes", errors)
        .and_then(|v| probes_of(v, errors));
    let security = fields
        .take("security", errors)
        .and_then(|v| record(v, "pod security context", SECURITY, errors));
    let rollout = fields
        .take("rollout", errors)
        .and_then(|v| record(v, "rollout", ROLLOUT, errors));
    let traffic_policy = fields
        .take("traffic_policy", errors)
        .and_then(|v| traffic_policy(v, errors));
    let interceptors = fields
        .take("interceptors", errors)
        .and_then(|v| interceptors(v, errors));
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
        image,
        app_version,
        port,
        replicas,
        autoscale,
        scale_up,
        scale_down,
        resources,
        sidecar,
        service_account,
        config,
        mtls,
        calls,
        app_tls,
        spread_across_nodes,
        shutdown,
        probes,
        security,
        rollout,
        traffic_policy,
        interceptors,
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
            Some(other) => record(other, "probe", PROBE, errors).map(ProbeSetting::On),
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
        assert!(service.autoscale.is_some() && service.scale_down.is_some());
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
