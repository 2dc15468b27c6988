//! Resilience at both layers: Istio's traffic policy (connection pool, outlier detection, load
//! balancing) and Connectum's interceptors (circuit breaker, timeout, retry, bulkhead), plus the
//! retry budget that bounds their product along a call chain.

use bon::Builder;

use super::Duration;

/// Istio's per-host traffic policy (the DestinationRule's `trafficPolicy`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Builder)]
#[non_exhaustive]
pub struct TrafficPolicy {
    /// Connection limits (`connectionPool`).
    pub connection_pool: Option<ConnectionPool>,
    /// Ejection of failing pods (`outlierDetection`).
    pub outlier_detection: Option<OutlierDetection>,
    /// How requests are spread over pods (`loadBalancer`).
    pub load_balancer: Option<LoadBalancer>,
    /// The TLS callers use toward this host (`tls`); unset means Istio's auto mTLS, which
    /// follows the workload's PeerAuthentication.
    pub tls: Option<ClientTls>,
}

impl TrafficPolicy {
    /// Whether nothing is set (Istio rejects an empty `trafficPolicy`, so none is rendered).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.connection_pool.is_none()
            && self.outlier_detection.is_none()
            && self.load_balancer.is_none()
            && self.tls.is_none()
    }
}

/// The TLS a caller's proxy originates toward a host (Istio's `ClientTLSSettings.mode`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ClientTls {
    /// Istio mutual TLS with the workload certificates (`ISTIO_MUTUAL`).
    IstioMutual,
    /// Plain text (`DISABLE`); a STRICT workload refuses it.
    Disable,
    /// TLS to a server that has its own certificate, typically an external host (`SIMPLE`).
    Simple {
        /// The SNI sent in the handshake, e.g. `api.stripe.com`.
        sni: Option<String>,
    },
}

impl ClientTls {
    /// Istio's spelling: `ISTIO_MUTUAL`, `DISABLE`, `SIMPLE`.
    #[must_use]
    pub fn as_istio(&self) -> &'static str {
        match self {
            Self::IstioMutual => "ISTIO_MUTUAL",
            Self::Disable => "DISABLE",
            Self::Simple { .. } => "SIMPLE",
        }
    }
}

/// Istio's `connectionPool`: limits per upstream host.
#[derive(Clone, Debug, Default, PartialEq, Eq, Builder)]
#[non_exhaustive]
pub struct ConnectionPool {
    /// TCP limits.
    pub tcp: Option<TcpPool>,
    /// HTTP limits.
    pub http: Option<HttpPool>,
}

/// Istio's `connectionPool.tcp`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Builder)]
#[non_exhaustive]
pub struct TcpPool {
    /// Most HTTP/1.1 connections or TCP connections to a host (Istio default 2^32-1).
    pub max_connections: Option<u32>,
    /// TCP connect timeout (Istio default 10s).
    pub connect_timeout: Option<Duration>,
}

/// Istio's `connectionPool.http`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Builder)]
#[non_exhaustive]
pub struct HttpPool {
    /// Whether HTTP/1.1 connections are upgraded to HTTP/2.
    pub h2_upgrade_policy: Option<H2UpgradePolicy>,
    /// Most requests per connection; 1 disables keep-alive (Istio default unlimited).
    pub max_requests_per_connection: Option<u32>,
    /// Most concurrent requests to a host (Istio default 2^32-1).
    pub http2_max_requests: Option<u32>,
    /// Most requests queued while waiting for a connection (Istio default 2^32-1).
    pub http1_max_pending_requests: Option<u32>,
}

/// Istio's `h2UpgradePolicy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum H2UpgradePolicy {
    /// The mesh-wide default.
    Default,
    /// Never upgrade.
    DoNotUpgrade,
    /// Upgrade HTTP/1.1 to HTTP/2.
    Upgrade,
}

