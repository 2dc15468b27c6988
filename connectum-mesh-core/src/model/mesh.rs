//! The mesh: one namespace of Connectum services and the policies around them.

use std::collections::BTreeMap;

use bon::Builder;

use super::{
    ChainBudget, ExternalCaller, Gateway, MtlsMode, PodTimeline, RetryBudget, Service, SidecarMode,
};
use crate::diag::{Code, Level, Lints};

/// The label that names the app on every object (`app.kubernetes.io/name`).
pub const DEFAULT_APP_LABEL: &str = "app.kubernetes.io/name";
/// The pod label that tells subsets apart (`version`).
pub const DEFAULT_VERSION_LABEL: &str = "version";
/// The recommended label the renderer writes for the component an object belongs to.
pub const COMPONENT_LABEL: &str = "app.kubernetes.io/component";
/// The recommended label the renderer writes for the application version.
pub const APP_VERSION_LABEL: &str = "app.kubernetes.io/version";
/// The recommended label the renderer writes for the larger application (the mesh's `part_of`).
pub const PART_OF_LABEL: &str = "app.kubernetes.io/part-of";
/// Every label the renderer writes itself, so none can be the app or version label.
pub const RENDERER_LABELS: [&str; 3] = [APP_VERSION_LABEL, COMPONENT_LABEL, PART_OF_LABEL];

/// A namespace of Connectum services under Istio: what users describe, and what the checker and
/// the renderer read.
///
/// Every collection (services, gateways, external callers, chain budgets, known namespaces) is
/// set through its builder setter, which takes any iterable; a built mesh grows by
/// [`Mesh::merge`] (another crate's [`MeshFragment`](super::MeshFragment), or a single service or gateway).
///
/// ```
/// use connectum_mesh_core::{Mesh, MtlsMode, Service};
///
/// let mut mesh = Mesh::builder()
///     .namespace("connectum")
///     .mtls(MtlsMode::Strict)
///     .services([Service::builder().name("order-service").image("order:1.0.0").build()])
///     .build();
/// assert!(mesh.service("order-service").is_some());
///
/// mesh.merge(Service::builder().name("stock").image("stock:1.0.0").build())?;
/// assert_eq!(mesh.services.len(), 2);
/// # Ok::<(), connectum_mesh_core::Diagnostics>(())
/// ```
#[derive(Clone, Debug, PartialEq, Builder)]
#[non_exhaustive]
pub struct Mesh {
    /// The namespace every object lives in.
    #[builder(into)]
    pub namespace: String,
    /// Labels on the Namespace besides the injection label.
    #[builder(default, with = |pairs: impl IntoIterator<Item = (impl Into<String>, impl Into<String>)>| super::string_map(pairs))]
    pub namespace_labels: BTreeMap<String, String>,
    /// Whether the mesh runs under Istio (the default) or without a mesh, the guide's first
    /// migration step: application TLS and the interceptors carry security and resilience.
    #[builder(default)]
    pub mode: MeshMode,
    /// Whether Istio injects sidecars (`istio-injection: enabled`).
    #[builder(default = true)]
    pub sidecar_injection: bool,
    /// How the cluster runs Istio's proxies (default classic sidecars; say `Native` when the
    /// cluster has native sidecars). The pods' shutdown timeline depends on it.
    #[builder(default)]
    pub sidecars: SidecarMode,
    /// The namespace-wide mTLS mode (PeerAuthentication `default`).
    #[builder(default = MtlsMode::Strict)]
    pub mtls: MtlsMode,
    /// Namespace-wide telemetry (a Telemetry resource), if any.
    pub telemetry: Option<Telemetry>,
    /// The trust domain of principals (Istio default `cluster.local`).
    #[builder(default = "cluster.local".to_owned(), into)]
    pub trust_domain: String,
    /// The `app.kubernetes.io/part-of` label on every object, if any.
    #[builder(into)]
    pub part_of: Option<String>,
    /// The label key that names the app (default `app.kubernetes.io/name`).
    #[builder(default = DEFAULT_APP_LABEL.to_owned(), into)]
    pub app_label: String,
    /// The label key that tells subsets apart (default `version`).
    #[builder(default = DEFAULT_VERSION_LABEL.to_owned(), into)]
    pub version_label: String,
    /// How VirtualService and DestinationRule hosts are written.
    #[builder(default)]
    pub host_style: HostStyle,
    /// Callers outside the model that the mesh admits and the retry budget follows.
    #[builder(default, with = |items: impl IntoIterator<Item = ExternalCaller>| items.into_iter().collect())]
    pub external_callers: Vec<ExternalCaller>,
    /// Other namespaces callers may come from (declared so authorization rules may name them).
    #[builder(default, with = |items: impl IntoIterator<Item = impl Into<String>>| super::strings(items))]
    pub known_namespaces: Vec<String>,
    /// The worst-case calls a request may become along any call chain (default 10).
    #[builder(default)]
    pub retry_budget: RetryBudget,
    /// Budgets for particular chains, overriding `retry_budget`.
    #[builder(default, with = |items: impl IntoIterator<Item = ChainBudget>| items.into_iter().collect())]
    pub chain_budgets: Vec<ChainBudget>,
    /// Emit a namespace-wide allow-nothing AuthorizationPolicy, so a service is reachable only
    /// through its own ALLOW policy (explicit or derived from its callers). Off by default.
    #[builder(default)]
    pub deny_by_default: bool,
    /// The total every weighted split must reach (default 100; 1000 for finer steps).
    #[builder(default = 100)]
    pub split_total: u64,
    /// Levels of diagnostic codes for this mesh; set with [`Mesh::lint`] and
    /// [`Mesh::deny_warnings`].
    #[builder(skip)]
    pub lints: Lints,
    /// The services, in the order they are rendered; on a built mesh, add more with
    /// [`Mesh::merge`].
    #[builder(default, with = |items: impl IntoIterator<Item = Service>| items.into_iter().collect())]
    pub services: Vec<Service>,
    /// The gateways requests from outside enter by; on a built mesh, add more with
    /// [`Mesh::merge`].
    #[builder(default, with = |items: impl IntoIterator<Item = Gateway>| items.into_iter().collect())]
    pub gateways: Vec<Gateway>,
}

