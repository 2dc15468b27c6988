//! One value of the model, printed either as the `mesh!` DSL writes it or as the builder calls
//! write it. Both printers describe a setting once, as a [`Value`], and differ only in how it
//! is written: a duration is `30s` in the DSL and `Duration::from_secs(30)` in Rust, a record is
//! `{ key: value }` in the DSL and `Type::builder().key(value).build()` in Rust.

use connectum_mesh_core::{Duration, Quantity};

use super::doc::Doc;

/// A value the two printers write each in their own syntax.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Value {
    /// A string: `"text"` in both.
    Text(String),
    /// A name: bare in the DSL (`order-service`), a string in Rust.
    Name(String),
    /// A number, written the same in both.
    Number(String),
    /// A percentage that may have a fraction: `100` in the DSL, `100.0` in Rust.
    Float(f64),
    /// `true` or `false`.
    Flag(bool),
    /// `30s` in the DSL, `Duration::from_secs(30)` in Rust.
    Duration(Duration),
    /// `128Mi` in the DSL, `Quantity::mebibytes(128)` in Rust.
    Quantity(Quantity),
    /// A value each syntax spells its own way (`STRICT` and `MtlsMode::Strict`).
    Both {
        /// The DSL's spelling.
        dsl: Doc,
        /// Rust's spelling.
        rust: Doc,
    },
    /// An optional setting turned off: `off` in the DSL, `.maybe_key(None)` in Rust.
    Off,
    /// `[a, b]` in both.
    List(Vec<Value>),
    /// `{ "key": "value" }` in the DSL, `[("key", "value")]` in Rust.
    Map(Vec<(String, String)>),
    /// A block of settings: `{ key: value }` in the DSL, `Type::builder().key(value).build()` in
    /// Rust.
    Record(Record),
}

/// The settings of one builder that differ from its defaults, in the builder's (and so the
/// DSL's) words.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Record {
    /// The type whose builder Rust calls, e.g. `Probe`.
    pub rust_type: &'static str,
    /// Each written setting, in order.
    pub fields: Vec<(&'static str, Value)>,
}

impl Record {
    /// A record of `rust_type` with nothing set yet.
    pub(super) fn new(rust_type: &'static str) -> Self {
        Self {
            rust_type,
            fields: Vec::new(),
        }
    }

    /// Adds `key` when `value` is there.
    pub(super) fn with(mut self, key: &'static str, value: impl Into<Option<Value>>) -> Self {
        if let Some(value) = value.into() {
            self.fields.push((key, value));
        }
        self
    }

    /// Adds `key` when `value` differs from `default`.
    pub(super) fn changed<T: PartialEq>(
        self,
        key: &'static str,
        value: &T,
        default: &T,
        print: impl FnOnce(&T) -> Value,
    ) -> Self {
        let printed = (value != default).then(|| print(value));
        self.with(key, printed)
    }

    /// Whether nothing differs from the defaults.
    pub(super) fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

impl Value {
    /// A number.
    pub(super) fn number(number: impl ToString) -> Self {
        Self::Number(number.to_string())
    }

    /// A number behind a reference (for [`Record::changed`]).
    pub(super) fn numeral<N: ToString>(number: &N) -> Self {
        Self::Number(number.to_string())
    }

    /// A word of one of the model's enums: its DSL word (its `Display`) and its variant.
    pub(super) fn word<T: std::fmt::Display + std::fmt::Debug>(rust_type: &str, value: &T) -> Self {
        Self::Both {
            dsl: Doc::text(value.to_string()),
            rust: Doc::text(format!("{rust_type}::{value:?}")),
        }
    }

    /// A list of names (`[order-service]`, `["order-service"]`).
    pub(super) fn names<'a>(names: impl IntoIterator<Item = &'a String>) -> Self {
        Self::List(names.into_iter().cloned().map(Self::Name).collect())
    }

    /// The list of names, or nothing when there are none (an empty `[]` has no type in Rust).
    pub(super) fn some_names(names: &[String]) -> Option<Self> {
        (!names.is_empty()).then(|| Self::names(names))
    }

    /// A `namespace/name` service account: `ServiceAccountRef::new(..)` in Rust.
    pub(super) fn account(account: &connectum_mesh_core::ServiceAccountRef) -> Self {
        Self::Both {
            dsl: Doc::text(name(&format!("{}/{}", account.namespace, account.name))),
            rust: Doc::call(
                "ServiceAccountRef::new",
                vec![quoted(&account.namespace), quoted(&account.name)],
            ),
        }
    }
}

