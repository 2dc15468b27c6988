//! The Kubernetes side: Namespace, ServiceAccounts, ConfigMaps, Services, Deployments, HPAs,
//! PodDisruptionBudgets.

use std::collections::{BTreeMap, BTreeSet};

use connectum_mesh_core::{
    APP_VERSION_LABEL, Autoscaler, COMPONENT_LABEL, GRPC_PORT_NAME, Mesh, PORT_VARIABLE, PodCount,
    PodTimeline, Probe, ResolvedBudget, Resources, Scaling, ScalingRule, Service, SidecarMode,
    SpreadPolicy, Subset,
};
use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentSpec, DeploymentStrategy, RollingUpdateDeployment,
};
use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HPAScalingPolicy, HPAScalingRules, HorizontalPodAutoscaler,
    HorizontalPodAutoscalerBehavior, HorizontalPodAutoscalerSpec, MetricSpec, MetricTarget,
    ResourceMetricSource,
};
use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapEnvSource, Container, ContainerPort, EnvFromSource, EnvVar, ExecAction,
    HTTPGetAction, Lifecycle, LifecycleHandler, Namespace, PodSecurityContext, PodSpec,
    PodTemplateSpec, Probe as K8sProbe, ResourceRequirements, SeccompProfile, SecretVolumeSource,
    Service as K8sService, ServiceAccount, ServicePort, ServiceSpec, SleepAction,
    TopologySpreadConstraint, Volume, VolumeMount,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as K8sQuantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use sha2::{Digest, Sha256};

use super::clamp_i32;
use super::meta::{app_selector, component_labels, object_meta, subset_selector, with_part_of};

/// The namespace label that turns on sidecar injection.
pub(crate) const INJECTION_LABEL: &str = "istio-injection";
/// The pod annotation holding the hash of the ConfigMap, so a config change rolls the pods.
pub(crate) const CONFIG_CHECKSUM_ANNOTATION: &str = "checksum/config";
/// The pod annotation holding Istio ProxyConfig overrides (YAML).
pub(crate) const PROXY_CONFIG_ANNOTATION: &str = "proxy.istio.io/config";
/// The pod annotation that asks Istio's injector for a native sidecar (it takes precedence over
/// istiod's `ENABLE_NATIVE_SIDECARS`).
pub(crate) const NATIVE_SIDECAR_ANNOTATION: &str = "sidecar.istio.io/nativeSidecar";
/// The label Deployments put on each ReplicaSet's pods; spreading per value spreads each rollout
/// revision on its own.
const POD_TEMPLATE_HASH: &str = "pod-template-hash";

/// Fills a k8s-openapi field that is `T` in some Kubernetes versions and `Option<T>` in others
/// (`Deployment.spec` became required in v1_37), so the library builds against every version.
trait Slot<T> {
    fn fill(value: T) -> Self;
}

impl<T> Slot<T> for T {
    fn fill(value: T) -> Self {
        value
    }
}

impl<T> Slot<T> for Option<T> {
    fn fill(value: T) -> Self {
        Some(value)
    }
}

fn fill<S: Slot<T>, T>(value: T) -> S {
    S::fill(value)
}

pub(crate) fn namespace(mesh: &Mesh) -> Namespace {
    let mut labels = with_part_of(mesh, mesh.namespace_labels.clone());
    if mesh.sidecar_injection && mesh.mode.is_istio() {
        labels.insert(INJECTION_LABEL.to_owned(), "enabled".to_owned());
    }
    Namespace {
        metadata: ObjectMeta {
            name: Some(mesh.namespace.clone()),
            labels: (!labels.is_empty()).then_some(labels),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    }
}

/// One ServiceAccount per distinct account the services run as, in service order.
pub(crate) fn service_accounts(mesh: &Mesh) -> impl Iterator<Item = ServiceAccount> + '_ {
    let mut seen = BTreeSet::new();
    mesh.services
        .iter()
        .filter(move |service| seen.insert(service.service_account_name()))
        .map(|service| ServiceAccount {
            metadata: object_meta(
                mesh,
                service.service_account_name(),
                app_selector(mesh, service),
            ),
            ..ServiceAccount::default()
        })
}

