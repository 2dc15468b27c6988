//! HTTP routes of a VirtualService: which route a request takes and how it shares traffic
//! (istio/istio `pilot/pkg/networking/core/route/route.go`).

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use super::retries::effective_retries;
use super::{EffectiveRetries, MeaningError, duration_field, malformed, resolve_host};

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
