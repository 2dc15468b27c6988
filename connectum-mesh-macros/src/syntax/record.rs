//! One table per DSL node: for each key its word (which is also the builder's setter, the model's
//! field and the diagnostic path's segment), the kind of value it holds, whether it is
//! required, old words it still accepts, and how its value lands in the model. Reading
//! ([`Fields::record`]), lowering (`lower::Lowering::record`) and expansion
//! (`expand::value::setters`) all follow from the table, so a key is added in one place:
//!
//! ```text
//! table! {
//!     /// The keys of `service name { ... }` that hold one value.
//!     pub SERVICE for Service {
//!         image: Kind::Text => required();
//!         port: PORT;
//!         mtls_override: MTLS => was(&["mtls"]);
//!     }
//! }
//! ```
//!
//! A row is `word: kind`, optionally followed by `=> required()` and `was(&["old"])` (old
//! words, still accepted with a CM0912 deprecation hint). The model struct needs a field named
//! `word` whose type takes the kind's value ([`FromScalar`]), and its builder a setter of that
//! name taking what the kind expands to.

use std::collections::BTreeMap;

use connectum_mesh_core::{
    AppTimeout, DisruptionBudget, Duration, GatewayImplementation, H2UpgradePolicy, HostStyle,
    ListenerProtocol, LoadBalancer, MeshMode, MtlsMode, SidecarMode, SpreadPolicy,
};

use super::Fields;
use super::tree::{Block, SpanRange, Value};
use super::value::{
    Given, Spanned, block_of, callees, count, disruption_budget, duration, flag, load_balancer,
    names, number, percent, text, text_map, word,
};
use crate::errors::Errors;

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
    /// A list of services called: names, or `ServiceRef` expressions another crate exports,
    /// `[inventory-service, (billing::SERVICE)]`.
    Calls,
    /// A map of text: `{ KEY: "value" }`.
    TextMap,
    /// One word of a fixed set, each the variant of a model enum: `mtls: STRICT`.
    Word(&'static Words),
    /// A load balancer: `ROUND_ROBIN`, or `consistent_hash header x-user`.
    LoadBalancer,
    /// A PodDisruptionBudget: `auto`, `disabled`, `max_unavailable 1`, `min_available "50%"`.
    DisruptionBudget,
    /// A block of another node's keys: `shutdown: { timeout: 30s }`.
    Record(&'static dyn Nested),
}

/// A node whose keys sit in a block under a key of another node (`shutdown: { .. }`), built
/// with its own builder; declared with `table!`'s record form.
pub trait Nested: Sync {
    /// The model type's name in the crate root, whose builder the expansion calls.
    fn ty(&self) -> &'static str;
    /// The node in messages: "graceful shutdown".
    fn what(&self) -> &'static str;
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

    fn read(&self, block: &Block, errors: &mut Errors) -> Record {
        record_of(block, self.what, self.table, errors)
    }
}

/// Stores every key of `record` in `model`, through the table's lowering.
pub fn store_record<M>(model: &mut M, record: &Record, table: Table<M>) {
    for (word, scalar) in &record.fields {
        if let Some(key) = table.iter().find(|key| key.word == *word) {
            (key.lower)(model, scalar);
        }
    }
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

/// A key of a node and everything that follows from it.
pub struct Key<M: 'static> {
    /// The DSL word, which is also the builder's setter, the model's field and the segment
    /// of diagnostic paths.
    pub word: &'static str,
    /// Old words still accepted, with a deprecation hint (CM0912).
    pub was: &'static [&'static str],
    /// What the value is written as.
    pub kind: Kind,
    /// Whether the node needs it.
    pub required: bool,
    /// Stores a value known now in the model.
    pub lower: fn(&mut M, &Scalar),
}

