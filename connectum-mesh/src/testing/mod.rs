//! Unit-testing a topology in code, on what will be deployed: the rendered objects, read with
//! Istio's semantics as `docs/istio-semantics.md` states them (first match wins, header names
//! case-insensitive, exact values case-sensitive, weights relative, implicit retries).
//!
//! [`Deployed`] renders a mesh and answers the questions a topology test asks:
//!
//! - [`Deployed::route`]: where a request to a host goes: the route that matches (by name), the
//!   share of each subset, the timeout and the worst-case attempts, or the 404 it gets;
//! - [`Deployed::can_call`]: whether a caller gets through the AuthorizationPolicies and
//!   PeerAuthentications we emit, and why;
//! - [`Deployed::chain`]: the worst-case calls and latency along a call chain, the numbers the
//!   checker's retry budget (CM0301) uses;
//! - [`Deployed::shutdown_timeline`]: how a service's pods stop (preStop, the app's and the
//!   proxy's drains, the grace period) and what fails when a step is short, checked against
//!   the rendered Deployments;
//! - [`assert_up_to_date`]: committed manifests equal what the mesh emits now (the GitOps check
//!   for CI), with a diff when they do not.
//!
//! The lower layer reads single documents: [`VirtualServiceMeaning`] (routes, shares, retries,
//! timeouts), [`DestinationRuleMeaning`] and [`subset_workloads`] (which pods a destination
//! reaches). Where a document uses a feature the interpreter does not model (query-parameter
//! matches, `withoutHeaders`, redirects …) it says so with [`MeaningError::Unsupported`] instead
//! of guessing. It models a sidecar under a default MeshConfig (no `defaultHttpRetryPolicy`).
//!
//! Enable it in `[dev-dependencies]` with the `testing` feature:
//! `connectum-mesh = { version = "0.1", features = ["testing"] }`.
//!
//! ```
//! use connectum_mesh::testing::{Request, VirtualServiceMeaning};
//! use serde_json::json;
//!
//! let vs = VirtualServiceMeaning::from_json(&json!({
//!     "apiVersion": "networking.istio.io/v1",
//!     "kind": "VirtualService",
//!     "metadata": {"name": "order-service", "namespace": "connectum"},
//!     "spec": {"hosts": ["order-service"], "http": [
//!         {"match": [{"headers": {"x-canary": {"exact": "true"}}}],
//!          "route": [{"destination": {"host": "order-service", "subset": "canary"}}]},
//!         {"route": [
//!             {"destination": {"host": "order-service", "subset": "stable"}, "weight": 3},
//!             {"destination": {"host": "order-service", "subset": "canary"}, "weight": 1}
//!         ]}
//!     ]}
//! }))?;
//! let canary = vs.route_for(&Request::grpc("/shop.Orders/Get").header("x-canary", "true"))?;
//! assert_eq!(canary.map(|r| r.index), Some(0));
//! let default = vs.route_for(&Request::grpc("/shop.Orders/Get"))?.expect("a catch-all route");
//! let shares = default.shares()?;
//! assert_eq!(shares[0].1.percent(), 75.0); // weights are relative: 3 / (3 + 1)
//! assert_eq!(default.retries.attempts, 2); // no retry block: Istio's implicit 2 retries
//! assert_eq!(default.timeout, None); // no timeout unless one is set
//! assert_eq!(shares[0].0.host, "order-service.connectum.svc.cluster.local");
//! # Ok::<(), connectum_mesh::testing::MeaningError>(())
//! ```

mod access;
mod deployed;
mod error;
mod retries;
mod routes;
mod shutdown;
mod subsets;
mod up_to_date;

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde_json::Value;

pub use access::{Access, Caller};
pub use connectum_mesh_core::check::costs::{ChainCost, HopCost};
pub use deployed::{Deployed, RouteOutcome, Routed};
pub use error::TestingError;
pub use retries::{
    DEFAULT_RETRIABLE_STATUS_CODES, DEFAULT_RETRY_ATTEMPTS, DEFAULT_RETRY_ON, EffectiveRetries,
};
pub use routes::{Request, RouteMeaning, Share, Target, VirtualServiceMeaning, WeightedTarget};
pub use subsets::{DestinationRuleMeaning, SubsetMeaning, Unreachable, subset_workloads};
pub use up_to_date::{assert_up_to_date, check_up_to_date};

