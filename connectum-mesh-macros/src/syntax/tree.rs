//! The shape every DSL node shares: blocks of `key: value` fields and named child nodes.
//!
//! This layer knows no keys. It only turns tokens into a tree that keeps every span, recovering
//! at the next `,` after a mistake so that one pass reports every malformed entry.

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::{Lit, LitStr};

use super::cursor::{Cursor, flatten, unexpected_token};
use crate::errors::{Codes, Errors};

/// The first and last token of an item, so errors underline all of it (`order-service`).
#[derive(Clone, Copy, Debug)]
pub struct SpanRange {
    /// Where the item starts.
    pub first: Span,
    /// Where the item ends.
    pub last: Span,
}

impl SpanRange {
    /// A range of one token.
    pub fn single(span: Span) -> Self {
        Self {
            first: span,
            last: span,
        }
    }

    /// From the start of `self` to the end of `other`.
    pub fn to(self, other: Self) -> Self {
        Self {
            first: self.first,
            last: other.last,
        }
    }
}

impl ToTokens for SpanRange {
    /// Two marker tokens carrying the spans: `syn::Error::new_spanned` underlines from the
    /// first to the last.
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let mut first = proc_macro2::Punct::new('#', proc_macro2::Spacing::Alone);
        first.set_span(self.first);
        let mut last = proc_macro2::Punct::new('#', proc_macro2::Spacing::Alone);
        last.set_span(self.last);
        tokens.extend([TokenTree::Punct(first), TokenTree::Punct(last)]);
    }
}

/// A name as the mesh spells it, written bare (`order-service`, `connectum/envoy-gateway`,
/// `x-canary`) or quoted (`"order-service"`).
#[derive(Clone, Debug)]
pub struct Name {
    /// The text, separators included.
    pub text: String,
    /// Where it is written.
    pub span: SpanRange,
    /// Whether it is one plain identifier (`stable`), which may tag a value (`prefix "v1"`).
    pub single_ident: bool,
}

/// A Rust expression in parentheses, `(canary_percent())`: its value is known only at run
/// time, so the runtime checker judges it.
#[derive(Clone, Debug)]
pub struct RustExpr {
    /// The expression.
    pub expr: syn::Expr,
    /// The parentheses and everything inside.
    pub span: SpanRange,
}

/// A value on the right of `key:`.
#[derive(Clone, Debug)]
pub enum Value {
    /// A literal: `"text"`, `5000`, `30s`, `128Mi`, `0.5`, `true`.
    Lit(Lit),
    /// A bare name: `canary`, `STRICT`, `connectum/envoy-gateway`.
    Name(Name),
    /// A name that qualifies the value after it: `prefix "v1"`, `namespace connectum`.
    Tagged {
        /// The qualifier.
        tag: Name,
        /// The qualified value.
        value: Box<Value>,
    },
    /// `[a, b]`.
    List {
        /// The items.
        items: Vec<Value>,
        /// The brackets.
        span: SpanRange,
    },
    /// `{ key: value, ... }`.
    Block(Block),
    /// `(rust_expression)`.
    Expr(RustExpr),
}

impl Value {
    /// Where the value is written.
    pub fn span(&self) -> SpanRange {
        match self {
            Self::Lit(lit) => SpanRange::single(lit.span()),
            Self::Name(name) => name.span,
            Self::Tagged { tag, value } => tag.span.to(value.span()),
            Self::List { span, .. } => *span,
            Self::Block(block) => block.span,
            Self::Expr(expr) => expr.span,
        }
    }

    /// What kind of value this is, for "expected …, found …" messages.
    pub fn describe(&self) -> &'static str {
        match self {
            Self::Lit(Lit::Str(_)) => "a string",
            Self::Lit(Lit::Int(_)) => "an integer",
            Self::Lit(Lit::Float(_)) => "a number",
            Self::Lit(Lit::Bool(_)) => "a boolean",
            Self::Lit(_) => "a literal",
            Self::Name(_) => "a name",
            Self::Tagged { .. } => "a qualified value",
            Self::List { .. } => "a list",
            Self::Block(_) => "a block",
            Self::Expr(_) => "a Rust expression",
        }
    }
}

/// `{ entries }`, or the whole macro input.
#[derive(Clone, Debug)]
pub struct Block {
    /// The entries in order.
    pub entries: Vec<Entry>,
    /// The braces (the call site for the whole input).
    pub span: SpanRange,
}

