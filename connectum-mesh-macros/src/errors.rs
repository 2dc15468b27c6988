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
    /// Two routes of a service with one name.
    pub const DUPLICATE_ROUTE: &'static str = registry::DSL_DUPLICATE_ROUTE.code.0;
}

/// Every error found so far, each with the mesh path it concerns (when known), so a checker
/// diagnostic about an item the DSL already refused is not reported twice.
#[derive(Default)]
pub struct Errors {
    items: Vec<(syn::Error, Option<MeshPath>)>,
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

    /// Records an error about the item at `path`.
    pub fn about(&mut self, path: &MeshPath, span: SpanRange, code: &str, message: String) {
        self.at(span, code, message);
        if let Some(last) = self.items.last_mut() {
            last.1 = Some(path.clone());
        }
    }

    /// Records a parse error from syn.
    pub fn syn(&mut self, code: &str, error: syn::Error) {
        for single in error {
            let message = format!("{code}: {single}");
            let span = single.span();
            self.items.push((syn::Error::new(span, message), None));
        }
    }

    /// Records a checker diagnostic at `span`, unless the DSL already reported its item.
    pub fn diagnostic(&mut self, diagnostic: &Diagnostic, span: SpanRange) {
        let already = self
            .items
            .iter()
            .any(|(_, path)| path.as_ref() == Some(&diagnostic.path));
        if already {
            return;
        }
        let mut message = format!(
            "{}: {}\n  = note: at {}",
            diagnostic.code, diagnostic.message, diagnostic.path
        );
        if let Some(help) = &diagnostic.help {
            message.push_str(&format!("\n  = help: {help}"));
        }
        for related in &diagnostic.related {
            message.push_str(&format!(
                "\n  = note: {} (at {})",
                related.note, related.path
            ));
        }
        self.items.push((
            syn::Error::new_spanned(span, message),
            Some(diagnostic.path.clone()),
        ));
    }

    /// Whether nothing was found.
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