/// The Kubernetes cluster domain Istio appends to short names (its default, `cluster.local`).
pub const CLUSTER_DOMAIN: &str = "cluster.local";

/// Why a document could not be interpreted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MeaningError {
    /// The document is not a VirtualService Istio would accept (a field is missing or of the
    /// wrong type); validate it first.
    Malformed(String),
    /// The document uses a feature this interpreter does not model.
    Unsupported(String),
}

impl fmt::Display for MeaningError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(what) => write!(f, "malformed VirtualService: {what}"),
            Self::Unsupported(what) => write!(f, "not modelled by the interpreter: {what}"),
        }
    }
}

impl std::error::Error for MeaningError {}

/// The fully qualified host a name in a resource of `namespace` denotes
/// (Istio's `ResolveShortnameToFQDN`): a name without a dot becomes
/// `<name>.<namespace>.svc.cluster.local`; a name with a dot, `*` and IP addresses are taken as
/// written (so `order-service.connectum` is **not** expanded).
///
/// ```
/// use connectum_mesh::testing::resolve_host;
///
/// assert_eq!(resolve_host("order-service", "connectum"), "order-service.connectum.svc.cluster.local");
/// assert_eq!(resolve_host("order-service.shop.svc.cluster.local", "connectum"), "order-service.shop.svc.cluster.local");
/// ```
#[must_use]
pub fn resolve_host(host: &str, namespace: &str) -> String {
    if host == "*" || host.contains('.') || host.parse::<std::net::IpAddr>().is_ok() {
        return host.to_owned();
    }
    let mut out = host.to_owned();
    if !namespace.is_empty() {
        out.push('.');
        out.push_str(namespace);
    }
    out.push_str(".svc.");
    out.push_str(CLUSTER_DOMAIN);
    out
}

/// The emitted documents of `kind` (`Service`, `Deployment` …), in order.
fn of_kind<'d>(documents: &'d [Value], kind: &'d str) -> impl Iterator<Item = &'d Value> + 'd {
    documents
        .iter()
        .filter(move |d| d.get("kind").and_then(Value::as_str) == Some(kind))
}

/// A document's string map (labels, a selector) at `value`; empty when absent.
fn string_map(value: Option<&Value>) -> BTreeMap<String, String> {
    value
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
        .collect()
}

fn malformed(what: impl Into<String>) -> MeaningError {
    MeaningError::Malformed(what.into())
}