impl Mesh {
    /// Adds a service, unchecked (a second service of the same name is the checker's CM0101).
    #[deprecated(
        since = "0.2.0",
        note = "set services with `Mesh::builder().services([..])`, or add to a built mesh with `mesh.merge(service)?`"
    )]
    pub fn add_service(&mut self, service: Service) -> &mut Self {
        self.services.push(service);
        self
    }

    /// Sets the level of a diagnostic code for this mesh, like rustc's `#[deny(…)]`: deny a
    /// warning to make `check`, `render` and `build` refuse the mesh, or allow one to silence
    /// it. Errors cannot be lowered.
    ///
    /// ```
    /// use connectum_mesh_core::diag::Level;
    /// use connectum_mesh_core::diag::registry::TRIES_OUTLAST_TIMEOUT;
    /// use connectum_mesh_core::Mesh;
    ///
    /// let mut mesh = Mesh::builder().namespace("connectum").build();
    /// mesh.lint(TRIES_OUTLAST_TIMEOUT, Level::Deny); // per-try × tries over the timeout fails CI
    /// ```
    pub fn lint(&mut self, code: impl Into<Code>, level: Level) -> &mut Self {
        self.lints.set(code, level);
        self
    }

    /// Denies every warning that has no level of its own (`-D warnings` for CI).
    pub fn deny_warnings(&mut self) -> &mut Self {
        self.lints.deny_warnings();
        self
    }

    /// Adds a gateway, unchecked (a second gateway of the same name is the checker's CM0120).
    #[deprecated(
        since = "0.2.0",
        note = "set gateways with `Mesh::builder().gateways([..])`, or add to a built mesh with `mesh.merge(gateway)?`"
    )]
    pub fn add_gateway(&mut self, gateway: Gateway) -> &mut Self {
        self.gateways.push(gateway);
        self
    }

    /// A gateway by name.
    #[must_use]
    pub fn gateway(&self, name: &str) -> Option<&Gateway> {
        self.gateways.iter().find(|g| g.name == name)
    }

    /// A service by name.
    #[must_use]
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }

    /// The shutdown and start-up timeline of a service's pods, or `None` for an unknown service.
    ///
    /// ```
    /// use std::time::Duration as Elapsed;
    /// use connectum_mesh_core::{Mesh, Service};
    ///
    /// let mesh = Mesh::builder()
    ///     .namespace("shop")
    ///     .services([Service::builder().name("cart").image("cart:1.0.0").build()])
    ///     .build();
    /// let timeline = mesh.shutdown_timeline("cart").expect("declared");
    /// assert_eq!(timeline.grace_period(), Elapsed::from_secs(40));
    /// assert!(timeline.holds());
    /// ```
    #[must_use]
    pub fn shutdown_timeline(&self, service: &str) -> Option<PodTimeline> {
        self.service(service)
            .map(|service| PodTimeline::of(self, service))
    }

    /// The host a VirtualService or DestinationRule names for `service`.
    #[must_use]
    pub fn host(&self, service: &str) -> String {
        match self.host_style {
            HostStyle::Short => service.to_owned(),
            HostStyle::Fqdn => [service, ".", &self.namespace, ".svc.cluster.local"].concat(),
        }
    }
}

