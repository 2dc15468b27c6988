//! Structural-schema validation the way the Kubernetes API server applies a CRD's
//! `openAPIV3Schema` with strict field validation (`kubectl apply --validate=strict`).
//!
//! The CRD's OpenAPI v3 schema is converted into a JSON Schema (draft 4, the draft OpenAPI 3.0
//! builds on) that spells out what the API server enforces implicitly, and the `jsonschema`
//! crate validates against it:
//!
//! - **unknown fields are errors**: every `type: object` without
//!   `x-kubernetes-preserve-unknown-fields: true` and without an `additionalProperties` schema
//!   gets `additionalProperties: false` (the API server prunes such fields, and strict field
//!   validation turns the pruning into an error);
//! - `nullable: true` admits `null`; without it `null` is refused (the API server would prune the
//!   field silently; emitting `null` is always a mistake on our side, so this is stricter);
//! - `x-kubernetes-int-or-string: true` admits exactly an integer or a string;
//! - `format: int32` bounds the integer to 32 bits, as Istio's protobuf decoding does; `byte`
//!   must be base64 and `date-time` RFC 3339, the formats the API server checks;
//! - the root admits `apiVersion`, `kind` and `metadata`, which the API server adds to every
//!   CRD schema; `metadata` is checked by [`check_metadata`].
//!
//! `x-kubernetes-list-type` uniqueness is checked by [`check_list_types`], and
//! `x-kubernetes-validations` (CEL) by [`crate::cel`]: neither is JSON Schema.

use serde_json::{Map, Value, json};

/// Converts a CRD version's `openAPIV3Schema` into the JSON Schema the API server enforces.
#[must_use]
pub fn to_json_schema(open_api_v3_schema: &Value) -> Value {
    let mut root = convert(open_api_v3_schema);
    if let Some(object) = root.as_object_mut() {
        let properties = object
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(properties) = properties.as_object_mut() {
            properties.insert("apiVersion".to_owned(), json!({"type": "string"}));
            properties.insert("kind".to_owned(), json!({"type": "string"}));
            properties.insert("metadata".to_owned(), json!({"type": "object"}));
        }
        let required = object
            .entry("required")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Some(required) = required.as_array_mut() {
            for field in ["apiVersion", "kind", "metadata"] {
                if !required.iter().any(|r| r == field) {
                    required.push(Value::String(field.to_owned()));
                }
            }
        }
    }
    root
}

/// The inclusive bounds a numeric `format` implies.
fn format_bounds(format: &str) -> Option<(i64, i64)> {
    match format {
        "int32" => Some((i64::from(i32::MIN), i64::from(i32::MAX))),
        "uint32" => Some((0, i64::from(u32::MAX))),
        _ => None,
    }
}

fn convert(node: &Value) -> Value {
    let Some(source) = node.as_object() else {
        return node.clone();
    };
    let mut out = Map::new();
    for (key, value) in source {
        match key.as_str() {
            // Composition and nesting: convert recursively.
            "properties" => {
                let converted = value
                    .as_object()
                    .map(|props| {
                        props
                            .iter()
                            .map(|(name, schema)| (name.clone(), convert(schema)))
                            .collect::<Map<_, _>>()
                    })
                    .unwrap_or_default();
                out.insert(key.clone(), Value::Object(converted));
            }
            "items" | "not" => {
                out.insert(key.clone(), convert(value));
            }
            "additionalProperties" => {
                let converted = if value.is_object() {
                    convert(value)
                } else {
                    value.clone()
                };
                out.insert(key.clone(), converted);
            }
            "oneOf" | "anyOf" | "allOf" => {
                let branches = value
                    .as_array()
                    .map(|branches| branches.iter().map(convert).collect())
                    .unwrap_or_default();
                out.insert(key.clone(), Value::Array(branches));
            }
            // Kubernetes extensions, handled below or by the CEL evaluator; annotations that
            // do not constrain.
            k if k.starts_with("x-kubernetes-") => {}
            "nullable" | "description" | "default" | "example" | "externalDocs" | "title" => {}
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }

    let preserve_unknown = source
        .get("x-kubernetes-preserve-unknown-fields")
        .and_then(Value::as_bool)
        == Some(true);
    if source.get("type").and_then(Value::as_str) == Some("object")
        && !preserve_unknown
        && !source.contains_key("additionalProperties")
    {
        out.insert("additionalProperties".to_owned(), Value::Bool(false));
    }

    if source
        .get("x-kubernetes-int-or-string")
        .and_then(Value::as_bool)
        == Some(true)
        && !out.contains_key("anyOf")
    {
        out.insert(
            "anyOf".to_owned(),
            json!([{"type": "integer"}, {"type": "string"}]),
        );
    }

    if let Some((low, high)) = source
        .get("format")
        .and_then(Value::as_str)
        .and_then(format_bounds)
    {
        out.entry("minimum").or_insert_with(|| json!(low));
        out.entry("maximum").or_insert_with(|| json!(high));
    }

    if source.get("nullable").and_then(Value::as_bool) == Some(true) {
        match out.get("type").cloned() {
            Some(Value::String(kind)) => {
                out.insert("type".to_owned(), json!([kind, "null"]));
            }
            _ => {
                return json!({"anyOf": [{"type": "null"}, Value::Object(out)]});
            }
        }
        // An enum must list null too, or it would still refuse it.
        if let Some(Value::Array(values)) = out.get_mut("enum")
            && !values.contains(&Value::Null)
        {
            values.push(Value::Null);
        }
    }
    Value::Object(out)
}

/// Builds the `jsonschema` validator for a converted schema, with the formats the API server
/// checks.
///
/// # Errors
/// The `jsonschema` crate's message when the schema is not a valid draft-4 schema.
pub fn compile(json_schema: &Value) -> Result<jsonschema::Validator, String> {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .with_format("byte", is_base64)
        .build(json_schema)
        .map_err(|e| e.to_string())
}

/// Whether `text` is standard base64 with padding, what Kubernetes' `byte` format requires.
fn is_base64(text: &str) -> bool {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return false;
    }
    let body = text.trim_end_matches('=');
    if bytes.len() - body.len() > 2 {
        return false;
    }
    body.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

/// Turns a JSON pointer (`/spec/http/0/timeout`) into a Kubernetes field path
/// (`spec.http[0].timeout`).
#[must_use]
pub fn field_path(pointer: &str) -> String {
    let mut path = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            path.push('[');
            path.push_str(&segment);
            path.push(']');
        } else {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&segment);
        }
    }
    path
}

