//! The edge: gateways that let requests from outside into the mesh, their listeners and their
//! routes, each the first hop of the call chains behind it.

use std::collections::BTreeMap;

use bon::Builder;

use super::{Duration, HeaderMatch, MeshRetry, ServiceAccountRef, Split, SubsetRef};

/// The ServiceAccount Istio's default ingress gateway runs as.
pub const ISTIO_INGRESS_SERVICE_ACCOUNT: (&str, &str) =
    ("istio-system", "istio-ingressgateway-service-account");

/// The `controllerName` of Envoy Gateway's GatewayClasses.
pub const ENVOY_GATEWAY_CONTROLLER: &str = "gateway.envoyproxy.io/gatewayclass-controller";
/// The `controllerName` of Istio's GatewayClasses.
pub const ISTIO_GATEWAY_CONTROLLER: &str = "istio.io/gateway-controller";

/// A gateway: where requests from outside enter the mesh.
///
/// Its routes are the first hop of every call chain behind it, so the retry budget and the
/// timeout rules count the gateway's retries and timeouts (an external caller with no retries
/// would hide them). A service a gateway routes to admits the gateway's principal without an
/// allow rule of its own.
///
/// ```
/// use connectum_mesh_core::{
///     Duration, Gateway, GatewayClass, GatewayMatch, GatewayRoute, GatewayTarget, Listener,
///     ListenerProtocol, MeshRetry,
/// };
///
/// let edge = Gateway::builder()
///     .name("connectum-gateway")
///     .runtime(GatewayClass::envoy_gateway("connectum-gateway").into())
///     .listeners([Listener::builder().name("grpc").port(9090).protocol(ListenerProtocol::Http).build()])
///     .routes([GatewayRoute::builder()
///         .name("orders")
///         .matches([GatewayMatch::grpc_service("mycompany.orders.v1.OrderService")])
///         .target(GatewayTarget::service("order-service"))
///         .timeout(Duration::from_secs(30))
///         .retries(MeshRetry::builder().attempts(1).build())
///         .build()])
///     .build();
/// assert_eq!(edge.routes[0].worst_case_attempts(edge.runtime.default_retry_attempts()), 2);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Builder)]
#[non_exhaustive]
pub struct Gateway {
    /// The gateway's name: the Gateway object's, and the first member of its call chains.
    #[builder(into)]
    pub name: String,
    /// Where it runs and so how it is rendered (default: Istio's ingress gateway).
    #[builder(default)]
    pub runtime: GatewayRuntime,
    /// The identity its proxies call the mesh with; `None` takes the runtime's default
    /// ([`Gateway::principal_account`]).
    pub service_account: Option<ServiceAccountRef>,
    /// The ports and hosts it listens on.
    #[builder(default, with = |items: impl IntoIterator<Item = Listener>| items.into_iter().collect())]
    pub listeners: Vec<Listener>,
    /// Its routes, in order: the first that matches takes the request.
    #[builder(default, with = |items: impl IntoIterator<Item = GatewayRoute>| items.into_iter().collect())]
    pub routes: Vec<GatewayRoute>,
}

impl Gateway {
    /// The ServiceAccount the gateway's proxies run as, when they are in the mesh: the one set,
    /// else Istio's ingress gateway account, or `<gateway>-<class>` in `namespace` for Istio's
    /// Gateway API deployment. Envoy Gateway's and other proxies are outside the mesh unless one
    /// is set (`None`).
    #[must_use]
    pub fn principal_account(&self, namespace: &str) -> Option<ServiceAccountRef> {
        if let Some(account) = &self.service_account {
            return Some(account.clone());
        }
        match &self.runtime {
            GatewayRuntime::IstioIngress { .. } => Some(ServiceAccountRef::new(
                ISTIO_INGRESS_SERVICE_ACCOUNT.0,
                ISTIO_INGRESS_SERVICE_ACCOUNT.1,
            )),
            GatewayRuntime::GatewayApi(class) => match class.implementation {
                GatewayImplementation::Istio => Some(ServiceAccountRef::new(
                    namespace,
                    format!("{}-{}", self.name, class.name),
                )),
                GatewayImplementation::EnvoyGateway | GatewayImplementation::Other => None,
            },
        }
    }