/// A string literal.
pub(super) fn quoted(text: &str) -> Doc {
    Doc::text(format!("{text:?}"))
}

/// Whether `text` can be written bare where the DSL reads a name: an identifier, then
/// identifiers or integers joined by `-`, `/` or `.`.
pub(super) fn is_dsl_name(text: &str) -> bool {
    let mut parts = text.split(['-', '/', '.']);
    let first_is_ident = parts.next().is_some_and(|first| {
        first
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && first.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !is_keyword(first)
    });
    first_is_ident
        && parts.all(|part| {
            !part.is_empty()
                && (part.chars().all(|c| c.is_ascii_digit())
                    || (!part.starts_with(|c: char| c.is_ascii_digit())
                        && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                        && !is_keyword(part)))
        })
}

/// Rust's keywords, which cannot be a bare name or a variable.
pub(super) fn is_keyword(word: &str) -> bool {
    const KEYWORDS: [&str; 51] = [
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move",
        "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait",
        "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do",
        "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
    ];
    KEYWORDS.contains(&word)
}

/// A name as the DSL writes it: bare when it can be, quoted otherwise.
pub(super) fn name(text: &str) -> String {
    if is_dsl_name(text) {
        text.to_owned()
    } else {
        format!("{text:?}")
    }
}

/// A duration in the DSL: `30s` or `250ms` bare, anything else (`1m30s`) quoted.
fn dsl_duration(duration: Duration) -> String {
    let text = duration.to_string();
    let digits = text.trim_end_matches("ms").trim_end_matches('s');
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        text
    } else {
        format!("{text:?}")
    }
}

/// A duration in Rust: `Duration::from_secs(30)` or `Duration::from_millis(250)`.
fn rust_duration(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis.is_multiple_of(1000) {
        format!("Duration::from_secs({})", millis / 1000)
    } else {
        format!("Duration::from_millis({millis})")
    }
}

