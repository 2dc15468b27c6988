//! Where each item of the lowered model was written: a checker diagnostic's path → a span.

use connectum_mesh_core::{Diagnostic, MeshPath};
use proc_macro2::Span;

use crate::syntax::tree::SpanRange;

/// Where each item of the lowered model was written, and which values are unknown until run
/// time.
#[derive(Default)]
pub struct SpanIndex {
    spans: Vec<(Vec<String>, SpanRange)>,
    opaque: Vec<Vec<String>>,
    calls: Vec<(String, String, SpanRange)>,
    labels: Vec<(Vec<String>, String, SpanRange)>,
}

/// Compares path segments loosely, so `traffic_policy`, `traffic policy` and `trafficPolicy`
/// are one segment.
fn normal(segment: &str) -> String {
    segment
        .chars()
        .filter(|c| *c != '_' && *c != ' ')
        .flat_map(char::to_lowercase)
        .collect()
}

fn normal_path(path: &[String]) -> Vec<String> {
    path.iter().map(|s| normal(s)).collect()
}

impl SpanIndex {
    /// Where the item at `path` was written.
    pub(super) fn record(&mut self, path: &MeshPath, span: SpanRange) {
        self.spans.push((normal_path(path.segments()), span));
    }

    /// An entry of the item at `path` that messages name in backticks (a header, a label key).
    pub(super) fn label(&mut self, path: &MeshPath, label: &str, span: SpanRange) {
        self.labels
            .push((normal_path(path.segments()), label.to_owned(), span));
    }

    /// The value at `path` is known only at run time.
    pub(super) fn opaque(&mut self, path: &MeshPath) {
        self.opaque.push(normal_path(path.segments()));
    }

    /// A declared call from `from` to `to`, written at `span`.
    pub(super) fn call(&mut self, from: &str, to: &str, span: SpanRange) {
        self.calls.push((from.to_owned(), to.to_owned(), span));
    }

    /// The span of the item `path` names: the longest recorded prefix of it, a call chain's
    /// first declared call, or the macro call.
    pub fn span_of(&self, diagnostic: &Diagnostic) -> SpanRange {
        let path = &diagnostic.path;
        let code = diagnostic.code.as_str();
        // A route's own path stands for its destination in these rules: point at `to:`.
        if (code == "CM0201" || code == "CM0211")
            && let Some(span) = self.exact(&path.join("to"))
        {
            return span;
        }
        if let Some(chain) = path.segments().iter().find_map(|s| chain_of(s)) {
            let first_edge = chain.windows(2).next();
            if let Some(edge) = first_edge
                && let Some((_, _, span)) = self
                    .calls
                    .iter()
                    .find(|(from, to, _)| *from == edge[0] && *to == edge[1])
            {
                return *span;
            }
        }
        let Some((found, span)) = self.closest(path) else {
            return SpanRange::single(Span::call_site());
        };
        // The entry of that item the message names, e.g. header `x canary` of a match.
        self.labels
            .iter()
            .find(|(parent, label, _)| {
                parent == found && diagnostic.message.contains(&format!("`{label}`"))
            })
            .map_or(*span, |(_, _, label_span)| *label_span)
    }

    /// The recorded item that `path` names: the longest recorded prefix (the last one written
    /// when two items share a path, so a duplicate points at the second declaration).
    fn closest(&self, path: &MeshPath) -> Option<&(Vec<String>, SpanRange)> {
        let wanted = normal_path(path.segments());
        self.spans
            .iter()
            .filter(|(recorded, _)| wanted.starts_with(recorded))
            .max_by_key(|(recorded, _)| recorded.len())
    }

    fn exact(&self, path: &MeshPath) -> Option<SpanRange> {
        let wanted = normal_path(path.segments());
        self.spans
            .iter()
            .find(|(recorded, _)| *recorded == wanted)
            .map(|(_, span)| *span)
    }

