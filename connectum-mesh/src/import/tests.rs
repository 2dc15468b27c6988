#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use connectum_mesh_core::{AppRetry, Interceptors};

use super::*;
use crate::read::{read_paths, read_text};

fn reference_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/reference")
}

fn guide_interceptors() -> ImportOptions {
    ImportOptions {
        interceptors: Interceptors::builder()
            .retry(AppRetry::builder().max_retries(2).build())
            .build(),
    }
}

#[test]
fn the_guides_reference_manifests_yield_their_known_defects() {
    let imported = import(read_paths(&[reference_dir()]), &guide_interceptors());
    let codes = imported.codes();
    for (code, defect) in [
        (
            "CM0301",
            "the retry product 12 (3 mesh retries × 2 app retries)",
        ),
        ("CM0211", "the stable subset no pod carries"),
        (
            "CM0104",
            "the primary Deployment's selector takes the canary's pods",
        ),
        ("CM0826", "one VirtualService in three files"),
    ] {
        assert!(
            codes.contains(&code),
            "{defect} ({code}) in {codes:?}\n{:#?}",
            imported.diagnostics
        );
    }
    let retry = imported
        .diagnostics
        .iter()
        .find(|d| d.diagnostic.code.as_str() == "CM0301")
        .unwrap();
    assert!(retry.diagnostic.message.contains("12"), "{retry}");
    let location = retry.location.as_ref().expect("located");
    assert!(location.file.ends_with("virtual-service.yaml"), "{retry}");
    // Everything located, so users can jump to it.
    for d in &imported.diagnostics {
        assert!(d.location.is_some(), "unlocated: {d}");
    }
}

#[test]
fn a_selector_matching_nothing_names_the_line() {
    let yaml = "apiVersion: v1\nkind: Service\nmetadata:\n  name: cart\n  namespace: shop\nspec:\n  selector:\n    app.kubernetes.io/name: kart\n  ports: [{name: grpc, port: 5000}]\n";
    let imported = import(read_text("svc.yaml", yaml), &ImportOptions::default());
    let found = imported
        .diagnostics
        .iter()
        .find(|d| d.diagnostic.code.as_str() == "CM0828")
        .unwrap();
    assert_eq!(found.location.as_ref().unwrap().line, 7);
}

/// `documents` as one YAML stream, each written as `emit` writes it.
fn stream(documents: &[serde_json::Value]) -> String {
    documents
        .iter()
        .map(|d| {
            format!(
                "---\n{}",
                crate::emit::document_to_yaml("test document", d).unwrap()
            )
        })
        .collect()
}

/// A real field of the official schema is never called a misspelling (CM0824).
fn assert_no_unknown_field(imported: &Import) {
    assert!(
        !imported
            .diagnostics
            .iter()
            .any(|d| d.diagnostic.code.as_str() == "CM0824"),
        "{:#?}",
        imported.diagnostics
    );
}

/// Istio's fault injection is a real field the model does not carry: the import says the
/// imported mesh drops it (CM0827, at its line), it does not call it a misspelling (CM0824).
#[test]
fn a_fault_injection_is_reported_as_not_modelled_where_it_is_written() {
    let mesh = &example_meshes()[1];
    let mut documents = crate::render(mesh).unwrap().to_values().unwrap();
    let routes = documents
        .iter_mut()
        .find(|d| d["kind"] == "VirtualService")
        .and_then(|vs| vs["spec"]["http"][0].as_object_mut())
        .unwrap();
    routes.insert(
        "fault".to_owned(),
        serde_json::json!({"abort": {"httpStatus": 503, "percentage": {"value": 5}}}),
    );
    let yaml = stream(&documents);
    let fault_line = u64::try_from(
        yaml.lines()
            .position(|l| l.trim().trim_start_matches("- ") == "fault:")
            .unwrap(),
    )
    .unwrap()
        + 1;
    let imported = import(
        read_text("vs.yaml", &yaml),
        &ImportOptions {
            interceptors: mesh.services[0].interceptors.clone(),
        },
    );
    assert_no_unknown_field(&imported);
    let fault = imported
        .diagnostics
        .iter()
        .find(|d| {
            d.diagnostic.code.as_str() == "CM0827"
                && d.diagnostic.message.contains("spec.http[0].fault")
        })
        .unwrap_or_else(|| panic!("{:#?}", imported.diagnostics));
    assert!(!fault.is_error());
    assert_eq!(fault.location.as_ref().unwrap().line, fault_line);
}

