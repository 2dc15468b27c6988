//! Values as a user writes them: text, numbers, durations and quantities through their
//! constructors, enum variants, maps, lists, and records built with their builders.

use connectum_mesh_core::{
    ClientTls, DisruptionBudget, Duration, EdgeRequest, HashKey, LoadBalancer, PodCount, Quantity,
    RetryOn, SimpleLb, StringMatch,
};
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};

use crate::syntax::record::{Record, Scalar, Via};
use crate::syntax::service::SubsetNode;
use crate::syntax::shaped::RuntimeNode;
use crate::syntax::value::{Given, Spanned};

/// What the names a value refers to are in the expansion: the handles of the subsets of the
/// service a route belongs to, or the mesh a gateway's routes look services up in.
#[derive(Clone, Copy)]
pub(super) enum Handles<'a> {
    /// No names to resolve.
    None,
    /// A service's route: each declared subset's handle, in declaration order.
    Service {
        /// The subsets it declares.
        subsets: &'a [SubsetNode],
        /// Their handles.
        handles: &'a [Ident],
    },
    /// A gateway's route: the mesh whose services are already added.
    Mesh(&'a Ident),
}

impl Handles<'_> {
    /// The handle of the subset `name`: in the service, or `service/subset` in the mesh.
    fn subset(&self, name: &str) -> Option<TokenStream> {
        match self {
            Self::None => None,
            Self::Service {
                subsets, handles, ..
            } => subsets
                .iter()
                .position(|s| s.name.value == name)
                .and_then(|i| handles.get(i))
                .map(|handle| quote!(&#handle)),
            Self::Mesh(mesh) => {
                let (service, subset) = name.split_once('/')?;
                // The macro checked that a service it holds declares the subset; a service
                // another crate's fragment defines is named as written, and the composed mesh's
                // checker judges it.
                let k = krate();
                Some(
                    quote!(&match #mesh.service(#service).and_then(|service| service.subset(#subset)) {
                        ::core::option::Option::Some(subset) => subset,
                        ::core::option::Option::None => #k::SubsetRef::unchecked(#service, #subset),
                    }),
                )
            }
        }
    }

    /// Where a route sends requests: a subset's handle, or the service as a whole.
    fn target(&self, name: &str) -> TokenStream {
        let k = krate();
        if let Some(subset) = self.subset(name) {
            return subset;
        }
        match self {
            Self::Mesh(_) => {
                let service = string(name);
                quote!(#k::GatewayTarget::Service(#service))
            }
            // The service's own name (the macro refused any other).
            Self::Service { .. } | Self::None => quote!(#k::RouteTarget::Service),
        }
    }
}

/// The crate the expansion names: `connectum_mesh`, or the core in a crate that depends on the
/// core alone (see [`crate::root`]).
pub(super) fn krate() -> TokenStream {
    crate::root::current()
}

pub(super) fn string(text: &str) -> TokenStream {
    quote!(::std::string::String::from(#text))
}

pub(super) fn given<T>(given: &Given<T>, literal: impl Fn(&T) -> TokenStream) -> TokenStream {
    match given {
        Given::Literal(spanned) => literal(&spanned.value),
        // Every value lands in an argument position, so the expression needs no parentheses
        // (which would trip `unused_parens` in the user's crate).
        Given::Expr(expr) => expr.expr.to_token_stream(),
    }
}

pub(super) fn text(value: &Given<String>) -> TokenStream {
    given(value, |s| quote!(#s))
}

pub(super) fn owned_text(value: &Given<String>) -> TokenStream {
    given(value, |s| string(s))
}

pub(super) fn count<T: Copy + Into<u64>>(value: &Given<T>) -> TokenStream {
    given(value, |n| {
        let n = Literal::u64_unsuffixed((*n).into());
        quote!(#n)
    })
}

/// A checked duration, built the way a user writes one: `Duration::from_millis(30000)`.
pub(super) fn duration(value: &Given<Duration>) -> TokenStream {
    let k = krate();
    given(value, |d| {
        let millis = Literal::u64_unsuffixed(d.as_millis());
        quote!(#k::Duration::from_millis(#millis))
    })
}

/// A checked quantity, through the constructor that names its unit when there is one.
pub(super) fn quantity(value: &Given<Quantity>) -> TokenStream {
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

pub(super) fn flag(value: &Given<bool>) -> TokenStream {
    given(value, |b| quote!(#b))
}

/// A `Vec<String>` of names, typed so an empty list still infers where a setter takes any
/// `IntoIterator` (an external caller that calls nothing).
pub(super) fn names(items: &[Spanned<String>]) -> TokenStream {
    let items = items.iter().map(|s| string(&s.value));
    quote!(::std::vec::Vec::<::std::string::String>::from([#(#items),*]))
}

/// A `Vec<String>` of the services called: a name as a `String`, an expression (a
/// `ServiceRef`, say) through `String::from`.
pub(super) fn calls(items: &[Given<String>]) -> TokenStream {
    let items = items.iter().map(|item| match item {
        Given::Literal(name) => string(&name.value),
        Given::Expr(expr) => {
            // Spanned at the expression, so a value of the wrong type (`(42)`) is rustc's
            // error at it, not at the whole macro.
            let expr = &expr.expr;
            let span = syn::spanned::Spanned::span(expr);
            quote_spanned!(span=> ::std::string::String::from(#expr))
        }
    });
    quote!(::std::vec::Vec::<::std::string::String>::from([#(#items),*]))
}

pub(super) fn variant(path: &str, name: &str) -> TokenStream {
    let k = krate();
    let path = format_ident!("{}", path);
    let name = format_ident!("{}", name);
    quote!(#k::#path::#name)
}

/// `.setter(value)` for each key of `record`, in its table's order; a group's keys are setters
/// of the same builder, and `off` is `.maybe_setter(None)`. Keys whose setter is called on the
/// built value are [`after`]'s.
pub(super) fn setters(record: &Record, handles: Handles) -> Vec<TokenStream> {
    record
        .fields
        .iter()
        .filter(|(slot, _)| !slot.after)
        .flat_map(|(slot, value)| match value {
            Scalar::Group(inner) => setters(inner, handles),
            Scalar::Off(_) => {
                let setter = format_ident!("maybe_{}", slot.setter);
                vec![quote!(.#setter(::core::option::Option::None))]
            }
            value => {
                let setter = format_ident!("{}", slot.setter);
                let value = scalar(value, handles);
                vec![quote!(.#setter(#value))]
            }
        })
        .collect()
}

/// `model.setter(..);` for each key of `record` whose setter is called on the built value: a
/// flag calls it (without an argument) when true, a lint level once per code.
pub(super) fn after(record: &Record, model: &Ident) -> Vec<TokenStream> {
    let k = krate();
    record
        .fields
        .iter()
        .filter(|(slot, _)| slot.after)
        .flat_map(|(slot, value)| {
            let setter = format_ident!("{}", slot.setter);
            match value {
                Scalar::Lints(level, codes) => {
                    let level = format_ident!("{level:?}");
                    codes
                        .iter()
                        .map(|code| {
                            let code = code.value;
                            quote!(#model.#setter(#k::diag::Code(#code), #k::diag::Level::#level);)
                        })
                        .collect()
                }
                Scalar::Flag(Given::Literal(flag)) if flag.value => {
                    vec![quote!(#model.#setter();)]
                }
                Scalar::Flag(Given::Literal(_)) => Vec::new(),
                Scalar::Flag(flag) => {
                    let flag = self::flag(flag);
                    vec![quote!(if #flag { #model.#setter(); })]
                }
                value => {
                    let value = scalar(value, Handles::None);
                    vec![quote!(#model.#setter(#value);)]
                }
            }
        })
        .collect()
}

/// A value as the argument of its setter, its names resolved to `handles`.
pub(super) fn scalar(value: &Scalar, handles: Handles) -> TokenStream {
    let k = krate();
    match value {
        Scalar::Count(v) => count(v),
        Scalar::Number(v) => count(v),
        Scalar::Duration(v) => duration(v),
        Scalar::Text(v) => text(v),
        Scalar::Flag(v) => flag(v),
        Scalar::Percent(v) => given(v, |p| {
            let p = Literal::f64_unsuffixed(*p);
            quote!(#p)
        }),
        Scalar::Names(items) => names(items),
        Scalar::Calls(items) => calls(items),
        Scalar::TextMap(entries) => text_map(entries),
        Scalar::Word(words, word) => variant(
            words.ty,
            &(words.variant)(word.value).unwrap_or_else(|| word.value.to_owned()),
        ),
        Scalar::LoadBalancer(lb) => load_balancer(&lb.value),
        Scalar::ClientTls(tls) => match &tls.value {
            ClientTls::IstioMutual => quote!(#k::ClientTls::IstioMutual),
            ClientTls::Disable => quote!(#k::ClientTls::Disable),
            ClientTls::Simple { sni: None } => {
                quote!(#k::ClientTls::Simple { sni: ::core::option::Option::None })
            }
            ClientTls::Simple { sni: Some(sni) } => {
                let sni = string(sni);
                quote!(#k::ClientTls::Simple { sni: ::core::option::Option::Some(#sni) })
            }
        },
        Scalar::DisruptionBudget(budget) => disruption_budget(budget.value),
        Scalar::Quantity(v) => quantity(v),
        Scalar::RetryOn(items) => {
            let items = items.iter().map(|on| retry_on(on.value));
            quote!(::std::vec::Vec::<#k::RetryOn>::from([#(#items),*]))
        }
        Scalar::Target(name) => handles.target(&name.value),
        Scalar::Split(_, legs) => {
            let legs = legs.iter().filter_map(|(name, weight)| {
                let subset = handles.subset(&name.value)?;
                let weight = count(weight);
                Some(quote!(.weight(#subset, #weight)))
            });
            quote!(#k::Split::new() #(#legs)*)
        }
        Scalar::StringMatch(m) => string_match(&m.value),
        Scalar::Headers(_, headers) => {
            let headers = header_matches(headers);
            quote!(::std::vec::Vec::<#k::HeaderMatch>::from([#(#headers),*]))
        }
        Scalar::Records(ty, _, items) => {
            let ty = format_ident!("{}", ty);
            let items = items.iter().map(|item| scalar(item, handles));
            quote!(::std::vec::Vec::<#k::#ty>::from([#(#items),*]))
        }
        Scalar::Record(ty, record) => self::record(ty, record, TokenStream::new(), handles),
        // Written by `setters`, which knows the setter.
        Scalar::Off(_) => quote!(::core::option::Option::None),
        Scalar::Group(record) => {
            let setters = setters(record, handles);
            quote!(#(#setters)*)
        }
        Scalar::Through(through, inner) => {
            let ty = format_ident!("{}", through.ty);
            let inner = scalar(inner, handles);
            match through.via {
                Via::Call(call) => {
                    let call = format_ident!("{}", call);
                    quote!(#k::#ty::#call(#inner))
                }
                Via::Setter(setter) => {
                    let setter = format_ident!("{}", setter);
                    quote!(#k::#ty::builder().#setter(#inner).build())
                }
            }
        }
        Scalar::EdgeRequest(request, _) => match &request.value {
            EdgeRequest::Grpc { service, method } => {
                let service = string(service);
                let method = match method {
                    Some(method) => {
                        let method = string(method);
                        quote!(::core::option::Option::Some(#method))
                    }
                    None => quote!(::core::option::Option::None),
                };
                quote!(#k::EdgeRequest::Grpc { service: #service, method: #method })
            }
            EdgeRequest::PathPrefix(prefix) => {
                let prefix = string(prefix);
                quote!(#k::EdgeRequest::PathPrefix(#prefix))
            }
        },
        Scalar::ServiceAccount(account) => super::security::service_account(&account.value),
        Scalar::Sources(_, from, _) => super::security::sources(from),
        Scalar::Runtime(runtime) => match runtime {
            RuntimeNode::IstioIngress(_) => quote!(#k::GatewayRuntime::istio_ingress()),
            RuntimeNode::IstioClass(_) => {
                quote!(#k::GatewayRuntime::from(#k::GatewayClass::istio()))
            }
            RuntimeNode::EnvoyGateway(name) => {
                let name = &name.value;
                quote!(#k::GatewayRuntime::from(#k::GatewayClass::envoy_gateway(#name)))
            }
            RuntimeNode::Class(class) => {
                let class = scalar(class, handles);
                quote!(#k::GatewayRuntime::from(#class))
            }
        },
        // Written by `after`, which knows the model.
        Scalar::Lints(..) => TokenStream::new(),
    }
}

fn string_match(m: &StringMatch) -> TokenStream {
    let k = krate();
    match m {
        StringMatch::Exact(s) => quote!(#k::StringMatch::Exact(#s.to_owned())),
        StringMatch::Prefix(s) => quote!(#k::StringMatch::Prefix(#s.to_owned())),
        StringMatch::Regex(s) => quote!(#k::StringMatch::Regex(#s.to_owned())),
    }
}

/// `HeaderMatch { name, value }` for each header condition.
pub(super) fn header_matches(
    headers: &[(Spanned<String>, Spanned<StringMatch>)],
) -> Vec<TokenStream> {
    let k = krate();
    headers
        .iter()
        .map(|(name, value)| {
            let name = string(&name.value);
            let value = string_match(&value.value);
            quote!(#k::HeaderMatch { name: #name, value: #value })
        })
        .collect()
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
            return quote!(match <#k::RetryOn as ::core::str::FromStr>::from_str(#text) {
                ::core::result::Result::Ok(on) => on,
                ::core::result::Result::Err(_) => ::core::unreachable!(),
            });
        }
    };
    variant("RetryOn", name)
}

/// `Type::builder().key(value)...build()` for a block whose keys are the setters.
pub(super) fn record(
    ty: &str,
    record: &Record,
    extra: TokenStream,
    handles: Handles,
) -> TokenStream {
    let k = krate();
    let ty = format_ident!("{}", ty);
    let setters = setters(record, handles);
    quote!(#k::#ty::builder() #(#setters)* #extra .build())
}

fn disruption_budget(budget: DisruptionBudget) -> TokenStream {
    let k = krate();
    let count = |count: PodCount| match count {
        PodCount::Pods(n) => quote!(#k::PodCount::Pods(#n)),
        PodCount::Percent(p) => quote!(#k::PodCount::Percent(#p)),
    };
    match budget {
        DisruptionBudget::MaxUnavailable(n) => {
            let n = count(n);
            quote!(#k::DisruptionBudget::MaxUnavailable(#n))
        }
        DisruptionBudget::MinAvailable(n) => {
            let n = count(n);
            quote!(#k::DisruptionBudget::MinAvailable(#n))
        }
        DisruptionBudget::Disabled => quote!(#k::DisruptionBudget::Disabled),
        // Auto, and any kind added later: the builder's default.
        _ => quote!(#k::DisruptionBudget::Auto),
    }
}

fn load_balancer(lb: &LoadBalancer) -> TokenStream {
    let k = krate();
    match lb {
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
                    let name = string(name);
                    quote!(#k::HashKey::HttpHeaderName(#name))
                }
                HashKey::HttpQueryParameterName(name) => {
                    let name = string(name);
                    quote!(#k::HashKey::HttpQueryParameterName(#name))
                }
                HashKey::UseSourceIp => quote!(#k::HashKey::UseSourceIp),
            };
            quote!(#k::LoadBalancer::ConsistentHash(#key))
        }
    }
}

pub(super) fn mixed(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site())
}

pub(super) fn text_map(entries: &[(Spanned<String>, Given<String>)]) -> TokenStream {
    let pairs = entries.iter().map(|(key, value)| {
        let key = string(&key.value);
        let value = owned_text(value);
        quote!((#key, ::core::convert::Into::<::std::string::String>::into(#value)))
    });
    quote!(::std::collections::BTreeMap::from([#(#pairs),*]))
}
