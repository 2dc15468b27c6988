//! `gateway name { .. }`: where requests from outside enter the mesh, its listeners and its
//! routes, in the words of `Gateway::builder()`, `Listener::builder()` and
//! `GatewayRoute::builder()`.

use connectum_mesh_core::diag::did_you_mean;
use connectum_mesh_core::{GatewayClass, Listener};

use super::Fields;
use super::mesh::node_name;
use super::record::{Choice, Kind, NamedRecord, Off, Record, Scalar, Words, table};
use super::route::RETRIES;
use super::security::account;
use super::tree::{Block, Name, SpanRange, Value};
use super::value::{Spanned, block_of, name, text, wrong};
use crate::errors::{Codes, Errors};

/// `gateway connectum-gateway { runtime: .., service_account: .., listener .. {} route .. {} }`.
pub struct GatewayNode {
    /// Its name.
    pub name: Spanned<String>,
    /// `runtime: ..`, when written (default: Istio's ingress gateway).
    pub runtime: Option<RuntimeNode>,
    /// `service_account: namespace/name`.
    pub service_account: Option<Spanned<String>>,
    /// `listener name { .. }`, in order.
    pub listeners: Vec<ListenerNode>,
    /// `route name { .. }`, in order (the first that matches takes the request).
    pub routes: Vec<GatewayRouteNode>,
}

/// Where the gateway runs: `GatewayRuntime` and its constructors.
pub enum RuntimeNode {
    /// `runtime: istio_ingress`: `GatewayRuntime::istio_ingress()`.
    IstioIngress(SpanRange),
    /// `runtime: istio`: `GatewayClass::istio()`.
    IstioClass(SpanRange),
    /// `runtime: envoy_gateway connectum-gateway`: `GatewayClass::envoy_gateway(name)`.
    EnvoyGateway(Spanned<String>),
    /// `runtime: { name: .., implementation: .., declare: .. }`: `GatewayClass::builder()`.
    Class(Scalar),
}

impl RuntimeNode {
    /// Where it is written.
    pub fn span(&self) -> SpanRange {
        match self {
            Self::IstioIngress(span) | Self::IstioClass(span) => *span,
            Self::EnvoyGateway(name) => name.span,
            Self::Class(class) => class.span(),
        }
    }
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
    /// `match: { .. }` or a list of them: any selects the route.
    pub matches: Vec<EdgeMatchNode>,
    /// The keys of [`GATEWAY_ROUTE`] that were written.
    pub fields: Record,
}

/// One condition of a gateway route: a gRPC service (and method) or an HTTP path prefix, and
/// headers.
pub struct EdgeMatchNode {
    /// The block.
    pub span: SpanRange,
    /// What it matches.
    pub request: EdgeRequestNode,
    /// `headers: { x-canary: "true" }`, a [`Kind::Headers`] value.
    pub headers: Option<Scalar>,
}

