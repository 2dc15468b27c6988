//! The writer against serde-saphyr, its oracle: every shape serde can hand it, the strings that
//! need quoting, and generated values. `written` runs the writer alone (no fallback), so a
//! test that expects it to handle a shape fails if it gave the shape up.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};

use super::{Writer, append, is_plainly_safe};
use crate::emit::yaml_options;

/// serde-saphyr's text for `value`: what the writer must reproduce.
fn oracle<T: Serialize>(value: &T) -> String {
    let mut text = String::new();
    serde_saphyr::to_fmt_writer_with_options(&mut text, value, yaml_options()).unwrap();
    text
}

/// The writer's own text, or `None` where it leaves the document to serde-saphyr.
fn written<T: Serialize>(value: &T) -> Option<String> {
    let mut text = String::new();
    value.serialize(&mut Writer::new(&mut text)).ok()?;
    Some(text)
}

/// The writer handles `value` itself, and writes serde-saphyr's text.
#[track_caller]
fn assert_written_as_serde_saphyr<T: Serialize>(value: &T) {
    let expected = oracle(value);
    let Some(text) = written(value) else {
        panic!("the writer gave up on a shape it should write:\n{expected}");
    };
    assert_eq!(text, expected, "the writer differs from serde-saphyr");
}

/// What `append` writes (the writer or, where it gives up, serde-saphyr) is serde-saphyr's text.
#[track_caller]
fn assert_appended_as_serde_saphyr<T: Serialize>(value: &T) {
    let mut text = String::from("before\n");
    append(value, &mut text).unwrap();
    assert_eq!(text, format!("before\n{}", oracle(value)));
}

/// Strings serde-saphyr quotes, escapes or spells its own way, and some it writes plain.
const AWKWARD: &[&str] = &[
    "",
    " ",
    "yes",
    "Yes",
    "NO",
    "on",
    "Off",
    "y",
    "n",
    "true",
    "False",
    "null",
    "Null",
    "~",
    "nan",
    ".nan",
    "inf",
    "-.inf",
    "1e3",
    "1E3",
    "0o17",
    "0x1F",
    "0b101",
    "+12",
    "-7",
    "01",
    "1_000",
    "1:30",
    "190:20:30",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "12.5",
    ".5",
    "5.",
    "-",
    ".",
    "#",
    "?",
    ":",
    "- a",
    "-a",
    "? a",
    "?a",
    "a: b",
    "a:b",
    "a:",
    "a #b",
    "a#b",
    "#a",
    "&a",
    "*a",
    "!a",
    "|",
    ">",
    "'a'",
    "\"a\"",
    "%a",
    "@a",
    "`a",
    "[a]",
    "{a}",
    "a,b",
    "---",
    "--- a",
    "...",
    "<<",
    "=",
    " lead",
    "trail ",
    "two\nlines",
    "end\n",
    "\n",
    "\r\n",
    "tab\there",
    "\u{7}bell",
    "\u{1b}",
    "\u{85}",
    "\u{a0}nbsp",
    "\u{2028}",
    "\u{feff}bom",
    "\u{7f}",
    "ünïcödé",
    "日本語",
    "emoji 🎉",
    "back\\slash",
    "quote\"d",
    "single'd",
    "/healthz",
    "/a/b:c",
    "10.0.0.1",
    "5s",
    "100ms",
    "128Mi",
    "500m",
    "3.14e",
    "0xfg",
    "2001-12-14x",
    "v1",
    "app.kubernetes.io/name",
    "networking.istio.io/v1",
    "a-b_c.d/e",
    "ALLOW",
];

fn long(n: usize) -> String {
    "x".repeat(n)
}

