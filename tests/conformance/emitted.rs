//! Every document the order-service example emits, in both Istio API sets, is one Istio 1.30.3
//! accepts: its schema (strict fields) and every CEL rule.

use connectum_mesh::{IstioApi, RenderOptions, render, render_with};
use connectum_mesh_tests::crds::{GroupVersionKind, parse_yaml_documents};
use connectum_mesh_tests::validate::IstioValidator;
use serde_json::Value;

fn emitted(api: IstioApi) -> Vec<Value> {
    let manifests = render_with(&order_service::mesh(), &RenderOptions { istio_api: api })
        .expect("the order-service mesh passes the checker");
    manifests.to_values().expect("rendered objects are JSON")
}

fn istio_kinds(documents: &[Value]) -> Vec<GroupVersionKind> {
    documents
        .iter()
        .filter_map(GroupVersionKind::of)
        .filter(GroupVersionKind::is_istio)
        .collect()
}

fn assert_all_valid(documents: &[Value]) {
    let refused = IstioValidator::shared().refused_istio_documents(documents);
    let reports: Vec<String> = refused.iter().map(ToString::to_string).collect();
    assert!(refused.is_empty(), "refused:\n{}", reports.join("\n"));
}

#[test]
fn order_service_v1_documents_validate() {
    let documents = emitted(IstioApi::V1);
    let kinds = istio_kinds(&documents);
    let names: Vec<String> = kinds.iter().map(ToString::to_string).collect();
    for expected in [
        "networking.istio.io/v1 VirtualService",
        "networking.istio.io/v1 DestinationRule",
        "security.istio.io/v1 PeerAuthentication",
        "security.istio.io/v1 AuthorizationPolicy",
        "telemetry.istio.io/v1 Telemetry",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    assert!(kinds.iter().all(|gvk| gvk.version == "v1"), "{names:?}");
    assert_all_valid(&documents);
    // The default API set is v1.
    let default = render(&order_service::mesh())
        .expect("checked")
        .to_values()
        .expect("JSON");
    assert_eq!(default, documents);
}

#[test]
fn order_service_v1beta1_documents_validate_against_the_v1beta1_schemas() {
    let documents = emitted(IstioApi::V1beta1);
    let kinds = istio_kinds(&documents);
    assert!(kinds.len() >= 5, "{kinds:?}");
    for gvk in &kinds {
        let expected = match gvk.group.as_str() {
            "networking.istio.io" | "security.istio.io" => "v1beta1",
            "telemetry.istio.io" => "v1alpha1",
            other => panic!("unexpected group {other}"),
        };
        assert_eq!(gvk.version, expected, "{gvk}");
        assert!(IstioValidator::shared().knows(gvk), "{gvk} is served");
    }
    assert_all_valid(&documents);
}

#[test]
fn both_api_sets_carry_the_same_specs() {
    let v1 = emitted(IstioApi::V1);
    let v1beta1 = emitted(IstioApi::V1beta1);
    assert_eq!(v1.len(), v1beta1.len());
    for (a, b) in v1.iter().zip(&v1beta1) {
        assert_eq!(a["kind"], b["kind"]);
        assert_eq!(a["metadata"], b["metadata"]);
        assert_eq!(a["spec"], b["spec"]);
    }
}

#[test]
fn a_broken_emitted_document_is_refused() {
    // The same path the emitted documents take catches a change that breaks the schema.
    let mut documents = emitted(IstioApi::V1);
    let vs = documents
        .iter_mut()
        .find(|d| d["kind"] == "VirtualService")
        .expect("a VirtualService");
    vs["spec"]["http"][0]["timeout"] = "0s".into();
    let refused = IstioValidator::shared().refused_istio_documents(&documents);
    assert_eq!(refused.len(), 1);
    assert!(refused[0].mentions("must be a valid duration greater than 1ms"));
}

#[test]
fn the_yaml_users_apply_validates_in_both_api_sets() {
    // What `order-service emit [--istio-api v1beta1]` prints, read back as the API server
    // reads it: a YAML quirk (an unquoted `true`, a number where a string belongs) would
    // surface here as a schema error.
    for api in [IstioApi::V1, IstioApi::V1beta1] {
        let manifests = render_with(&order_service::mesh(), &RenderOptions { istio_api: api })
            .expect("checked");
        let yaml = connectum_mesh::emit::to_yaml(&manifests).expect("YAML");
        let documents = parse_yaml_documents(&yaml).expect("the emitted YAML parses");
        assert_eq!(documents, manifests.to_values().expect("JSON"), "{api:?}");
        assert_all_valid(&documents);
        assert!(yaml.contains(match api {
            IstioApi::V1 => "apiVersion: telemetry.istio.io/v1\n",
            IstioApi::V1beta1 => "apiVersion: telemetry.istio.io/v1alpha1\n",
        }));
    }
}

fn kinds_named(documents: &[Value]) -> Vec<String> {
    documents
        .iter()
        .filter_map(GroupVersionKind::of)
        .map(|gvk| gvk.to_string())
        .collect()
}

#[test]
fn the_edge_documents_validate_against_the_gateway_api_and_envoy_gateway_crds() {
    let documents = emitted(IstioApi::V1);
    let names = kinds_named(&documents);
    for expected in [
        "gateway.networking.k8s.io/v1 GatewayClass",
        "gateway.networking.k8s.io/v1 Gateway",
        "gateway.networking.k8s.io/v1 GRPCRoute",
        "gateway.envoyproxy.io/v1alpha1 BackendTrafficPolicy",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    let validator = IstioValidator::shared();
    for document in documents
        .iter()
        .filter(|d| GroupVersionKind::of(d).is_some_and(|gvk| gvk.is_edge()))
    {
        let report = validator.validate(document);
        assert!(report.is_valid(), "{report}");
    }
}

#[test]
fn the_istio_flavoured_edge_validates() {
    let manifests = render(&order_service::mesh_with_istio_ingress()).expect("checked");
    let documents = manifests.to_values().expect("JSON");
    let names = kinds_named(&documents);
    assert!(
        names.iter().any(|n| n == "networking.istio.io/v1 Gateway"),
        "{names:?}"
    );
    let bound = documents
        .iter()
        .find(|d| d["kind"] == "VirtualService" && d["spec"]["gateways"][0] == "connectum-gateway")
        .expect("a VirtualService bound to the gateway");
    assert_eq!(bound["spec"]["http"][0]["retries"]["attempts"], 1);
    assert_all_valid(&documents);
}

#[test]
fn a_broken_edge_document_is_refused() {
    // An HTTPS listener without certificateRefs: the Gateway API's CEL rule refuses it, as the
    // checker's CM0421 does before rendering.
    let mut documents = emitted(IstioApi::V1);
    let gateway = documents
        .iter_mut()
        .find(|d| d["apiVersion"] == "gateway.networking.k8s.io/v1" && d["kind"] == "Gateway")
        .expect("a Gateway API Gateway");
    gateway["spec"]["listeners"][1]["tls"]
        .as_object_mut()
        .expect("the https listener's tls")
        .remove("certificateRefs");
    let policy = documents
        .iter_mut()
        .find(|d| d["kind"] == "BackendTrafficPolicy")
        .expect("a BackendTrafficPolicy");
    policy["spec"]["retry"]["perRetry"]["timeout"] = "1.5s".into();
    let refused = IstioValidator::shared().refused_istio_documents(&documents);
    let reports: Vec<String> = refused.iter().map(ToString::to_string).collect();
    assert_eq!(refused.len(), 2, "{}", reports.join("\n"));
}
