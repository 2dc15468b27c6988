//! The kinds the reader knows: one row per kind, `(group, versions, kind, reader)`.
//!
//! Adding a kind is one row in [`KINDS`] (and, when the mesh renders it, a variant of
//! [`Object`]). A kind not listed here is refused with CM0823, never skipped.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Service, ServiceAccount};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Manifest;
use super::tree::{FieldPath, Segment};
use super::unread::UNREAD_FIELDS;
use crate::api::envoy::{BackendTrafficPolicy, BackendTrafficPolicySpec};
use crate::api::gateway::{
    GRPCRoute, Gateway, GatewayClass, GatewayClassSpec, GatewaySpec, GrpcRouteSpec, HTTPRoute,
    HttpRouteSpec,
};
use crate::api::networking::{
    self, DestinationRule, DestinationRuleSpec, VirtualService, VirtualServiceSpec,
};
use crate::api::security::{
    AuthorizationPolicy, AuthorizationPolicySpec, PeerAuthentication, PeerAuthenticationSpec,
};
use crate::api::telemetry::{Telemetry, TelemetrySpec};
use crate::render::Object;

/// Why a document did not fit its kind's type.
#[derive(Debug)]
pub(crate) struct TypeMismatch {
    pub path: FieldPath,
    pub message: String,
}

/// A document read as its kind, and that value written back (to find what reading dropped).
pub(crate) type Read = Result<(Manifest, Value), TypeMismatch>;

/// One kind the reader accepts.
pub(crate) struct KindEntry {
    /// The API group, `""` for the core group.
    pub group: &'static str,
    /// The versions accepted, newest first.
    pub versions: &'static [&'static str],
    /// The kind.
    pub kind: &'static str,
    /// Reads a document of this kind.
    pub read: fn(Value) -> Read,
}

impl KindEntry {
    /// `group/version` (or `version` for the core group) of the newest version.
    pub fn api_version(&self, version: &str) -> String {
        if self.group.is_empty() {
            version.to_owned()
        } else {
            format!("{}/{version}", self.group)
        }
    }
}

const ISTIO_NETWORKING: &[&str] = &["v1", "v1beta1", "v1alpha3"];
const ISTIO_SECURITY: &[&str] = &["v1", "v1beta1"];
const ISTIO_TELEMETRY: &[&str] = &["v1", "v1alpha1"];
/// The Kubernetes Gateway API's group (standard channel).
const GATEWAY_API: &str = "gateway.networking.k8s.io";