#[test]
fn plainly_safe_strings_are_the_ones_serde_saphyr_writes_plain_as_keys_and_values() {
    let long_word = long(1024);
    let too_long = long(1025);
    let mut checked = 0;
    for text in AWKWARD
        .iter()
        .copied()
        .chain([long_word.as_str(), too_long.as_str()])
    {
        if !is_plainly_safe(text) {
            continue;
        }
        checked += 1;
        assert_eq!(oracle(&text), format!("{text}\n"), "value {text:?}");
        let key = oracle(&BTreeMap::from([(text, 1)]));
        assert_eq!(key, format!("{text}: 1\n"), "key {text:?}");
    }
    assert!(checked >= 10, "only {checked} plain strings checked");
    for word in [
        "yes", "on", "null", "1e3", "0o17", "5", "-", "", " a", "a:b", "a #b", "üü",
    ] {
        assert!(
            !is_plainly_safe(word),
            "{word:?} needs serde-saphyr's decision"
        );
    }
    assert!(
        !is_plainly_safe(&too_long),
        "a key past 1,024 bytes takes the `? ` form"
    );
}

#[test]
fn every_awkward_string_as_a_value_a_key_and_a_list_item() {
    for text in AWKWARD {
        assert_written_as_serde_saphyr(text);
        assert_written_as_serde_saphyr(&json!({ "key": text, "list": [text, [text]] }));
        assert_written_as_serde_saphyr(&BTreeMap::from([(
            *text,
            BTreeMap::from([(*text, *text)]),
        )]));
    }
}

#[test]
fn nested_empty_collections_numbers_bools_and_nulls() {
    let shapes = [
        json!({}),
        json!([]),
        json!(null),
        json!(true),
        json!(7),
        json!("top"),
        json!([[]]),
        json!([{}]),
        json!([[[]], [{}], {}]),
        json!({ "a": {}, "b": [], "c": { "d": {} }, "e": [[]], "f": [{}], "g": [[1, 2], [3]] }),
        json!([{ "a": 1, "b": [{ "c": [], "d": {} }], "e": { "f": [[{ "g": null }]] } }]),
        json!([[{ "x": {} }, []], [[1]]]),
        json!({ "n": [null, true, false, 0, -1, u64::MAX, i64::MIN] }),
        json!({ "f": [1.5, -0.0, 1e300, 0.1, 2.0, -3.25e-10] }),
        json!({ "s": [{ "a": [{ "b": [{ "c": "deep" }] }] }] }),
    ];
    for shape in &shapes {
        assert_written_as_serde_saphyr(shape);
    }
}

#[test]
fn long_strings_and_keys() {
    let words = vec!["word"; 60].join(" ");
    assert_written_as_serde_saphyr(&json!({ "long": words, "list": [words] }));
    assert_written_as_serde_saphyr(&json!({ "plain": long(2000) }));
    // A key past 1,024 characters is written `? key`: serde-saphyr's form, so it writes it.
    let long_key = json!({ "a": { long(1100): 1 } });
    assert_eq!(written(&long_key), None);
    assert_appended_as_serde_saphyr(&long_key);
}

#[derive(Serialize)]
enum Policy {
    Allow,
    Deny { reason: String },
    Pair(u8, u8),
}

