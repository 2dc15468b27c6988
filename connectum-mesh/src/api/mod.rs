//! The custom kinds we emit, as `kube` `CustomResource` types with their APIs' exact field names
//! and nesting: Istio's (from Istio 1.30's official CRDs), the Kubernetes Gateway API's
//! ([`gateway`], standard channel v1.6) and Envoy Gateway's BackendTrafficPolicy ([`envoy`]).
//!
//! Where Istio has a one-of (a `StringMatch`'s exact/prefix/regex, a load balancer's
//! simple/consistentHash, an HTTP route's route/redirect/directResponse/delegate, a policy's
//! selector/targetRefs) it is a Rust enum, so two arms can never be set together. Numbers that
//! mean something at zero (`weight: 0`, `attempts: 0`) are `Option`s, emitted whenever set.

pub mod envoy;
pub mod gateway;
pub mod networking;
pub mod security;
pub mod telemetry;

use std::collections::BTreeMap;

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The JSON Schema of a [`Duration`](connectum_mesh_core::Duration) field: a Go duration string.
/// Defined here rather than in the core so the core needs no schemars feature, and the
/// proc-macro and the library share one build of it.
#[cfg(feature = "schema")]
pub(crate) struct DurationSchema;

#[cfg(feature = "schema")]
impl JsonSchema for DurationSchema {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "Duration in Go syntax (e.g. `30s`, `250ms`), at least 1ms, whole milliseconds."
        })
    }
}

/// Istio's `WorkloadSelector`: the pods a policy applies to, by labels.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct WorkloadSelector {
    /// Labels every selected pod carries.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub match_labels: BTreeMap<String, String>,
}

/// A reference to a resource a policy attaches to (Istio `PolicyTargetReference`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PolicyTargetReference {
    /// API group of the target (empty for core).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Kind of the target, e.g. `Service` or `Gateway`.
    pub kind: String,
    /// Name of the target.
    pub name: String,
}

/// What a policy applies to: Istio's selector / targetRef / targetRefs one-of.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum PolicyTarget {
    /// Pods by label.
    Selector(WorkloadSelector),
    /// One Service, ServiceEntry or Gateway.
    TargetRef(PolicyTargetReference),
    /// Several targets.
    TargetRefs(Vec<PolicyTargetReference>),
}

/// The one-of Istio uses to compare strings (`StringMatch`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum StringMatch {
    /// Exact string match.
    Exact(String),
    /// Prefix match.
    Prefix(String),
    /// RE2 regular expression match.
    Regex(String),
}
