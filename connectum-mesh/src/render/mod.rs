//! Checked model → Kubernetes and Istio objects. Pure functions: no I/O.
//!
//! [`render`] runs the checker first and refuses a mesh with errors, so every object here comes
//! from a mesh that passed it. Rendering derives what users should not have to repeat: subset
//! labels from the workloads that carry them, selectors that cannot overlap, the termination
//! grace period from the shutdown timings, the config checksum that rolls pods on a change.

mod edge;
mod extra;
mod istio;
mod meta;
mod workloads;

use std::borrow::Cow;
use std::fmt;

use connectum_mesh_core::{Diagnostics, Mesh, int32};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Service, ServiceAccount};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use serde::Serialize;

pub use extra::ExtraObject;

use crate::api::envoy::BackendTrafficPolicy;
use crate::api::gateway::{GRPCRoute, Gateway, GatewayClass, HTTPRoute};
use crate::api::networking::{self, DestinationRule, VirtualService};
use crate::api::security::{AuthorizationPolicy, PeerAuthentication};
use crate::api::telemetry::Telemetry;

/// Which Istio API versions the Istio kinds are emitted in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum IstioApi {
    /// `networking.istio.io/v1`, `security.istio.io/v1`, `telemetry.istio.io/v1` (Istio 1.22+).
    #[default]
    V1,
    /// The pre-1.22 versions: `networking.istio.io/v1beta1`, `security.istio.io/v1beta1` and
    /// `telemetry.istio.io/v1alpha1`. Same schemas, for older clusters.
    V1beta1,
}

impl connectum_mesh_core::Words for IstioApi {
    const WHAT: &'static str = "Istio API version";
    const WORDS: &'static [(&'static str, Self)] = &[("v1", Self::V1), ("v1beta1", Self::V1beta1)];
}

connectum_mesh_core::words_from_str!(IstioApi);

impl IstioApi {
    fn version_of(self, group: &str) -> &'static str {
        match (self, group) {
            (Self::V1, _) => "v1",
            (Self::V1beta1, "telemetry.istio.io") => "v1alpha1",
            (Self::V1beta1, _) => "v1beta1",
        }
    }
}

/// Options for [`render_with`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// The Istio API versions to emit (default v1).
    pub istio_api: IstioApi,
}

/// One rendered object.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum Object {
    /// The mesh's namespace.
    Namespace(Namespace),
    /// A service's identity.
    ServiceAccount(ServiceAccount),
    /// A service's environment.
    ConfigMap(ConfigMap),
    /// mTLS mode, namespace-wide or per service.
    PeerAuthentication(PeerAuthentication),
    /// Who may call a service.
    AuthorizationPolicy(AuthorizationPolicy),
    /// A service's stable address.
    Service(Service),
    /// A workload (one per subset).
    Deployment(Deployment),
    /// The autoscaler of a primary workload.
    HorizontalPodAutoscaler(HorizontalPodAutoscaler),
    /// How many of a service's pods a node drain may evict at once.
    PodDisruptionBudget(PodDisruptionBudget),
    /// Traffic policy and subsets of a host.
    DestinationRule(DestinationRule),
    /// Routes of a host.
    VirtualService(VirtualService),
    /// Namespace telemetry.
    Telemetry(Telemetry),
    /// A Gateway API class (cluster-scoped), when a gateway declares it.
    GatewayClass(GatewayClass),
    /// An Istio ingress gateway's servers (`networking.istio.io` Gateway).
    IstioGateway(networking::Gateway),
    /// A Gateway API Gateway.
    Gateway(Gateway),
    /// A gateway's gRPC route.
    GrpcRoute(GRPCRoute),
    /// A gateway's HTTP route.
    HttpRoute(HTTPRoute),
    /// Envoy Gateway's timeout and retries of a route.
    BackendTrafficPolicy(BackendTrafficPolicy),
    /// An object the model does not cover, added with [`Manifests::add_extra`].
    Extra(ExtraObject),
}

