//! What an emitted VirtualService means to Istio 1.30.3: which route a request takes, how its
//! traffic is shared, how often it is retried and when it times out, and which host a name
//! denotes. `docs/istio-semantics.md` states each rule with its source in Istio's code.
//!
//! The interpreter reads the VirtualService JSON we emit (not our Rust types), so it checks what
//! a cluster would see. It models what a sidecar does with the HTTP routes of one
//! VirtualService under a default MeshConfig (no `defaultHttpRetryPolicy`). Where a document
//! uses a feature it does not model (query-parameter matches, `withoutHeaders`, redirects …) it
//! says so with [`MeaningError::Unsupported`] instead of guessing.
//!
//! ```
//! use connectum_mesh_tests::semantics::{Request, VirtualServiceMeaning};
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
//! # Ok::<(), connectum_mesh_tests::semantics::MeaningError>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde_json::Value;

use crate::cel::parse_go_duration;

/// The Kubernetes cluster domain Istio appends to short names (its default, `cluster.local`).
pub const CLUSTER_DOMAIN: &str = "cluster.local";

/// Istio's implicit retry attempts for a route without a `retries` block.
pub const DEFAULT_RETRY_ATTEMPTS: u32 = 2;

/// Istio's implicit `retryOn` for a route without a `retries` block, or with one that sets
/// `attempts` but no `retryOn`.
pub const DEFAULT_RETRY_ON: [&str; 5] = [
    "connect-failure",
    "refused-stream",
    "unavailable",
    "cancelled",
    "retriable-status-codes",
];

/// The status codes Istio's implicit policy retries (`retriable-status-codes`): 503.
pub const DEFAULT_RETRIABLE_STATUS_CODES: [u16; 1] = [503];

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
/// use connectum_mesh_tests::semantics::resolve_host;
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

/// A request as the sidecar sees it, for route matching.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Request {
    /// The path, for gRPC `/package.Service/Method`.
    pub path: String,
    /// The HTTP method (`POST` for gRPC).
    pub method: String,
    /// The `:authority` (host) header, if any.
    pub authority: Option<String>,
    /// Request headers by lower-case name.
    pub headers: BTreeMap<String, String>,
}

impl Request {
    /// A gRPC call: `POST` to `/package.Service/Method`.
    #[must_use]
    pub fn grpc(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            method: "POST".to_owned(),
            ..Self::default()
        }
    }

    /// The request with one more header (names are case-insensitive; stored lower case).
    #[must_use]
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.insert(name.to_ascii_lowercase(), value.into());
        self
    }
}

/// A destination of a route, with its host resolved.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    /// The fully qualified host.
    pub host: String,
    /// The subset, if any.
    pub subset: Option<String>,
    /// The port, if any.
    pub port: Option<u32>,
}

/// A destination's share of a route's traffic: `weight / total`.
#[derive(Clone, Copy, Debug, Eq)]
pub struct Share {
    /// The destination's weight (a lone destination counts as 1 of 1).
    pub weight: u64,
    /// The sum of the weights of the route's destinations.
    pub total: u64,
}

impl Share {
    /// The share as a fraction in `0.0..=1.0`.
    #[must_use]
    #[allow(clippy::cast_precision_loss)]
    pub fn fraction(self) -> f64 {
        self.weight as f64 / self.total as f64
    }

    /// The share in percent.
    #[must_use]
    pub fn percent(self) -> f64 {
        self.fraction() * 100.0
    }
}

impl PartialEq for Share {
    /// Shares are equal when the fractions are: 90/100 equals 9/10.
    fn eq(&self, other: &Self) -> bool {
        u128::from(self.weight) * u128::from(other.total)
            == u128::from(other.weight) * u128::from(self.total)
    }
}

/// The retry policy in effect on a route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EffectiveRetries {
    /// Retries after the first try (0: retries are off). At most `1 + attempts` requests.
    pub attempts: u32,
    /// The conditions retried on, as Envoy receives them.
    pub retry_on: Vec<String>,
    /// The status codes `retriable-status-codes` covers.
    pub retriable_status_codes: Vec<u16>,
    /// The timeout of each try; `None` means each try may use the whole route timeout.
    pub per_try_timeout: Option<Duration>,
}

