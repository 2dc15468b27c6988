//! A Connectum service: its workloads (subsets), pods, routes and policies.

use std::collections::BTreeMap;

use bon::Builder;

use super::{
    AllowRule, AppTls, DisruptionBudget, Duration, Interceptors, MtlsMode, Quantity, Route,
    ServiceAccountRef, Source, SpreadPolicy, SubsetRef, TrafficPolicy,
};

/// The port every Connectum server listens on (`createServer` default).
pub const CONNECTUM_PORT: u16 = 5000;
/// The port name that tells Istio the protocol is gRPC.
pub const GRPC_PORT_NAME: &str = "grpc";
/// The environment variable Connectum reads its listening port from (default
/// [`CONNECTUM_PORT`]).
pub const PORT_VARIABLE: &str = "PORT";

/// A Connectum gRPC service and everything the mesh needs to know about it.
///
/// Subsets and routes are added after building, because routes refer to subsets through the
/// handles [`Service::add_subset`] returns.
///
/// ```
/// use connectum_mesh_core::{Route, Service, Split, Subset};
///
/// let mut order = Service::builder()
///     .name("order-service")
///     .image("ghcr.io/mycompany/order-service:1.0.0")
///     .build();
/// let stable = order.add_subset(Subset::builder().name("stable").build());
/// let canary = order.add_subset(
///     Subset::builder().name("canary").image("ghcr.io/mycompany/order-service:1.1.0-rc.1").replicas(1).build(),
/// );
/// order.add_route(Route::builder().target(Split::new().weight(&stable, 90).weight(&canary, 10)).build());
/// assert_eq!(order.subsets.len(), 2);
/// ```
#[derive(Clone, Debug, PartialEq, Builder)]
#[non_exhaustive]
pub struct Service {
    /// The Kubernetes Service name, also the Deployment, VirtualService and DestinationRule name.
    #[builder(into)]
    pub name: String,
    /// The container image of the primary workload.
    #[builder(into)]
    pub image: String,
    /// The application's version label (`app.kubernetes.io/version`).
    #[builder(into)]
    pub app_version: Option<String>,
    /// The gRPC port (Connectum default 5000), named `grpc` with `appProtocol: grpc`.
    #[builder(default = CONNECTUM_PORT)]
    pub port: u16,
    /// Fixed replicas or an autoscaler for the primary workload.
    #[builder(default = Scaling::Replicas(1))]
    pub scaling: Scaling,
    /// The application container's resources.
    pub resources: Option<Resources>,
    /// The ServiceAccount the pods run as; defaults to the service name.
    #[builder(into)]
    pub service_account: Option<String>,
    /// Environment entries, rendered as a ConfigMap the container reads with `envFrom`.
    #[builder(default, with = |pairs: impl IntoIterator<Item = (impl Into<String>, impl Into<String>)>| super::string_map(pairs))]
    pub config: BTreeMap<String, String>,
    /// Health probes on Connectum's HTTP health endpoints.
    #[builder(default)]
    pub probes: Probes,
    /// Graceful shutdown timing; the pods' whole timeline is [`Mesh::shutdown_timeline`](super::Mesh::shutdown_timeline).
    #[builder(default)]
    pub shutdown: GracefulShutdown,
    /// The pod security context.
    #[builder(default)]
    pub security: PodSecurity,
    /// Resources of the Istio sidecar proxy (`sidecar.istio.io/proxy*` annotations).
    pub sidecar: Option<Resources>,
    /// A per-service override of the namespace mTLS mode (e.g. PERMISSIVE).
    pub mtls_override: Option<MtlsMode>,
    /// Istio's traffic policy for this host (DestinationRule).
    #[builder(default)]
    pub traffic_policy: TrafficPolicy,
    /// Connectum's interceptors configured in this service's `createServer`.
    #[builder(default)]
    pub interceptors: Interceptors,
    /// Who may call this service; empty means no AuthorizationPolicy is rendered.
    #[builder(default, with = |items: impl IntoIterator<Item = AllowRule>| items.into_iter().collect())]
    pub allow: Vec<AllowRule>,
    /// The services of this mesh it calls (for the retry budget and timeouts along chains).
    #[builder(default, with = |items: impl IntoIterator<Item = impl Into<String>>| super::strings(items))]
    pub calls: Vec<String>,
    /// Application-level TLS in `createServer`; redundant under Istio mTLS.
    pub app_tls: Option<AppTls>,
    /// How Deployments roll out.
    #[builder(default)]
    pub rollout: Rollout,
    /// The PodDisruptionBudget node drains respect (default: one pod at a time, 10% for large
    /// services, none for a one-pod service).
    #[builder(default)]
    pub disruption_budget: DisruptionBudget,
    /// Spread pods across nodes (`topologySpreadConstraints` on `kubernetes.io/hostname`).
    #[builder(default = true)]
    pub spread_across_nodes: bool,
    /// How strictly pods spread (default `ScheduleAnyway`: never Pending for it).
    #[builder(default)]
    pub spread_policy: SpreadPolicy,
    /// Workloads, each a Deployment with its own `version` label; add with [`Service::add_subset`].
    #[builder(skip)]
    pub subsets: Vec<Subset>,
    /// HTTP routes in evaluation order; add with [`Service::add_route`].
    #[builder(skip)]
    pub routes: Vec<Route>,
}