    /// The services its routes send requests to, each once, in route order.
    #[must_use]
    pub fn target_services(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for route in &self.routes {
            for name in route.target.services() {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        names
    }
}

/// Where a gateway runs, which decides how it is rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GatewayRuntime {
    /// An Istio ingress gateway deployment, selected by pod labels: rendered as a
    /// `networking.istio.io` Gateway and a VirtualService bound to it.
    IstioIngress {
        /// The pod labels of the gateway deployment (default `istio: ingressgateway`).
        selector: BTreeMap<String, String>,
    },
    /// A Kubernetes Gateway API implementation: rendered as a `gateway.networking.k8s.io/v1`
    /// Gateway with GRPCRoutes and HTTPRoutes.
    GatewayApi(GatewayClass),
}

impl Default for GatewayRuntime {
    /// Istio's default ingress gateway (`istio: ingressgateway`).
    fn default() -> Self {
        Self::istio_ingress()
    }
}

impl From<GatewayClass> for GatewayRuntime {
    fn from(class: GatewayClass) -> Self {
        Self::GatewayApi(class)
    }
}

impl GatewayRuntime {
    /// Istio's default ingress gateway, selected by `istio: ingressgateway`.
    #[must_use]
    pub fn istio_ingress() -> Self {
        Self::IstioIngress {
            selector: BTreeMap::from([("istio".to_owned(), "ingressgateway".to_owned())]),
        }
    }

    /// Retries the gateway makes on a route that sets none: Istio's implicit 2 for Istio's
    /// proxies, none for Envoy Gateway (its retries are off unless a policy sets them) and
    /// other implementations.
    #[must_use]
    pub fn default_retry_attempts(&self) -> u32 {
        match self {
            Self::IstioIngress { .. } => super::ISTIO_DEFAULT_RETRY_ATTEMPTS,
            Self::GatewayApi(class) => match class.implementation {
                GatewayImplementation::Istio => super::ISTIO_DEFAULT_RETRY_ATTEMPTS,
                GatewayImplementation::EnvoyGateway | GatewayImplementation::Other => 0,
            },
        }
    }

    /// What the diagnostics call this rendering, e.g. `Gateway API class connectum-gateway
    /// (Envoy Gateway)`.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Self::IstioIngress { .. } => "an Istio ingress gateway".to_owned(),
            Self::GatewayApi(class) => format!(
                "Gateway API class `{}` ({})",
                class.name,
                match class.implementation {
                    GatewayImplementation::Istio => "Istio",
                    GatewayImplementation::EnvoyGateway => "Envoy Gateway",
                    GatewayImplementation::Other => "another implementation",
                }
            ),
        }
    }
}

/// A Gateway API `gatewayClassName` and the implementation behind it, which decides what a
/// route's timeouts and retries become.
#[derive(Clone, Debug, PartialEq, Eq, Builder)]
#[non_exhaustive]
pub struct GatewayClass {
    /// The `gatewayClassName`, e.g. `istio`, `eg` or `connectum-gateway`.
    #[builder(into)]
    pub name: String,
    /// The controller that implements it.
    pub implementation: GatewayImplementation,
    /// Whether to emit the GatewayClass object too (cluster-scoped; default no: installing the
    /// implementation usually creates it).
    #[builder(default)]
    pub declare: bool,
}

impl GatewayClass {
    /// Istio's Gateway API class `istio` (created by Istio's installation).
    #[must_use]
    pub fn istio() -> Self {
        Self::builder()
            .name("istio")
            .implementation(GatewayImplementation::Istio)
            .build()
    }

    /// An Envoy Gateway class named `name`, declared with Envoy Gateway's controller (the
    /// guide's `connectum-gateway`).
    #[must_use]
    pub fn envoy_gateway(name: impl Into<String>) -> Self {
        Self::builder()
            .name(name)
            .implementation(GatewayImplementation::EnvoyGateway)
            .declare(true)
            .build()
    }
}

/// The Gateway API implementation behind a class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GatewayImplementation {
    /// Istio (`istio.io/gateway-controller`): reads HTTPRoute timeouts; retries are Istio's
    /// implicit 2 and cannot be set through the standard channel.
    Istio,
    /// Envoy Gateway (`gateway.envoyproxy.io/gatewayclass-controller`): timeouts and retries go
    /// into a BackendTrafficPolicy that targets the route.
    EnvoyGateway,
    /// Any other implementation: only what the standard channel carries.
    Other,
}

impl super::Words for GatewayImplementation {
    const WHAT: &'static str = "Gateway API implementation";
    const WORDS: &'static [(&'static str, Self)] = &[
        ("istio", Self::Istio),
        ("envoy_gateway", Self::EnvoyGateway),
        ("other", Self::Other),
    ];
}
super::spelled!(GatewayImplementation);

