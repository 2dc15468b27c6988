//! The macro's error collector and its own codes (09xx, DSL syntax).
//!
//! Every error is kept, never only the first: they are combined into one `syn::Error`, which
//! becomes one `compile_error!` per span.

use connectum_mesh_core::diag::registry;
use connectum_mesh_core::{Diagnostic, MeshPath};
use quote::ToTokens;

use crate::syntax::tree::SpanRange;

/// The DSL's own diagnostic codes, family 09xx, as the core's registry lists them (with what
/// each means and how to fix it). Everything about the mesh itself comes from the checker.
pub struct Codes;

impl Codes {
    /// The tokens do not form the DSL (a missing `:` or `,`, an unclosed block).
    pub const SYNTAX: &'static str = registry::DSL_SYNTAX.code.0;
    /// A key that this node does not have; the closest key is suggested.
    pub const UNKNOWN_KEY: &'static str = registry::DSL_UNKNOWN_KEY.code.0;
    /// A key the node needs is missing (a service without `image`).
    pub const MISSING_KEY: &'static str = registry::DSL_MISSING_KEY.code.0;
    /// The same key twice in one block, or two keys that exclude each other.
    pub const DUPLICATE_KEY: &'static str = registry::DSL_DUPLICATE_KEY.code.0;
    /// A value of the wrong kind (a string where a number goes).
    pub const WRONG_VALUE: &'static str = registry::DSL_WRONG_VALUE.code.0;
    /// A duration that is not Go syntax, or under 1ms, or finer than 1ms.
    pub const BAD_DURATION: &'static str = registry::DSL_BAD_DURATION.code.0;
    /// A quantity that is not Kubernetes syntax.
    pub const BAD_QUANTITY: &'static str = registry::DSL_BAD_QUANTITY.code.0;
    /// A word that is not one of the allowed ones (`mtls: STRICTER`); the closest is suggested.
    pub const UNKNOWN_WORD: &'static str = registry::DSL_UNKNOWN_WORD.code.0;
    /// A number out of its range (a port over 65535).
    pub const OUT_OF_RANGE: &'static str = registry::DSL_OUT_OF_RANGE.code.0;
    /// An old word of a key that was renamed to its builder's setter; still accepted.
    pub const RENAMED_KEY: &'static str = registry::DSL_RENAMED_KEY.code.0;
    /// A mesh-wide key (`namespace`, `mtls`, lint levels …) in `mesh_fragment!`.
    pub const MESH_WIDE_IN_FRAGMENT: &'static str = registry::DSL_MESH_WIDE_IN_FRAGMENT.code.0;
}

/// Every error found so far, each with the mesh path it concerns (when known), so a checker
/// diagnostic about an item the DSL already refused is not reported twice, and the warnings.
#[derive(Default)]
pub struct Errors {
    items: Vec<(syn::Error, Option<MeshPath>)>,
    /// Items whose checker diagnostics follow from an error already reported (an allow rule
    /// that lost a malformed source): reporting them would send the user after a second problem
    /// that is not there.
    covered: Vec<MeshPath>,
    /// Warnings: where, the name rustc shows, and the note.
    warnings: Vec<(SpanRange, String, String)>,
}

impl Errors {
    /// Records an error at `span`.
    pub fn at(&mut self, span: SpanRange, code: &str, message: impl std::fmt::Display) {
        self.items.push((
            syn::Error::new_spanned(span, format!("{code}: {message}")),
            None,
        ));
    }

    /// Records an error at `span` with a hint.
    pub fn at_with_help(
        &mut self,
        span: SpanRange,
        code: &str,
        message: impl std::fmt::Display,
        help: impl std::fmt::Display,
    ) {
        self.items.push((
            syn::Error::new_spanned(span, format!("{code}: {message}\n  = help: {help}")),
            None,
        ));
    }

    /// The item at `path` lost part of what was written to an error already reported: the
    /// checker's diagnostics about it (or anything under it) are follow-ons, and dropped.
    pub fn covers(&mut self, path: &MeshPath) {
        self.covered.push(path.clone());
    }

