//! The mesh: one namespace of Connectum services and the policies around them.

use std::collections::BTreeMap;

use typed_builder::TypedBuilder;

use super::{ChainBudget, ExternalCaller, MtlsMode, RetryBudget, Service};

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
/// ```
/// use connectum_mesh_core::{Mesh, MtlsMode, Service};
///
/// let mut mesh = Mesh::builder().namespace("connectum").mtls(MtlsMode::Strict).build();
/// mesh.add_service(Service::builder().name("order-service").image("order:1.0.0").build());
/// assert!(mesh.service("order-service").is_some());
/// ```
#[derive(Clone, Debug, PartialEq, TypedBuilder)]
pub struct Mesh {
    /// The namespace every object lives in.
    #[builder(setter(into))]
    pub namespace: String,
    /// Labels on the Namespace besides the injection label.
    #[builder(default)]
    pub namespace_labels: BTreeMap<String, String>,
    /// Whether Istio injects sidecars (`istio-injection: enabled`).
    #[builder(default = true)]
    pub sidecar_injection: bool,
    /// The namespace-wide mTLS mode (PeerAuthentication `default`).
    #[builder(default = MtlsMode::Strict)]
    pub mtls: MtlsMode,
    /// Namespace-wide telemetry (a Telemetry resource), if any.
    #[builder(default, setter(strip_option))]
    pub telemetry: Option<Telemetry>,
    /// The trust domain of principals (Istio default `cluster.local`).
    #[builder(default = "cluster.local".to_owned(), setter(into))]
    pub trust_domain: String,
    /// The `app.kubernetes.io/part-of` label on every object, if any.
    #[builder(default, setter(strip_option, into))]
    pub part_of: Option<String>,
    /// The label key that names the app (default `app.kubernetes.io/name`).
    #[builder(default = DEFAULT_APP_LABEL.to_owned(), setter(into))]
    pub app_label: String,
    /// The label key that tells subsets apart (default `version`).
    #[builder(default = DEFAULT_VERSION_LABEL.to_owned(), setter(into))]
    pub version_label: String,
    /// How VirtualService and DestinationRule hosts are written.
    #[builder(default)]
    pub host_style: HostStyle,
    /// Callers outside the model that the mesh admits and the retry budget follows.
    #[builder(default)]
    pub external_callers: Vec<ExternalCaller>,
    /// Other namespaces callers may come from (declared so authorization rules may name them).
    #[builder(default)]
    pub known_namespaces: Vec<String>,
    /// The worst-case calls a request may become along any call chain (default 10).
    #[builder(default)]
    pub retry_budget: RetryBudget,
    /// Budgets for particular chains, overriding `retry_budget`.
    #[builder(default)]
    pub chain_budgets: Vec<ChainBudget>,
    /// The total every weighted split must reach (default 100; 1000 for finer steps).
    #[builder(default = 100)]
    pub split_total: u64,
    /// The services; add with [`Mesh::add_service`].
    #[builder(setter(skip), default)]
    pub services: Vec<Service>,
}

impl Mesh {
    /// Adds a service.
    pub fn add_service(&mut self, service: Service) -> &mut Self {
        self.services.push(service);
        self
    }

    /// A service by name.
    #[must_use]
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }

    /// The host a VirtualService or DestinationRule names for `service`.
    #[must_use]
    pub fn host(&self, service: &str) -> String {
        match self.host_style {
            HostStyle::Short => service.to_owned(),
            HostStyle::Fqdn => format!("{service}.{}.svc.cluster.local", self.namespace),
        }
    }
}

/// How hosts are written in VirtualServices and DestinationRules.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum HostStyle {
    /// The short Service name (`order-service`), resolved in the resource's namespace.
    #[default]
    Short,
    /// The fully qualified name (`order-service.connectum.svc.cluster.local`).
    Fqdn,
}

/// Namespace-wide telemetry: tracing, metrics and access logs through named providers (which
/// Istio's meshConfig `extensionProviders` define).
#[derive(Clone, Debug, PartialEq, TypedBuilder)]
pub struct Telemetry {
    /// The Telemetry resource's name.
    #[builder(setter(into))]
    pub name: String,
    /// Tracing providers and sampling.
    #[builder(default, setter(strip_option))]
    pub tracing: Option<Tracing>,
    /// Metrics providers (e.g. `prometheus`).
    #[builder(default)]
    pub metrics_providers: Vec<String>,
    /// Access-log providers (e.g. `otel-access-logging`).
    #[builder(default)]
    pub access_log_providers: Vec<String>,
}

/// Tracing through one or more providers.
#[derive(Clone, Debug, PartialEq, TypedBuilder)]
pub struct Tracing {
    /// Provider names (e.g. `otel-tracing`).
    pub providers: Vec<String>,
    /// Percent of requests sampled, 0..=100.
    #[builder(default, setter(strip_option))]
    pub sampling_percent: Option<f64>,
}