impl Block {
    /// Whether a Rust expression is written anywhere in the block: the expansion keeps its
    /// own local bindings out of such an expression's sight.
    pub fn has_expressions(&self) -> bool {
        fn in_value(value: &Value) -> bool {
            match value {
                Value::Expr(_) => true,
                Value::Lit(_) | Value::Name(_) => false,
                Value::Tagged { value, .. } => in_value(value),
                Value::List { items, .. } => items.iter().any(in_value),
                Value::Block(block) => block.has_expressions(),
            }
        }
        self.entries.iter().any(|entry| match entry {
            Entry::Field { value, .. } => in_value(value),
            Entry::Node { body, .. } => body.has_expressions(),
            Entry::Broken { .. } => false,
        })
    }
}

/// One entry of a block.
#[derive(Clone, Debug)]
pub enum Entry {
    /// A key whose entry did not parse (already reported): it was given, so it is neither
    /// missing nor unknown.
    Broken {
        /// The key.
        key: Name,
    },
    /// `key: value`.
    Field {
        /// The key.
        key: Name,
        /// The value.
        value: Value,
    },
    /// `kind name? { ... }`: `service order-service { ... }`, `route { ... }`.
    Node {
        /// `service`, `subset`, `route` …
        kind: Name,
        /// The declared name, when given.
        name: Option<Name>,
        /// The body.
        body: Block,
    },
}

impl Entry {
    /// The key or node kind.
    pub fn key(&self) -> &Name {
        match self {
            Self::Field { key, .. } | Self::Broken { key } => key,
            Self::Node { kind, .. } => kind,
        }
    }
}

/// Parses the whole macro input as the entries of the top-level block.
pub fn parse_input(input: TokenStream, errors: &mut Errors) -> Block {
    let trees = flatten(input);
    let mut parser = Parser {
        errors,
        unexpected: None,
    };
    let entries = parser.entries(&mut Cursor::input(&trees));
    let span = SpanRange::single(Span::call_site());
    // As `syn` did: a list left half read (after an error in it) is one more error, and
    // nothing of the input is kept.
    if let Some((at, delimiter)) = parser.unexpected {
        parser
            .errors
            .syn(Codes::SYNTAX, unexpected_token(at, delimiter));
        return Block {
            entries: Vec::new(),
            span,
        };
    }
    Block { entries, span }
}

/// A node's entry once its key is read.
enum AfterKey {
    Field(Value),
    Node(Option<Name>, Block),
}

/// The grammar: reports what it recovers from and carries on.
struct Parser<'e> {
    errors: &'e mut Errors,
    /// The first list left half read after an error in it.
    unexpected: Option<(Span, Delimiter)>,
}