/// The request a gateway match takes: `GatewayMatch::grpc_service`, `grpc_method` or
/// `path_prefix`.
pub enum EdgeRequestNode {
    /// `grpc_service: "pkg.Service"` and optionally `grpc_method: "Method"`.
    Grpc {
        /// The fully qualified service.
        service: Spanned<String>,
        /// One method of it.
        method: Option<Spanned<String>>,
    },
    /// `path_prefix: "/v1/orders"`.
    PathPrefix(Spanned<String>),
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
    /// The keys of `route name { .. }` in a gateway that map onto one `GatewayRoute::builder()`
    /// setter each; `match` is read by [`gateway`].
    pub GATEWAY_ROUTE for connectum_mesh_core::GatewayRoute {
        target: Kind::Target => choice(DESTINATION);
        split as target: Kind::Split { qualified: true } => choice(DESTINATION);
        listeners: Kind::Names;
        port: Kind::Number { min: 1, max: 65535 };
        timeout: Kind::Duration;
        retries: Kind::OrOff(RETRIES, Off::Zero("attempts"));
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
    let runtime = fields
        .take("runtime", errors)
        .and_then(|v| runtime(v, errors));
    let service_account = fields
        .take("service_account", errors)
        .and_then(|v| account(v, errors));
    let listeners = fields.named_records("listener", "listener", LISTENER, errors);
    let routes = fields
        .nodes("route")
        .into_iter()
        .filter_map(|(kind, name, body)| route(kind, name, body, errors))
        .collect();
    fields.finish(errors);
    Some(GatewayNode {
        name: name?,
        runtime,
        service_account,
        listeners,
        routes,
    })
}

const RUNTIMES: [&str; 3] = ["istio_ingress", "istio", "envoy_gateway"];

/// `istio_ingress`, `istio`, `envoy_gateway name`, or a class block.
fn runtime(value: &Value, errors: &mut Errors) -> Option<RuntimeNode> {
    let expected = "`istio_ingress`, `istio`, `envoy_gateway class-name` or `{ name: .., implementation: .. }`";
    match value {
        Value::Name(word) if word.text == "istio_ingress" => {
            Some(RuntimeNode::IstioIngress(word.span))
        }
        Value::Name(word) if word.text == "istio" => Some(RuntimeNode::IstioClass(word.span)),
        Value::Tagged { tag, value } if tag.text == "envoy_gateway" => {
            name(value, errors).map(RuntimeNode::EnvoyGateway)
        }
        Value::Block(_) => {
            Scalar::read(value, Kind::Record(GATEWAY_CLASS), errors).map(RuntimeNode::Class)
        }
        Value::Name(Name {
            text: word, span, ..
        })
        | Value::Tagged {
            tag: Name {
                text: word, span, ..
            },
            ..
        } => {
            let help = did_you_mean(word, RUNTIMES, format!("write {expected}"));
            errors.at_with_help(
                *span,
                Codes::UNKNOWN_WORD,
                format!("`{word}` is not a gateway runtime"),
                help,
            );
            None
        }
        other => {
            wrong(errors, other, expected);
            None
        }
    }
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
    let matches = match fields.take("match", errors) {
        Some(Value::List { items, .. }) => {
            items.iter().filter_map(|i| edge_match(i, errors)).collect()
        }
        Some(one) => edge_match(one, errors).into_iter().collect(),
        None => Vec::new(),
    };
    let keys = fields.record(GATEWAY_ROUTE, errors);
    fields.finish(errors);
    let span = name.map_or(kind.span, |n| kind.span.to(n.span));
    Some(GatewayRouteNode {
        span,
        name: route_name?,
        matches,
        fields: keys,
    })
}

/// `{ grpc_service: "pkg.Service", grpc_method: "Method", headers: { .. } }` or
/// `{ path_prefix: "/v1", headers: { .. } }`.
fn edge_match(value: &Value, errors: &mut Errors) -> Option<EdgeMatchNode> {
    let block = block_of(
        value,
        "`{ grpc_service: \"pkg.Service\" }` or `{ path_prefix: \"/v1\" }`",
        errors,
    )?;
    let mut fields = Fields::new(block, "gateway match");
    let mut read = |key: &'static str, errors: &mut Errors| {
        let value = fields.take(key, errors)?;
        let given = text(value, errors)?;
        match given {
            super::value::Given::Literal(spanned) => Some(spanned),
            super::value::Given::Expr(expr) => {
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
    let headers = fields
        .take("headers", errors)
        .and_then(|v| Scalar::read(v, Kind::Headers, errors));
    fields.finish(errors);
    let request = match (service, method, prefix) {
        (Some(service), method, None) => EdgeRequestNode::Grpc { service, method },
        (None, None, Some(prefix)) => EdgeRequestNode::PathPrefix(prefix),
        (None, Some(method), None) => {
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
                block.span,
                Codes::MISSING_KEY,
                "this gateway match names no request",
                "add `grpc_service: \"pkg.Service\"` or `path_prefix: \"/v1\"`",
            );
            return None;
        }
        (_, _, Some(prefix)) => {
            errors.at_with_help(
                prefix.span,
                Codes::DUPLICATE_KEY,
                "a gateway match takes a gRPC service or an HTTP path prefix, not both",
                "write two matches: `match: [{ grpc_service: .. }, { path_prefix: .. }]` (in two routes: one route is one GRPCRoute or HTTPRoute)",
            );
            return None;
        }
    };
    Some(EdgeMatchNode {
        span: block.span,
        request,
        headers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
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
            matches!(&gateway.runtime, Some(RuntimeNode::EnvoyGateway(n)) if n.value == "connectum-gateway")
        );
        assert_eq!(gateway.listeners.len(), 2);
        assert!(gateway.listeners[1].fields.get("tls_credential").is_some());
        let route = &gateway.routes[0];
        assert!(
            matches!(&route.matches[0].request, EdgeRequestNode::Grpc { service, method: None } if service.value == "mycompany.orders.v1.OrderService")
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
