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
//! differ from the DSL word), `word: group NODE` (a block of the same model's fields) or
//! `word as method: after(kind, lower)` (a method called on the built value, `lower` storing
//! the value in the model), optionally followed by `=>` and options: `required()`,
//! `was(&["old"])` (old words, still accepted with a CM0912 deprecation hint),
//! `hint(&["word"])` (words users write for this key, which an unknown key among them
//! suggests), `choice(&CHOICE)` (keys that set one setter and exclude each other) and
//! `path("segment")` (the checker names the item otherwise). The model struct needs the
//! field, of a type that takes the kind's value ([`FromScalar`]), and its builder a setter of
//! that name taking what the kind expands to.

use super::Fields;
use super::mesh::node_name;
pub use super::scalar::{FromScalar, Scalar, Scope};
use super::tree::{Block, SpanRange, Value};
use super::value::{Spanned, block_of};
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
    /// A value of another kind handed to a constructor of the field's type:
    /// `replicas: 3` is `Scaling::Replicas(3)`, `app_tls: "/etc/tls"` is
    /// `AppTls::builder().dir_path("/etc/tls").build()`.
    Through(&'static Through),
    /// A value written as several keys of the node's own block, read together: a gateway
    /// match's `grpc_service` (with `grpc_method`) or `path_prefix` are its one `request`.
    Spread(Spread),
    /// A service account written with its namespace: `connectum/envoy-gateway`.
    ServiceAccount,
    /// Who an allow rule admits, one or a list: `[service_account connectum/envoy-gateway,
    /// namespace connectum]`.
    Sources,
    /// Where a gateway runs: `istio_ingress`, `istio`, `envoy_gateway class-name`, or a
    /// gateway class block.
    Runtime,
    /// Diagnostic codes given one level: `deny: [CM0302]`.
    Lint(connectum_mesh_core::Level),
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

/// Reads a [`Kind::Spread`] value from the keys of its node's block, reporting what is wrong
/// with them; `None` when none of its keys is written (or it was reported).
pub type Spread = fn(&mut Fields, &mut Errors) -> Option<Scalar>;

/// How a [`Kind::Through`] value reaches its field: the value, of `kind`, handed to `via` of
/// the field's type `ty`.
#[derive(Debug)]
pub struct Through {
    /// The field's type in the crate root: `Scaling`.
    pub ty: &'static str,
    /// What the value is handed to.
    pub via: Via,
    /// What the value is written as.
    pub kind: Kind,
}

/// What a [`Through`] value is handed to.
#[derive(Clone, Copy, Debug)]
pub enum Via {
    /// A variant or constructor of the type: `Scaling::Replicas(3)`, `RetryBudget::calls(12)`.
    Call(&'static str),
    /// The one setter of the type's builder: `AppTls::builder().dir_path("/etc/tls").build()`.
    Setter(&'static str),
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
    /// Whether the setter is a method called on the built value (`mesh.lint(..)`) rather
    /// than the builder's.
    pub after: bool,
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
    /// Words users write for this key that it does not accept: an unknown key (CM0902)
    /// among them suggests this one, however far its spelling.
    pub hints: &'static [&'static str],
    /// What the value is written as.
    pub kind: Kind,
    /// Whether the node needs it.
    pub required: bool,
    /// The keys it is one of, when it shares its setter with others.
    pub choice: Option<&'static Choice>,
    /// Whether the setter is a method called on the built value rather than the builder's.
    pub after: bool,
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
            hints: &[],
            kind,
            required: false,
            choice: None,
            after: false,
            lower,
        }
    }

    /// The setter is a method called on the built value, `model.setter(..)`, through which
    /// `lower` stores the value in the model too.
    #[must_use]
    pub const fn after(mut self, lower: fn(&mut M, &Scalar, Scope)) -> Self {
        self.after = true;
        self.lower = lower;
        self
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

    /// Words users write for this key that it does not accept: an unknown key among them
    /// suggests this one (`version` → `version_label`).
    #[must_use]
    pub const fn hint(mut self, words: &'static [&'static str]) -> Self {
        self.hints = words;
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
            after: self.after,
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
        $word:ident $(as $setter:ident)? : after($kind:expr, $lower:expr) $(=> $($option:ident ( $($arg:expr),* )).+)? ; $($rest:tt)*
    ) => {
        $crate::syntax::record::table!(@rows $model; [$($done,)*
            $crate::syntax::record::Key::new(
                stringify!($word),
                $crate::syntax::record::table!(@field $($setter)? $word),
                $kind,
                |_: &mut $model, _: &$crate::syntax::record::Scalar, _| {},
            ).after($lower) $($(.$option($($arg),*))+)?,
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
            self.hint(key.word, key.hints);
            if let Kind::Spread(read) = key.kind {
                if let Some(scalar) = read(self, errors) {
                    fields.push((key.slot(), scalar));
                }
                continue;
            }
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
pub(super) fn expected(node: &dyn Nested) -> String {
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