fn duration_field(value: &Value, path: &str) -> Result<Duration, MeaningError> {
    let text = value
        .as_str()
        .ok_or_else(|| malformed(format!("{path} is not a string")))?;
    connectum_mesh_core::Duration::parse(text)
        .map(Duration::from)
        .map_err(|e| malformed(format!("{path}: {e}")))
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vs(http: Value) -> VirtualServiceMeaning {
        VirtualServiceMeaning::from_json(&json!({
            "kind": "VirtualService",
            "metadata": {"name": "a", "namespace": "ns"},
            "spec": {"hosts": ["a"], "http": http}
        }))
        .expect("a valid VirtualService")
    }

    #[test]
    fn weights_are_relative_and_zero_weights_dropped() {
        let meaning = vs(json!([{"route": [
            {"destination": {"host": "a", "subset": "x"}, "weight": 3},
            {"destination": {"host": "a", "subset": "y"}, "weight": 0},
            {"destination": {"host": "a", "subset": "z"}, "weight": 1}
        ]}]));
        let shares = meaning.routes[0].shares().expect("shares");
        assert_eq!(shares.len(), 2);
        assert_eq!(
            shares[0].1,
            Share {
                weight: 3,
                total: 4
            }
        );
        assert_eq!(
            shares[1].1,
            Share {
                weight: 1,
                total: 4
            }
        );
        let single = vs(json!([{"route": [{"destination": {"host": "a"}, "weight": 10}]}]));
        assert_eq!(
            single.routes[0].shares().expect("shares")[0].1.percent(),
            100.0
        );
        let zero = vs(json!([{"route": [
            {"destination": {"host": "a", "subset": "x"}, "weight": 0},
            {"destination": {"host": "a", "subset": "y"}}
        ]}]));
        assert!(zero.routes[0].shares().is_err());
    }

    #[test]
    fn retries_follow_istio() {
        let meaning = vs(json!([
            {"route": [{"destination": {"host": "a"}}]},
            {"retries": {"attempts": 0}, "route": [{"destination": {"host": "a"}}]},
            {"retries": {}, "route": [{"destination": {"host": "a"}}]},
            {"retries": {"attempts": 3}, "route": [{"destination": {"host": "a"}}]},
            {"retries": {"attempts": 1, "retryOn": "unavailable,503", "perTryTimeout": "2s"},
             "route": [{"destination": {"host": "a"}}]}
        ]));
        assert_eq!(meaning.routes[0].retries, EffectiveRetries::istio_default());
        assert_eq!(meaning.routes[1].retries, EffectiveRetries::disabled());
        assert_eq!(meaning.routes[2].retries, EffectiveRetries::disabled());
        assert_eq!(meaning.routes[3].retries.attempts, 3);
        assert_eq!(meaning.routes[3].retries.retry_on, DEFAULT_RETRY_ON);
        let custom = &meaning.routes[4].retries;
        assert_eq!(custom.retry_on, ["unavailable", "retriable-status-codes"]);
        assert_eq!(custom.retriable_status_codes, [503]);
        assert_eq!(custom.per_try_timeout, Some(Duration::from_secs(2)));
        assert_eq!(meaning.routes[4].worst_case_requests(), 2);
    }

    #[test]
    fn first_match_wins_and_conditions_combine() {
        let meaning = vs(json!([
            {"match": [{"headers": {"x-a": {"exact": "1"}, "x-b": {"prefix": "b"}}},
                       {"uri": {"regex": "/shop\\.Orders/.*"}}],
             "route": [{"destination": {"host": "a", "subset": "one"}}]},
            {"match": [{"headers": {"x-a": {"exact": "1"}}}],
             "route": [{"destination": {"host": "a", "subset": "two"}}]}
        ]));
        let route = |request: Request| {
            meaning
                .route_for(&request)
                .expect("modelled")
                .map(|r| r.index)
        };
        assert_eq!(
            route(
                Request::grpc("/x.Y/Z")
                    .header("x-a", "1")
                    .header("X-B", "bee")
            ),
            Some(0)
        );
        assert_eq!(route(Request::grpc("/x.Y/Z").header("x-a", "1")), Some(1));
        assert_eq!(route(Request::grpc("/shop.Orders/Get")), Some(0));
        assert_eq!(route(Request::grpc("/shop.Orders")), None);
        assert_eq!(route(Request::grpc("/x.Y/Z")), None);
    }

    #[test]
    fn unmodelled_features_are_refused() {
        let unsupported = VirtualServiceMeaning::from_json(&json!({
            "kind": "VirtualService",
            "metadata": {"name": "a"},
            "spec": {"http": [{"redirect": {"uri": "/"}}]}
        }));
        assert!(matches!(unsupported, Err(MeaningError::Unsupported(_))));
        let meaning = vs(json!([{"match": [{"queryParams": {"a": {"exact": "1"}}}],
                                 "route": [{"destination": {"host": "a"}}]}]));
        assert!(meaning.route_for(&Request::grpc("/")).is_err());
    }

    #[test]
    fn hosts_resolve_like_istio() {
        assert_eq!(resolve_host("a", "ns"), "a.ns.svc.cluster.local");
        assert_eq!(resolve_host("a.other", "ns"), "a.other");
        assert_eq!(resolve_host("*", "ns"), "*");
        assert_eq!(resolve_host("10.0.0.1", "ns"), "10.0.0.1");
        assert_eq!(resolve_host("::1", "ns"), "::1");
        let meaning = vs(json!([{"route": [{"destination": {"host": "a"}}]}]));
        assert!(meaning.serves("a", "ns"));
        assert!(meaning.serves("a.ns.svc.cluster.local", "elsewhere"));
        assert!(!meaning.serves("a", "other"));
    }
}
