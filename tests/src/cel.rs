//! The CRDs' `x-kubernetes-validations` CEL rules, evaluated client-side the way the API server
//! evaluates them on create.
//!
//! Rules are compiled with `kube-cel` (the engine behind kube-rs's `cel` feature) and run on the
//! `cel` crate with every Kubernetes CEL extension library `kube-cel` provides. The walk mirrors
//! the API server: each rule runs at its schema location with `self` bound to the value there;
//! rules under `items` run once per element and rules under `additionalProperties` once per map
//! value; `allOf`/`anyOf`/`oneOf` branches are walked too; schema defaults are applied first.
//! Rules that use `oldSelf` (transition rules) do not run on create, as in the API server.
//!
//! One function is replaced: the `cel` crate's `duration()` reads the longest valid prefix and
//! ignores the rest (`duration('30sec')` is 30s), while Kubernetes' CEL uses Go's
//! `time.ParseDuration`, which refuses it. [`parse_go_duration`] is a faithful port of Go's.
//!
//! A rule that does not evaluate to `true` or `false` (a parse error, a function the
//! implementation lacks, a runtime error such as a missing key or a value `duration()` cannot
//! read) is reported as [`CelOutcome::Unevaluated`]: it fails validation, and the report says the
//! rule was not evaluated rather than pretending it passed.
//!
//! Field names are not escaped (Kubernetes writes a property `x-y` as `x__dash__y` in CEL); no
//! Istio rule names such a property.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use kube_cel::cel::{Context, ExecutionError, Value as CelValue};
use kube_cel::{CompilationError, CompiledSchema, KubeCelExt};
use serde_json::Value;

use crate::crds::GroupVersionKind;

/// A CRD version's rules, compiled once.
#[derive(Debug)]
pub struct CelRules {
    schema: Value,
    compiled: CompiledSchema,
    root: GroupVersionKind,
}

/// Why a document did not pass a CEL rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CelOutcome {
    /// The rule evaluated to `false`: the API server refuses the object with the rule's message.
    Failed,
    /// The rule could not be evaluated here (compile error, unknown function, runtime error,
    /// non-boolean result). Counted as a failure: a rule we cannot evaluate proves nothing.
    Unevaluated,
}

/// One rule that did not pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CelFinding {
    /// Whether it failed or could not be evaluated.
    pub outcome: CelOutcome,
    /// The field path of the value the rule ran on, e.g. `spec.http[0].timeout`.
    pub path: String,
    /// The rule's CEL text.
    pub rule: String,
    /// The rule's message, or the evaluator's error when unevaluated.
    pub message: String,
}

/// The evaluation context every rule runs in: CEL's standard library, Kubernetes' extension
/// libraries, and Go's `duration()`.
fn base_context() -> &'static Context<'static> {
    static CONTEXT: OnceLock<Context<'static>> = OnceLock::new();
    CONTEXT.get_or_init(|| {
        let mut context = Context::default().with_all();
        context.add_function("duration", go_duration);
        context
    })
}

fn go_duration(text: Arc<String>) -> Result<CelValue, ExecutionError> {
    parse_go_duration(&text)
        .map(|nanos| CelValue::Duration(chrono::Duration::nanoseconds(nanos)))
        .map_err(|reason| ExecutionError::function_error("duration", reason))
}