impl Service {
    /// Declares a subset and returns the handle routes use to name it.
    pub fn add_subset(&mut self, subset: Subset) -> SubsetRef {
        let handle = SubsetRef::new(&self.name, &subset.name);
        self.subsets.push(subset);
        handle
    }

    /// Appends a route; routes are evaluated in the order they are added.
    pub fn add_route(&mut self, route: Route) -> &mut Self {
        self.routes.push(route);
        self
    }

    /// The handle of a declared subset, by name.
    #[must_use]
    pub fn subset(&self, name: &str) -> Option<SubsetRef> {
        self.subsets
            .iter()
            .any(|s| s.name == name)
            .then(|| SubsetRef::new(&self.name, name))
    }

    /// The ServiceAccount the pods run as.
    #[must_use]
    pub fn service_account_name(&self) -> &str {
        self.service_account.as_deref().unwrap_or(&self.name)
    }

    /// The ConfigMap's name. Every service has one: it carries the app's Connectum settings
    /// ([`Service::app_settings`]) besides `config`.
    #[must_use]
    pub fn config_map_name(&self) -> Option<String> {
        Some([self.name.as_str(), "-config"].concat())
    }

    /// The Deployment name of a subset: the first subset (the primary) takes the service name,
    /// the others `<service>-<subset>`.
    #[must_use]
    pub fn deployment_name(&self, subset_index: usize) -> String {
        match self.subsets.get(subset_index) {
            Some(subset) if subset_index > 0 => [&self.name, "-", &subset.name].concat(),
            _ => self.name.clone(),
        }
    }

    /// How many pods the workload of subset `subset_index` runs, autoscaler included: the
    /// fixed count of [`deployment_replicas`](Self::deployment_replicas), or the service's
    /// autoscaler where it decides.
    #[must_use]
    pub fn workload_scaling(&self, subset_index: usize) -> Scaling {
        match (self.deployment_replicas(subset_index), &self.scaling) {
            (None, Scaling::Autoscale(autoscaler)) => Scaling::Autoscale(autoscaler.clone()),
            (replicas, _) => Scaling::Replicas(replicas.unwrap_or(1)),
        }
    }

    /// Whether the service's own allow rules admit a caller running as `account`: a rule that
    /// names the account or its namespace. A service without allow rules admits by the rules
    /// the renderer derives ([`Mesh::authorization`](crate::Mesh::authorization)), so this
    /// says `true` for it; callers the checker finds refused are CM0406.
    ///
    /// ```
    /// use connectum_mesh_core::{AllowRule, Service, ServiceAccountRef};
    ///
    /// let gateway = ServiceAccountRef::new("connectum", "envoy-gateway");
    /// let open = Service::builder().name("order-service").image("order:1").build();
    /// assert!(open.admits(&gateway));
    /// let closed = Service::builder()
    ///     .name("order-service")
    ///     .image("order:1")
    ///     .allow(vec![AllowRule::namespace("shop")])
    ///     .build();
    /// assert!(!closed.admits(&gateway));
    /// ```
    #[must_use]
    pub fn admits(&self, account: &ServiceAccountRef) -> bool {
        self.allow.is_empty()
            || self
                .allow
                .iter()
                .flat_map(|rule| rule.from.iter())
                .any(|source| match source {
                    Source::ServiceAccount(admitted) => admitted == account,
                    Source::Namespace(namespace) => *namespace == account.namespace,
                })
    }

