//! The edge: each gateway as an Istio Gateway with a VirtualService bound to it, or as a Gateway
//! API Gateway with GRPCRoutes and HTTPRoutes (and, for Envoy Gateway, a BackendTrafficPolicy
//! per route that has a timeout or retries).

use std::collections::BTreeMap;

use connectum_mesh_core as model;
use connectum_mesh_core::{
    EdgeRequest, Gateway, GatewayImplementation, GatewayRoute, GatewayRuntime, GatewayTarget, Mesh,
};

use super::Object;
use super::clamp_i32;
use super::istio::{http_retry, string_match};
use super::meta::object_meta;
use crate::api::envoy::{
    BackendTrafficPolicy, BackendTrafficPolicySpec, HttpTimeout, LocalPolicyTargetReference,
    PerRetryPolicy, Retry, RetryOn, Timeout,
};
use crate::api::gateway::{
    self as gapi, AllowedRoutes, BackendRef, GRPCRoute, GatewayDuration, GrpcMethodMatch,
    GrpcRouteMatch, GrpcRouteRule, GrpcRouteSpec, HTTPRoute, HttpPathMatch, HttpRouteMatch,
    HttpRouteRule, HttpRouteSpec, HttpRouteTimeouts, ListenerTls, ParentReference, RouteNamespaces,
    SecretObjectReference,
};
use crate::api::networking::{
    self, Destination, HttpMatchRequest, HttpRoute, HttpRouteAction, HttpRouteDestination,
    PortSelector, Server, ServerPort, ServerTlsMode, ServerTlsSettings, VirtualService,
    VirtualServiceSpec,
};

/// The group of the Gateway API kinds, which policies name in their targets.
const GATEWAY_API_GROUP: &str = "gateway.networking.k8s.io";

/// The labels every edge object carries: `app.kubernetes.io/name: <gateway>`.
fn gateway_labels(mesh: &Mesh, gateway: &Gateway) -> BTreeMap<String, String> {
    BTreeMap::from([(mesh.app_label.clone(), gateway.name.clone())])
}

/// Every edge object of a checked mesh: declared GatewayClasses, then each gateway with its
/// routes and policies.
pub(crate) fn objects(mesh: &Mesh) -> Vec<Object> {
    let mut objects = Vec::new();
    let mut declared: Vec<&str> = Vec::new();
    for gateway in &mesh.gateways {
        if let GatewayRuntime::GatewayApi(class) = &gateway.runtime
            && class.declare
            && !declared.contains(&class.name.as_str())
            && let Some(controller) = class.implementation.controller()
        {
            declared.push(&class.name);
            let mut metadata = object_meta(mesh, &class.name, BTreeMap::new());
            metadata.namespace = None; // GatewayClass is cluster-scoped.
            objects.push(Object::GatewayClass(gapi::GatewayClass {
                metadata,
                spec: gapi::GatewayClassSpec {
                    controller_name: controller.to_owned(),
                },
            }));
        }
    }
    for gateway in &mesh.gateways {
        match &gateway.runtime {
            GatewayRuntime::IstioIngress { selector } => {
                objects.push(Object::IstioGateway(istio_gateway(mesh, gateway, selector)));
                if !gateway.routes.is_empty() {
                    objects.push(Object::VirtualService(bound_virtual_service(mesh, gateway)));
                }
            }
            GatewayRuntime::GatewayApi(class) => {
                objects.push(Object::Gateway(api_gateway(mesh, gateway, &class.name)));
                for route in &gateway.routes {
                    let name = format!("{}-{}", gateway.name, route.name);
                    let metadata = object_meta(mesh, &name, gateway_labels(mesh, gateway));
                    let kind = if route.is_grpc() {
                        objects.push(Object::GrpcRoute(GRPCRoute {
                            metadata,
                            spec: grpc_route(mesh, gateway, route),
                        }));
                        "GRPCRoute"
                    } else {
                        objects.push(Object::HttpRoute(HTTPRoute {
                            metadata,
                            spec: http_route(mesh, gateway, route),
                        }));
                        "HTTPRoute"
                    };
                    if class.implementation == GatewayImplementation::EnvoyGateway
                        && let Some(policy) = traffic_policy(mesh, gateway, route, &name, kind)
                    {
                        objects.push(Object::BackendTrafficPolicy(policy));
                    }
                }
            }
        }
    }
    objects
}