/// Go's `time.ParseDuration`, in nanoseconds: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` or `0`, with the
/// units `ns`, `us`, `µs`, `μs`, `ms`, `s`, `m` and `h`, refusing values beyond ±2^63-1 ns.
/// Fractions are scaled through a 64-bit float exactly as Go does.
///
/// ```
/// use connectum_mesh_tests::cel::parse_go_duration;
///
/// assert_eq!(parse_go_duration("1m30s"), Ok(90_000_000_000));
/// assert_eq!(parse_go_duration("1.5us"), Ok(1_500));
/// assert!(parse_go_duration("30sec").is_err());
/// ```
///
/// # Errors
/// Go's reason, e.g. `unknown unit "sec" in duration "30sec"`.
pub fn parse_go_duration(text: &str) -> Result<i64, String> {
    const LIMIT: u64 = 1 << 63;
    let invalid = || format!("invalid duration {text:?}");
    let mut rest = text.as_bytes();
    let mut negative = false;
    if let Some((&sign, after)) = rest.split_first()
        && (sign == b'-' || sign == b'+')
    {
        negative = sign == b'-';
        rest = after;
    }
    if rest == b"0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: u64 = 0;
    while !rest.is_empty() {
        if !(rest[0] == b'.' || rest[0].is_ascii_digit()) {
            return Err(invalid());
        }
        // Whole part.
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let mut whole: u64 = 0;
        for &digit in &rest[..digits] {
            whole = whole
                .checked_mul(10)
                .and_then(|w| w.checked_add(u64::from(digit - b'0')))
                .filter(|w| *w <= LIMIT)
                .ok_or_else(invalid)?;
        }
        rest = &rest[digits..];
        let had_whole = digits > 0;
        // Fraction: digits past what fits in 63 bits are ignored, as in Go.
        let mut fraction: u64 = 0;
        let mut scale: f64 = 1.0;
        let mut had_fraction = false;
        if rest.first() == Some(&b'.') {
            rest = &rest[1..];
            let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
            let mut overflowed = false;
            for &digit in &rest[..digits] {
                if overflowed {
                    continue;
                }
                if fraction > (LIMIT - 1) / 10 {
                    overflowed = true;
                    continue;
                }
                let next = fraction * 10 + u64::from(digit - b'0');
                if next > LIMIT {
                    overflowed = true;
                    continue;
                }
                fraction = next;
                scale *= 10.0;
            }
            had_fraction = digits > 0;
            rest = &rest[digits..];
        }
        if !had_whole && !had_fraction {
            return Err(invalid());
        }
        let unit_len = rest
            .iter()
            .take_while(|b| !(**b == b'.' || b.is_ascii_digit()))
            .count();
        if unit_len == 0 {
            return Err(format!("missing unit in duration {text:?}"));
        }
        let (unit, after) = rest.split_at(unit_len);
        rest = after;
        let unit_nanos: u64 = match unit {
            b"ns" => 1,
            // `us`, `µs` (U+00B5 MICRO SIGN) and `μs` (U+03BC GREEK SMALL LETTER MU), in UTF-8.
            b"us" | [0xC2, 0xB5, b's'] | [0xCE, 0xBC, b's'] => 1_000,
            b"ms" => 1_000_000,
            b"s" => 1_000_000_000,
            b"m" => 60_000_000_000,
            b"h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "unknown unit {:?} in duration {text:?}",
                    String::from_utf8_lossy(unit)
                ));
            }
        };
        if whole > LIMIT / unit_nanos {
            return Err(invalid());
        }
        let mut nanos = whole * unit_nanos;
        if fraction > 0 {
            // Go: v += uint64(float64(f) * (float64(unit) / scale)); the conversion is exact here.
            #[allow(
                clippy::cast_precision_loss,
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss
            )]
            let part = (fraction as f64 * (unit_nanos as f64 / scale)) as u64;
            nanos = nanos
                .checked_add(part)
                .filter(|n| *n <= LIMIT)
                .ok_or_else(invalid)?;
        }
        total = total
            .checked_add(nanos)
            .filter(|t| *t <= LIMIT)
            .ok_or_else(invalid)?;
    }
    if negative {
        // -2^63 is representable.
        return Ok(i64::try_from(total).map_or(i64::MIN, |t| -t));
    }
    i64::try_from(total).map_err(|_| invalid())
}

/// JSON as CEL sees it: objects become maps keyed by string, integers `int` (or `uint` past
/// `i64`), other numbers `double`.
fn to_cel(value: &Value) -> CelValue {
    match value {
        Value::Null => CelValue::Null,
        Value::Bool(b) => CelValue::Bool(*b),
        Value::Number(n) => n
            .as_i64()
            .map(CelValue::Int)
            .or_else(|| n.as_u64().map(CelValue::UInt))
            .unwrap_or_else(|| CelValue::Float(n.as_f64().unwrap_or(f64::NAN))),
        Value::String(s) => CelValue::String(Arc::new(s.clone())),
        Value::Array(items) => CelValue::List(Arc::new(items.iter().map(to_cel).collect())),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.clone(), to_cel(v)))
            .collect::<HashMap<String, CelValue>>()
            .into(),
    }
}

