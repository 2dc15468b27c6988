//! Read objects → the mesh model: services from Services and the Deployments their selectors
//! match, subsets from DestinationRules matched to the pods that carry their labels, routes from
//! VirtualServices, allow rules from AuthorizationPolicies, mTLS from PeerAuthentications,
//! autoscaling from HPAs, config from ConfigMaps, telemetry from Telemetry.

use std::collections::BTreeMap;

use connectum_mesh_core as model;
use connectum_mesh_core::{
    AllowRule, Autoscaler, Duration, ExternalCaller, HeaderMatch, HostStyle, Interceptors, Mesh,
    MeshRetry, Probe, Quantity, RequestMatch, Resources, RetryOn, Route, RouteTarget, Scaling,
    ScalingRule, Service, ServiceAccountRef, Source, Split, SplitLeg, Subset, SubsetRef,
};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::autoscaling::v2::{
    HPAScalingRules, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec,
};
use k8s_openapi::api::core::v1::{
    self as core_v1, Container, Probe as K8sProbe, ResourceRequirements,
};

use crate::api::networking::{self, HttpRoute, HttpRouteAction, VirtualService};
use crate::api::security::{AuthorizationPolicy, PeerAuthentication};
use crate::api::{PolicyTarget, StringMatch};
use crate::read::{Manifest, ReadObject};
use crate::render::Object;

pub(crate) const INJECTION_LABEL: &str = "istio-injection";
const PART_OF_LABEL: &str = "app.kubernetes.io/part-of";
const VERSION_LABEL: &str = "app.kubernetes.io/version";

/// The objects of one kind, in reading order, later same-named ones replacing earlier ones (as
/// `kubectl apply` of the files in order leaves them).
pub(crate) struct Objects<'a> {
    pub all: Vec<(&'a ReadObject, &'a Object)>,
}

impl<'a> Objects<'a> {
    pub fn new(read: &'a [ReadObject]) -> Self {
        Self::choosing(read, None)
    }

    /// Like [`Objects::new`], but where several documents define one object, `chosen` is the
    /// one kept (to check what each of them would do).
    pub fn choosing(read: &'a [ReadObject], chosen: Option<&'a ReadObject>) -> Self {
        let same = |a: &ReadObject, b: &ReadObject| a.kind == b.kind && a.name == b.name;
        let mut all: Vec<(&ReadObject, &Object)> = Vec::new();
        for object in read {
            let Manifest::Object(typed) = &object.manifest else {
                continue;
            };
            if chosen.is_some_and(|c| same(c, object) && !std::ptr::eq(c, object)) {
                continue;
            }
            all.retain(|(earlier, _)| {
                !same(earlier, object) || chosen.is_some_and(|c| std::ptr::eq(c, *earlier))
            });
            if !all.iter().any(|(kept, _)| same(kept, object)) {
                all.push((object, typed));
            }
        }
        Self { all }
    }

    /// Every document, duplicates included (for rules about each document).
    pub fn every(read: &'a [ReadObject]) -> Self {
        Self {
            all: read
                .iter()
                .filter_map(|object| match &object.manifest {
                    Manifest::Object(typed) => Some((object, typed)),
                    Manifest::Secret(_) => None,
                })
                .collect(),
        }
    }

    /// Whether `object` is the document kept for its kind and name.
    pub fn keeps(&self, object: &ReadObject) -> bool {
        self.all.iter().any(|(kept, _)| std::ptr::eq(*kept, object))
    }

    pub(super) fn of<T: ObjectKind>(&self) -> Vec<(&'a ReadObject, &'a T)> {
        self.all
            .iter()
            .filter_map(|(read, object)| T::pick(object).map(|typed| (*read, typed)))
            .collect()
    }
}

/// A kind of [`Object`], which [`Objects::of`] picks out of the objects read.
pub(crate) trait ObjectKind {
    /// `object` as this kind, when it is one.
    fn pick(object: &Object) -> Option<&Self>;
}

/// One [`ObjectKind`] per variant of [`Object`] that holds it.
macro_rules! object_kinds {
    ($($variant:ident($kind:ty)),* $(,)?) => {$(
        impl ObjectKind for $kind {
            fn pick(object: &Object) -> Option<&Self> {
                match object {
                    Object::$variant(typed) => Some(typed),
                    _ => None,
                }
            }
        }
    )*};
}

object_kinds!(
    Namespace(core_v1::Namespace),
    PeerAuthentication(PeerAuthentication),
    AuthorizationPolicy(AuthorizationPolicy),
    Service(core_v1::Service),
    Deployment(Deployment),
    HorizontalPodAutoscaler(HorizontalPodAutoscaler),
    PodDisruptionBudget(k8s_openapi::api::policy::v1::PodDisruptionBudget),
    DestinationRule(networking::DestinationRule),
    VirtualService(VirtualService),
    Telemetry(crate::api::telemetry::Telemetry),
    GatewayClass(crate::api::gateway::GatewayClass),
    IstioGateway(networking::Gateway),
    Gateway(crate::api::gateway::Gateway),
    BackendTrafficPolicy(crate::api::envoy::BackendTrafficPolicy),
);