    /// Records a parse error from syn.
    pub fn syn(&mut self, code: &str, error: syn::Error) {
        for single in error {
            let message = format!("{code}: {single}");
            let span = single.span();
            self.items.push((syn::Error::new(span, message), None));
        }
    }

    /// Whether `diagnostic` is about an item the DSL already reported.
    fn reported(&self, diagnostic: &Diagnostic) -> bool {
        self.items
            .iter()
            .any(|(_, path)| path.as_ref() == Some(&diagnostic.path))
            || self
                .covered
                .iter()
                .any(|covered| diagnostic.path.starts_with(covered))
    }

    /// The text of a checker diagnostic under its first line: where it is, the help (in the
    /// DSL's words when the checker gave them), and its related places.
    fn details(diagnostic: &Diagnostic) -> String {
        let mut details = format!("\n  = note: at {}", diagnostic.path);
        if let Some(help) = diagnostic.dsl_help.as_ref().or(diagnostic.help.as_ref()) {
            details.push_str(&format!("\n  = help: {help}"));
        }
        for related in &diagnostic.related {
            details.push_str(&format!(
                "\n  = note: {} (at {})",
                related.note, related.path
            ));
        }
        details
    }

    /// Records a checker error at `span`, unless the DSL already reported its item.
    pub fn diagnostic(&mut self, diagnostic: &Diagnostic, span: SpanRange) {
        if self.reported(diagnostic) {
            return;
        }
        let message = format!(
            "{}: {}{}",
            diagnostic.code,
            diagnostic.message,
            Self::details(diagnostic)
        );
        self.items.push((
            syn::Error::new_spanned(span, message),
            Some(diagnostic.path.clone()),
        ));
    }

    /// Records a checker warning at `span` (rustc shows it as the use of a deprecated constant
    /// named after its code), unless the DSL already reported its item.
    pub fn warning(&mut self, diagnostic: &Diagnostic, span: SpanRange) {
        if self.reported(diagnostic) {
            return;
        }
        let note = format!("{}{}", diagnostic.message, Self::details(diagnostic));
        self.warnings
            .push((span, diagnostic.code.as_str().to_owned(), note));
    }

    /// Notes that the old word `old` of the key `new` is written at `span`: it still works,
    /// and the expansion warns (CM0912).
    pub fn renamed(&mut self, span: SpanRange, old: &'static str, new: &'static str) {
        let note = format!(
            "{}: `{old}` is now `{new}`, the builder's setter; write `{new}: ...`",
            Codes::RENAMED_KEY
        );
        self.warnings.push((span, old.to_owned(), note));
    }

    /// A warning at each place one was recorded. Stable Rust lets a proc-macro warn only
    /// through rustc's own lints: each is a deprecated constant, named after the code or the
    /// old word, used at its span.
    pub fn warnings(&self) -> proc_macro2::TokenStream {
        self.warnings
            .iter()
            .map(|(span, name, note)| {
                let item = proc_macro2::Ident::new(name, span.first);
                quote::quote!({
                    #[deprecated(note = #note)]
                    #[allow(non_upper_case_globals)]
                    const #item: () = ();
                    let () = #item;
                })
            })
            .collect()
    }

    /// Whether no error was found (warnings do not count).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// How many errors were found.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// The messages, for tests.
    #[cfg(test)]
    pub fn messages(&self) -> Vec<String> {
        self.items.iter().map(|(e, _)| e.to_string()).collect()
    }

    /// All errors as `compile_error!` invocations.
    pub fn to_compile_errors(&self) -> proc_macro2::TokenStream {
        let mut combined: Option<syn::Error> = None;
        for (error, _) in &self.items {
            match &mut combined {
                Some(all) => all.combine(error.clone()),
                None => combined = Some(error.clone()),
            }
        }
        combined
            .map(|e| e.to_compile_error())
            .unwrap_or_default()
            .into_token_stream()
    }
}