impl Parser<'_> {
    /// Entries separated by `,` (optional after a node's `}`), recovering after a bad entry.
    fn entries(&mut self, input: &mut Cursor) -> Vec<Entry> {
        let mut entries = Vec::new();
        while !input.is_empty() {
            match self.entry(input) {
                Ok(entry) => {
                    let is_node = matches!(entry, Entry::Node { .. });
                    entries.push(entry);
                    if input.is_empty() {
                        break;
                    }
                    if input.punct(',') || input.punct(';') {
                        input.advance(1);
                    } else if !is_node {
                        self.errors
                            .syn(Codes::SYNTAX, input.error("expected `,` after this entry"));
                        // A forgotten comma before the next entry: read that entry, so it is
                        // neither lost nor reported missing. Anything else: skip to the next
                        // comma.
                        if !starts_entry(*input) {
                            skip_to_comma(input);
                        }
                    }
                }
                Err((key, error)) => {
                    self.errors.syn(Codes::SYNTAX, error);
                    if let Some(key) = key {
                        entries.push(Entry::Broken { key });
                    }
                    skip_to_comma(input);
                }
            }
        }
        entries
    }

    /// One entry; on a mistake, the error and the key when it was read.
    fn entry(&mut self, input: &mut Cursor) -> Result<Entry, (Option<Name>, syn::Error)> {
        let key = parse_key(input).map_err(|e| (None, e))?;
        match self.after_key(input, &key) {
            Ok(AfterKey::Field(value)) => Ok(Entry::Field { key, value }),
            Ok(AfterKey::Node(name, body)) => Ok(Entry::Node {
                kind: key,
                name,
                body,
            }),
            Err(error) => Err((Some(key), error)),
        }
    }

    fn after_key(&mut self, input: &mut Cursor, key: &Name) -> syn::Result<AfterKey> {
        if input.punct(':') && !input.double(':') {
            input.advance(1);
            if input.is_empty() || input.punct(',') {
                return Err(input.error(format!("expected a value for `{}`", key.text)));
            }
            return self.value(input).map(AfterKey::Field);
        }
        if !key.single_ident {
            return Err(syn::Error::new_spanned(
                key.span,
                format!("expected `:` after `{}`", key.text),
            ));
        }
        let name = if input.group(Delimiter::Brace).is_some() {
            None
        } else if let Some(lit) = input.lit_str() {
            input.advance(1);
            Some(quoted(&lit))
        } else if input.is_ident() {
            Some(parse_name(input)?)
        } else {
            return Err(input.error(format!(
                "expected `:` after `{0}`, or a name and a block: `{0} name {{ ... }}`",
                key.text
            )));
        };
        let Some(body) = input.group(Delimiter::Brace) else {
            return Err(input.error(format!(
                "expected `{0}: value`, or `{0} name {{ ... }}` for a node",
                key.text
            )));
        };
        input.advance(1);
        Ok(AfterKey::Node(name, self.block(body)))
    }

    /// `{ entries }`.
    fn block(&mut self, braces: &Group) -> Block {
        let trees = flatten(braces.stream());
        let entries = self.entries(&mut Cursor::inside(braces, &trees));
        Block {
            entries,
            span: SpanRange::single(braces.span()),
        }
    }

    fn value(&mut self, input: &mut Cursor) -> syn::Result<Value> {
        if let Some(brackets) = input.group(Delimiter::Bracket) {
            input.advance(1);
            let trees = flatten(brackets.stream());
            let mut content = Cursor::inside(brackets, &trees);
            let items = self.items(&mut content).inspect_err(|_| {
                // `syn` reports the tokens a failed list leaves, once (the innermost list).
                if self.unexpected.is_none() {
                    self.unexpected = content.leftover();
                }
            })?;
            return Ok(Value::List {
                items,
                span: SpanRange::single(brackets.span()),
            });
        }
        if let Some(braces) = input.group(Delimiter::Brace) {
            input.advance(1);
            return Ok(Value::Block(self.block(braces)));
        }
        if let Some(parens) = input.group(Delimiter::Parenthesis) {
            input.advance(1);
            let expr = syn::parse2::<syn::Expr>(parens.stream())?;
            return Ok(Value::Expr(RustExpr {
                expr,
                span: SpanRange::single(parens.span()),
            }));
        }
        if let Some((lit, tokens)) = input.lit() {
            input.advance(tokens);
            return Ok(Value::Lit(lit));
        }
        if input.is_ident() {
            let name = parse_name(input)?;
            if name.single_ident && !at_value_end(input) && input.group(Delimiter::Brace).is_none()
            {
                let value = self.value(input)?;
                return Ok(Value::Tagged {
                    tag: name,
                    value: Box::new(value),
                });
            }
            return Ok(Value::Name(name));
        }
        Err(input.error(
            "expected a value: a literal (`\"text\"`, `5000`, `30s`, `128Mi`), a name, `[list]`, `{ block }` or `(rust_expression)`",
        ))
    }

    /// The values of a list, separated by commas.
    fn items(&mut self, content: &mut Cursor) -> syn::Result<Vec<Value>> {
        let mut items = Vec::new();
        while !content.is_empty() {
            items.push(self.value(content)?);
            if content.is_empty() {
                break;
            }
            if !content.punct(',') {
                return Err(content.expected_punct(','));
            }
            content.advance(1);
        }
        Ok(items)
    }
}

/// Whether an entry starts here: `key:` or `kind name? {`.
fn starts_entry(mut ahead: Cursor) -> bool {
    if parse_key(&mut ahead).is_err() {
        return false;
    }
    if ahead.punct(':') && !ahead.double(':') {
        return true;
    }
    if ahead.lit_str().is_some() {
        ahead.advance(1);
    } else if ahead.is_ident() && parse_name(&mut ahead).is_err() {
        return false;
    }
    ahead.group(Delimiter::Brace).is_some()
}

fn skip_to_comma(input: &mut Cursor) {
    while !input.is_empty() {
        let at_separator = input.punct(',') || input.punct(';');
        input.advance(1);
        if at_separator {
            break;
        }
    }
}

/// A name written as a string literal: `"order-service"`.
fn quoted(lit: &LitStr) -> Name {
    Name {
        text: lit.value(),
        span: SpanRange::single(lit.span()),
        single_ident: false,
    }
}

fn parse_key(input: &mut Cursor) -> syn::Result<Name> {
    if let Some(lit) = input.lit_str() {
        input.advance(1);
        Ok(quoted(&lit))
    } else if input.is_ident() {
        parse_name(input)
    } else {
        Err(input.error("expected a key (`image: ...`) or a node (`service name { ... }`)"))
    }
}