/// A field that is optional in some Kubernetes versions and required in others
/// (`Deployment.spec` from v1_37): the library builds against both.
trait Present<T> {
    fn present(&self) -> Option<&T>;
}

impl<T> Present<T> for T {
    fn present(&self) -> Option<&T> {
        Some(self)
    }
}

impl<T> Present<T> for Option<T> {
    fn present(&self) -> Option<&T> {
        self.as_ref()
    }
}

pub(crate) fn deployment_spec(deployment: &Deployment) -> Option<&DeploymentSpec> {
    Present::<DeploymentSpec>::present(&deployment.spec)
}

pub(crate) fn hpa_spec(hpa: &HorizontalPodAutoscaler) -> Option<&HorizontalPodAutoscalerSpec> {
    Present::<HorizontalPodAutoscalerSpec>::present(&hpa.spec)
}

fn labels_match(selector: &BTreeMap<String, String>, labels: &BTreeMap<String, String>) -> bool {
    !selector.is_empty() && selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

pub(crate) fn pod_labels(deployment: &Deployment) -> BTreeMap<String, String> {
    deployment_spec(deployment)
        .and_then(|spec| spec.template.metadata.as_ref())
        .and_then(|meta| meta.labels.clone())
        .unwrap_or_default()
}

fn container(deployment: &Deployment) -> Option<&Container> {
    deployment_spec(deployment)
        .and_then(|spec| spec.template.spec.as_ref())
        .and_then(|pod| pod.containers.first())
}

fn unsigned(value: Option<i32>) -> Option<u32> {
    value.and_then(|v| u32::try_from(v).ok())
}

/// The Deployments whose pods a Service's selector picks.
pub(crate) fn workloads_of<'a>(
    selector: &BTreeMap<String, String>,
    deployments: &[(&'a ReadObject, &'a Deployment)],
) -> Vec<(&'a ReadObject, &'a Deployment)> {
    deployments
        .iter()
        .filter(|(_, d)| labels_match(selector, &pod_labels(d)))
        .copied()
        .collect()
}

/// Builds the mesh. `interceptors` are what the applications' `createServer` sets (manifests do
/// not say); every service gets them.
pub(crate) fn mesh(objects: &Objects<'_>, interceptors: &Interceptors) -> Mesh {
    let namespaces = objects.of::<core_v1::Namespace>();
    let namespace = namespaces
        .first()
        .map(|(read, _)| read.name.clone())
        .or_else(|| {
            objects
                .all
                .iter()
                .find_map(|(read, _)| read.namespace.clone())
        })
        .unwrap_or_else(|| "default".to_owned());
    let mut namespace_labels = namespaces
        .first()
        .and_then(|(_, n)| n.metadata.labels.clone())
        .unwrap_or_default();
    let sidecar_injection = namespace_labels.remove(INJECTION_LABEL).as_deref() == Some("enabled");
    let part_of = namespace_labels.remove(PART_OF_LABEL);
    let peer_authentications = objects.of::<PeerAuthentication>();
    let mtls = peer_authentications
        .iter()
        .find(|(_, p)| p.spec.selector.is_none())
        .and_then(|(_, p)| mtls_mode(p))
        .unwrap_or(model::MtlsMode::Strict);
    let virtual_services = objects.of::<VirtualService>();
    let host_style = if virtual_services
        .iter()
        .flat_map(|(_, v)| &v.spec.hosts)
        .any(|h| h.contains(".svc."))
    {
        HostStyle::Fqdn
    } else {
        HostStyle::Short
    };
    let mode = if sidecar_injection || objects.all.iter().any(|(_, o)| is_istio_object(o)) {
        model::MeshMode::Istio
    } else {
        model::MeshMode::None
    };
    let mut mesh = Mesh::builder()
        .namespace(namespace)
        .namespace_labels(namespace_labels)
        .mode(mode)
        .sidecar_injection(sidecar_injection || mode == model::MeshMode::None)
        .mtls(mtls)
        .host_style(host_style)
        .build();
    mesh.part_of = part_of;
    // An ALLOW policy for the whole namespace with no rules is Istio's allow-nothing.
    mesh.deny_by_default = objects
        .of::<AuthorizationPolicy>()
        .iter()
        .any(|(_, policy)| policy.spec == crate::api::security::AuthorizationPolicySpec::default());
    mesh.telemetry = objects
        .of::<crate::api::telemetry::Telemetry>()
        .first()
        .map(|(read, t)| telemetry(&read.name, &t.spec));

    let deployments = objects.of::<Deployment>();
    let services = objects.of::<core_v1::Service>();
    for (read, k8s_service) in services {
        let spec = k8s_service.spec.clone().unwrap_or_default();
        if spec.type_.as_deref().is_some_and(|t| t != "ClusterIP") {
            continue; // listed as not modelled
        }
        let selector = spec.selector.clone().unwrap_or_default();
        let workloads = workloads_of(&selector, &deployments);
        let port = spec
            .ports
            .as_ref()
            .and_then(|ports| ports.first())
            .and_then(|p| u16::try_from(p.port).ok())
            .unwrap_or(model::CONNECTUM_PORT);
        // Each service reads the mesh so far, so the importer fills the collections in place.
        mesh.services.push(service(
            &mesh,
            &read.name,
            port,
            &workloads,
            objects,
            interceptors,
        ));
    }
    admit_callers(&mut mesh);
    let istio_gateways = super::edge::istio_gateways(&mesh, objects);
    mesh.gateways.extend(istio_gateways);
    let gateways = super::edge::gateways(&mesh, objects);
    mesh.gateways.extend(gateways);
    super::edge::identities(&mut mesh);
    mesh
}