    /// The replicas the Deployment of subset `subset_index` runs (the service's only Deployment
    /// when it declares no subsets), or `None` where an autoscaler decides: the primary follows
    /// the service's scaling unless the subset fixes its own count, the others run 1 unless
    /// they say otherwise.
    #[must_use]
    pub fn deployment_replicas(&self, subset_index: usize) -> Option<u32> {
        let primary = subset_index == 0;
        let subset_replicas = self.subsets.get(subset_index).and_then(|s| s.replicas);
        match (&self.scaling, subset_replicas) {
            (Scaling::Autoscale(_), _) if primary => None,
            (_, Some(replicas)) => Some(replicas),
            (Scaling::Replicas(replicas), None) if primary => Some(*replicas),
            _ => Some(1),
        }
    }

    /// The `PORT` the service's config sets, if any: Connectum listens there instead of on
    /// [`port`](Self::port) (the checker refuses one that contradicts the port, CM0519).
    #[must_use]
    pub fn configured_port(&self) -> Option<&str> {
        self.config.get(PORT_VARIABLE).map(String::as_str)
    }

    /// Whether the container needs a `PORT` variable so Connectum listens on the service's port:
    /// the port is not Connectum's default and the config does not set `PORT` itself.
    #[must_use]
    pub fn needs_port_variable(&self) -> bool {
        self.port != CONNECTUM_PORT && self.configured_port().is_none()
    }
}

/// A workload of a service (stable, canary …): one Deployment whose pods carry its `version`
/// label. Everything it does not set, it inherits from the service.
#[derive(Clone, Debug, PartialEq, Eq, Builder)]
#[non_exhaustive]
pub struct Subset {
    /// The subset name Istio routes to (a DNS-1123 label).
    #[builder(into)]
    pub name: String,
    /// The value of the pods' `version` label; defaults to the subset name.
    #[builder(into)]
    pub version_label: Option<String>,
    /// The image; defaults to the service's.
    #[builder(into)]
    pub image: Option<String>,
    /// Fixed replicas; the primary subset defaults to the service's scaling, others to 1.
    pub replicas: Option<u32>,
    /// The `app.kubernetes.io/version` label; defaults to the service's.
    #[builder(into)]
    pub app_version: Option<String>,
}

impl Subset {
    /// The value of the pods' `version` label.
    #[must_use]
    pub fn version(&self) -> &str {
        self.version_label.as_deref().unwrap_or(&self.name)
    }
}

/// How many pods the primary workload runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scaling {
    /// A fixed number of replicas.
    Replicas(u32),
    /// A HorizontalPodAutoscaler; the Deployment then has no `replicas`.
    Autoscale(Autoscaler),
}

/// A HorizontalPodAutoscaler (autoscaling/v2) for the primary workload.
#[derive(Clone, Debug, PartialEq, Eq, Builder)]
#[non_exhaustive]
pub struct Autoscaler {
    /// Fewest replicas.
    pub min_replicas: u32,
    /// Most replicas.
    pub max_replicas: u32,
    /// Target average CPU utilisation, percent of requests.
    pub cpu_utilization: Option<u32>,
    /// Target average memory utilisation, percent of requests.
    pub memory_utilization: Option<u32>,
    /// Scale-up behaviour.
    pub scale_up: Option<ScalingRule>,
    /// Scale-down behaviour.
    pub scale_down: Option<ScalingRule>,
}

/// One direction of an autoscaler's `behavior`: a stabilisation window and a pods-per-period
/// policy.
#[derive(Clone, Debug, PartialEq, Eq, Builder)]
#[non_exhaustive]
pub struct ScalingRule {
    /// Seconds of recommendations considered before scaling.
    pub stabilization_window_seconds: u32,
    /// Pods added or removed per period.
    pub pods: u32,
    /// The period in seconds.
    pub period_seconds: u32,
}

/// CPU and memory requests and limits (for the app container or the sidecar).
#[derive(Clone, Debug, Default, PartialEq, Eq, Builder)]
#[non_exhaustive]
pub struct Resources {
    /// CPU request.
    pub cpu_request: Option<Quantity>,
    /// CPU limit.
    pub cpu_limit: Option<Quantity>,
    /// Memory request.
    pub memory_request: Option<Quantity>,
    /// Memory limit.
    pub memory_limit: Option<Quantity>,
}

