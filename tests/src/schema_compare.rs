//! Compares two structural schemas field by field: does every field our CustomResource schema
//! declares exist in Istio's official schema, with the same type?
//!
//! A schema is flattened into `field path → type`, where the path uses `[*]` for array items and
//! `{*}` for map values (`spec.http[*].route[*].weight`), properties found in
//! `oneOf`/`anyOf`/`allOf` branches count as the node's own (that is how both schemars and the
//! CRD generator express one-ofs), and the type is the node's `type`, `int-or-string` for
//! `x-kubernetes-int-or-string`, or `any` when the node constrains nothing.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

/// What a schema says about one field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Field {
    /// Its type: `string`, `integer`, `object` …, `int-or-string`, or `any`.
    pub kind: String,
    /// The values an `enum` allows (empty when the field has no enum).
    pub values: Vec<String>,
}

/// Every field of a schema, by path.
#[must_use]
pub fn fields(schema: &Value) -> BTreeMap<String, Field> {
    let mut out = BTreeMap::new();
    collect_children(schema, "", &mut out);
    out
}

fn type_of(node: &Value) -> String {
    if node
        .get("x-kubernetes-int-or-string")
        .and_then(Value::as_bool)
        == Some(true)
    {
        return "int-or-string".to_owned();
    }
    match node.get("type") {
        Some(Value::String(kind)) => kind.clone(),
        // schemars writes an optional field as `["string", "null"]`.
        Some(Value::Array(kinds)) => {
            let kinds: Vec<&str> = kinds
                .iter()
                .filter_map(Value::as_str)
                .filter(|k| *k != "null")
                .collect();
            kinds.join("|")
        }
        _ => {
            let branch_types: Vec<String> = ["anyOf", "oneOf"]
                .iter()
                .filter_map(|k| node.get(*k).and_then(Value::as_array))
                .flatten()
                .map(type_of)
                .filter(|t| t != "any")
                .collect();
            match branch_types.first() {
                Some(first) if branch_types.iter().all(|t| t == first) => first.clone(),
                Some(_) => branch_types.join("|"),
                None => "any".to_owned(),
            }
        }
    }
}

fn collect(node: &Value, path: &str, out: &mut BTreeMap<String, Field>) {
    let kind = type_of(node);
    // The same field may appear in several one-of branches; keep the most specific type.
    let entry = out.entry(path.to_owned()).or_insert_with(|| Field {
        kind: kind.clone(),
        values: Vec::new(),
    });
    if entry.kind == "any" {
        entry.kind = kind;
    }
    for value in node
        .get("enum")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let text = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned);
        if !entry.values.contains(&text) {
            entry.values.push(text);
        }
    }
    collect_children(node, path, out);
}

/// The children of `node` at `path`, including those its `oneOf`/`anyOf`/`allOf` branches
/// declare: they are fields of `node` itself.
fn collect_children(node: &Value, path: &str, out: &mut BTreeMap<String, Field>) {
    if let Some(properties) = node.get("properties").and_then(Value::as_object) {
        for (name, child) in properties {
            let child_path = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            collect(child, &child_path, out);
        }
    }
    if let Some(items) = node.get("items") {
        collect(items, &format!("{path}[*]"), out);
    }
    if let Some(values) = node.get("additionalProperties").filter(|v| v.is_object()) {
        collect(values, &format!("{path}{{*}}"), out);
    }
    for keyword in ["oneOf", "anyOf", "allOf"] {
        for branch in node
            .get(keyword)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            collect_children(branch, path, out);
        }
    }
}

/// A field of our schema that the official schema lacks or types differently.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disagreement {
    /// The field path, e.g. `spec.http[*].retries.attempts`.
    pub path: String,
    /// Its type in our schema.
    pub ours: String,
    /// Its type in the official schema, or `None` when the official schema has no such field.
    pub official: Option<String>,
}

impl fmt::Display for Disagreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.official {
            Some(official) => write!(
                f,
                "{}: ours is {}, Istio's is {official}",
                self.path, self.ours
            ),
            None => write!(
                f,
                "{}: ours is {}, Istio has no such field",
                self.path, self.ours
            ),
        }
    }
}

/// Every field under `spec` in `ours` that `official` lacks or types differently, and every
/// enum value of ours that the official enum does not allow. A field we leave untyped (`any`)
/// must still exist in the official schema.
#[must_use]
pub fn disagreements(ours: &Value, official: &Value) -> Vec<Disagreement> {
    let official_fields = fields(official);
    let mut found = Vec::new();
    for (path, field) in fields(ours).into_iter().filter(|(path, _)| {
        path == "spec" || path.starts_with("spec.") || path.starts_with("spec[")
    }) {
        let Some(theirs) = official_fields.get(&path) else {
            found.push(Disagreement {
                path,
                ours: field.kind,
                official: None,
            });
            continue;
        };
        if theirs.kind != field.kind && field.kind != "any" {
            found.push(Disagreement {
                path: path.clone(),
                ours: field.kind.clone(),
                official: Some(theirs.kind.clone()),
            });
        }
        if !theirs.values.is_empty() {
            for value in field.values.iter().filter(|v| !theirs.values.contains(v)) {
                found.push(Disagreement {
                    path: path.clone(),
                    ours: format!("enum value {value}"),
                    official: Some(format!("one of {}", theirs.values.join(", "))),
                });
            }
        }
    }
    found
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flattens_paths_and_branches() {
        let schema = json!({"type": "object", "properties": {"spec": {
            "type": "object",
            "properties": {
                "http": {"type": "array", "items": {"type": "object", "properties": {
                    "weight": {"type": "integer"}
                }}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "port": {"x-kubernetes-int-or-string": true}
            },
            "oneOf": [{"properties": {"exact": {"type": "string"}}}]
        }}});
        let fields = fields(&schema);
        assert_eq!(fields["spec.http[*].weight"].kind, "integer");
        assert_eq!(fields["spec.labels{*}"].kind, "string");
        assert_eq!(fields["spec.port"].kind, "int-or-string");
        assert_eq!(fields["spec.exact"].kind, "string");
    }

    #[test]
    fn reports_missing_and_mistyped_fields() {
        let official = json!({"properties": {"spec": {"type": "object", "properties": {
            "mode": {"type": "string", "enum": ["STRICT", "PERMISSIVE"]},
            "weight": {"type": "integer"}
        }}}});
        let ours = json!({"properties": {"spec": {"type": "object", "properties": {
            "mode": {"type": "string", "enum": ["STRICT", "STRICTT"]},
            "weight": {"type": "string"},
            "wieght": {"type": "integer"}
        }}}});
        let found: Vec<String> = disagreements(&ours, &official)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            found,
            [
                "spec.mode: ours is enum value STRICTT, Istio's is one of STRICT, PERMISSIVE",
                "spec.weight: ours is string, Istio's is integer",
                "spec.wieght: ours is integer, Istio has no such field",
            ]
        );
    }
}