impl Object {
    /// The object's kind, e.g. `VirtualService`.
    #[must_use]
    pub fn kind(&self) -> &str {
        match self {
            Self::Namespace(_) => "Namespace",
            Self::ServiceAccount(_) => "ServiceAccount",
            Self::ConfigMap(_) => "ConfigMap",
            Self::PeerAuthentication(_) => "PeerAuthentication",
            Self::AuthorizationPolicy(_) => "AuthorizationPolicy",
            Self::Service(_) => "Service",
            Self::Deployment(_) => "Deployment",
            Self::HorizontalPodAutoscaler(_) => "HorizontalPodAutoscaler",
            Self::PodDisruptionBudget(_) => "PodDisruptionBudget",
            Self::DestinationRule(_) => "DestinationRule",
            Self::VirtualService(_) => "VirtualService",
            Self::Telemetry(_) => "Telemetry",
            Self::GatewayClass(_) => "GatewayClass",
            Self::IstioGateway(_) | Self::Gateway(_) => "Gateway",
            Self::GrpcRoute(_) => "GRPCRoute",
            Self::HttpRoute(_) => "HTTPRoute",
            Self::BackendTrafficPolicy(_) => "BackendTrafficPolicy",
            Self::Extra(o) => o.kind(),
        }
    }

    /// The object's `metadata.name`.
    #[must_use]
    pub fn name(&self) -> &str {
        let metadata = match self {
            Self::Namespace(o) => &o.metadata,
            Self::ServiceAccount(o) => &o.metadata,
            Self::ConfigMap(o) => &o.metadata,
            Self::PeerAuthentication(o) => &o.metadata,
            Self::AuthorizationPolicy(o) => &o.metadata,
            Self::Service(o) => &o.metadata,
            Self::Deployment(o) => &o.metadata,
            Self::HorizontalPodAutoscaler(o) => &o.metadata,
            Self::PodDisruptionBudget(o) => &o.metadata,
            Self::DestinationRule(o) => &o.metadata,
            Self::VirtualService(o) => &o.metadata,
            Self::Telemetry(o) => &o.metadata,
            Self::GatewayClass(o) => &o.metadata,
            Self::IstioGateway(o) => &o.metadata,
            Self::Gateway(o) => &o.metadata,
            Self::GrpcRoute(o) => &o.metadata,
            Self::HttpRoute(o) => &o.metadata,
            Self::BackendTrafficPolicy(o) => &o.metadata,
            Self::Extra(o) => return o.name(),
        };
        metadata.name.as_deref().unwrap_or_default()
    }

    /// The `apiVersion` this object is emitted with under `api`.
    #[must_use]
    pub fn api_version(&self, api: IstioApi) -> String {
        let group = match self {
            Self::Namespace(_)
            | Self::ServiceAccount(_)
            | Self::ConfigMap(_)
            | Self::Service(_) => {
                return "v1".to_owned();
            }
            Self::Deployment(_) => return "apps/v1".to_owned(),
            Self::HorizontalPodAutoscaler(_) => return "autoscaling/v2".to_owned(),
            Self::PodDisruptionBudget(_) => return "policy/v1".to_owned(),
            Self::PeerAuthentication(_) | Self::AuthorizationPolicy(_) => "security.istio.io",
            Self::DestinationRule(_) | Self::VirtualService(_) | Self::IstioGateway(_) => {
                "networking.istio.io"
            }
            Self::Telemetry(_) => "telemetry.istio.io",
            Self::GatewayClass(_) | Self::Gateway(_) | Self::GrpcRoute(_) | Self::HttpRoute(_) => {
                return "gateway.networking.k8s.io/v1".to_owned();
            }
            Self::BackendTrafficPolicy(_) => return "gateway.envoyproxy.io/v1alpha1".to_owned(),
            Self::Extra(o) => return o.api_version().to_owned(),
        };
        format!("{group}/{}", api.version_of(group))
    }
}

/// `value` as a `dyn erased_serde::Serialize`, the way every serializer but the YAML writer
/// takes our documents (JSON, [`Manifests::to_values`], serde-saphyr where the writer gives a
/// document up). Through it the `Serialize` code of every Kubernetes and Istio kind is compiled
/// once for all of them, not once per serializer: four copies of it were four fifths of this
/// crate's LLVM IR in a clean build (BENCHMARKS.md, "Stop 20: the clean build"). The YAML writer,
/// the hot path, stays a concrete serializer.
pub(crate) fn erased<T: Serialize>(value: &T) -> &dyn erased_serde::Serialize {
    value
}

