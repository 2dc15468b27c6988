//! Values as a user writes them: text, numbers, durations and quantities through their
//! constructors, enum variants, maps, lists, and records built with their builders.

use connectum_mesh_core::{
    ClientTls, DisruptionBudget, Duration, EdgeRequest, HashKey, LoadBalancer, PodCount, Quantity,
    RetryOn, SimpleLb, StringMatch,
};
use proc_macro2::Delimiter::{Brace, Bracket, Parenthesis};
use quote::quote_spanned;

use super::code::Code;
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
    /// A service's route: each declared subset's handle (`subset_{i}`), in declaration order.
    Service {
        /// The subsets it declares.
        subsets: &'a [SubsetNode],
    },
    /// A gateway's route: the mesh (a local binding of this name) whose services are already
    /// added.
    Mesh(&'a str),
}

impl Handles<'_> {
    /// Writes the handle of the subset `name` (in the service, or `service/subset` in the
    /// mesh); false, writing nothing, when there is none.
    fn subset(&self, code: &mut Code, name: &str) -> bool {
        match self {
            Self::None => false,
            Self::Service { subsets } => {
                let Some(i) = subsets.iter().position(|s| s.name.value == name) else {
                    return false;
                };
                code.push("&");
                code.binding(&handle(i));
                true
            }
            Self::Mesh(mesh) => {
                let Some((service, subset)) = name.split_once('/') else {
                    return false;
                };
                // The macro checked that a service it holds declares the subset; a service
                // another crate's fragment defines is named as written, and the composed mesh's
                // checker judges it.
                code.push("&match ");
                code.binding(mesh);
                code.push(".service(");
                code.str_lit(service);
                code.push(").and_then(|service| service.subset(");
                code.str_lit(subset);
                code.push("))");
                code.group(Brace, |code| {
                    code.push(
                        "::core::option::Option::Some(subset) => subset, ::core::option::Option::None => ",
                    );
                    code.path("SubsetRef::unchecked(");
                    code.str_lit(service);
                    code.push(", ");
                    code.str_lit(subset);
                    code.push("),");
                });
                true
            }
        }
    }

    /// Writes where a route sends requests: a subset's handle, or the service as a whole.
    fn target(&self, code: &mut Code, name: &str) {
        if self.subset(code, name) {
            return;
        }
        match self {
            Self::Mesh(_) => {
                code.path("GatewayTarget::Service(");
                code.string(name);
                code.push(")");
            }
            // The service's own name (the macro refused any other).
            Self::Service { .. } | Self::None => code.path("RouteTarget::Service"),
        }
    }
}

/// The name of the handle of a service's `i`th subset, a local binding of the expansion.
pub(super) fn handle(i: usize) -> String {
    format!("subset_{i}")
}

/// Writes a literal with `literal`, an expression as written (with its own spans).
pub(super) fn given<T>(code: &mut Code, given: &Given<T>, literal: impl Fn(&mut Code, &T)) {
    match given {
        Given::Literal(spanned) => literal(code, &spanned.value),
        // Every value lands in an argument position, so the expression needs no parentheses
        // (which would trip `unused_parens` in the user's crate).
        Given::Expr(expr) => code.splice(&expr.expr),
    }
}

pub(super) fn text(code: &mut Code, value: &Given<String>) {
    given(code, value, |code, s| code.str_lit(s));
}

pub(super) fn owned_text(code: &mut Code, value: &Given<String>) {
    given(code, value, |code, s| code.string(s));
}

pub(super) fn count<T: Copy + Into<u64>>(code: &mut Code, value: &Given<T>) {
    given(code, value, |code, n| code.number((*n).into(), ""));
}

/// A checked duration, built the way a user writes one: `Duration::from_millis(30000)`.
pub(super) fn duration(code: &mut Code, value: &Given<Duration>) {
    given(code, value, |code, d| {
        code.path("Duration::from_millis(");
        code.number(d.as_millis(), ")");
    });
}