/// The service's ConfigMap: its `config` and the Connectum settings the app must run with
/// (`CONNECTUM_INTERCEPTORS`, `GRACEFUL_SHUTDOWN_TIMEOUT_MS`), which every service has.
pub(crate) fn config_map(mesh: &Mesh, service: &Service) -> Option<ConfigMap> {
    let name = service.config_map_name()?;
    Some(ConfigMap {
        metadata: object_meta(mesh, &name, component_labels(mesh, service, "config")),
        data: Some(service.rendered_config()),
        ..ConfigMap::default()
    })
}

/// The SHA-256 of the config entries (sorted keys, `key=value` lines): a real checksum where
/// the reference manifest left a Helm expression unrendered.
pub(crate) fn config_checksum(config: &BTreeMap<String, String>) -> String {
    let mut hasher = Sha256::new();
    for (key, value) in config {
        hasher.update(key.as_bytes());
        hasher.update(b"=");
        hasher.update(value.as_bytes());
        hasher.update(b"\n");
    }
    // The digest's own lower-hex formatting: one write, not a `format!` per byte.
    format!("{:x}", hasher.finalize())
}

pub(crate) fn service(mesh: &Mesh, service: &Service) -> K8sService {
    K8sService {
        metadata: object_meta(
            mesh,
            &service.name,
            component_labels(mesh, service, "service"),
        ),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".to_owned()),
            selector: Some(app_selector(mesh, service)),
            ports: Some(vec![ServicePort {
                name: Some(GRPC_PORT_NAME.to_owned()),
                port: i32::from(service.port),
                target_port: Some(IntOrString::String(GRPC_PORT_NAME.to_owned())),
                protocol: Some("TCP".to_owned()),
                app_protocol: Some("grpc".to_owned()),
                ..ServicePort::default()
            }]),
            ..ServiceSpec::default()
        }),
        ..K8sService::default()
    }
}

/// One Deployment per subset (or one for a service without subsets). The first subset is the
/// primary: it takes the service's name and scaling; the others inherit everything but their
/// `version` label, image and replicas.
pub(crate) fn deployments(mesh: &Mesh, service: &Service) -> Vec<Deployment> {
    // What every subset's pods share, worked out once per service: the shutdown timeline and
    // the pod annotations, with the SHA-256 of the rendered config among them.
    let timeline = PodTimeline::of(mesh, service);
    let annotations = pod_annotations(mesh, service, &timeline);
    let shared = Shared {
        timeline: &timeline,
        annotations: &annotations,
    };
    if service.subsets.is_empty() {
        return vec![deployment(mesh, service, &shared, None, 0)];
    }
    service
        .subsets
        .iter()
        .enumerate()
        .map(|(index, subset)| deployment(mesh, service, &shared, Some(subset), index))
        .collect()
}

/// What the Deployments of one service's subsets have in common.
struct Shared<'a> {
    timeline: &'a PodTimeline,
    annotations: &'a Option<BTreeMap<String, String>>,
}