#[derive(Serialize)]
struct Rule {
    name: &'static str,
    skipped: Option<u32>,
    policy: Policy,
    letter: char,
    ratio: f32,
    tuple: (u8, &'static str),
    unit: (),
}

#[test]
fn structs_unit_variants_chars_floats_and_tuples() {
    let rule = Rule {
        name: "r",
        skipped: None,
        policy: Policy::Allow,
        letter: '#',
        ratio: 0.25,
        tuple: (1, "yes"),
        unit: (),
    };
    assert_written_as_serde_saphyr(&rule);
    assert_written_as_serde_saphyr(&vec![rule]);
}

#[derive(Serialize)]
enum Match {
    Exact(&'static str),
    Prefix(Value),
    Not(Box<Match>),
}

/// Istio's string matches (`exact: v`) are newtype variants: the writer takes them.
#[test]
fn newtype_variants_in_every_position() {
    let exact = || Match::Exact("yes");
    let nested = || Match::Prefix(json!({ "a": [1, { "b": {} }], "c": [] }));
    let empty = || Match::Prefix(json!({}));
    let not = || Match::Not(Box::new(Match::Not(Box::new(nested()))));
    for variant in [
        exact(),
        nested(),
        empty(),
        not(),
        Match::Prefix(json!([[1], []])),
    ] {
        assert_written_as_serde_saphyr(&variant);
        assert_written_as_serde_saphyr(&vec![variant]);
    }
    assert_written_as_serde_saphyr(&BTreeMap::from([("n", vec![not(), not()])]));
    assert_written_as_serde_saphyr(&vec![exact(), nested(), empty()]);
    assert_written_as_serde_saphyr(&vec![vec![nested(), exact()]]);
    assert_written_as_serde_saphyr(&BTreeMap::from([("m", exact())]));
    assert_written_as_serde_saphyr(&BTreeMap::from([("m", nested())]));
    assert_written_as_serde_saphyr(&BTreeMap::from([("m", vec![nested()])]));
    assert_written_as_serde_saphyr(&BTreeMap::from([(
        "headers",
        BTreeMap::from([("x-canary", exact()), ("x-deep", nested())]),
    )]));
    assert_written_as_serde_saphyr(&vec![BTreeMap::from([("k", nested()), ("l", empty())])]);
    assert_written_as_serde_saphyr(&BTreeMap::from([(
        "outer",
        Match::Prefix(json!([{"in": 1}])),
    )]));
}

#[test]
fn tuple_and_struct_variants_and_byte_strings_are_serde_saphyr_s() {
    let variants = vec![Policy::Deny { reason: "x".into() }, Policy::Pair(1, 2)];
    for variant in &variants {
        assert_eq!(written(variant), None);
        assert_appended_as_serde_saphyr(variant);
        assert_appended_as_serde_saphyr(&BTreeMap::from([("v", variant)]));
    }
    struct Bytes;
    impl Serialize for Bytes {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(b"raw")
        }
    }
    assert_eq!(written(&json!(null)).as_deref(), Some("null\n"));
    assert_eq!(written(&[Bytes]), None);
    assert_appended_as_serde_saphyr(&BTreeMap::from([("b", Bytes)]));
    let int_keys = BTreeMap::from([(1, "one"), (2, "two")]);
    assert_eq!(written(&int_keys), None);
    assert_appended_as_serde_saphyr(&int_keys);
}

/// A map that tells its length late (as `#[serde(flatten)]` does) or wrongly.
struct Entries {
    declared: Option<usize>,
    entries: Vec<(&'static str, Value)>,
}

impl Serialize for Entries {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(self.declared)?;
        for (key, value) in &self.entries {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

#[test]
fn maps_of_unknown_or_wrong_length() {
    for declared in [None, Some(0), Some(1), Some(3)] {
        for entries in [vec![], vec![("a", json!(1)), ("b", json!({ "c": [] }))]] {
            let map = || Entries {
                declared,
                entries: entries.clone(),
            };
            assert_written_as_serde_saphyr(&map());
            assert_written_as_serde_saphyr(&BTreeMap::from([("m", map())]));
            assert_written_as_serde_saphyr(&vec![map(), map()]);
            assert_written_as_serde_saphyr(&BTreeMap::from([("l", vec![vec![map()]])]));
        }
    }
}

/// Strings from the fragments YAML treats specially, glued together.
fn nasty_string() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        prop::sample::select(AWKWARD).prop_map(str::to_owned),
        "[a-z0-9./_-]{1,8}",
        any::<char>().prop_map(String::from),
        prop::sample::select(vec![" ", "\n", "\t", ": ", " #", "'", "\"", "\\", "-", ","])
            .prop_map(str::to_owned),
    ];
    prop::collection::vec(fragment, 0..4).prop_map(|parts| parts.concat())
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        nasty_string().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(nasty_string(), inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn generated_values_are_written_as_serde_saphyr_writes_them_and_read_back(value in value()) {
        let expected = oracle(&value);
        let text = written(&value);
        prop_assert_eq!(text.as_deref(), Some(expected.as_str()));
        let back: Value = serde_saphyr::from_str(&expected).unwrap();
        prop_assert_eq!(back, value);
    }
}
