//! Values of the table's kinds as written ([`Scalar`]), read by [`Scalar::read`], and how each
//! lands in its model type ([`FromScalar`]), names resolved in a [`Scope`].

use std::collections::BTreeMap;

use connectum_mesh_core::diag::did_you_mean;
use connectum_mesh_core::{
    AppTimeout, AppTls, Autoscaler, ClientTls, DisruptionBudget, Duration, EdgeRequest,
    GatewayClass, GatewayImplementation, GatewayMatch, GatewayRuntime, GatewayTarget,
    H2UpgradePolicy, HeaderMatch, HostStyle, Level, ListenerProtocol, LoadBalancer, Mesh, MeshMode,
    MtlsMode, Quantity, RequestMatch, RetryBudget, RetryOn, RouteTarget, Scaling, Service,
    ServiceAccountRef, SidecarMode, Source, Split, SpreadPolicy, StringMatch, SubsetRef,
};

use super::mesh::lint_codes;
use super::record::{Kind, Off, Record, Through, Words, expected, record};
use super::security::{SourceNode, account, sources};
use super::shaped::{
    RuntimeNode, client_tls, disruption_budget, headers, load_balancer, retry_conditions, runtime,
    split_legs, string_match,
};
use super::tree::{SpanRange, Value};
use super::value::{
    Given, Spanned, callees, count, duration, flag, name, names, number, percent, quantity, text,
    text_map, word, wrong,
};
use crate::errors::{Codes, Errors};

