//! Read objects → the mesh's gateways: an Istio Gateway and the VirtualService bound to it, or
//! a Gateway API Gateway (with its GatewayClass when declared) and the GRPCRoutes and
//! HTTPRoutes bound to it, with Envoy Gateway's BackendTrafficPolicies for their timeouts and
//! retries. What does not fit the model (several
//! rules or backends in one route, a hostname on a route …) is left out here and listed by the
//! import's comparison of what it renders with what it read (CM0827).

use connectum_mesh_core::{
    ENVOY_GATEWAY_CONTROLLER, EdgeRequest, Gateway, GatewayClass, GatewayImplementation,
    GatewayMatch, GatewayRoute, GatewayRuntime, GatewayTarget, HeaderMatch,
    ISTIO_GATEWAY_CONTROLLER, Listener, ListenerProtocol, Mesh, MeshRetry, RetryOn, Split,
    StringMatch, SubsetRef,
};

use super::model::{Objects, mesh_retry};
use crate::api::envoy::BackendTrafficPolicy;
use crate::api::gateway::{self as gapi, BackendRef, ParentReference};
use crate::api::networking::{self, HttpRouteAction};
use crate::render::Object;

/// The Istio ingress gateways among `objects` (`networking.istio.io` Gateways), each with the
/// routes of the VirtualService bound to it.
pub(super) fn istio_gateways(mesh: &Mesh, objects: &Objects<'_>) -> Vec<Gateway> {
    objects
        .of::<networking::Gateway>()
        .into_iter()
        .map(|(read, gateway)| {
            let name = read.name.as_str();
            let listeners: Vec<Listener> = gateway.spec.servers.iter().filter_map(server).collect();
            let bound = objects.all.iter().find_map(|(_, o)| match o {
                Object::VirtualService(vs) if vs.spec.gateways.iter().any(|g| g == name) => {
                    Some(vs)
                }
                _ => None,
            });
            let routes: Vec<GatewayRoute> = bound
                .map(|vs| {
                    vs.spec
                        .http
                        .iter()
                        .enumerate()
                        .filter_map(|(index, route)| bound_route(mesh, &listeners, index, route))
                        .collect()
                })
                .unwrap_or_default();
            Gateway::builder()
                .name(name)
                .runtime(GatewayRuntime::IstioIngress {
                    selector: gateway.spec.selector.clone(),
                })
                .listeners(listeners)
                .routes(routes)
                .build()
        })
        .collect()
}

fn server(server: &networking::Server) -> Option<Listener> {
    let protocol = match server.port.protocol.as_str() {
        "HTTP" => ListenerProtocol::Http,
        "HTTPS" => ListenerProtocol::Https,
        "HTTP2" => ListenerProtocol::Http2,
        "GRPC" => ListenerProtocol::Grpc,
        _ => return None,
    };
    let mut listener = Listener::builder()
        .name(server.port.name.clone())
        .port(u16::try_from(server.port.number).ok()?)
        .protocol(protocol)
        .build();
    listener.hostname = server.hosts.first().filter(|h| *h != "*").cloned();
    listener.tls_credential = server.tls.as_ref().and_then(|t| t.credential_name.clone());
    Some(listener)
}