/// Whether `object` exists only under Istio: an Istio kind, or a Deployment whose pods Istio's
/// annotations configure. Manifests with none of them are the guide's first migration step, a
/// mesh without Istio ([`model::MeshMode::None`]).
fn is_istio_object(object: &Object) -> bool {
    match object {
        Object::VirtualService(_)
        | Object::DestinationRule(_)
        | Object::PeerAuthentication(_)
        | Object::AuthorizationPolicy(_)
        | Object::Telemetry(_)
        | Object::IstioGateway(_) => true,
        Object::Deployment(deployment) => deployment_spec(deployment)
            .and_then(|spec| spec.template.metadata.as_ref())
            .and_then(|meta| meta.annotations.as_ref())
            .is_some_and(|annotations| {
                annotations
                    .keys()
                    .any(|key| key.contains(".istio.io/") || key.starts_with("istio.io/"))
            }),
        _ => false,
    }
}

fn mtls_mode(policy: &PeerAuthentication) -> Option<model::MtlsMode> {
    use crate::api::security::MtlsMode as Api;
    match policy.spec.mtls.as_ref()?.mode? {
        Api::Strict => Some(model::MtlsMode::Strict),
        Api::Permissive => Some(model::MtlsMode::Permissive),
        Api::Disable => Some(model::MtlsMode::Disable),
        Api::Unset => None,
    }
}

fn telemetry(name: &str, spec: &crate::api::telemetry::TelemetrySpec) -> model::Telemetry {
    fn names(providers: &[ProviderRef]) -> impl Iterator<Item = &str> {
        providers.iter().map(|p| p.name.as_str())
    }
    use crate::api::telemetry::ProviderRef;
    let mut telemetry = model::Telemetry::builder()
        .name(name)
        .metrics_providers(spec.metrics.iter().flat_map(|m| names(&m.providers)))
        .access_log_providers(spec.access_logging.iter().flat_map(|a| names(&a.providers)))
        .build();
    telemetry.tracing = spec.tracing.first().map(|t| {
        let mut tracing = model::Tracing::builder()
            .providers(names(&t.providers))
            .build();
        tracing.sampling_percent = t.random_sampling_percentage;
        tracing
    });
    telemetry
}

fn host_names(mesh: &Mesh, service: &str) -> [String; 2] {
    [
        service.to_owned(),
        format!("{service}.{}.svc.cluster.local", mesh.namespace),
    ]
}