impl EffectiveRetries {
    /// Istio's policy for a route without a `retries` block.
    #[must_use]
    pub fn istio_default() -> Self {
        Self {
            attempts: DEFAULT_RETRY_ATTEMPTS,
            retry_on: DEFAULT_RETRY_ON.iter().map(|s| (*s).to_owned()).collect(),
            retriable_status_codes: DEFAULT_RETRIABLE_STATUS_CODES.to_vec(),
            per_try_timeout: None,
        }
    }

    /// No retries (`attempts: 0`).
    #[must_use]
    pub fn disabled() -> Self {
        Self {
            attempts: 0,
            retry_on: Vec::new(),
            retriable_status_codes: Vec::new(),
            per_try_timeout: None,
        }
    }
}

/// One weighted destination as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeightedTarget {
    /// The destination, host resolved.
    pub target: Target,
    /// `weight` as written (`None` when absent, which Istio reads as 0).
    pub weight: Option<u64>,
}

/// One HTTP route of a VirtualService and what it means.
#[derive(Clone, Debug, PartialEq)]
pub struct RouteMeaning {
    /// Its position in `http[]`: routes are tried in this order.
    pub index: usize,
    /// Its `name`, if any.
    pub name: Option<String>,
    /// Its `match` conditions (any one selects the route; none matches every request).
    pub matches: Vec<Value>,
    /// Its destinations as written.
    pub destinations: Vec<WeightedTarget>,
    /// The route timeout; `None` means no timeout.
    pub timeout: Option<Duration>,
    /// The retry policy in effect.
    pub retries: EffectiveRetries,
}

