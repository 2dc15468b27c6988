//! Where each item of the lowered model was written: a checker diagnostic's path → a span.
//!
//! Lowering records the span of every item under the same typed [`MeshPath`] the checker's
//! rules build, so finding a diagnostic's token is an exact lookup of its path (or of the
//! nearest item that contains it), never a reading of its text.

use std::cell::OnceCell;
use std::collections::HashMap;

use connectum_mesh_core::{Diagnostic, MeshPath, Segment};
use proc_macro2::Span;

use crate::syntax::tree::SpanRange;

/// Where each item of the lowered model was written, and which values are unknown until run
/// time.
#[derive(Default)]
pub struct SpanIndex {
    /// Each item's path and span, in the order lowering met them.
    recorded: Vec<(MeshPath, SpanRange)>,
    /// `recorded` by path, built when a diagnostic first needs a span: a mesh the checker
    /// passes (the usual case, and every rebuild of it) never looks one up, and hashing every
    /// path of a large mesh was a tenth of the macro's time in a dev build.
    spans: OnceCell<HashMap<MeshPath, SpanRange>>,
    opaque: Vec<MeshPath>,
    calls: Vec<(String, String, SpanRange)>,
    unknown_callee: bool,
}

impl SpanIndex {
    /// Where the item at `path` was written. When two items share a path the last one wins, so
    /// a duplicate declaration points at the second.
    pub(super) fn record(&mut self, path: &MeshPath, span: SpanRange) {
        self.recorded.push((path.clone(), span));
    }

    /// Every recorded item's span by its path; a later record of a path replaces an earlier.
    fn spans(&self) -> &HashMap<MeshPath, SpanRange> {
        self.spans
            .get_or_init(|| self.recorded.iter().cloned().collect())
    }

    /// Whether the item at `path` was recorded.
    #[cfg(test)]
    pub(super) fn has(&self, path: &MeshPath) -> bool {
        self.spans().contains_key(path)
    }

    /// The value at `path` is known only at run time.
    pub(super) fn opaque(&mut self, path: &MeshPath) {
        self.opaque.push(path.clone());
    }

    /// A call names its service by an expression (`(inventory::SERVICE)`): the call graph is
    /// known only at run time.
    pub(super) fn unknown_callee(&mut self) {
        self.unknown_callee = true;
    }

    /// Whether a call names its service by an expression, so the macro sees part of the call
    /// graph only and judges what a fragment can (the registry's `Scope::Local` codes).
    pub fn has_unknown_callee(&self) -> bool {
        self.unknown_callee
    }

    /// A declared call from `from` to `to`, written at `span`.
    pub(super) fn call(&mut self, from: &str, to: &str, span: SpanRange) {
        self.calls.push((from.to_owned(), to.to_owned(), span));
    }

    /// The span of the item the diagnostic's path names: a call chain's first declared call,
    /// else the innermost recorded item on the path, else the macro call.
    pub fn span_of(&self, diagnostic: &Diagnostic) -> SpanRange {
        self.chain_call(&diagnostic.path)
            .or_else(|| self.closest(&diagnostic.path).map(|(_, span)| span))
            .unwrap_or_else(|| SpanRange::single(Span::call_site()))
    }

    /// The first declared call of the chain the path lies on, if it is one.
    fn chain_call(&self, path: &MeshPath) -> Option<SpanRange> {
        let Some(Segment::Chain(members)) = path.segments().first() else {
            return None;
        };
        let [from, to, ..] = members.as_slice() else {
            return None;
        };
        self.calls
            .iter()
            .find(|(caller, callee, _)| caller == from && callee == to)
            .map(|(_, _, span)| *span)
    }

    /// The innermost recorded item on `path`: the path itself, else its nearest recorded
    /// parent.
    fn closest(&self, path: &MeshPath) -> Option<(MeshPath, SpanRange)> {
        let mut candidate = Some(path.clone());
        while let Some(path) = candidate {
            if let Some(span) = self.spans().get(&path) {
                return Some((path, *span));
            }
            candidate = path.parent();
        }
        None
    }

