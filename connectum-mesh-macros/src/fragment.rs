//! `mesh_fragment!`: reads the input as a fragment, lowers it as the mesh's nodes are lowered,
//! runs the rules a fragment can be judged by (`MeshFragment::check`), and expands to a
//! `MeshFragment`; on errors, the errors and an empty fragment, so no cascade follows them.

use proc_macro2::TokenStream;
use quote::quote;

use crate::check::Judged;
use crate::{expand, root, syntax};

/// Reads, lowers, checks and expands a fragment.
pub fn fragment_tokens(input: TokenStream) -> TokenStream {
    let k = root::current();
    crate::front_end(
        input,
        syntax::fragment::fragment,
        Judged::Fragment,
        expand::fragment,
        quote!(#k::MeshFragment::new()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile_errors(expanded: &str) -> usize {
        expanded.matches("compile_error").count()
    }

    #[test]
    fn a_clean_fragment_expands_into_the_same_builder_calls() {
        let expanded = fragment_tokens(quote! {
            known_namespaces: [billing],
            external partner { service_account: partners/api, calls: [inventory] }
            chain_budget { chain: [partner, inventory], calls: 12 }
            service inventory {
                image: "inventory:1.0.0",
                subset stable {}
                route { to: stable, timeout: 5s }
            }
        })
        .to_string();
        assert_eq!(compile_errors(&expanded), 0, "{expanded}");
        assert!(
            expanded.contains("MeshFragment :: builder ()"),
            "{expanded}"
        );
        assert!(expanded.contains("Service :: builder ()"), "{expanded}");
        assert!(expanded.contains(". add_subset"), "{expanded}");
        assert!(expanded.contains(". external_callers (["), "{expanded}");
        assert!(expanded.contains(". chain_budgets (["), "{expanded}");
        assert!(expanded.contains(". known_namespaces ("), "{expanded}");
        assert!(!expanded.contains("Mesh :: builder"), "{expanded}");
    }

    #[test]
    fn mesh_wide_keys_are_refused_at_their_token_and_not_as_unknown_keys() {
        let expanded = fragment_tokens(quote! {
            namespace: shop,
            mtls: STRICT,
            injection: on,
            retry_budget: 10,
            deny: [CM0302],
            telemetry t { metrics_providers: [prometheus] }
            service inventory { image: "inventory:1.0.0" }
        })
        .to_string();
        assert_eq!(compile_errors(&expanded), 6, "{expanded}");
        assert_eq!(expanded.matches("CM0930").count(), 6, "{expanded}");
        assert!(!expanded.contains("CM0902"), "{expanded}");
        assert!(!expanded.contains("CM0912"), "{expanded}");
        // An old word is named as written, with the word to set where the mesh is composed.
        assert!(
            expanded.contains("`injection` is a mesh-wide setting")
                && expanded.contains("set `sidecar_injection` where the mesh is composed"),
            "{expanded}"
        );
        assert!(
            expanded.contains("MeshFragment :: new ()"),
            "an empty fragment of the right type: {expanded}"
        );
    }

    #[test]
    fn whole_mesh_rules_wait_for_the_composition_and_local_ones_do_not() {
        let partial = fragment_tokens(quote! {
            service checkout {
                image: "checkout:1.0.0",
                calls: [inventory],
                allow { from: [service_account shop/edge] }
                subset stable {}
                subset canary {}
                route { split: { stable: 90, canary: 5 }, timeout: 5s }
            }
        })
        .to_string();
        // CM0103 (inventory is another crate's), CM0401 (so may the edge be), CM0202 (the
        // split total is the composing crate's): none is an error here.
        assert_eq!(compile_errors(&partial), 0, "{partial}");

        let broken = fragment_tokens(quote! {
            service checkout {
                image: "checkout:1.0.0",
                calls: [inventory],
                subset stable {}
                subset canary {}
                route { split: { stable: 0, canary: 0 }, timeout: 5s }
            }
        })
        .to_string();
        assert_eq!(compile_errors(&broken), 1, "{broken}");
        assert!(broken.contains("CM0203"), "{broken}");
    }

    #[test]
    fn calls_by_a_service_ref_expand_through_string_from_in_both_forms() {
        let fragment = fragment_tokens(quote! {
            service checkout { image: "checkout:1.0.0", calls: [(inventory::SERVICE), billing] }
        })
        .to_string();
        assert_eq!(compile_errors(&fragment), 0, "{fragment}");
        assert!(
            fragment.contains(
                ". calls (:: std :: vec :: Vec :: < :: std :: string :: String > :: from ([:: std :: string :: String :: from (inventory :: SERVICE) , :: std :: string :: String :: from (\"billing\")]))"
            ),
            "{fragment}"
        );

        // In `mesh!`, a call by expression hides part of the call graph: the mesh is judged
        // like a fragment (no CM0103 for `billing`, no CM0460 for the uncalled service), and
        // what a fragment can judge is still an error.
        let mesh = crate::mesh_tokens(quote! {
            namespace: shop,
            service checkout { image: "checkout:1.0.0", calls: [(inventory::SERVICE), billing] }
            service inventory { image: "inventory:1.0.0" }
        })
        .to_string();
        assert_eq!(compile_errors(&mesh), 0, "{mesh}");
        assert!(!mesh.contains("CM0460"), "{mesh}");
        assert!(
            mesh.contains("String :: from (inventory :: SERVICE)"),
            "{mesh}"
        );
        let literal = crate::mesh_tokens(quote! {
            namespace: shop,
            service checkout { image: "checkout:1.0.0", calls: [billing] }
        })
        .to_string();
        assert!(literal.contains("CM0103"), "{literal}");
        let external = crate::mesh_tokens(quote! {
            namespace: shop,
            external batch { service_account: shop/batch, calls: [(payments::SERVICE)] }
        })
        .to_string();
        assert_eq!(compile_errors(&external), 0, "{external}");
        assert!(
            external.contains("String :: from (payments :: SERVICE)"),
            "{external}"
        );
        let still_local = crate::mesh_tokens(quote! {
            namespace: shop,
            service checkout { image: "checkout:1.0.0", calls: [(inventory::SERVICE)], config: { PORT: "6000" } }
        })
        .to_string();
        assert!(still_local.contains("CM0519"), "{still_local}");
    }

    #[test]
    fn a_gateway_routes_to_a_subset_of_another_crates_service_by_name() {
        let expanded = fragment_tokens(quote! {
            gateway edge {
                runtime: istio_ingress,
                listener grpc { port: 9090, protocol: HTTP }
                route checkout { listeners: [grpc], target: checkout/stable, timeout: 10s }
            }
        })
        .to_string();
        assert_eq!(compile_errors(&expanded), 0, "{expanded}");
        assert!(
            expanded.contains("SubsetRef :: unchecked (\"checkout\" , \"stable\")"),
            "{expanded}"
        );
    }
}
