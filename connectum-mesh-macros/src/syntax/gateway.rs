//! `gateway name { .. }`: where requests from outside enter the mesh, its listeners and its
//! routes, in the words of `Gateway::builder()`, `Listener::builder()` and
//! `GatewayRoute::builder()`.

use connectum_mesh_core::{EdgeRequest, Gateway, GatewayClass, GatewayMatch, Listener};

use super::Fields;
use super::mesh::node_name;
use super::record::{Choice, Kind, NamedRecord, Off, Record, Scalar, Words, table};
use super::route::RETRIES;
use super::tree::{Block, Name, SpanRange};
use super::value::{Given, Spanned, text};
use crate::errors::{Codes, Errors};

/// `gateway connectum-gateway { runtime: .., service_account: .., listener .. {} route .. {} }`.
pub struct GatewayNode {
    /// Its name.
    pub name: Spanned<String>,
    /// The keys of [`GATEWAY`] that were written.
    pub fields: Record,
    /// `listener name { .. }`, in order.
    pub listeners: Vec<ListenerNode>,
    /// `route name { .. }`, in order (the first that matches takes the request).
    pub routes: Vec<GatewayRouteNode>,
}

/// `listener grpc { port: 9090, protocol: HTTP }`: its name (Gateway API `sectionName`) and
/// the keys of [`LISTENER`].
pub type ListenerNode = NamedRecord;

/// `route orders { listeners: [..], match: .., target: .. | split: .., timeout: .., retries: .. }`.
pub struct GatewayRouteNode {
    /// The `route` keyword and name.
    pub span: SpanRange,
    /// Its name.
    pub name: Spanned<String>,
    /// The keys of [`GATEWAY_ROUTE`] that were written.
    pub fields: Record,
}

table! {
    /// The keys of `gateway name { .. }`: `Gateway::builder()`'s setters. Its listeners and
    /// routes are nodes, read by [`gateway`].
    pub GATEWAY for Gateway {
        runtime: Kind::Runtime;
        service_account: Kind::ServiceAccount;
    }
}

/// Istio's and Gateway API's listener protocols.
const PROTOCOLS: &Words = &Words::of::<connectum_mesh_core::ListenerProtocol>("ListenerProtocol");

/// The Gateway API implementations a class names.
const IMPLEMENTATIONS: &Words =
    &Words::of::<connectum_mesh_core::GatewayImplementation>("GatewayImplementation");

table! {
    /// The keys of `listener name { .. }`: `Listener::builder()`'s setters.
    pub LISTENER for Listener {
        hostname: Kind::Text;
        port: Kind::Number { min: 1, max: 65535 } => required();
        protocol: Kind::Word(PROTOCOLS) => required();
        tls_credential: Kind::Text;
    }
}

/// A gateway route's destination: one `target` or a `split`, the builder's one `target`.
const DESTINATION: &Choice = &Choice {
    both: "a gateway route has one `target` or a `split`, not both",
    none: Some((
        "this gateway route has no destination",
        "add `target: service` (or `service/subset`) or `split: { service/stable: 90, service/canary: 10 }`",
    )),
};

table! {
    /// The keys of `route name { .. }` in a gateway: `GatewayRoute::builder()`'s setters.
    pub GATEWAY_ROUTE for connectum_mesh_core::GatewayRoute {
        match as matches: Kind::Records(GATEWAY_MATCH);
        target: Kind::Target => choice(DESTINATION);
        split as target: Kind::Split { qualified: true } => choice(DESTINATION);
        listeners: Kind::Names;
        port: Kind::Number { min: 1, max: 65535 };
        timeout: Kind::Duration;
        retries: Kind::OrOff(RETRIES, Off::Zero("attempts"));
    }
}

table! {
    /// The keys of a gateway route's `match: { .. }`: `GatewayMatch::builder()`'s setters. Its
    /// `request` is written as the keys that say what it is: `grpc_service` (and
    /// `grpc_method`) or `path_prefix`.
    pub GATEWAY_MATCH: GatewayMatch = GatewayMatch::path_prefix(""), "gateway match",
        "`{ grpc_service: \"pkg.Service\" }` or `{ path_prefix: \"/v1\" }`" {
        request: Kind::Spread(edge_request) => required();
        headers: Kind::Headers;
    }
}

table! {
    /// The keys of `runtime: { .. }`, a Gateway API class: `GatewayClass::builder()`'s setters.
    pub GATEWAY_CLASS: GatewayClass = GatewayClass::istio(), "gateway class" {
        name: Kind::Text => required();
        implementation: Kind::Word(IMPLEMENTATIONS) => required();
        declare: Kind::Flag;
    }
}

/// Reads `gateway name { .. }`.
pub fn gateway(
    kind: &Name,
    name: Option<&Name>,
    body: &Block,
    errors: &mut Errors,
) -> Option<GatewayNode> {
    let name = node_name(kind, name, errors);
    let mut fields = Fields::new(body, "gateway");
    let keys = fields.record(GATEWAY, errors);
    let listeners = fields.named_records("listener", "listener", LISTENER, errors);
    let routes = fields
        .nodes("route")
        .into_iter()
        .filter_map(|(kind, name, body)| route(kind, name, body, errors))
        .collect();
    fields.finish(errors);
    Some(GatewayNode {
        name: name?,
        fields: keys,
        listeners,
        routes,
    })
}