impl CelRules {
    /// Compiles every rule in `open_api_v3_schema` of the CRD version serving `gvk`.
    #[must_use]
    pub fn compile(gvk: &GroupVersionKind, open_api_v3_schema: &Value) -> Self {
        Self {
            schema: open_api_v3_schema.clone(),
            compiled: kube_cel::compile_schema(open_api_v3_schema),
            root: gvk.clone(),
        }
    }

    /// Evaluates every rule that applies to `document`, an object being created.
    #[must_use]
    pub fn evaluate(&self, document: &Value) -> Vec<CelFinding> {
        let defaulted = kube_cel::apply_defaults(&self.schema, document);
        let mut root = base_context().new_inner_scope();
        root.add_variable_from_value("apiVersion", self.root.api_version());
        root.add_variable_from_value("apiGroup", self.root.group.clone());
        root.add_variable_from_value("kind", self.root.kind.clone());
        let mut findings = Vec::new();
        walk(&self.compiled, &defaulted, "", &root, &mut findings);
        findings
    }
}

fn walk(
    schema: &CompiledSchema,
    value: &Value,
    path: &str,
    context: &Context<'_>,
    findings: &mut Vec<CelFinding>,
) {
    if !schema.validations.is_empty() {
        let mut scope = context.new_inner_scope();
        scope.add_variable_from_value("self", to_cel(value));
        for compiled in &schema.validations {
            findings.extend(evaluate_rule(compiled, &scope, path));
        }
    }
    if let Some(object) = value.as_object() {
        for (name, child) in &schema.properties {
            if let Some(child_value) = object.get(name) {
                walk(child, child_value, &join(path, name), context, findings);
            }
        }
        if let Some(values) = schema
            .additional_properties
            .as_deref()
            .filter(|_| !schema.preserve_unknown_fields)
        {
            for (key, child_value) in object {
                if !schema.properties.contains_key(key) {
                    walk(values, child_value, &join(path, key), context, findings);
                }
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.items.as_deref(), value.as_array()) {
        for (index, item) in array.iter().enumerate() {
            walk(items, item, &format!("{path}[{index}]"), context, findings);
        }
    }
    for branch in schema
        .all_of
        .iter()
        .chain(&schema.any_of)
        .chain(&schema.one_of)
    {
        walk(branch, value, path, context, findings);
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn evaluate_rule(
    compiled: &Result<kube_cel::CompilationResult, CompilationError>,
    scope: &Context<'_>,
    path: &str,
) -> Option<CelFinding> {
    let unevaluated = |rule: String, message: String| CelFinding {
        outcome: CelOutcome::Unevaluated,
        path: path.to_owned(),
        rule,
        message,
    };
    let compiled = match compiled {
        Ok(compiled) => compiled,
        Err(error) => {
            let rule = match error {
                CompilationError::Parse { rule, .. }
                | CompilationError::MessageExpressionParse { rule, .. } => rule.clone(),
                _ => String::new(),
            };
            return Some(unevaluated(rule, error.to_string()));
        }
    };
    let rule = compiled.rule.rule.clone();
    if compiled.is_transition_rule {
        // Transition rules compare with `oldSelf`, which does not exist on create.
        return None;
    }
    let path = match &compiled.rule.field_path {
        Some(field) => format!("{path}{field}"),
        None => path.to_owned(),
    };
    match compiled.program.execute(scope) {
        Ok(CelValue::Bool(true)) => None,
        Ok(CelValue::Bool(false)) => {
            let message = compiled
                .message_program
                .as_ref()
                .and_then(|program| match program.execute(scope) {
                    Ok(CelValue::String(text)) => Some(text.to_string()),
                    _ => None,
                })
                .or_else(|| compiled.rule.message.clone())
                .unwrap_or_else(|| format!("failed rule: {rule}"));
            Some(CelFinding {
                outcome: CelOutcome::Failed,
                path,
                rule,
                message,
            })
        }
        Ok(other) => Some(CelFinding {
            outcome: CelOutcome::Unevaluated,
            path,
            message: format!("the rule evaluated to {other:?}, not a bool"),
            rule,
        }),
        Err(error) => Some(CelFinding {
            outcome: CelOutcome::Unevaluated,
            path,
            message: format!("the rule could not be evaluated: {error}"),
            rule,
        }),
    }
}

/// Every `x-kubernetes-validations` rule in a schema, as `(schema location, rule text,
/// message)`, in schema order. The location uses `[*]` for array items and `{*}` for map values.
#[must_use]
pub fn rules_in(open_api_v3_schema: &Value) -> Vec<(String, String, String)> {
    let mut rules = Vec::new();
    collect_rules(open_api_v3_schema, "", &mut rules);
    rules
}

/// The schema node at a location [`rules_in`] reports (`spec.http[*].timeout`,
/// `spec.selector.matchLabels{*}`).
#[must_use]
pub fn schema_at<'s>(open_api_v3_schema: &'s Value, location: &str) -> Option<&'s Value> {
    let mut node = open_api_v3_schema;
    let mut rest = location;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("[*]") {
            node = node.get("items")?;
            rest = after;
        } else if let Some(after) = rest.strip_prefix("{*}") {
            node = node.get("additionalProperties")?;
            rest = after;
        } else {
            let name_start = rest.strip_prefix('.').unwrap_or(rest);
            let end = name_start.find(['.', '[', '{']).unwrap_or(name_start.len());
            node = node.get("properties")?.get(&name_start[..end])?;
            rest = &name_start[end..];
        }
    }
    Some(node)
}

fn collect_rules(schema: &Value, location: &str, rules: &mut Vec<(String, String, String)>) {
    for rule in schema
        .get("x-kubernetes-validations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let text = |key| {
            rule.get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        rules.push((location.to_owned(), text("rule"), text("message")));
    }
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, child) in properties {
            collect_rules(child, &join(location, name), rules);
        }
    }
    if let Some(items) = schema.get("items") {
        collect_rules(items, &format!("{location}[*]"), rules);
    }
    if let Some(values) = schema.get("additionalProperties").filter(|v| v.is_object()) {
        collect_rules(values, &format!("{location}{{*}}"), rules);
    }
    for keyword in ["allOf", "anyOf", "oneOf"] {
        for branch in schema
            .get(keyword)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            collect_rules(branch, location, rules);
        }
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn go_duration_grammar() {
        let ok = [
            ("0", 0),
            ("-0", 0),
            ("30s", 30_000_000_000),
            ("1m30s", 90_000_000_000),
            ("1.5us", 1_500),
            ("1.5\u{b5}s", 1_500),
            ("1\u{3bc}s", 1_000),
            (".5s", 500_000_000),
            ("1.s", 1_000_000_000),
            ("+5s", 5_000_000_000),
            ("-5s", -5_000_000_000),
            ("3.000s", 3_000_000_000),
            ("1h0m0s", 3_600_000_000_000),
            ("2562047h47m16.854775807s", i64::MAX),
            ("-2562047h47m16.854775808s", i64::MIN),
        ];
        for (text, nanos) in ok {
            assert_eq!(parse_go_duration(text), Ok(nanos), "{text}");
        }
        for bad in [
            "",
            "+",
            "30",
            "30sec",
            "1d",
            ".s",
            "s",
            "1.2.3s",
            "5 s",
            "1s ",
            "2562047h47m16.854775808s",
        ] {
            assert!(parse_go_duration(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn schema_locations_round_trip() {
        let schema = serde_json::json!({"properties": {"spec": {"properties": {
            "http": {"items": {"properties": {"timeout": {"type": "string"}}}},
            "labels": {"additionalProperties": {"type": "string"}}
        }}}});
        assert_eq!(
            schema_at(&schema, "spec.http[*].timeout"),
            Some(&serde_json::json!({"type": "string"}))
        );
        assert_eq!(
            schema_at(&schema, "spec.labels{*}"),
            Some(&serde_json::json!({"type": "string"}))
        );
        assert_eq!(schema_at(&schema, "spec.nothing"), None);
    }
}
