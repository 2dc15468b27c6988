//! Model rules: names that must be unique, references between services, and mesh-wide settings
//! that no mesh could satisfy.

use std::collections::{HashMap, HashSet};

use crate::diag::registry::{
    DEPLOYMENT_NAME_CLASH, DUPLICATE_CALLER, DUPLICATE_SERVICE, DUPLICATE_SUBSET,
    INVALID_MESH_SETTING, NUMBER_TOO_LARGE, OVERLAPPING_SUBSETS, UNKNOWN_CALLEE,
};
use crate::diag::{Diagnostic, Diagnostics, MeshPath, did_you_mean};
use crate::model::{Mesh, RouteTarget, Scaling, Service, int32};

use super::workloads::probes;

pub(super) fn run(mesh: &Mesh, out: &mut Diagnostics) {
    check_duplicate_services(mesh, out);
    check_duplicate_subsets(mesh, out);
    check_overlapping_subsets(mesh, out);
    check_deployment_names(mesh, out);
    check_unknown_callees(mesh, out);
    check_duplicate_callers(mesh, out);
    check_mesh_settings(mesh, out);
    for service in &mesh.services {
        check_int32_fields(service, out);
    }
}

/// Two services with one name become two VirtualServices and DestinationRules for one host;
/// Istio silently keeps one, so half of what was written never applies.
fn check_duplicate_services(mesh: &Mesh, out: &mut Diagnostics) {
    let mut first_index: HashMap<&str, usize> = HashMap::with_capacity(mesh.services.len());
    for (index, service) in mesh.services.iter().enumerate() {
        let first = *first_index.entry(service.name.as_str()).or_insert(index);
        if first == index {
            continue;
        }
        out.push(
            DUPLICATE_SERVICE
                .at(
                    MeshPath::service(&service.name),
                    format!(
                        "service `{}` is declared twice (services[{first}] and services[{index}]); Istio would keep only one of its VirtualServices",
                        service.name
                    ),
                )
                .with_help("rename one of them, or merge them into one service"),
        );
    }
}

/// A DestinationRule with a subset listed twice is refused by Istio's webhook, taking every
/// subset of the service with it.
fn check_duplicate_subsets(mesh: &Mesh, out: &mut Diagnostics) {
    for service in &mesh.services {
        for (index, subset) in service.subsets.iter().enumerate() {
            if service.subsets[..index]
                .iter()
                .any(|s| s.name == subset.name)
            {
                out.push(
                    DUPLICATE_SUBSET
                        .at(
                            MeshPath::service(&service.name).subset(&subset.name),
                            format!(
                                "service `{}` declares subset `{}` twice; Istio refuses the DestinationRule",
                                service.name, subset.name
                            ),
                        )
                        .with_help("rename one of the subsets, or remove the duplicate"),
                );
            }
        }
    }
}

/// Subsets are told apart by their version label: two with one value select each other's pods,
/// so their Deployments fight over pods and a canary split reaches both versions.
fn check_overlapping_subsets(mesh: &Mesh, out: &mut Diagnostics) {
    for service in &mesh.services {
        for (index, subset) in service.subsets.iter().enumerate() {
            let Some(earlier) = service.subsets[..index]
                .iter()
                .find(|s| s.name != subset.name && s.version() == subset.version())
            else {
                continue;
            };
            out.push(
                OVERLAPPING_SUBSETS
                    .at(
                        MeshPath::service(&service.name).subset(&subset.name),
                        format!(
                            "subsets `{}` and `{}` both select pods labelled {}={}",
                            earlier.name,
                            subset.name,
                            mesh.version_label,
                            subset.version()
                        ),
                    )
                    .with_help(format!(
                        "give subset `{}` its own version label value, e.g. `{}`",
                        subset.name, subset.name
                    )),
            );
        }
    }
}

/// The primary workload is Deployment `<service>`, the others `<service>-<subset>`: when two
/// services' workloads get one name, one apply silently replaces the other.
fn check_deployment_names(mesh: &Mesh, out: &mut Diagnostics) {
    // The workload at subset `index` of `service`, for messages (built only for a clash).
    let path_of = |service: &Service, index: usize| match service.subsets.get(index) {
        Some(subset) if index > 0 => MeshPath::service(&service.name).subset(&subset.name),
        _ => MeshPath::service(&service.name),
    };
    // Deployment name → the service that renders it first, and which of its workloads.
    let mut seen: HashMap<String, (&Service, usize)> =
        HashMap::with_capacity(mesh.services.len() * 2);
    for service in &mesh.services {
        let workloads = service.subsets.len().max(1);
        for index in 0..workloads {
            let name = service.deployment_name(index);
            let clash = seen
                .get(&name)
                .filter(|(owner, _)| owner.name != service.name);
            if let Some(&(owner, owner_index)) = clash {
                let first = path_of(owner, owner_index);
                out.push(
                    DEPLOYMENT_NAME_CLASH
                        .at(
                            path_of(service, index),
                            format!("renders Deployment `{name}`, which {first} also renders"),
                        )
                        .with_help(
                            "rename the service or the subset so the Deployment names differ",
                        ),
                );
            }
            seen.entry(name).or_insert((service, index));
        }
    }
}