    /// Whether `diagnostic` may depend on a value known only at run time.
    pub fn depends_on_runtime(&self, diagnostic: &Diagnostic) -> bool {
        let path = normal_path(diagnostic.path.segments());
        let related = self
            .opaque
            .iter()
            .any(|opaque| opaque.starts_with(&path) || path.starts_with(opaque));
        if related {
            return true;
        }
        // Rules that compare the item at their path with another field of the same service.
        let reads_sibling = ALSO_READS
            .iter()
            .filter(|(code, _)| *code == diagnostic.code.as_str())
            .any(|(_, field)| {
                path.first().is_some_and(|service| {
                    self.opaque.iter().any(|opaque| {
                        opaque.len() == 2 && opaque[0] == *service && opaque[1] == normal(field)
                    })
                })
            });
        if reads_sibling {
            return true;
        }
        // Rules that compare across services (chains, callers' timeouts) name the other
        // services in their message or chain; within one service the paths above decide.
        let own = path.first();
        let chain = diagnostic.path.segments().iter().find_map(|s| chain_of(s));
        self.opaque.iter().any(|opaque| {
            let Some(first) = opaque.first() else {
                return false;
            };
            let Some(service) = first.strip_prefix("service") else {
                return false;
            };
            match &chain {
                Some(names) => names.iter().any(|n| normal(n) == service),
                None => own != Some(first) && diagnostic.message.contains(service),
            }
        })
    }
}

/// Codes whose rule also reads a field of the service other than the one its path names:
/// CM0519 compares `config › PORT` with the service's `port`.
const ALSO_READS: &[(&str, &str)] = &[("CM0519", "port")];

/// The services of a `chain a → b → c` segment.
fn chain_of(segment: &str) -> Option<Vec<String>> {
    let rest = segment.strip_prefix("chain ")?;
    let names = rest
        .split(['→', '>'])
        .map(|s| s.trim().trim_end_matches('-').trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    Some(names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lower::test_support::{CANARY, diagnostic, lowered};
    use connectum_mesh_core::Code;
    use quote::quote;

    #[test]
    fn a_diagnostic_lands_on_the_longest_recorded_prefix_of_its_path() {
        let (_, index, _) = lowered(quote! {
            namespace: connectum,
            service order-service {
                image: "order:1.0.0",
                subset stable {}
                route { split: { stable: 90 }, timeout: 30s }
            }
        });
        let leg = MeshPath::service(CANARY)
            .join("routes[0]")
            .join("split")
            .join("legs[0]")
            .join("weight");
        let found = index.closest(&leg).map(|(path, _)| path.join(" › "));
        assert_eq!(
            found.as_deref(),
            Some("serviceorder-service › routes[0] › split › legs[0] › weight")
        );
        let unknown_field = MeshPath::service(CANARY).join("routes[0]").join("mirror");
        let found = index
            .closest(&unknown_field)
            .map(|(path, _)| path.join(" › "));
        assert_eq!(found.as_deref(), Some("serviceorder-service › routes[0]"));
        assert!(index.closest(&MeshPath::root().join("elsewhere")).is_none());
    }

    #[test]
    fn diagnostics_about_runtime_values_are_left_to_run_time() {
        let (_, index, _) = lowered(quote! {
            namespace: connectum,
            service order-service {
                image: "order:1.0.0",
                subset stable {}
                subset canary {}
                route { split: { stable: 90, canary: (canary_percent()) } }
            }
        });
        let split = MeshPath::service(CANARY).join("routes[0]").join("split");
        assert!(index.depends_on_runtime(&diagnostic(split, "weights total 90")));
        let other = MeshPath::service(CANARY).join("subset stable");
        assert!(!index.depends_on_runtime(&diagnostic(other, "something else")));
        let chain = MeshPath::root().join("chain envoy-gateway → order-service");
        assert!(index.depends_on_runtime(&diagnostic(
            chain,
            "12 calls along envoy-gateway → order-service"
        )));
    }

    #[test]
    fn a_port_given_as_an_expression_leaves_the_port_comparison_to_run_time() {
        let port_check = |port: proc_macro2::TokenStream| {
            let (_, index, _) = lowered(quote! {
                namespace: connectum,
                service order-service { image: "order:1.0.0", port: #port, config: { PORT: "6000" } }
            });
            let mut mismatch = diagnostic(
                MeshPath::service(CANARY).join("config").join("PORT"),
                "config sets PORT 6000",
            );
            mismatch.code = Code("CM0519");
            let runtime = index.depends_on_runtime(&mismatch);
            mismatch.code = Code("CM0518");
            (runtime, index.depends_on_runtime(&mismatch))
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
        assert_eq!(
            chain_of("chain envoy-gateway → order-service"),
            Some(vec!["envoy-gateway".to_owned(), CANARY.to_owned()])
        );
        assert!(
            index
                .calls
                .iter()
                .any(|(from, to, _)| from == "envoy-gateway" && to == CANARY)
        );
    }
}
