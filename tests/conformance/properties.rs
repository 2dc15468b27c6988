//! Accepted ⇒ valid: any mesh the checker accepts renders only documents Istio 1.30.3 accepts
//! (schema and CEL, in both API sets), and they mean what the mesh describes.

use connectum_mesh::{IstioApi, RenderOptions, emit, render_with};
use connectum_mesh_core::check;
use connectum_mesh_tests::agreement::disagreements;
use connectum_mesh_tests::crds::{GroupVersionKind, parse_yaml_documents};
use connectum_mesh_tests::strategies::meshes;
use connectum_mesh_tests::validate::IstioValidator;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

/// 64 accepted meshes by default, each validated against Istio's schemas and CEL rules in two API
/// sets (CI-sized: the suite stays fast on 2 cores); set proptest's own `PROPTEST_CASES` for a
/// long local run, e.g. `PROPTEST_CASES=5000 cargo test -p connectum-mesh-tests --test
/// conformance accepted_meshes --release`.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(64)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_global_rejects: 4096, ..ProptestConfig::default() })]

    #[test]
    fn accepted_meshes_render_only_valid_documents_that_mean_what_they_say(mesh in meshes()) {
        prop_assume!(!check(&mesh).has_errors());
        for api in [IstioApi::V1, IstioApi::V1beta1] {
            let manifests = render_with(&mesh, &RenderOptions { istio_api: api });
            prop_assert!(manifests.is_ok(), "the checker accepted it, so it renders: {manifests:?}");
            let manifests = manifests.map_err(|e| TestCaseError::fail(e.to_string()))?;
            let documents = manifests
                .to_values()
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            // The YAML users apply reads back as the same documents.
            let yaml = emit::to_yaml(&manifests).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let reread = parse_yaml_documents(&yaml).map_err(TestCaseError::fail)?;
            prop_assert_eq!(&reread, &documents);
            let refused = IstioValidator::shared().refused_istio_documents(&documents);
            let reports: Vec<String> = refused.iter().map(ToString::to_string).collect();
            prop_assert!(refused.is_empty(), "{api:?}:\n{}", reports.join("\n"));
            for gvk in documents.iter().filter_map(GroupVersionKind::of).filter(GroupVersionKind::is_istio) {
                let expected = match (api, gvk.group.as_str()) {
                    (IstioApi::V1, _) => "v1",
                    (IstioApi::V1beta1, "telemetry.istio.io") => "v1alpha1",
                    (IstioApi::V1beta1, _) => "v1beta1",
                };
                prop_assert_eq!(gvk.version.as_str(), expected);
            }
            let problems = disagreements(&mesh, &documents);
            prop_assert!(problems.is_empty(), "{api:?}: {problems:#?}");
        }
    }
}

#[test]
fn the_strategy_reaches_both_sides_of_the_checker() {
    // The property above is only as good as the share of meshes the checker accepts; and the
    // strategy should also produce meshes it refuses, or it explores too little.
    let mut runner = TestRunner::deterministic();
    let strategy = meshes();
    let (mut accepted, mut with_routes) = (0, 0);
    let total = 200;
    for _ in 0..total {
        let mesh = strategy.new_tree(&mut runner).expect("a mesh").current();
        if !check(&mesh).has_errors() {
            accepted += 1;
            if mesh.services.iter().any(|s| s.routes.len() > 1) {
                with_routes += 1;
            }
        }
    }
    assert!(
        accepted >= total / 5,
        "only {accepted} of {total} meshes pass the checker"
    );
    assert!(
        accepted < total,
        "every mesh passes the checker: the strategy is too tame"
    );
    assert!(
        with_routes >= 10,
        "only {with_routes} accepted meshes have several routes"
    );
}