/// A call to an unknown service hides a whole call chain from the retry budget and the timeout
/// checks, so the retry storm it could cause goes unchecked.
fn check_unknown_callees(mesh: &Mesh, out: &mut Diagnostics) {
    let names: Vec<&str> = mesh.services.iter().map(|s| s.name.as_str()).collect();
    let known: HashSet<&str> = names.iter().copied().collect();
    let callers = mesh
        .services
        .iter()
        .map(|s| (Caller::Service(&s.name), &s.calls))
        .chain(
            mesh.external_callers
                .iter()
                .map(|c| (Caller::ExternalCaller(&c.name), &c.calls)),
        );
    for (caller, calls) in callers {
        // Written only for a call that names no service.
        let path = || match caller {
            Caller::Service(name) => MeshPath::service(name),
            Caller::ExternalCaller(name) => MeshPath::external_caller(name),
        };
        for (index, callee) in calls.iter().enumerate() {
            if known.contains(callee.as_str()) {
                continue;
            }
            out.push(
                UNKNOWN_CALLEE
                    .at(
                        path().index("calls", index),
                        format!("calls `{callee}`, which is not a service of this mesh"),
                    )
                    .with_undeclared_service_help(callee, &names, ", or remove the call"),
            );
        }
    }
}

/// Who makes a call, by kind: its path is written only when one of its calls is reported.
#[derive(Clone, Copy)]
enum Caller<'a> {
    Service(&'a str),
    ExternalCaller(&'a str),
}

impl Diagnostic {
    /// The help for `name`, which is not a service of the mesh: the closest of `names`, else how
    /// to declare it (in the builders' words, and in `mesh!`'s), followed by `or`.
    pub(super) fn with_undeclared_service_help(self, name: &str, names: &[&str], or: &str) -> Self {
        self.with_help(did_you_mean(
            name,
            names.iter().copied(),
            format!("declare `{name}` in the mesh's `services`{or}"),
        ))
        .with_dsl_help(did_you_mean(
            name,
            names.iter().copied(),
            format!("declare `service {name} {{ .. }}`{or}"),
        ))
    }
}

/// Chains and per-chain budgets are named by their members; a caller name used twice (or by a
/// service) makes a chain ambiguous.
fn check_duplicate_callers(mesh: &Mesh, out: &mut Diagnostics) {
    let services: HashSet<&str> = mesh.services.iter().map(|s| s.name.as_str()).collect();
    let mut callers = HashSet::new();
    for caller in &mesh.external_callers {
        let taken_by = if services.contains(caller.name.as_str()) {
            "a service"
        } else if !callers.insert(caller.name.as_str()) {
            "another external caller"
        } else {
            continue;
        };
        out.push(
            DUPLICATE_CALLER
                .at(
                    MeshPath::external_caller(&caller.name),
                    format!(
                        "external caller `{}` has the name of {taken_by}",
                        caller.name
                    ),
                )
                .with_help("give the external caller a name of its own, e.g. its workload's name"),
        );
    }
}

/// Settings that refuse everything (a split total or budget of 0) or corrupt every principal (a
/// trust domain with `/`): the first refuses every mesh, the second denies every call.
fn check_mesh_settings(mesh: &Mesh, out: &mut Diagnostics) {
    let root = MeshPath::root();
    if mesh.split_total == 0 {
        out.push(
            INVALID_MESH_SETTING
                .at(
                    root.field("split_total"),
                    "split_total is 0, so no weighted split can reach it",
                )
                .with_help("use 100 (percent), or 1000 for finer steps"),
        );
    }
    if mesh.retry_budget.max_worst_case_calls == 0 {
        out.push(
            INVALID_MESH_SETTING
                .at(root.field("retry_budget"), "the retry budget is 0 calls, so every call chain is over it")
                .with_help("use at least 1 call; the default 10 accepts mesh retries 1 with Connectum's default 3 retries"),
        );
    }
    for (index, chain) in mesh.chain_budgets.iter().enumerate() {
        if chain.budget.max_worst_case_calls == 0 {
            out.push(
                INVALID_MESH_SETTING
                    .at(
                        root.index("chain_budgets", index),
                        "the chain's retry budget is 0 calls, so the chain is always over it",
                    )
                    .with_help("use at least 1 call"),
            );
        }
    }
    let domain = &mesh.trust_domain;
    if domain.is_empty() || domain.contains(['/', '*']) || domain.contains(char::is_whitespace) {
        out.push(
            INVALID_MESH_SETTING
                .at(
                    root.field("trust_domain"),
                    format!("trust domain `{domain}` cannot start a principal `<trust-domain>/ns/<namespace>/sa/<name>`"),
                )
                .with_help("use the cluster's trust domain, by default `cluster.local`"),
        );
    }
}

/// Kubernetes and Istio keep these counts in 32-bit signed integers: a larger value is refused,
/// or clamped by the renderer to a number nobody wrote.
///
/// Each count comes with a closure that builds its path, called only for a count out of range:
/// building every path up front cost more than the rest of the rule on a large mesh.
fn check_int32_fields(service: &Service, out: &mut Diagnostics) {
    let mut check = |value: u32, place: &dyn Fn() -> MeshPath| {
        if int32(value).is_none() {
            out.push(
                NUMBER_TOO_LARGE
                    .at(
                        place(),
                        format!(
                            "{value} does not fit the 32-bit field Kubernetes and Istio keep it in"
                        ),
                    )
                    .with_help(format!("use a value up to {}", i32::MAX)),
            );
        }
    };
    let path = || MeshPath::service(&service.name);
    match &service.scaling {
        Scaling::Replicas(replicas) => check(*replicas, &|| path().field("scaling")),
        Scaling::Autoscale(autoscaler) => {
            let rules = [&autoscaler.scale_up, &autoscaler.scale_down];
            let counts = [autoscaler.min_replicas, autoscaler.max_replicas]
                .into_iter()
                .chain(autoscaler.cpu_utilization)
                .chain(autoscaler.memory_utilization)
                .chain(rules.into_iter().flatten().flat_map(|rule| {
                    [
                        rule.stabilization_window_seconds,
                        rule.pods,
                        rule.period_seconds,
                    ]
                }));
            for count in counts {
                check(count, &|| path().field("scaling"));
            }
        }
    }
    for subset in &service.subsets {
        if let Some(replicas) = subset.replicas {
            check(replicas, &|| path().subset(&subset.name).field("replicas"));
        }
    }
    let rollout = &service.rollout;
    for (field, value) in [
        ("max_unavailable", rollout.max_unavailable),
        ("max_surge", rollout.max_surge),
        ("revision_history_limit", rollout.revision_history_limit),
    ] {
        check(value, &|| path().field("rollout").field(field));
    }
    for (kind, probe) in probes(service) {
        let timings = [
            ("initial_delay_seconds", probe.initial_delay_seconds),
            ("period_seconds", Some(probe.period_seconds)),
            ("failure_threshold", Some(probe.failure_threshold)),
            ("timeout_seconds", Some(probe.timeout_seconds)),
        ];
        for (field, value) in timings {
            if let Some(value) = value {
                check(value, &|| path().field("probes").field(kind).field(field));
            }
        }
    }
    if let Some(pool) = &service.traffic_policy.connection_pool {
        let limits = [
            (
                "max_connections",
                pool.tcp.as_ref().and_then(|t| t.max_connections),
            ),
            (
                "max_requests_per_connection",
                pool.http
                    .as_ref()
                    .and_then(|h| h.max_requests_per_connection),
            ),
            (
                "http2_max_requests",
                pool.http.as_ref().and_then(|h| h.http2_max_requests),
            ),
            (
                "http1_max_pending_requests",
                pool.http
                    .as_ref()
                    .and_then(|h| h.http1_max_pending_requests),
            ),
        ];
        for (field, value) in limits {
            if let Some(value) = value {
                check(value, &|| {
                    path()
                        .field("traffic_policy")
                        .field("connection_pool")
                        .field(field)
                });
            }
        }
    }
    for (index, route) in service.routes.iter().enumerate() {
        if let RouteTarget::Split(split) = &route.target {
            for (leg_index, leg) in split.legs.iter().enumerate() {
                check(leg.weight, &|| {
                    path().route(index).field("split").leg(leg_index)
                });
            }
        }
        if let Some(retries) = &route.retries {
            check(retries.attempts, &|| path().route(index).field("retries"));
        }
    }
}