/// Checks the list semantics JSON Schema cannot express: the items of an
/// `x-kubernetes-list-type: set` are unique, and so are the key fields
/// (`x-kubernetes-list-map-keys`) of the items of an `x-kubernetes-list-type: map`, as the API
/// server checks them. Returns `(field path, message)` for each duplicate.
#[must_use]
pub fn check_list_types(open_api_v3_schema: &Value, document: &Value) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    walk_lists(open_api_v3_schema, document, "", &mut problems);
    problems
}

fn walk_lists(schema: &Value, value: &Value, path: &str, out: &mut Vec<(String, String)>) {
    let join = |name: &str| {
        if path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    if let Some(object) = value.as_object() {
        let properties = schema.get("properties").and_then(Value::as_object);
        for (name, child) in object {
            match properties.and_then(|p| p.get(name)) {
                Some(child_schema) => walk_lists(child_schema, child, &join(name), out),
                None => {
                    if let Some(values) =
                        schema.get("additionalProperties").filter(|v| v.is_object())
                    {
                        walk_lists(values, child, &join(name), out);
                    }
                }
            }
        }
    }
    let Some(items) = value.as_array() else {
        return;
    };
    if let Some(item_schema) = schema.get("items") {
        for (index, item) in items.iter().enumerate() {
            walk_lists(item_schema, item, &format!("{path}[{index}]"), out);
        }
    }
    let list_type = schema.get("x-kubernetes-list-type").and_then(Value::as_str);
    if !matches!(list_type, Some("map" | "set")) {
        return;
    }
    let keys: Vec<&str> = schema
        .get("x-kubernetes-list-map-keys")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    // A map item is identified by its key fields, a set item by its whole value.
    let identity = |item: &Value| -> Value {
        if list_type == Some("map") {
            keys.iter()
                .map(|k| item.get(*k).cloned().unwrap_or(Value::Null))
                .collect()
        } else {
            item.clone()
        }
    };
    let unique_by = if keys.is_empty() {
        "value".to_owned()
    } else {
        keys.join(", ")
    };
    let mut seen: Vec<Value> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let id = identity(item);
        if seen.contains(&id) {
            out.push((
                format!("{path}[{index}]"),
                format!("duplicate entry {id} (the list's items must be unique by {unique_by})"),
            ));
        } else {
            seen.push(id);
        }
    }
}

/// The fields of Kubernetes' `ObjectMeta`; any other is an unknown field.
const OBJECT_META_FIELDS: [&str; 15] = [
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
];

/// One problem with a document's `metadata`, as `(field path, message)`.
pub type MetadataProblem = (String, String);

/// Checks what the API server checks in `metadata` for a namespaced custom resource: only
/// `ObjectMeta` fields, a `name` that is a DNS-1123 subdomain, a `namespace` that is a DNS-1123 label, labels whose keys and
/// values follow Kubernetes' label grammar, and string-valued annotations.
#[must_use]
pub fn check_metadata(document: &Value) -> Vec<MetadataProblem> {
    let mut problems = Vec::new();
    let Some(metadata) = document.get("metadata").and_then(Value::as_object) else {
        problems.push(("metadata".to_owned(), "metadata is required".to_owned()));
        return problems;
    };
    for field in metadata.keys() {
        if !OBJECT_META_FIELDS.contains(&field.as_str()) {
            problems.push((
                format!("metadata.{field}"),
                format!("unknown field \"{field}\" in ObjectMeta"),
            ));
        }
    }
    match metadata.get("name").and_then(Value::as_str) {
        None => problems.push(("metadata.name".to_owned(), "name is required".to_owned())),
        Some(name) if !is_dns1123_subdomain(name) => problems.push((
            "metadata.name".to_owned(),
            format!("`{name}` is not a DNS-1123 subdomain (lower case alphanumerics, '-' and '.', at most 253)"),
        )),
        Some(_) => {}
    }
    if let Some(namespace) = metadata.get("namespace") {
        match namespace.as_str() {
            Some(ns) if is_dns1123_label(ns) => {}
            _ => problems.push((
                "metadata.namespace".to_owned(),
                format!("{namespace} is not a DNS-1123 label"),
            )),
        }
    }
    if let Some(labels) = metadata.get("labels") {
        check_string_map(labels, "metadata.labels", true, &mut problems);
    }
    if let Some(annotations) = metadata.get("annotations") {
        check_string_map(annotations, "metadata.annotations", false, &mut problems);
    }
    problems
}

