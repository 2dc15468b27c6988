//! What users describe, in their words: the mesh, its services, subsets, routes, policies and
//! resilience budgets. Rendering translates this into Istio's and Kubernetes' names.

mod app_settings;
mod authorization;
mod availability;
mod duration;
mod fragment;
mod gateway;
mod mesh;
mod quantity;
mod resilience;
mod routing;
mod security;
mod service;
pub(crate) mod timeline;
mod words;

pub use app_settings::{INTERCEPTORS_VARIABLE, SHUTDOWN_TIMEOUT_VARIABLE};
pub use authorization::{Authorization, Callers};
pub use availability::{
    DisruptionBudget, LARGE_SERVICE_MAX_UNAVAILABLE_PERCENT, LARGE_SERVICE_PODS, PodCount,
    ResolvedBudget, RolloutPlan, SpreadPolicy,
};
pub use duration::{Duration, DurationError};
pub use fragment::{MeshFragment, ServiceRef};
pub use gateway::{
    ENVOY_GATEWAY_CONTROLLER, EdgeRequest, Gateway, GatewayClass, GatewayImplementation,
    GatewayMatch, GatewayRoute, GatewayRuntime, GatewayTarget, ISTIO_GATEWAY_CONTROLLER,
    ISTIO_INGRESS_SERVICE_ACCOUNT, Listener, ListenerProtocol,
};
pub use mesh::{
    APP_VERSION_LABEL, COMPONENT_LABEL, DEFAULT_APP_LABEL, DEFAULT_VERSION_LABEL, HostStyle, Mesh,
    MeshMode, PART_OF_LABEL, RENDERER_LABELS, Telemetry, Tracing,
};
pub use quantity::{Quantity, QuantityError};
pub use resilience::{
    AppRetry, AppTimeout, Bulkhead, ChainBudget, CircuitBreaker, ClientTls, ConnectionPool,
    H2UpgradePolicy, HashKey, HttpPool, Interceptors, LoadBalancer, OutlierDetection, RetryBudget,
    SimpleLb, TcpPool, TrafficPolicy,
};
pub use routing::{
    HeaderMatch, ISTIO_DEFAULT_RETRY_ATTEMPTS, MeshRetry, RequestMatch, RetryOn, Route,
    RouteTarget, Split, SplitLeg, StringMatch, SubsetRef,
};
pub use security::{AllowRule, AppTls, ExternalCaller, MtlsMode, ServiceAccountRef, Source};
pub use service::{
    Autoscaler, CONNECTUM_PORT, GRPC_PORT_NAME, GracefulShutdown, PORT_VARIABLE, PodSecurity,
    Probe, Probes, Resources, Rollout, Scaling, ScalingRule, Service, Subset,
};
pub use timeline::{
    Failure, FailureKind, ISTIO_DEFAULT_TERMINATION_DRAIN, PodTimeline, ShortStep, SidecarMode,
    Startup, Step, StepKind,
};
pub(crate) use words::spelled;
pub use words::{UnknownWord, Words};

/// A count as the 32-bit signed integer Kubernetes and Istio keep it in, or `None` when it
/// does not fit. The checker refuses such values (CM0108); the renderer, which only sees checked
/// meshes, saturates.
#[doc(hidden)]
#[must_use]
pub fn int32(value: u32) -> Option<i32> {
    i32::try_from(value).ok()
}

/// What a builder's list setter takes: any iterable of anything that becomes a `String`, so
/// `["a", "b"]`, `vec![name]` and an iterator of `&String` all work.
pub(crate) fn strings(items: impl IntoIterator<Item = impl Into<String>>) -> Vec<String> {
    items.into_iter().map(Into::into).collect()
}

/// What a builder's map setter takes: any iterable of pairs that become `String`s.
pub(crate) fn string_map(
    pairs: impl IntoIterator<Item = (impl Into<String>, impl Into<String>)>,
) -> std::collections::BTreeMap<String, String> {
    pairs
        .into_iter()
        .map(|(key, value)| (key.into(), value.into()))
        .collect()
}

#[cfg(test)]
mod tests;
