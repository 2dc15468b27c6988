//! Syntax → the builder calls a user would write by hand, producing a `connectum_mesh::Mesh`.
//!
//! Only keys the user wrote become setter calls, so the defaults are the builders' own.
//! Literals were checked while reading; expressions are passed through with their own spans,
//! so rustc's type errors point inside the user's `mesh!`.

use connectum_mesh_core::{
    Duration, H2UpgradePolicy, HashKey, HostStyle, LoadBalancer, MtlsMode, Quantity, RetryOn,
    SimpleLb, StringMatch,
};
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{ToTokens, format_ident, quote};

use crate::syntax::mesh::MeshNode;
use crate::syntax::resilience::{InterceptorsNode, TrafficPolicyNode};
use crate::syntax::route::{RouteNode, TargetNode};
use crate::syntax::security::{ExternalNode, SourceNode};
use crate::syntax::service::{ProbeSetting, ProbesNode, ResourcesNode, ServiceNode};
use crate::syntax::value::{Given, Record, Scalar};

/// The crate users depend on; `mesh!` is re-exported from it.
fn krate() -> TokenStream {
    quote!(::connectum_mesh)
}

fn string(text: &str) -> TokenStream {
    quote!(::std::string::String::from(#text))
}

fn given<T>(given: &Given<T>, literal: impl Fn(&T) -> TokenStream) -> TokenStream {
    match given {
        Given::Literal(spanned) => literal(&spanned.value),
        // Every value lands in an argument position, so the expression needs no parentheses
        // (which would trip `unused_parens` in the user's crate).
        Given::Expr(expr) => expr.expr.to_token_stream(),
    }
}

fn text(value: &Given<String>) -> TokenStream {
    given(value, |s| quote!(#s))
}

fn owned_text(value: &Given<String>) -> TokenStream {
    given(value, |s| string(s))
}

fn count<T: Copy + Into<u64>>(value: &Given<T>) -> TokenStream {
    given(value, |n| {
        let n = Literal::u64_unsuffixed((*n).into());
        quote!(#n)
    })
}

/// A checked duration, built the way a user writes one: `Duration::from_millis(30000)`.
pub fn duration(value: &Given<Duration>) -> TokenStream {
    let k = krate();
    given(value, |d| {
        let millis = Literal::u64_unsuffixed(d.as_millis());
        quote!(#k::Duration::from_millis(#millis))
    })
}

/// A checked quantity, through the constructor that names its unit when there is one.
pub fn quantity(value: &Given<Quantity>) -> TokenStream {
    let k = krate();
    given(value, |q| {
        let text = q.as_str();
        let whole = |suffix: &str| {
            text.strip_suffix(suffix)
                .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|n| n.parse::<u32>().ok())
                .map(Literal::u32_unsuffixed)
        };
        if let Some(n) = whole("Mi") {
            quote!(#k::Quantity::mebibytes(#n))
        } else if let Some(n) = whole("Gi") {
            quote!(#k::Quantity::gibibytes(#n))
        } else if let Some(n) = whole("m") {
            quote!(#k::Quantity::millicores(#n))
        } else if let Some(n) = whole("") {
            quote!(#k::Quantity::cores(#n))
        } else {
            // Checked by the macro with the same parser, so the error arm is never taken.
            quote!(match #k::Quantity::parse(#text) {
                ::core::result::Result::Ok(quantity) => quantity,
                ::core::result::Result::Err(_) => ::core::unreachable!(),
            })
        }
    })
}

fn flag(value: &Given<bool>) -> TokenStream {
    given(value, |b| quote!(#b))
}

fn names(items: &[crate::syntax::value::Spanned<String>]) -> TokenStream {
    let items = items.iter().map(|s| string(&s.value));
    quote!(::std::vec![#(#items),*])
}

fn variant(path: &str, name: &str) -> TokenStream {
    let k = krate();
    let path = format_ident!("{}", path);
    let name = format_ident!("{}", name);
    quote!(#k::#path::#name)
}

fn mtls(mode: MtlsMode) -> TokenStream {
    variant(
        "MtlsMode",
        match mode {
            MtlsMode::Strict => "Strict",
            MtlsMode::Permissive => "Permissive",
            MtlsMode::Disable => "Disable",
        },
    )
}

fn retry_on(on: RetryOn) -> TokenStream {
    let name = match on {
        RetryOn::Unavailable => "Unavailable",
        RetryOn::DeadlineExceeded => "DeadlineExceeded",
        RetryOn::ResourceExhausted => "ResourceExhausted",
        RetryOn::Cancelled => "Cancelled",
        RetryOn::Internal => "Internal",
        RetryOn::ConnectFailure => "ConnectFailure",
        RetryOn::RefusedStream => "RefusedStream",
        RetryOn::FiveXx => "FiveXx",
        RetryOn::GatewayError => "GatewayError",
        RetryOn::Reset => "Reset",
        RetryOn::ResetBeforeRequest => "ResetBeforeRequest",
        RetryOn::Retriable4xx => "Retriable4xx",
        RetryOn::Status(code) => {
            let k = krate();
            return quote!(#k::RetryOn::Status(#code));
        }
        // RetryOn is non_exhaustive: a condition added later is written by its text.
        other => {
            let k = krate();
            let text = other.to_string();
            return quote!(match #k::RetryOn::parse(#text) {
                ::core::option::Option::Some(on) => on,
                ::core::option::Option::None => ::core::unreachable!(),
            });
        }
    };
    variant("RetryOn", name)
}

fn string_match(m: &StringMatch) -> TokenStream {
    let k = krate();
    match m {
        StringMatch::Exact(s) => quote!(#k::StringMatch::Exact(#s.to_owned())),
        StringMatch::Prefix(s) => quote!(#k::StringMatch::Prefix(#s.to_owned())),
        StringMatch::Regex(s) => quote!(#k::StringMatch::Regex(#s.to_owned())),
    }
}

/// `Type::builder().key(value)...build()` for a record whose keys are the setters.
fn record(ty: &str, record: &Record, extra: TokenStream) -> TokenStream {
    let k = krate();
    let ty = format_ident!("{}", ty);
    let setters = record.fields.iter().map(|(key, scalar)| {
        let key = format_ident!("{}", key);
        let value = match scalar {
            Scalar::Count(v) => count(v),
            Scalar::Duration(v) => duration(v),
            Scalar::Text(v) => text(v),
            Scalar::Flag(v) => flag(v),
        };
        quote!(.#key(#value))
    });
    quote!(#k::#ty::builder() #(#setters)* #extra .build())
}

fn mixed(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site())
}

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
    for (key, value) in [
        ("trust_domain", &node.trust_domain),
        ("part_of", &node.part_of),
        ("app_label", &node.app_label),
        ("version_label", &node.version_label),
    ] {
        if let Some(value) = value {
            let key = format_ident!("{}", key);
            let value = text(value);
            setters.push(quote!(.#key(#value)));
        }
    }
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

fn text_map(entries: &[(crate::syntax::value::Spanned<String>, Given<String>)]) -> TokenStream {
    let pairs = entries.iter().map(|(key, value)| {
        let key = string(&key.value);
        let value = owned_text(value);
        quote!((#key, ::core::convert::Into::<::std::string::String>::into(#value)))
    });
    quote!(::std::collections::BTreeMap::from([#(#pairs),*]))
}

fn service_account(text: &str) -> TokenStream {
    let k = krate();
    // Read as `namespace/name` by the syntax, which refuses any other shape.
    let (ns, name) = text.split_once('/').unwrap_or(("", text));
    quote!(#k::ServiceAccountRef::new(#ns, #name))
}

fn external(node: &ExternalNode) -> TokenStream {
    let k = krate();
    let name = &node.name.value;
    let account = service_account(&node.service_account.value);
    let calls = names(&node.calls);
    quote!(#k::ExternalCaller::builder().name(#name).service_account(#account).calls(#calls).build())
}

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

fn service(node: &ServiceNode) -> TokenStream {
    let k = krate();
    let service = mixed("service");
    let name = &node.name.value;
    let mut setters = Vec::new();
    if let Some(image) = &node.image {
        let image = text(image);
        setters.push(quote!(.image(#image)));
    }
    for (key, value) in [
        ("app_version", &node.app_version),
        ("service_account", &node.service_account),
    ] {
        if let Some(value) = value {
            let key = format_ident!("{}", key);
            let value = text(value);
            setters.push(quote!(.#key(#value)));
        }
    }
    if let Some(port) = &node.port {
        let port = count(port);
        setters.push(quote!(.port(#port)));
    }
    if let Some(replicas) = &node.replicas {
        let replicas = count(replicas);
        setters.push(quote!(.scaling(#k::Scaling::Replicas(#replicas))));
    } else if let Some(autoscale) = &node.autoscale {
        let rules = [
            ("scale_up", &node.scale_up),
            ("scale_down", &node.scale_down),
        ]
        .into_iter()
        .filter_map(|(key, rule)| {
            let rule = record("ScalingRule", rule.as_ref()?, TokenStream::new());
            let key = format_ident!("{}", key);
            Some(quote!(.#key(#rule)))
        });
        let autoscaler = record("Autoscaler", autoscale, quote!(#(#rules)*));
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
    if !node.config.is_empty() {
        let map = text_map(&node.config);
        setters.push(quote!(.config(#map)));
    }
    if let Some(mode) = &node.mtls {
        let mode = mtls(mode.value);
        setters.push(quote!(.mtls_override(#mode)));
    }
    if !node.calls.is_empty() {
        let calls = names(&node.calls);
        setters.push(quote!(.calls(#calls)));
    }
    if let Some(dir) = &node.app_tls {
        let dir = text(dir);
        setters.push(quote!(.app_tls(#k::AppTls::builder().dir_path(#dir).build())));
    }
    if let Some(spread) = &node.spread_across_nodes {
        let spread = flag(spread);
        setters.push(quote!(.spread_across_nodes(#spread)));
    }
    if let Some(shutdown) = &node.shutdown {
        let shutdown = record("GracefulShutdown", shutdown, TokenStream::new());
        setters.push(quote!(.shutdown(#shutdown)));
    }
    if let Some(probes) = &node.probes {
        let probes = probes_of(probes);
        setters.push(quote!(.probes(#probes)));
    }
    if let Some(security) = &node.security {
        let security = record("PodSecurity", security, TokenStream::new());
        setters.push(quote!(.security(#security)));
    }
    if let Some(rollout) = &node.rollout {
        let rollout = record("Rollout", rollout, TokenStream::new());
        setters.push(quote!(.rollout(#rollout)));
    }
    if let Some(policy) = &node.traffic_policy {
        let policy = traffic_policy(policy);
        setters.push(quote!(.traffic_policy(#policy)));
    }
    if let Some(interceptors) = &node.interceptors {
        let interceptors = interceptors_of(interceptors);
        setters.push(quote!(.interceptors(#interceptors)));
    }
    if !node.allow.is_empty() {
        let rules = node.allow.iter().map(|rule| {
            let sources = rule.from.iter().map(|source| match source {
                SourceNode::ServiceAccount(account) => {
                    let account = service_account(&account.value);
                    quote!(#k::Source::ServiceAccount(#account))
                }
                SourceNode::Namespace(ns) => {
                    let ns = string(&ns.value);
                    quote!(#k::Source::Namespace(#ns))
                }
            });
            quote!(#k::AllowRule::builder().from(::std::vec![#(#sources),*]).build())
        });
        setters.push(quote!(.allow(::std::vec![#(#rules),*])));
    }
    let handles: Vec<Ident> = (0..node.subsets.len())
        .map(|i| Ident::new(&format!("subset_{i}"), Span::mixed_site()))
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

fn traffic_policy(node: &TrafficPolicyNode) -> TokenStream {
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
                let probe = record("Probe", probe, TokenStream::new());
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

fn interceptors_of(node: &InterceptorsNode) -> TokenStream {
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

fn handle<'a>(service: &ServiceNode, handles: &'a [Ident], name: &str) -> Option<&'a Ident> {
    service
        .subsets
        .iter()
        .position(|s| s.name.value == name)
        .and_then(|i| handles.get(i))
}

fn route_of(node: &RouteNode, service: &ServiceNode, handles: &[Ident]) -> TokenStream {
    let k = krate();
    let mut setters = Vec::new();
    if let Some(name) = &node.name {
        let name = &name.value;
        setters.push(quote!(.name(#name)));
    }
    if !node.matches.is_empty() {
        let matches = node.matches.iter().map(|m| {
            let headers = m.headers.iter().map(|(name, value)| {
                let name = string(&name.value);
                let value = string_match(&value.value);
                quote!(#k::HeaderMatch { name: #name, value: #value })
            });
            let uri = m.uri.as_ref().map(|uri| {
                let uri = string_match(&uri.value);
                quote!(.uri(#uri))
            });
            quote!(#k::RequestMatch::builder().headers(::std::vec![#(#headers),*]) #uri .build())
        });
        setters.push(quote!(.matches(::std::vec![#(#matches),*])));
    }
    match &node.target {
        Some(TargetNode::To(name)) => match handle(service, handles, &name.value) {
            Some(h) => setters.push(quote!(.target(&#h))),
            None => setters.push(quote!(.target(#k::RouteTarget::Service))),
        },
        Some(TargetNode::Split { legs, .. }) => {
            let legs = legs.iter().filter_map(|(name, weight)| {
                let h = handle(service, handles, &name.value)?;
                let weight = count(weight);
                Some(quote!(.weight(&#h, #weight)))
            });
            setters.push(quote!(.target(#k::Split::new() #(#legs)*)));
        }
        None => setters.push(quote!(.target(#k::RouteTarget::Service))),
    }
    if let Some(timeout) = &node.timeout {
        let timeout = duration(timeout);
        setters.push(quote!(.timeout(#timeout)));
    }
    if let Some(retries) = &node.retries {
        let attempts = retries.attempts.as_ref().map_or_else(|| quote!(0), count);
        let per_try = retries.per_try_timeout.as_ref().map(|d| {
            let d = duration(d);
            quote!(.per_try_timeout(#d))
        });
        let on = (!retries.retry_on.is_empty()).then(|| {
            let on = retries.retry_on.iter().map(|o| retry_on(o.value));
            quote!(.retry_on(::std::vec![#(#on),*]))
        });
        setters.push(
            quote!(.retries(#k::MeshRetry::builder().attempts(#attempts) #per_try #on .build())),
        );
    }
    quote!(#k::Route::builder() #(#setters)* .build())
}
