//! `route name? { match: ..., to: subset | split: { ... }, timeout: 30s, retries: { ... } }`.

use connectum_mesh_core::diag::did_you_mean;
use connectum_mesh_core::{MeshRetry, Route, StringMatch};
use syn::Lit;

use super::Fields;
use super::record::{Kind, Off, Record, table};
use super::tree::{Block, Name, SpanRange, Value};
use super::value::{Given, Spanned, block_of, count, entries, wrong};
use crate::errors::{Codes, Errors};

/// One route.
pub struct RouteNode {
    /// The `route` keyword (and name): where route-wide problems point.
    pub span: SpanRange,
    /// Its name, when given.
    pub name: Option<Spanned<String>>,
    /// `match: { ... }` or `match: [{ ... }, { ... }]`: any of them selects the route.
    pub matches: Vec<MatchNode>,
    /// `to:` or `split:`.
    pub target: Option<TargetNode>,
    /// The keys of [`ROUTE`] that were written.
    pub fields: Record,
}

/// One request condition: all of its parts must hold.
pub struct MatchNode {
    /// The block.
    pub span: SpanRange,
    /// `headers: { x-canary: "true", x-user: prefix "beta-" }`.
    pub headers: Vec<(Spanned<String>, Spanned<StringMatch>)>,
    /// `uri: prefix "/orders.v1.OrderService/"`.
    pub uri: Option<Spanned<StringMatch>>,
}

/// Where a route sends requests.
pub enum TargetNode {
    /// `to: canary` (a subset) or `to: order-service` (the whole service).
    To(Spanned<String>),
    /// `split: { stable: 90, canary: 10 }`.
    Split {
        /// The block.
        span: SpanRange,
        /// Each leg: the subset and its weight.
        legs: Vec<(Spanned<String>, Given<u32>)>,
    },
}

table! {
    /// The keys of `route name? { ... }` that map onto one builder setter each; `match` and
    /// the destination (`to: subset` or `split: { .. }`, both the builder's `target`) are read
    /// by [`route`].
    pub ROUTE for Route {
        timeout: Kind::Duration;
        retries: Kind::OrOff(RETRIES, Off::Zero("attempts"));
    }
}

table! {
    /// The keys of `retries: { .. }`, a mesh route's or a gateway route's retry policy;
    /// `retries: off` is `{ attempts: 0 }`.
    pub RETRIES: MeshRetry = MeshRetry::builder().attempts(0).build(), "retry policy",
        "`{ attempts: 1, per_try_timeout: 10s }` or `off`" {
        attempts: Kind::Count => required();
        per_try_timeout: Kind::Duration;
        retry_on: Kind::RetryOn;
    }
}

/// Reads `route name? { ... }`.
pub fn route(
    kind: &Name,
    name: Option<&Name>,
    body: &Block,
    errors: &mut Errors,
) -> Option<RouteNode> {
    let mut fields = Fields::new(body, "route");
    let matches = match fields.take("match", errors) {
        Some(Value::List { items, .. }) => items
            .iter()
            .filter_map(|i| request_match(i, errors))
            .collect(),
        Some(one) => request_match(one, errors).into_iter().collect(),
        None => Vec::new(),
    };
    let target = destination(
        &mut fields,
        kind,
        Destination {
            one: "to",
            both: "a route goes `to` one subset or `split`s among several, not both",
            none: "this route has no destination",
            help: "add `to: subset` or `split: { stable: 90, canary: 10 }`",
        },
        errors,
    );
    let keys = fields.record(ROUTE, errors);
    fields.finish(errors);
    Some(RouteNode {
        span: name.map_or(kind.span, |n| kind.span.to(n.span)),
        name: name.map(Spanned::from),
        matches,
        target,
        fields: keys,
    })
}

/// The words of a route's destination: its one-target key (`to`, or a gateway's `target`)
/// beside `split`, and the messages when both or neither are written.
pub struct Destination {
    /// The key naming one target.
    pub one: &'static str,
    /// The message when both are written.
    pub both: &'static str,
    /// The message when neither is.
    pub none: &'static str,
    /// The help when neither is.
    pub help: &'static str,
}

/// Reads a route's destination: `words.one: name` or `split: { name: weight, .. }`, exactly one.
pub fn destination(
    fields: &mut Fields,
    kind: &Name,
    words: Destination,
    errors: &mut Errors,
) -> Option<TargetNode> {
    let one = fields.take(words.one, errors);
    let split = fields.take("split", errors);
    match (one, split) {
        (Some(one), None) => super::value::name(one, errors).map(TargetNode::To),
        (None, Some(split)) => split_legs(split, errors),
        (Some(one), Some(split)) => {
            errors.at_with_help(
                one.span().to(split.span()),
                Codes::DUPLICATE_KEY,
                words.both,
                "remove one of them",
            );
            None
        }
        (None, None) => {
            errors.at_with_help(kind.span, Codes::MISSING_KEY, words.none, words.help);
            None
        }
    }
}

fn request_match(value: &Value, errors: &mut Errors) -> Option<MatchNode> {
    let block = block_of(value, "`{ headers: { name: \"value\" } }`", errors)?;
    let mut fields = Fields::new(block, "match");
    let headers = headers(&mut fields, errors);
    let uri = fields
        .take("uri", errors)
        .and_then(|v| string_match(v, errors));
    fields.finish(errors);
    Some(MatchNode {
        span: block.span,
        headers,
        uri,
    })
}

