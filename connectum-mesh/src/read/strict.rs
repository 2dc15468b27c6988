//! "Never a silent drop": a document read as its kind, written back, must give the value that
//! was read. Whatever the typed kind could not hold (an unknown field, a misspelled one) shows
//! up as a difference, at its path.

use connectum_mesh_core::Duration;
use serde_json::Value;

use super::tree::FieldPath;

/// What reading lost at one path.
#[derive(Debug, PartialEq)]
pub(crate) enum Loss {
    /// A field the kind does not have.
    UnknownField,
    /// A value that reads back as another value.
    Changed { read_as: String },
}

/// Every path where `input` holds something `back` (the typed value written out) does not.
pub(crate) fn losses(input: &Value, back: &Value) -> Vec<(FieldPath, Loss)> {
    let mut out = Vec::new();
    compare(input, back, &FieldPath::root(), &mut out);
    out
}

/// Null, `{}` and `[]` say nothing; serializers leave them out.
fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        _ => false,
    }
}

fn same_scalar(input: &Value, back: &Value) -> bool {
    match (input, back) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        // Durations are written back in their canonical form (`1m` reads as `60s`).
        (Value::String(a), Value::String(b)) => {
            a == b || matches!((Duration::parse(a), Duration::parse(b)), (Ok(x), Ok(y)) if x == y)
        }
        _ => input == back,
    }
}

fn compare(input: &Value, back: &Value, path: &FieldPath, out: &mut Vec<(FieldPath, Loss)>) {
    match (input, back) {
        (Value::Object(input), Value::Object(back)) => {
            for (key, value) in input {
                let child = path.key(key.clone());
                match back.get(key) {
                    Some(written) => compare(value, written, &child, out),
                    None if is_empty(value) => {}
                    None => out.push((child, Loss::UnknownField)),
                }
            }
        }
        (Value::Array(input), Value::Array(back)) if input.len() == back.len() => {
            for (index, (value, written)) in input.iter().zip(back).enumerate() {
                compare(value, written, &path.index(index), out);
            }
        }
        (input, back) if is_empty(input) && is_empty(back) => {}
        (input, back) if input.is_object() || input.is_array() || !same_scalar(input, back) => {
            out.push((
                path.clone(),
                Loss::Changed {
                    read_as: back.to_string(),
                },
            ));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn finds_fields_the_type_dropped() {
        let input = json!({"spec": {"http": [{"timeout": "30s", "fault": {"delay": 1}}], "a": null, "b": {}}});
        let back = json!({"spec": {"http": [{"timeout": "30s"}]}});
        let found = losses(&input, &back);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0.to_string(), "spec.http[0].fault");
        assert_eq!(found[0].1, Loss::UnknownField);
    }

    #[test]
    fn equal_values_in_other_spellings_are_not_losses() {
        let input = json!({"t": "1m", "n": 5000, "x": 1.0});
        let back = json!({"t": "60s", "n": 5000.0, "x": 1});
        assert!(losses(&input, &back).is_empty());
        let changed = losses(&json!({"t": "1m"}), &json!({"t": "30s"}));
        assert!(matches!(changed[0].1, Loss::Changed { .. }));
    }
}