/// Serializes an object with the `apiVersion` of the chosen Istio API set, keys in the
/// conventional order (apiVersion, kind, metadata, spec).
#[derive(Clone, Debug)]
pub struct Versioned<'a> {
    object: Cow<'a, Object>,
    api: IstioApi,
}

impl<'a> Versioned<'a> {
    /// `object` as emitted under `api`.
    #[must_use]
    pub fn new(object: &'a Object, api: IstioApi) -> Self {
        Self {
            object: Cow::Borrowed(object),
            api,
        }
    }

    /// An object rendered on demand (see [`LazyManifests`]), as emitted under `api`.
    #[must_use]
    pub fn owned(object: Object, api: IstioApi) -> Versioned<'static> {
        Versioned {
            object: Cow::Owned(object),
            api,
        }
    }

    /// The object.
    #[must_use]
    pub fn object(&self) -> &Object {
        &self.object
    }
}

impl Serialize for Versioned<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Document<'a, T: Serialize> {
            api_version: String,
            kind: &'a str,
            metadata: &'a k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
            spec: &'a T,
        }
        let api_version = self.object.api_version(self.api);
        let kind = self.object.kind();
        // Custom resources: apiVersion, kind, metadata, spec.
        macro_rules! istio {
            ($o:expr) => {
                Document {
                    api_version,
                    kind,
                    metadata: &$o.metadata,
                    spec: &$o.spec,
                }
                .serialize(serializer)
            };
        }
        match &*self.object {
            Object::Namespace(o) => o.serialize(serializer),
            Object::ServiceAccount(o) => o.serialize(serializer),
            Object::ConfigMap(o) => {
                // k8s-openapi writes fields alphabetically (data before metadata); keep the
                // conventional apiVersion, kind, metadata first.
                #[derive(Serialize)]
                #[serde(rename_all = "camelCase")]
                struct ConfigMapDocument<'a> {
                    api_version: String,
                    kind: &'a str,
                    metadata: &'a k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
                    #[serde(skip_serializing_if = "Option::is_none")]
                    immutable: Option<bool>,
                    #[serde(skip_serializing_if = "Option::is_none")]
                    data: Option<&'a std::collections::BTreeMap<String, String>>,
                }
                ConfigMapDocument {
                    api_version,
                    kind,
                    metadata: &o.metadata,
                    immutable: o.immutable,
                    data: o.data.as_ref(),
                }
                .serialize(serializer)
            }
            Object::Service(o) => o.serialize(serializer),
            Object::Deployment(o) => o.serialize(serializer),
            Object::HorizontalPodAutoscaler(o) => o.serialize(serializer),
            Object::PodDisruptionBudget(o) => o.serialize(serializer),
            Object::PeerAuthentication(o) => istio!(o),
            Object::AuthorizationPolicy(o) => istio!(o),
            Object::DestinationRule(o) => istio!(o),
            Object::VirtualService(o) => istio!(o),
            Object::Telemetry(o) => istio!(o),
            Object::IstioGateway(o) => istio!(o),
            Object::GatewayClass(o) => istio!(o),
            Object::Gateway(o) => istio!(o),
            Object::GrpcRoute(o) => istio!(o),
            Object::HttpRoute(o) => istio!(o),
            Object::BackendTrafficPolicy(o) => istio!(o),
            Object::Extra(o) => o.serialize(serializer),
        }
    }
}

/// A checked mesh's rendering: where its objects are (`S`: every object in [`Manifests`], the
/// mesh to render them from one at a time in [`LazyManifests`]), the Istio API set they are
/// emitted in and the checker's warnings.
#[derive(Clone, Debug, PartialEq)]
pub struct Rendered<S> {
    source: S,
    istio_api: IstioApi,
    warnings: Diagnostics,
}

impl<S> Rendered<S> {
    /// The Istio API set the objects are emitted in.
    #[must_use]
    pub fn istio_api(&self) -> IstioApi {
        self.istio_api
    }

    /// The checker's warnings about the mesh (it had no errors, or it would not have rendered).
    #[must_use]
    pub fn warnings(&self) -> &Diagnostics {
        &self.warnings
    }
}