impl super::Words for H2UpgradePolicy {
    const WHAT: &'static str = "h2 upgrade policy";
    const WORDS: &'static [(&'static str, Self)] = &[
        ("DEFAULT", Self::Default),
        ("DO_NOT_UPGRADE", Self::DoNotUpgrade),
        ("UPGRADE", Self::Upgrade),
    ];
}
super::spelled!(H2UpgradePolicy);

/// Istio's `outlierDetection`: eject pods that keep failing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Builder)]
#[non_exhaustive]
pub struct OutlierDetection {
    /// Consecutive 5xx (gRPC: Unavailable etc.) before ejection (Istio default 5).
    pub consecutive_5xx_errors: Option<u32>,
    /// Consecutive 502/503/504 before ejection.
    pub consecutive_gateway_errors: Option<u32>,
    /// Time between ejection sweeps (Istio default 10s).
    pub interval: Option<Duration>,
    /// Minimum ejection time (Istio default 30s).
    pub base_ejection_time: Option<Duration>,
    /// Most pods ejected at once, in percent 0..=100 (Istio default 10).
    pub max_ejection_percent: Option<u32>,
    /// Outlier detection is off below this percentage of healthy pods, 0..=100 (Istio default 0).
    pub min_health_percent: Option<u32>,
}

/// Istio's `loadBalancer` one-of.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LoadBalancer {
    /// A standard algorithm.
    Simple(SimpleLb),
    /// Session affinity by a hash of the request.
    ConsistentHash(HashKey),
}

/// Istio's `loadBalancer.simple`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SimpleLb {
    /// Round robin.
    RoundRobin,
    /// The pod with the fewest outstanding requests (Istio's default).
    LeastRequest,
    /// A random pod.
    Random,
    /// Pass the connection to the original destination.
    Passthrough,
}

/// The request attribute a consistent hash uses (Istio's hash-key one-of).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum HashKey {
    /// A request header.
    HttpHeaderName(String),
    /// The client's IP address.
    UseSourceIp,
    /// A query parameter.
    HttpQueryParameterName(String),
}

/// Connectum's interceptors (`createDefaultInterceptors`), the application layer of resilience.
///
/// Since Connectum 1.0 timeout, bulkhead, circuit breaker and retry are opt-in, so each is
/// `None` (off) unless set. Each option type's defaults are Connectum's.
#[derive(Clone, Debug, Default, PartialEq, Eq, Builder)]
#[non_exhaustive]
pub struct Interceptors {
    /// Opens after consecutive failures; wraps retry, so one request counts once.
    pub circuit_breaker: Option<CircuitBreaker>,
    /// Abandons a call after a fixed time, bounding all retries together.
    #[builder(into)]
    pub timeout: Option<AppTimeout>,
    /// Retries Unavailable and ResourceExhausted with exponential backoff.
    pub retry: Option<AppRetry>,
    /// Limits concurrent calls and the queue behind them.
    pub bulkhead: Option<Bulkhead>,
}

impl Interceptors {
    /// Retries the application makes after the first call (0 when retry is off).
    #[must_use]
    pub fn max_retries(&self) -> u32 {
        self.retry.as_ref().map_or(0, |r| r.max_retries)
    }
}

/// Connectum's circuit breaker (`circuitBreaker`).
#[derive(Clone, Debug, PartialEq, Eq, Builder)]
#[non_exhaustive]
pub struct CircuitBreaker {
    /// Consecutive failures that open the circuit (Connectum default 5, at least 1).
    #[builder(default = 5)]
    pub threshold: u32,
    /// How long the circuit stays open before a trial call (Connectum default 30s).
    #[builder(default = Duration::from_secs(30))]
    pub half_open_after: Duration,
}

impl Default for CircuitBreaker {
    fn default() -> Self {
        Self::builder().build()
    }
}

/// Connectum's timeout interceptor (`timeout`).
#[derive(Clone, Debug, PartialEq, Eq, Builder)]
#[non_exhaustive]
pub struct AppTimeout {
    /// Time after which the call fails with DeadlineExceeded (Connectum default 30s).
    #[builder(default = Duration::from_secs(30))]
    pub duration: Duration,
}