fn service(
    mesh: &Mesh,
    name: &str,
    port: u16,
    workloads: &[(&ReadObject, &Deployment)],
    objects: &Objects<'_>,
    interceptors: &Interceptors,
) -> Service {
    let hosts = host_names(mesh, name);
    let primary = workloads
        .iter()
        .find(|(read, _)| read.name == name)
        .or_else(|| workloads.first())
        .map(|(_, d)| *d);
    let primary_container = primary.and_then(container);
    let image = primary_container
        .and_then(|c| c.image.clone())
        .unwrap_or_default();
    let mut service = Service::builder()
        .name(name)
        .image(image.clone())
        .port(port)
        .interceptors(interceptors.clone())
        .build();
    let app_version = primary.and_then(|d| pod_labels(d).get(VERSION_LABEL).cloned());
    service.app_version.clone_from(&app_version);
    if let Some(deployment) = primary {
        workload_settings(mesh, &mut service, deployment, objects);
    }
    let hpa = objects
        .of::<HorizontalPodAutoscaler>()
        .into_iter()
        .find(|(_, h)| {
            hpa_spec(h).is_some_and(|s| {
                s.scale_target_ref.kind == "Deployment"
                    && Some(s.scale_target_ref.name.as_str())
                        == primary.and_then(|d| d.metadata.name.as_deref())
            })
        });
    service.scaling = match hpa {
        Some((_, hpa)) => Scaling::Autoscale(autoscaler(hpa)),
        None => Scaling::Replicas(
            primary
                .and_then(deployment_spec)
                .and_then(|s| unsigned(s.replicas))
                .unwrap_or(1),
        ),
    };

    let rules = objects.of::<networking::DestinationRule>();
    let rule = rules
        .iter()
        .find(|(_, r)| hosts.contains(&r.spec.host))
        .map(|(_, rule)| rule);
    let declared = match rule {
        Some(rule) => Some(
            rule.spec
                .subsets
                .iter()
                .map(|s| (s.name.clone(), s.labels.clone()))
                .collect(),
        ),
        None if !mesh.mode.is_istio() => Some(workload_subsets(mesh, name, workloads)),
        None => None,
    };
    if let Some(declared) = declared {
        subsets(
            mesh,
            &mut service,
            declared,
            workloads,
            &image,
            app_version.as_deref(),
        );
    }
    if let Some(policy) = rule.and_then(|r| r.spec.traffic_policy.as_ref()) {
        service.traffic_policy = traffic_policy(policy);
    }
    let routes = objects.of::<VirtualService>();
    if let Some((_, vs)) = routes
        .iter()
        .find(|(_, v)| v.spec.hosts.iter().any(|h| hosts.contains(h)))
    {
        service.routes = virtual_service_routes(name, vs);
    }
    let selects = |labels: &BTreeMap<String, String>| {
        workloads
            .iter()
            .any(|(_, d)| labels_match(labels, &pod_labels(d)))
            || labels.get(&mesh.app_label).is_some_and(|v| v == name)
    };
    for (_, policy) in objects.of::<AuthorizationPolicy>() {
        if let Some(PolicyTarget::Selector(selector)) = &policy.spec.target
            && selects(&selector.match_labels)
        {
            service.allow.extend(allow_rules(policy));
        }
    }
    service.disruption_budget = disruption_budget(&service, objects, &selects);
    for (_, policy) in objects.of::<PeerAuthentication>() {
        if let Some(selector) = &policy.spec.selector
            && selects(&selector.match_labels)
        {
            service.mtls_override = mtls_mode(policy);
        }
    }
    service
}

/// The service's disruption budget from the PodDisruptionBudget selecting its pods: `Auto` when
/// that is what `Auto` resolves to (or there is none and `Auto` renders none), `Disabled` when
/// the manifests have none where `Auto` would render one.
fn disruption_budget(
    service: &Service,
    objects: &Objects<'_>,
    selects: &dyn Fn(&BTreeMap<String, String>) -> bool,
) -> model::DisruptionBudget {
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    use model::{DisruptionBudget, PodCount};
    let count = |value: &IntOrString| match value {
        IntOrString::Int(pods) => u32::try_from(*pods).ok().map(PodCount::Pods),
        IntOrString::String(text) => text
            .strip_suffix('%')
            .and_then(|p| p.parse().ok())
            .map(PodCount::Percent),
    };
    let found = objects
        .of::<k8s_openapi::api::policy::v1::PodDisruptionBudget>()
        .into_iter()
        .filter_map(|(_, pdb)| pdb.spec.as_ref())
        .find(|spec| {
            spec.selector
                .as_ref()
                .and_then(|s| s.match_labels.as_ref())
                .is_some_and(selects)
        })
        .map(|spec| {
            match (
                spec.max_unavailable.as_ref().and_then(count),
                spec.min_available.as_ref().and_then(count),
            ) {
                (Some(max), _) => DisruptionBudget::MaxUnavailable(max),
                (None, Some(min)) => DisruptionBudget::MinAvailable(min),
                // Neither: Kubernetes treats it as minAvailable 0 (nothing protected).
                (None, None) => DisruptionBudget::Disabled,
            }
        })
        .unwrap_or(DisruptionBudget::Disabled);
    let mut auto = service.clone();
    auto.disruption_budget = DisruptionBudget::Auto;
    let resolved = |budget: DisruptionBudget| {
        let mut copy = auto.clone();
        copy.disruption_budget = budget;
        copy.resolved_disruption_budget()
    };
    if resolved(found) == auto.resolved_disruption_budget() {
        DisruptionBudget::Auto
    } else {
        found
    }
}