/// Every kind the reader knows.
pub(crate) const KINDS: &[KindEntry] = &[
    KindEntry {
        group: "",
        versions: &["v1"],
        kind: "Namespace",
        read: |v| kubernetes(v, |o: Namespace| Manifest::Object(Object::Namespace(o))),
    },
    KindEntry {
        group: "",
        versions: &["v1"],
        kind: "ServiceAccount",
        read: |v| {
            kubernetes(v, |o: ServiceAccount| {
                Manifest::Object(Object::ServiceAccount(o))
            })
        },
    },
    KindEntry {
        group: "",
        versions: &["v1"],
        kind: "ConfigMap",
        read: |v| kubernetes(v, |o: ConfigMap| Manifest::Object(Object::ConfigMap(o))),
    },
    KindEntry {
        group: "",
        versions: &["v1"],
        kind: "Service",
        read: |v| kubernetes(v, |o: Service| Manifest::Object(Object::Service(o))),
    },
    KindEntry {
        group: "",
        versions: &["v1"],
        kind: "Secret",
        read: |v| kubernetes(v, Manifest::Secret),
    },
    KindEntry {
        group: "apps",
        versions: &["v1"],
        kind: "Deployment",
        read: |v| kubernetes(v, |o: Deployment| Manifest::Object(Object::Deployment(o))),
    },
    KindEntry {
        group: "autoscaling",
        versions: &["v2"],
        kind: "HorizontalPodAutoscaler",
        read: |v| {
            kubernetes(v, |o: HorizontalPodAutoscaler| {
                Manifest::Object(Object::HorizontalPodAutoscaler(o))
            })
        },
    },
    KindEntry {
        group: "networking.istio.io",
        versions: ISTIO_NETWORKING,
        kind: "VirtualService",
        read: |v| {
            istio(v, |metadata, spec: VirtualServiceSpec| {
                Object::VirtualService(VirtualService { metadata, spec })
            })
        },
    },
    KindEntry {
        group: "networking.istio.io",
        versions: ISTIO_NETWORKING,
        kind: "DestinationRule",
        read: |v| {
            istio(v, |metadata, spec: DestinationRuleSpec| {
                Object::DestinationRule(DestinationRule { metadata, spec })
            })
        },
    },
    KindEntry {
        group: "security.istio.io",
        versions: ISTIO_SECURITY,
        kind: "PeerAuthentication",
        read: |v| {
            istio(v, |metadata, spec: PeerAuthenticationSpec| {
                Object::PeerAuthentication(PeerAuthentication { metadata, spec })
            })
        },
    },
    KindEntry {
        group: "security.istio.io",
        versions: ISTIO_SECURITY,
        kind: "AuthorizationPolicy",
        read: |v| {
            istio(v, |metadata, spec: AuthorizationPolicySpec| {
                Object::AuthorizationPolicy(AuthorizationPolicy { metadata, spec })
            })
        },
    },
    KindEntry {
        group: "telemetry.istio.io",
        versions: ISTIO_TELEMETRY,
        kind: "Telemetry",
        read: |v| {
            istio(v, |metadata, spec: TelemetrySpec| {
                Object::Telemetry(Telemetry { metadata, spec })
            })
        },
    },
    KindEntry {
        group: "policy",
        versions: &["v1"],
        kind: "PodDisruptionBudget",
        read: |v| {
            kubernetes(v, |o: PodDisruptionBudget| {
                Manifest::Object(Object::PodDisruptionBudget(o))
            })
        },
    },
    KindEntry {
        group: "networking.istio.io",
        versions: ISTIO_NETWORKING,
        kind: "Gateway",
        read: |v| {
            istio(v, |metadata, spec: networking::GatewaySpec| {
                Object::IstioGateway(networking::Gateway { metadata, spec })
            })
        },
    },
    KindEntry {
        group: GATEWAY_API,
        versions: &["v1"],
        kind: "GatewayClass",
        read: |v| {
            istio(v, |metadata, spec: GatewayClassSpec| {
                Object::GatewayClass(GatewayClass { metadata, spec })
            })
        },
    },
    KindEntry {
        group: GATEWAY_API,
        versions: &["v1"],
        kind: "Gateway",
        read: |v| {
            istio(v, |metadata, spec: GatewaySpec| {
                Object::Gateway(Gateway { metadata, spec })
            })
        },
    },
    KindEntry {
        group: GATEWAY_API,
        versions: &["v1"],
        kind: "GRPCRoute",
        read: |v| {
            istio(v, |metadata, spec: GrpcRouteSpec| {
                Object::GrpcRoute(GRPCRoute { metadata, spec })
            })
        },
    },
    KindEntry {
        group: GATEWAY_API,
        versions: &["v1"],
        kind: "HTTPRoute",
        read: |v| {
            istio(v, |metadata, spec: HttpRouteSpec| {
                Object::HttpRoute(HTTPRoute { metadata, spec })
            })
        },
    },
    KindEntry {
        group: "gateway.envoyproxy.io",
        versions: &["v1alpha1"],
        kind: "BackendTrafficPolicy",
        read: |v| {
            istio(v, |metadata, spec: BackendTrafficPolicySpec| {
                Object::BackendTrafficPolicy(BackendTrafficPolicy { metadata, spec })
            })
        },
    },
];

/// The entry for `api_version` and `kind`, if the reader knows them.
pub(crate) fn entry(api_version: &str, kind: &str) -> Option<&'static KindEntry> {
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    KINDS
        .iter()
        .find(|e| e.kind == kind && e.group == group && e.versions.contains(&version))
}

/// Every `apiVersion kind` pair the reader knows, for suggestions.
pub(crate) fn known_kinds() -> impl Iterator<Item = &'static str> {
    KINDS.iter().map(|e| e.kind)
}

/// Reads `value` as `T` with the path of the first field that does not fit.
fn typed<T: DeserializeOwned>(value: Value) -> Result<T, TypeMismatch> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error
            .path()
            .iter()
            .filter_map(|segment| match segment {
                serde_path_to_error::Segment::Seq { index } => Some(Segment::Index(*index)),
                serde_path_to_error::Segment::Map { key } => Some(Segment::Key(key.clone())),
                serde_path_to_error::Segment::Enum { .. }
                | serde_path_to_error::Segment::Unknown => None,
            })
            .collect::<Vec<_>>();
        TypeMismatch {
            path: FieldPath::from(path),
            message: error.into_inner().to_string(),
        }
    })
}

/// The value as JSON, through the erased `Serialize` code the emitter's JSON shares
/// (`render::erased`): one more serializer would compile every kind's code once more.
fn written<T: Serialize>(value: &T) -> Result<Value, TypeMismatch> {
    serde_json::to_value(crate::render::erased(value)).map_err(|error| TypeMismatch {
        path: FieldPath::root(),
        message: error.to_string(),
    })
}