/// `order-service`, `x-canary`, `connectum/envoy-gateway`, `retriable-4xx`: identifiers and
/// integers joined by `-`, `/` or `.`.
fn parse_name(input: &mut Cursor) -> syn::Result<Name> {
    let Some(TokenTree::Ident(first)) = input.token() else {
        return Err(input.error("expected ident"));
    };
    input.advance(1);
    let mut text = first.to_string();
    let mut span = SpanRange::single(first.span());
    let mut single_ident = true;
    loop {
        let separator = if input.punct('-') {
            '-'
        } else if input.punct('/') {
            '/'
        } else if input.punct('.') && !input.double('.') {
            '.'
        } else {
            break;
        };
        input.advance(1);
        text.push(separator);
        single_ident = false;
        if let Some(TokenTree::Ident(part)) = input.token() {
            input.advance(1);
            text.push_str(&part.to_string());
            span.last = part.span();
        } else if let Some((Lit::Int(part), tokens)) = input.lit() {
            input.advance(tokens);
            text.push_str(&part.to_string());
            span.last = part.span();
        } else {
            return Err(input.error(format!("expected the rest of the name after `{text}`")));
        }
    }
    Ok(Name {
        text,
        span,
        single_ident,
    })
}

fn at_value_end(input: &Cursor) -> bool {
    input.is_empty() || input.punct(',') || input.punct(';')
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn parse(tokens: TokenStream) -> (Block, Errors) {
        let mut errors = Errors::default();
        let block = parse_input(tokens, &mut errors);
        (block, errors)
    }

    #[test]
    fn reads_fields_nodes_and_hyphenated_names() {
        let (block, errors) = parse(quote! {
            namespace: connectum,
            service order-service {
                image: "ghcr.io/x:1",
                calls: [inventory-service, payment-service],
            }
            external envoy-gateway { service_account: connectum/envoy-gateway }
        });
        assert!(errors.is_empty());
        assert_eq!(block.entries.len(), 3);
        let Entry::Node { kind, name, body } = &block.entries[1] else {
            panic!("a node")
        };
        assert_eq!(kind.text, "service");
        assert_eq!(
            name.as_ref().map(|n| n.text.as_str()),
            Some("order-service")
        );
        assert_eq!(body.entries.len(), 2);
        let Entry::Node { body, .. } = &block.entries[2] else {
            panic!("a node")
        };
        let Entry::Field {
            value: Value::Name(account),
            ..
        } = &body.entries[0]
        else {
            panic!("a name")
        };
        assert_eq!(account.text, "connectum/envoy-gateway");
    }

    #[test]
    fn reads_suffixed_literals_tags_and_expressions() {
        let (block, errors) = parse(quote! {
            timeout: 30s, memory: 128Mi, header: prefix "v1", weight: (canary_percent()),
        });
        assert!(errors.is_empty());
        let values: Vec<&str> = block
            .entries
            .iter()
            .map(|e| match e {
                Entry::Field { value, .. } => value.describe(),
                Entry::Node { .. } => "node",
                Entry::Broken { .. } => "broken",
            })
            .collect();
        assert_eq!(
            values,
            [
                "an integer",
                "an integer",
                "a qualified value",
                "a Rust expression"
            ]
        );
    }

    #[test]
    fn errors_are_worded_and_placed_as_syn_did() {
        // At the end of a block: "unexpected end of input", at its closing brace.
        let (_, errors) = parse(quote! { a: { b: } });
        assert_eq!(
            errors.messages(),
            ["CM0901: unexpected end of input, expected a value for `b`"]
        );
        // A list left half read is one more error, and the input is dropped (syn's
        // "unexpected token" for a group not read to its end).
        let (block, errors) = parse(quote! { a: [x, , y], b: 1 });
        assert_eq!(errors.len(), 2, "{:?}", errors.messages());
        assert!(errors.messages()[0].starts_with("CM0901: expected a value: "));
        assert_eq!(
            errors.messages()[1],
            "CM0901: unexpected token, expected `]`"
        );
        assert!(block.entries.is_empty());
        // `true`, `false` and negative numbers are literals; `4xx` a name's part.
        let (block, errors) = parse(quote! { a: true, b: -5, c: retriable-4xx });
        assert!(errors.is_empty(), "{:?}", errors.messages());
        let values: Vec<&str> = block
            .entries
            .iter()
            .map(|e| match e {
                Entry::Field { value, .. } => value.describe(),
                _ => "other",
            })
            .collect();
        assert_eq!(values, ["a boolean", "an integer", "a name"]);
    }

    #[test]
    fn recovers_after_a_bad_entry_and_reports_each() {
        let (block, errors) = parse(quote! { a: , b: 1, c 2, d: 3 });
        assert_eq!(errors.len(), 2);
        let keys: Vec<&str> = block
            .entries
            .iter()
            .map(|e| e.key().text.as_str())
            .collect();
        assert_eq!(keys, ["a", "b", "c", "d"]);
        assert!(matches!(block.entries[2], Entry::Broken { .. }));
    }
}