/// Everything a mesh renders to, in the conventional apply order: Namespace, ServiceAccounts,
/// ConfigMaps, policies, Services, Deployments, HPAs, PodDisruptionBudgets, DestinationRules,
/// VirtualServices, the edge (GatewayClasses, Gateways, their routes and policies), Telemetry;
/// and any extra objects added with [`Manifests::add_extra`], each at its kind's place in that
/// order.
pub type Manifests = Rendered<Vec<Object>>;

impl Manifests {
    /// The objects, in apply order.
    #[must_use]
    pub fn objects(&self) -> &[Object] {
        &self.source
    }

    /// Each object ready to serialize with its emitted `apiVersion`.
    pub fn documents(&self) -> impl Iterator<Item = Versioned<'_>> {
        self.source
            .iter()
            .map(|object| Versioned::new(object, self.istio_api))
    }

    /// Every document as a JSON value, in apply order.
    ///
    /// # Errors
    /// When an object cannot be represented as JSON (this does not happen for rendered objects;
    /// the error is passed on rather than hidden).
    pub fn to_values(&self) -> Result<Vec<serde_json::Value>, serde_json::Error> {
        self.documents()
            .map(|document| serde_json::to_value(erased(&document)))
            .collect()
    }
}

/// Why a mesh was not rendered: the checker found errors. Printing it prints every diagnostic
/// and a closing line; so does its `Debug`, like [`crate::build::BuildError`]'s, so a `main`
/// or a test that returns it with `?` shows the report rather than a struct dump.
#[derive(Clone, PartialEq, Eq)]
pub struct RenderError {
    /// Everything the checker found, errors and warnings.
    pub diagnostics: Diagnostics,
}

impl fmt::Display for RenderError {
    /// Every diagnostic, then a closing line like rustc's "could not compile".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self.diagnostics.errors().count();
        write!(
            f,
            "{}\nerror: could not render the mesh due to {errors} error{}; nothing was emitted",
            self.diagnostics,
            if errors == 1 { "" } else { "s" }
        )
    }
}

impl fmt::Debug for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for RenderError {}

/// Checks `mesh` and renders it with the default options (Istio v1 APIs).
///
/// ```
/// use connectum_mesh::{Mesh, Service, render};
///
/// let mesh = Mesh::builder()
///     .namespace("shop")
///     .services([Service::builder().name("cart").image("cart:1.0.0").build()])
///     .build();
/// let manifests = render(&mesh)?;
/// let kinds: Vec<_> = manifests.objects().iter().map(|o| o.kind()).collect();
/// assert_eq!(kinds, ["Namespace", "ServiceAccount", "ConfigMap", "PeerAuthentication", "Service", "Deployment"]);
/// # Ok::<(), connectum_mesh::RenderError>(())
/// ```
///
/// # Errors
/// [`RenderError`] with every diagnostic when the checker finds an error.
pub fn render(mesh: &Mesh) -> Result<Manifests, RenderError> {
    render_with(mesh, &RenderOptions::default())
}

/// Checks `mesh` and renders it with `options`.
///
/// # Errors
/// [`RenderError`] with every diagnostic when the checker finds an error.
pub fn render_with(mesh: &Mesh, options: &RenderOptions) -> Result<Manifests, RenderError> {
    render_lazily(mesh, options).map(LazyManifests::collect)
}

/// Checks `mesh` and returns its objects to render one at a time: what [`render_with`] holds in
/// memory at once, [`LazyManifests::documents`] makes as it is iterated, so writing a large
/// mesh with [`emit::write_yaml`](crate::emit::write_yaml) holds one object at a time.
///
/// ```
/// use connectum_mesh::{Mesh, RenderOptions, Service, emit, render_lazily};
///
/// let mesh = Mesh::builder()
///     .namespace("shop")
///     .services([Service::builder().name("cart").image("cart:1.0.0").build()])
///     .build();
/// let lazy = render_lazily(&mesh, &RenderOptions::default())?;
/// let mut out = Vec::new();
/// emit::write_yaml(lazy.documents(), &mut out)?;
/// assert!(String::from_utf8(out)?.contains("kind: Deployment"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`RenderError`] with every diagnostic when the checker finds an error.
pub fn render_lazily<'m>(
    mesh: &'m Mesh,
    options: &RenderOptions,
) -> Result<LazyManifests<'m>, RenderError> {
    let diagnostics = connectum_mesh_core::check(mesh);
    if diagnostics.has_errors() {
        return Err(RenderError { diagnostics });
    }
    Ok(LazyManifests {
        source: mesh,
        istio_api: options.istio_api,
        warnings: diagnostics,
    })
}

