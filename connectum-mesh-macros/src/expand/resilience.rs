//! Resilience at both layers: Istio's traffic policy and Connectum's interceptors.

use connectum_mesh_core::{H2UpgradePolicy, HashKey, LoadBalancer, SimpleLb};
use proc_macro2::TokenStream;
use quote::quote;

use super::value::{duration, krate, record, variant};
use crate::syntax::resilience::{InterceptorsNode, TrafficPolicyNode};

pub(super) fn traffic_policy(node: &TrafficPolicyNode) -> TokenStream {
    let k = krate();
    let mut setters = Vec::new();
    if node.connection_pool.is_some() {
        let mut pool = Vec::new();
        if let Some(tcp) = &node.tcp {
            let tcp = record("TcpPool", tcp, TokenStream::new());
            pool.push(quote!(.tcp(#tcp)));
        }
        if let Some((http, h2)) = &node.http {
            let h2 = h2.as_ref().map(|h2| {
                let v = variant(
                    "H2UpgradePolicy",
                    match h2.value {
                        H2UpgradePolicy::Default => "Default",
                        H2UpgradePolicy::DoNotUpgrade => "DoNotUpgrade",
                        H2UpgradePolicy::Upgrade => "Upgrade",
                    },
                );
                quote!(.h2_upgrade_policy(#v))
            });
            let http = record("HttpPool", http, h2.unwrap_or_default());
            pool.push(quote!(.http(#http)));
        }
        setters.push(quote!(.connection_pool(#k::ConnectionPool::builder() #(#pool)* .build())));
    }
    if let Some(od) = &node.outlier_detection {
        let od = record("OutlierDetection", od, TokenStream::new());
        setters.push(quote!(.outlier_detection(#od)));
    }
    if let Some(lb) = &node.load_balancer {
        let lb = match &lb.value {
            LoadBalancer::Simple(simple) => {
                let simple = variant(
                    "SimpleLb",
                    match simple {
                        SimpleLb::RoundRobin => "RoundRobin",
                        SimpleLb::LeastRequest => "LeastRequest",
                        SimpleLb::Random => "Random",
                        SimpleLb::Passthrough => "Passthrough",
                    },
                );
                quote!(#k::LoadBalancer::Simple(#simple))
            }
            LoadBalancer::ConsistentHash(key) => {
                let key = match key {
                    HashKey::HttpHeaderName(name) => {
                        quote!(#k::HashKey::HttpHeaderName(::std::string::String::from(#name)))
                    }
                    HashKey::HttpQueryParameterName(name) => quote!(
                        #k::HashKey::HttpQueryParameterName(::std::string::String::from(#name))
                    ),
                    HashKey::UseSourceIp => quote!(#k::HashKey::UseSourceIp),
                };
                quote!(#k::LoadBalancer::ConsistentHash(#key))
            }
        };
        setters.push(quote!(.load_balancer(#lb)));
    }
    quote!(#k::TrafficPolicy::builder() #(#setters)* .build())
}

pub(super) fn interceptors_of(node: &InterceptorsNode) -> TokenStream {
    let k = krate();
    let mut setters = Vec::new();
    if let Some(cb) = &node.circuit_breaker {
        let cb = record("CircuitBreaker", cb, TokenStream::new());
        setters.push(quote!(.circuit_breaker(#cb)));
    }
    if let Some(timeout) = &node.timeout {
        let d = duration(timeout);
        setters.push(quote!(.timeout(#k::AppTimeout::builder().duration(#d).build())));
    }
    if let Some(retry) = &node.retry {
        let retry = record("AppRetry", retry, TokenStream::new());
        setters.push(quote!(.retry(#retry)));
    }
    if let Some(bulkhead) = &node.bulkhead {
        let bulkhead = record("Bulkhead", bulkhead, TokenStream::new());
        setters.push(quote!(.bulkhead(#bulkhead)));
    }
    quote!(#k::Interceptors::builder() #(#setters)* .build())
}