fn workload_settings(
    mesh: &Mesh,
    service: &mut Service,
    deployment: &Deployment,
    objects: &Objects<'_>,
) {
    let Some(spec) = deployment_spec(deployment) else {
        return;
    };
    if let Some(strategy) = spec
        .strategy
        .as_ref()
        .and_then(|s| s.rolling_update.as_ref())
    {
        let int = |v: &Option<k8s_openapi::apimachinery::pkg::util::intstr::IntOrString>| match v {
            Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(n)) => {
                u32::try_from(*n).ok()
            }
            _ => None,
        };
        if let Some(n) = int(&strategy.max_unavailable) {
            service.rollout.max_unavailable = n;
        }
        if let Some(n) = int(&strategy.max_surge) {
            service.rollout.max_surge = n;
        }
    }
    if let Some(n) = unsigned(spec.revision_history_limit) {
        service.rollout.revision_history_limit = n;
    }
    let template = &spec.template;
    if let Some(annotations) = template
        .metadata
        .as_ref()
        .and_then(|m| m.annotations.as_ref())
    {
        let quantity = |key: &str| annotations.get(key).and_then(|v| Quantity::parse(v).ok());
        let sidecar = Resources::builder()
            .maybe_cpu_request(quantity("sidecar.istio.io/proxyCPU"))
            .maybe_cpu_limit(quantity("sidecar.istio.io/proxyCPULimit"))
            .maybe_memory_request(quantity("sidecar.istio.io/proxyMemory"))
            .maybe_memory_limit(quantity("sidecar.istio.io/proxyMemoryLimit"))
            .build();
        if sidecar != Resources::default() {
            service.sidecar = Some(sidecar);
        }
    }
    let Some(pod) = template.spec.as_ref() else {
        return;
    };
    if let Some(account) = &pod.service_account_name
        && *account != service.name
    {
        service.service_account = Some(account.clone());
    }
    if let Some(context) = &pod.security_context {
        let security = &mut service.security;
        security.run_as_non_root = context.run_as_non_root.unwrap_or(false);
        security.run_as_user = context.run_as_user.unwrap_or(security.run_as_user);
        security.run_as_group = context.run_as_group.unwrap_or(security.run_as_group);
        security.fs_group = context.fs_group.unwrap_or(security.fs_group);
        security.seccomp_runtime_default = context
            .seccomp_profile
            .as_ref()
            .is_some_and(|p| p.type_ == "RuntimeDefault");
    }
    service.spread_across_nodes = pod
        .topology_spread_constraints
        .as_ref()
        .is_some_and(|c| !c.is_empty());
    let Some(container) = pod.containers.first() else {
        return;
    };
    // Application TLS as the renderer writes it: TLS_DIR_PATH, the one variable Connectum's
    // createServer reads, naming the directory its Secret is mounted at.
    service.app_tls = container
        .env
        .iter()
        .flatten()
        .find(|var| var.name == "TLS_DIR_PATH")
        .and_then(|var| var.value.as_deref())
        .map(|dir| model::AppTls::builder().dir_path(dir).build());
    service.resources = container.resources.as_ref().map(resources);
    service.probes.startup = container.startup_probe.as_ref().and_then(probe);
    service.probes.liveness = container.liveness_probe.as_ref().and_then(probe);
    service.probes.readiness = container.readiness_probe.as_ref().and_then(probe);
    let pre_stop = container
        .lifecycle
        .as_ref()
        .and_then(|l| l.pre_stop.as_ref());
    // Kubernetes' sleep action (what we emit), or the guide's `sh -c "sleep N"`.
    let sleep_action = pre_stop
        .and_then(|h| h.sleep.as_ref())
        .and_then(|s| u64::try_from(s.seconds).ok())
        .map(Duration::from_secs);
    let shell = pre_stop
        .and_then(|h| h.exec.as_ref())
        .and_then(|e| e.command.as_ref())
        .and_then(|c| c.last())
        .and_then(|c| c.strip_prefix("sleep "))
        .and_then(|s| Duration::parse(&format!("{s}s")).ok());
    service.shutdown.pre_stop_shell = sleep_action.is_none() && shell.is_some();
    service.shutdown.pre_stop_sleep = sleep_action.or(shell);
    if let Some(grace) = pod.termination_grace_period_seconds
        && let Ok(seconds) = u64::try_from(grace)
    {
        let grace = Duration::from_secs(seconds);
        let derived = model::PodTimeline::of(mesh, service).grace_period();
        if grace.as_millis() != u64::try_from(derived.as_millis()).unwrap_or(u64::MAX) {
            service.shutdown.termination_grace_period = Some(grace);
        }
    }
    let config_map = container
        .env_from
        .iter()
        .flatten()
        .find_map(|e| e.config_map_ref.as_ref().map(|r| r.name.clone()));
    if let Some(name) = config_map
        && let Some(data) = objects.all.iter().find_map(|(read, o)| match o {
            Object::ConfigMap(c) if read.name == name => Some(c.data.clone().unwrap_or_default()),
            _ => None,
        })
    {
        // The interceptor options are rendered from the model (the app's settings), not config
        // the user wrote: where the ConfigMap carries them as connectum-mesh writes them, they
        // are the service's interceptors (what the app reads wins over the import's option).
        if let Some(interceptors) = data
            .get(model::INTERCEPTORS_VARIABLE)
            .and_then(|text| configured_interceptors(text))
        {
            service.interceptors = interceptors;
        }
        service.config = data
            .into_iter()
            .filter(|(key, _)| key != model::INTERCEPTORS_VARIABLE)
            .collect();
    }
}