/// A k8s-openapi kind (it checks apiVersion and kind itself).
fn kubernetes<T: DeserializeOwned + Serialize>(value: Value, wrap: impl Fn(T) -> Manifest) -> Read {
    let object: T = typed(value)?;
    let back = written(&object)?;
    Ok((wrap(object), back))
}

/// An Istio kind: metadata and spec (apiVersion and kind were matched by the table).
fn istio<S: DeserializeOwned + Serialize + Default>(
    value: Value,
    wrap: impl Fn(ObjectMeta, S) -> Object,
) -> Read {
    #[derive(Deserialize, Serialize)]
    #[serde(
        rename_all = "camelCase",
        bound(deserialize = "S: DeserializeOwned + Default")
    )]
    struct Document<S> {
        api_version: String,
        kind: String,
        #[serde(default)]
        metadata: ObjectMeta,
        #[serde(default)]
        spec: S,
    }
    let document: Document<S> = typed(value)?;
    let back = written(&document)?;
    Ok((
        Manifest::Object(wrap(document.metadata, document.spec)),
        back,
    ))
}

/// Kinds of the projects the mesh works with that the reader does not read: real objects, not
/// typos, so they are reported as not part of the mesh model (CM0827) rather than refused as
/// unknown (CM0823), and an import of a directory holding them still prints its mesh.
const KNOWN_UNREAD: &[(&str, &[&str])] = &[
    (
        "gateway.envoyproxy.io",
        &[
            "Backend",
            "ClientTrafficPolicy",
            "EnvoyExtensionPolicy",
            "EnvoyPatchPolicy",
            "EnvoyProxy",
            "HTTPRouteFilter",
            "SecurityPolicy",
        ],
    ),
    (
        GATEWAY_API,
        &[
            "BackendTLSPolicy",
            "ListenerSet",
            "ReferenceGrant",
            "TCPRoute",
            "TLSRoute",
            "UDPRoute",
        ],
    ),
    (
        "networking.istio.io",
        &[
            "EnvoyFilter",
            "ProxyConfig",
            "ServiceEntry",
            "Sidecar",
            "WorkloadEntry",
            "WorkloadGroup",
        ],
    ),
    ("security.istio.io", &["RequestAuthentication"]),
];

/// Whether `kind` of `api_version` is one of [`KNOWN_UNREAD`].
pub(crate) fn known_unread(api_version: &str, kind: &str) -> bool {
    let group = api_version.rsplit_once('/').map_or("", |(group, _)| group);
    KNOWN_UNREAD
        .iter()
        .any(|(known, kinds)| *known == group && kinds.contains(&kind))
}

/// Whether `path` of a `kind` document of `api_version` lies under a field its official schema
/// has and our type does not carry ([`UNREAD_FIELDS`], generated from the vendored CRDs). The
/// reader finds unknown fields by writing a document back from our type, so without this a
/// valid field (a VirtualService's `fault`, Envoy Gateway's `rateLimit`) would be refused as
/// misspelled (CM0824); the import reports it as not modelled (CM0827) instead.
pub(crate) fn schema_field_not_read(api_version: &str, kind: &str, path: &FieldPath) -> bool {
    let group = api_version.rsplit_once('/').map_or("", |(group, _)| group);
    UNREAD_FIELDS
        .iter()
        .filter(|(g, k, _)| *g == group && *k == kind)
        .flat_map(|(_, _, fields)| fields.iter())
        .any(|field| under(field, path.segments()))
}

/// Whether `segments` start with the field `pattern` (`spec.http[*].fault`: `[*]` is any index,
/// `{*}` any key).
pub(crate) fn under(pattern: &str, segments: &[Segment]) -> bool {
    let mut segments = segments.iter();
    let mut rest = pattern;
    while !rest.is_empty() {
        let (token, after) = if let Some(after) = rest.strip_prefix("[*]") {
            ("[*]", after)
        } else if let Some(after) = rest.strip_prefix("{*}") {
            ("{*}", after)
        } else {
            let rest = rest.strip_prefix('.').unwrap_or(rest);
            let end = rest.find(['.', '[', '{']).unwrap_or(rest.len());
            rest.split_at(end)
        };
        let matches = match (token, segments.next()) {
            ("[*]", Some(Segment::Index(_))) | ("{*}", Some(Segment::Key(_))) => true,
            (key, Some(Segment::Key(segment))) => key == segment,
            _ => false,
        };
        if !matches {
            return false;
        }
        rest = after;
    }
    true
}
