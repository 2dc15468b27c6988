//! The shape every DSL node shares: blocks of `key: value` fields and named child nodes.
//!
//! This layer knows no keys. It only turns tokens into a tree that keeps every span, recovering
//! at the next `,` after a mistake so that one pass reports every malformed entry.

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Ident, Lit, LitStr, Token};

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
    let parser = |stream: ParseStream| Ok(parse_entries(stream, errors));
    match parser.parse2(input) {
        Ok(entries) => Block {
            entries,
            span: SpanRange::single(Span::call_site()),
        },
        Err(error) => {
            errors.syn(Codes::SYNTAX, error);
            Block {
                entries: Vec::new(),
                span: SpanRange::single(Span::call_site()),
            }
        }
    }
}

/// Entries separated by `,` (optional after a node's `}`), recovering after a bad entry.
fn parse_entries(input: ParseStream, errors: &mut Errors) -> Vec<Entry> {
    let mut entries = Vec::new();
    while !input.is_empty() {
        match parse_entry(input, errors) {
            Ok(entry) => {
                let is_node = matches!(entry, Entry::Node { .. });
                entries.push(entry);
                if input.is_empty() {
                    break;
                }
                if input.peek(Token![,]) || input.peek(Token![;]) {
                    skip_token(input);
                } else if !is_node {
                    errors.syn(Codes::SYNTAX, input.error("expected `,` after this entry"));
                    // A forgotten comma before the next entry: read that entry, so it is neither
                    // lost nor reported missing. Anything else: skip to the next comma.
                    if !starts_entry(input) {
                        skip_to_comma(input);
                    }
                }
            }
            Err((key, error)) => {
                errors.syn(Codes::SYNTAX, error);
                if let Some(key) = key {
                    entries.push(Entry::Broken { key });
                }
                skip_to_comma(input);
            }
        }
    }
    entries
}

/// Whether an entry starts here: `key:` or `kind name? {`.
fn starts_entry(input: ParseStream) -> bool {
    let ahead = input.fork();
    if parse_key(&ahead).is_err() {
        return false;
    }
    if ahead.peek(Token![:]) && !ahead.peek(Token![::]) {
        return true;
    }
    if ahead.peek(LitStr) {
        let _ = ahead.parse::<LitStr>();
    } else if ahead.peek(Ident::peek_any) && parse_name(&ahead).is_err() {
        return false;
    }
    ahead.peek(syn::token::Brace)
}

fn skip_token(input: ParseStream) {
    let _ = input.step(|cursor| match cursor.token_tree() {
        Some((_, rest)) => Ok(((), rest)),
        None => Err(cursor.error("unexpected end")),
    });
}

fn skip_to_comma(input: ParseStream) {
    while !input.is_empty() {
        let at_separator = input.peek(Token![,]) || input.peek(Token![;]);
        skip_token(input);
        if at_separator {
            break;
        }
    }
}

/// One entry; on a mistake, the error and the key when it was read.
fn parse_entry(
    input: ParseStream,
    errors: &mut Errors,
) -> Result<Entry, (Option<Name>, syn::Error)> {
    let key = parse_key(input).map_err(|e| (None, e))?;
    parse_entry_after(input, key.clone(), errors).map_err(|e| (Some(key), e))
}

fn parse_key(input: ParseStream) -> syn::Result<Name> {
    if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        Ok(Name {
            text: lit.value(),
            span: SpanRange::single(lit.span()),
            single_ident: false,
        })
    } else if input.peek(Ident::peek_any) {
        parse_name(input)
    } else {
        Err(input.error("expected a key (`image: ...`) or a node (`service name { ... }`)"))
    }
}