/// A timeout interceptor of this duration: `.timeout(Duration::from_secs(10))`.
impl From<Duration> for AppTimeout {
    fn from(duration: Duration) -> Self {
        Self { duration }
    }
}

impl Default for AppTimeout {
    fn default() -> Self {
        Self::builder().build()
    }
}

/// Connectum's retry interceptor (`retry`).
#[derive(Clone, Debug, PartialEq, Eq, Builder)]
#[non_exhaustive]
pub struct AppRetry {
    /// Retries after the first call; total calls are `max_retries + 1` (Connectum default 3).
    #[builder(default = 3)]
    pub max_retries: u32,
    /// First backoff delay (Connectum default 200ms).
    #[builder(default = Duration::from_millis(200))]
    pub initial_delay: Duration,
    /// Largest backoff delay (Connectum default 5s).
    #[builder(default = Duration::from_secs(5))]
    pub max_delay: Duration,
}

impl Default for AppRetry {
    fn default() -> Self {
        Self::builder().build()
    }
}

/// Connectum's bulkhead (`bulkhead`).
#[derive(Clone, Debug, PartialEq, Eq, Builder)]
#[non_exhaustive]
pub struct Bulkhead {
    /// Most concurrent executions (Connectum default 10, at least 1).
    #[builder(default = 10)]
    pub capacity: u32,
    /// Most queued callers (Connectum default 10).
    #[builder(default = 10)]
    pub queue_size: u32,
}

impl Default for Bulkhead {
    fn default() -> Self {
        Self::builder().build()
    }
}

/// The most calls one request may turn into along a call chain, counting mesh retries times
/// application retries at every hop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RetryBudget {
    /// The largest accepted worst-case number of calls (default 10).
    pub max_worst_case_calls: u64,
}

impl RetryBudget {
    /// The default budget: 10 worst-case calls. It accepts the docs' advice (mesh retries 1 with
    /// Connectum's default 3 retries: 8 calls) and refuses 12 and more.
    pub const DEFAULT: Self = Self {
        max_worst_case_calls: 10,
    };

    /// A budget of `calls` worst-case calls.
    #[must_use]
    pub const fn calls(calls: u64) -> Self {
        Self {
            max_worst_case_calls: calls,
        }
    }
}

impl Default for RetryBudget {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A budget for one call chain, overriding the mesh's budget.
///
/// ```
/// use connectum_mesh_core::{ChainBudget, RetryBudget};
///
/// let budget = ChainBudget::builder()
///     .chain(["envoy-gateway", "order-service"])
///     .budget(RetryBudget::calls(12))
///     .build();
/// assert_eq!(budget, ChainBudget::new(["envoy-gateway", "order-service"], RetryBudget::calls(12)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Builder)]
pub struct ChainBudget {
    /// The chain, caller first: `["envoy-gateway", "order-service", "inventory-service"]`.
    #[builder(with = |items: impl IntoIterator<Item = impl Into<String>>| super::strings(items))]
    pub chain: Vec<String>,
    /// Its budget.
    pub budget: RetryBudget,
}

impl ChainBudget {
    /// A budget of `budget` for the call chain `chain`, named caller first as CM0301's
    /// diagnostics print it.
    ///
    /// ```
    /// use connectum_mesh_core::{ChainBudget, RetryBudget};
    ///
    /// let budget = ChainBudget::new(["envoy-gateway", "order-service"], RetryBudget::calls(12));
    /// assert_eq!(budget.chain, ["envoy-gateway", "order-service"]);
    /// assert_eq!(budget.budget.max_worst_case_calls, 12);
    /// ```
    #[must_use]
    pub fn new(chain: impl IntoIterator<Item = impl Into<String>>, budget: RetryBudget) -> Self {
        Self {
            chain: chain.into_iter().map(Into::into).collect(),
            budget,
        }
    }
}
