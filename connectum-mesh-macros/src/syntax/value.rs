//! Values: durations and quantities read from literal suffixes (`30s`, `128Mi`), numbers,
//! text, names, words from a fixed set, and Rust expressions in parentheses. Values with a
//! shape of their own are in [`super::shaped`].

use connectum_mesh_core::diag::closest;
use connectum_mesh_core::{Duration, Quantity};
use syn::Lit;

use super::tree::{Block, Entry, Name, RustExpr, SpanRange, Value};
use crate::errors::{Codes, Errors};

/// A value and where it is written.
#[derive(Clone, Debug)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it is written.
    pub span: SpanRange,
}

impl From<&Name> for Spanned<String> {
    fn from(name: &Name) -> Self {
        Self {
            value: name.text.clone(),
            span: name.span,
        }
    }
}

/// A value known now (a literal, checked at compile time) or only at run time (an
/// expression, checked by the runtime checker).
#[derive(Clone, Debug)]
pub enum Given<T> {
    /// Written as a literal.
    Literal(Spanned<T>),
    /// Written as `(expression)`.
    Expr(RustExpr),
}

impl<T> Given<T> {
    /// Where it is written.
    pub fn span(&self) -> SpanRange {
        match self {
            Self::Literal(spanned) => spanned.span,
            Self::Expr(expr) => expr.span,
        }
    }

    /// The value when it is a literal.
    #[cfg(test)]
    pub fn literal(&self) -> Option<&T> {
        match self {
            Self::Literal(spanned) => Some(&spanned.value),
            Self::Expr(_) => None,
        }
    }
}

/// A value of the wrong kind: `expected …, found …` at the value.
pub fn wrong(errors: &mut Errors, value: &Value, expected: &str) {
    errors.at(
        value.span(),
        Codes::WRONG_VALUE,
        format!("expected {expected}, found {}", value.describe()),
    );
}

/// [`wrong`] where a Rust expression is also taken: a bare name there is most often a constant
/// or a variable written without the parentheses that mark Rust code, so the help shows them.
fn wrong_or_expr(errors: &mut Errors, value: &Value, expected: &str) {
    match value {
        Value::Name(word) => errors.at_with_help(
            value.span(),
            Codes::WRONG_VALUE,
            format!("expected {expected}, found a name"),
            format!(
                "a value computed in Rust goes in parentheses: `({})`",
                word.text
            ),
        ),
        other => wrong(errors, other, expected),
    }
}

/// The block `value` is, or (reported) `None`: `expected` shows what goes there.
pub fn block_of<'a>(value: &'a Value, expected: &str, errors: &mut Errors) -> Option<&'a Block> {
    match value {
        Value::Block(block) => Some(block),
        other => {
            wrong(errors, other, expected);
            None
        }
    }
}

/// The `key: value` entries of a block whose keys are the user's (labels, headers, split
/// legs), each read by `read`; a node among them is reported, `entry` showing the form.
pub fn entries<T>(
    block: &Block,
    entry: &str,
    errors: &mut Errors,
    mut read: impl FnMut(&Name, &Value, &mut Errors) -> Option<T>,
) -> Vec<T> {
    block
        .entries
        .iter()
        .filter_map(|item| match item {
            Entry::Field { key, value } => read(key, value, errors),
            Entry::Broken { .. } => None,
            Entry::Node { kind, .. } => {
                errors.at(kind.span, Codes::SYNTAX, format!("expected `{entry}`"));
                None
            }
        })
        .collect()
}

fn literal<T>(value: T, span: SpanRange) -> Option<Given<T>> {
    Some(Given::Literal(Spanned { value, span }))
}

/// The text of a number literal as written (`30s`, `1.5s`, `128Mi`), refusing hex, octal
/// and binary forms, which no unit reads.
fn number_text(lit: &Lit) -> Option<String> {
    let text = match lit {
        Lit::Int(int) => int.to_string(),
        Lit::Float(float) => float.to_string(),
        _ => return None,
    };
    let radix = text.starts_with("0x") || text.starts_with("0o") || text.starts_with("0b");
    (!radix).then_some(text)
}

/// A duration: `30s`, `250ms`, `1m30s`, `1.5s`, `"1m30s"`, or `(expression)`.
pub fn duration(value: &Value, errors: &mut Errors) -> Option<Given<Duration>> {
    with_unit(
        value,
        "a duration like `30s` or `250ms`",
        Codes::BAD_DURATION,
        Duration::parse,
        errors,
    )
}

