//! Routes: ordered request matches, weighted splits between subsets, mesh timeouts and retries.

use std::fmt;

use bon::Builder;

use super::Duration;

/// A handle on a subset, returned by [`Service::add_subset`](super::Service::add_subset).
///
/// Routes name subsets through handles, never through free text, so a route can only point at a
/// subset that its service declared. [`SubsetRef::unchecked`] exists for front-ends that read
/// names from text; the checker reports such a reference when nothing declares it (CM0201).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubsetRef {
    service: String,
    subset: String,
}

impl SubsetRef {
    pub(crate) fn new(service: &str, subset: &str) -> Self {
        Self {
            service: service.to_owned(),
            subset: subset.to_owned(),
        }
    }

    /// A reference built from names alone, for front-ends that read names from text.
    /// Prefer the handle [`Service::add_subset`](super::Service::add_subset) returns.
    #[must_use]
    pub fn unchecked(service: impl Into<String>, subset: impl Into<String>) -> Self {
        Self {
            service: service.into(),
            subset: subset.into(),
        }
    }

    /// The service that declares the subset.
    #[must_use]
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The subset's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.subset
    }
}

/// Where a route sends the requests it matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteTarget {
    /// Every matched request goes to one subset.
    Subset(SubsetRef),
    /// Matched requests are shared among subsets by weight.
    Split(Split),
    /// Every matched request goes to the service as a whole (all its pods, no subset).
    Service,
}

impl From<SubsetRef> for RouteTarget {
    fn from(subset: SubsetRef) -> Self {
        Self::Subset(subset)
    }
}

impl From<&SubsetRef> for RouteTarget {
    fn from(subset: &SubsetRef) -> Self {
        Self::Subset(subset.clone())
    }
}

impl From<Split> for RouteTarget {
    fn from(split: Split) -> Self {
        Self::Split(split)
    }
}

/// A weighted split of traffic among subsets (a canary release).
///
/// Istio gives each destination `weight / total`; this library by default also requires the
/// weights to total the mesh's `split_total` (100), so `90/10` reads as percent.
///
/// ```
/// use connectum_mesh_core::{Service, Split, Subset};
///
/// let mut order = Service::builder().name("order-service").image("order:1.0.0").build();
/// let stable = order.add_subset(Subset::builder().name("stable").build());
/// let canary = order.add_subset(Subset::builder().name("canary").build());
/// let split = Split::new().weight(&stable, 90).weight(&canary, 10);
/// assert_eq!(split.total(), 100);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Split {
    /// The destinations, in the order they are rendered.
    pub legs: Vec<SplitLeg>,
}

/// One destination of a [`Split`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitLeg {
    /// The subset that receives this share.
    pub subset: SubsetRef,
    /// Its weight; Istio's share is `weight / total`.
    pub weight: u32,
}

impl Split {
    /// An empty split; add destinations with [`Split::weight`].
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a destination with its weight.
    #[must_use]
    pub fn weight(mut self, subset: &SubsetRef, weight: u32) -> Self {
        self.legs.push(SplitLeg {
            subset: subset.clone(),
            weight,
        });
        self
    }

    /// The sum of the weights (saturating).
    #[must_use]
    pub fn total(&self) -> u64 {
        self.legs.iter().map(|leg| u64::from(leg.weight)).sum()
    }

    /// A two-way split in percent whose weights the compiler checks: they must total 100.
    ///
    /// ```
    /// use connectum_mesh_core::{Service, Split, Subset};
    ///
    /// let mut order = Service::builder().name("order-service").image("order:1.0.0").build();
    /// let stable = order.add_subset(Subset::builder().name("stable").build());
    /// let canary = order.add_subset(Subset::builder().name("canary").build());
    /// assert_eq!(Split::percent::<90, 10>(&stable, &canary).total(), 100);
    /// ```
    ///
    /// Weights that do not total 100 do not compile:
    ///
    /// ```compile_fail
    /// # use connectum_mesh_core::{Service, Split, Subset};
    /// # let mut order = Service::builder().name("order-service").image("order:1.0.0").build();
    /// # let stable = order.add_subset(Subset::builder().name("stable").build());
    /// # let canary = order.add_subset(Subset::builder().name("canary").build());
    /// let split = Split::percent::<90, 5>(&stable, &canary);
    /// ```
    #[must_use]
    pub fn percent<const FIRST: u32, const SECOND: u32>(
        first: &SubsetRef,
        second: &SubsetRef,
    ) -> Self {
        const {
            assert!(
                FIRST as u64 + SECOND as u64 == 100,
                "the weights of Split::percent must total 100"
            );
        }
        Self::new().weight(first, FIRST).weight(second, SECOND)
    }
}

