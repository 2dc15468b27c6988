//! One table per DSL node: for each key its word, the builder's setter (also the model's
//! field) and the diagnostic path's segment (one word unless the row says otherwise), the kind
//! of value it holds, whether it is required, old words it still accepts, and how its value
//! lands in the model. Reading ([`Fields::record`]), lowering (`lower::Lowering::record`) and
//! expansion (`expand::value::setters`) all follow from the table, so a key is added in one
//! place:
//!
//! ```text
//! table! {
//!     /// The keys of `route name? { ... }`.
//!     pub ROUTE for Route {
//!         match as matches: Kind::Records(REQUEST_MATCH);
//!         to as target: Kind::Target => choice(DESTINATION);
//!         split as target: Kind::Split { qualified: false } => choice(DESTINATION).path("split");
//!         timeout: Kind::Duration;
//!         retries: Kind::OrOff(RETRIES, Off::Zero("attempts"));
//!     }
//! }
//! ```
//!
//! A row is `word: kind`, `word as field: kind` (the builder's setter and the model's field
//! differ from the DSL word) or `word: group NODE` (a block of the same model's fields),
//! optionally followed by `=>` and options: `required()`, `was(&["old"])` (old words, still
//! accepted with a CM0912 deprecation hint), `choice(&CHOICE)` (keys that set one setter and
//! exclude each other) and `path("segment")` (the checker names the item otherwise). The
//! model struct needs the field, of a type that takes the kind's value ([`FromScalar`]), and
//! its builder a setter of that name taking what the kind expands to.

use std::collections::BTreeMap;

use connectum_mesh_core::{
    AppTimeout, ClientTls, DisruptionBudget, Duration, GatewayImplementation, GatewayTarget,
    H2UpgradePolicy, HeaderMatch, HostStyle, ListenerProtocol, LoadBalancer, Mesh, MeshMode,
    MtlsMode, Quantity, RequestMatch, RetryOn, RouteTarget, Service, SidecarMode, Split,
    SpreadPolicy, StringMatch, SubsetRef,
};

use connectum_mesh_core::diag::did_you_mean;

use super::Fields;
use super::mesh::node_name;
use super::tree::{Block, SpanRange, Value};
use super::value::{
    Given, Spanned, block_of, client_tls, count, disruption_budget, duration, flag, headers,
    load_balancer, name, names, number, percent, quantity, retry_conditions, split_legs,
    string_match, text, text_map, word, wrong,
};
use crate::errors::{Codes, Errors};