/// The interceptor options of a `CONNECTUM_INTERCEPTORS` value in the shape the renderer writes
/// (`createDefaultInterceptors`' options, each resilience interceptor an object or `false`), or
/// `None` for any other text.
fn configured_interceptors(text: &str) -> Option<Interceptors> {
    use serde_json::Value;
    let options: Value = serde_json::from_str(text).ok()?;
    let section = |key: &str| match options.get(key)? {
        Value::Bool(false) => Some(None),
        object @ Value::Object(_) => Some(Some(object)),
        _ => None,
    };
    let count = |v: &Value, key: &str| u32::try_from(v.get(key)?.as_u64()?).ok();
    let millis = |v: &Value, key: &str| Duration::try_from_millis(v.get(key)?.as_u64()?);
    let mut out = Interceptors::default();
    if let Some(v) = section("circuitBreaker")? {
        out.circuit_breaker = Some(
            model::CircuitBreaker::builder()
                .threshold(count(v, "threshold")?)
                .half_open_after(millis(v, "halfOpenAfter")?)
                .build(),
        );
    }
    if let Some(v) = section("timeout")? {
        out.timeout = Some(
            model::AppTimeout::builder()
                .duration(millis(v, "duration")?)
                .build(),
        );
    }
    if let Some(v) = section("bulkhead")? {
        out.bulkhead = Some(
            model::Bulkhead::builder()
                .capacity(count(v, "capacity")?)
                .queue_size(count(v, "queueSize")?)
                .build(),
        );
    }
    if let Some(v) = section("retry")? {
        out.retry = Some(
            model::AppRetry::builder()
                .max_retries(count(v, "maxRetries")?)
                .initial_delay(millis(v, "initialDelay")?)
                .max_delay(millis(v, "maxDelay")?)
                .build(),
        );
    }
    Some(out)
}

fn resources(requirements: &ResourceRequirements) -> Resources {
    let get = |map: &Option<
        BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
    >,
               key: &str| {
        map.as_ref()
            .and_then(|m| m.get(key))
            .and_then(|q| Quantity::parse(&q.0).ok())
    };
    Resources::builder()
        .maybe_cpu_request(get(&requirements.requests, "cpu"))
        .maybe_cpu_limit(get(&requirements.limits, "cpu"))
        .maybe_memory_request(get(&requirements.requests, "memory"))
        .maybe_memory_limit(get(&requirements.limits, "memory"))
        .build()
}

fn probe(probe: &K8sProbe) -> Option<Probe> {
    let path = probe.http_get.as_ref()?.path.clone()?;
    let mut model = Probe::builder()
        .path(path)
        .period_seconds(unsigned(probe.period_seconds).unwrap_or(10))
        .build();
    model.initial_delay_seconds = unsigned(probe.initial_delay_seconds);
    model.failure_threshold = unsigned(probe.failure_threshold).unwrap_or(model.failure_threshold);
    model.timeout_seconds = unsigned(probe.timeout_seconds).unwrap_or(model.timeout_seconds);
    Some(model)
}

pub(crate) fn autoscaler(hpa: &HorizontalPodAutoscaler) -> Autoscaler {
    let spec = hpa_spec(hpa).cloned().unwrap_or_default();
    let utilization = |name: &str| {
        spec.metrics.iter().flatten().find_map(|m| {
            m.resource
                .as_ref()
                .filter(|r| r.name == name)
                .and_then(|r| unsigned(r.target.average_utilization))
        })
    };
    let rule = |rules: Option<&HPAScalingRules>| {
        let rules = rules?;
        let policy = rules
            .policies
            .as_ref()?
            .iter()
            .find(|p| p.type_ == "Pods")?;
        Some(
            ScalingRule::builder()
                .stabilization_window_seconds(
                    unsigned(rules.stabilization_window_seconds).unwrap_or_default(),
                )
                .pods(u32::try_from(policy.value).unwrap_or_default())
                .period_seconds(u32::try_from(policy.period_seconds).unwrap_or_default())
                .build(),
        )
    };
    let behavior = spec.behavior.as_ref();
    let mut autoscaler = Autoscaler::builder()
        .min_replicas(unsigned(spec.min_replicas).unwrap_or(1))
        .max_replicas(u32::try_from(spec.max_replicas).unwrap_or_default())
        .build();
    autoscaler.cpu_utilization = utilization("cpu");
    autoscaler.memory_utilization = utilization("memory");
    autoscaler.scale_up = rule(behavior.and_then(|b| b.scale_up.as_ref()));
    autoscaler.scale_down = rule(behavior.and_then(|b| b.scale_down.as_ref()));
    autoscaler
}

/// Without a mesh there are no DestinationRules: a service's subsets are its Deployments whose
/// pods carry the version label, the primary (named like the service) first, the others named
/// `<service>-<subset>` as the renderer names them.
fn workload_subsets(
    mesh: &Mesh,
    service: &str,
    workloads: &[(&ReadObject, &Deployment)],
) -> Vec<(String, BTreeMap<String, String>)> {
    let mut ordered: Vec<&(&ReadObject, &Deployment)> = workloads.iter().collect();
    ordered.sort_by_key(|(read, _)| read.name != service);
    ordered
        .into_iter()
        .filter_map(|(read, deployment)| {
            let version = pod_labels(deployment).get(&mesh.version_label)?.clone();
            let name = match read.name.strip_prefix(&format!("{service}-")) {
                Some(suffix) => suffix.to_owned(),
                None => version.clone(),
            };
            Some((
                name,
                BTreeMap::from([(mesh.version_label.clone(), version)]),
            ))
        })
        .collect()
}