/// A checked quantity, through the constructor that names its unit when there is one.
pub(super) fn quantity(code: &mut Code, value: &Given<Quantity>) {
    given(code, value, |code, q| {
        let text = q.as_str();
        let whole = |suffix: &str| {
            text.strip_suffix(suffix)
                .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|n| n.parse::<u32>().ok())
        };
        let unit = [
            ("Mi", "mebibytes"),
            ("Gi", "gibibytes"),
            ("m", "millicores"),
            ("", "cores"),
        ]
        .into_iter()
        .find_map(|(suffix, unit)| Some((unit, whole(suffix)?)));
        if let Some((unit, n)) = unit {
            code.path("Quantity::");
            code.push(unit);
            code.push("(");
            code.number(n, ")");
        } else {
            // Checked by the macro with the same parser, so the error arm is never taken.
            code.push("match ");
            code.path("Quantity::parse(");
            code.str_lit(text);
            code.push(
                ") { ::core::result::Result::Ok(quantity) => quantity, \
                 ::core::result::Result::Err(_) => ::core::unreachable!(), }",
            );
        }
    });
}

pub(super) fn flag(code: &mut Code, value: &Given<bool>) {
    given(code, value, |code, b| {
        code.push(if *b { "true" } else { "false" })
    });
}

/// `Vec::<ty>::from([..])` around what `items` writes: typed, so an empty list still infers
/// where a setter takes any `IntoIterator` (an external caller that calls nothing).
fn vec_of(code: &mut Code, ty: &str, items: impl FnOnce(&mut Code)) {
    code.push("::std::vec::Vec:: < ");
    code.push(ty);
    code.push("> ::from");
    code.group(Parenthesis, |code| code.group(Bracket, items));
}

/// `Vec::<Type>::from([..])` of a model type.
fn vec_of_model(code: &mut Code, ty: &str, items: impl FnOnce(&mut Code)) {
    let ty = format!("{}::{ty}", code.krate());
    vec_of(code, &ty, items);
}

/// Writes each of `items` with `write`, separated by commas.
pub(super) fn comma_separated<T>(
    code: &mut Code,
    items: impl IntoIterator<Item = T>,
    mut write: impl FnMut(&mut Code, T),
) {
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            code.push(", ");
        }
        write(code, item);
    }
}

const STRING: &str = "::std::string::String";

/// A `Vec<String>` of names.
pub(super) fn names(code: &mut Code, items: &[Spanned<String>]) {
    vec_of(code, STRING, |code| {
        comma_separated(code, items, |code, s| code.string(&s.value));
    });
}