/// One route of a gateway's bound VirtualService. The renderer writes each condition once per
/// bound listener port: the conditions are read back once each, the ports as listeners.
fn bound_route(
    mesh: &Mesh,
    listeners: &[Listener],
    index: usize,
    route: &networking::HttpRoute,
) -> Option<GatewayRoute> {
    let Some(HttpRouteAction::Route(destinations)) = &route.action else {
        return None;
    };
    let mut matches: Vec<GatewayMatch> = Vec::new();
    let mut bound: Vec<String> = Vec::new();
    for condition in &route.matches {
        if let Some(port) = condition.port {
            for listener in listeners.iter().filter(|l| u32::from(l.port) == port) {
                if !bound.contains(&listener.name) {
                    bound.push(listener.name.clone());
                }
            }
        }
        let Some(request) = condition.uri.as_ref().and_then(edge_request) else {
            continue;
        };
        let headers = condition
            .headers
            .iter()
            .map(|(name, value)| header_match(name, super::model::string_match(value)))
            .collect();
        let found = gateway_match(request, headers);
        if !matches.contains(&found) {
            matches.push(found);
        }
    }
    let service = |host: &str| {
        host.strip_suffix(&format!(".{}.svc.cluster.local", mesh.namespace))
            .unwrap_or(host)
            .to_owned()
    };
    let first = destinations.first()?;
    let target = match destinations.as_slice() {
        [only] if only.weight.is_none() => match &only.destination.subset {
            None => GatewayTarget::service(service(&only.destination.host)),
            Some(subset) => GatewayTarget::Subset(SubsetRef::unchecked(
                service(&only.destination.host),
                subset.clone(),
            )),
        },
        legs => {
            let mut split = Split::new();
            for leg in legs {
                let subset = SubsetRef::unchecked(
                    service(&leg.destination.host),
                    leg.destination.subset.clone().unwrap_or_default(),
                );
                split = split.weight(&subset, u32::try_from(leg.weight.unwrap_or(0)).unwrap_or(0));
            }
            GatewayTarget::Split(split)
        }
    };
    let name = route
        .name
        .clone()
        .unwrap_or_else(|| format!("route-{index}"));
    let mut model = GatewayRoute::builder().name(name).target(target).build();
    let own_port = mesh
        .service(&service(&first.destination.host))
        .map(|s| s.port);
    model.port = first
        .destination
        .port
        .as_ref()
        .and_then(|p| u16::try_from(p.number).ok())
        .filter(|p| Some(*p) != own_port);
    model.matches = matches;
    model.listeners = bound;
    model.timeout = route.timeout;
    model.retries = route.retries.as_ref().map(mesh_retry);
    Some(model)
}

/// The gateway request a VirtualService URI match stands for (as the renderer writes them).
fn edge_request(uri: &crate::api::StringMatch) -> Option<EdgeRequest> {
    let grpc = |path: &str| {
        let (service, method) = path.strip_prefix('/')?.split_once('/')?;
        (service.contains('.') && !method.contains('/'))
            .then(|| (service.to_owned(), method.to_owned()))
    };
    Some(match super::model::string_match(uri) {
        StringMatch::Prefix(path) => match grpc(&path) {
            Some((service, method)) if method.is_empty() => EdgeRequest::Grpc {
                service,
                method: None,
            },
            _ => EdgeRequest::PathPrefix(path),
        },
        StringMatch::Exact(path) => {
            let (service, method) = grpc(&path).filter(|(_, m)| !m.is_empty())?;
            EdgeRequest::Grpc {
                service,
                method: Some(method),
            }
        }
        StringMatch::Regex(_) => return None,
    })
}

/// A gateway match from its request and headers, through the model's constructors.
fn gateway_match(request: EdgeRequest, headers: Vec<HeaderMatch>) -> GatewayMatch {
    let start = match request {
        EdgeRequest::Grpc {
            service,
            method: None,
        } => GatewayMatch::grpc_service(service),
        EdgeRequest::Grpc {
            service,
            method: Some(method),
        } => GatewayMatch::grpc_method(service, method),
        EdgeRequest::PathPrefix(prefix) => GatewayMatch::path_prefix(prefix),
    };
    headers.into_iter().fold(start, GatewayMatch::header)
}

/// A header condition through the model's constructors.
fn header_match(name: &str, value: StringMatch) -> HeaderMatch {
    match value {
        StringMatch::Exact(v) => HeaderMatch::exact(name, v),
        StringMatch::Prefix(v) => HeaderMatch::prefix(name, v),
        StringMatch::Regex(v) => HeaderMatch::regex(name, v),
    }
}