/// `headers: { x-canary: "true", x-user: prefix "beta-" }` of a match block, when written.
pub fn headers(
    fields: &mut Fields,
    errors: &mut Errors,
) -> Vec<(Spanned<String>, Spanned<StringMatch>)> {
    fields
        .take("headers", errors)
        .and_then(|v| block_of(v, "`{ x-canary: \"true\" }`", errors))
        .map(|headers| {
            entries(
                headers,
                "header-name: \"value\"",
                errors,
                |key, value, errors| string_match(value, errors).map(|m| (Spanned::from(key), m)),
            )
        })
        .unwrap_or_default()
}

const MATCH_KINDS: [&str; 3] = ["exact", "prefix", "regex"];

/// `"text"` (exact), `exact "text"`, `prefix "text"` or `regex "pattern"`.
fn string_match(value: &Value, errors: &mut Errors) -> Option<Spanned<StringMatch>> {
    let expected = "`\"value\"`, `prefix \"value\"` or `regex \"pattern\"`";
    let (kind, inner) = match value {
        Value::Lit(Lit::Str(s)) => ("exact", s.value()),
        Value::Tagged { tag, value: inner } => match &**inner {
            Value::Lit(Lit::Str(s)) => {
                let Some(kind) = MATCH_KINDS.iter().find(|k| **k == tag.text) else {
                    let help = did_you_mean(&tag.text, MATCH_KINDS, format!("write {expected}"));
                    errors.at_with_help(
                        tag.span,
                        Codes::UNKNOWN_WORD,
                        format!("`{}` is not a kind of match", tag.text),
                        help,
                    );
                    return None;
                };
                (*kind, s.value())
            }
            other => {
                wrong(errors, other, "text in quotes");
                return None;
            }
        },
        other => {
            wrong(errors, other, expected);
            return None;
        }
    };
    let value_match = match kind {
        "prefix" => StringMatch::Prefix(inner),
        "regex" => StringMatch::Regex(inner),
        _ => StringMatch::Exact(inner),
    };
    Some(Spanned {
        value: value_match,
        span: value.span(),
    })
}

fn split_legs(value: &Value, errors: &mut Errors) -> Option<TargetNode> {
    let block = block_of(value, "`{ stable: 90, canary: 10 }`", errors)?;
    let legs = entries(block, "subset: weight", errors, |key, value, errors| {
        count(value, errors).map(|weight| (Spanned::from(key), weight))
    });
    Some(TargetNode::Split {
        span: block.span,
        legs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::record::Scalar;
    use crate::syntax::test_support::read;
    use connectum_mesh_core::RetryOn;
    use quote::quote;

    fn routes(body: proc_macro2::TokenStream) -> (Vec<RouteNode>, Vec<String>) {
        let (mut mesh, errors) = read(quote! {
            namespace: connectum,
            service order-service { image: "order:1.0.0", #body }
        });
        let routes = mesh.services.pop().map(|s| s.routes).unwrap_or_default();
        (routes, errors)
    }

    #[test]
    fn reads_matches_splits_and_retries() {
        let (routes, errors) = routes(quote! {
            route canary-header {
                match: { headers: { x-canary: "true", x-user: prefix "beta-" } },
                to: canary,
                retries: { attempts: 1, retry_on: [unavailable, 503, retriable-4xx] },
            }
            route { split: { stable: 90, canary: 10 }, retries: off }
        });
        assert!(errors.is_empty(), "{errors:?}");
        let headers = &routes[0].matches[0].headers;
        assert_eq!(headers[1].1.value, StringMatch::Prefix("beta-".to_owned()));
        let Some(Scalar::Record(_, retries)) = routes[0].fields.get("retries") else {
            panic!("a retry policy")
        };
        let Some(Scalar::RetryOn(retry_on)) = retries.get("retry_on") else {
            panic!("retry conditions")
        };
        let retry_on: Vec<RetryOn> = retry_on.iter().map(|o| o.value).collect();
        assert_eq!(
            retry_on,
            [
                RetryOn::Unavailable,
                RetryOn::Status(503),
                RetryOn::Retriable4xx
            ]
        );
        let Some(TargetNode::Split { legs, .. }) = &routes[1].target else {
            panic!("a split")
        };
        assert_eq!(legs.len(), 2);
        assert!(routes[1].name.is_none());
    }

    #[test]
    fn a_route_needs_exactly_one_destination() {
        let (_, errors) = routes(quote! { route { timeout: 30s } });
        assert!(
            errors[0].starts_with("CM0903: this route has no destination"),
            "{errors:?}"
        );
        let (_, errors) = routes(quote! { route { to: stable, split: { stable: 100 } } });
        assert!(errors[0].starts_with("CM0904"), "{errors:?}");
    }

    #[test]
    fn unknown_retry_conditions_and_match_kinds_suggest_the_closest() {
        let (_, errors) = routes(quote! {
            route { to: stable, retries: { attempts: 1, retry_on: [unavailabel] } }
            route { match: { headers: { x-user: prefx "beta-" } }, to: stable }
        });
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].contains("did you mean `unavailable`?"));
        assert!(errors[1].contains("did you mean `prefix`?"));
    }
}
