//! The mesh: `Mesh::builder()` with its settings, then `add_service` for each service.

use connectum_mesh_core::HostStyle;
use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::security::external;
use super::service::service;
use super::value::{
    count, flag, given, krate, mixed, mtls, names, optional_setters, text, text_map, variant,
};
use crate::syntax::mesh::MeshNode;

/// The expression `mesh!` expands to.
pub fn mesh(node: &MeshNode) -> TokenStream {
    let k = krate();
    let mesh = mixed("mesh");
    let mut setters = Vec::new();
    if let Some(ns) = &node.namespace {
        let ns = text(ns);
        setters.push(quote!(.namespace(#ns)));
    }
    if let Some(mode) = &node.mtls {
        let mode = mtls(mode.value);
        setters.push(quote!(.mtls(#mode)));
    }
    if let Some(v) = &node.injection {
        let v = flag(v);
        setters.push(quote!(.sidecar_injection(#v)));
    }
    setters.extend(optional_setters(
        [
            ("trust_domain", &node.trust_domain),
            ("part_of", &node.part_of),
            ("app_label", &node.app_label),
            ("version_label", &node.version_label),
        ],
        text,
    ));
    if let Some(style) = &node.host_style {
        let style = variant(
            "HostStyle",
            match style.value {
                HostStyle::Short => "Short",
                HostStyle::Fqdn => "Fqdn",
            },
        );
        setters.push(quote!(.host_style(#style)));
    }
    if !node.namespace_labels.is_empty() {
        let map = text_map(&node.namespace_labels);
        setters.push(quote!(.namespace_labels(#map)));
    }
    if !node.known_namespaces.is_empty() {
        let list = names(&node.known_namespaces);
        setters.push(quote!(.known_namespaces(#list)));
    }
    if let Some(budget) = &node.retry_budget {
        let calls = count(budget);
        setters.push(quote!(.retry_budget(#k::RetryBudget::calls(#calls))));
    }
    if !node.chain_budgets.is_empty() {
        let budgets = node.chain_budgets.iter().map(|b| {
            let chain = names(&b.chain);
            let calls = b.calls.as_ref().map_or_else(
                || quote!(#k::RetryBudget::DEFAULT),
                |c| {
                    let c = count(c);
                    quote!(#k::RetryBudget::calls(#c))
                },
            );
            quote!(#k::ChainBudget { chain: #chain, budget: #calls })
        });
        setters.push(quote!(.chain_budgets(::std::vec![#(#budgets),*])));
    }
    if let Some(total) = &node.split_total {
        let total = count(total);
        setters.push(quote!(.split_total(#total)));
    }
    if let Some(t) = &node.telemetry {
        let name = &t.name.value;
        let mut parts = Vec::new();
        if let Some((providers, sampling)) = &t.tracing {
            let providers = names(providers);
            let sampling = sampling.as_ref().map(|s| {
                let s = given(s, |p| {
                    let p = Literal::f64_unsuffixed(*p);
                    quote!(#p)
                });
                quote!(.sampling_percent(#s))
            });
            parts.push(
                quote!(.tracing(#k::Tracing::builder().providers(#providers) #sampling .build())),
            );
        }
        if !t.metrics.is_empty() {
            let list = names(&t.metrics);
            parts.push(quote!(.metrics_providers(#list)));
        }
        if !t.access_log.is_empty() {
            let list = names(&t.access_log);
            parts.push(quote!(.access_log_providers(#list)));
        }
        setters.push(quote!(.telemetry(#k::Telemetry::builder().name(#name) #(#parts)* .build())));
    }
    if !node.externals.is_empty() {
        let callers = node.externals.iter().map(external);
        setters.push(quote!(.external_callers(::std::vec![#(#callers),*])));
    }
    let services = node.services.iter().map(service);
    quote!({
        #[allow(unused_mut)]
        let mut #mesh = #k::Mesh::builder() #(#setters)* .build();
        #( #mesh.add_service(#services); )*
        #mesh
    })
}