/// How a request attribute is compared (Istio's `StringMatch` one-of).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum StringMatch {
    /// The whole value equals the text.
    Exact(String),
    /// The value starts with the text (must not be empty for headers).
    Prefix(String),
    /// The value matches an RE2 regular expression.
    Regex(String),
}

/// One header condition of a [`RequestMatch`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HeaderMatch {
    /// The header name, lower case (`x-canary`).
    pub name: String,
    /// How its value is compared.
    pub value: StringMatch,
}

impl HeaderMatch {
    /// `name` must equal `value` exactly: `HeaderMatch::exact("x-canary", "true")`.
    #[must_use]
    pub fn exact(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: StringMatch::Exact(value.into()),
        }
    }

    /// `name` must start with `value`.
    #[must_use]
    pub fn prefix(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: StringMatch::Prefix(value.into()),
        }
    }

    /// `name` must match the RE2 expression `pattern`.
    #[must_use]
    pub fn regex(name: impl Into<String>, pattern: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: StringMatch::Regex(pattern.into()),
        }
    }
}

/// A request condition: every part must hold (AND). A route matches when any of its
/// `RequestMatch`es holds (OR).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Builder)]
#[non_exhaustive]
pub struct RequestMatch {
    /// Header conditions, all required.
    #[builder(default, with = |items: impl IntoIterator<Item = HeaderMatch>| items.into_iter().collect())]
    pub headers: Vec<HeaderMatch>,
    /// A condition on the request path; for gRPC `/package.Service/Method`.
    pub uri: Option<StringMatch>,
}

impl RequestMatch {
    /// A match on one header.
    #[must_use]
    pub fn header(header: HeaderMatch) -> Self {
        Self {
            headers: vec![header],
            uri: None,
        }
    }
}

/// A condition Istio retries on (`retryOn`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum RetryOn {
    /// gRPC status UNAVAILABLE (`unavailable`).
    Unavailable,
    /// gRPC status DEADLINE_EXCEEDED (`deadline-exceeded`).
    DeadlineExceeded,
    /// gRPC status RESOURCE_EXHAUSTED (`resource-exhausted`).
    ResourceExhausted,
    /// gRPC status CANCELLED (`cancelled`).
    Cancelled,
    /// gRPC status INTERNAL (`internal`).
    Internal,
    /// Connection failures (`connect-failure`).
    ConnectFailure,
    /// HTTP/2 REFUSED_STREAM (`refused-stream`).
    RefusedStream,
    /// Any 5xx response (`5xx`).
    FiveXx,
    /// 502, 503 and 504 (`gateway-error`).
    GatewayError,
    /// A reset stream or connection (`reset`).
    Reset,
    /// A reset before any request byte was sent (`reset-before-request`).
    ResetBeforeRequest,
    /// Retriable 4xx, that is 409 (`retriable-4xx`).
    Retriable4xx,
    /// One HTTP status code, e.g. `503`.
    Status(u16),
}

impl super::Words for RetryOn {
    const WHAT: &'static str = "retry condition";
    const WORDS: &'static [(&'static str, Self)] = &[
        ("unavailable", Self::Unavailable),
        ("deadline-exceeded", Self::DeadlineExceeded),
        ("resource-exhausted", Self::ResourceExhausted),
        ("cancelled", Self::Cancelled),
        ("internal", Self::Internal),
        ("connect-failure", Self::ConnectFailure),
        ("refused-stream", Self::RefusedStream),
        ("5xx", Self::FiveXx),
        ("gateway-error", Self::GatewayError),
        ("reset", Self::Reset),
        ("reset-before-request", Self::ResetBeforeRequest),
        ("retriable-4xx", Self::Retriable4xx),
    ];
}

impl fmt::Display for RetryOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Status(code) => write!(f, "{code}"),
            other => f.write_str(super::Words::word(*other)),
        }
    }
}

impl std::str::FromStr for RetryOn {
    type Err = super::UnknownWord;