fn subsets(
    mesh: &Mesh,
    service: &mut Service,
    declared: Vec<(String, BTreeMap<String, String>)>,
    workloads: &[(&ReadObject, &Deployment)],
    image: &str,
    app_version: Option<&str>,
) {
    for (index, (name, labels)) in declared.into_iter().enumerate() {
        let mut subset = Subset::builder().name(name.clone()).build();
        if let Some(version) = labels.get(&mesh.version_label)
            && *version != name
        {
            subset.version_label = Some(version.clone());
        }
        let deployment = workloads
            .iter()
            .find(|(_, d)| labels_match(&labels, &pod_labels(d)))
            .map(|(_, d)| *d);
        match deployment {
            // Declared, but no pod carries its labels (CM0828 at the import). The autoscaler,
            // not the subset, sizes an autoscaled primary, so it keeps no count of its own.
            None if index == 0 && matches!(service.scaling, Scaling::Autoscale(_)) => {}
            // Any other: a subset that runs nothing (CM0211 when a route sends traffic there).
            None => subset.replicas = Some(0),
            Some(deployment) => {
                let own_image = container(deployment).and_then(|c| c.image.clone());
                if own_image.as_deref() != Some(image) {
                    subset.image = own_image;
                }
                if index > 0 {
                    subset.replicas =
                        deployment_spec(deployment).and_then(|s| unsigned(s.replicas));
                }
                let version = pod_labels(deployment).get(VERSION_LABEL).cloned();
                if version.as_deref() != app_version {
                    subset.app_version = version;
                }
            }
        }
        service.add_subset(subset);
    }
}

fn traffic_policy(policy: &networking::TrafficPolicy) -> model::TrafficPolicy {
    let mut model = model::TrafficPolicy::default();
    model.connection_pool = policy.connection_pool.as_ref().map(|pool| {
        model::ConnectionPool::builder()
            .maybe_tcp(pool.tcp.as_ref().map(|tcp| {
                model::TcpPool::builder()
                    .maybe_max_connections(unsigned(tcp.max_connections))
                    .maybe_connect_timeout(tcp.connect_timeout)
                    .build()
            }))
            .maybe_http(pool.http.as_ref().map(|http| {
                model::HttpPool::builder()
                    .maybe_http1_max_pending_requests(unsigned(http.http1_max_pending_requests))
                    .maybe_http2_max_requests(unsigned(http.http2_max_requests))
                    .maybe_max_requests_per_connection(unsigned(http.max_requests_per_connection))
                    .maybe_h2_upgrade_policy(http.h2_upgrade_policy.map(|p| match p {
                        networking::H2UpgradePolicy::Default => model::H2UpgradePolicy::Default,
                        networking::H2UpgradePolicy::DoNotUpgrade => {
                            model::H2UpgradePolicy::DoNotUpgrade
                        }
                        networking::H2UpgradePolicy::Upgrade => model::H2UpgradePolicy::Upgrade,
                    }))
                    .build()
            }))
            .build()
    });
    model.outlier_detection = policy.outlier_detection.as_ref().map(|o| {
        model::OutlierDetection::builder()
            .maybe_consecutive_5xx_errors(o.consecutive_5xx_errors)
            .maybe_consecutive_gateway_errors(o.consecutive_gateway_errors)
            .maybe_interval(o.interval)
            .maybe_base_ejection_time(o.base_ejection_time)
            .maybe_max_ejection_percent(unsigned(o.max_ejection_percent))
            .maybe_min_health_percent(unsigned(o.min_health_percent))
            .build()
    });
    model.load_balancer = policy
        .load_balancer
        .as_ref()
        .and_then(|lb| lb.policy.as_ref())
        .and_then(|policy| match policy {
            networking::LbPolicy::Simple(simple) => {
                Some(model::LoadBalancer::Simple(match simple {
                    networking::SimpleLb::RoundRobin => model::SimpleLb::RoundRobin,
                    networking::SimpleLb::LeastRequest | networking::SimpleLb::LeastConn => {
                        model::SimpleLb::LeastRequest
                    }
                    networking::SimpleLb::Random => model::SimpleLb::Random,
                    networking::SimpleLb::Passthrough => model::SimpleLb::Passthrough,
                    networking::SimpleLb::Unspecified => return None,
                }))
            }
            networking::LbPolicy::ConsistentHash(hash) => {
                Some(model::LoadBalancer::ConsistentHash(match &hash.hash_key {
                    networking::HashKey::HttpHeaderName(n) => {
                        model::HashKey::HttpHeaderName(n.clone())
                    }
                    networking::HashKey::UseSourceIp(_) => model::HashKey::UseSourceIp,
                    networking::HashKey::HttpQueryParameterName(n) => {
                        model::HashKey::HttpQueryParameterName(n.clone())
                    }
                }))
            }
        });
    model
}

