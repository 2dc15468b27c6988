//! Kubernetes wiring rules for workloads: ports, scaling, rollouts, resources, pod security,
//! probes, images and config that the API server, the kubelet, the Istio
//! sidecar or Connectum would refuse.

use super::LazyPath;
use crate::diag::registry::{
    APP_SETTING_CONFLICT, AUTOSCALER_RANGE, AUTOSCALER_WITH_REPLICAS, AUTOSCALER_WITHOUT_REQUEST,
    CONFIG_MAP_TOO_LARGE, INVALID_CONFIG_KEY, INVALID_PORT, INVALID_RESOURCES,
    INVALID_SECURITY_CONTEXT, PORT_CONFIG_MISMATCH, PORT_RESERVED_BY_ISTIO, PROBE_ENDPOINT,
    PROBE_VALUES, PROXY_UID, ROLLOUT_STUCK,
};
use crate::diag::{Diagnostics, MeshPath, did_you_mean};
use crate::model::{
    Mesh, PORT_VARIABLE, Probe, Resources, SHUTDOWN_TIMEOUT_VARIABLE, Scaling, Service,
};

/// The UID of the Istio proxy, whose traffic iptables lets bypass the sidecar.
const ISTIO_PROXY_UID: i64 = 1337;
/// Ports the Istio sidecar binds in the pod's network namespace.
const ISTIO_PORTS: [u16; 10] = [
    15000, 15001, 15004, 15006, 15008, 15009, 15020, 15021, 15053, 15090,
];
/// Kubernetes' limit on a ConfigMap's data (keys and values together).
const MAX_CONFIG_MAP_BYTES: usize = 1024 * 1024;
/// The HTTP paths Connectum's healthcheck serves.
const CONNECTUM_HEALTH_PATHS: [&str; 3] = ["/healthz", "/health", "/readyz"];

pub(super) fn run(mesh: &Mesh, out: &mut Diagnostics) {
    for service in &mesh.services {
        let path = || MeshPath::service(&service.name);
        check_port(service, &path, out);
        check_autoscaler(service, &path, out);
        check_autoscaler_replicas(service, &path, out);
        check_autoscaler_requests(service, &path, out);
        check_rollout(service, &path, out);
        check_resources(service, &path, out);
        check_security_context(service, &path, out);
        check_probes(service, &path, out);
        check_config_keys(service, &path, out);
        check_config_size(service, &path, out);
        check_port_config(service, &path, out);
        check_app_settings_config(service, &path, out);
    }
}

/// Port 0 is refused by the API server; a port the sidecar binds keeps the pod from starting.
fn check_port(service: &Service, path: &LazyPath<'_>, out: &mut Diagnostics) {
    if service.port == 0 {
        out.push(
            INVALID_PORT
                .at(
                    path().field("port"),
                    "the port is 0; Kubernetes accepts 1 to 65535",
                )
                .with_help("use Connectum's default port 5000"),
        );
    } else if ISTIO_PORTS.contains(&service.port) {
        out.push(
            PORT_RESERVED_BY_ISTIO
                .at(
                    path().field("port"),
                    format!(
                        "port {} is used by the Istio sidecar in the same pod",
                        service.port
                    ),
                )
                .with_help("use another port, e.g. Connectum's default 5000"),
        );
    }
}

/// The API server refuses an autoscaler with min 0, min > max or a 0% target; the Deployment it
/// was meant to scale then stays small under load.
fn check_autoscaler(service: &Service, path: &LazyPath<'_>, out: &mut Diagnostics) {
    let Scaling::Autoscale(autoscaler) = &service.scaling else {
        return;
    };
    let (min, max) = (autoscaler.min_replicas, autoscaler.max_replicas);
    let mut problems = Vec::new();
    if min == 0 {
        problems.push("min_replicas is 0 (Kubernetes needs at least 1)".to_owned());
    }
    if min > max {
        problems.push(format!("min_replicas {min} is above max_replicas {max}"));
    }
    for (what, target) in [
        ("cpu", autoscaler.cpu_utilization),
        ("memory", autoscaler.memory_utilization),
    ] {
        if target == Some(0) {
            problems.push(format!("the {what} utilization target is 0%"));
        }
    }
    let rules = [
        ("scale_up", &autoscaler.scale_up),
        ("scale_down", &autoscaler.scale_down),
    ];
    for (direction, rule) in rules {
        let Some(rule) = rule else { continue };
        if rule.pods == 0 {
            problems.push(format!("{direction} rule changes 0 pods per period"));
        }
        if !(1..=1800).contains(&rule.period_seconds) {
            problems.push(format!(
                "{direction} period is {}s (Kubernetes accepts 1 to 1800)",
                rule.period_seconds
            ));
        }
        if rule.stabilization_window_seconds > 3600 {
            problems.push(format!(
                "{direction} stabilization window is {}s (Kubernetes accepts at most 3600)",
                rule.stabilization_window_seconds
            ));
        }
    }
    for problem in problems {
        out.push(
            AUTOSCALER_RANGE
                .at(
                    path().field("scaling"),
                    format!("the autoscaler's {problem}"),
                )
                .with_help("use 1 ≤ min_replicas ≤ max_replicas and utilization targets above 0"),
        );
    }
}

