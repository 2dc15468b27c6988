//! Checked model → Kubernetes and Istio objects. Pure functions: no I/O.
//!
//! [`render`] runs the checker first and refuses a mesh with errors, so every object here comes
//! from a mesh that passed it. Rendering derives what users should not have to repeat: subset
//! labels from the workloads that carry them, selectors that cannot overlap, the termination
//! grace period from the shutdown timings, the config checksum that rolls pods on a change.

mod istio;
mod meta;
mod workloads;

use std::borrow::Cow;
use std::fmt;

use connectum_mesh_core::{Diagnostics, Mesh};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Service, ServiceAccount};
use serde::Serialize;

use crate::api::networking::{DestinationRule, VirtualService};
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

impl IstioApi {
    /// Reads the CLI spelling: `v1` or `v1beta1`.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "v1" => Some(Self::V1),
            "v1beta1" => Some(Self::V1beta1),
            _ => None,
        }
    }

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
    /// Traffic policy and subsets of a host.
    DestinationRule(DestinationRule),
    /// Routes of a host.
    VirtualService(VirtualService),
    /// Namespace telemetry.
    Telemetry(Telemetry),
}

impl Object {
    /// The object's kind, e.g. `VirtualService`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Namespace(_) => "Namespace",
            Self::ServiceAccount(_) => "ServiceAccount",
            Self::ConfigMap(_) => "ConfigMap",
            Self::PeerAuthentication(_) => "PeerAuthentication",
            Self::AuthorizationPolicy(_) => "AuthorizationPolicy",
            Self::Service(_) => "Service",
            Self::Deployment(_) => "Deployment",
            Self::HorizontalPodAutoscaler(_) => "HorizontalPodAutoscaler",
            Self::DestinationRule(_) => "DestinationRule",
            Self::VirtualService(_) => "VirtualService",
            Self::Telemetry(_) => "Telemetry",
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
            Self::DestinationRule(o) => &o.metadata,
            Self::VirtualService(o) => &o.metadata,
            Self::Telemetry(o) => &o.metadata,
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
            Self::PeerAuthentication(_) | Self::AuthorizationPolicy(_) => "security.istio.io",
            Self::DestinationRule(_) | Self::VirtualService(_) => "networking.istio.io",
            Self::Telemetry(_) => "telemetry.istio.io",
        };
        format!("{group}/{}", api.version_of(group))
    }
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
            kind: &'static str,
            metadata: &'a k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
            spec: &'a T,
        }
        let api_version = self.object.api_version(self.api);
        let kind = self.object.kind();
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
                    kind: &'static str,
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
            Object::PeerAuthentication(o) => istio!(o),
            Object::AuthorizationPolicy(o) => istio!(o),
            Object::DestinationRule(o) => istio!(o),
            Object::VirtualService(o) => istio!(o),
            Object::Telemetry(o) => istio!(o),
        }
    }
}

/// Everything a mesh renders to, in the conventional apply order: Namespace, ServiceAccounts,
/// ConfigMaps, policies, Services, Deployments, HPAs, DestinationRules, VirtualServices,
/// Telemetry.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifests {
    objects: Vec<Object>,
    istio_api: IstioApi,
    warnings: Diagnostics,
}

impl Manifests {
    /// The objects, in apply order.
    #[must_use]
    pub fn objects(&self) -> &[Object] {
        &self.objects
    }

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

    /// Each object ready to serialize with its emitted `apiVersion`.
    pub fn documents(&self) -> impl Iterator<Item = Versioned<'_>> {
        self.objects
            .iter()
            .map(|object| Versioned::new(object, self.istio_api))
    }

    /// Every document as a JSON value, in apply order.
    ///
    /// # Errors
    /// When an object cannot be represented as JSON (this does not happen for rendered objects;
    /// the error is passed on rather than hidden).
    pub fn to_values(&self) -> Result<Vec<serde_json::Value>, serde_json::Error> {
        self.documents().map(serde_json::to_value).collect()
    }
}

/// Why a mesh was not rendered: the checker found errors. Printing it prints every diagnostic
/// and a closing line.
#[derive(Clone, Debug, PartialEq, Eq)]
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

impl std::error::Error for RenderError {}

/// Checks `mesh` and renders it with the default options (Istio v1 APIs).
///
/// ```
/// use connectum_mesh::{Mesh, Service, render};
///
/// let mut mesh = Mesh::builder().namespace("shop").build();
/// mesh.add_service(Service::builder().name("cart").image("cart:1.0.0").build());
/// let manifests = render(&mesh)?;
/// let kinds: Vec<_> = manifests.objects().iter().map(|o| o.kind()).collect();
/// assert_eq!(kinds, ["Namespace", "ServiceAccount", "PeerAuthentication", "Service", "Deployment"]);
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
/// mesh (`emit::write_yaml(lazy.documents(), out)`) holds one object at a time.
///
/// ```
/// use connectum_mesh::{Mesh, RenderOptions, Service, emit, render_lazily};
///
/// let mut mesh = Mesh::builder().namespace("shop").build();
/// mesh.add_service(Service::builder().name("cart").image("cart:1.0.0").build());
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
        mesh,
        istio_api: options.istio_api,
        warnings: diagnostics,
    })
}

/// A checked mesh whose objects are rendered as they are iterated: [`Manifests`] without holding
/// every object at once. Made by [`render_lazily`].
#[derive(Clone, Debug)]
pub struct LazyManifests<'m> {
    mesh: &'m Mesh,
    istio_api: IstioApi,
    warnings: Diagnostics,
}

impl<'m> LazyManifests<'m> {
    /// Each object, rendered when reached, ready to serialize with its emitted `apiVersion`, in
    /// apply order (the order of [`Manifests::objects`]).
    pub fn documents(&self) -> impl Iterator<Item = Versioned<'static>> + 'm {
        let api = self.istio_api;
        objects(self.mesh).map(move |object| Versioned::owned(object, api))
    }

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

    /// Every object at once.
    #[must_use]
    pub fn collect(self) -> Manifests {
        Manifests {
            objects: objects(self.mesh).collect(),
            istio_api: self.istio_api,
            warnings: self.warnings,
        }
    }
}

/// The objects of a checked mesh, in apply order, each rendered when the iterator reaches it.
fn objects(mesh: &Mesh) -> impl Iterator<Item = Object> + '_ {
    let services = move || mesh.services.iter();
    std::iter::once(Object::Namespace(workloads::namespace(mesh)))
        .chain(
            workloads::service_accounts(mesh)
                .into_iter()
                .map(Object::ServiceAccount),
        )
        .chain(services().filter_map(move |s| workloads::config_map(mesh, s).map(Object::ConfigMap)))
        .chain(
            istio::peer_authentications(mesh)
                .into_iter()
                .map(Object::PeerAuthentication),
        )
        .chain(services().filter_map(move |s| {
            istio::authorization_policy(mesh, s).map(Object::AuthorizationPolicy)
        }))
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
            istio::destination_rule(mesh, s).map(Object::DestinationRule)
        }))
        .chain(services().filter_map(move |s| {
            istio::virtual_service(mesh, s).map(Object::VirtualService)
        }))
        .chain(istio::telemetry(mesh).map(Object::Telemetry))
}

#[cfg(test)]
mod tests;
