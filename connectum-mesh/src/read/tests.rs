#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use proptest::prelude::*;

use super::*;

fn reference_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/reference")
}

const VS: &str = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: cart\nspec:\n  hosts: [cart]\n";

#[test]
fn reads_every_reference_manifest_strictly() {
    let reading = read_paths(&[reference_dir()]);
    // The guide's own defects, as kubectl apply would meet them: the Secret's placeholder is
    // not base64; one VirtualService in three files; the Namespace in two;
    // sidecar-resources.yaml is a patch of Deployment order-service written as a whole object.
    assert_eq!(
        reading.codes(),
        ["CM0825", "CM0826", "CM0826", "CM0826", "CM0826"],
        "{:#?}",
        reading.diagnostics
    );
    let duplicated: Vec<String> = reading.diagnostics[1..]
        .iter()
        .map(|d| d.diagnostic.path.to_string())
        .collect();
    assert_eq!(
        duplicated,
        [
            "VirtualService/order-service",
            "Namespace/connectum",
            "Deployment/order-service",
            "VirtualService/order-service"
        ]
    );
    let kinds: BTreeMap<&str, usize> = reading.objects.iter().fold(BTreeMap::new(), |mut m, o| {
        *m.entry(o.kind.as_str()).or_default() += 1;
        m
    });
    assert_eq!(kinds["VirtualService"], 3);
    assert!(kinds["Deployment"] >= 2);
}

#[test]
fn reads_what_we_emit_without_a_problem_yaml_json_and_v1beta1() {
    let mesh = connectum_mesh_core::Mesh::builder()
        .namespace("shop")
        .services([connectum_mesh_core::Service::builder()
            .name("cart")
            .image("cart:1.0.0")
            .build()])
        .build();
    let manifests = crate::render(&mesh).unwrap();
    let yaml = crate::emit::to_yaml(&manifests).unwrap();
    let json = crate::emit::to_json(&manifests).unwrap();
    for (name, text) in [("a.yaml", yaml), ("a.json", json)] {
        let reading = read_text(name, &text);
        assert!(
            reading.diagnostics.is_empty(),
            "{name}: {:#?}",
            reading.diagnostics
        );
        let read: Vec<&Object> = reading
            .objects
            .iter()
            .filter_map(|o| match &o.manifest {
                Manifest::Object(object) => Some(object),
                Manifest::Secret(_) => None,
            })
            .collect();
        assert_eq!(
            read,
            manifests.objects().iter().collect::<Vec<_>>(),
            "{name}"
        );
    }
}

#[test]
fn an_unknown_field_is_reported_at_its_line() {
    let text = format!(
        "{VS}  http:\n  - route:\n    - destination: {{host: cart}}\n    faults:\n      abort: {{}}\n"
    );
    let reading = read_text("vs.yaml", &text);
    assert_eq!(reading.codes(), ["CM0824"]);
    let problem = &reading.diagnostics[0];
    assert_eq!(problem.location.as_ref().unwrap().line, 10);
    let printed = problem.to_string();
    assert!(printed.contains("--> vs.yaml:10:"), "{printed}");
    assert!(
        printed.contains("VirtualService/cart › spec.http[0].faults"),
        "{printed}"
    );
}

#[test]
fn a_wrong_type_names_its_path_and_line() {
    let text = format!("{VS}  http:\n  - retries:\n      attempts: three\n");
    let reading = read_text("vs.yaml", &text);
    assert_eq!(reading.codes(), ["CM0825"]);
    let problem = &reading.diagnostics[0];
    assert_eq!(problem.location.as_ref().unwrap().line, 9);
    assert!(
        problem
            .diagnostic
            .message
            .contains("spec.http[0].retries.attempts"),
        "{problem}"
    );
    assert!(reading.objects.is_empty());
}