/// Probes on Connectum's HTTP health endpoints, served on the gRPC port. The defaults are the
/// production-ready Deployment's.
#[derive(Clone, Debug, PartialEq, Eq, Builder)]
#[non_exhaustive]
pub struct Probes {
    /// Startup probe (default `/healthz`, every 5s, 12 failures: 60s to start).
    #[builder(required, default = Some(Probe::startup()), setters(name = startup_or_default, vis = ""))]
    pub startup: Option<Probe>,
    /// Liveness probe (default `/healthz` every 15s).
    #[builder(required, default = Some(Probe::liveness()), setters(name = liveness_or_default, vis = ""))]
    pub liveness: Option<Probe>,
    /// Readiness probe (default `/readyz` every 10s).
    #[builder(required, default = Some(Probe::readiness()), setters(name = readiness_or_default, vis = ""))]
    pub readiness: Option<Probe>,
}

/// The public setters of `Option` fields whose default is `Some` (a probe, the preStop sleep):
/// `field(value)` sets one and `maybe_field(None)` turns it off, as for every other optional
/// field. bon's own pair for such a field would take `Option<…>` and read `None` as "the
/// default", so it is kept private (`…_or_default`) and these call it.
macro_rules! setters_of_defaulted_option {
    ($builder:ident, $state:ident, $ty:ty: $(
        $field:ident / $maybe:ident via $internal:ident ($member:ident, $set:ident)
    ),* $(,)?) => {
        impl<S: $state::State> $builder<S> {$(
            #[doc = concat!("Sets `", stringify!($field), "`.")]
            pub fn $field(self, value: $ty) -> $builder<$state::$set<S>>
            where
                S::$member: $state::IsUnset,
            {
                self.$internal(Some(value))
            }

            #[doc = concat!("Sets `", stringify!($field), "`, or turns it off with `None`.")]
            pub fn $maybe(self, value: Option<$ty>) -> $builder<$state::$set<S>>
            where
                S::$member: $state::IsUnset,
            {
                self.$internal(value)
            }
        )*}
    };
}

setters_of_defaulted_option! {
    ProbesBuilder, probes_builder, Probe:
    startup / maybe_startup via startup_or_default (Startup, SetStartup),
    liveness / maybe_liveness via liveness_or_default (Liveness, SetLiveness),
    readiness / maybe_readiness via readiness_or_default (Readiness, SetReadiness),
}

impl Default for Probes {
    fn default() -> Self {
        Self::builder().build()
    }
}

/// One HTTP GET probe on the `grpc` port.
#[derive(Clone, Debug, PartialEq, Eq, Builder)]
#[non_exhaustive]
pub struct Probe {
    /// The path (`/healthz`, `/readyz` or `/health`).
    #[builder(into)]
    pub path: String,
    /// Seconds before the first probe.
    pub initial_delay_seconds: Option<u32>,
    /// Seconds between probes.
    pub period_seconds: u32,
    /// Failures before the probe counts as failed.
    #[builder(default = 3)]
    pub failure_threshold: u32,
    /// Seconds before one probe times out.
    #[builder(default = 3)]
    pub timeout_seconds: u32,
}

impl Probe {
    /// `/healthz` every 5s after 5s, up to 12 failures (a minute to start).
    #[must_use]
    pub fn startup() -> Self {
        Self::builder()
            .path("/healthz")
            .initial_delay_seconds(5)
            .period_seconds(5)
            .failure_threshold(12)
            .build()
    }

    /// `/healthz` every 15s.
    #[must_use]
    pub fn liveness() -> Self {
        Self::builder().path("/healthz").period_seconds(15).build()
    }

    /// `/readyz` every 10s.
    #[must_use]
    pub fn readiness() -> Self {
        Self::builder().path("/readyz").period_seconds(10).build()
    }
}

