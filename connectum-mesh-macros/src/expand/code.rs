//! The expansion written as Rust source text and handed to the compiler in few pieces.
//!
//! A 300-service mesh expands to about 276,000 tokens. Built one token at a time through
//! `quote!` and `proc_macro2`, each token is several calls of code compiled without
//! optimisation (a proc-macro is, in a dev build) and a call across the compiler's bridge;
//! written as text, it is one `String` the compiler's own (optimised) lexer reads. What must
//! keep spans of their own is spliced in as tokens: the user's expressions (so rustc's type
//! errors point inside the user's `mesh!`) and the expansion's local bindings, which are
//! `Span::mixed_site()` so the user's expressions cannot see them. Text read by the compiler
//! has the call site's span, as `quote!`'s tokens do, so every other token's span is
//! unchanged.
//!
//! Text can only be parsed where its delimiters balance, so a group that may hold a splice is
//! opened and closed through [`Code::open`] and [`Code::close`]: as long as nothing is
//! spliced into it, it stays text; once something is, it and the groups around it are built as
//! `Group`s of the pieces parsed around the splices.

use std::fmt::Write as _;
use std::str::FromStr;

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};
use quote::ToTokens;

/// Rust source being written, with tokens spliced in where spans matter.
pub(super) struct Code {
    text: String,
    /// The groups open at the end of `text`, outermost first; the first is the whole
    /// expansion.
    frames: Vec<Frame>,
    /// The path of the crate the expansion names (`::connectum_mesh`), as text.
    krate: String,
    /// Whether the input holds an expression of the user's, which must not see the
    /// expansion's local bindings.
    hygienic: bool,
}

/// A group being written.
struct Frame {
    delimiter: Delimiter,
    /// Where its opening delimiter is in the text.
    open_at: usize,
    /// Its tokens so far, once something was spliced into it (or into a group inside it):
    /// until then, it is all text.
    built: Option<TokenStream>,
    /// Where its text that is not yet in `built` starts.
    pending: usize,
}

impl Code {
    /// An empty expansion naming the model's types through `krate` (see [`crate::root`]);
    /// `hygienic` when the input holds an expression of the user's (see [`Code::binding`]).
    pub(super) fn new(krate: String, hygienic: bool) -> Self {
        Self {
            text: String::with_capacity(1 << 16),
            frames: vec![Frame {
                delimiter: Delimiter::None,
                open_at: 0,
                built: Some(TokenStream::new()),
                pending: 0,
            }],
            krate,
            hygienic,
        }
    }

    /// The path of the crate the expansion names.
    pub(super) fn krate(&self) -> &str {
        &self.krate
    }

    /// Appends Rust source whose delimiters balance.
    pub(super) fn push(&mut self, text: &str) {
        self.text.push_str(text);
    }

    /// Appends the crate path and `::path`: `::connectum_mesh::Mesh`.
    pub(super) fn path(&mut self, path: &str) {
        self.text.push_str(&self.krate);
        self.text.push_str("::");
        self.text.push_str(path);
    }

    /// Appends a string literal holding `value`, escaped as `proc_macro2::Literal::string`
    /// escapes it.
    pub(super) fn str_lit(&mut self, value: &str) {
        self.text.push('"');
        let mut chars = value.chars();
        while let Some(ch) = chars.next() {
            match ch {
                '\0' if chars
                    .as_str()
                    .starts_with(|next: char| ('0'..='7').contains(&next)) =>
                {
                    self.text.push_str("\\x00");
                }
                '\'' => self.text.push(ch),
                ch => self.text.extend(ch.escape_debug()),
            }
        }
        self.text.push('"');
    }

    /// Appends `value` (an integer literal, or `f64` with a `.`), followed by `suffix`.
    pub(super) fn number(&mut self, value: impl std::fmt::Display, suffix: &str) {
        let _ = write!(self.text, "{value}{suffix}");
    }

    /// Appends `String::from("value")`.
    pub(super) fn string(&mut self, value: &str) {
        self.text.push_str("::std::string::String::from(");
        self.str_lit(value);
        self.text.push(')');
    }

    /// Opens a group that may hold a splice; [`Code::close`] closes it.
    pub(super) fn open(&mut self, delimiter: Delimiter) {
        self.text.push(match delimiter {
            Delimiter::Parenthesis => '(',
            Delimiter::Brace => '{',
            Delimiter::Bracket => '[',
            Delimiter::None => ' ',
        });
        self.frames.push(Frame {
            delimiter,
            open_at: self.text.len() - 1,
            built: None,
            pending: self.text.len(),
        });
    }

    /// Closes the innermost group [`Code::open`] opened.
    pub(super) fn close(&mut self) {
        let Some(frame) = self.frames.pop() else {
            return;
        };
        let end = self.text.len();
        self.text.push(match frame.delimiter {
            Delimiter::Parenthesis => ')',
            Delimiter::Brace => '}',
            Delimiter::Bracket => ']',
            Delimiter::None => ' ',
        });
        let Some(mut built) = frame.built else {
            return;
        };
        built.extend(parse(&self.text[frame.pending..end]));
        let group = TokenTree::Group(Group::new(frame.delimiter, built));
        let resume = self.text.len();
        if let Some(parent) = self.frames.last_mut() {
            // A frame holding a built group is built itself (see `build_open_frames`).
            if let Some(tokens) = &mut parent.built {
                tokens.extend([group]);
            }
            parent.pending = resume;
        }
    }

    /// `delimiter`-delimited group around what `inside` writes.
    pub(super) fn group(&mut self, delimiter: Delimiter, inside: impl FnOnce(&mut Self)) {
        self.open(delimiter);
        inside(self);
        self.close();
    }