fn deployment(
    mesh: &Mesh,
    service: &Service,
    shared: &Shared<'_>,
    subset: Option<&Subset>,
    index: usize,
) -> Deployment {
    let replicas = service.deployment_replicas(index);
    let rollout = service.rollout_plan(index);
    let timeline = shared.timeline;
    let app_version = subset
        .and_then(|s| s.app_version.as_deref())
        .or(service.app_version.as_deref());
    let selector = subset_selector(mesh, service, subset);

    // The pods' labels are the selector's and the app version; the Deployment's add the
    // component (the same labels `component_labels` gives, built from the selector once).
    let mut pod_labels = selector.clone();
    if let Some(version) = app_version {
        pod_labels.insert(APP_VERSION_LABEL.to_owned(), version.to_owned());
    }
    let mut metadata_labels = pod_labels.clone();
    metadata_labels.insert(COMPONENT_LABEL.to_owned(), "service".to_owned());

    let image = subset
        .and_then(|s| s.image.as_deref())
        .unwrap_or(&service.image);
    Deployment {
        metadata: object_meta(mesh, &service.deployment_name(index), metadata_labels),
        spec: fill(DeploymentSpec {
            replicas: replicas.map(clamp_i32),
            revision_history_limit: Some(clamp_i32(service.rollout.revision_history_limit)),
            strategy: Some(DeploymentStrategy {
                type_: Some("RollingUpdate".to_owned()),
                rolling_update: Some(RollingUpdateDeployment {
                    max_unavailable: Some(IntOrString::Int(clamp_i32(rollout.max_unavailable))),
                    max_surge: Some(IntOrString::Int(clamp_i32(rollout.max_surge))),
                }),
            }),
            selector: LabelSelector {
                match_labels: Some(selector),
                ..LabelSelector::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(pod_labels),
                    annotations: shared.annotations.clone(),
                    ..ObjectMeta::default()
                }),
                spec: Some(pod_spec(mesh, service, image, timeline)),
            },
            ..DeploymentSpec::default()
        }),
        ..Deployment::default()
    }
}

fn pod_annotations(
    mesh: &Mesh,
    service: &Service,
    timeline: &PodTimeline,
) -> Option<BTreeMap<String, String>> {
    let mut annotations = BTreeMap::new();
    if mesh.sidecar_injection && mesh.mode.is_istio() {
        annotations.extend(sidecar_lifecycle_annotations(service, timeline));
    }
    annotations.insert(
        CONFIG_CHECKSUM_ANNOTATION.to_owned(),
        config_checksum(&service.rendered_config()),
    );
    if let Some(sidecar) = service.sidecar.as_ref().filter(|_| mesh.mode.is_istio()) {
        let entries = [
            ("sidecar.istio.io/proxyCPU", &sidecar.cpu_request),
            ("sidecar.istio.io/proxyCPULimit", &sidecar.cpu_limit),
            ("sidecar.istio.io/proxyMemory", &sidecar.memory_request),
            ("sidecar.istio.io/proxyMemoryLimit", &sidecar.memory_limit),
        ];
        for (key, value) in entries {
            if let Some(value) = value {
                annotations.insert(key.to_owned(), value.to_string());
            }
        }
    }
    (!annotations.is_empty()).then_some(annotations)
}

/// What makes the proxy keep to the timeline: with classic sidecars, hold the app until the
/// proxy is ready and drain as long as the app (`proxy.istio.io/config`); with native sidecars,
/// ask for one (Kubernetes then orders start and stop), and pass a drain only when it was set.
fn sidecar_lifecycle_annotations(
    service: &Service,
    timeline: &PodTimeline,
) -> BTreeMap<String, String> {
    let mut annotations = BTreeMap::new();
    let mut proxy_config = String::new();
    if timeline.sidecars() == SidecarMode::Classic && service.shutdown.hold_until_proxy_starts {
        proxy_config.push_str("holdApplicationUntilProxyStarts: true\n");
    }
    if let Some(drain) = timeline.proxy_drain_to_render() {
        proxy_config.push_str(&format!("terminationDrainDuration: {drain}\n"));
    }
    if !proxy_config.is_empty() {
        annotations.insert(PROXY_CONFIG_ANNOTATION.to_owned(), proxy_config);
    }
    if timeline.sidecars() == SidecarMode::Native {
        annotations.insert(NATIVE_SIDECAR_ANNOTATION.to_owned(), "true".to_owned());
    }
    annotations
}

