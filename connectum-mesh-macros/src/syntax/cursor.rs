//! A position in the tokens of one group, with the lookahead the DSL's grammar needs and the
//! errors `syn` would give at it.
//!
//! The grammar ([`super::tree`]) used to run on `syn`'s `ParseStream`. Its peeks are general
//! (a `peek(LitStr)` parses a literal and allocates an error when the token is not one) and
//! each goes through several layers of calls, which a proc-macro in a dev build runs without
//! optimisation: reading the token tree of a 300-service mesh took 150 ms. A cursor over a
//! slice of `TokenTree`s reads the same grammar with a comparison per token, and builds each
//! error with the span and message `syn` gives (`unexpected end of input, ...` at the closing
//! delimiter; a group's opening delimiter), so the messages users see are unchanged.

use proc_macro2::{Delimiter, Group, Literal, Spacing, Span, TokenStream, TokenTree};
use syn::{Lit, LitBool, LitStr};

/// The tokens of a group (or of the whole input), with the invisible groups a `macro_rules!`
/// fragment arrives in opened, as `syn`'s cursor sees through them.
pub fn flatten(stream: TokenStream) -> Vec<TokenTree> {
    fn push(stream: TokenStream, trees: &mut Vec<TokenTree>) {
        for tree in stream {
            match tree {
                TokenTree::Group(group) if group.delimiter() == Delimiter::None => {
                    push(group.stream(), trees);
                }
                tree => trees.push(tree),
            }
        }
    }
    let mut trees = Vec::new();
    push(stream, &mut trees);
    trees
}

/// A position in the tokens of one group.
#[derive(Clone, Copy)]
pub struct Cursor<'a> {
    trees: &'a [TokenTree],
    pos: usize,
    /// Where an error at the end points: the group's closing delimiter (the call site for the
    /// whole input).
    scope: Span,
    /// The group's delimiter, for "unexpected token, expected `]`".
    delimiter: Delimiter,
}

impl<'a> Cursor<'a> {
    /// The start of the whole input.
    pub fn input(trees: &'a [TokenTree]) -> Self {
        Self {
            trees,
            pos: 0,
            scope: Span::call_site(),
            delimiter: Delimiter::None,
        }
    }

    /// The start of the contents of `group`, whose tokens are `trees`.
    pub fn inside(group: &Group, trees: &'a [TokenTree]) -> Self {
        Self {
            trees,
            pos: 0,
            scope: group.span_close(),
            delimiter: group.delimiter(),
        }
    }

    /// The token here.
    pub fn token(&self) -> Option<&'a TokenTree> {
        self.trees.get(self.pos)
    }

    /// Whether no token is left.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.trees.len()
    }

    /// Moves past `n` tokens.
    pub fn advance(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.trees.len());
    }

    /// Whether the token here is the punctuation `ch`.
    pub fn punct(&self, ch: char) -> bool {
        matches!(self.token(), Some(TokenTree::Punct(p)) if p.as_char() == ch)
    }

    /// Whether `ch` is here twice, the first joined to the second (`::`, `..`).
    pub fn double(&self, ch: char) -> bool {
        matches!(self.token(), Some(TokenTree::Punct(p)) if p.as_char() == ch && p.spacing() == Spacing::Joint)
            && matches!(self.trees.get(self.pos + 1), Some(TokenTree::Punct(p)) if p.as_char() == ch)
    }

    /// Whether the token here is an identifier (a keyword included).
    pub fn is_ident(&self) -> bool {
        matches!(self.token(), Some(TokenTree::Ident(_)))
    }

    /// The group here, when it has `delimiter`.
    pub fn group(&self, delimiter: Delimiter) -> Option<&'a Group> {
        match self.token() {
            Some(TokenTree::Group(group)) if group.delimiter() == delimiter => Some(group),
            _ => None,
        }
    }

    /// The string literal here.
    pub fn lit_str(&self) -> Option<LitStr> {
        match self.token() {
            Some(TokenTree::Literal(literal)) => match Lit::new(literal.clone()) {
                Lit::Str(lit) => Some(lit),
                _ => None,
            },
            _ => None,
        }
    }

    /// The literal here as `syn` reads one (`true` and `false` included, and a `-` before a
    /// number), and how many tokens it takes.
    pub fn lit(&self) -> Option<(Lit, usize)> {
        match self.token()? {
            TokenTree::Literal(literal) => Some((Lit::new(literal.clone()), 1)),
            TokenTree::Ident(ident) if ident == "true" || ident == "false" => {
                Some((Lit::Bool(LitBool::new(ident == "true", ident.span())), 1))
            }
            TokenTree::Punct(minus) if minus.as_char() == '-' => {
                let number: &Literal = match self.trees.get(self.pos + 1)? {
                    TokenTree::Literal(literal) => literal,
                    _ => return None,
                };
                let negative: TokenStream = [
                    TokenTree::Punct(minus.clone()),
                    TokenTree::Literal(number.clone()),
                ]
                .into_iter()
                .collect();
                syn::parse2::<Lit>(negative).ok().map(|lit| (lit, 2))
            }
            _ => None,
        }
    }

    /// The span `syn` reports a problem with the token here at: a group's opening delimiter.
    fn open_span(&self) -> Option<Span> {
        Some(match self.token()? {
            TokenTree::Group(group) => group.span_open(),
            tree => tree.span(),
        })
    }

    /// The span of the token here, a group whole.
    pub fn span(&self) -> Option<Span> {
        self.token().map(TokenTree::span)
    }

    /// `message` here, as `syn`'s `ParseStream::error` words and places it.
    pub fn error(&self, message: impl std::fmt::Display) -> syn::Error {
        match self.open_span() {
            Some(span) => syn::Error::new(span, message),
            None => syn::Error::new(self.scope, format!("unexpected end of input, {message}")),
        }
    }

    /// "expected `ch`" where the punctuation `ch` is not, as `syn` reports it (the mistaken
    /// punctuation's own span).
    pub fn expected_punct(&self, ch: char) -> syn::Error {
        let span = self.open_span().unwrap_or(self.scope);
        syn::Error::new(span, format!("expected `{ch}`"))
    }

    /// Where the first token left unread is, and the group's delimiter: `syn` reports a group
    /// left half read as "unexpected token" there.
    pub fn leftover(&self) -> Option<(Span, Delimiter)> {
        self.span().map(|span| (span, self.delimiter))
    }
}

/// `syn`'s message for a token left unread in a group.
pub fn unexpected_token(span: Span, delimiter: Delimiter) -> syn::Error {
    let message = match delimiter {
        Delimiter::Parenthesis => "unexpected token, expected `)`",
        Delimiter::Brace => "unexpected token, expected `}`",
        Delimiter::Bracket => "unexpected token, expected `]`",
        Delimiter::None => "unexpected token",
    };
    syn::Error::new(span, message)
}