/// A `Vec<String>` of the services called: a name as a `String`, an expression (a
/// `ServiceRef`, say) through `String::from`.
pub(super) fn calls(code: &mut Code, items: &[Given<String>]) {
    vec_of(code, STRING, |code| {
        comma_separated(code, items, |code, item| match item {
            Given::Literal(name) => code.string(&name.value),
            Given::Expr(expr) => {
                // Spanned at the expression, so a value of the wrong type (`(42)`) is rustc's
                // error at it, not at the whole macro.
                let expr = &expr.expr;
                let span = syn::spanned::Spanned::span(expr);
                code.splice(quote_spanned!(span=> ::std::string::String::from(#expr)));
            }
        });
    });
}

pub(super) fn variant(code: &mut Code, path: &str, name: &str) {
    code.path(path);
    code.push("::");
    code.push(name);
}

/// `.setter(value)` for each key of `record`, in its table's order; a group's keys are setters
/// of the same builder, and `off` is `.maybe_setter(None)`. Keys whose setter is called on the
/// built value are [`after`]'s.
pub(super) fn setters(code: &mut Code, record: &Record, handles: Handles) {
    for (slot, value) in record.fields.iter().filter(|(slot, _)| !slot.after) {
        match value {
            Scalar::Group(inner) => setters(code, inner, handles),
            Scalar::Off(_) => {
                code.push(".maybe_");
                code.push(slot.setter);
                code.push("(::core::option::Option::None)");
            }
            value => {
                code.push(".");
                code.push(slot.setter);
                code.group(Parenthesis, |code| scalar(code, value, handles));
            }
        }
    }
}

/// `model.setter(..);` for each key of `record` whose setter is called on the built value: a
/// flag calls it (without an argument) when true, a lint level once per code.
pub(super) fn after(code: &mut Code, record: &Record, model: &str) {
    for (slot, value) in record.fields.iter().filter(|(slot, _)| slot.after) {
        let call = |code: &mut Code| {
            code.binding(model);
            code.push(".");
            code.push(slot.setter);
        };
        match value {
            Scalar::Lints(level, codes) => {
                for lint in codes {
                    call(code);
                    code.push("(");
                    code.path("diag::Code(");
                    code.str_lit(lint.value);
                    code.push("), ");
                    code.path(&format!("diag::Level::{level:?}); "));
                }
            }
            Scalar::Flag(Given::Literal(flag)) if flag.value => {
                call(code);
                code.push("(); ");
            }
            Scalar::Flag(Given::Literal(_)) => {}
            Scalar::Flag(flag) => {
                code.push("if ");
                self::flag(code, flag);
                code.group(Brace, |code| {
                    call(code);
                    code.push("(); ");
                });
            }
            value => {
                call(code);
                code.group(Parenthesis, |code| scalar(code, value, Handles::None));
                code.push("; ");
            }
        }
    }
}

/// A value as the argument of its setter, its names resolved to `handles`.
pub(super) fn scalar(code: &mut Code, value: &Scalar, handles: Handles) {
    match value {
        Scalar::Count(v) => count(code, v),
        Scalar::Number(v) => count(code, v),
        Scalar::Duration(v) => duration(code, v),
        Scalar::Text(v) => text(code, v),
        Scalar::Flag(v) => flag(code, v),
        Scalar::Percent(v) => given(code, v, |code, p| {
            // As `proc_macro2::Literal::f64_unsuffixed` writes it.
            let p = p.to_string();
            code.push(&p);
            if !p.contains('.') {
                code.push(".0");
            }
        }),
        Scalar::Names(items) => names(code, items),
        Scalar::Calls(items) => calls(code, items),
        Scalar::TextMap(entries) => text_map(code, entries),
        Scalar::Word(words, word) => variant(
            code,
            words.ty,
            &(words.variant)(word.value).unwrap_or_else(|| word.value.to_owned()),
        ),
        Scalar::LoadBalancer(lb) => load_balancer(code, &lb.value),
        Scalar::ClientTls(tls) => match &tls.value {
            ClientTls::IstioMutual => code.path("ClientTls::IstioMutual"),
            ClientTls::Disable => code.path("ClientTls::Disable"),
            ClientTls::Simple { sni: None } => {
                code.path("ClientTls::Simple { sni: ::core::option::Option::None }");
            }
            ClientTls::Simple { sni: Some(sni) } => {
                code.path("ClientTls::Simple { sni: ::core::option::Option::Some(");
                code.string(sni);
                code.push(") }");
            }
        },
        Scalar::DisruptionBudget(budget) => disruption_budget(code, budget.value),
        Scalar::Quantity(v) => quantity(code, v),
        Scalar::RetryOn(items) => vec_of_model(code, "RetryOn", |code| {
            comma_separated(code, items, |code, on| retry_on(code, on.value));
        }),
        Scalar::Target(name) => handles.target(code, &name.value),
        Scalar::Split(_, legs) => {
            code.path("Split::new()");
            for (name, weight) in legs {
                code.call(".weight", |code| {
                    if handles.subset(code, &name.value) {
                        code.push(", ");
                        count(code, weight);
                    }
                });
            }
        }
        Scalar::StringMatch(m) => string_match(code, &m.value),
        Scalar::Headers(_, headers) => vec_of_model(code, "HeaderMatch", |code| {
            header_matches(code, headers);
        }),
        Scalar::Records(ty, _, items) => vec_of_model(code, ty, |code| {
            comma_separated(code, items, |code, item| scalar(code, item, handles));
        }),
        Scalar::Record(ty, fields) => self::record(code, ty, fields, |_| {}, handles),
        // Written by `setters`, which knows the setter.
        Scalar::Off(_) => code.push("::core::option::Option::None"),
        Scalar::Group(fields) => setters(code, fields, handles),
        Scalar::Through(through, inner) => {
            code.path(through.ty);
            match through.via {
                Via::Call(call) => {
                    code.push("::");
                    code.push(call);
                    code.group(Parenthesis, |code| scalar(code, inner, handles));
                }
                Via::Setter(setter) => {
                    code.push("::builder().");
                    code.push(setter);
                    code.group(Parenthesis, |code| scalar(code, inner, handles));
                    code.push(".build()");
                }
            }
        }
        Scalar::EdgeRequest(request, _) => match &request.value {
            EdgeRequest::Grpc { service, method } => {
                code.path("EdgeRequest::Grpc { service: ");
                code.string(service);
                code.push(", method: ");
                match method {
                    Some(method) => {
                        code.push("::core::option::Option::Some(");
                        code.string(method);
                        code.push(")");
                    }
                    None => code.push("::core::option::Option::None"),
                }
                code.push(" }");
            }
            EdgeRequest::PathPrefix(prefix) => {
                code.path("EdgeRequest::PathPrefix(");
                code.string(prefix);
                code.push(")");
            }
        },
        Scalar::ServiceAccount(account) => super::security::service_account(code, &account.value),
        Scalar::Sources(_, from, _) => super::security::sources(code, from),
        Scalar::Runtime(runtime) => match runtime {
            RuntimeNode::IstioIngress(_) => code.path("GatewayRuntime::istio_ingress()"),
            RuntimeNode::IstioClass(_) => {
                code.path("GatewayRuntime::from(");
                code.path("GatewayClass::istio())");
            }
            RuntimeNode::EnvoyGateway(name) => {
                code.path("GatewayRuntime::from(");
                code.path("GatewayClass::envoy_gateway(");
                code.str_lit(&name.value);
                code.push("))");
            }
            RuntimeNode::Class(class) => {
                code.path("GatewayRuntime::from");
                code.group(Parenthesis, |code| scalar(code, class, handles));
            }
        },
        // Written by `after`, which knows the model.
        Scalar::Lints(..) => {}
    }
}

fn string_match(code: &mut Code, m: &StringMatch) {
    let (variant, s) = match m {
        StringMatch::Exact(s) => ("Exact", s),
        StringMatch::Prefix(s) => ("Prefix", s),
        StringMatch::Regex(s) => ("Regex", s),
    };
    code.path("StringMatch::");
    code.push(variant);
    code.push("(");
    code.str_lit(s);
    code.push(".to_owned())");
}

/// `HeaderMatch { name, value }` for each header condition, separated by commas.
pub(super) fn header_matches(code: &mut Code, headers: &[(Spanned<String>, Spanned<StringMatch>)]) {
    comma_separated(code, headers, |code, (name, value)| {
        code.path("HeaderMatch { name: ");
        code.string(&name.value);
        code.push(", value: ");
        string_match(code, &value.value);
        code.push(" }");
    });
}

fn retry_on(code: &mut Code, on: RetryOn) {
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
        RetryOn::Status(status) => {
            code.path("RetryOn::Status(");
            code.number(status, "u16)");
            return;
        }
        // RetryOn is non_exhaustive: a condition added later is written by its text.
        other => {
            code.push("match < ");
            code.path("RetryOn as ::core::str::FromStr> ::from_str(");
            code.str_lit(&other.to_string());
            code.push(
                ") { ::core::result::Result::Ok(on) => on, \
                 ::core::result::Result::Err(_) => ::core::unreachable!(), }",
            );
            return;
        }
    };
    variant(code, "RetryOn", name);
}

/// `Type::builder().key(value)...build()` for a block whose keys are the setters, `extra`
/// writing setters after them.
pub(super) fn record(
    code: &mut Code,
    ty: &str,
    record: &Record,
    extra: impl FnOnce(&mut Code),
    handles: Handles,
) {
    code.path(ty);
    code.push("::builder()");
    setters(code, record, handles);
    extra(code);
    code.push(".build()");
}

/// `Type::builder().key(value)...name("name").build()` for a named node (a subset, listener,
/// external caller, telemetry), its name set after its keys.
pub(super) fn named_record(code: &mut Code, ty: &str, name: &str, record: &Record) {
    self::record(
        code,
        ty,
        record,
        |code| name_setter(code, name),
        Handles::None,
    );
}

/// `.name("name")`, the setter every named node's builder has.
pub(super) fn name_setter(code: &mut Code, name: &str) {
    code.push(".name(");
    code.str_lit(name);
    code.push(")");
}

fn disruption_budget(code: &mut Code, budget: DisruptionBudget) {
    let count = |code: &mut Code, count: PodCount| {
        let (variant, n) = match count {
            PodCount::Pods(n) => ("PodCount::Pods(", n),
            PodCount::Percent(p) => ("PodCount::Percent(", p),
        };
        code.path(variant);
        code.number(n, "u32)");
    };
    match budget {
        DisruptionBudget::MaxUnavailable(n) => {
            code.path("DisruptionBudget::MaxUnavailable(");
            count(code, n);
            code.push(")");
        }
        DisruptionBudget::MinAvailable(n) => {
            code.path("DisruptionBudget::MinAvailable(");
            count(code, n);
            code.push(")");
        }
        DisruptionBudget::Disabled => code.path("DisruptionBudget::Disabled"),
        // Auto, and any kind added later: the builder's default.
        _ => code.path("DisruptionBudget::Auto"),
    }
}

fn load_balancer(code: &mut Code, lb: &LoadBalancer) {
    match lb {
        LoadBalancer::Simple(simple) => {
            code.path("LoadBalancer::Simple(");
            variant(
                code,
                "SimpleLb",
                match simple {
                    SimpleLb::RoundRobin => "RoundRobin",
                    SimpleLb::LeastRequest => "LeastRequest",
                    SimpleLb::Random => "Random",
                    SimpleLb::Passthrough => "Passthrough",
                },
            );
            code.push(")");
        }
        LoadBalancer::ConsistentHash(key) => {
            code.path("LoadBalancer::ConsistentHash(");
            match key {
                HashKey::HttpHeaderName(name) => {
                    code.path("HashKey::HttpHeaderName(");
                    code.string(name);
                    code.push(")");
                }
                HashKey::HttpQueryParameterName(name) => {
                    code.path("HashKey::HttpQueryParameterName(");
                    code.string(name);
                    code.push(")");
                }
                HashKey::UseSourceIp => code.path("HashKey::UseSourceIp"),
            }
            code.push(")");
        }
    }
}

pub(super) fn text_map(code: &mut Code, entries: &[(Spanned<String>, Given<String>)]) {
    code.push("::std::collections::BTreeMap::from");
    code.group(Parenthesis, |code| {
        code.group(Bracket, |code| {
            comma_separated(code, entries, |code, (key, value)| {
                code.group(Parenthesis, |code| {
                    code.string(&key.value);
                    code.push(", ::core::convert::Into:: < ::std::string::String > ::into");
                    code.group(Parenthesis, |code| owned_text(code, value));
                });
            });
        });
    });
}