fn parse_entry_after(input: ParseStream, key: Name, errors: &mut Errors) -> syn::Result<Entry> {
    if input.peek(Token![:]) && !input.peek(Token![::]) {
        input.parse::<Token![:]>()?;
        if input.is_empty() || input.peek(Token![,]) {
            return Err(input.error(format!("expected a value for `{}`", key.text)));
        }
        let value = parse_value(input, errors)?;
        return Ok(Entry::Field { key, value });
    }
    if !key.single_ident {
        return Err(syn::Error::new_spanned(
            key.span,
            format!("expected `:` after `{}`", key.text),
        ));
    }
    let name = if input.peek(syn::token::Brace) {
        None
    } else if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        Some(Name {
            text: lit.value(),
            span: SpanRange::single(lit.span()),
            single_ident: false,
        })
    } else if input.peek(Ident::peek_any) {
        Some(parse_name(input)?)
    } else {
        return Err(input.error(format!(
            "expected `:` after `{0}`, or a name and a block: `{0} name {{ ... }}`",
            key.text
        )));
    };
    if !input.peek(syn::token::Brace) {
        return Err(input.error(format!(
            "expected `{0}: value`, or `{0} name {{ ... }}` for a node",
            key.text
        )));
    }
    let body = parse_block(input, errors)?;
    Ok(Entry::Node {
        kind: key,
        name,
        body,
    })
}

fn parse_block(input: ParseStream, errors: &mut Errors) -> syn::Result<Block> {
    let content;
    let brace = syn::braced!(content in input);
    let entries = parse_entries(&content, errors);
    Ok(Block {
        entries,
        span: SpanRange::single(brace.span.join()),
    })
}

/// `order-service`, `x-canary`, `connectum/envoy-gateway`, `retriable-4xx`: identifiers and
/// integers joined by `-`, `/` or `.`.
fn parse_name(input: ParseStream) -> syn::Result<Name> {
    let first = Ident::parse_any(input)?;
    let mut text = first.to_string();
    let mut span = SpanRange::single(first.span());
    let mut single_ident = true;
    loop {
        let separator = if input.peek(Token![-]) {
            '-'
        } else if input.peek(Token![/]) {
            '/'
        } else if input.peek(Token![.]) && !input.peek(Token![..]) {
            '.'
        } else {
            break;
        };
        skip_token(input);
        text.push(separator);
        single_ident = false;
        if input.peek(Ident::peek_any) {
            let part = Ident::parse_any(input)?;
            text.push_str(&part.to_string());
            span.last = part.span();
        } else if input.peek(syn::LitInt) {
            let part: syn::LitInt = input.parse()?;
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

fn at_value_end(input: ParseStream) -> bool {
    input.is_empty() || input.peek(Token![,]) || input.peek(Token![;])
}

fn parse_value(input: ParseStream, errors: &mut Errors) -> syn::Result<Value> {
    if input.peek(syn::token::Bracket) {
        let content;
        let bracket = syn::bracketed!(content in input);
        let mut items = Vec::new();
        while !content.is_empty() {
            items.push(parse_value(&content, errors)?);
            if content.is_empty() {
                break;
            }
            content.parse::<Token![,]>()?;
        }
        return Ok(Value::List {
            items,
            span: SpanRange::single(bracket.span.join()),
        });
    }
    if input.peek(syn::token::Brace) {
        return parse_block(input, errors).map(Value::Block);
    }
    if input.peek(syn::token::Paren) {
        let group: proc_macro2::Group = input.parse()?;
        debug_assert_eq!(group.delimiter(), Delimiter::Parenthesis);
        let expr = syn::parse2::<syn::Expr>(group.stream())?;
        return Ok(Value::Expr(RustExpr {
            expr,
            span: SpanRange::single(group.span()),
        }));
    }
    if input.peek(Lit) {
        return Ok(Value::Lit(input.parse()?));
    }
    if input.peek(Ident::peek_any) {
        let name = parse_name(input)?;
        if name.single_ident && !at_value_end(input) && !input.peek(syn::token::Brace) {
            let value = parse_value(input, errors)?;
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
