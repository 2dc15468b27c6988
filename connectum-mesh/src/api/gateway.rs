//! `gateway.networking.k8s.io/v1` (Kubernetes Gateway API, standard channel v1.6): GatewayClass,
//! Gateway, GRPCRoute and HTTPRoute, with the fields this library emits.
//!
//! kube-rs's `gateway-api` crate (0.22) builds on kube 4 and k8s-openapi 0.28; this library is on
//! kube 5 and k8s-openapi 0.29, and two k8s-openapi versions cannot share one build. The kinds
//! are therefore declared here, as the Istio kinds are, with the Gateway API's field names.

use std::fmt;

use connectum_mesh_core::Duration;
use kube::CustomResource;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A Gateway API duration (`^([0-9]{1,5}(h|m|s|ms)){1,4}$`): `30s`, `1m30s`, `1s500ms`. Istio's
/// `1.5s` is not one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GatewayDuration(pub Duration);

impl fmt::Display for GatewayDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A Duration is at least 1ms, so at least one part is written.
        let millis = self.0.as_millis();
        let parts = [
            (millis / 3_600_000, "h"),
            ((millis / 60_000) % 60, "m"),
            ((millis / 1000) % 60, "s"),
            (millis % 1000, "ms"),
        ];
        for (value, unit) in parts {
            if value > 0 {
                write!(f, "{value}{unit}")?;
            }
        }
        Ok(())
    }
}

impl Serialize for GatewayDuration {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for GatewayDuration {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Duration::parse(&text)
            .map(Self)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "schema")]
impl JsonSchema for GatewayDuration {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "GatewayDuration".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^([0-9]{1,5}(h|m|s|ms)){1,4}$"
        })
    }
}

/// The spec of a GatewayClass: which controller implements Gateways of this class.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(not(feature = "schema"), kube(schema = "disabled"))]
#[kube(
    group = "gateway.networking.k8s.io",
    version = "v1",
    kind = "GatewayClass",
    derive = "PartialEq",
    derive = "Default"
)]
#[serde(rename_all = "camelCase")]
pub struct GatewayClassSpec {
    /// The controller, e.g. `gateway.envoyproxy.io/gatewayclass-controller`.
    pub controller_name: String,
}

/// The spec of a Gateway: its class and listeners.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(not(feature = "schema"), kube(schema = "disabled"))]
#[kube(
    group = "gateway.networking.k8s.io",
    version = "v1",
    kind = "Gateway",
    namespaced,
    derive = "PartialEq",
    derive = "Default"
)]
#[serde(rename_all = "camelCase")]
pub struct GatewaySpec {
    /// The GatewayClass that implements it.
    pub gateway_class_name: String,
    /// The listeners, one per name.
    pub listeners: Vec<Listener>,
}

/// One listener of a Gateway.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Listener {
    /// Its name, which routes name as `sectionName`.
    pub name: String,
    /// The host it answers for; unset means any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// The port.
    pub port: i32,
    /// `HTTP` or `HTTPS`.
    pub protocol: String,
    /// TLS termination, for HTTPS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<ListenerTls>,
    /// Which routes may attach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_routes: Option<AllowedRoutes>,
}

/// A listener's TLS.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ListenerTls {
    /// `Terminate`.
    pub mode: String,
    /// The Secrets with the certificate and key.
    pub certificate_refs: Vec<SecretObjectReference>,
}

/// A Secret by name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SecretObjectReference {
    /// The Secret's name.
    pub name: String,
}

/// Which routes may attach to a listener.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AllowedRoutes {
    /// From which namespaces.
    pub namespaces: RouteNamespaces,
}

/// `allowedRoutes.namespaces`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RouteNamespaces {
    /// `Same`, `All` or `Selector`.
    pub from: String,
}

/// A route's parent: a Gateway and optionally one of its listeners.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ParentReference {
    /// The Gateway's name.
    pub name: String,
    /// The listener's name; unset means every listener.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section_name: Option<String>,
}

/// A Service a route sends requests to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct BackendRef {
    /// The Service's name.
    pub name: String,
    /// The Service's port.
    pub port: i32,
    /// Relative weight among the rule's backends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<i32>,
}