    /// Whether `diagnostic` may depend on a value known only at run time: a value at or under
    /// one of its paths (its own and its related places), a value of a service on its call
    /// chain, or a value of another service it names as a related place.
    pub fn depends_on_runtime(&self, diagnostic: &Diagnostic) -> bool {
        let on_a_path = diagnostic.paths().any(|path| {
            self.opaque
                .iter()
                .any(|opaque| opaque.starts_with(path) || path.starts_with(opaque))
        });
        let chain: &[String] = match diagnostic.path.segments().first() {
            Some(Segment::Chain(members)) => members,
            _ => &[],
        };
        let other_owners: Vec<&str> = diagnostic
            .related
            .iter()
            .filter_map(|related| related.path.owner())
            .filter(|owner| Some(*owner) != diagnostic.path.owner())
            .chain(chain.iter().map(String::as_str))
            .collect();
        on_a_path
            || self
                .opaque
                .iter()
                .any(|opaque| opaque.owner().is_some_and(|o| other_owners.contains(&o)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lower::test_support::{CANARY, diagnostic, lowered};
    use quote::quote;

    #[test]
    fn a_diagnostic_lands_on_the_innermost_recorded_item_of_its_path() {
        let (_, index, _) = lowered(quote! {
            namespace: connectum,
            service order-service {
                image: "order:1.0.0",
                subset stable {}
                route { split: { stable: 90 }, timeout: 30s }
            }
        });
        let route = MeshPath::service(CANARY).route(0);
        let weight = route.field("split").leg(0).field("weight");
        let found = index.closest(&weight).map(|(path, _)| path);
        assert_eq!(found, Some(weight));
        let unknown_field = route.field("mirror");
        let found = index.closest(&unknown_field).map(|(path, _)| path);
        assert_eq!(found, Some(route));
        assert!(
            index
                .closest(&MeshPath::root().field("elsewhere"))
                .is_none()
        );
    }

    #[test]
    fn diagnostics_about_runtime_values_are_left_to_run_time() {
        let (_, index, _) = lowered(crate::syntax::test_support::runtime_split());
        let split = MeshPath::service(CANARY).route(0).field("split");
        assert!(index.depends_on_runtime(&diagnostic(split, "weights total 90")));
        let other = MeshPath::service(CANARY).subset("stable");
        assert!(!index.depends_on_runtime(&diagnostic(other.clone(), "something else")));
        let chain = MeshPath::chain(&["envoy-gateway", CANARY]);
        assert!(index.depends_on_runtime(&diagnostic(chain, "12 calls")));
        let elsewhere = MeshPath::service("inventory").field("allow");
        assert!(!index.depends_on_runtime(&diagnostic(elsewhere.clone(), "no rule")));
        let naming_it = diagnostic(elsewhere, "no rule")
            .with_related(MeshPath::service(CANARY).index("calls", 0), "the call");
        assert!(index.depends_on_runtime(&naming_it));
    }

    #[test]
    fn a_port_given_as_an_expression_leaves_the_port_comparison_to_run_time() {
        let port_check = |port: proc_macro2::TokenStream| {
            let (_, index, _) = lowered(quote! {
                namespace: connectum,
                service order-service { image: "order:1.0.0", port: #port, config: { PORT: "6000" } }
            });
            let service = MeshPath::service(CANARY);
            let mismatch = diagnostic(service.field("config").key("PORT"), "config sets PORT");
            let compared = mismatch
                .clone()
                .with_related(service.field("port"), "the service's port");
            (
                index.depends_on_runtime(&compared),
                index.depends_on_runtime(&mismatch),
            )
        };
        assert_eq!(port_check(quote!((service_port()))), (true, false));
        assert_eq!(port_check(quote!(5000)), (false, false));
    }

    #[test]
    fn a_chain_diagnostic_lands_on_its_first_declared_call() {
        let (_, index, _) = lowered(quote! {
            namespace: connectum,
            external envoy-gateway { service_account: connectum/envoy-gateway, calls: [order-service] }
            service order-service { image: "order:1.0.0" }
        });
        assert!(
            index
                .chain_call(&MeshPath::chain(&["envoy-gateway", CANARY]))
                .is_some()
        );
        assert!(
            index
                .chain_call(&MeshPath::chain(&[CANARY, "envoy-gateway"]))
                .is_none()
        );
        assert!(index.chain_call(&MeshPath::service(CANARY)).is_none());
    }
}