/// Whether the services run under Istio or without a mesh (the guide's "Migration Path": start
/// without a mesh, add Istio later).
///
/// Without a mesh the same model renders no VirtualService, DestinationRule,
/// PeerAuthentication, AuthorizationPolicy or Telemetry, no sidecar annotations and no
/// injection label; every service needs application TLS (CM0441), and the retry budget counts
/// application retries only.
///
/// ```
/// use connectum_mesh_core::{Mesh, MeshMode};
///
/// let mesh = Mesh::builder().namespace("shop").mode(MeshMode::None).build();
/// assert!(!mesh.mode.is_istio());
/// assert_eq!("istio".parse(), Ok(MeshMode::Istio));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum MeshMode {
    /// Istio: sidecars do mTLS, routing and mesh retries.
    #[default]
    Istio,
    /// No mesh: application TLS, resilience in the interceptors alone.
    None,
}

impl MeshMode {
    /// Whether Istio is in play.
    #[must_use]
    pub fn is_istio(self) -> bool {
        self == Self::Istio
    }
}

impl super::Words for MeshMode {
    const WHAT: &'static str = "mesh mode";
    const WORDS: &'static [(&'static str, Self)] = &[("istio", Self::Istio), ("none", Self::None)];
}
super::spelled!(MeshMode);

/// How hosts are written in VirtualServices and DestinationRules.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum HostStyle {
    /// The short Service name (`order-service`), resolved in the resource's namespace.
    #[default]
    Short,
    /// The fully qualified name (`order-service.connectum.svc.cluster.local`).
    Fqdn,
}

impl super::Words for HostStyle {
    const WHAT: &'static str = "host style";
    const WORDS: &'static [(&'static str, Self)] = &[("short", Self::Short), ("fqdn", Self::Fqdn)];
}
super::spelled!(HostStyle);

/// Namespace-wide telemetry: tracing, metrics and access logs through named providers (which
/// Istio's meshConfig `extensionProviders` define).
#[derive(Clone, Debug, PartialEq, Builder)]
#[non_exhaustive]
pub struct Telemetry {
    /// The Telemetry resource's name.
    #[builder(into)]
    pub name: String,
    /// Tracing providers and sampling.
    pub tracing: Option<Tracing>,
    /// Metrics providers (e.g. `prometheus`).
    #[builder(default, with = |items: impl IntoIterator<Item = impl Into<String>>| super::strings(items))]
    pub metrics_providers: Vec<String>,
    /// Access-log providers (e.g. `otel-access-logging`).
    #[builder(default, with = |items: impl IntoIterator<Item = impl Into<String>>| super::strings(items))]
    pub access_log_providers: Vec<String>,
}

/// Tracing through one or more providers.
#[derive(Clone, Debug, PartialEq, Builder)]
#[non_exhaustive]
pub struct Tracing {
    /// Provider names (e.g. `otel-tracing`).
    #[builder(with = |items: impl IntoIterator<Item = impl Into<String>>| super::strings(items))]
    pub providers: Vec<String>,
    /// Percent of requests sampled, 0..=100.
    pub sampling_percent: Option<f64>,
}