/// The autoscaler owns the primary workload's replicas: a fixed count there is ignored.
fn check_autoscaler_replicas(service: &Service, path: &LazyPath<'_>, out: &mut Diagnostics) {
    let (Scaling::Autoscale(_), Some(primary)) = (&service.scaling, service.subsets.first()) else {
        return;
    };
    if let Some(replicas) = primary.replicas {
        out.push(
            AUTOSCALER_WITH_REPLICAS
                .at(
                    path().subset(&primary.name).field("replicas"),
                    format!(
                        "subset `{}` runs the autoscaled primary workload, so its replicas {replicas} are ignored",
                        primary.name
                    ),
                )
                .with_help("remove the subset's replicas, or use fixed Scaling::Replicas instead of the autoscaler"),
        );
    }
}

/// UID 1337 bypasses the sidecar; UID 0 under runAsNonRoot or a negative ID never starts.
fn check_security_context(service: &Service, path: &LazyPath<'_>, out: &mut Diagnostics) {
    let security = &service.security;
    let path = || path().field("security");
    if security.run_as_user == ISTIO_PROXY_UID {
        out.push(
            PROXY_UID
                .at(
                    path().field("run_as_user"),
                    "the app runs as UID 1337, the Istio proxy's: its outbound traffic bypasses the sidecar",
                )
                .with_help("run the app as another UID (the default is 1000)"),
        );
    }
    if security.run_as_non_root && security.run_as_user == 0 {
        out.push(
            INVALID_SECURITY_CONTEXT
                .at(
                    path().field("run_as_user"),
                    "run_as_non_root is set but run_as_user is 0 (root): the kubelet refuses to start the container",
                )
                .with_help("use a non-zero UID (the default is 1000)"),
        );
    }
    let ids = [
        ("run_as_user", security.run_as_user),
        ("run_as_group", security.run_as_group),
        ("fs_group", security.fs_group),
    ];
    for (field, id) in ids {
        if id < 0 {
            out.push(
                INVALID_SECURITY_CONTEXT
                    .at(
                        path().field(field),
                        format!("{field} is {id}; Kubernetes accepts 0 and above"),
                    )
                    .with_help("use a non-negative ID (the default is 1000)"),
            );
        }
    }
}

/// A probe on a path Connectum does not serve never succeeds; Kubernetes refuses zero timings.
fn check_probes(service: &Service, path: &LazyPath<'_>, out: &mut Diagnostics) {
    for (kind, probe) in probes(service) {
        let probe_path = || path().field("probes").field(kind);
        let endpoint = probe.path.split('?').next().unwrap_or_default();
        if !CONNECTUM_HEALTH_PATHS.contains(&endpoint) {
            out.push(
                PROBE_ENDPOINT
                    .at(
                        probe_path().field("path"),
                        format!(
                            "the {kind} probe asks `{}`, which Connectum answers with 404",
                            probe.path
                        ),
                    )
                    .with_help(did_you_mean(
                        endpoint,
                        CONNECTUM_HEALTH_PATHS,
                        "use `/healthz`, `/health` or `/readyz`",
                    )),
            );
        }
        let timings = [
            ("period_seconds", probe.period_seconds),
            ("failure_threshold", probe.failure_threshold),
            ("timeout_seconds", probe.timeout_seconds),
        ];
        for (field, value) in timings {
            if value == 0 {
                out.push(
                    PROBE_VALUES
                        .at(
                            probe_path().field(field),
                            format!("the {kind} probe's {field} is 0; Kubernetes needs at least 1"),
                        )
                        .with_help("use a value of at least 1"),
                );
            }
        }
    }
}