/// The Gateway API gateways among `objects`, in reading order.
pub(super) fn gateways(mesh: &Mesh, objects: &Objects<'_>) -> Vec<Gateway> {
    let classes: Vec<&gapi::GatewayClass> = objects
        .of::<gapi::GatewayClass>()
        .into_iter()
        .map(|(_, class)| class)
        .collect();
    let policies: Vec<&BackendTrafficPolicy> = objects
        .of::<BackendTrafficPolicy>()
        .into_iter()
        .map(|(_, policy)| policy)
        .collect();
    objects
        .of::<gapi::Gateway>()
        .into_iter()
        .map(|(read, gateway)| {
            let name = read.name.as_str();
            let routes = routes(mesh, name, objects, &policies);
            let class = class(
                &gateway.spec.gateway_class_name,
                &classes,
                !policies.is_empty(),
            );
            Gateway::builder()
                .name(name)
                .runtime(GatewayRuntime::GatewayApi(class))
                .listeners(gateway.spec.listeners.iter().filter_map(listener))
                .routes(routes)
                .build()
        })
        .collect()
}

/// The class a Gateway names: declared when the manifests carry its GatewayClass (whose
/// controller says the implementation); otherwise Istio's for `istio`, Envoy Gateway's when
/// BackendTrafficPolicies are around, another implementation else.
fn class(name: &str, declared: &[&gapi::GatewayClass], envoy_policies: bool) -> GatewayClass {
    let object = declared
        .iter()
        .find(|c| c.metadata.name.as_deref() == Some(name));
    let implementation = match object.map(|c| c.spec.controller_name.as_str()) {
        Some(ENVOY_GATEWAY_CONTROLLER) => GatewayImplementation::EnvoyGateway,
        Some(ISTIO_GATEWAY_CONTROLLER) => GatewayImplementation::Istio,
        Some(_) => GatewayImplementation::Other,
        None if name == "istio" => GatewayImplementation::Istio,
        None if envoy_policies => GatewayImplementation::EnvoyGateway,
        None => GatewayImplementation::Other,
    };
    let mut class = GatewayClass::builder()
        .name(name)
        .implementation(implementation)
        .build();
    class.declare = object.is_some();
    class
}

fn listener(listener: &gapi::Listener) -> Option<Listener> {
    let protocol = match listener.protocol.as_str() {
        "HTTPS" => ListenerProtocol::Https,
        "HTTP" => ListenerProtocol::Http,
        _ => return None, // TCP, TLS, UDP: not something a Connectum edge models
    };
    let mut model = Listener::builder()
        .name(listener.name.clone())
        .port(u16::try_from(listener.port).ok()?)
        .protocol(protocol)
        .build();
    model.hostname.clone_from(&listener.hostname);
    model.tls_credential = listener
        .tls
        .as_ref()
        .and_then(|tls| tls.certificate_refs.first())
        .map(|secret| secret.name.clone());
    Some(model)
}

/// The routes bound to the gateway `gateway`, GRPCRoutes and HTTPRoutes in reading order.
fn routes(
    mesh: &Mesh,
    gateway: &str,
    objects: &Objects<'_>,
    policies: &[&BackendTrafficPolicy],
) -> Vec<GatewayRoute> {
    let mut out = Vec::new();
    for (read, object) in &objects.all {
        let Some(ApiRoute {
            kind,
            parents,
            rule: Some(rule),
            ..
        }) = ApiRoute::of(object)
        else {
            continue;
        };
        let matches = rule
            .matches
            .iter()
            .filter_map(|m| {
                let request = match m.request {
                    ApiRequest::Grpc(method) => EdgeRequest::Grpc {
                        service: method.service.clone(),
                        method: method.method.clone(),
                    },
                    ApiRequest::Path(path) if path.match_type == "PathPrefix" => {
                        EdgeRequest::PathPrefix(path.value.clone())
                    }
                    ApiRequest::Path(_) | ApiRequest::Any => return None,
                };
                Some(gateway_match(request, headers(m.headers)))
            })
            .collect();
        let backends = rule.backends;
        let timeout = rule.timeouts.and_then(|t| t.request.as_ref()).map(|d| d.0);
        let per_try = rule
            .timeouts
            .and_then(|t| t.backend_request.as_ref())
            .map(|d| d.0);
        if !parents.iter().any(|p| p.name == gateway) {
            continue;
        }
        let Some(target) = target(mesh, backends) else {
            continue;
        };
        let name = read
            .name
            .strip_prefix(&format!("{gateway}-"))
            .unwrap_or(&read.name);
        let mut route = GatewayRoute::builder()
            .name(name)
            .target(GatewayTarget::service(target.0))
            .build();
        route.port = target.1;
        route.matches = matches;
        route.listeners = listeners(gateway, parents);
        route.timeout = timeout;
        let policy = policies.iter().find(|p| {
            p.spec
                .target_refs
                .iter()
                .any(|t| t.kind == kind && t.name == read.name)
        });
        if let Some(policy) = policy {
            if let Some(timeout) = policy
                .spec
                .timeout
                .as_ref()
                .and_then(|t| t.http.as_ref())
                .and_then(|h| h.request_timeout.as_ref())
            {
                route.timeout = Some(timeout.0);
            }
            route.retries = policy.spec.retry.as_ref().map(retries);
        } else if let Some(per_try) = per_try {
            // Another implementation's per-try timeout, on a route whose retries it decides.
            let mut retry = MeshRetry::builder().attempts(0).build();
            retry.per_try_timeout = Some(per_try);
            route.retries = Some(retry);
        }
        out.push(route);
    }
    out
}