/// What a key's value is written as.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// A whole number up to `u32::MAX`: `3`.
    Count,
    /// A whole number in a range: `port: 5000` (1 to 65535).
    Number {
        /// The smallest value allowed.
        min: u64,
        /// The largest value allowed.
        max: u64,
    },
    /// A duration: `30s`, `250ms`.
    Duration,
    /// Text: `"ghcr.io/x:1.0.0"`, or a bare name.
    Text,
    /// A yes/no: `true`, `off`, `enabled`.
    Flag,
    /// A percentage from 0 to 100: `12.5`.
    Percent,
    /// A list of names: `[a, b]`.
    Names,
    /// A map of text: `{ KEY: "value" }`.
    TextMap,
    /// One word of a fixed set, each the variant of a model enum: `mtls: STRICT`.
    Word(&'static Words),
    /// A load balancer: `ROUND_ROBIN`, or `consistent_hash header x-user`.
    LoadBalancer,
    /// A PodDisruptionBudget: `auto`, `disabled`, `max_unavailable 1`, `min_available "50%"`.
    DisruptionBudget,
    /// A Kubernetes quantity: `100m`, `128Mi`.
    Quantity,
    /// The TLS callers originate: `ISTIO_MUTUAL`, `DISABLE`, `SIMPLE`, `SIMPLE "api.x.com"`.
    ClientTls,
    /// Where a route sends requests: `to: canary` (a subset of the route's service, or the
    /// service itself), `target: order-service/canary` (a gateway's: a service, or a subset
    /// with its service).
    Target,
    /// A weighted split: `split: { stable: 90, canary: 10 }`; `qualified` when each leg names
    /// its service too (`order-service/canary: 10`, a gateway's).
    Split {
        /// Whether legs are `service/subset`.
        qualified: bool,
    },
    /// A string match: `"exact"`, `prefix "beta-"`, `regex "v[0-9]+"`.
    StringMatch,
    /// Header conditions: `{ x-canary: "true", x-user: prefix "beta-" }`.
    Headers,
    /// Retry conditions, one or a list: `[unavailable, deadline-exceeded, 503]`.
    RetryOn,
    /// A block of another node's keys: `shutdown: { timeout: 30s }`.
    Record(&'static dyn Nested),
    /// A block of another node's keys, or `off`: `startup: off`, `retries: off`.
    OrOff(&'static dyn Nested, Off),
    /// One block of another node's keys or a list of them: `match: { .. }`,
    /// `match: [{ .. }, { .. }]`.
    Records(&'static dyn Nested),
    /// A block whose keys set fields of this key's own node under their own words:
    /// `requests: { cpu: 100m }` sets a `Resources`' `cpu_request`. Declared with `table!`'s
    /// group form; its row is `word: group NODE`.
    Group(&'static dyn Nested),
}

/// Keys that set one setter in different ways (`to: canary` or `split: { .. }`, both a
/// route's `target`): at most one of them may be written, and one must be unless `none` is
/// `None`.
#[derive(Debug)]
pub struct Choice {
    /// The message when two are written (at both values).
    pub both: &'static str,
    /// The message and help when none is (at the node).
    pub none: Option<(&'static str, &'static str)>,
}

/// What `off` means for a [`Kind::OrOff`] key.
#[derive(Clone, Copy, Debug)]
pub enum Off {
    /// The model's `Option` is `None`: no probe (the builder's `maybe_` setter).
    Unset,
    /// The node with this one key at zero: `retries: off` is `{ attempts: 0 }`, which Istio
    /// reads as "no retries" (an absent policy would mean its implicit two).
    Zero(&'static str),
}

/// A node whose keys sit in a block under a key of another node (`shutdown: { .. }`), built
/// with its own builder; declared with `table!`'s record form.
pub trait Nested: Sync {
    /// The model type's name in the crate root, whose builder the expansion calls.
    fn ty(&self) -> &'static str;
    /// The node in messages: "graceful shutdown".
    fn what(&self) -> &'static str;
    /// What a value of it looks like, for "expected ..., found ..." (default: a block for
    /// [`what`](Self::what)).
    fn example(&self) -> Option<&'static str>;
    /// The slot of the key `word`.
    fn slot(&self, word: &str) -> Option<Slot>;
    /// Reads `block` as this node's keys.
    fn read(&self, block: &Block, errors: &mut Errors) -> Record;
}

impl std::fmt::Debug for dyn Nested {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.ty())
    }
}

/// A [`Nested`] node: its model type's name, its name in messages, and its table.
pub struct Node<M: 'static> {
    /// The model type's name: `GracefulShutdown`.
    pub ty: &'static str,
    /// The node in messages: "graceful shutdown".
    pub what: &'static str,
    /// What a value of it looks like, when a block of `what` does not say enough.
    pub example: Option<&'static str>,
    /// Its keys.
    pub table: Table<M>,
}

impl<M> Nested for Node<M> {
    fn ty(&self) -> &'static str {
        self.ty
    }

    fn what(&self) -> &'static str {
        self.what
    }

    fn example(&self) -> Option<&'static str> {
        self.example
    }

    fn slot(&self, word: &str) -> Option<Slot> {
        self.table
            .iter()
            .find(|key| key.word == word)
            .map(Key::slot)
    }

    fn read(&self, block: &Block, errors: &mut Errors) -> Record {
        record_of(block, self.what, self.table, errors)
    }
}

/// Stores every key of `record` in `model`, through the table's lowering.
pub fn store_record<M>(model: &mut M, record: &Record, table: Table<M>, scope: Scope) {
    for (slot, scalar) in &record.fields {
        if let Some(key) = table.iter().find(|key| key.word == slot.word) {
            (key.lower)(model, scalar, scope);
        }
    }
}