/// A Kubernetes quantity: `100m`, `0.5`, `2`, `128Mi`, `"1Gi"`, or `(expression)`.
pub fn quantity(value: &Value, errors: &mut Errors) -> Option<Given<Quantity>> {
    with_unit(
        value,
        "a quantity like `100m` or `128Mi`",
        Codes::BAD_QUANTITY,
        Quantity::parse,
        errors,
    )
}

/// A value with a unit, written as a suffixed number or a string and read by the core's own
/// `parse` (whose error, under `code`, is the message), or `(expression)`.
fn with_unit<T, E: std::fmt::Display>(
    value: &Value,
    expected: &str,
    code: &str,
    parse: impl Fn(&str) -> Result<T, E>,
    errors: &mut Errors,
) -> Option<Given<T>> {
    let text = match value {
        Value::Expr(expr) => return Some(Given::Expr(expr.clone())),
        Value::Lit(Lit::Str(s)) => s.value(),
        Value::Lit(lit) => match number_text(lit) {
            Some(text) => text,
            None => {
                wrong(errors, value, expected);
                return None;
            }
        },
        _ => {
            wrong_or_expr(errors, value, expected);
            return None;
        }
    };
    match parse(&text) {
        Ok(parsed) => literal(parsed, value.span()),
        Err(error) => {
            errors.at(value.span(), code, error);
            None
        }
    }
}

/// A whole number in `min..=max`, or `(expression)`.
pub fn number(value: &Value, min: u64, max: u64, errors: &mut Errors) -> Option<Given<u64>> {
    match value {
        Value::Expr(expr) => Some(Given::Expr(expr.clone())),
        Value::Lit(Lit::Int(int)) if int.suffix().is_empty() => match int.base10_parse::<u64>() {
            Ok(n) if (min..=max).contains(&n) => literal(n, value.span()),
            _ => {
                // No one writes u64::MAX: a range without an upper bound reads as one.
                let expected = if max == u64::MAX {
                    format!("{min} or more")
                } else {
                    format!("{min} to {max}")
                };
                errors.at(
                    value.span(),
                    Codes::OUT_OF_RANGE,
                    format!("`{int}` is out of range: expected {expected}"),
                );
                None
            }
        },
        _ => {
            wrong_or_expr(errors, value, "a whole number");
            None
        }
    }
}

/// A `u32` that may be any whole number up to `u32::MAX`.
pub fn count(value: &Value, errors: &mut Errors) -> Option<Given<u32>> {
    number(value, 0, u64::from(u32::MAX), errors).map(|given| match given {
        Given::Literal(Spanned { value, span }) => Given::Literal(Spanned {
            value: u32::try_from(value).unwrap_or(u32::MAX),
            span,
        }),
        Given::Expr(expr) => Given::Expr(expr),
    })
}

/// A percentage `0..=100`, integer or decimal (`100`, `12.5`), or `(expression)`.
pub fn percent(value: &Value, errors: &mut Errors) -> Option<Given<f64>> {
    let parsed = match value {
        Value::Expr(expr) => return Some(Given::Expr(expr.clone())),
        Value::Lit(Lit::Int(int)) if int.suffix().is_empty() => int.base10_parse::<f64>().ok(),
        Value::Lit(Lit::Float(float)) if float.suffix().is_empty() => {
            float.base10_parse::<f64>().ok()
        }
        _ => {
            wrong_or_expr(errors, value, "a percentage like `100` or `12.5`");
            return None;
        }
    };
    match parsed {
        Some(p) if (0.0..=100.0).contains(&p) => literal(p, value.span()),
        _ => {
            errors.at(
                value.span(),
                Codes::OUT_OF_RANGE,
                "a percentage must be between 0 and 100",
            );
            None
        }
    }
}

/// Text: `"ghcr.io/x:1.0.0"`, or `(expression)`. Bare names are text too (`part_of: shop`).
pub fn text(value: &Value, errors: &mut Errors) -> Option<Given<String>> {
    match value {
        Value::Expr(expr) => Some(Given::Expr(expr.clone())),
        Value::Lit(Lit::Str(s)) => literal(s.value(), value.span()),
        Value::Name(name) => literal(name.text.clone(), name.span),
        _ => {
            wrong(errors, value, "text in quotes");
            None
        }
    }
}