/// The hosts a listener answers for (`*` when it names none).
fn listener_host(listener: &model::Listener) -> String {
    listener.hostname.clone().unwrap_or_else(|| "*".to_owned())
}

fn istio_gateway(
    mesh: &Mesh,
    gateway: &Gateway,
    selector: &BTreeMap<String, String>,
) -> networking::Gateway {
    let servers = gateway
        .listeners
        .iter()
        .map(|listener| Server {
            port: ServerPort {
                number: u32::from(listener.port),
                protocol: listener.protocol.as_istio().to_owned(),
                name: listener.name.clone(),
            },
            hosts: vec![listener_host(listener)],
            tls: listener.protocol.is_tls().then(|| ServerTlsSettings {
                mode: Some(ServerTlsMode::Simple),
                credential_name: listener.tls_credential.clone(),
            }),
            name: None,
        })
        .collect();
    networking::Gateway {
        metadata: object_meta(mesh, &gateway.name, gateway_labels(mesh, gateway)),
        spec: networking::GatewaySpec {
            selector: selector.clone(),
            servers,
        },
    }
}

/// The request path Istio matches for a gateway match.
fn uri_match(request: &EdgeRequest) -> model::StringMatch {
    match request {
        EdgeRequest::Grpc {
            service,
            method: None,
        } => model::StringMatch::Prefix(format!("/{service}/")),
        EdgeRequest::Grpc {
            service,
            method: Some(method),
        } => model::StringMatch::Exact(format!("/{service}/{method}")),
        EdgeRequest::PathPrefix(prefix) => model::StringMatch::Prefix(prefix.clone()),
    }
}

/// The listeners a route is bound to.
fn bound_listeners<'a>(gateway: &'a Gateway, route: &GatewayRoute) -> Vec<&'a model::Listener> {
    gateway
        .listeners
        .iter()
        .filter(|l| route.listeners.is_empty() || route.listeners.contains(&l.name))
        .collect()
}

/// The service port a route targets: its own, or the service's.
fn target_port(mesh: &Mesh, route: &GatewayRoute, service: &str) -> u16 {
    route.port.unwrap_or_else(|| {
        mesh.service(service)
            .map_or(model::CONNECTUM_PORT, |s| s.port)
    })
}

/// One VirtualService bound to the gateway, with every route in order (Istio takes the first
/// match), apart from the services' own mesh VirtualServices.
fn bound_virtual_service(mesh: &Mesh, gateway: &Gateway) -> VirtualService {
    let mut hosts: Vec<String> = Vec::new();
    for host in gateway.listeners.iter().map(listener_host) {
        if !hosts.contains(&host) {
            hosts.push(host);
        }
    }
    let http = gateway
        .routes
        .iter()
        .map(|route| {
            // Bound to some listeners: each match also matches one of their ports.
            let ports: Vec<Option<u32>> = if route.listeners.is_empty() {
                vec![None]
            } else {
                bound_listeners(gateway, route)
                    .iter()
                    .map(|l| Some(u32::from(l.port)))
                    .collect()
            };
            let conditions: Vec<(Option<model::StringMatch>, &[model::HeaderMatch])> =
                if route.matches.is_empty() {
                    vec![(None, &[])]
                } else {
                    route
                        .matches
                        .iter()
                        .map(|m| (Some(uri_match(&m.request)), m.headers.as_slice()))
                        .collect()
                };
            let matches = conditions
                .iter()
                .flat_map(|(uri, headers)| {
                    ports.iter().map(move |port| HttpMatchRequest {
                        uri: uri.as_ref().map(string_match),
                        headers: headers
                            .iter()
                            .map(|h| (h.name.clone(), string_match(&h.value)))
                            .collect(),
                        port: *port,
                        ..HttpMatchRequest::default()
                    })
                })
                .filter(|m| *m != HttpMatchRequest::default())
                .collect();
            let destination = |service: &str, subset: Option<&str>| Destination {
                host: mesh.host(service),
                subset: subset.map(str::to_owned),
                port: Some(PortSelector {
                    number: u32::from(target_port(mesh, route, service)),
                }),
            };
            let destinations = match &route.target {
                GatewayTarget::Service(service) => vec![HttpRouteDestination {
                    destination: destination(service, None),
                    weight: None,
                }],
                GatewayTarget::Subset(subset) => vec![HttpRouteDestination {
                    destination: destination(subset.service(), Some(subset.name())),
                    weight: None,
                }],
                GatewayTarget::Split(split) => split
                    .legs
                    .iter()
                    .map(|leg| HttpRouteDestination {
                        destination: destination(leg.subset.service(), Some(leg.subset.name())),
                        weight: Some(clamp_i32(leg.weight)),
                    })
                    .collect(),
            };
            HttpRoute {
                name: Some(route.name.clone()),
                matches,
                action: Some(HttpRouteAction::Route(destinations)),
                timeout: route.timeout,
                retries: route.retries.as_ref().map(http_retry),
            }
        })
        .collect();
    VirtualService {
        metadata: object_meta(mesh, &gateway.name, gateway_labels(mesh, gateway)),
        spec: VirtualServiceSpec {
            hosts,
            gateways: vec![gateway.name.clone()],
            http,
            ..VirtualServiceSpec::default()
        },
    }
}