/// A condition the model cannot say in an AuthorizationPolicy is refused (CM0830, an error):
/// the imported mesh's policy of that name would admit callers the hand-written one did not.
#[test]
fn an_authorization_condition_the_model_cannot_say_is_refused() {
    use connectum_mesh_core::{AllowRule, Service};
    let mesh = Mesh::builder()
        .namespace("shop")
        .known_namespaces(["web"])
        .services([Service::builder()
            .name("cart")
            .image("cart:1.0.0")
            .allow([AllowRule::namespace("web")])
            .build()])
        .build();
    let mut documents = crate::render(&mesh).unwrap().to_values().unwrap();
    let rule = documents
        .iter_mut()
        .find(|d| d["kind"] == "AuthorizationPolicy" && d["spec"]["rules"].is_array())
        .and_then(|policy| policy["spec"]["rules"][0].as_object_mut())
        .unwrap();
    rule.insert(
        "when".to_owned(),
        serde_json::json!([{"key": "request.headers[x-tenant]", "values": ["a"]}]),
    );
    let yaml = stream(&documents);
    let imported = import(read_text("policy.yaml", &yaml), &ImportOptions::default());
    let refused = imported
        .diagnostics
        .iter()
        .find(|d| d.diagnostic.code.as_str() == "CM0830")
        .unwrap_or_else(|| panic!("{:#?}", imported.diagnostics));
    assert!(refused.is_error());
    assert!(
        refused.diagnostic.message.contains("spec.rules[0].when"),
        "{}",
        refused.diagnostic.message
    );
    assert_no_unknown_field(&imported);
}

#[test]
fn importing_what_the_example_emits_renders_the_same_documents() {
    for mesh in example_meshes() {
        let rendered = crate::render(&mesh).unwrap();
        let yaml = crate::emit::to_yaml(&rendered).unwrap();
        let imported = import(
            read_text("emitted.yaml", &yaml),
            &ImportOptions {
                interceptors: mesh
                    .services
                    .first()
                    .map(|s| s.interceptors.clone())
                    .unwrap_or_default(),
            },
        );
        let problems: Vec<String> = imported
            .diagnostics
            .iter()
            .filter(|d| d.diagnostic.code.as_str() == "CM0827" || d.is_error())
            .map(ToString::to_string)
            .collect();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        let again = crate::render(&imported.mesh).unwrap();
        assert_eq!(again.to_values().unwrap(), rendered.to_values().unwrap());
    }
}

/// Small meshes; the guide's order-service round trip is `tests/import.rs` in the tests crate.
fn example_meshes() -> Vec<Mesh> {
    use connectum_mesh_core::{Duration, MeshRetry, Route, Service, Split, Subset};
    let plain = Mesh::builder()
        .namespace("shop")
        .services([Service::builder().name("cart").image("cart:1.0.0").build()])
        .build();
    let mut cart = Service::builder().name("cart").image("cart:1.0.0").build();
    let v1 = cart.add_subset(Subset::builder().name("v1").build());
    let v2 = cart.add_subset(Subset::builder().name("v2").image("cart:2.0.0").build());
    cart.add_route(
        Route::builder()
            .target(Split::new().weight(&v1, 80).weight(&v2, 20))
            .timeout(Duration::from_secs(5))
            .retries(MeshRetry::builder().attempts(1).build())
            .build(),
    );
    let split = Mesh::builder().namespace("shop").services([cart]).build();
    vec![plain, split]
}

/// Gateway API defaults an unwritten match `type` (`Exact` for gRPC methods and headers,
/// `PathPrefix` for paths); the guide's GRPCRoute leaves it out and must read as written.
#[test]
fn route_matches_without_a_type_read_as_gateway_apis_defaults() {
    let yaml = "apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: orders, namespace: shop}
spec:
  parentRefs: [{name: edge}]
  rules:
    - matches:
        - method: {service: shop.Orders}
          headers: [{name: x-beta, value: '1'}]
      backendRefs: [{name: orders, port: 5000}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: docs, namespace: shop}
spec:
  parentRefs: [{name: edge}]
  rules:
    - matches: [{path: {value: /docs}}]
      backendRefs: [{name: docs, port: 8080}]
";
    let reading = read_text("routes.yaml", yaml);
    let problems: Vec<String> = reading
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(ToString::to_string)
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let types: Vec<String> = reading
        .objects
        .iter()
        .filter_map(|o| match &o.manifest {
            Manifest::Object(Object::GrpcRoute(route)) => {
                let condition = &route.spec.rules[0].matches[0];
                let method = condition.method.as_ref()?.match_type.clone();
                Some(format!("{method} {}", condition.headers[0].match_type))
            }
            Manifest::Object(Object::HttpRoute(route)) => Some(
                route.spec.rules[0].matches[0]
                    .path
                    .as_ref()?
                    .match_type
                    .clone(),
            ),
            _ => None,
        })
        .collect();
    assert_eq!(types, ["Exact Exact", "PathPrefix"]);
}