/// A name known now: `order-service` or `"order-service"`.
pub fn name(value: &Value, errors: &mut Errors) -> Option<Spanned<String>> {
    match value {
        Value::Name(name) => Some(name.into()),
        Value::Lit(Lit::Str(s)) => Some(Spanned {
            value: s.value(),
            span: value.span(),
        }),
        _ => {
            wrong(errors, value, "a name like `order-service`");
            None
        }
    }
}

/// The services a list of calls names: each written out (`inventory-service`) or as an
/// expression of a name another crate exports (`(inventory::SERVICE)`, a `ServiceRef`); a single
/// one is a list of one.
pub fn callees(value: &Value, errors: &mut Errors) -> Vec<Given<String>> {
    let callee = |item: &Value, errors: &mut Errors| match item {
        Value::Expr(expr) => Some(Given::Expr(expr.clone())),
        other => name(other, errors).map(Given::Literal),
    };
    match value {
        Value::List { items, .. } => items.iter().filter_map(|i| callee(i, errors)).collect(),
        other => callee(other, errors).into_iter().collect(),
    }
}

/// A list of names, `[a, b]`; a single name is a list of one.
pub fn names(value: &Value, errors: &mut Errors) -> Vec<Spanned<String>> {
    match value {
        Value::List { items, .. } => items.iter().filter_map(|i| name(i, errors)).collect(),
        other => name(other, errors).into_iter().collect(),
    }
}

/// A yes/no: `true`/`false`, `on`/`off`, `enabled`/`disabled`, or `(expression)`.
pub fn flag(value: &Value, errors: &mut Errors) -> Option<Given<bool>> {
    match value {
        Value::Expr(expr) => Some(Given::Expr(expr.clone())),
        Value::Lit(Lit::Bool(b)) => literal(b.value, value.span()),
        _ => word(
            value,
            &[
                ("on", true),
                ("enabled", true),
                ("off", false),
                ("disabled", false),
            ],
            errors,
        )
        .map(Given::Literal),
    }
}