impl RouteMeaning {
    /// Whether `request` selects this route (ignoring earlier routes).
    ///
    /// # Errors
    /// [`MeaningError::Unsupported`] for a match condition the interpreter does not model.
    pub fn matches(&self, request: &Request) -> Result<bool, MeaningError> {
        if self.matches.is_empty() {
            return Ok(true);
        }
        for condition in &self.matches {
            if condition_holds(condition, request)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// How the route shares its traffic. A lone destination gets everything whatever its
    /// weight; with several, weight-0 destinations are dropped and each other gets
    /// `weight / total`.
    ///
    /// # Errors
    /// [`MeaningError::Malformed`] when several destinations weigh 0 in total (Istio refuses it).
    pub fn shares(&self) -> Result<Vec<(Target, Share)>, MeaningError> {
        if let [only] = self.destinations.as_slice() {
            return Ok(vec![(
                only.target.clone(),
                Share {
                    weight: 1,
                    total: 1,
                },
            )]);
        }
        let total: u64 = self.destinations.iter().filter_map(|d| d.weight).sum();
        if total == 0 {
            return Err(MeaningError::Malformed(format!(
                "http[{}]: the weights of several destinations total 0",
                self.index
            )));
        }
        Ok(self
            .destinations
            .iter()
            .filter_map(|d| {
                d.weight
                    .filter(|w| *w > 0)
                    .map(|weight| (d.target.clone(), Share { weight, total }))
            })
            .collect())
    }

    /// The most requests one request on this route becomes: `1 + attempts`.
    #[must_use]
    pub fn worst_case_requests(&self) -> u64 {
        1 + u64::from(self.retries.attempts)
    }
}

/// A VirtualService as Istio interprets it.
#[derive(Clone, Debug, PartialEq)]
pub struct VirtualServiceMeaning {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace` (short names resolve here).
    pub namespace: String,
    /// `spec.hosts`, resolved.
    pub hosts: Vec<String>,
    /// `spec.http`, in order.
    pub routes: Vec<RouteMeaning>,
}

fn malformed(what: impl Into<String>) -> MeaningError {
    MeaningError::Malformed(what.into())
}

fn duration_field(value: &Value, path: &str) -> Result<Duration, MeaningError> {
    let text = value
        .as_str()
        .ok_or_else(|| malformed(format!("{path} is not a string")))?;
    let nanos = parse_go_duration(text).map_err(|e| malformed(format!("{path}: {e}")))?;
    u64::try_from(nanos)
        .map(Duration::from_nanos)
        .map_err(|_| malformed(format!("{path} is negative")))
}

/// The HTTP status codes Go's `http.StatusText` knows; Istio reads a number in `retryOn` as a
/// status code only when it is one of these.
const KNOWN_STATUS_CODES: [u16; 62] = [
    100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304,
    305, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415,
    416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505,
    506, 507, 508, 510, 511,
];

fn effective_retries(route: &Value, path: &str) -> Result<EffectiveRetries, MeaningError> {
    let Some(retries) = route.get("retries") else {
        return Ok(EffectiveRetries::istio_default());
    };
    let attempts = match retries.get("attempts") {
        None => 0,
        Some(value) => value
            .as_i64()
            .ok_or_else(|| malformed(format!("{path}.retries.attempts is not an integer")))?,
    };
    if attempts <= 0 {
        return Ok(EffectiveRetries::disabled());
    }
    let mut effective = EffectiveRetries::istio_default();
    effective.attempts = u32::try_from(attempts)
        .map_err(|_| malformed(format!("{path}.retries.attempts is out of range")))?;
    if let Some(text) = retries.get("retryOn").and_then(Value::as_str)
        && !text.is_empty()
    {
        let mut retry_on = Vec::new();
        let mut codes = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part.parse::<u16>() {
                Ok(code) if KNOWN_STATUS_CODES.contains(&code) => codes.push(code),
                _ => retry_on.push(part.to_owned()),
            }
        }
        if !codes.is_empty() && !retry_on.iter().any(|r| r == "retriable-status-codes") {
            retry_on.push("retriable-status-codes".to_owned());
        }
        effective.retry_on = retry_on;
        effective.retriable_status_codes = codes;
    }
    if let Some(per_try) = retries.get("perTryTimeout") {
        effective.per_try_timeout = Some(duration_field(
            per_try,
            &format!("{path}.retries.perTryTimeout"),
        )?);
    }
    Ok(effective)
}

const UNMODELLED_ROUTE_FIELDS: [&str; 8] = [
    "redirect",
    "directResponse",
    "delegate",
    "rewrite",
    "fault",
    "mirror",
    "mirrors",
    "mirrorPercentage",
];

impl VirtualServiceMeaning {
    /// Reads an emitted VirtualService document.
    ///
    /// # Errors
    /// [`MeaningError::Malformed`] for a document that is not a VirtualService Istio accepts,
    /// [`MeaningError::Unsupported`] for route actions the interpreter does not model.
    pub fn from_json(document: &Value) -> Result<Self, MeaningError> {
        if document.get("kind").and_then(Value::as_str) != Some("VirtualService") {
            return Err(malformed("kind is not VirtualService"));
        }
        let name = document
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed("metadata.name is missing"))?
            .to_owned();
        let namespace = document
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let spec = document
            .get("spec")
            .ok_or_else(|| malformed("spec is missing"))?;
        let hosts = spec
            .get("hosts")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|h| {
                h.as_str()
                    .map(|h| resolve_host(h, &namespace))
                    .ok_or_else(|| malformed("spec.hosts holds a non-string"))
            })
            .collect::<Result<_, _>>()?;
        let mut routes = Vec::new();
        for (index, route) in spec
            .get("http")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let path = format!("spec.http[{index}]");
            if let Some(field) = UNMODELLED_ROUTE_FIELDS
                .iter()
                .find(|f| route.get(**f).is_some())
            {
                return Err(MeaningError::Unsupported(format!("{path}.{field}")));
            }
            let destinations = route
                .get("route")
                .and_then(Value::as_array)
                .ok_or_else(|| malformed(format!("{path}.route is missing")))?
                .iter()
                .map(|d| weighted_target(d, &namespace, &path))
                .collect::<Result<Vec<_>, _>>()?;
            if destinations.is_empty() {
                return Err(malformed(format!("{path}.route is empty")));
            }
            routes.push(RouteMeaning {
                index,
                name: route.get("name").and_then(Value::as_str).map(str::to_owned),
                matches: route
                    .get("match")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
                destinations,
                timeout: route
                    .get("timeout")
                    .map(|t| duration_field(t, &format!("{path}.timeout")))
                    .transpose()?,
                retries: effective_retries(route, &path)?,
            });
        }
        Ok(Self {
            name,
            namespace,
            hosts,
            routes,
        })
    }

    /// The route `request` takes: the first whose conditions it meets, or `None` when no route
    /// matches (the sidecar then answers 404).
    ///
    /// # Errors
    /// [`MeaningError::Unsupported`] for a match condition the interpreter does not model.
    pub fn route_for(&self, request: &Request) -> Result<Option<&RouteMeaning>, MeaningError> {
        for route in &self.routes {
            if route.matches(request)? {
                return Ok(Some(route));
            }
        }
        Ok(None)
    }

    /// Where `request` goes: each destination of its route and its share (empty when no route
    /// matches).
    ///
    /// # Errors
    /// As [`Self::route_for`] and [`RouteMeaning::shares`].
    pub fn shares_for(&self, request: &Request) -> Result<Vec<(Target, Share)>, MeaningError> {
        match self.route_for(request)? {
            Some(route) => route.shares(),
            None => Ok(Vec::new()),
        }
    }

    /// Whether this VirtualService applies to calls to `host` (resolved in `namespace`).
    #[must_use]
    pub fn serves(&self, host: &str, namespace: &str) -> bool {
        let wanted = resolve_host(host, namespace);
        self.hosts.contains(&wanted)
    }
}

fn weighted_target(
    destination: &Value,
    namespace: &str,
    path: &str,
) -> Result<WeightedTarget, MeaningError> {
    let target = destination
        .get("destination")
        .ok_or_else(|| malformed(format!("{path}.route[].destination is missing")))?;
    let host = target
        .get("host")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed(format!("{path}.route[].destination.host is missing")))?;
    let weight = match destination.get("weight") {
        None => None,
        Some(w) => Some(
            w.as_u64()
                .ok_or_else(|| malformed(format!("{path}.route[].weight is not a count")))?,
        ),
    };
    Ok(WeightedTarget {
        target: Target {
            host: resolve_host(host, namespace),
            subset: target
                .get("subset")
                .and_then(Value::as_str)
                .map(str::to_owned),
            port: target
                .pointer("/port/number")
                .and_then(Value::as_u64)
                .and_then(|p| u32::try_from(p).ok()),
        },
        weight,
    })
}

const MODELLED_MATCH_FIELDS: [&str; 5] = ["name", "uri", "method", "authority", "headers"];

/// Whether every condition of one `match` entry holds (AND).
fn condition_holds(condition: &Value, request: &Request) -> Result<bool, MeaningError> {
    let Some(fields) = condition.as_object() else {
        return Err(malformed("a match entry is not an object"));
    };
    if let Some(field) = fields
        .keys()
        .find(|k| !MODELLED_MATCH_FIELDS.contains(&k.as_str()))
    {
        return Err(MeaningError::Unsupported(format!("match.{field}")));
    }
    let checks = [
        ("uri", Some(request.path.as_str())),
        ("method", Some(request.method.as_str())),
        ("authority", request.authority.as_deref()),
    ];
    for (field, actual) in checks {
        if let Some(expected) = condition.get(field)
            && !string_matches(expected, actual)?
        {
            return Ok(false);
        }
    }
    for (name, expected) in condition
        .get("headers")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let actual = request.headers.get(&name.to_ascii_lowercase());
        if !string_matches(expected, actual.map(String::as_str))? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Istio's `StringMatch`: `exact`, `prefix`, or an RE2 `regex` that must match the whole value.
/// An absent value matches nothing.
fn string_matches(expected: &Value, actual: Option<&str>) -> Result<bool, MeaningError> {
    let Some(actual) = actual else {
        return Ok(false);
    };
    if let Some(exact) = expected.get("exact").and_then(Value::as_str) {
        return Ok(actual == exact);
    }
    if let Some(prefix) = expected.get("prefix").and_then(Value::as_str) {
        return Ok(actual.starts_with(prefix));
    }
    if let Some(pattern) = expected.get("regex").and_then(Value::as_str) {
        let anchored = regex::Regex::new(&format!("^(?:{pattern})$"))
            .map_err(|e| malformed(format!("regex {pattern:?}: {e}")))?;
        return Ok(anchored.is_match(actual));
    }
    Err(MeaningError::Unsupported(format!(
        "string match {expected}"
    )))
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