pub(crate) fn string_match(value: &StringMatch) -> model::StringMatch {
    match value {
        StringMatch::Exact(t) => model::StringMatch::Exact(t.clone()),
        StringMatch::Prefix(t) => model::StringMatch::Prefix(t.clone()),
        StringMatch::Regex(t) => model::StringMatch::Regex(t.clone()),
    }
}

fn virtual_service_routes(service: &str, vs: &VirtualService) -> Vec<Route> {
    vs.spec
        .http
        .iter()
        .filter_map(|route| http_route(service, route))
        .collect()
}

pub(crate) fn http_route(service: &str, route: &HttpRoute) -> Option<Route> {
    let Some(HttpRouteAction::Route(destinations)) = &route.action else {
        return None; // redirects, direct responses and delegates are listed as not modelled
    };
    let subset = |d: &networking::HttpRouteDestination| {
        d.destination
            .subset
            .as_ref()
            .map(|s| SubsetRef::unchecked(service, s.clone()))
    };
    let target = match destinations.as_slice() {
        [only] if only.weight.is_none() => {
            subset(only).map_or(RouteTarget::Service, RouteTarget::Subset)
        }
        legs => RouteTarget::Split(Split {
            legs: legs
                .iter()
                .filter_map(|d| {
                    Some(SplitLeg {
                        subset: subset(d)?,
                        weight: unsigned(d.weight).unwrap_or_default(),
                    })
                })
                .collect(),
        }),
    };
    let matches = route
        .matches
        .iter()
        .map(|m| {
            RequestMatch::builder()
                .headers(m.headers.iter().map(|(name, value)| HeaderMatch {
                    name: name.clone(),
                    value: string_match(value),
                }))
                .maybe_uri(m.uri.as_ref().map(string_match))
                .build()
        })
        .collect();
    let mut model = Route::builder().target(target).build();
    model.name.clone_from(&route.name);
    model.matches = matches;
    model.timeout = route.timeout;
    model.retries = route.retries.as_ref().map(mesh_retry);
    Some(model)
}

/// A VirtualService route's `retries` (attempts default to Istio's 2).
pub(super) fn mesh_retry(retry: &networking::HttpRetry) -> MeshRetry {
    let mut out = MeshRetry::builder()
        .attempts(unsigned(retry.attempts).unwrap_or(2))
        .build();
    out.per_try_timeout = retry.per_try_timeout;
    out.retry_on = retry
        .retry_on
        .iter()
        .flat_map(|text| text.split(','))
        .filter_map(|token| token.trim().parse::<RetryOn>().ok())
        .collect();
    out
}

pub(crate) fn allow_rules(policy: &AuthorizationPolicy) -> Vec<AllowRule> {
    policy
        .spec
        .rules
        .iter()
        .map(|rule| {
            AllowRule::builder()
                .from(rule.from.iter().flat_map(|from| {
                    let principals = from.source.principals.iter().filter_map(|p| {
                        ServiceAccountRef::parse_principal(p)
                            .map(|(_, account)| Source::ServiceAccount(account))
                    });
                    let namespaces = from
                        .source
                        .namespaces
                        .iter()
                        .map(|n| Source::Namespace(n.clone()));
                    principals.chain(namespaces).collect::<Vec<_>>()
                }))
                .build()
        })
        .collect()
}

/// Callers the allow rules name that are not services of the mesh become external callers, and
/// namespaces they name become known namespaces, so the checker can follow them.
fn admit_callers(mesh: &mut Mesh) {
    let accounts: Vec<String> = mesh
        .services
        .iter()
        .map(|s| s.service_account_name().to_owned())
        .collect();
    let mut callers: BTreeMap<String, ExternalCaller> = BTreeMap::new();
    let mut namespaces = Vec::new();
    for service in &mesh.services {
        for source in service.allow.iter().flat_map(|rule| &rule.from) {
            match source {
                Source::ServiceAccount(account)
                    if !(account.namespace == mesh.namespace
                        && accounts.contains(&account.name)) =>
                {
                    callers
                        .entry(account.name.clone())
                        .or_insert_with(|| {
                            ExternalCaller::builder()
                                .name(account.name.clone())
                                .service_account(account.clone())
                                .build()
                        })
                        .calls
                        .push(service.name.clone());
                }
                Source::Namespace(namespace)
                    if *namespace != mesh.namespace && !namespaces.contains(namespace) =>
                {
                    namespaces.push(namespace.clone());
                }
                _ => {}
            }
        }
    }
    mesh.external_callers = callers.into_values().collect();
    mesh.known_namespaces = namespaces;
}