/// Graceful shutdown: a preStop sleep lets endpoint removal reach every caller, then Connectum
/// drains for up to its shutdown timeout; the proxy must outlast the app and Kubernetes must wait
/// for both. [`PodTimeline`](super::PodTimeline) puts the steps on one clock.
#[derive(Clone, Debug, PartialEq, Eq, Builder)]
#[non_exhaustive]
pub struct GracefulShutdown {
    /// The preStop sleep (default 5s), rendered as Kubernetes' `sleep` action (whole seconds,
    /// rounded up; no shell needed).
    #[builder(required, default = Some(Duration::from_secs(5)), setters(name = pre_stop_sleep_or_default, vis = ""))]
    pub pre_stop_sleep: Option<Duration>,
    /// Run the preStop sleep as `sh -c "sleep N"` instead (default false): only for images with a
    /// shell on clusters without the `sleep` action (Kubernetes < 1.30).
    #[builder(default = false)]
    pub pre_stop_shell: bool,
    /// Connectum's `shutdown.timeout` (default 30s).
    #[builder(default = Duration::from_secs(30))]
    pub timeout: Duration,
    /// The proxy's `terminationDrainDuration`; derived by default (classic sidecars: preStop +
    /// timeout, so the proxy outlasts the app's drain; native sidecars: Istio's 5s).
    pub proxy_drain: Option<Duration>,
    /// `holdApplicationUntilProxyStarts` (default true): the app starts once its proxy is ready,
    /// so its first calls out do not fail. Native sidecars always start first.
    #[builder(default = true)]
    pub hold_until_proxy_starts: bool,
    /// Time between the end of the last step and the kill (default 5s), in the derived grace
    /// period.
    #[builder(default = Duration::from_secs(5))]
    pub margin: Duration,
    /// `terminationGracePeriodSeconds`; derived by default: the end of the last step + margin
    /// (40s with the defaults and classic sidecars).
    pub termination_grace_period: Option<Duration>,
}

setters_of_defaulted_option! {
    GracefulShutdownBuilder, graceful_shutdown_builder, Duration:
    pre_stop_sleep / maybe_pre_stop_sleep via pre_stop_sleep_or_default (PreStopSleep, SetPreStopSleep),
}

impl GracefulShutdown {
    /// The preStop sleep as it runs: Kubernetes' `sleep` action counts whole seconds, so a
    /// fraction is rounded up (the shell's `sleep` takes fractions); zero without a hook.
    #[must_use]
    pub fn pre_stop_duration(&self) -> std::time::Duration {
        let Some(sleep) = self.pre_stop_sleep else {
            return std::time::Duration::ZERO;
        };
        if self.pre_stop_shell {
            sleep.into()
        } else {
            super::timeline::ceil_to_seconds(sleep.into())
        }
    }
}

impl Default for GracefulShutdown {
    fn default() -> Self {
        Self::builder().build()
    }
}

/// The pod security context (defaults: non-root UID/GID 1000, seccomp RuntimeDefault).
#[derive(Clone, Debug, PartialEq, Eq, Builder)]
#[non_exhaustive]
pub struct PodSecurity {
    /// `runAsNonRoot`.
    #[builder(default = true)]
    pub run_as_non_root: bool,
    /// `runAsUser`; 1337 is the Istio proxy's and is refused.
    #[builder(default = 1000)]
    pub run_as_user: i64,
    /// `runAsGroup`.
    #[builder(default = 1000)]
    pub run_as_group: i64,
    /// `fsGroup`.
    #[builder(default = 1000)]
    pub fs_group: i64,
    /// `seccompProfile.type: RuntimeDefault`.
    #[builder(default = true)]
    pub seccomp_runtime_default: bool,
}

impl Default for PodSecurity {
    fn default() -> Self {
        Self::builder().build()
    }
}

/// Deployment rollout settings (defaults: RollingUpdate 1/1, 5 old ReplicaSets kept). Each
/// workload's plan is [`Service::rollout_plan`]: a rollout never takes a workload below one ready
/// pod unless `allow_zero_ready` says so.
#[derive(Clone, Debug, PartialEq, Eq, Builder)]
#[non_exhaustive]
pub struct Rollout {
    /// `maxUnavailable` pods, capped at each workload's fewest pods minus one (a one-pod
    /// workload rolls with `maxUnavailable: 0`, by surging).
    #[builder(default = 1)]
    pub max_unavailable: u32,
    /// Apply `max_unavailable` uncapped (default false): a rollout may then take a workload to
    /// zero ready pods, and the checker warns when that workload receives traffic.
    #[builder(default = false)]
    pub allow_zero_ready: bool,
    /// `maxSurge` pods.
    #[builder(default = 1)]
    pub max_surge: u32,
    /// `revisionHistoryLimit`.
    #[builder(default = 5)]
    pub revision_history_limit: u32,
}

impl Default for Rollout {
    fn default() -> Self {
        Self::builder().build()
    }
}