#[test]
fn unknown_kinds_and_non_objects_are_refused_with_a_line() {
    let text = "apiVersion: networking.istio.io/v1\nkind: VirtualServce\nmetadata: {name: x}\n---\n- a list\n---\nkind: Service\nmetadata: {name: y}\n---\napiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: z}\n";
    let reading = read_text("m.yaml", text);
    // A ServiceEntry is a real Istio object the mesh does not model: a warning, not a refusal.
    assert_eq!(reading.codes(), ["CM0823", "CM0822", "CM0822", "CM0827"]);
    let lines: Vec<u64> = reading
        .diagnostics
        .iter()
        .map(|d| d.location.as_ref().unwrap().line)
        .collect();
    assert_eq!(lines, [2, 5, 7, 11]);
    assert_eq!(
        reading.diagnostics[0].diagnostic.help.as_deref(),
        Some("did you mean `VirtualService`?")
    );
}

#[test]
fn malformed_yaml_names_the_file_and_line() {
    let reading = read_text("bad.yaml", "apiVersion: v1\nkind: [Namespace\n");
    assert_eq!(reading.codes(), ["CM0821"]);
    assert!(reading.diagnostics[0].location.as_ref().unwrap().line >= 2);
    assert!(reading.objects.is_empty());
}

#[test]
fn duplicates_name_both_places() {
    let text = format!("{VS}---\n{VS}");
    let reading = read_text("two.yaml", &text);
    assert_eq!(reading.codes(), ["CM0826"]);
    let message = &reading.diagnostics[0].diagnostic.message;
    assert!(message.contains("two.yaml:1"), "{message}");
    assert_eq!(reading.diagnostics[0].location.as_ref().unwrap().line, 8);
}

#[test]
fn a_json_list_is_read_item_by_item_with_lines() {
    let text = "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n {\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"a\"}},\n {\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"b\", \"lables\": {}}, \"x\": 1}\n]}\n";
    let reading = read_text("list.json", text);
    assert_eq!(reading.objects.len(), 2);
    assert_eq!(reading.codes(), ["CM0824"]);
    assert_eq!(reading.diagnostics[0].location.as_ref().unwrap().line, 3);
}

#[test]
fn unreadable_paths_are_coded_errors() {
    let reading = read_paths(&["/nonexistent/connectum-mesh/deploy"]);
    assert_eq!(reading.codes(), ["CM0820"]);
    assert!(
        reading.diagnostics[0]
            .to_string()
            .contains("/nonexistent/connectum-mesh/deploy")
    );
}