/// Stores the keys of a [`Kind::Group`] value in `model`, the model of the node that holds it.
pub fn store_group<M>(model: &mut M, scalar: &Scalar, group: &Node<M>, scope: Scope) {
    if let Scalar::Group(record) = scalar {
        store_record(model, record, group.table, scope);
    }
}

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

/// The words of a [`Kind::Word`]: a model enum's own [`connectum_mesh_core::Words`] table, so
/// the DSL, the model's `FromStr` and the CLI spell each value the same way.
pub struct Words {
    /// The enum's name in the crate root: `MtlsMode`.
    pub ty: &'static str,
    /// The words, in the model's order.
    pub words: fn() -> Vec<&'static str>,
    /// The variant a word names (`STRICT` → `Strict`), for the expansion.
    pub variant: fn(&str) -> Option<String>,
}

impl Words {
    /// The words of the model enum `T`, named `ty` in the crate root.
    pub const fn of<T: connectum_mesh_core::Words + std::fmt::Debug>(ty: &'static str) -> Self {
        Self {
            ty,
            words: || T::words().collect(),
            variant: |word| T::from_word(word).ok().map(|value| format!("{value:?}")),
        }
    }
}

impl std::fmt::Debug for Words {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.ty)
    }
}

/// Where a key's value goes: its DSL word, the builder's setter (also the model's field), and
/// the segment of diagnostic paths. The three are one word unless the row says otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    /// The DSL word.
    pub word: &'static str,
    /// The builder's setter and the model's field.
    pub setter: &'static str,
    /// The segment of the checker's paths.
    pub path: &'static str,
}

/// A key of a node and everything that follows from it.
pub struct Key<M: 'static> {
    /// The DSL word, which is also the builder's setter, the model's field and the segment
    /// of diagnostic paths unless `setter` or `path` say otherwise.
    pub word: &'static str,
    /// The builder's setter and the model's field (`to as target`).
    pub setter: &'static str,
    /// The segment of the checker's paths (`path("split")`).
    pub path: &'static str,
    /// Old words still accepted, with a deprecation hint (CM0912).
    pub was: &'static [&'static str],
    /// What the value is written as.
    pub kind: Kind,
    /// Whether the node needs it.
    pub required: bool,
    /// The keys it is one of, when it shares its setter with others.
    pub choice: Option<&'static Choice>,
    /// Stores a value known now in the model, resolving names in `scope`.
    pub lower: fn(&mut M, &Scalar, Scope),
}

impl<M> Key<M> {
    /// An optional key whose value goes to the setter and field `setter`.
    pub const fn new(
        word: &'static str,
        setter: &'static str,
        kind: Kind,
        lower: fn(&mut M, &Scalar, Scope),
    ) -> Self {
        Self {
            word,
            setter,
            path: setter,
            was: &[],
            kind,
            required: false,
            choice: None,
            lower,
        }
    }

    /// This key is one of the keys of `choice`.
    #[must_use]
    pub const fn choice(mut self, choice: &'static Choice) -> Self {
        self.choice = Some(choice);
        self
    }

    /// The node needs this key.
    #[must_use]
    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Old words for this key, still accepted with a deprecation hint.
    #[must_use]
    pub const fn was(mut self, old: &'static [&'static str]) -> Self {
        self.was = old;
        self
    }

    /// The checker names this key's item with `segment` rather than the setter.
    #[must_use]
    pub const fn path(mut self, segment: &'static str) -> Self {
        self.path = segment;
        self
    }

    /// Where the value goes.
    pub const fn slot(&self) -> Slot {
        Slot {
            word: self.word,
            setter: self.setter,
            path: self.path,
        }
    }
}

/// The keys of one node.
pub type Table<M> = &'static [Key<M>];

