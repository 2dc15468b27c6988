//! A YAML document as a JSON value plus the source position of every node, so a problem found
//! at a field path can be reported at its file and line.
//!
//! serde-saphyr parses (it resolves scalars with the YAML 1.2 core schema, refuses duplicate
//! keys and bounds depth and alias expansion); its `Spanned` wrapper hands us each node's
//! position while we build the value.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_saphyr::Spanned;

/// One step of a path into a document: a mapping key or a sequence index.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// A mapping key.
    Key(String),
    /// A sequence index.
    Index(usize),
}

/// A path into a document, printed the way kubectl and Istio print field paths:
/// `spec.http[0].retries.attempts`; keys that are not plain words are quoted,
/// `metadata.labels["app.kubernetes.io/name"]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldPath(Vec<Segment>);

impl FieldPath {
    /// The document itself.
    #[must_use]
    pub fn root() -> Self {
        Self::default()
    }

    /// This path with one more key.
    #[must_use]
    pub fn key(&self, key: impl Into<String>) -> Self {
        let mut segments = self.0.clone();
        segments.push(Segment::Key(key.into()));
        Self(segments)
    }

    /// This path with one more index.
    #[must_use]
    pub fn index(&self, index: usize) -> Self {
        let mut segments = self.0.clone();
        segments.push(Segment::Index(index));
        Self(segments)
    }

    /// The steps, outermost first.
    #[must_use]
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// The path without its last step (the root stays the root).
    #[must_use]
    pub fn parent(&self) -> Self {
        let mut segments = self.0.clone();
        segments.pop();
        Self(segments)
    }
}

impl From<Vec<Segment>> for FieldPath {
    fn from(segments: Vec<Segment>) -> Self {
        Self(segments)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(document)");
        }
        for (position, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Index(index) => write!(f, "[{index}]")?,
                Segment::Key(key) if is_word(key) => {
                    if position > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(key)?;
                }
                Segment::Key(key) => write!(f, "[{key:?}]")?,
            }
        }
        Ok(())
    }
}

fn is_word(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A line and column, 1-based (0 when unknown).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Position {
    /// The line, from 1.
    pub line: u64,
    /// The column, from 1.
    pub column: u64,
}

impl From<serde_saphyr::Location> for Position {
    fn from(location: serde_saphyr::Location) -> Self {
        Self {
            line: location.line(),
            column: location.column(),
        }
    }
}

/// A parsed document: its value and where each of its nodes starts.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LocatedDocument {
    pub value: Value,
    pub start: Position,
    pub positions: BTreeMap<FieldPath, Position>,
}

impl LocatedDocument {
    /// Where `path` starts, or the closest enclosing node that has a position.
    pub fn position_of(&self, path: &FieldPath) -> Position {
        let mut path = path.clone();
        loop {
            if let Some(position) = self.positions.get(&path) {
                return *position;
            }
            if path.segments().is_empty() {
                return self.start;
            }
            path = path.parent();
        }
    }

    /// The document at `index` of a `List`'s `items`, with its positions re-rooted.
    pub fn item(&self, index: usize, value: Value) -> Self {
        let prefix = FieldPath::root().key("items").index(index);
        let positions = self
            .positions
            .iter()
            .filter_map(|(path, position)| {
                path.segments()
                    .strip_prefix(prefix.segments())
                    .map(|rest| (FieldPath::from(rest.to_vec()), *position))
            })
            .collect();
        Self {
            start: self.position_of(&prefix),
            value,
            positions,
        }
    }
}

