//! Values with a shape of their own, each read into the model's type: retry conditions,
//! string and header matches, a split's legs, a client TLS mode, a load balancer, a
//! disruption budget and a gateway's runtime.

use connectum_mesh_core::diag::did_you_mean;
use connectum_mesh_core::{
    ClientTls, DisruptionBudget, HashKey, LoadBalancer, PodCount, RetryOn, SimpleLb, StringMatch,
    Words,
};
use syn::Lit;

use super::gateway::GATEWAY_CLASS;
use super::record::{Kind, Scalar};
use super::tree::{Name, SpanRange, Value};
use super::value::{Given, Spanned, block_of, count, entries, name, word, wrong};
use crate::errors::{Codes, Errors};

/// Retry conditions, one or a list: `unavailable`, `[deadline-exceeded, 5xx, 503]`.
pub fn retry_conditions(value: &Value, errors: &mut Errors) -> Vec<Spanned<RetryOn>> {
    match value {
        Value::List { items, .. } => items
            .iter()
            .filter_map(|i| retry_condition(i, errors))
            .collect(),
        one => retry_condition(one, errors).into_iter().collect(),
    }
}

/// `unavailable`, `deadline-exceeded`, `5xx`, `503` …
fn retry_condition(value: &Value, errors: &mut Errors) -> Option<Spanned<RetryOn>> {
    let token = match value {
        Value::Lit(Lit::Int(int)) => Spanned {
            value: int.to_string(),
            span: value.span(),
        },
        other => name(other, errors)?,
    };
    match token.value.parse::<RetryOn>() {
        Ok(parsed) => Some(Spanned {
            value: parsed,
            span: token.span,
        }),
        Err(unknown) => {
            let message = format!("`{}` is not a {}", token.value, unknown.what);
            let help = did_you_mean(
                &token.value,
                RetryOn::words(),
                format!("use {} or an HTTP status", unknown.expected.join(", ")),
            );
            errors.at_with_help(token.span, Codes::UNKNOWN_WORD, message, help);
            None
        }
    }
}

const MATCH_KINDS: [&str; 3] = ["exact", "prefix", "regex"];

