//! Syntax → the core model, so the compile-time checks are the runtime checker's own rules.
//!
//! Lowering also resolves names (a route's `to: canary` must name a declared subset) and
//! remembers where every item of the model was written, so each
//! checker diagnostic lands on the token its path names. Values written as Rust expressions
//! are unknown here: lowering leaves the model's default in their place and marks their path,
//! and a diagnostic that depends on them is left to the runtime checker.
//!
//! Each node's table keys are lowered by one function, [`Lowering::record`], through the
//! table's own lowering; names resolve in the table's `Scope` (a route's subsets are its
//! service's, a gateway route's services the mesh's). Around it, one file per node of the DSL,
//! as in [`crate::syntax`]:
//! [`mesh`] lowers the whole input and calls [`service`], [`route`], [`gateway`] and
//! [`security`] for the nodes under it; [`spans`] maps a checker diagnostic's path back to
//! where its item was written.

mod gateway;
mod mesh;
mod route;
mod security;
mod service;
mod spans;

pub use mesh::lower;
pub use spans::SpanIndex;

use connectum_mesh_core::MeshPath;

use crate::errors::Errors;
use crate::syntax::record::{Record, Scalar, Scope, Table};
use crate::syntax::shaped::RuntimeNode;
use crate::syntax::value::{Given, Spanned};

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

    /// Stores the keys of `record` in `model` through `table`, resolving names in `scope`,
    /// recording where each value (and each entry of a list, map or nested block) was written
    /// under `path`, and marking expressions and missing required keys as known only at run
    /// time.
    fn record<M>(
        &mut self,
        record: &Record,
        table: Table<M>,
        model: &mut M,
        path: &MeshPath,
        scope: Scope,
    ) {
        for key in table {
            let key_path = path.field(key.path);
            match record.get(key.word) {
                Some(scalar) => {
                    self.scalar(scalar, key.path, &key_path, path);
                    (key.lower)(model, scalar, scope);
                }
                None if key.required => self.index.opaque(&key_path),
                None => {}
            }
        }
    }

    /// Records where `scalar`, the value at `path` (the segment `segment` under `parent`), was
    /// written.
    fn scalar(
        &mut self,
        scalar: &Scalar,
        segment: &'static str,
        path: &MeshPath,
        parent: &MeshPath,
    ) {
        self.index.record(path, scalar.span());
        match scalar {
            Scalar::Names(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.index.record(&parent.index(segment, i), item.span);
                }
            }
            Scalar::RetryOn(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.index.record(&parent.index(segment, i), item.span);
                }
            }
            Scalar::Calls(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.index.record(&parent.index(segment, i), item.span());
                    if matches!(item, Given::Expr(_)) {
                        self.index.unknown_callee();
                    }
                }
            }
            Scalar::TextMap(entries) => {
                for (key, value) in entries {
                    let entry = path.key(&key.value);
                    self.given(Some(value), &entry);
                    // Problems with the key and with the value both underline the whole entry.
                    self.index.record(&entry, key.span.to(value.span()));
                }
            }
            Scalar::Headers(_, headers) => {
                for (h, (name, value)) in headers.iter().enumerate() {
                    self.index
                        .record(&parent.index(segment, h), name.span.to(value.span));
                }
            }
            Scalar::Split(_, legs) => {
                for (j, (name, weight)) in legs.iter().enumerate() {
                    let leg = path.leg(j);
                    self.index.record(&leg, name.span.to(weight.span()));
                    self.given(Some(weight), &leg.field("weight"));
                }
            }
            Scalar::Records(_, _, items) => {
                for (k, item) in items.iter().enumerate() {
                    let item_path = parent.index(segment, k);
                    self.index.record(&item_path, item.span());
                    if let Scalar::Record(_, inner) = item {
                        self.fields(inner, &item_path);
                    }
                }
            }
            Scalar::Record(_, inner) => self.fields(inner, path),
            // A group's keys are fields of the node that holds it.
            Scalar::Group(inner) => self.fields(inner, parent),
            Scalar::Count(g) => self.mark(g, path),
            Scalar::Number(g) => self.mark(g, path),
            Scalar::Duration(g) => self.mark(g, path),
            Scalar::Text(g) => self.mark(g, path),
            Scalar::Flag(g) => self.mark(g, path),
            Scalar::Percent(g) => self.mark(g, path),
            Scalar::Quantity(g) => self.mark(g, path),
            Scalar::Through(_, inner) => self.scalar(inner, segment, path, parent),
            Scalar::EdgeRequest(_, parts) => {
                for (key, span) in parts {
                    self.index.record(&parent.field(key), *span);
                }
            }
            Scalar::Runtime(RuntimeNode::Class(class)) => self.scalar(class, segment, path, parent),
            Scalar::Sources(_, from, _) => {
                for (j, source) in from.iter().enumerate() {
                    self.index.record(&parent.index(segment, j), source.span());
                }
            }
            Scalar::Lints(_, codes) => {
                for (i, code) in codes.iter().enumerate() {
                    self.index.record(&parent.index(segment, i), code.span);
                }
            }
            Scalar::Word(..)
            | Scalar::Runtime(_)
            | Scalar::ServiceAccount(_)
            | Scalar::LoadBalancer(_)
            | Scalar::ClientTls(_)
            | Scalar::DisruptionBudget(_)
            | Scalar::Off(_)
            | Scalar::Target(_)
            | Scalar::StringMatch(_) => {}
        }
    }

    /// Records where each key of `record`, a block of the node at `path`, was written.
    fn fields(&mut self, record: &Record, path: &MeshPath) {
        for (slot, inner) in &record.fields {
            self.scalar(inner, slot.path, &path.field(slot.path), path);
        }
    }

    /// Marks `path` as known only at run time when `given` is an expression.
    fn mark<T>(&mut self, given: &Given<T>, path: &MeshPath) {
        if matches!(given, Given::Expr(_)) {
            self.index.opaque(path);
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
