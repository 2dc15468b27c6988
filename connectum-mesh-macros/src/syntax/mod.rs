//! The DSL's syntax: one module per node, each value keeping the span it was written at.
//!
//! [`tree`] turns tokens into blocks of fields and nodes; the node modules read those blocks
//! into typed nodes, reporting unknown keys, missing keys and malformed values as they go.
//! Each node's keys are a table ([`record`]); a key's value is a [`scalar`] of its kind,
//! which [`value`] and [`shaped`] read.

mod cursor;
pub mod fragment;
pub mod gateway;
pub mod mesh;
pub mod record;
pub mod resilience;
pub mod route;
pub mod scalar;
pub mod security;
pub mod service;
pub mod shaped;
pub mod tree;
pub mod value;

use connectum_mesh_core::diag::did_you_mean;

use crate::errors::{Codes, Errors};
use tree::{Block, Entry, Name, SpanRange, Value};

/// Reads the entries of one block: each key is taken once, and whatever no one took is an
/// unknown key, reported with the closest known one.
pub struct Fields<'a> {
    block: &'a Block,
    what: &'static str,
    taken: Vec<bool>,
    known: Vec<&'static str>,
    hints: Vec<(&'static str, &'static str)>,
    broken: bool,
    node: SpanRange,
}

impl<'a> Fields<'a> {
    /// The fields of `block`, a block of a `what` (for messages: "service", "route").
    pub fn new(block: &'a Block, what: &'static str) -> Self {
        Self {
            block,
            what,
            taken: vec![false; block.entries.len()],
            known: Vec::new(),
            hints: Vec::new(),
            broken: false,
            node: block.span,
        }
    }

    /// Problems of the node as a whole (a [`record::Choice`] none of whose keys is written)
    /// point at `span` (the `route` keyword) rather than at the block.
    #[must_use]
    pub fn node(mut self, span: SpanRange) -> Self {
        self.node = span;
        self
    }

    /// Where problems of the node as a whole point.
    pub fn node_span(&self) -> SpanRange {
        self.node
    }

    /// An unknown key among `words` suggests `key`.
    pub fn hint(&mut self, key: &'static str, words: &[&'static str]) {
        self.hints.extend(words.iter().map(|word| (*word, key)));
    }

    /// The value of `key`, reporting a second occurrence.
    pub fn take(&mut self, key: &'static str, errors: &mut Errors) -> Option<&'a Value> {
        self.take_any(key, &[], errors)
    }

    /// The value of `key` or of one of its old words `was` (reported as renamed, CM0912),
    /// reporting a second occurrence.
    pub fn take_any(
        &mut self,
        key: &'static str,
        was: &[&'static str],
        errors: &mut Errors,
    ) -> Option<&'a Value> {
        self.known.push(key);
        let mut found: Option<&'a Value> = None;
        for (index, entry) in self.block.entries.iter().enumerate() {
            if let Entry::Broken { key: name } = entry
                && (name.text == key || was.contains(&name.text.as_str()))
            {
                self.taken[index] = true;
                self.broken = true;
                continue;
            }
            let Entry::Field { key: name, value } = entry else {
                continue;
            };
            let old = was.iter().find(|old| name.text == **old);
            if name.text != key && old.is_none() {
                continue;
            }
            self.taken[index] = true;
            if let Some(old) = old {
                errors.renamed(name.span, old, key);
            }
            if found.is_some() {
                errors.at(
                    name.span,
                    Codes::DUPLICATE_KEY,
                    format!("`{key}` is set twice in this {}", self.what),
                );
            } else {
                found = Some(value);
            }
        }
        found
    }

    /// The value of `key` (or an old word of it), reporting its absence when `required`.
    pub fn key(
        &mut self,
        key: &'static str,
        was: &[&'static str],
        required: bool,
        errors: &mut Errors,
    ) -> Option<&'a Value> {
        self.broken = false;
        let found = self.take_any(key, was, errors);
        if required && found.is_none() && !self.broken {
            self.missing(key, errors);
        }
        found
    }

    fn missing(&self, key: &str, errors: &mut Errors) {
        errors.at_with_help(
            self.block.span,
            Codes::MISSING_KEY,
            format!("this {} has no `{key}`", self.what),
            format!("add `{key}: ...`"),
        );
    }

    /// The block being read.
    pub fn block_span(&self) -> SpanRange {
        self.block.span
    }

    /// The nodes `kind name? { ... }` in order.
    pub fn nodes(&mut self, kind: &'static str) -> Vec<(&'a Name, Option<&'a Name>, &'a Block)> {
        self.known.push(kind);
        let mut nodes = Vec::new();
        for (index, entry) in self.block.entries.iter().enumerate() {
            if let Entry::Node {
                kind: node_kind,
                name,
                body,
            } = entry
                && node_kind.text == kind
            {
                self.taken[index] = true;
                nodes.push((node_kind, name.as_ref(), body));
            }
        }
        nodes
    }

    /// Reports every entry no one took.
    pub fn finish(self, errors: &mut Errors) {
        for (entry, taken) in self.block.entries.iter().zip(self.taken) {
            if taken {
                continue;
            }
            if matches!(entry, Entry::Broken { .. }) {
                // Already reported where it broke.
                continue;
            }
            let key = entry.key();
            let article = if self.what.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            let message = format!("{article} {} has no key `{}`", self.what, key.text);
            let hinted = self.hints.iter().find(|(word, _)| *word == key.text);
            let help = match hinted {
                Some((_, known)) => format!("did you mean `{known}`?"),
                None => did_you_mean(
                    &key.text,
                    self.known.iter().copied(),
                    format!("the keys are: {}", self.known.join(", ")),
                ),
            };
            errors.at_with_help(key.span, Codes::UNKNOWN_KEY, message, help);
        }
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::mesh::{MeshNode, mesh};
    use super::tree::parse_input;
    use crate::errors::Errors;

    /// Reads `tokens` as a whole `mesh!` input.
    pub fn read(tokens: proc_macro2::TokenStream) -> (MeshNode, Vec<String>) {
        let mut errors = Errors::default();
        let tree = parse_input(tokens, &mut errors);
        let node = mesh(&tree, &mut errors);
        (node, errors.messages())
    }

    /// A mesh whose split has a leg known only at run time.
    pub fn runtime_split() -> proc_macro2::TokenStream {
        quote::quote! {
            namespace: connectum,
            service order-service {
                image: "order:1.0.0",
                subset stable {}
                subset canary {}
                route { split: { stable: 90, canary: (canary_percent()) } }
            }
        }
    }
}