/// `"text"` (exact), `exact "text"`, `prefix "text"` or `regex "pattern"`.
pub fn string_match(value: &Value, errors: &mut Errors) -> Option<Spanned<StringMatch>> {
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

/// Header conditions: `{ x-canary: "true", x-user: prefix "beta-" }`.
pub fn headers(
    value: &Value,
    errors: &mut Errors,
) -> Option<Vec<(Spanned<String>, Spanned<StringMatch>)>> {
    let block = block_of(value, "`{ x-canary: \"true\" }`", errors)?;
    Some(entries(
        block,
        "header-name: \"value\"",
        errors,
        |key, value, errors| string_match(value, errors).map(|m| (Spanned::from(key), m)),
    ))
}

/// The legs of a split, `{ stable: 90, canary: 10 }`: each subset and its weight. A
/// `qualified` split's legs name their service too (`order-service/canary: 10`); a leg that
/// does not is reported and left out.
pub fn split_legs(
    value: &Value,
    qualified: bool,
    errors: &mut Errors,
) -> Option<Vec<(Spanned<String>, Given<u32>)>> {
    let block = block_of(value, "`{ stable: 90, canary: 10 }`", errors)?;
    Some(entries(
        block,
        "subset: weight",
        errors,
        |key, value, errors| {
            let weight = count(value, errors)?;
            if qualified && !key.text.contains('/') {
                errors.at_with_help(
                    key.span,
                    Codes::WRONG_VALUE,
                    format!(
                        "a gateway split's leg names a subset with its service: `{}` has no `/`",
                        key.text
                    ),
                    format!("write `service/{}`", key.text),
                );
                return None;
            }
            Some((Spanned::from(key), weight))
        },
    ))
}

/// The TLS callers originate toward a host: `ISTIO_MUTUAL`, `DISABLE`, `SIMPLE`, or
/// `SIMPLE "api.example.com"` (with the SNI it sends), in Istio's words.
pub fn client_tls(value: &Value, errors: &mut Errors) -> Option<Spanned<ClientTls>> {
    let words = [
        ("ISTIO_MUTUAL", ClientTls::IstioMutual),
        ("DISABLE", ClientTls::Disable),
        ("SIMPLE", ClientTls::Simple { sni: None }),
    ];
    let Value::Tagged { tag, value: sni } = value else {
        return word(value, &words, errors);
    };
    let mode = word(&Value::Name(tag.clone()), &words, errors)?;
    if !matches!(mode.value, ClientTls::Simple { .. }) {
        errors.at_with_help(
            sni.span(),
            Codes::WRONG_VALUE,
            format!("only `SIMPLE` takes a server name, not `{}`", tag.text),
            "write `SIMPLE \"api.example.com\"`, or the mode alone",
        );
        return None;
    }
    let sni = name(sni, errors)?;
    Some(Spanned {
        value: ClientTls::Simple {
            sni: Some(sni.value),
        },
        span: value.span(),
    })
}

/// `ROUND_ROBIN`, `LEAST_REQUEST`, `RANDOM`, `PASSTHROUGH`, or `consistent_hash` on
/// `header name`, `query_parameter name` or `source_ip`.
pub fn load_balancer(value: &Value, errors: &mut Errors) -> Option<Spanned<LoadBalancer>> {
    let Value::Tagged { tag, value: key } = value else {
        return word(
            value,
            &[
                ("ROUND_ROBIN", SimpleLb::RoundRobin),
                ("LEAST_REQUEST", SimpleLb::LeastRequest),
                ("RANDOM", SimpleLb::Random),
                ("PASSTHROUGH", SimpleLb::Passthrough),
            ],
            errors,
        )
        .map(|simple| Spanned {
            value: LoadBalancer::Simple(simple.value),
            span: simple.span,
        });
    };
    let expected = "`consistent_hash header x-user`, `consistent_hash query_parameter id` or `consistent_hash source_ip`";
    let hash = match (tag.text.as_str(), &**key) {
        ("consistent_hash", Value::Name(name)) if name.text == "source_ip" => HashKey::UseSourceIp,
        (
            "consistent_hash",
            Value::Tagged {
                tag: by,
                value: name,
            },
        ) => {
            let name = self::name(name, errors)?;
            match by.text.as_str() {
                "header" => HashKey::HttpHeaderName(name.value),
                "query_parameter" => HashKey::HttpQueryParameterName(name.value),
                _ => {
                    errors.at(by.span, Codes::UNKNOWN_WORD, format!("expected {expected}"));
                    return None;
                }
            }
        }
        _ => {
            errors.at(
                value.span(),
                Codes::WRONG_VALUE,
                format!("expected {expected}"),
            );
            return None;
        }
    };
    Some(Spanned {
        value: LoadBalancer::ConsistentHash(hash),
        span: value.span(),
    })
}

/// `auto`, `disabled`, or `max_unavailable`/`min_available` with a number of pods (`1`) or a
/// percentage of them (`"10%"`).
pub fn disruption_budget(value: &Value, errors: &mut Errors) -> Option<Spanned<DisruptionBudget>> {
    let expected = "`auto`, `disabled`, `max_unavailable 1` or `min_available \"50%\"`";
    let budget = match value {
        Value::Name(name) => {
            let words = [
                ("auto", DisruptionBudget::Auto),
                ("disabled", DisruptionBudget::Disabled),
            ];
            return word(value, &words, errors).map(|w| Spanned {
                value: w.value,
                span: name.span,
            });
        }
        Value::Tagged { tag, value: count } => {
            let variant: fn(PodCount) -> DisruptionBudget = match tag.text.as_str() {
                "max_unavailable" => DisruptionBudget::MaxUnavailable,
                "min_available" => DisruptionBudget::MinAvailable,
                other => {
                    let help = did_you_mean(
                        other,
                        ["max_unavailable", "min_available"],
                        format!("write {expected}"),
                    );
                    errors.at_with_help(
                        tag.span,
                        Codes::UNKNOWN_WORD,
                        format!("`{other}` is not a kind of disruption budget"),
                        help,
                    );
                    return None;
                }
            };
            variant(pod_count(count, errors)?)
        }
        other => {
            wrong(errors, other, expected);
            return None;
        }
    };
    Some(Spanned {
        value: budget,
        span: value.span(),
    })
}

/// A number of pods (`1`) or a percentage of them (`"10%"`), as Kubernetes' IntOrString.
fn pod_count(value: &Value, errors: &mut Errors) -> Option<PodCount> {
    if let Value::Lit(Lit::Str(text)) = value {
        let percent = text
            .value()
            .strip_suffix('%')
            .and_then(|n| n.parse::<u32>().ok());
        return match percent {
            Some(p) if p <= 100 => Some(PodCount::Percent(p)),
            Some(_) => {
                errors.at(
                    value.span(),
                    Codes::OUT_OF_RANGE,
                    "a percentage must be between 0 and 100",
                );
                None
            }
            None => {
                wrong(
                    errors,
                    value,
                    "a number of pods like `1` or a percentage like `\"10%\"`",
                );
                None
            }
        };
    }
    match count(value, errors)? {
        Given::Literal(pods) => Some(PodCount::Pods(pods.value)),
        Given::Expr(expr) => {
            errors.at(
                expr.span,
                Codes::WRONG_VALUE,
                "a disruption budget is written out: the checker compares it with the replicas",
            );
            None
        }
    }
}

/// Where a gateway runs: `GatewayRuntime` and its constructors.
#[derive(Clone, Debug)]
pub enum RuntimeNode {
    /// `runtime: istio_ingress`: `GatewayRuntime::istio_ingress()`.
    IstioIngress(SpanRange),
    /// `runtime: istio`: `GatewayClass::istio()`.
    IstioClass(SpanRange),
    /// `runtime: envoy_gateway connectum-gateway`: `GatewayClass::envoy_gateway(name)`.
    EnvoyGateway(Spanned<String>),
    /// `runtime: { name: .., implementation: .., declare: .. }`: `GatewayClass::builder()`.
    Class(Box<Scalar>),
}

impl RuntimeNode {
    /// Where it is written.
    pub fn span(&self) -> SpanRange {
        match self {
            Self::IstioIngress(span) | Self::IstioClass(span) => *span,
            Self::EnvoyGateway(name) => name.span,
            Self::Class(class) => class.span(),
        }
    }
}

const RUNTIMES: [&str; 3] = ["istio_ingress", "istio", "envoy_gateway"];

/// `istio_ingress`, `istio`, `envoy_gateway name`, or a class block.
pub fn runtime(value: &Value, errors: &mut Errors) -> Option<RuntimeNode> {
    let expected = "`istio_ingress`, `istio`, `envoy_gateway class-name` or `{ name: .., implementation: .. }`";
    match value {
        Value::Name(word) if word.text == "istio_ingress" => {
            Some(RuntimeNode::IstioIngress(word.span))
        }
        Value::Name(word) if word.text == "istio" => Some(RuntimeNode::IstioClass(word.span)),
        Value::Tagged { tag, value } if tag.text == "envoy_gateway" => {
            name(value, errors).map(RuntimeNode::EnvoyGateway)
        }
        Value::Block(_) => Scalar::read(value, Kind::Record(GATEWAY_CLASS), errors)
            .map(|class| RuntimeNode::Class(Box::new(class))),
        Value::Name(Name {
            text: word, span, ..
        })
        | Value::Tagged {
            tag: Name {
                text: word, span, ..
            },
            ..
        } => {
            let help = did_you_mean(word, RUNTIMES, format!("write {expected}"));
            errors.at_with_help(
                *span,
                Codes::UNKNOWN_WORD,
                format!("`{word}` is not a gateway runtime"),
                help,
            );
            None
        }
        other => {
            wrong(errors, other, expected);
            None
        }
    }
}