/// The service's probes that are set, with the kind that names them in paths
/// (`probes › readiness`).
pub(super) fn probes(service: &Service) -> impl Iterator<Item = (&'static str, &Probe)> {
    [
        ("startup", service.probes.startup.as_ref()),
        ("liveness", service.probes.liveness.as_ref()),
        ("readiness", service.probes.readiness.as_ref()),
    ]
    .into_iter()
    .filter_map(|(kind, probe)| probe.map(|p| (kind, p)))
}

/// Utilization is a percentage of the pods' requests: without the request the HPA cannot compute
/// it and never scales. With no target at all Kubernetes scales on CPU. A limit alone is fine:
/// Kubernetes copies a limit into the missing request.
fn check_autoscaler_requests(service: &Service, path: &LazyPath<'_>, out: &mut Diagnostics) {
    let Scaling::Autoscale(autoscaler) = &service.scaling else {
        return;
    };
    let requests = service.resources.as_ref();
    let cpu_target =
        autoscaler.cpu_utilization.is_some() || autoscaler.memory_utilization.is_none();
    let missing = [
        (
            "cpu",
            cpu_target,
            requests.and_then(|r| r.cpu_request.as_ref().or(r.cpu_limit.as_ref())),
        ),
        (
            "memory",
            autoscaler.memory_utilization.is_some(),
            requests.and_then(|r| r.memory_request.as_ref().or(r.memory_limit.as_ref())),
        ),
    ];
    for (resource, targeted, request) in missing {
        if targeted && request.is_none() {
            out.push(
                AUTOSCALER_WITHOUT_REQUEST
                    .at(
                        path().field("scaling"),
                        format!("the autoscaler scales on {resource} utilization, but the container has no {resource} request (nor a limit Kubernetes would copy into it), so it never scales"),
                    )
                    .with_help(format!("set {resource}_request in the service's resources")),
            );
        }
    }
}

/// Kubernetes refuses a rolling update that may neither add nor remove a pod.
fn check_rollout(service: &Service, path: &LazyPath<'_>, out: &mut Diagnostics) {
    if service.rollout.max_unavailable == 0 && service.rollout.max_surge == 0 {
        out.push(
            ROLLOUT_STUCK
                .at(
                    path().field("rollout"),
                    "max_unavailable and max_surge are both 0, so a rollout could never replace a pod",
                )
                .with_help("allow one surge pod (max_surge 1) or one unavailable pod"),
        );
    }
}

/// Kubernetes refuses negative quantities and requests above their limits, for the app
/// container and for the sidecar the injector builds from the annotations.
fn check_resources(service: &Service, path: &LazyPath<'_>, out: &mut Diagnostics) {
    let containers = [
        ("resources", &service.resources),
        ("sidecar", &service.sidecar),
    ];
    for (field, resources) in containers {
        let Some(resources) = resources else { continue };
        let resources_path = || path().field(field);
        check_container_resources(resources, &resources_path, out);
    }
}

fn check_container_resources(resources: &Resources, path: &LazyPath<'_>, out: &mut Diagnostics) {
    let pairs = [
        (
            "cpu",
            ("cpu_request", &resources.cpu_request),
            ("cpu_limit", &resources.cpu_limit),
        ),
        (
            "memory",
            ("memory_request", &resources.memory_request),
            ("memory_limit", &resources.memory_limit),
        ),
    ];
    for (resource, (request_field, request), (limit_field, limit)) in pairs {
        let named = [
            ("request", request_field, request),
            ("limit", limit_field, limit),
        ];
        for (kind, field, quantity) in named {
            if let Some(quantity) = quantity
                && quantity.value() < 0.0
            {
                out.push(
                    INVALID_RESOURCES
                        .at(
                            path().field(field),
                            format!("the {resource} {kind} {quantity} is negative"),
                        )
                        .with_help("use a quantity of 0 or more"),
                );
            }
        }
        if let (Some(request), Some(limit)) = (request, limit)
            && request.value() > limit.value()
        {
            out.push(
                INVALID_RESOURCES
                    .at(
                        path().field(request_field),
                        format!("the {resource} request {request} is above its limit {limit}"),
                    )
                    .with_help(format!(
                        "lower the request to {limit} or less, or raise the limit"
                    )),
            );
        }
    }
}

