//! A service: `Service::builder()` with its settings, then its subsets (keeping their
//! handles) and its routes.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::route::route_of;
use super::security::allow_rules;
use super::value::{count, krate, mixed, quantity, record, scalar, setters, text};
use crate::syntax::service::{ProbeSetting, ProbesNode, ResourcesNode, ServiceNode};

fn resources(node: &ResourcesNode) -> TokenStream {
    let k = krate();
    let setters = [
        ("cpu_request", &node.cpu_request),
        ("cpu_limit", &node.cpu_limit),
        ("memory_request", &node.memory_request),
        ("memory_limit", &node.memory_limit),
    ]
    .into_iter()
    .filter_map(|(key, value)| {
        let value = quantity(value.as_ref()?);
        let key = format_ident!("{}", key);
        Some(quote!(.#key(#value)))
    });
    quote!(#k::Resources::builder() #(#setters)* .build())
}

pub(super) fn service(node: &ServiceNode) -> TokenStream {
    let k = krate();
    let service = mixed("service");
    let name = &node.name.value;
    let mut setters = setters(&node.fields);
    if let Some(replicas) = &node.replicas {
        let replicas = count(replicas);
        setters.push(quote!(.scaling(#k::Scaling::Replicas(#replicas))));
    } else if let Some(autoscale) = &node.autoscale {
        let autoscaler = scalar(autoscale);
        setters.push(quote!(.scaling(#k::Scaling::Autoscale(#autoscaler))));
    }
    if let Some(r) = &node.resources {
        let r = resources(r);
        setters.push(quote!(.resources(#r)));
    }
    if let Some(r) = &node.sidecar {
        let r = resources(r);
        setters.push(quote!(.sidecar(#r)));
    }
    if let Some(dir) = &node.app_tls {
        let dir = text(dir);
        setters.push(quote!(.app_tls(#k::AppTls::builder().dir_path(#dir).build())));
    }
    if let Some(probes) = &node.probes {
        let probes = probes_of(probes);
        setters.push(quote!(.probes(#probes)));
    }
    if !node.allow.is_empty() {
        let rules = allow_rules(&node.allow);
        setters.push(quote!(.allow(#rules)));
    }
    let handles: Vec<Ident> = (0..node.subsets.len())
        .map(|i| mixed(&format!("subset_{i}")))
        .collect();
    let subsets = node.subsets.iter().map(|subset| {
        let name = &subset.name.value;
        record("Subset", &subset.fields, quote!(.name(#name)))
    });
    let routes = node
        .routes
        .iter()
        .map(|route| route_of(route, node, &handles));
    quote!({
        #[allow(unused_mut)]
        let mut #service = #k::Service::builder().name(#name) #(#setters)* .build();
        #( let #handles = #service.add_subset(#subsets); )*
        #( #service.add_route(#routes); )*
        #service
    })
}

/// The probes written: `Probes::builder().liveness(...)`, then `None` for those turned off
/// (the builder's setters take a probe, so "no probe" is a field assignment).
fn probes_of(node: &ProbesNode) -> TokenStream {
    let k = krate();
    let probes = mixed("probes");
    let mut setters = Vec::new();
    let mut off = Vec::new();
    for (kind, setting) in &node.probes {
        let kind = format_ident!("{}", kind);
        match setting {
            ProbeSetting::On(probe) => {
                let probe = scalar(probe);
                setters.push(quote!(.#kind(#probe)));
            }
            ProbeSetting::Off(_) => off.push(quote!(#probes.#kind = ::core::option::Option::None;)),
        }
    }
    if off.is_empty() {
        return quote!(#k::Probes::builder() #(#setters)* .build());
    }
    quote!({
        let mut #probes = #k::Probes::builder() #(#setters)* .build();
        #(#off)*
        #probes
    })
}