fn api_gateway(mesh: &Mesh, gateway: &Gateway, class: &str) -> gapi::Gateway {
    let listeners = gateway
        .listeners
        .iter()
        .map(|listener| gapi::Listener {
            name: listener.name.clone(),
            hostname: listener.hostname.clone(),
            port: i32::from(listener.port),
            // Gateway API has HTTP and HTTPS; gRPC and HTTP/2 run on HTTP (h2c).
            protocol: if listener.protocol.is_tls() {
                "HTTPS"
            } else {
                "HTTP"
            }
            .to_owned(),
            tls: listener.protocol.is_tls().then(|| ListenerTls {
                mode: "Terminate".to_owned(),
                certificate_refs: listener
                    .tls_credential
                    .iter()
                    .map(|name| SecretObjectReference { name: name.clone() })
                    .collect(),
            }),
            allowed_routes: Some(AllowedRoutes {
                namespaces: RouteNamespaces {
                    from: "Same".to_owned(),
                },
            }),
        })
        .collect();
    gapi::Gateway {
        metadata: object_meta(mesh, &gateway.name, gateway_labels(mesh, gateway)),
        spec: gapi::GatewaySpec {
            gateway_class_name: class.to_owned(),
            listeners,
        },
    }
}

fn parent_refs(gateway: &Gateway, route: &GatewayRoute) -> Vec<ParentReference> {
    if route.listeners.is_empty() {
        return vec![ParentReference {
            name: gateway.name.clone(),
            section_name: None,
        }];
    }
    bound_listeners(gateway, route)
        .iter()
        .map(|listener| ParentReference {
            name: gateway.name.clone(),
            section_name: Some(listener.name.clone()),
        })
        .collect()
}

/// Backends by Service name and port (the checker refused subsets for Gateway API).
fn backend_refs(mesh: &Mesh, route: &GatewayRoute) -> Vec<BackendRef> {
    route
        .target
        .services()
        .into_iter()
        .map(|service| BackendRef {
            name: service.to_owned(),
            port: i32::from(target_port(mesh, route, service)),
            weight: None,
        })
        .collect()
}

fn header_matches(headers: &[model::HeaderMatch]) -> Vec<gapi::HeaderMatch> {
    headers
        .iter()
        .filter_map(|header| {
            let (kind, value) = match &header.value {
                model::StringMatch::Exact(value) => ("Exact", value),
                model::StringMatch::Regex(value) => ("RegularExpression", value),
                model::StringMatch::Prefix(_) => return None, // Refused by the checker (CM0226).
            };
            Some(gapi::HeaderMatch {
                match_type: kind.to_owned(),
                name: header.name.clone(),
                value: value.clone(),
            })
        })
        .collect()
}

fn grpc_route(mesh: &Mesh, gateway: &Gateway, route: &GatewayRoute) -> GrpcRouteSpec {
    let matches = route
        .matches
        .iter()
        .map(|m| GrpcRouteMatch {
            method: match &m.request {
                EdgeRequest::Grpc { service, method } => Some(GrpcMethodMatch {
                    match_type: "Exact".to_owned(),
                    service: service.clone(),
                    method: method.clone(),
                }),
                EdgeRequest::PathPrefix(_) => None, // Refused by the checker (CM0225).
            },
            headers: header_matches(&m.headers),
        })
        .collect();
    GrpcRouteSpec {
        parent_refs: parent_refs(gateway, route),
        hostnames: Vec::new(),
        rules: vec![GrpcRouteRule {
            matches,
            backend_refs: backend_refs(mesh, route),
        }],
    }
}

