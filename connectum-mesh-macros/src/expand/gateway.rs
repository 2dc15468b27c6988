//! A gateway: `Gateway::builder()` with where it runs, its listeners and its routes, whose
//! subset targets are the handles of the services declared before it.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::route::{header_matches, retries_of};
use super::value::{count, krate, record, scalar, setters, string};
use crate::syntax::gateway::{EdgeRequestNode, GatewayNode, GatewayRouteNode, RuntimeNode};
use crate::syntax::route::TargetNode;

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
            let class = scalar(class);
            quote!(#k::GatewayRuntime::from(#class))
        }
    }
}

/// The handle of `service/subset`, looked up in the mesh (or fragment) built so far. The macro
/// checked that a service it holds declares the subset; a service another crate's fragment
/// defines is named as written, and the composed mesh's checker judges it.
fn subset_handle(mesh: &Ident, qualified: &str) -> TokenStream {
    let k = krate();
    let (service, subset) = qualified.split_once('/').unwrap_or((qualified, ""));
    quote!(match #mesh.service(#service).and_then(|service| service.subset(#subset)) {
        ::core::option::Option::Some(subset) => subset,
        ::core::option::Option::None => #k::SubsetRef::unchecked(#service, #subset),
    })
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
            let headers = header_matches(&m.headers);
            quote!(#request #(.header(#headers))*)
        });
        setters.push(quote!(.matches(::std::vec![#(#matches),*])));
    }
    match &node.target {
        Some(TargetNode::To(target)) if target.value.contains('/') => {
            let handle = subset_handle(mesh, &target.value);
            setters.push(quote!(.target(&#handle)));
        }
        Some(TargetNode::To(target)) => {
            let service = string(&target.value);
            setters.push(quote!(.target(#k::GatewayTarget::Service(#service))));
        }
        Some(TargetNode::Split { legs, .. }) => {
            let legs = legs.iter().map(|(name, weight)| {
                let handle = subset_handle(mesh, &name.value);
                let weight = count(weight);
                quote!(.weight(&#handle, #weight))
            });
            setters.push(quote!(.target(#k::Split::new() #(#legs)*)));
        }
        // Refused by the macro (no expansion then).
        None => {}
    }
    setters.extend(self::setters(&node.fields));
    if let Some(retries) = &node.retries {
        let retries = retries_of(retries);
        setters.push(quote!(.retries(#retries)));
    }
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
            record("Listener", &listener.fields, quote!(.name(#name)))
        });
        setters.push(quote!(.listeners(::std::vec![#(#listeners),*])));
    }
    if !node.routes.is_empty() {
        let routes = node.routes.iter().map(|r| route(r, mesh));
        setters.push(quote!(.routes([#(#routes),*])));
    }
    quote!(#k::Gateway::builder().name(#name) #(#setters)* .build())
}