/// Reads a gateway's `route name { .. }`.
fn route(
    kind: &Name,
    name: Option<&Name>,
    body: &Block,
    errors: &mut Errors,
) -> Option<GatewayRouteNode> {
    let route_name = node_name(kind, name, errors);
    let mut fields = Fields::new(body, "gateway route").node(kind.span);
    let keys = fields.record(GATEWAY_ROUTE, errors);
    fields.finish(errors);
    let span = name.map_or(kind.span, |n| kind.span.to(n.span));
    Some(GatewayRouteNode {
        span,
        name: route_name?,
        fields: keys,
    })
}

/// A gateway match's request, from `grpc_service` (and `grpc_method`) or `path_prefix`.
fn edge_request(fields: &mut Fields, errors: &mut Errors) -> Option<Scalar> {
    let mut read = |key: &'static str, errors: &mut Errors| {
        let value = fields.take(key, errors)?;
        match text(value, errors)? {
            Given::Literal(spanned) => Some((key, spanned)),
            Given::Expr(expr) => {
                errors.at(
                    expr.span,
                    Codes::WRONG_VALUE,
                    format!("`{key}` is written out: the checker and the renderer read it"),
                );
                None
            }
        }
    };
    let service = read("grpc_service", errors);
    let method = read("grpc_method", errors);
    let prefix = read("path_prefix", errors);
    let request = match (&service, &method, &prefix) {
        (Some((_, service)), method, None) => EdgeRequest::Grpc {
            service: service.value.clone(),
            method: method.as_ref().map(|(_, m)| m.value.clone()),
        },
        (None, None, Some((_, prefix))) => EdgeRequest::PathPrefix(prefix.value.clone()),
        (None, Some((_, method)), None) => {
            errors.at_with_help(
                method.span,
                Codes::MISSING_KEY,
                "a `grpc_method` needs the `grpc_service` it belongs to",
                "add `grpc_service: \"pkg.Service\"`",
            );
            return None;
        }
        (None, None, None) => {
            errors.at_with_help(
                fields.block_span(),
                Codes::MISSING_KEY,
                "this gateway match names no request",
                "add `grpc_service: \"pkg.Service\"` or `path_prefix: \"/v1\"`",
            );
            return None;
        }
        (_, _, Some((_, prefix))) => {
            errors.at_with_help(
                prefix.span,
                Codes::DUPLICATE_KEY,
                "a gateway match takes a gRPC service or an HTTP path prefix, not both",
                "write two matches: `match: [{ grpc_service: .. }, { path_prefix: .. }]` (in two routes: one route is one GRPCRoute or HTTPRoute)",
            );
            return None;
        }
    };
    let parts: Vec<(&'static str, SpanRange)> = [service, method, prefix]
        .into_iter()
        .flatten()
        .map(|(key, part)| (key, part.span))
        .collect();
    let span = parts.first().map_or(fields.block_span(), |(_, span)| *span);
    Some(Scalar::EdgeRequest(
        Spanned {
            value: request,
            span,
        },
        parts,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::shaped::RuntimeNode;
    use crate::syntax::test_support::read;
    use quote::quote;

    #[test]
    fn reads_the_guides_edge() {
        let (mesh, errors) = read(quote! {
            namespace: connectum,
            gateway connectum-gateway {
                runtime: envoy_gateway connectum-gateway,
                service_account: connectum/envoy-gateway,
                listener http { port: 80, protocol: HTTP }
                listener https { port: 443, protocol: HTTPS, tls_credential: gateway-tls-cert }
                route orders {
                    listeners: [grpc],
                    match: { grpc_service: "mycompany.orders.v1.OrderService" },
                    target: order-service,
                    timeout: 30s,
                    retries: { attempts: 1, per_try_timeout: 10s, retry_on: [unavailable] },
                }
            }
        });
        assert!(errors.is_empty(), "{errors:?}");
        let gateway = &mesh.gateways[0];
        assert!(
            matches!(gateway.fields.get("runtime"), Some(Scalar::Runtime(RuntimeNode::EnvoyGateway(n))) if n.value == "connectum-gateway")
        );
        assert_eq!(gateway.listeners.len(), 2);
        assert!(gateway.listeners[1].fields.get("tls_credential").is_some());
        let route = &gateway.routes[0];
        let Some(Scalar::Records(_, _, matches)) = route.fields.get("match") else {
            panic!("matches")
        };
        let Some(Scalar::Record(_, first)) = matches.first() else {
            panic!("a match")
        };
        assert!(
            matches!(first.get("request"), Some(Scalar::EdgeRequest(r, _)) if r.value == EdgeRequest::Grpc { service: "mycompany.orders.v1.OrderService".to_owned(), method: None })
        );
        assert!(
            matches!(route.fields.get("target"), Some(Scalar::Target(t)) if t.value == "order-service")
        );
        assert!(route.fields.get("timeout").is_some());
    }

    #[test]
    fn gateway_mistakes_are_reported_each_at_its_token() {
        let (_, errors) = read(quote! {
            namespace: connectum,
            gateway edge {
                runtime: envoy_gatway edge,
                listener grpc { port: 9090, protocol: GRCP }
                listener web { protocol: HTTP }
                route orders { match: { grpc_method: "Create" } }
                route docs { match: { path_prefix: "/docs", grpc_service: "x.Y" }, target: docs, split: { docs/a: 100 } }
            }
        });
        let codes: Vec<&str> = errors.iter().map(|e| &e[..6]).collect();
        assert_eq!(
            codes,
            [
                "CM0908", "CM0908", "CM0903", "CM0903", "CM0903", "CM0904", "CM0904"
            ],
            "{errors:?}"
        );
        assert!(
            errors[0].contains("did you mean `envoy_gateway`?"),
            "{errors:?}"
        );
        assert!(errors[1].contains("did you mean `GRPC`?"), "{errors:?}");
    }
}
