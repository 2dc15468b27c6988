//! Our CustomResource types agree with Istio's official schemas: every field our schema
//! declares exists in Istio's, with the same type. A renamed or mistyped field in
//! `connectum_mesh::api` fails here before any cluster sees it.

use connectum_mesh::api::networking::{DestinationRule, VirtualService};
use connectum_mesh::api::security::{AuthorizationPolicy, PeerAuthentication};
use connectum_mesh::api::telemetry::Telemetry;
use connectum_mesh_tests::crds::{CrdSet, GroupVersionKind};
use connectum_mesh_tests::schema_compare::{disagreements, fields};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;
use serde_json::{Value, json};

/// Our CRD's type and the schema of its (single) version.
pub(crate) fn ours(crd: &CustomResourceDefinition) -> (GroupVersionKind, Value) {
    let crd = serde_json::to_value(crd).expect("a CRD is JSON");
    let version = &crd["spec"]["versions"][0];
    let gvk = GroupVersionKind::of(&json!({
        "apiVersion": format!("{}/{}", crd["spec"]["group"].as_str().expect("group"), version["name"].as_str().expect("version")),
        "kind": crd["spec"]["names"]["kind"],
    }))
    .expect("group, version and kind");
    (gvk, version["schema"]["openAPIV3Schema"].clone())
}

fn our_crds() -> Vec<CustomResourceDefinition> {
    vec![
        VirtualService::crd(),
        DestinationRule::crd(),
        PeerAuthentication::crd(),
        AuthorizationPolicy::crd(),
        Telemetry::crd(),
    ]
}

#[test]
fn every_field_of_our_schemas_is_istios_with_the_same_type() {
    let mut problems = Vec::new();
    for crd in our_crds() {
        let (gvk, schema) = ours(&crd);
        let official = CrdSet::istio()
            .get(&gvk)
            .unwrap_or_else(|| panic!("Istio serves no {gvk}"));
        let our_fields = fields(&schema);
        assert!(
            our_fields.keys().filter(|p| p.starts_with("spec.")).count() >= 2,
            "{gvk}: our schema declares spec fields: {our_fields:?}"
        );
        problems.extend(
            disagreements(&schema, &official.schema)
                .into_iter()
                .map(|d| format!("{gvk}: {d}")),
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_comparison_catches_a_renamed_or_retyped_field() {
    let (gvk, mut schema) = ours(&VirtualService::crd());
    let official = &CrdSet::istio().get(&gvk).expect("served").schema;
    let spec = schema["properties"]["spec"]["properties"]
        .as_object_mut()
        .expect("spec properties");
    let hosts = spec.remove("hosts").expect("a hosts field");
    spec.insert("host".to_owned(), hosts);
    spec.insert("exportTo".to_owned(), json!({"type": "string"}));
    let found: Vec<String> = disagreements(&schema, official)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        found.iter().any(|d| d.starts_with("spec.host: ")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|d| d == "spec.exportTo: ours is string, Istio's is array"),
        "{found:?}"
    );
}