fn pod_spec(mesh: &Mesh, service: &Service, image: &str, timeline: &PodTimeline) -> PodSpec {
    let security = &service.security;
    PodSpec {
        service_account_name: Some(service.service_account_name().to_owned()),
        security_context: Some(PodSecurityContext {
            run_as_non_root: Some(security.run_as_non_root),
            run_as_user: Some(security.run_as_user),
            run_as_group: Some(security.run_as_group),
            fs_group: Some(security.fs_group),
            seccomp_profile: security.seccomp_runtime_default.then(|| SeccompProfile {
                type_: "RuntimeDefault".to_owned(),
                ..SeccompProfile::default()
            }),
            ..PodSecurityContext::default()
        }),
        termination_grace_period_seconds: Some(ceil_seconds(timeline.grace_period())),
        topology_spread_constraints: service
            .spread_across_nodes
            .then(|| vec![spread_constraint(mesh, service)]),
        containers: vec![container(service, image, timeline)],
        volumes: service.app_tls.as_ref().map(|_| {
            vec![Volume {
                name: TLS_VOLUME.to_owned(),
                secret: Some(SecretVolumeSource {
                    secret_name: Some(tls_secret_name(service)),
                    ..SecretVolumeSource::default()
                }),
                ..Volume::default()
            }]
        }),
        ..PodSpec::default()
    }
}

/// Spread over nodes without leaving pods Pending on tainted pools: `ScheduleAnyway`, or
/// `DoNotSchedule` counting only nodes the pods tolerate; either per rollout revision.
fn spread_constraint(mesh: &Mesh, service: &Service) -> TopologySpreadConstraint {
    let (when_unsatisfiable, node_taints_policy) = match service.spread_policy {
        SpreadPolicy::ScheduleAnyway => ("ScheduleAnyway", None),
        SpreadPolicy::DoNotSchedule => ("DoNotSchedule", Some("Honor".to_owned())),
    };
    TopologySpreadConstraint {
        max_skew: 1,
        topology_key: "kubernetes.io/hostname".to_owned(),
        when_unsatisfiable: when_unsatisfiable.to_owned(),
        node_taints_policy,
        match_label_keys: Some(vec![POD_TEMPLATE_HASH.to_owned()]),
        label_selector: Some(LabelSelector {
            match_labels: Some(app_selector(mesh, service)),
            ..LabelSelector::default()
        }),
        ..TopologySpreadConstraint::default()
    }
}

/// The preStop hook: Kubernetes' `sleep` action (no shell in the image needed), or
/// `sh -c "sleep N"` when asked for; none for a zero sleep.
fn pre_stop(service: &Service, timeline: &PodTimeline) -> Option<Lifecycle> {
    let sleep = timeline.pre_stop();
    if sleep.is_zero() {
        return None;
    }
    let handler = if service.shutdown.pre_stop_shell {
        LifecycleHandler {
            exec: Some(ExecAction {
                command: Some(vec![
                    "sh".to_owned(),
                    "-c".to_owned(),
                    format!("sleep {}", seconds_text(sleep)),
                ]),
            }),
            ..LifecycleHandler::default()
        }
    } else {
        LifecycleHandler {
            sleep: Some(SleepAction {
                seconds: ceil_seconds(sleep),
            }),
            ..LifecycleHandler::default()
        }
    };
    Some(Lifecycle {
        pre_stop: Some(handler),
        ..Lifecycle::default()
    })
}

fn container(service: &Service, image: &str, timeline: &PodTimeline) -> Container {
    Container {
        name: service.name.clone(),
        image: Some(image.to_owned()),
        image_pull_policy: Some("IfNotPresent".to_owned()),
        ports: Some(vec![ContainerPort {
            name: Some(GRPC_PORT_NAME.to_owned()),
            container_port: i32::from(service.port),
            protocol: Some("TCP".to_owned()),
            ..ContainerPort::default()
        }]),
        env: env(service),
        volume_mounts: service.app_tls.as_ref().map(|tls| {
            vec![VolumeMount {
                name: TLS_VOLUME.to_owned(),
                mount_path: tls.dir_path.clone(),
                read_only: Some(true),
                ..VolumeMount::default()
            }]
        }),
        env_from: service.config_map_name().map(|name| {
            vec![EnvFromSource {
                config_map_ref: Some(ConfigMapEnvSource {
                    name,
                    ..ConfigMapEnvSource::default()
                }),
                ..EnvFromSource::default()
            }]
        }),
        resources: service.resources.as_ref().map(resource_requirements),
        startup_probe: service.probes.startup.as_ref().map(http_probe),
        liveness_probe: service.probes.liveness.as_ref().map(http_probe),
        readiness_probe: service.probes.readiness.as_ref().map(http_probe),
        lifecycle: pre_stop(service, timeline),
        ..Container::default()
    }
}