impl GatewayImplementation {
    /// The controller name a declared GatewayClass names; `None` for [`Self::Other`].
    #[must_use]
    pub fn controller(self) -> Option<&'static str> {
        match self {
            Self::Istio => Some(ISTIO_GATEWAY_CONTROLLER),
            Self::EnvoyGateway => Some(ENVOY_GATEWAY_CONTROLLER),
            Self::Other => None,
        }
    }
}

/// The protocol of a listener.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ListenerProtocol {
    /// Plain HTTP/1.1 and h2c (gRPC without TLS works on it).
    Http,
    /// TLS terminated at the gateway with a credential Secret.
    Https,
    /// Plain HTTP/2 (Istio only; Gateway API renders it as HTTP).
    Http2,
    /// Plain gRPC (Istio only; Gateway API renders it as HTTP).
    Grpc,
}

impl super::Words for ListenerProtocol {
    const WHAT: &'static str = "listener protocol";
    const WORDS: &'static [(&'static str, Self)] = &[
        ("HTTP", Self::Http),
        ("HTTPS", Self::Https),
        ("HTTP2", Self::Http2),
        ("GRPC", Self::Grpc),
    ];
}
super::spelled!(ListenerProtocol);

impl ListenerProtocol {
    /// Istio's spelling: `HTTP`, `HTTPS`, `HTTP2`, `GRPC`.
    #[must_use]
    pub fn as_istio(self) -> &'static str {
        match self {
            Self::Http => "HTTP",
            Self::Https => "HTTPS",
            Self::Http2 => "HTTP2",
            Self::Grpc => "GRPC",
        }
    }

    /// Whether TLS is terminated at the gateway.
    #[must_use]
    pub fn is_tls(self) -> bool {
        self == Self::Https
    }
}

/// A port (and host) the gateway listens on.
#[derive(Clone, Debug, PartialEq, Eq, Builder)]
#[non_exhaustive]
pub struct Listener {
    /// The listener's name (Gateway API `sectionName`, Istio server port name).
    #[builder(into)]
    pub name: String,
    /// The host it answers for, e.g. `api.example.com` or `*.example.com`; unset means any.
    #[builder(into)]
    pub hostname: Option<String>,
    /// The port.
    pub port: u16,
    /// The protocol.
    pub protocol: ListenerProtocol,
    /// For HTTPS: the name of the TLS Secret (`kubernetes.io/tls`) the gateway terminates with.
    /// Only the name: its data is never emitted.
    #[builder(into)]
    pub tls_credential: Option<String>,
}

/// What a gateway route matches: a gRPC service (and method), or an HTTP path prefix.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum EdgeRequest {
    /// A gRPC service, e.g. `mycompany.orders.v1.OrderService`, and optionally one method.
    Grpc {
        /// The fully qualified service name.
        service: String,
        /// A method of it, e.g. `CreateOrder`; unset means every method.
        method: Option<String>,
    },
    /// An HTTP path prefix, e.g. `/v1/orders`.
    PathPrefix(String),
}

/// One condition of a gateway route: the request and, optionally, headers (all must hold).
///
/// Built with its constructors for the request alone, or with its builder:
///
/// ```
/// use connectum_mesh_core::{EdgeRequest, GatewayMatch, HeaderMatch};
///
/// let canary = GatewayMatch::builder()
///     .request(EdgeRequest::PathPrefix("/v1/orders".to_owned()))
///     .headers([HeaderMatch::exact("x-canary", "true")])
///     .build();
/// assert_eq!(canary, GatewayMatch::path_prefix("/v1/orders").header(HeaderMatch::exact("x-canary", "true")));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Builder)]
#[non_exhaustive]
pub struct GatewayMatch {
    /// The request the route takes.
    pub request: EdgeRequest,
    /// Header conditions, all required.
    #[builder(default, with = |items: impl IntoIterator<Item = HeaderMatch>| items.into_iter().collect())]
    pub headers: Vec<HeaderMatch>,
}

impl GatewayMatch {
    /// Every method of the gRPC service `service`.
    #[must_use]
    pub fn grpc_service(service: impl Into<String>) -> Self {
        Self {
            request: EdgeRequest::Grpc {
                service: service.into(),
                method: None,
            },
            headers: Vec::new(),
        }
    }