fn http_route(mesh: &Mesh, gateway: &Gateway, route: &GatewayRoute) -> HttpRouteSpec {
    let matches = route
        .matches
        .iter()
        .map(|m| HttpRouteMatch {
            path: match &m.request {
                EdgeRequest::PathPrefix(prefix) => Some(HttpPathMatch {
                    match_type: "PathPrefix".to_owned(),
                    value: prefix.clone(),
                }),
                EdgeRequest::Grpc { .. } => None,
            },
            headers: header_matches(&m.headers),
        })
        .collect();
    // Envoy Gateway takes per-try timeouts from its policy; the others from backendRequest.
    let envoy = matches!(&gateway.runtime, GatewayRuntime::GatewayApi(class)
        if class.implementation == GatewayImplementation::EnvoyGateway);
    let backend_request = route
        .retries
        .as_ref()
        .and_then(|r| r.per_try_timeout)
        .filter(|_| !envoy)
        .map(GatewayDuration);
    let request = route.timeout.map(GatewayDuration);
    let timeouts = (request.is_some() || backend_request.is_some()).then_some(HttpRouteTimeouts {
        request,
        backend_request,
    });
    HttpRouteSpec {
        parent_refs: parent_refs(gateway, route),
        hostnames: Vec::new(),
        rules: vec![HttpRouteRule {
            matches,
            backend_refs: backend_refs(mesh, route),
            timeouts,
        }],
    }
}

/// Envoy Gateway's retry triggers and status codes for a `retryOn` list.
fn retry_on(conditions: &[model::RetryOn]) -> Option<RetryOn> {
    if conditions.is_empty() {
        return None;
    }
    let mut triggers = Vec::new();
    let mut http_status_codes = Vec::new();
    for condition in conditions {
        match condition {
            model::RetryOn::Status(code) => http_status_codes.push(i32::from(*code)),
            other => triggers.push(other.to_string()),
        }
    }
    if !http_status_codes.is_empty() {
        triggers.push("retriable-status-codes".to_owned());
    }
    Some(RetryOn {
        triggers,
        http_status_codes,
    })
}

/// The route's timeout and retries, which Gateway API's standard channel cannot carry on a
/// GRPCRoute (nor retries on an HTTPRoute), for Envoy Gateway.
fn traffic_policy(
    mesh: &Mesh,
    gateway: &Gateway,
    route: &GatewayRoute,
    name: &str,
    kind: &str,
) -> Option<BackendTrafficPolicy> {
    let retry = route.retries.as_ref().map(|retries| Retry {
        num_retries: clamp_i32(retries.attempts),
        per_retry: retries.per_try_timeout.map(|timeout| PerRetryPolicy {
            timeout: Some(GatewayDuration(timeout)),
        }),
        retry_on: retry_on(&retries.retry_on),
    });
    // An HTTPRoute carries its own request timeout.
    let timeout = route
        .timeout
        .filter(|_| kind == "GRPCRoute")
        .map(|timeout| Timeout {
            http: Some(HttpTimeout {
                request_timeout: Some(GatewayDuration(timeout)),
            }),
        });
    if retry.is_none() && timeout.is_none() {
        return None;
    }
    Some(BackendTrafficPolicy {
        metadata: object_meta(mesh, name, gateway_labels(mesh, gateway)),
        spec: BackendTrafficPolicySpec {
            target_refs: vec![LocalPolicyTargetReference {
                group: GATEWAY_API_GROUP.to_owned(),
                kind: kind.to_owned(),
                name: name.to_owned(),
            }],
            retry,
            timeout,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_conditions_become_envoy_gateway_triggers() {
        let on = retry_on(&[
            model::RetryOn::Unavailable,
            model::RetryOn::Status(503),
            model::RetryOn::ResetBeforeRequest,
        ])
        .unwrap_or_default();
        assert_eq!(
            on.triggers,
            [
                "unavailable",
                "reset-before-request",
                "retriable-status-codes"
            ]
        );
        assert_eq!(on.http_status_codes, [503]);
        assert!(retry_on(&[]).is_none());
    }
}
