//! `gateway.envoyproxy.io/v1alpha1` (Envoy Gateway 1.9): BackendTrafficPolicy, which carries a
//! route's timeout and retries where the Gateway API standard channel has no field for them.

use kube::CustomResource;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::gateway::GatewayDuration;

/// The spec of a BackendTrafficPolicy attached to one route.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(not(feature = "schema"), kube(schema = "disabled"))]
#[kube(
    group = "gateway.envoyproxy.io",
    version = "v1alpha1",
    kind = "BackendTrafficPolicy",
    namespaced,
    derive = "PartialEq",
    derive = "Default"
)]
#[serde(rename_all = "camelCase")]
pub struct BackendTrafficPolicySpec {
    /// The routes (or Gateways) it applies to.
    pub target_refs: Vec<LocalPolicyTargetReference>,
    /// Retries; unset means none (Envoy Gateway's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<Retry>,
    /// Timeouts toward the backend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Timeout>,
}

/// A policy's target in its own namespace.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct LocalPolicyTargetReference {
    /// `gateway.networking.k8s.io`.
    pub group: String,
    /// `GRPCRoute`, `HTTPRoute` or `Gateway`.
    pub kind: String,
    /// The target's name.
    pub name: String,
}

/// `retry`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Retry {
    /// Retries after the first try (emitted always: the CRD's default is 2).
    pub num_retries: i32,
    /// Each try's timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_retry: Option<PerRetryPolicy>,
    /// The conditions that trigger a retry; unset means Envoy Gateway's defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_on: Option<RetryOn>,
}

/// `retry.perRetry`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PerRetryPolicy {
    /// The timeout of one try.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<GatewayDuration>,
}

/// `retry.retryOn`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RetryOn {
    /// Trigger names, e.g. `unavailable`, `retriable-status-codes`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<String>,
    /// Status codes retried with the `retriable-status-codes` trigger.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub http_status_codes: Vec<i32>,
}

/// `timeout`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Timeout {
    /// HTTP timeouts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpTimeout>,
}

/// `timeout.http`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HttpTimeout {
    /// Until the whole response is received, retries included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_timeout: Option<GatewayDuration>,
}