impl<M> Key<M> {
    /// An optional key.
    pub const fn new(word: &'static str, kind: Kind, lower: fn(&mut M, &Scalar)) -> Self {
        Self {
            word,
            was: &[],
            kind,
            required: false,
            lower,
        }
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
}

/// The keys of one node.
pub type Table<M> = &'static [Key<M>];

/// Declares a node's table: see the module docs. The record form, `NAME: Model = start,
/// "what" { .. }`, declares a [`Node`] for `Kind::Record`, whose value starts as `start` (the
/// builder's defaults) before its keys are stored.
macro_rules! table {
    (@rows $model:ty { $( $word:ident : $kind:expr $(=> $($option:ident ( $($arg:expr),* )).+)? ; )* }) => {
        &[$(
            $crate::syntax::record::Key::new(
                stringify!($word),
                $kind,
                |model: &mut $model, value| value.store(&mut model.$word),
            ) $($(.$option($($arg),*))+)?
        ),*]
    };
    (
        $(#[$doc:meta])*
        $vis:vis $name:ident for $model:ty { $($rows:tt)* }
    ) => {
        $(#[$doc])*
        $vis const $name: $crate::syntax::record::Table<$model> =
            $crate::syntax::record::table!(@rows $model { $($rows)* });
    };
    (
        $(#[$doc:meta])*
        $vis:vis $name:ident : $model:ident = $start:expr, $what:literal { $($rows:tt)* }
    ) => {
        $(#[$doc])*
        $vis const $name: &$crate::syntax::record::Node<$model> = &$crate::syntax::record::Node {
            ty: stringify!($model),
            what: $what,
            table: $crate::syntax::record::table!(@rows $model { $($rows)* }),
        };

        impl $crate::syntax::record::FromScalar for $model {
            fn from_scalar(scalar: &$crate::syntax::record::Scalar) -> Option<Self> {
                let $crate::syntax::record::Scalar::Record(_, record) = scalar else {
                    return None;
                };
                let mut model: $model = $start;
                $crate::syntax::record::store_record(&mut model, record, $name.table);
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
    /// A block of another node's keys, with that node's model type.
    Record(&'static str, Record),
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
            Kind::Record(node) => Self::Record(node.ty(), record(value, node, errors)?),
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
            Self::Record(_, record) => record.span,
        }
    }

    /// Stores the value in `slot` when it is known now; an expression leaves the model's
    /// default, and the lowering marks its path.
    pub fn store<T: FromScalar>(&self, slot: &mut T) {
        if let Some(value) = T::from_scalar(self) {
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
    /// The value, when `scalar` is of this type's kind and known now.
    fn from_scalar(scalar: &Scalar) -> Option<Self>;
}

impl<T: FromScalar> FromScalar for Option<T> {
    fn from_scalar(scalar: &Scalar) -> Option<Self> {
        T::from_scalar(scalar).map(Some)
    }
}

macro_rules! from_scalar {
    ($($ty:ty: $($pattern:pat => $value:expr),+;)*) => {$(
        impl FromScalar for $ty {
            fn from_scalar(scalar: &Scalar) -> Option<Self> {
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
    LoadBalancer: Scalar::LoadBalancer(lb) => Some(lb.value.clone());
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
}

/// The keys of a node that were written, in the table's order, each with its value.
#[derive(Clone, Debug)]
pub struct Record {
    /// The block (or, for a node's own keys, the node).
    pub span: SpanRange,
    /// The keys written, each by its table's word, with its value.
    pub fields: Vec<(&'static str, Scalar)>,
}

impl Record {
    /// The value of `key`, when written.
    pub fn get(&self, key: &str) -> Option<&Scalar> {
        self.fields.iter().find(|(k, _)| *k == key).map(|(_, s)| s)
    }
}

impl Fields<'_> {
    /// Takes every key of `table` from this block, reading each value as its kind.
    pub fn record<M>(&mut self, table: Table<M>, errors: &mut Errors) -> Record {
        let mut fields = Vec::new();
        for key in table {
            let Some(value) = self.key(key.word, key.was, key.required, errors) else {
                continue;
            };
            if let Some(scalar) = Scalar::read(value, key.kind, errors) {
                fields.push((key.word, scalar));
            }
        }
        Record {
            span: self.block_span(),
            fields,
        }
    }
}

/// Reads a block as a [`Record`] of `node`.
pub fn record(value: &Value, node: &dyn Nested, errors: &mut Errors) -> Option<Record> {
    let expected = format!("a block `{{ ... }}` for the {}", node.what());
    let block = block_of(value, &expected, errors)?;
    Some(node.read(block, errors))
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