/// The API server refuses a ConfigMap with a key outside its grammar, and the pods that read it
/// never start.
fn check_config_keys(service: &Service, path: &LazyPath<'_>, out: &mut Diagnostics) {
    for key in service.config.keys() {
        let valid = (1..=253).contains(&key.len())
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if !valid {
            let repaired: String = key
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || matches!(c, '-' | '.') {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            let help = if repaired.is_empty() || repaired.len() > 253 {
                "use 1 to 253 letters, digits, `-`, `_` and `.`".to_owned()
            } else {
                format!("use `{repaired}`")
            };
            out.push(
                INVALID_CONFIG_KEY
                    .at(
                        path().field("config").key(key),
                        format!("config key `{key}` is not a valid ConfigMap key"),
                    )
                    .with_help(help),
            );
        }
    }
}

/// The API server refuses a ConfigMap whose data passes 1 MiB, and the pods that read it never
/// start.
fn check_config_size(service: &Service, path: &LazyPath<'_>, out: &mut Diagnostics) {
    let size: usize = service.config.iter().map(|(k, v)| k.len() + v.len()).sum();
    if size <= MAX_CONFIG_MAP_BYTES {
        return;
    }
    out.push(
        CONFIG_MAP_TOO_LARGE
            .at(
                path().field("config"),
                format!("the config totals {size} bytes, over Kubernetes' {MAX_CONFIG_MAP_BYTES}-byte (1 MiB) ConfigMap limit"),
            )
            .with_help("keep large data out of environment config: mount it from a volume or fetch it at start"),
    );
}

/// Connectum listens on `PORT` (default 5000) while the container port, the Service and the
/// probes use the service's port: when a config entry makes them differ nothing answers where
/// Kubernetes looks, and the pods never become ready. Without the entry the renderer sets `PORT`
/// from the port, so only a contradicting entry is a problem.
fn check_port_config(service: &Service, path: &LazyPath<'_>, out: &mut Diagnostics) {
    let Some(value) = service.configured_port() else {
        return;
    };
    let listens_on = value.trim().parse::<u16>().ok();
    if listens_on == Some(service.port) {
        return;
    }
    let port = service.port;
    let or_port = listens_on
        .filter(|p| *p > 0)
        .map(|p| format!(", or set the service's port to {p}"))
        .unwrap_or_default();
    out.push(
        PORT_CONFIG_MISMATCH
            .at(
                path().field("config").key(PORT_VARIABLE),
                format!(
                    "config sets `{PORT_VARIABLE}` to `{value}`, but the service's port is {port}: Connectum listens on `{value}` while the container port, the Service and the probes use {port}, so the pods never become ready"
                ),
            )
            .with_help(format!(
                "remove `{PORT_VARIABLE}` from config (without it Connectum listens on the service's port), or set it to `{port}`{or_port}"
            ))
            .with_related(path().field("port"), format!("the service's port is {port}")),
    );
}

/// The ConfigMap carries the Connectum settings the model describes; a `config` entry with
/// another value would make the app run with settings nobody checked.
fn check_app_settings_config(service: &Service, path: &LazyPath<'_>, out: &mut Diagnostics) {
    // Most services set none of the variables: their settings need not be rendered to compare.
    if service.config.is_empty() {
        return;
    }
    for (key, modelled) in service.app_settings() {
        let Some(value) = service.config.get(&key) else {
            continue;
        };
        if *value == modelled {
            continue;
        }
        let source = if key == SHUTDOWN_TIMEOUT_VARIABLE {
            "shutdown.timeout"
        } else {
            "interceptors"
        };
        out.push(
            APP_SETTING_CONFLICT
                .at(
                    path().field("config").key(&key),
                    format!(
                        "config sets `{key}` to `{value}`, but the mesh models {source} as `{modelled}`: the app would run with settings the checker never saw"
                    ),
                )
                .with_help(format!(
                    "remove `{key}` from config (connectum-mesh renders it from {source}), or change {source}"
                )),
        );
    }
}
