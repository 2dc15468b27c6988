//! A gateway: `Gateway::builder()` with where it runs, its listeners and its routes, whose
//! subset targets are the handles of the services declared before it.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::value::{Handles, header_matches, krate, record, scalar, setters};
use crate::syntax::gateway::{EdgeRequestNode, GatewayNode, GatewayRouteNode, RuntimeNode};
use crate::syntax::record::Scalar;

fn runtime(node: &RuntimeNode) -> TokenStream {
    let k = krate();
    match node {
        RuntimeNode::IstioIngress(_) => quote!(#k::GatewayRuntime::istio_ingress()),
        RuntimeNode::IstioClass(_) => quote!(#k::GatewayRuntime::from(#k::GatewayClass::istio())),
        RuntimeNode::EnvoyGateway(name) => {
            let name = &name.value;
            quote!(#k::GatewayRuntime::from(#k::GatewayClass::envoy_gateway(#name)))
        }
        RuntimeNode::Class(class) => {
            let class = scalar(class, Handles::None);
            quote!(#k::GatewayRuntime::from(#class))
        }
    }
}

fn route(node: &GatewayRouteNode, mesh: &Ident) -> TokenStream {
    let k = krate();
    let name = &node.name.value;
    let mut setters = vec![quote!(.name(#name))];
    if !node.matches.is_empty() {
        let matches = node.matches.iter().map(|m| {
            let request = match &m.request {
                EdgeRequestNode::Grpc {
                    service,
                    method: None,
                } => {
                    let service = &service.value;
                    quote!(#k::GatewayMatch::grpc_service(#service))
                }
                EdgeRequestNode::Grpc {
                    service,
                    method: Some(method),
                } => {
                    let (service, method) = (&service.value, &method.value);
                    quote!(#k::GatewayMatch::grpc_method(#service, #method))
                }
                EdgeRequestNode::PathPrefix(prefix) => {
                    let prefix = &prefix.value;
                    quote!(#k::GatewayMatch::path_prefix(#prefix))
                }
            };
            let headers = match &m.headers {
                Some(Scalar::Headers(_, headers)) => header_matches(headers),
                _ => Vec::new(),
            };
            quote!(#request #(.header(#headers))*)
        });
        setters.push(quote!(.matches(::std::vec![#(#matches),*])));
    }
    setters.extend(self::setters(&node.fields, Handles::Mesh(mesh)));
    quote!(#k::GatewayRoute::builder() #(#setters)* .build())
}

/// `Gateway::builder()...routes([..]).build()`, with `mesh` the mesh its services are already
/// in.
pub(super) fn gateway(node: &GatewayNode, mesh: &Ident) -> TokenStream {
    let k = krate();
    let name = &node.name.value;
    let mut setters = Vec::new();
    if let Some(node) = &node.runtime {
        let runtime = runtime(node);
        setters.push(quote!(.runtime(#runtime)));
    }
    if let Some(account) = &node.service_account {
        let account = super::security::service_account(&account.value);
        setters.push(quote!(.service_account(#account)));
    }
    if !node.listeners.is_empty() {
        let listeners = node.listeners.iter().map(|listener| {
            let name = &listener.name.value;
            record(
                "Listener",
                &listener.fields,
                quote!(.name(#name)),
                Handles::None,
            )
        });
        setters.push(quote!(.listeners(::std::vec![#(#listeners),*])));
    }
    if !node.routes.is_empty() {
        let routes = node.routes.iter().map(|r| route(r, mesh));
        setters.push(quote!(.routes([#(#routes),*])));
    }
    quote!(#k::Gateway::builder().name(#name) #(#setters)* .build())
}