/// Declares a node's table: see the module docs. The record form, `NAME: Model = start,
/// "what" { .. }`, declares a [`Node`] for `Kind::Record`, whose value starts as `start` (the
/// builder's defaults) before its keys are stored; an example after "what" is what messages
/// show for a value that is not its block. The group form, `NAME: group Model, "what" { .. }`,
/// declares a [`Node`] for `Kind::Group`, whose keys are fields of `Model` itself.
///
/// A row is `word: kind`, `word as field: kind` (the DSL word differs from the setter and
/// field), or `word: group NODE` (a [`Kind::Group`]), each optionally followed by
/// `=> option(..)` calls on the [`Key`].
macro_rules! table {
    (@rows $model:ty; [$($done:expr,)*]) => { &[$($done),*] };
    (@rows $model:ty; [$($done:expr,)*]
        $word:ident : group $group:ident $(=> $($option:ident ( $($arg:expr),* )).+)? ; $($rest:tt)*
    ) => {
        $crate::syntax::record::table!(@rows $model; [$($done,)*
            $crate::syntax::record::Key::new(
                stringify!($word),
                stringify!($word),
                $crate::syntax::record::Kind::Group($group),
                |model: &mut $model, value, scope| $crate::syntax::record::store_group(model, value, $group, scope),
            ) $($(.$option($($arg),*))+)?,
        ] $($rest)*)
    };
    (@rows $model:ty; [$($done:expr,)*]
        $word:ident $(as $field:ident)? : $kind:expr $(=> $($option:ident ( $($arg:expr),* )).+)? ; $($rest:tt)*
    ) => {
        $crate::syntax::record::table!(@rows $model; [$($done,)*
            $crate::syntax::record::Key::new(
                stringify!($word),
                $crate::syntax::record::table!(@field $($field)? $word),
                $kind,
                $crate::syntax::record::table!(@lower $model; $($field)? $word),
            ) $($(.$option($($arg),*))+)?,
        ] $($rest)*)
    };
    (@field $field:ident $($word:ident)?) => { stringify!($field) };
    (@lower $model:ty; $field:ident $($word:ident)?) => {
        |model: &mut $model, value: &$crate::syntax::record::Scalar, scope| {
            value.store(&mut model.$field, scope)
        }
    };
    (
        $(#[$doc:meta])*
        $vis:vis $name:ident for $model:ty { $($rows:tt)* }
    ) => {
        $(#[$doc])*
        $vis const $name: $crate::syntax::record::Table<$model> =
            $crate::syntax::record::table!(@rows $model; [] $($rows)*);
    };
    (
        $(#[$doc:meta])*
        $vis:vis $name:ident : group $model:ident, $what:literal $(, $example:literal)? { $($rows:tt)* }
    ) => {
        $(#[$doc])*
        $vis const $name: &$crate::syntax::record::Node<$model> = &$crate::syntax::record::Node {
            ty: stringify!($model),
            what: $what,
            example: $crate::syntax::record::table!(@example $($example)?),
            table: $crate::syntax::record::table!(@rows $model; [] $($rows)*),
        };
    };
    (@example) => { None };
    (@example $example:literal) => { Some($example) };
    (
        $(#[$doc:meta])*
        $vis:vis $name:ident : $model:ident = $start:expr, $what:literal $(, $example:literal)? { $($rows:tt)* }
    ) => {
        $crate::syntax::record::table! {
            $(#[$doc])*
            $vis $name: group $model, $what $(, $example)? { $($rows)* }
        }

        impl $crate::syntax::record::FromScalar for $model {
            fn from_scalar(
                scalar: &$crate::syntax::record::Scalar,
                scope: $crate::syntax::record::Scope,
            ) -> Option<Self> {
                let $crate::syntax::record::Scalar::Record(_, record) = scalar else {
                    return None;
                };
                let mut model: $model = $start;
                $crate::syntax::record::store_record(&mut model, record, $name.table, scope);
                Some(model)
            }
        }
    };
}
pub(crate) use table;

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

impl FromScalar for Vec<RequestMatch> {
    fn from_scalar(scalar: &Scalar, scope: Scope) -> Option<Self> {
        let Scalar::Records(_, _, items) = scalar else {
            return None;
        };
        Some(
            items
                .iter()
                .filter_map(|item| RequestMatch::from_scalar(item, scope))
                .collect(),
        )
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
    Vec<String>: Scalar::Names(items) => Some(items.iter().map(|i| i.value.clone()).collect());
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
}

/// The keys of a node that were written, in the table's order, each with its value.
#[derive(Clone, Debug)]
pub struct Record {
    /// The block (or, for a node's own keys, the node).
    pub span: SpanRange,
    /// The keys written, each with where its value goes, and the value.
    pub fields: Vec<(Slot, Scalar)>,
}

impl Record {
    /// The value of the key `word`, when written.
    pub fn get(&self, word: &str) -> Option<&Scalar> {
        self.fields
            .iter()
            .find(|(slot, _)| slot.word == word)
            .map(|(_, s)| s)
    }
}

impl Fields<'_> {
    /// Takes every key of `table` from this block, reading each value as its kind.
    pub fn record<M>(&mut self, table: Table<M>, errors: &mut Errors) -> Record {
        let mut fields = Vec::new();
        for (index, key) in table.iter().enumerate() {
            let value = match key.choice {
                None => self
                    .key(key.word, key.was, key.required, errors)
                    .map(|value| (key, value)),
                // The keys of a choice are read together, at the first of them.
                Some(choice) if table[..index].iter().any(|k| same(k.choice, choice)) => continue,
                Some(choice) => {
                    let keys = table[index..].iter().filter(|k| same(k.choice, choice));
                    self.choice(choice, keys, errors)
                }
            };
            let Some((key, value)) = value else {
                continue;
            };
            if let Some(scalar) = Scalar::read(value, key.kind, errors) {
                fields.push((key.slot(), scalar));
            }
        }
        Record {
            span: self.block_span(),
            fields,
        }
    }
}

impl<'a> Fields<'a> {
    /// The one key of `choice` written, of `keys`; two are reported at both values, none (when
    /// the choice needs one) at the node.
    fn choice<'k, M>(
        &mut self,
        choice: &Choice,
        keys: impl Iterator<Item = &'k Key<M>>,
        errors: &mut Errors,
    ) -> Option<(&'k Key<M>, &'a Value)> {
        let written: Vec<(&Key<M>, &Value)> = keys
            .filter_map(|key| Some((key, self.key(key.word, key.was, false, errors)?)))
            .collect();
        match written.as_slice() {
            [] => {
                if let Some((message, help)) = choice.none {
                    errors.at_with_help(self.node_span(), Codes::MISSING_KEY, message, help);
                }
                None
            }
            [one] => Some(*one),
            [(_, first), .., (_, last)] => {
                errors.at_with_help(
                    first.span().to(last.span()),
                    Codes::DUPLICATE_KEY,
                    choice.both,
                    "remove one of them",
                );
                None
            }
        }
    }
}

fn same(choice: Option<&Choice>, other: &Choice) -> bool {
    choice.is_some_and(|choice| std::ptr::eq(choice, other))
}

/// A named node whose keys are one table: `subset canary { .. }`, `listener grpc { .. }`.
pub struct NamedRecord {
    /// Its name.
    pub name: Spanned<String>,
    /// The keys of its table that were written.
    pub fields: Record,
}

impl Fields<'_> {
    /// The nodes `kind name { .. }` in order, each a block of `table`'s keys (a `what` in
    /// messages); a node without its name is reported and left out.
    pub fn named_records<M>(
        &mut self,
        kind: &'static str,
        what: &'static str,
        table: Table<M>,
        errors: &mut Errors,
    ) -> Vec<NamedRecord> {
        self.nodes(kind)
            .into_iter()
            .filter_map(|(kind, name, body)| {
                let name = node_name(kind, name, errors);
                let fields = record_of(body, what, table, errors);
                Some(NamedRecord {
                    name: name?,
                    fields,
                })
            })
            .collect()
    }
}

/// Reads a block as a [`Record`] of `node`.
pub fn record(value: &Value, node: &dyn Nested, errors: &mut Errors) -> Option<Record> {
    let block = block_of(value, &expected(node), errors)?;
    Some(node.read(block, errors))
}

/// What a block of `node` looks like, for "expected ..., found ...".
fn expected(node: &dyn Nested) -> String {
    node.example().map_or_else(
        || format!("a block `{{ ... }}` for the {}", node.what()),
        str::to_owned,
    )
}

/// Reads the fields of `block` as a [`Record`] of `table`, reporting keys it does not have.
pub fn record_of<M>(
    block: &Block,
    what: &'static str,
    table: Table<M>,
    errors: &mut Errors,
) -> Record {
    let mut fields = Fields::new(block, what);
    let record = fields.record(table, errors);
    fields.finish(errors);
    record
}