#[test]
fn directories_skip_kustomization_and_other_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("kustomization.yaml"),
        "resources: [ns.yaml]\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("README.md"), "# not yaml: [\n").unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(
        dir.path().join("sub/ns.yaml"),
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  creationTimestamp: null\n",
    )
    .unwrap();
    let reading = read_paths(&[dir.path()]);
    assert!(reading.diagnostics.is_empty(), "{:#?}", reading.diagnostics);
    assert_eq!(reading.objects.len(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any text: a reading, never a panic.
    #[test]
    fn never_panics_on_any_text(text in "\\PC{0,200}") {
        let _ = read_text("fuzz.yaml", &text);
    }

    /// Manifest-shaped text with random edits: a reading, never a panic, and every problem
    /// has a location.
    #[test]
    fn never_panics_on_mutated_manifests(
        cut in 0usize..400,
        insert in "[ :\\-\\[\\]{}a-z0-9\"'\\n#&*!|>]{0,12}",
    ) {
        let base = format!("{VS}  http:\n  - retries: {{attempts: 1}}\n    route:\n    - destination: {{host: cart, subset: v1}}\n      weight: 100\n---\napiVersion: v1\nkind: List\nitems: [{{apiVersion: v1, kind: Namespace, metadata: {{name: a}}}}]\n");
        let mut at = cut.min(base.len());
        while !base.is_char_boundary(at) { at -= 1; }
        let text = format!("{}{}{}", &base[..at], insert, &base[at..]);
        let reading = read_text("fuzz.yaml", &text);
        for diagnostic in &reading.diagnostics {
            prop_assert!(diagnostic.location.is_some());
        }
    }
}

/// The guide's Envoy Gateway files: a BackendTrafficPolicy with `rateLimit` and `loadBalancer`
/// (fields of Envoy Gateway's schema we do not read) and an EnvoyPatchPolicy (a kind we do not
/// read) are real objects: not part of the mesh model, never "misspelled" or "unknown".
#[test]
fn envoy_gateway_objects_we_do_not_read_are_not_refused() {
    let text = "apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: BackendTrafficPolicy\nmetadata: {name: limits}\nspec:\n  targetRefs: [{group: gateway.networking.k8s.io, kind: GRPCRoute, name: orders}]\n  rateLimit:\n    type: Local\n  loadBalancer: {type: LeastRequest}\n  retry: {numRetries: 1}\n---\napiVersion: gateway.envoyproxy.io/v1alpha1\nkind: EnvoyPatchPolicy\nmetadata: {name: patch}\nspec: {type: JSONPatch}\n---\napiVersion: gateway.envoyproxy.io/v1alpha1\nkind: BackendTrafficPolicy\nmetadata: {name: typo}\nspec:\n  targetRefs: [{group: gateway.networking.k8s.io, kind: GRPCRoute, name: orders}]\n  retyr: {numRetries: 1}\n";
    let reading = read_text("eg.yaml", text);
    // The misspelled `retyr` is still refused; the real objects are not.
    assert_eq!(
        reading.codes(),
        ["CM0827", "CM0824"],
        "{:#?}",
        reading.diagnostics
    );
    assert_eq!(
        reading.diagnostics[0].diagnostic.message,
        "EnvoyPatchPolicy/patch is not part of the mesh model; the imported mesh does not render it"
    );
    assert_eq!(reading.diagnostics[0].location.as_ref().unwrap().line, 12);
    assert!(
        reading.diagnostics[1]
            .diagnostic
            .message
            .contains("spec.retyr")
    );
    assert_eq!(
        reading.objects.len(),
        2,
        "both BackendTrafficPolicies are read"
    );
}

/// Istio's own fields that our types do not carry, at any depth (a route's `fault`, a
/// match's `queryParams`), are not misspellings; a misspelling beside them still is, and the
/// same word under another kind or another parent is not excused.
#[test]
fn nested_official_fields_we_do_not_read_are_not_refused() {
    let text = format!(
        "{VS}  http:\n  - fault: {{abort: {{httpStatus: 503, percentage: {{value: 1}}}}}}\n    match:\n    - queryParams: {{debug: {{exact: \"1\"}}}}\n    route:\n    - destination: {{host: cart}}\n    retries: {{attempts: 2, perTryTimout: 1s}}\n---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: cart}}\nspec:\n  host: cart\n  fault: {{delay: 1s}}\n"
    );
    let reading = read_text("vs.yaml", &text);
    let paths: Vec<String> = reading
        .diagnostics
        .iter()
        .map(|d| d.diagnostic.message.clone())
        .collect();
    assert_eq!(reading.codes(), ["CM0824", "CM0824"], "{paths:#?}");
    assert!(
        paths[0].contains("spec.http[0].retries.perTryTimout"),
        "{paths:?}"
    );
    assert!(
        paths[1].contains("DestinationRule has no field spec.fault"),
        "{paths:?}"
    );
    assert_eq!(reading.objects.len(), 2);
}

#[test]
fn a_field_pattern_matches_indexes_keys_and_prefixes_only() {
    use super::tree::Segment::{Index, Key};
    let key = |k: &str| Key(k.to_owned());
    let path = [
        key("spec"),
        key("http"),
        Index(3),
        key("fault"),
        key("abort"),
    ];
    assert!(kinds::under("spec.http[*].fault", &path));
    assert!(!kinds::under("spec.http[*].faults", &path));
    assert!(!kinds::under("spec.tcp", &path));
    assert!(!kinds::under("spec.http[*].fault.delay", &path));
    let map = [
        key("spec"),
        key("tracing"),
        Index(0),
        key("customTags"),
        key("team"),
    ];
    assert!(kinds::under("spec.tracing[*].customTags{*}", &map));
    assert!(!kinds::under("spec.tracing[*].customTags[*]", &map));
}