/// One word of a fixed set, compared ignoring case and `-`/`_` (`ROUND_ROBIN`,
/// `round-robin`), suggesting the closest when it is none of them.
pub fn word<T: Clone>(
    value: &Value,
    words: &[(&'static str, T)],
    errors: &mut Errors,
) -> Option<Spanned<T>> {
    let Value::Name(name) = value else {
        wrong(errors, value, &format!("one of {}", list(words)));
        return None;
    };
    let normal = |s: &str| s.to_ascii_lowercase().replace('-', "_");
    let wanted = normal(&name.text);
    if let Some((_, found)) = words.iter().find(|(w, _)| normal(w) == wanted) {
        return Some(Spanned {
            value: found.clone(),
            span: name.span,
        });
    }
    let message = format!("`{}` is not one of {}", name.text, list(words));
    let normals: Vec<String> = words.iter().map(|(w, _)| normal(w)).collect();
    let near = closest(&wanted, normals.iter().map(String::as_str))
        .and_then(|n| normals.iter().position(|m| m == n))
        .map(|i| words[i].0);
    match near {
        Some(near) => errors.at_with_help(
            name.span,
            Codes::UNKNOWN_WORD,
            message,
            format!("did you mean `{near}`?"),
        ),
        None => errors.at(name.span, Codes::UNKNOWN_WORD, message),
    }
    None
}

fn list<T>(words: &[(&'static str, T)]) -> String {
    let names: Vec<String> = words.iter().map(|(w, _)| format!("`{w}`")).collect();
    names.join(", ")
}

/// `{ KEY: "value", "dotted.key": "value" }`.
pub fn text_map(value: &Value, errors: &mut Errors) -> Vec<(Spanned<String>, Given<String>)> {
    let Some(block) = block_of(value, "a block `{ KEY: \"value\" }`", errors) else {
        return Vec::new();
    };
    entries(block, "KEY: \"value\"", errors, |key, value, errors| {
        text(value, errors).map(|v| (Spanned::from(key), v))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::tree::parse_input;
    use quote::quote;

    fn value(tokens: proc_macro2::TokenStream) -> Value {
        let mut errors = Errors::default();
        let block = parse_input(quote!(v: #tokens), &mut errors);
        assert!(errors.is_empty(), "{:?}", errors.messages());
        match block.entries.into_iter().next() {
            Some(Entry::Field { value, .. }) => value,
            _ => panic!("one field"),
        }
    }

    fn lit<T: Clone>(given: Option<Given<T>>) -> Option<T> {
        given.and_then(|g| g.literal().cloned())
    }

    #[test]
    fn durations_read_from_literal_suffixes_and_strings() {
        let mut errors = Errors::default();
        for (tokens, millis) in [
            (quote!(30s), 30_000),
            (quote!(250ms), 250),
            (quote!(1m30s), 90_000),
            (quote!(1.5s), 1_500),
            (quote!("1m30s"), 90_000),
            (quote!(2h), 7_200_000),
        ] {
            let parsed = lit(duration(&value(tokens), &mut errors));
            assert_eq!(parsed.map(Duration::as_millis), Some(millis));
        }
        assert!(errors.is_empty());
    }

    #[test]
    fn malformed_durations_are_reported() {
        for tokens in [
            quote!(30),
            quote!(30sec),
            quote!(500us),
            quote!(0x10s),
            quote!(fast),
        ] {
            let mut errors = Errors::default();
            assert!(duration(&value(tokens), &mut errors).is_none());
            assert_eq!(errors.len(), 1);
        }
    }

    #[test]
    fn a_bare_name_where_rust_values_are_taken_shows_the_parentheses() {
        let mut errors = Errors::default();
        assert!(number(&value(quote!(replicas)), 0, 10, &mut errors).is_none());
        assert!(duration(&value(quote!(TIMEOUT)), &mut errors).is_none());
        assert!(percent(&value(quote!(share)), &mut errors).is_none());
        let messages = errors.messages();
        assert_eq!(messages.len(), 3, "{messages:?}");
        for (message, name) in messages.iter().zip(["replicas", "TIMEOUT", "share"]) {
            assert!(message.contains("found a name"), "{message}");
            assert!(
                message.contains(&format!(
                    "help: a value computed in Rust goes in parentheses: `({name})`"
                )),
                "{message}"
            );
        }
        // A literal of the wrong kind gets no such help.
        let mut errors = Errors::default();
        assert!(number(&value(quote!("three")), 0, 10, &mut errors).is_none());
        assert!(
            !errors.messages()[0].contains("parentheses"),
            "{:?}",
            errors.messages()
        );
    }

    #[test]
    fn quantities_read_from_literal_suffixes() {
        let mut errors = Errors::default();
        for (tokens, text) in [
            (quote!(100m), "100m"),
            (quote!(128Mi), "128Mi"),
            (quote!(0.5), "0.5"),
            (quote!(2), "2"),
            (quote!("1Gi"), "1Gi"),
        ] {
            let parsed = lit(quantity(&value(tokens), &mut errors));
            assert_eq!(parsed.as_ref().map(Quantity::as_str), Some(text));
        }
        assert!(errors.is_empty());
        assert!(quantity(&value(quote!(128MB)), &mut errors).is_none());
        assert_eq!(errors.messages().len(), 1);
        assert!(errors.messages()[0].starts_with("CM0907"));
    }

    #[test]
    fn expressions_are_kept_for_run_time() {
        let mut errors = Errors::default();
        assert!(matches!(
            duration(&value(quote!((my_timeout()))), &mut errors),
            Some(Given::Expr(_))
        ));
        assert!(matches!(
            count(&value(quote!((canary_percent()))), &mut errors),
            Some(Given::Expr(_))
        ));
    }

    #[test]
    fn words_ignore_case_and_suggest() {
        let mut errors = Errors::default();
        let words = [("ROUND_ROBIN", 1), ("LEAST_REQUEST", 2)];
        assert_eq!(
            word(&value(quote!(round - robin)), &words, &mut errors).map(|s| s.value),
            Some(1)
        );
        assert!(word(&value(quote!(ROUND_ROBINN)), &words, &mut errors).is_none());
        assert!(errors.messages()[0].contains("did you mean `ROUND_ROBIN`"));
    }

    #[test]
    fn numbers_are_range_checked() {
        let mut errors = Errors::default();
        assert_eq!(
            lit(number(&value(quote!(5000)), 1, 65535, &mut errors)),
            Some(5000)
        );
        assert!(number(&value(quote!(70000)), 1, 65535, &mut errors).is_none());
        assert!(errors.messages()[0].starts_with("CM0909"));
    }
}