/// A Gateway API route, GRPCRoute or HTTPRoute, as the import and the review read it: where it
/// is bound and its first rule (a route of several rules does not fit the model).
pub(crate) struct ApiRoute<'a> {
    /// `GRPCRoute` or `HTTPRoute`, as a BackendTrafficPolicy's target names it.
    pub kind: &'static str,
    /// `metadata.name`.
    pub name: &'a str,
    pub parents: &'a [ParentReference],
    pub rule: Option<ApiRule<'a>>,
}

/// The first rule of a Gateway API route.
pub(crate) struct ApiRule<'a> {
    pub matches: Vec<ApiMatch<'a>>,
    pub backends: &'a [BackendRef],
    /// An HTTPRoute's timeouts (a GRPCRoute has none: Envoy Gateway's policy carries them).
    pub timeouts: Option<&'a gapi::HttpRouteTimeouts>,
}

/// One match of a rule: what it asks of the request, and its header conditions.
pub(crate) struct ApiMatch<'a> {
    pub request: ApiRequest<'a>,
    pub headers: &'a [gapi::HeaderMatch],
}

/// What a match asks of the request besides its headers.
pub(crate) enum ApiRequest<'a> {
    /// A GRPCRoute's method match.
    Grpc(&'a gapi::GrpcMethodMatch),
    /// An HTTPRoute's path match.
    Path(&'a gapi::HttpPathMatch),
    /// Nothing: every request.
    Any,
}

impl<'a> ApiRule<'a> {
    /// A rule from its matches (each read by `request` into what it asks and its headers),
    /// backends and timeouts.
    fn new<M>(
        matches: &'a [M],
        request: impl Fn(&'a M) -> (ApiRequest<'a>, &'a Vec<gapi::HeaderMatch>),
        backends: &'a [BackendRef],
        timeouts: Option<&'a gapi::HttpRouteTimeouts>,
    ) -> Self {
        let matches = matches
            .iter()
            .map(|m| {
                let (request, headers) = request(m);
                ApiMatch { request, headers }
            })
            .collect();
        Self {
            matches,
            backends,
            timeouts,
        }
    }
}

impl<'a> ApiRoute<'a> {
    /// The route `object` is, when it is a GRPCRoute or an HTTPRoute.
    pub(crate) fn of(object: &'a Object) -> Option<Self> {
        let (kind, metadata, parents, rule) = match object {
            Object::GrpcRoute(route) => (
                "GRPCRoute",
                &route.metadata,
                &route.spec.parent_refs,
                route.spec.rules.first().map(|rule| {
                    let request = |m: &'a gapi::GrpcRouteMatch| {
                        (
                            m.method.as_ref().map_or(ApiRequest::Any, ApiRequest::Grpc),
                            &m.headers,
                        )
                    };
                    ApiRule::new(&rule.matches, request, &rule.backend_refs, None)
                }),
            ),
            Object::HttpRoute(route) => (
                "HTTPRoute",
                &route.metadata,
                &route.spec.parent_refs,
                route.spec.rules.first().map(|rule| {
                    let request = |m: &'a gapi::HttpRouteMatch| {
                        (
                            m.path.as_ref().map_or(ApiRequest::Any, ApiRequest::Path),
                            &m.headers,
                        )
                    };
                    let timeouts = rule.timeouts.as_ref();
                    ApiRule::new(&rule.matches, request, &rule.backend_refs, timeouts)
                }),
            ),
            _ => return None,
        };
        Some(Self {
            kind,
            name: metadata.name.as_deref().unwrap_or_default(),
            parents,
            rule,
        })
    }
}