fn check_string_map(map: &Value, path: &str, labels: bool, problems: &mut Vec<MetadataProblem>) {
    let Some(map) = map.as_object() else {
        problems.push((path.to_owned(), "must be a map of strings".to_owned()));
        return;
    };
    for (key, value) in map {
        let entry = format!("{path}[{key}]");
        if !is_qualified_name(key) {
            problems.push((entry.clone(), format!("`{key}` is not a valid key")));
        }
        match value.as_str() {
            None => problems.push((entry, "must be a string".to_owned())),
            Some(text) if labels && !is_label_value(text) => {
                problems.push((entry, format!("`{text}` is not a valid label value")))
            }
            Some(_) => {}
        }
    }
}

/// A DNS-1123 label: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
#[must_use]
pub fn is_dns1123_label(text: &str) -> bool {
    let bytes = text.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes.first() != Some(&b'-')
        && bytes.last() != Some(&b'-')
}

/// A DNS-1123 subdomain: dot-separated DNS-1123 labels, at most 253 characters.
#[must_use]
pub fn is_dns1123_subdomain(text: &str) -> bool {
    text.len() <= 253 && text.split('.').all(is_dns1123_label)
}

/// A label or annotation key: an optional DNS-1123 subdomain prefix and `/`, then a name of at
/// most 63 alphanumerics, `-`, `_` and `.`, starting and ending with an alphanumeric.
#[must_use]
pub fn is_qualified_name(text: &str) -> bool {
    let (prefix, name) = match text.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, text),
    };
    prefix.is_none_or(is_dns1123_subdomain) && !name.is_empty() && is_label_value(name)
}

/// A label value: empty, or at most 63 alphanumerics, `-`, `_` and `.`, starting and ending with
/// an alphanumeric.
#[must_use]
pub fn is_label_value(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.is_empty()
        || (bytes.len() <= 63
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
            && bytes.last().is_some_and(u8::is_ascii_alphanumeric))
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn closes_objects_and_marks_nullable() {
        let converted = to_json_schema(&json!({
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "properties": {
                        "weight": {"type": "integer", "format": "int32"},
                        "open": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                        "maybe": {"type": "string", "nullable": true}
                    }
                }
            }
        }));
        let spec = &converted["properties"]["spec"];
        assert_eq!(spec["additionalProperties"], json!(false));
        assert_eq!(spec["properties"]["weight"]["maximum"], json!(i32::MAX));
        assert_eq!(spec["properties"]["open"].get("additionalProperties"), None);
        assert_eq!(
            spec["properties"]["labels"]["additionalProperties"],
            json!({"type": "string"})
        );
        assert_eq!(
            spec["properties"]["maybe"]["type"],
            json!(["string", "null"])
        );
        assert_eq!(converted["additionalProperties"], json!(false));
        assert_eq!(
            converted["required"],
            json!(["apiVersion", "kind", "metadata"])
        );
    }

    #[test]
    fn field_paths_read_like_kubectl() {
        assert_eq!(field_path("/spec/http/0/timeout"), "spec.http[0].timeout");
        assert_eq!(field_path(""), "");
        assert_eq!(field_path("/a~1b"), "a/b");
    }

    #[test]
    fn metadata_rules() {
        assert!(
            check_metadata(
                &json!({"metadata": {"name": "order-service", "namespace": "connectum"}})
            )
            .is_empty()
        );
        assert_eq!(check_metadata(&json!({"metadata": {}})).len(), 1);
        assert_eq!(
            check_metadata(&json!({"metadata": {"name": "a", "labes": {}}})),
            [(
                "metadata.labes".to_owned(),
                "unknown field \"labes\" in ObjectMeta".to_owned()
            )]
        );
        assert_eq!(
            check_metadata(&json!({"metadata": {"name": "Order_Service"}})).len(),
            1
        );
        assert_eq!(
            check_metadata(&json!({"metadata": {"name": "a", "labels": {"app.kubernetes.io/name": "x", "bad key!": "-x"}}})).len(),
            2
        );
        assert!(is_base64("aGVsbG8="));
        assert!(!is_base64("aGVsbG8"));
    }
}