/// What the names a value refers to resolve against while lowering: the service a route
/// belongs to, or the mesh a gateway routes into.
#[derive(Clone, Copy, Debug, Default)]
pub enum Scope<'a> {
    /// No names to resolve.
    #[default]
    Free,
    /// A service's route: `to: canary` names its subset.
    Service(&'a Service),
    /// A gateway's route: `target: order-service/canary` names a service of the mesh.
    Mesh(&'a Mesh),
}

/// A value of one of the [`Kind`]s, as written.
#[derive(Clone, Debug)]
pub enum Scalar {
    /// A whole number up to `u32::MAX`.
    Count(Given<u32>),
    /// A whole number in a range.
    Number(Given<u64>),
    /// A duration.
    Duration(Given<Duration>),
    /// Text.
    Text(Given<String>),
    /// A yes/no.
    Flag(Given<bool>),
    /// A percentage.
    Percent(Given<f64>),
    /// A list of names.
    Names(Vec<Spanned<String>>),
    /// A list of services called, each a name or an expression.
    Calls(Vec<Given<String>>),
    /// A map of text.
    TextMap(Vec<(Spanned<String>, Given<String>)>),
    /// A word of the model's table, with the enum's words.
    Word(&'static Words, Spanned<&'static str>),
    /// A load balancer.
    LoadBalancer(Spanned<LoadBalancer>),
    /// A PodDisruptionBudget.
    DisruptionBudget(Spanned<DisruptionBudget>),
    /// A quantity.
    Quantity(Given<Quantity>),
    /// A client TLS mode.
    ClientTls(Spanned<ClientTls>),
    /// A name a route sends requests to.
    Target(Spanned<String>),
    /// A weighted split: the block, and each leg's name and weight.
    Split(SpanRange, Vec<(Spanned<String>, Given<u32>)>),
    /// A string match.
    StringMatch(Spanned<StringMatch>),
    /// Header conditions, each header's name and match.
    Headers(SpanRange, Vec<(Spanned<String>, Spanned<StringMatch>)>),
    /// Blocks of another node's keys (a list, or one written alone), with that node's model
    /// type.
    Records(&'static str, SpanRange, Vec<Scalar>),
    /// Retry conditions.
    RetryOn(Vec<Spanned<RetryOn>>),
    /// A block of another node's keys, with that node's model type.
    Record(&'static str, Record),
    /// `off` for a [`Kind::OrOff`] whose `off` is [`Off::Unset`].
    Off(SpanRange),
    /// A block of keys that set fields of the node holding it.
    Group(Record),
    /// A value handed to a constructor of its field's type.
    Through(&'static Through, Box<Scalar>),
    /// What a gateway match takes, and the key each part is written at.
    EdgeRequest(Spanned<EdgeRequest>, Vec<(&'static str, SpanRange)>),
    /// A service account, `namespace/name`.
    ServiceAccount(Spanned<String>),
    /// Who an allow rule admits, and whether a source was malformed (and reported).
    Sources(SpanRange, Vec<SourceNode>, bool),
    /// Where a gateway runs.
    Runtime(RuntimeNode),
    /// Diagnostic codes given one level.
    Lints(Level, Vec<Spanned<&'static str>>),
}

impl Scalar {
    /// Reads `value` as `kind`, reporting what does not fit.
    pub fn read(value: &Value, kind: Kind, errors: &mut Errors) -> Option<Self> {
        Some(match kind {
            Kind::Count => Self::Count(count(value, errors)?),
            Kind::Number { min, max } => Self::Number(number(value, min, max, errors)?),
            Kind::Duration => Self::Duration(duration(value, errors)?),
            Kind::Text => Self::Text(text(value, errors)?),
            Kind::Flag => Self::Flag(flag(value, errors)?),
            Kind::Percent => Self::Percent(percent(value, errors)?),
            Kind::Names => Self::Names(names(value, errors)),
            Kind::Calls => Self::Calls(callees(value, errors)),
            Kind::TextMap => Self::TextMap(text_map(value, errors)),
            Kind::Word(words) => {
                let table: Vec<(&'static str, &'static str)> =
                    (words.words)().into_iter().map(|w| (w, w)).collect();
                Self::Word(words, word(value, &table, errors)?)
            }
            Kind::LoadBalancer => Self::LoadBalancer(load_balancer(value, errors)?),
            Kind::DisruptionBudget => Self::DisruptionBudget(disruption_budget(value, errors)?),
            Kind::Quantity => Self::Quantity(quantity(value, errors)?),
            Kind::ClientTls => Self::ClientTls(client_tls(value, errors)?),
            Kind::Target => Self::Target(name(value, errors)?),
            Kind::Split { qualified } => {
                Self::Split(value.span(), split_legs(value, qualified, errors)?)
            }
            Kind::StringMatch => Self::StringMatch(string_match(value, errors)?),
            Kind::Headers => Self::Headers(value.span(), headers(value, errors)?),
            Kind::Records(node) => {
                let items = match value {
                    Value::List { items, .. } => items.iter().collect(),
                    one => vec![one],
                };
                let records = items
                    .into_iter()
                    .filter_map(|item| Some(Self::Record(node.ty(), record(item, node, errors)?)))
                    .collect();
                Self::Records(node.ty(), value.span(), records)
            }
            Kind::RetryOn => Self::RetryOn(retry_conditions(value, errors)),
            Kind::Record(node) => Self::Record(node.ty(), record(value, node, errors)?),
            Kind::OrOff(node, off) => match value {
                Value::Name(word) if word.text == "off" => match off {
                    Off::Unset => Self::Off(word.span),
                    Off::Zero(key) => {
                        let zero = Given::Literal(Spanned {
                            value: 0,
                            span: word.span,
                        });
                        let fields = node
                            .slot(key)
                            .map(|slot| (slot, Self::Count(zero)))
                            .into_iter()
                            .collect();
                        Self::Record(
                            node.ty(),
                            Record {
                                span: word.span,
                                fields,
                            },
                        )
                    }
                },
                Value::Block(_) => Self::Record(node.ty(), record(value, node, errors)?),
                Value::Name(word) => {
                    errors.at_with_help(
                        word.span,
                        Codes::WRONG_VALUE,
                        format!("expected {} or `off`, found a name", expected(node)),
                        did_you_mean(&word.text, ["off"], "write `off`, or the block"),
                    );
                    return None;
                }
                other => {
                    wrong(errors, other, &format!("{} or `off`", expected(node)));
                    return None;
                }
            },
            Kind::Group(node) => Self::Group(record(value, node, errors)?),
            Kind::Through(through) => {
                Self::Through(through, Box::new(Self::read(value, through.kind, errors)?))
            }
            // Read by `Fields::record` from the block's keys, never from one value.
            Kind::Spread(_) => return None,
            Kind::ServiceAccount => Self::ServiceAccount(account(value, errors)?),
            Kind::Sources => {
                let (from, broken) = sources(value, errors);
                Self::Sources(value.span(), from, broken)
            }
            Kind::Runtime => Self::Runtime(runtime(value, errors)?),
            Kind::Lint(level) => Self::Lints(level, lint_codes(value, level, errors)),
        })
    }

    /// Where it is written.
    pub fn span(&self) -> SpanRange {
        match self {
            Self::Count(g) => g.span(),
            Self::Number(g) => g.span(),
            Self::Duration(g) => g.span(),
            Self::Text(g) => g.span(),
            Self::Flag(g) => g.span(),
            Self::Percent(g) => g.span(),
            Self::Names(items) => spread(items.iter().map(|i| i.span)),
            Self::Calls(items) => spread(items.iter().map(Given::span)),
            Self::TextMap(entries) => spread(entries.iter().map(|(k, v)| k.span.to(v.span()))),
            Self::Word(_, word) => word.span,
            Self::LoadBalancer(lb) => lb.span,
            Self::DisruptionBudget(budget) => budget.span,
            Self::Quantity(g) => g.span(),
            Self::Target(name) => name.span,
            Self::ClientTls(tls) => tls.span,
            Self::StringMatch(m) => m.span,
            Self::Split(span, _) | Self::Headers(span, _) | Self::Records(_, span, _) => *span,
            Self::RetryOn(items) => spread(items.iter().map(|i| i.span)),
            Self::Record(_, record) | Self::Group(record) => record.span,
            Self::Off(span) => *span,
            Self::Through(_, inner) => inner.span(),
            Self::EdgeRequest(request, _) => request.span,
            Self::ServiceAccount(account) => account.span,
            Self::Sources(span, ..) => *span,
            Self::Runtime(runtime) => runtime.span(),
            Self::Lints(_, codes) => spread(codes.iter().map(|c| c.span)),
        }
    }

    /// Stores the value in `slot` when it is known now, resolving names in `scope`; an
    /// expression leaves the model's default, and the lowering marks its path.
    pub fn store<T: FromScalar>(&self, slot: &mut T, scope: Scope) {
        if let Some(value) = T::from_scalar(self, scope) {
            *slot = value;
        }
    }
}

/// The span from the first to the last of `spans` (a list or map as a whole).
fn spread(mut spans: impl Iterator<Item = SpanRange>) -> SpanRange {
    let first = spans
        .next()
        .unwrap_or_else(|| SpanRange::single(proc_macro2::Span::call_site()));
    spans.last().map_or(first, |last| first.to(last))
}

fn literal<T: Clone>(given: &Given<T>) -> Option<T> {
    match given {
        Given::Literal(spanned) => Some(spanned.value.clone()),
        Given::Expr(_) => None,
    }
}

/// A model field's type that takes a [`Scalar`]: `Option<T>` takes what `T` takes.
pub trait FromScalar: Sized {
    /// The value, when `scalar` is of this type's kind and known now, its names resolved in
    /// `scope`.
    fn from_scalar(scalar: &Scalar, scope: Scope) -> Option<Self>;
}

impl<T: FromScalar> FromScalar for Option<T> {
    fn from_scalar(scalar: &Scalar, scope: Scope) -> Option<Self> {
        if let Scalar::Off(_) = scalar {
            return Some(None);
        }
        T::from_scalar(scalar, scope).map(Some)
    }
}

/// A route's `to: canary` or a split leg's subset. A name the service does not declare is
/// kept as an unchecked reference, which the checker reports (CM0201) with the closest name.
fn route_target(service: &Service, name: &str) -> RouteTarget {
    if name == service.name {
        return RouteTarget::Service;
    }
    RouteTarget::Subset(
        service
            .subset(name)
            .unwrap_or_else(|| SubsetRef::unchecked(&service.name, name)),
    )
}

/// `service/subset` as a subset of a declared service (an undeclared one is kept unchecked, and
/// the checker reports it with the closest name), or `None` when the name has no `/`.
pub fn qualified_subset(mesh: &Mesh, name: &str) -> Option<SubsetRef> {
    let (service, subset) = name.split_once('/')?;
    Some(
        mesh.service(service)
            .and_then(|s| s.subset(subset))
            .unwrap_or_else(|| SubsetRef::unchecked(service, subset)),
    )
}

/// A route's destination from `to`/`target` (`one` resolves the name) or `split` (`leg`
/// resolves each leg's subset; a weight known only at run time is 0).
fn destination<T>(
    scalar: &Scalar,
    one: impl Fn(&str) -> T,
    leg: impl Fn(&str) -> Option<SubsetRef>,
    split: impl Fn(Split) -> T,
) -> Option<T> {
    match scalar {
        Scalar::Target(name) => Some(one(&name.value)),
        Scalar::Split(_, legs) => Some(split(legs.iter().fold(
            Split::new(),
            |split, (name, weight)| match leg(&name.value) {
                Some(subset) => split.weight(&subset, literal(weight).unwrap_or(0)),
                None => split,
            },
        ))),
        _ => None,
    }
}

impl FromScalar for RouteTarget {
    fn from_scalar(scalar: &Scalar, scope: Scope) -> Option<Self> {
        let Scope::Service(service) = scope else {
            return None;
        };
        let leg = |name: &str| match route_target(service, name) {
            RouteTarget::Subset(subset) => Some(subset),
            _ => Some(SubsetRef::unchecked(&service.name, name)),
        };
        destination(scalar, |name| route_target(service, name), leg, Self::Split)
    }
}

impl FromScalar for GatewayTarget {
    fn from_scalar(scalar: &Scalar, scope: Scope) -> Option<Self> {
        let Scope::Mesh(mesh) = scope else {
            return None;
        };
        let one = |name: &str| {
            qualified_subset(mesh, name).map_or_else(|| Self::service(name), Self::Subset)
        };
        destination(
            scalar,
            one,
            |name| qualified_subset(mesh, name),
            Self::Split,
        )
    }
}

/// The blocks of a [`Scalar::Records`], each as the model type `T`.
fn records<T: FromScalar>(scalar: &Scalar, scope: Scope) -> Option<Vec<T>> {
    let Scalar::Records(_, _, items) = scalar else {
        return None;
    };
    Some(
        items
            .iter()
            .filter_map(|item| T::from_scalar(item, scope))
            .collect(),
    )
}

impl FromScalar for Vec<RequestMatch> {
    fn from_scalar(scalar: &Scalar, scope: Scope) -> Option<Self> {
        records(scalar, scope)
    }
}

impl FromScalar for Vec<GatewayMatch> {
    fn from_scalar(scalar: &Scalar, scope: Scope) -> Option<Self> {
        records(scalar, scope)
    }
}

/// `namespace/name` (the syntax refuses any other shape).
fn service_account(text: &str) -> Option<ServiceAccountRef> {
    text.split_once('/')
        .map(|(namespace, name)| ServiceAccountRef::new(namespace, name))
}

/// The value a [`Scalar::Through`] hands on.
fn through(scalar: &Scalar) -> Option<&Scalar> {
    match scalar {
        Scalar::Through(_, inner) => Some(inner),
        _ => None,
    }
}

impl FromScalar for Scaling {
    fn from_scalar(scalar: &Scalar, scope: Scope) -> Option<Self> {
        match through(scalar)? {
            inner @ Scalar::Count(_) => u32::from_scalar(inner, scope).map(Self::Replicas),
            inner => Autoscaler::from_scalar(inner, scope).map(Self::Autoscale),
        }
    }
}

impl FromScalar for RetryBudget {
    fn from_scalar(scalar: &Scalar, scope: Scope) -> Option<Self> {
        u64::from_scalar(through(scalar)?, scope).map(Self::calls)
    }
}

impl FromScalar for AppTls {
    fn from_scalar(scalar: &Scalar, scope: Scope) -> Option<Self> {
        String::from_scalar(through(scalar)?, scope)
            .map(|dir| Self::builder().dir_path(dir).build())
    }
}

impl FromScalar for GatewayRuntime {
    fn from_scalar(scalar: &Scalar, scope: Scope) -> Option<Self> {
        let Scalar::Runtime(runtime) = scalar else {
            return None;
        };
        Some(match runtime {
            RuntimeNode::IstioIngress(_) => Self::istio_ingress(),
            RuntimeNode::IstioClass(_) => GatewayClass::istio().into(),
            RuntimeNode::EnvoyGateway(name) => GatewayClass::envoy_gateway(&name.value).into(),
            RuntimeNode::Class(class) => GatewayClass::from_scalar(class, scope)
                .unwrap_or_else(GatewayClass::istio)
                .into(),
        })
    }
}

macro_rules! from_scalar {
    ($($ty:ty: $($pattern:pat => $value:expr),+;)*) => {$(
        impl FromScalar for $ty {
            fn from_scalar(scalar: &Scalar, _: Scope) -> Option<Self> {
                #[allow(unreachable_patterns)]
                match scalar {
                    $($pattern => $value,)+
                    _ => None,
                }
            }
        }
    )*};
}

from_scalar! {
    u32: Scalar::Count(g) => literal(g), Scalar::Number(g) => literal(g).and_then(|n| n.try_into().ok());
    u16: Scalar::Number(g) => literal(g).and_then(|n| n.try_into().ok());
    u64: Scalar::Number(g) => literal(g), Scalar::Count(g) => literal(g).map(u64::from);
    i64: Scalar::Count(g) => literal(g).map(i64::from);
    f64: Scalar::Percent(g) => literal(g);
    bool: Scalar::Flag(g) => literal(g);
    String: Scalar::Text(g) => literal(g);
    Duration: Scalar::Duration(g) => literal(g);
    Quantity: Scalar::Quantity(g) => literal(g);
    StringMatch: Scalar::StringMatch(m) => Some(m.value.clone());
    Vec<HeaderMatch>: Scalar::Headers(_, items) => Some(
        items
            .iter()
            .map(|(name, value)| HeaderMatch {
                name: name.value.clone(),
                value: value.value.clone(),
            })
            .collect(),
    );
    Vec<RetryOn>: Scalar::RetryOn(items) => Some(items.iter().map(|i| i.value).collect());
    LoadBalancer: Scalar::LoadBalancer(lb) => Some(lb.value.clone());
    ClientTls: Scalar::ClientTls(tls) => Some(tls.value.clone());
    DisruptionBudget: Scalar::DisruptionBudget(budget) => Some(budget.value);
    SpreadPolicy: Scalar::Word(_, w) => w.value.parse::<Self>().ok();
    SidecarMode: Scalar::Word(_, w) => w.value.parse::<Self>().ok();
    MeshMode: Scalar::Word(_, w) => w.value.parse::<Self>().ok();
    AppTimeout: Scalar::Duration(g) => literal(g).map(|d| AppTimeout::builder().duration(d).build());
    // A call written as an expression is known only at run time: the model leaves it out, and
    // lowering judges the mesh like a fragment then.
    Vec<String>: Scalar::Names(items) => Some(items.iter().map(|i| i.value.clone()).collect()),
        Scalar::Calls(items) => Some(items.iter().filter_map(literal).collect());
    BTreeMap<String, String>: Scalar::TextMap(entries) => Some(
        entries
            .iter()
            .filter_map(|(key, value)| Some((key.value.clone(), literal(value)?)))
            .collect(),
    );
    MtlsMode: Scalar::Word(_, w) => w.value.parse::<Self>().ok();
    HostStyle: Scalar::Word(_, w) => w.value.parse::<Self>().ok();
    ListenerProtocol: Scalar::Word(_, w) => w.value.parse::<Self>().ok();
    GatewayImplementation: Scalar::Word(_, w) => w.value.parse::<Self>().ok();
    H2UpgradePolicy: Scalar::Word(_, w) => w.value.parse::<Self>().ok();
    EdgeRequest: Scalar::EdgeRequest(request, _) => Some(request.value.clone());
    // Read as `namespace/name`: the syntax refuses any other shape.
    ServiceAccountRef: Scalar::ServiceAccount(account) => service_account(&account.value);
    Vec<Source>: Scalar::Sources(_, from, _) => Some(
        from.iter()
            .filter_map(|source| match source {
                SourceNode::ServiceAccount(account) => {
                    service_account(&account.value).map(Source::ServiceAccount)
                }
                SourceNode::Namespace(namespace) => Some(Source::Namespace(namespace.value.clone())),
            })
            .collect(),
    );
}
