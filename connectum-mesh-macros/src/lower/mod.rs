//! Syntax → the core model, so the compile-time checks are the runtime checker's own rules.
//!
//! Lowering also resolves names (a route's `to: canary` must name a declared subset), refuses
//! duplicate declarations, and remembers where every item of the model was written, so each
//! checker diagnostic lands on the token its path names. Values written as Rust expressions
//! are unknown here: lowering leaves the model's default in their place and marks their path,
//! and a diagnostic that depends on them is left to the runtime checker.
//!
//! One file per node of the DSL, as in [`crate::syntax`]: [`mesh`] lowers the whole input and
//! calls [`service`], [`route`], [`resilience`] and [`security`] for what they hold; [`spans`]
//! maps a checker diagnostic's path back to where its item was written.

mod mesh;
mod resilience;
mod route;
mod security;
mod service;
mod spans;

pub use mesh::lower;
pub use spans::SpanIndex;

use connectum_mesh_core::{Duration, MeshPath};

use crate::errors::{Codes, Errors};
use crate::syntax::value::{Given, Record, Scalar, Spanned};

/// What lowering carries along: where each item was written, and the errors found so far.
struct Lowering<'e> {
    index: SpanIndex,
    errors: &'e mut Errors,
}

impl Lowering<'_> {
    /// A value known now, recording where it is; `None` (and a mark) for an expression.
    fn given<T: Clone>(&mut self, given: Option<&Given<T>>, path: &MeshPath) -> Option<T> {
        let given = given?;
        self.index.record(path, given.span());
        match given {
            Given::Literal(Spanned { value, .. }) => Some(value.clone()),
            Given::Expr(_) => {
                self.index.opaque(path);
                None
            }
        }
    }

    /// A required value; when it is missing (already reported) or an expression, the model
    /// gets the default and the checker's findings about it are dropped.
    fn required<T: Clone + Default>(&mut self, given: Option<&Given<T>>, path: &MeshPath) -> T {
        if given.is_none() {
            self.index.opaque(path);
        }
        self.given(given, path).unwrap_or_default()
    }

    fn count(&mut self, record: &Record, key: &'static str, path: &MeshPath) -> Option<u32> {
        match record.get(key) {
            Some(Scalar::Count(given)) => self.given(Some(given), &path.field(key)),
            _ => None,
        }
    }

    fn duration(
        &mut self,
        record: &Record,
        key: &'static str,
        path: &MeshPath,
    ) -> Option<Duration> {
        match record.get(key) {
            Some(Scalar::Duration(given)) => self.given(Some(given), &path.field(key)),
            _ => None,
        }
    }

    fn flag(&mut self, record: &Record, key: &'static str, path: &MeshPath) -> Option<bool> {
        match record.get(key) {
            Some(Scalar::Flag(given)) => self.given(Some(given), &path.field(key)),
            _ => None,
        }
    }

    fn text(&mut self, record: &Record, key: &'static str, path: &MeshPath) -> Option<String> {
        match record.get(key) {
            Some(Scalar::Text(given)) => self.given(Some(given), &path.field(key)),
            _ => None,
        }
    }

    fn duplicate(
        &mut self,
        seen: &mut Vec<String>,
        name: &Spanned<String>,
        what: &str,
        path: &MeshPath,
    ) {
        if seen.contains(&name.value) {
            self.errors.about(
                path,
                name.span,
                Codes::DUPLICATE_ROUTE,
                format!("{what} `{}` is declared twice", name.value),
            );
        } else {
            seen.push(name.value.clone());
        }
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use crate::syntax::{mesh::mesh, tree::parse_input};
    use connectum_mesh_core::diag::registry::SUBSET_WITHOUT_PODS;
    use connectum_mesh_core::{Diagnostic, Mesh};

    /// Reads and lowers `tokens` as a whole `mesh!` input.
    pub fn lowered(tokens: proc_macro2::TokenStream) -> (Mesh, SpanIndex, Errors) {
        let mut errors = Errors::default();
        let tree = parse_input(tokens, &mut errors);
        let node = mesh(&tree, &mut errors);
        let (model, index) = lower(&node, &mut errors);
        (model, index, errors)
    }

    /// A checker error about `path`.
    pub fn diagnostic(path: MeshPath, message: &str) -> Diagnostic {
        SUBSET_WITHOUT_PODS.at(path, message)
    }

    /// The service the tests lower.
    pub const CANARY: &str = "order-service";
}

#[cfg(test)]
mod tests {
    use super::test_support::{CANARY, diagnostic, lowered};
    use connectum_mesh_core::MeshPath;
    use quote::quote;

    #[test]
    fn missing_required_values_do_not_cascade() {
        let (_, index, errors) = lowered(quote! { service order-service { port: 5000 } });
        assert_eq!(errors.len(), 2);
        let image = MeshPath::service(CANARY).field("image");
        assert!(index.depends_on_runtime(&diagnostic(image, "the container image is empty")));
        let namespace = MeshPath::root().field("namespace");
        assert!(index.depends_on_runtime(&diagnostic(namespace, "namespace `` is invalid")));
    }
}