    /// One method of the gRPC service `service`.
    #[must_use]
    pub fn grpc_method(service: impl Into<String>, method: impl Into<String>) -> Self {
        Self {
            request: EdgeRequest::Grpc {
                service: service.into(),
                method: Some(method.into()),
            },
            headers: Vec::new(),
        }
    }

    /// Requests whose path starts with `prefix`.
    #[must_use]
    pub fn path_prefix(prefix: impl Into<String>) -> Self {
        Self {
            request: EdgeRequest::PathPrefix(prefix.into()),
            headers: Vec::new(),
        }
    }

    /// Adds a header condition.
    #[must_use]
    pub fn header(mut self, header: HeaderMatch) -> Self {
        self.headers.push(header);
        self
    }

    /// Whether it matches gRPC requests (rendered into a GRPCRoute).
    #[must_use]
    pub fn is_grpc(&self) -> bool {
        matches!(self.request, EdgeRequest::Grpc { .. })
    }
}

/// Where a gateway route sends requests: a service, one of its subsets, or a weighted split,
/// through the same handles and [`Split`] as the mesh's routes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GatewayTarget {
    /// The service as a whole (all its pods).
    Service(String),
    /// One subset of a service.
    Subset(SubsetRef),
    /// Subsets by weight.
    Split(Split),
}

impl GatewayTarget {
    /// The service `name` as a whole.
    #[must_use]
    pub fn service(name: impl Into<String>) -> Self {
        Self::Service(name.into())
    }

    /// The services it sends requests to, each once.
    #[must_use]
    pub fn services(&self) -> Vec<&str> {
        let mut names: Vec<&str> = match self {
            Self::Service(name) => vec![name.as_str()],
            Self::Subset(subset) => vec![subset.service()],
            Self::Split(split) => split.legs.iter().map(|l| l.subset.service()).collect(),
        };
        let mut seen = Vec::new();
        names.retain(|name| {
            let first = !seen.contains(name);
            seen.push(name);
            first
        });
        names
    }
}

impl From<&SubsetRef> for GatewayTarget {
    fn from(subset: &SubsetRef) -> Self {
        Self::Subset(subset.clone())
    }
}

impl From<SubsetRef> for GatewayTarget {
    fn from(subset: SubsetRef) -> Self {
        Self::Subset(subset)
    }
}

impl From<Split> for GatewayTarget {
    fn from(split: Split) -> Self {
        Self::Split(split)
    }
}

/// One route of a gateway: matches, a target, and the timeout and retries of the edge hop.
#[derive(Clone, Debug, PartialEq, Eq, Builder)]
#[non_exhaustive]
pub struct GatewayRoute {
    /// The route's name (also the name of its GRPCRoute/HTTPRoute: `<gateway>-<route>`).
    #[builder(into)]
    pub name: String,
    /// The listeners it is bound to, by name; empty means all of the gateway's.
    #[builder(default, with = |items: impl IntoIterator<Item = impl Into<String>>| super::strings(items))]
    pub listeners: Vec<String>,
    /// Conditions, any of which selects the route; empty matches every request.
    #[builder(default, with = |items: impl IntoIterator<Item = GatewayMatch>| items.into_iter().collect())]
    pub matches: Vec<GatewayMatch>,
    /// Where matched requests go.
    #[builder(into)]
    pub target: GatewayTarget,
    /// The target port; unset means the target service's port.
    pub port: Option<u16>,
    /// The timeout of the whole request at the edge; unset means none.
    pub timeout: Option<Duration>,
    /// The gateway's retries; unset means the runtime's default
    /// ([`GatewayRuntime::default_retry_attempts`]).
    pub retries: Option<MeshRetry>,
}

impl GatewayRoute {
    /// Whether it is a gRPC route (a GRPCRoute in Gateway API): no match, or gRPC matches.
    #[must_use]
    pub fn is_grpc(&self) -> bool {
        self.matches.iter().all(GatewayMatch::is_grpc)
    }

    /// Retries the gateway makes on this route, `default` when it sets none.
    #[must_use]
    pub fn effective_retry_attempts(&self, default: u32) -> u32 {
        self.retries.as_ref().map_or(default, |r| r.attempts)
    }

    /// The most requests the gateway sends for one request on this route: `1 + attempts`.
    #[must_use]
    pub fn worst_case_attempts(&self, default: u32) -> u64 {
        1 + u64::from(self.effective_retry_attempts(default))
    }
}