/// The volume holding the application's TLS certificate and key.
const TLS_VOLUME: &str = "tls";

/// The Secret (type `kubernetes.io/tls`, provided by you or cert-manager) mounted for
/// application TLS: `<service>-tls`, as the guide names it.
pub(crate) fn tls_secret_name(service: &Service) -> String {
    format!("{}-tls", service.name)
}

/// The container's environment: `PORT` when needed, and `TLS_DIR_PATH` (the only TLS
/// variable Connectum's createServer reads) where application TLS is on.
fn env(service: &Service) -> Option<Vec<EnvVar>> {
    let tls = service.app_tls.as_ref().map(|tls| EnvVar {
        name: "TLS_DIR_PATH".to_owned(),
        value: Some(tls.dir_path.clone()),
        ..EnvVar::default()
    });
    let all: Vec<EnvVar> = port_env(service).into_iter().flatten().chain(tls).collect();
    (!all.is_empty()).then_some(all)
}

/// Connectum listens on `PORT` (default 5000). When the service uses another port and its config
/// does not say so, the container gets `PORT` so the app listens where the probes and the Service
/// look. (A config `PORT` that disagrees is a checker error.)
fn port_env(service: &Service) -> Option<Vec<EnvVar>> {
    service.needs_port_variable().then(|| {
        vec![EnvVar {
            name: PORT_VARIABLE.to_owned(),
            value: Some(service.port.to_string()),
            ..EnvVar::default()
        }]
    })
}

fn resource_requirements(resources: &Resources) -> ResourceRequirements {
    let pair = |cpu: &Option<connectum_mesh_core::Quantity>,
                memory: &Option<connectum_mesh_core::Quantity>| {
        let mut map = BTreeMap::new();
        if let Some(cpu) = cpu {
            map.insert("cpu".to_owned(), K8sQuantity(cpu.to_string()));
        }
        if let Some(memory) = memory {
            map.insert("memory".to_owned(), K8sQuantity(memory.to_string()));
        }
        (!map.is_empty()).then_some(map)
    };
    ResourceRequirements {
        requests: pair(&resources.cpu_request, &resources.memory_request),
        limits: pair(&resources.cpu_limit, &resources.memory_limit),
        ..ResourceRequirements::default()
    }
}

fn http_probe(probe: &Probe) -> K8sProbe {
    K8sProbe {
        http_get: Some(HTTPGetAction {
            path: Some(probe.path.clone()),
            port: IntOrString::String(GRPC_PORT_NAME.to_owned()),
            ..HTTPGetAction::default()
        }),
        initial_delay_seconds: probe.initial_delay_seconds.map(clamp_i32),
        period_seconds: Some(clamp_i32(probe.period_seconds)),
        failure_threshold: Some(clamp_i32(probe.failure_threshold)),
        timeout_seconds: Some(clamp_i32(probe.timeout_seconds)),
        ..K8sProbe::default()
    }
}

pub(crate) fn autoscaler(mesh: &Mesh, service: &Service) -> Option<HorizontalPodAutoscaler> {
    let Scaling::Autoscale(autoscaler) = &service.scaling else {
        return None;
    };
    Some(HorizontalPodAutoscaler {
        metadata: object_meta(mesh, &service.name, app_selector(mesh, service)),
        spec: fill(hpa_spec(service, autoscaler)),
        ..HorizontalPodAutoscaler::default()
    })
}