    /// `.method(..)` with what `args` writes between the parentheses.
    pub(super) fn call(&mut self, method: &str, args: impl FnOnce(&mut Self)) {
        self.push(method);
        self.group(Delimiter::Parenthesis, args);
    }

    /// Splices `tokens` in with their own spans.
    pub(super) fn splice(&mut self, tokens: impl ToTokens) {
        let tokens = tokens.into_token_stream();
        if tokens.is_empty() {
            return;
        }
        self.build_open_frames();
        let end = self.text.len();
        if let Some(frame) = self.frames.last_mut() {
            let pending = parse(&self.text[frame.pending..end]);
            if let Some(built) = &mut frame.built {
                built.extend([pending, tokens]);
            }
            frame.pending = end;
        }
    }

    /// Writes a local binding of the expansion (`service`, `subset_0`), which the user's
    /// expressions must not see: `Span::mixed_site()` gives it `macro_rules!` hygiene, and
    /// only a token can carry that span, so it is spliced in. Without an expression of the
    /// user's in the input, no token in the expansion could name it, and the text's call-site
    /// span resolves the same: it is written as text, and the whole expansion is read at once.
    pub(super) fn binding(&mut self, name: &str) {
        if self.hygienic {
            self.splice(Ident::new(name, Span::mixed_site()));
        } else {
            self.text.push_str(name);
        }
    }

    /// Turns every open group still held as text into tokens, each parent's text up to the
    /// group's opening delimiter parsed, so a splice can land in the innermost one.
    fn build_open_frames(&mut self) {
        let Some(first) = self.frames.iter().position(|f| f.built.is_none()) else {
            return;
        };
        for i in first.max(1)..self.frames.len() {
            let open_at = self.frames[i].open_at;
            let parent = &mut self.frames[i - 1];
            let pending = parse(&self.text[parent.pending..open_at]);
            if let Some(built) = &mut parent.built {
                built.extend([pending]);
            }
            parent.pending = open_at;
            self.frames[i].built = Some(TokenStream::new());
        }
    }

    /// The tokens written; groups left open are closed.
    pub(super) fn finish(mut self) -> TokenStream {
        while self.frames.len() > 1 {
            self.close();
        }
        let Some(mut root) = self.frames.pop() else {
            return TokenStream::new();
        };
        let mut built = root.built.take().unwrap_or_default();
        built.extend(parse(&self.text[root.pending..]));
        built
    }
}

/// Tokens of generated source text, read by the compiler's lexer when inside a proc-macro
/// (`proc_macro2`'s `FromStr` would first lex it again with its own lexer, compiled without
/// optimisation), by `proc_macro2`'s outside (the unit tests).
fn parse(text: &str) -> TokenStream {
    if text.trim().is_empty() {
        return TokenStream::new();
    }
    let parsed = if proc_macro::is_available() {
        proc_macro::TokenStream::from_str(text)
            .map(TokenStream::from)
            .map_err(|e| e.to_string())
    } else {
        TokenStream::from_str(text).map_err(|e| e.to_string())
    };
    // The text is the macro's own; a piece that does not lex is a bug, reported rather than
    // panicked on.
    parsed.unwrap_or_else(|error| {
        let message = format!(
            "connectum-mesh: the expansion of `mesh!` did not lex ({error}); this is a bug, please report it"
        );
        quote::quote!(::core::compile_error!(#message);)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn same(code: Code, expected: TokenStream) {
        assert_eq!(code.finish().to_string(), expected.to_string());
    }

    #[test]
    fn text_alone_is_the_tokens_it_spells() {
        let mut code = Code::new("::k".to_owned(), true);
        code.path("Mesh::builder()");
        code.group(Delimiter::Parenthesis, |code| code.string("a\"b'c"));
        code.number(30_u64, " ");
        code.number(503_u16, "u16");
        same(
            code,
            quote!(::k::Mesh::builder()(::std::string::String::from("a\"b'c")) 30 503u16),
        );
    }

    #[test]
    fn a_splice_keeps_its_span_and_the_groups_around_it_their_tokens() {
        let user = quote::quote_spanned!(Span::mixed_site()=> canary_percent());
        let mut code = Code::new("::k".to_owned(), true);
        code.push("let x = ");
        code.group(Delimiter::Brace, |code| {
            code.push("a.b");
            code.group(Delimiter::Parenthesis, |code| code.push("1, [2]"));
            code.push(".c");
            code.group(Delimiter::Parenthesis, |code| {
                code.push("&");
                code.splice(user.clone());
                code.push(", 3");
            });
            code.push(".d(4)");
        });
        code.push("; x");
        let tokens = code.finish();
        assert_eq!(
            tokens.to_string(),
            quote!(let x = { a.b(1, [2]).c(&canary_percent(), 3).d(4) }; x).to_string()
        );
        // The spliced tokens are the ones given, not re-read from text.
        let TokenTree::Group(block) = tokens.into_iter().nth(3).expect("the block") else {
            panic!("a group")
        };
        let TokenTree::Group(args) = block.stream().into_iter().nth(6).expect("the call") else {
            panic!("a group")
        };
        let spliced = args.stream().into_iter().nth(1).expect("the expression");
        assert_eq!(spliced.to_string(), "canary_percent");
    }

    #[test]
    fn escapes_as_proc_macro2_does() {
        for text in [
            "plain",
            "quote \" and \\",
            "tab\tnew\nline",
            "nul\0 \u{7f} é ü",
            "\x007",
        ] {
            let mut code = Code::new(String::new(), true);
            code.str_lit(text);
            assert_eq!(
                code.finish().to_string(),
                proc_macro2::Literal::string(text).to_string()
            );
        }
    }
}