/// A checked mesh whose objects are rendered as they are iterated: [`Manifests`] without holding
/// every object at once. Made by [`render_lazily`].
pub type LazyManifests<'m> = Rendered<&'m Mesh>;

impl<'m> LazyManifests<'m> {
    /// Each object, rendered when reached, in apply order (the order of
    /// [`Manifests::objects`]).
    pub fn objects(&self) -> impl Iterator<Item = Object> + 'm {
        objects(self.source)
    }

    /// Each object, rendered when reached, ready to serialize with its emitted `apiVersion`.
    pub fn documents(&self) -> impl Iterator<Item = Versioned<'static>> + 'm {
        let api = self.istio_api;
        self.objects()
            .map(move |object| Versioned::owned(object, api))
    }

    /// Every object at once.
    #[must_use]
    pub fn collect(self) -> Manifests {
        Manifests {
            source: self.objects().collect(),
            istio_api: self.istio_api,
            warnings: self.warnings,
        }
    }
}

/// The objects of a checked mesh, in apply order.
pub(crate) fn render_objects(mesh: &Mesh) -> Vec<Object> {
    objects(mesh).collect()
}

/// The objects of a checked mesh, in apply order, each rendered when the iterator reaches it.
/// Without a mesh, the Istio kinds are not rendered at all (the guide's first migration step).
fn objects(mesh: &Mesh) -> impl Iterator<Item = Object> + '_ {
    let istio = mesh.mode.is_istio();
    let services = move || mesh.services.iter();
    let istio_services = move || mesh.services.iter().filter(move |_| istio);
    std::iter::once(Object::Namespace(workloads::namespace(mesh)))
        .chain(workloads::service_accounts(mesh).map(Object::ServiceAccount))
        .chain(
            services().filter_map(move |s| workloads::config_map(mesh, s).map(Object::ConfigMap)),
        )
        .chain(
            istio
                .then(|| istio::peer_authentications(mesh))
                .into_iter()
                .flatten()
                .map(Object::PeerAuthentication),
        )
        .chain(
            istio
                .then(|| istio::allow_nothing_policy(mesh))
                .flatten()
                .map(Object::AuthorizationPolicy),
        )
        .chain({
            let callers = mesh.callers();
            istio_services().filter_map(move |s| {
                istio::authorization_policy(mesh, &callers, s).map(Object::AuthorizationPolicy)
            })
        })
        .chain(services().map(move |s| Object::Service(workloads::service(mesh, s))))
        .chain(services().flat_map(move |s| {
            workloads::deployments(mesh, s)
                .into_iter()
                .map(Object::Deployment)
        }))
        .chain(services().filter_map(move |s| {
            workloads::autoscaler(mesh, s).map(Object::HorizontalPodAutoscaler)
        }))
        .chain(services().filter_map(move |s| {
            workloads::disruption_budget(mesh, s).map(Object::PodDisruptionBudget)
        }))
        .chain(
            istio_services()
                .filter_map(move |s| istio::destination_rule(mesh, s).map(Object::DestinationRule)),
        )
        .chain(
            istio_services()
                .filter_map(move |s| istio::virtual_service(mesh, s).map(Object::VirtualService)),
        )
        .chain(edge::objects(mesh))
        .chain(
            istio
                .then(|| istio::telemetry(mesh))
                .flatten()
                .map(Object::Telemetry),
        )
}

#[cfg(test)]
mod tests;

/// Kubernetes and Istio count in `int32`; the model's `u32` values above `i32::MAX` (which the
/// checker refuses, so a rendered mesh has none) saturate rather than wrap.
pub(crate) fn clamp_i32(value: u32) -> i32 {
    int32(value).unwrap_or(i32::MAX)
}