fn hpa_spec(service: &Service, autoscaler: &Autoscaler) -> HorizontalPodAutoscalerSpec {
    let rules = |rule: &ScalingRule| HPAScalingRules {
        stabilization_window_seconds: Some(clamp_i32(rule.stabilization_window_seconds)),
        policies: Some(vec![HPAScalingPolicy {
            type_: "Pods".to_owned(),
            value: clamp_i32(rule.pods),
            period_seconds: clamp_i32(rule.period_seconds),
        }]),
        ..HPAScalingRules::default()
    };
    let behavior = (autoscaler.scale_up.is_some() || autoscaler.scale_down.is_some()).then(|| {
        HorizontalPodAutoscalerBehavior {
            scale_up: autoscaler.scale_up.as_ref().map(rules),
            scale_down: autoscaler.scale_down.as_ref().map(rules),
        }
    });
    let utilization = |resource: &str, percent: u32| MetricSpec {
        type_: "Resource".to_owned(),
        resource: Some(ResourceMetricSource {
            name: resource.to_owned(),
            target: MetricTarget {
                type_: "Utilization".to_owned(),
                average_utilization: Some(clamp_i32(percent)),
                ..MetricTarget::default()
            },
        }),
        ..MetricSpec::default()
    };
    let metrics: Vec<MetricSpec> = [
        autoscaler.cpu_utilization.map(|p| utilization("cpu", p)),
        autoscaler
            .memory_utilization
            .map(|p| utilization("memory", p)),
    ]
    .into_iter()
    .flatten()
    .collect();
    HorizontalPodAutoscalerSpec {
        scale_target_ref: CrossVersionObjectReference {
            api_version: Some("apps/v1".to_owned()),
            kind: "Deployment".to_owned(),
            name: service.deployment_name(0),
        },
        min_replicas: Some(clamp_i32(autoscaler.min_replicas)),
        max_replicas: clamp_i32(autoscaler.max_replicas),
        behavior,
        metrics: (!metrics.is_empty()).then_some(metrics),
    }
}

/// The service's PodDisruptionBudget, selecting the pods of every subset, if it has one.
/// `unhealthyPodEvictionPolicy: AlwaysAllow` lets drains evict pods that are not ready anyway,
/// so a crash-looping pod cannot block a node drain.
pub(crate) fn disruption_budget(mesh: &Mesh, service: &Service) -> Option<PodDisruptionBudget> {
    let budget = service.resolved_disruption_budget()?;
    let count = |count: PodCount| match count {
        PodCount::Pods(pods) => IntOrString::Int(clamp_i32(pods)),
        PodCount::Percent(percent) => IntOrString::String(format!("{percent}%")),
    };
    let (max_unavailable, min_available) = match budget {
        ResolvedBudget::MaxUnavailable(c) => (Some(count(c)), None),
        ResolvedBudget::MinAvailable(c) => (None, Some(count(c))),
    };
    Some(PodDisruptionBudget {
        metadata: object_meta(mesh, &service.name, app_selector(mesh, service)),
        spec: Some(PodDisruptionBudgetSpec {
            max_unavailable,
            min_available,
            selector: Some(LabelSelector {
                match_labels: Some(app_selector(mesh, service)),
                ..LabelSelector::default()
            }),
            unhealthy_pod_eviction_policy: Some("AlwaysAllow".to_owned()),
        }),
        ..PodDisruptionBudget::default()
    })
}

/// Whole seconds, rounded up so a grace period never undercuts the timings it covers.
fn ceil_seconds(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_millis().div_ceil(1000)).unwrap_or(i64::MAX)
}

/// Seconds for `sleep`: `5` or `0.25`.
fn seconds_text(duration: std::time::Duration) -> String {
    let millis = duration.as_millis();
    if millis.is_multiple_of(1000) {
        (millis / 1000).to_string()
    } else {
        format!("{}.{:03}", millis / 1000, millis % 1000)
            .trim_end_matches('0')
            .to_owned()
    }
}