/// A YAML node with the position of each child, as serde-saphyr's `Spanned` reports it.
enum Node {
    Null,
    Bool(bool),
    Signed(i64),
    Unsigned(u64),
    Float(f64),
    Text(String),
    Sequence(Vec<Spanned<Node>>),
    Mapping(Vec<(Spanned<Node>, Spanned<Node>)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        Node::deserialize(deserializer)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Signed(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Unsigned(v))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Node, E> {
        i64::try_from(v)
            .map(Node::Signed)
            .map_err(|_| E::custom(format_args!("the integer {v} is too large")))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Node, E> {
        u64::try_from(v)
            .map(Node::Unsigned)
            .map_err(|_| E::custom(format_args!("the integer {v} is too large")))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Text(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::Text(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Node, E> {
        String::from_utf8(v.to_vec())
            .map(Node::Text)
            .map_err(|_| E::custom("binary data is not a manifest value"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Node>>()? {
            items.push(item);
        }
        Ok(Node::Sequence(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<Node>>()? {
            let value = map.next_value::<Spanned<Node>>()?;
            entries.push((key, value));
        }
        Ok(Node::Mapping(entries))
    }
}

/// The text of a mapping key: Kubernetes keys are strings, and YAML lets `5000:` stand for
/// `"5000":` (PeerAuthentication `portLevelMtls`).
fn key_text(node: &Node) -> Option<String> {
    match node {
        Node::Text(text) => Some(text.clone()),
        Node::Signed(n) => Some(n.to_string()),
        Node::Unsigned(n) => Some(n.to_string()),
        Node::Bool(b) => Some(b.to_string()),
        Node::Float(x) => Some(x.to_string()),
        Node::Null | Node::Sequence(_) | Node::Mapping(_) => None,
    }
}

/// A problem building the value: a key that is not a scalar.
#[derive(Debug)]
pub(crate) struct ComplexKey {
    pub path: FieldPath,
    pub position: Position,
}

/// Builds the value of `node`, recording where each descendant is: a mapping entry at its
/// key (where editors and kubectl point), a sequence item at the item.
fn lower(
    node: Spanned<Node>,
    path: &FieldPath,
    positions: &mut BTreeMap<FieldPath, Position>,
) -> Result<Value, ComplexKey> {
    positions
        .entry(path.clone())
        .or_insert_with(|| node.referenced.into());
    Ok(match node.value {
        Node::Null => Value::Null,
        Node::Bool(b) => Value::Bool(b),
        Node::Signed(n) => Value::from(n),
        Node::Unsigned(n) => Value::from(n),
        Node::Float(x) => serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number),
        Node::Text(text) => Value::String(text),
        Node::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(index, item)| lower(item, &path.index(index), positions))
                .collect::<Result<_, _>>()?,
        ),
        Node::Mapping(entries) => {
            let mut object = serde_json::Map::new();
            for (key, value) in entries {
                let Some(text) = key_text(&key.value) else {
                    return Err(ComplexKey {
                        path: path.clone(),
                        position: key.referenced.into(),
                    });
                };
                let child = path.key(text.clone());
                positions.insert(child.clone(), key.referenced.into());
                object.insert(text, lower(value, &child, positions)?);
            }
            Value::Object(object)
        }
    })
}

/// Why a YAML stream could not be parsed.
#[derive(Debug)]
pub(crate) enum ParseError {
    /// The text is not YAML (or exceeds the parser's depth and alias budgets).
    Syntax { message: String, position: Position },
    /// A mapping key that is a mapping or a sequence.
    ComplexKey(ComplexKey),
}

/// Every document of a YAML (or JSON) stream, empty documents left out.
pub(crate) fn parse_stream(text: &str) -> Result<Vec<LocatedDocument>, ParseError> {
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! { max_depth: 48 },
    };
    let nodes: Vec<Spanned<Node>> = serde_saphyr::from_multiple_with_options(text, options)
        .map_err(|error| ParseError::Syntax {
            position: error.location().map(Position::from).unwrap_or_default(),
            message: syntax_message(&error),
        })?;
    nodes
        .into_iter()
        .filter(|node| !matches!(node.value, Node::Null))
        .map(|node| {
            let start = node.referenced.into();
            let mut positions = BTreeMap::new();
            let value =
                lower(node, &FieldPath::root(), &mut positions).map_err(ParseError::ComplexKey)?;
            Ok(LocatedDocument {
                value,
                start,
                positions,
            })
        })
        .collect()
}

/// serde-saphyr's message without the source snippet it appends (we print our own location).
fn syntax_message(error: &serde_saphyr::Error) -> String {
    let text = error.to_string();
    let first = text.lines().next().unwrap_or_default();
    let trimmed = first
        .split(" at line ")
        .next()
        .unwrap_or(first)
        .trim_end_matches(':')
        .trim();
    if trimmed.is_empty() {
        "not valid YAML".to_owned()
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn positions_point_at_each_node() {
        let text = "a: 1\nb:\n  - x\n  - c: true\n---\n# empty\n---\nz: null\n";
        let documents = parse_stream(text).unwrap();
        assert_eq!(documents.len(), 2);
        let first = &documents[0];
        assert_eq!(first.value["b"][1]["c"], Value::Bool(true));
        let at = |path: FieldPath| first.position_of(&path).line;
        assert_eq!(at(FieldPath::root().key("a")), 1);
        assert_eq!(at(FieldPath::root().key("b").index(0)), 3);
        assert_eq!(at(FieldPath::root().key("b").index(1).key("c")), 4);
        // A path that does not exist falls back to its closest ancestor.
        assert_eq!(at(FieldPath::root().key("b").index(1).key("nope")), 4);
        assert_eq!(documents[1].start.line, 8);
    }

    #[test]
    fn json_parses_with_lines() {
        let text = "{\n  \"kind\": \"List\",\n  \"items\": [\n    {\"a\": 5000}\n  ]\n}\n";
        let documents = parse_stream(text).unwrap();
        assert_eq!(documents[0].value["items"][0]["a"], Value::from(5000));
        let item = documents[0].item(0, documents[0].value["items"][0].clone());
        assert_eq!(item.position_of(&FieldPath::root().key("a")).line, 4);
    }

    #[test]
    fn syntax_errors_have_a_line() {
        let Err(ParseError::Syntax { position, message }) = parse_stream("a: 1\nb: [x\n") else {
            panic!("an unclosed flow sequence is refused");
        };
        assert!(position.line >= 2, "{position:?}");
        assert!(!message.is_empty());
        assert!(matches!(
            parse_stream("a: 1\na: 2\n"),
            Err(ParseError::Syntax { .. })
        ));
    }

    #[test]
    fn paths_print_like_kubectl() {
        let path = FieldPath::root()
            .key("metadata")
            .key("labels")
            .key("app.kubernetes.io/name");
        assert_eq!(
            path.to_string(),
            "metadata.labels[\"app.kubernetes.io/name\"]"
        );
        assert_eq!(
            FieldPath::root()
                .key("spec")
                .key("http")
                .index(0)
                .to_string(),
            "spec.http[0]"
        );
    }
}