/// The service a route's backend names and, when it is not the service's own port, the port.
fn target(mesh: &Mesh, backends: &[BackendRef]) -> Option<(String, Option<u16>)> {
    let backend = backends.first()?;
    let port = u16::try_from(backend.port).ok();
    let own = mesh.service(&backend.name).map(|s| s.port);
    Some((backend.name.clone(), port.filter(|p| Some(*p) != own)))
}

fn listeners(gateway: &str, parents: &[ParentReference]) -> Vec<String> {
    parents
        .iter()
        .filter(|p| p.name == gateway)
        .filter_map(|p| p.section_name.clone())
        .collect()
}

fn headers(headers: &[gapi::HeaderMatch]) -> Vec<HeaderMatch> {
    headers
        .iter()
        .filter_map(|h| match h.match_type.as_str() {
            "Exact" => Some(HeaderMatch::exact(&h.name, &h.value)),
            "RegularExpression" => Some(HeaderMatch::regex(&h.name, &h.value)),
            _ => None,
        })
        .collect()
}

/// Envoy Gateway's retry block as the model's retries.
pub(crate) fn retries(retry: &crate::api::envoy::Retry) -> MeshRetry {
    let mut model = MeshRetry::builder()
        .attempts(u32::try_from(retry.num_retries).unwrap_or(0))
        .build();
    model.per_try_timeout = retry
        .per_retry
        .as_ref()
        .and_then(|p| p.timeout.as_ref())
        .map(|d| d.0);
    model.retry_on = retry
        .retry_on
        .iter()
        .flat_map(|on| {
            let triggers = on
                .triggers
                .iter()
                .filter(|t| *t != "retriable-status-codes")
                .filter_map(|t| t.parse::<RetryOn>().ok());
            let statuses = on
                .http_status_codes
                .iter()
                .filter_map(|code| code.to_string().parse::<RetryOn>().ok());
            triggers.chain(statuses).collect::<Vec<_>>()
        })
        .collect();
    model
}

/// A Gateway API gateway without an identity of its own (Envoy Gateway's, another
/// implementation's) that routes to services admitting one ServiceAccount from outside the mesh
/// runs as that account: the manifests say so only through the principal those services admit.
/// The gateway then takes the account, and the stand-in external caller the allow rules made
/// for it goes.
pub(super) fn identities(mesh: &mut Mesh) {
    for index in 0..mesh.gateways.len() {
        let gateway = &mesh.gateways[index];
        if !mesh.mode.is_istio() {
            continue;
        }
        let targets: Vec<String> = gateway
            .target_services()
            .into_iter()
            .map(str::to_owned)
            .collect();
        // A gateway in the mesh by default (Istio's): the services it routes to admit its
        // principal, so the allow rules made a stand-in caller for it.
        if let Some(account) = gateway.principal_account(&mesh.namespace) {
            mesh.external_callers.retain(|caller| {
                caller.service_account != account
                    || !caller.calls.iter().all(|c| targets.contains(c))
            });
            continue;
        }
        if targets.is_empty() {
            continue;
        }
        let admitting: Vec<usize> = mesh
            .external_callers
            .iter()
            .enumerate()
            .filter(|(_, caller)| targets.iter().all(|t| caller.calls.contains(t)))
            .map(|(i, _)| i)
            .collect();
        let [caller] = admitting[..] else {
            continue;
        };
        let account = mesh.external_callers[caller].service_account.clone();
        mesh.gateways[index].service_account = Some(account);
        if mesh.external_callers[caller]
            .calls
            .iter()
            .all(|c| targets.contains(c))
        {
            mesh.external_callers.remove(caller);
        }
    }
}
