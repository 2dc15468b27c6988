//! What users describe, in their words: the mesh, its services, subsets, routes, policies and
//! resilience budgets. Rendering translates this into Istio's and Kubernetes' names.

mod duration;
mod mesh;
mod quantity;
mod resilience;
mod routing;
mod security;
mod service;

pub use duration::{Duration, DurationError};
pub use mesh::{
    DEFAULT_APP_LABEL, DEFAULT_VERSION_LABEL, HostStyle, Mesh, MeshMode, Telemetry, Tracing,
};
pub use quantity::{Quantity, QuantityError};
pub use resilience::{
    AppRetry, AppTimeout, Bulkhead, ChainBudget, CircuitBreaker, ConnectionPool, H2UpgradePolicy,
    HashKey, HttpPool, Interceptors, LoadBalancer, OutlierDetection, RetryBudget, SimpleLb,
    TcpPool, TrafficPolicy,
};
pub use routing::{
    HeaderMatch, ISTIO_DEFAULT_RETRY_ATTEMPTS, MeshRetry, RequestMatch, RetryOn, Route,
    RouteTarget, Split, SplitLeg, StringMatch, SubsetRef,
};
pub use security::{AllowRule, AppTls, ExternalCaller, MtlsMode, ServiceAccountRef, Source};
pub use service::{
    Autoscaler, CONNECTUM_PORT, GRPC_PORT_NAME, GracefulShutdown, PodSecurity, Probe, Probes,
    Resources, Rollout, Scaling, ScalingRule, Service, Subset,
};

#[cfg(test)]
mod tests;