    /// Reads one `retryOn` token: a word, e.g. `unavailable`, or an HTTP status, e.g. `503`.
    fn from_str(token: &str) -> Result<Self, Self::Err> {
        <Self as super::Words>::from_word(token).or_else(|mut error| {
            match token.parse().ok().filter(|code| (100..600).contains(code)) {
                Some(code) => Ok(Self::Status(code)),
                None => {
                    error.otherwise = Some("an HTTP status 100-599");
                    Err(error)
                }
            }
        })
    }
}

/// Istio's retry policy for a route (`http[].retries`).
///
/// A route whose `retries` is `None` gets Istio's implicit policy: 2 retries on
/// `connect-failure,refused-stream,unavailable,cancelled`, which the retry budget counts.
#[derive(Clone, Debug, PartialEq, Eq, Builder)]
#[non_exhaustive]
pub struct MeshRetry {
    /// Retries after the first try; 0 disables retries. At most `1 + attempts` requests.
    pub attempts: u32,
    /// Timeout of each try; unset means each try may use the route's whole timeout.
    pub per_try_timeout: Option<Duration>,
    /// The conditions that trigger a retry; empty means Istio's default conditions.
    #[builder(default, with = |items: impl IntoIterator<Item = RetryOn>| items.into_iter().collect())]
    pub retry_on: Vec<RetryOn>,
}

impl MeshRetry {
    /// `attempts: 0`: Istio makes exactly one try. Emitted explicitly, because an absent retry
    /// block means 2 retries.
    #[must_use]
    pub fn disabled() -> Self {
        Self {
            attempts: 0,
            per_try_timeout: None,
            retry_on: Vec::new(),
        }
    }

    /// The `retryOn` text Istio reads, e.g. `unavailable,deadline-exceeded`.
    #[must_use]
    pub fn retry_on_text(&self) -> Option<String> {
        if self.retry_on.is_empty() {
            return None;
        }
        let tokens: Vec<String> = self.retry_on.iter().map(ToString::to_string).collect();
        Some(tokens.join(","))
    }
}

/// Istio's implicit retry attempts when a route sets no retry block.
pub const ISTIO_DEFAULT_RETRY_ATTEMPTS: u32 = 2;

/// One HTTP route of a service, in evaluation order: Istio takes the first route that matches.
///
/// ```
/// use connectum_mesh_core::{Duration, HeaderMatch, MeshRetry, RequestMatch, Route, Service, Subset};
///
/// let mut order = Service::builder().name("order-service").image("order:1.0.0").build();
/// let canary = order.add_subset(Subset::builder().name("canary").build());
/// let route = Route::builder()
///     .name("canary-header")
///     .matches([RequestMatch::header(HeaderMatch::exact("x-canary", "true"))])
///     .target(&canary)
///     .timeout(Duration::from_secs(30))
///     .retries(MeshRetry::builder().attempts(1).build())
///     .build();
/// assert_eq!(route.worst_case_attempts(), 2);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Builder)]
#[non_exhaustive]
pub struct Route {
    /// The route's name (Istio `http[].name`), shown in diagnostics and Envoy stats.
    #[builder(into)]
    pub name: Option<String>,
    /// Conditions, any of which selects this route; empty matches every request.
    #[builder(default, with = |items: impl IntoIterator<Item = RequestMatch>| items.into_iter().collect())]
    pub matches: Vec<RequestMatch>,
    /// Where matched requests go.
    #[builder(into)]
    pub target: RouteTarget,
    /// The route timeout; unset means no timeout (Istio disables Envoy's 15s default).
    pub timeout: Option<Duration>,
    /// The retry policy; unset means Istio's implicit 2 retries.
    pub retries: Option<MeshRetry>,
}

impl Route {
    /// Retries Istio makes for this route, counting the implicit 2 when none are set.
    #[must_use]
    pub fn effective_retry_attempts(&self) -> u32 {
        self.retries
            .as_ref()
            .map_or(ISTIO_DEFAULT_RETRY_ATTEMPTS, |r| r.attempts)
    }

    /// The most requests the mesh sends for one request on this route: `1 + attempts`.
    #[must_use]
    pub fn worst_case_attempts(&self) -> u64 {
        1 + u64::from(self.effective_retry_attempts())
    }
}