/// A whole number followed by `suffix`, e.g. 128 for `128Mi` and `Mi`.
fn whole(text: &str, suffix: &str) -> Option<u32> {
    let digits = text.strip_suffix(suffix)?;
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// A quantity in the DSL: `100m`, `128Mi` or `2` bare, anything else (`0.5`, `1e3`) quoted.
fn dsl_quantity(quantity: &Quantity) -> String {
    let text = quantity.as_str();
    let bare = ["m", "Ki", "Mi", "Gi", ""]
        .iter()
        .any(|suffix| whole(text, suffix).is_some());
    if bare {
        text.to_owned()
    } else {
        format!("{text:?}")
    }
}

/// A quantity in Rust, by the constructor that says it (`Quantity::millicores(100)`), or
/// parsed from its text when none does.
fn rust_quantity(quantity: &Quantity) -> String {
    let text = quantity.as_str();
    let constructors = [
        ("m", "millicores"),
        ("Mi", "mebibytes"),
        ("Gi", "gibibytes"),
        ("", "cores"),
    ];
    constructors
        .iter()
        .find_map(|(suffix, constructor)| {
            whole(text, suffix).map(|n| format!("Quantity::{constructor}({n})"))
        })
        .unwrap_or_else(|| format!("Quantity::parse({text:?}).expect(\"a Kubernetes quantity\")"))
}

/// The value as the `mesh!` DSL writes it.
pub(super) fn dsl(value: &Value) -> Doc {
    match value {
        Value::Text(text) => quoted(text),
        Value::Name(text) => Doc::text(name(text)),
        Value::Number(number) => Doc::text(number.clone()),
        Value::Float(float) => Doc::text(float.to_string()),
        Value::Flag(flag) => Doc::text(flag.to_string()),
        Value::Duration(duration) => Doc::text(dsl_duration(*duration)),
        Value::Quantity(quantity) => Doc::text(dsl_quantity(quantity)),
        Value::Both { dsl, .. } => dsl.clone(),
        Value::Off => Doc::text("off"),
        Value::List(items) => Doc::list("[", items.iter().map(dsl).collect(), "]"),
        Value::Map(entries) => Doc::block(
            entries
                .iter()
                .map(|(key, value)| Doc::text(format!("{key:?}: {value:?}")))
                .collect(),
        ),
        Value::Record(record) => dsl_record(record),
    }
}

/// `{ key: value, .. }`.
pub(super) fn dsl_record(record: &Record) -> Doc {
    Doc::block(
        record
            .fields
            .iter()
            .map(|(key, value)| dsl_field(key, value))
            .collect(),
    )
}

/// `key: value`.
pub(super) fn dsl_field(key: &str, value: &Value) -> Doc {
    Doc::Concat(vec![Doc::text(format!("{key}: ")), dsl(value)])
}

/// The value as the builder calls write it.
pub(super) fn rust(value: &Value) -> Doc {
    match value {
        Value::Text(text) | Value::Name(text) => quoted(text),
        Value::Number(number) => Doc::text(number.clone()),
        Value::Float(float) => Doc::text(format!("{float:?}")),
        Value::Flag(flag) => Doc::text(flag.to_string()),
        Value::Duration(duration) => Doc::text(rust_duration(*duration)),
        Value::Quantity(quantity) => Doc::text(rust_quantity(quantity)),
        Value::Both { rust, .. } => rust.clone(),
        Value::Off => Doc::text("None"),
        Value::List(items) => Doc::list("[", items.iter().map(rust).collect(), "]"),
        Value::Map(entries) => Doc::list(
            "[",
            entries
                .iter()
                .map(|(key, value)| Doc::text(format!("({key:?}, {value:?})")))
                .collect(),
            "]",
        ),
        Value::Record(record) => rust_record(record, Vec::new()),
    }
}

/// `Type::builder().key(value)….build()`, with `first` links before the record's own (a
/// node's `.name(..)`).
pub(super) fn rust_record(record: &Record, first: Vec<Doc>) -> Doc {
    let mut links = first;
    links.extend(rust_links(&record.fields));
    links.push(Doc::link("build", Vec::new()));
    Doc::Chain(
        Box::new(Doc::text(format!("{}::builder()", record.rust_type))),
        links,
    )
}

/// One `.key(value)` link per field; an `Off` field is `.maybe_key(None)`.
pub(super) fn rust_links(fields: &[(&'static str, Value)]) -> Vec<Doc> {
    fields
        .iter()
        .map(|(key, value)| match value {
            Value::Off => Doc::link(&format!("maybe_{key}"), vec![Doc::text("None")]),
            other => Doc::link(key, vec![rust(other)]),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_dsl_reads_bare_are_bare_and_others_quoted() {
        assert_eq!(name("order-service"), "order-service");
        assert_eq!(name("connectum/envoy-gateway"), "connectum/envoy-gateway");
        assert_eq!(name("api.example.com"), "api.example.com");
        assert_eq!(name("v1-2"), "v1-2");
        assert_eq!(name("2fa"), "\"2fa\"");
        assert_eq!(name("type"), "\"type\"");
        assert_eq!(name("a--b"), "\"a--b\"");
        assert_eq!(name(":authority"), "\":authority\"");
    }

    #[test]
    fn durations_and_quantities_are_written_as_each_syntax_says_them() {
        let duration = |text| Value::Duration(Duration::parse(text).unwrap());
        let quantity = |text| Value::Quantity(Quantity::parse(text).unwrap());
        let both = |value: Value| (dsl(&value).flat(), rust(&value).flat());
        assert_eq!(
            both(duration("30s")),
            ("30s".into(), "Duration::from_secs(30)".into())
        );
        assert_eq!(
            both(duration("250ms")),
            ("250ms".into(), "Duration::from_millis(250)".into())
        );
        assert_eq!(
            both(duration("90s")),
            ("\"1m30s\"".into(), "Duration::from_secs(90)".into())
        );
        assert_eq!(
            both(quantity("100m")),
            ("100m".into(), "Quantity::millicores(100)".into())
        );
        assert_eq!(
            both(quantity("2")),
            ("2".into(), "Quantity::cores(2)".into())
        );
        assert_eq!(
            both(quantity("0.5")),
            (
                "\"0.5\"".into(),
                "Quantity::parse(\"0.5\").expect(\"a Kubernetes quantity\")".into()
            )
        );
    }

    #[test]
    fn a_record_is_a_block_in_the_dsl_and_a_builder_in_rust() {
        let record = Record::new("Probe")
            .with("path", Value::Text("/healthz".into()))
            .with("period_seconds", Value::number(20))
            .with("initial_delay_seconds", None);
        assert_eq!(
            dsl_record(&record).flat(),
            "{ path: \"/healthz\", period_seconds: 20 }"
        );
        assert_eq!(
            rust_record(&record, Vec::new()).flat(),
            "Probe::builder().path(\"/healthz\").period_seconds(20).build()"
        );
        let off = Record::new("Probes").with("startup", Value::Off);
        assert_eq!(dsl_record(&off).flat(), "{ startup: off }");
        assert_eq!(
            rust_record(&off, Vec::new()).flat(),
            "Probes::builder().maybe_startup(None).build()"
        );
    }
}