/// A header condition (`Exact` or `RegularExpression`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HeaderMatch {
    /// `Exact` (Gateway API's default when unwritten) or `RegularExpression`.
    #[serde(rename = "type", default = "exact")]
    pub match_type: String,
    /// The header name.
    pub name: String,
    /// The value or expression.
    pub value: String,
}

/// Gateway API's default match type for headers and gRPC methods.
fn exact() -> String {
    "Exact".to_owned()
}

/// Gateway API's default match type for paths.
fn path_prefix() -> String {
    "PathPrefix".to_owned()
}

/// The spec of a GRPCRoute: gRPC methods routed to Services.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(not(feature = "schema"), kube(schema = "disabled"))]
#[kube(
    group = "gateway.networking.k8s.io",
    version = "v1",
    kind = "GRPCRoute",
    namespaced,
    derive = "PartialEq",
    derive = "Default"
)]
#[serde(rename_all = "camelCase")]
pub struct GrpcRouteSpec {
    /// The Gateways (and listeners) it attaches to.
    pub parent_refs: Vec<ParentReference>,
    /// Hostnames it answers for; empty means the listeners'.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hostnames: Vec<String>,
    /// The rules.
    pub rules: Vec<GrpcRouteRule>,
}

/// One rule of a GRPCRoute.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct GrpcRouteRule {
    /// Conditions, any of which selects the rule; empty matches every gRPC request.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<GrpcRouteMatch>,
    /// Where matched requests go.
    pub backend_refs: Vec<BackendRef>,
}

/// A GRPCRoute condition.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct GrpcRouteMatch {
    /// The gRPC service and method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<GrpcMethodMatch>,
    /// Header conditions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<HeaderMatch>,
}

/// A gRPC service (and method).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct GrpcMethodMatch {
    /// `Exact` (Gateway API's default when unwritten, as in the guide's GRPCRoute).
    #[serde(rename = "type", default = "exact")]
    pub match_type: String,
    /// The fully qualified service.
    pub service: String,
    /// The method; unset means every method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
}

/// The spec of an HTTPRoute: HTTP paths routed to Services.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(not(feature = "schema"), kube(schema = "disabled"))]
#[kube(
    group = "gateway.networking.k8s.io",
    version = "v1",
    kind = "HTTPRoute",
    namespaced,
    derive = "PartialEq",
    derive = "Default"
)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteSpec {
    /// The Gateways (and listeners) it attaches to.
    pub parent_refs: Vec<ParentReference>,
    /// Hostnames it answers for; empty means the listeners'.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hostnames: Vec<String>,
    /// The rules.
    pub rules: Vec<HttpRouteRule>,
}

/// One rule of an HTTPRoute.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteRule {
    /// Conditions, any of which selects the rule; empty matches every path.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<HttpRouteMatch>,
    /// Where matched requests go.
    pub backend_refs: Vec<BackendRef>,
    /// Timeouts of the rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeouts: Option<HttpRouteTimeouts>,
}

/// An HTTPRoute condition.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteMatch {
    /// The path condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<HttpPathMatch>,
    /// Header conditions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<HeaderMatch>,
}

/// A path condition.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HttpPathMatch {
    /// `PathPrefix` (Gateway API's default when unwritten).
    #[serde(rename = "type", default = "path_prefix")]
    pub match_type: String,
    /// The prefix.
    pub value: String,
}

/// `timeouts` of an HTTPRoute rule.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteTimeouts {
    /// The whole request, retries included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<GatewayDuration>,
    /// One try to the backend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend_request: Option<GatewayDuration>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_use_the_gateway_api_syntax() {
        let text = |millis| GatewayDuration(Duration::from_millis(millis)).to_string();
        assert_eq!(text(30_000), "30s");
        assert_eq!(text(1500), "1s500ms");
        assert_eq!(text(90_000), "1m30s");
        assert_eq!(text(250), "250ms");
        assert_eq!(text(3_600_000 + 1), "1h1ms");
    }
}
