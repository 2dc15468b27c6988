//! The vendored CRDs are Istio 1.30.3's, and hold the kinds and versions we emit.

use connectum_mesh_tests::crds::{
    CrdSet, GroupVersionKind, VENDORED_CRDS_SHA256, VENDORED_CRDS_YAML, VENDORED_EDGE_CRDS,
};
use sha2::{Digest, Sha256};

use crate::support::fixture_path;

#[test]
fn vendored_crds_are_istio_1_30_3() {
    let on_disk = std::fs::read(fixture_path(
        "istio-crds/customresourcedefinitions.gen.yaml",
    ))
    .expect("the vendored CRD file is in tests/fixtures/istio-crds");
    let digest: String = Sha256::digest(&on_disk)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    assert_eq!(digest, VENDORED_CRDS_SHA256);
    assert_eq!(on_disk.as_slice(), VENDORED_CRDS_YAML.as_bytes());
    let provenance = std::fs::read_to_string(fixture_path("istio-crds/PROVENANCE.md"))
        .expect("PROVENANCE.md beside the CRDs");
    assert!(provenance.contains(VENDORED_CRDS_SHA256));
    assert!(provenance.contains("2e43f07b30b6744bc8252fce39fb58b03f85ff8b"));
    assert!(provenance.contains("Apache"));
}

#[test]
fn vendored_edge_crds_are_the_released_files() {
    for (file, yaml, sha256) in VENDORED_EDGE_CRDS {
        let on_disk = std::fs::read(fixture_path(file)).expect("the vendored edge CRD is there");
        let digest: String = Sha256::digest(&on_disk)
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        assert_eq!(digest, sha256, "{file}");
        assert_eq!(on_disk.as_slice(), yaml.as_bytes(), "{file}");
        let folder = file.split('/').next().unwrap_or_default();
        let provenance = std::fs::read_to_string(fixture_path(&format!("{folder}/PROVENANCE.md")))
            .expect("PROVENANCE.md beside the CRDs");
        assert!(provenance.contains(sha256), "{file}");
        assert!(
            std::fs::read_to_string(fixture_path(&format!("{folder}/LICENSE")))
                .expect("LICENSE beside the CRDs")
                .contains("Apache License"),
            "{folder}"
        );
    }
    for (api_version, kind) in [
        ("gateway.networking.k8s.io/v1", "GatewayClass"),
        ("gateway.networking.k8s.io/v1", "Gateway"),
        ("gateway.networking.k8s.io/v1", "GRPCRoute"),
        ("gateway.networking.k8s.io/v1", "HTTPRoute"),
        ("gateway.envoyproxy.io/v1alpha1", "BackendTrafficPolicy"),
    ] {
        let (group, version) = api_version.split_once('/').unwrap_or_default();
        let gvk = GroupVersionKind {
            group: group.to_owned(),
            version: version.to_owned(),
            kind: kind.to_owned(),
        };
        assert!(
            CrdSet::vendored().get(&gvk).is_some_and(|v| v.served),
            "{gvk} is served"
        );
    }
}

#[test]
fn every_kind_and_version_we_emit_is_served() {
    let crds = CrdSet::istio();
    for (api_version, kind) in [
        ("networking.istio.io/v1", "VirtualService"),
        ("networking.istio.io/v1beta1", "VirtualService"),
        ("networking.istio.io/v1alpha3", "VirtualService"),
        ("networking.istio.io/v1", "DestinationRule"),
        ("networking.istio.io/v1beta1", "DestinationRule"),
        ("networking.istio.io/v1alpha3", "DestinationRule"),
        ("security.istio.io/v1", "PeerAuthentication"),
        ("security.istio.io/v1beta1", "PeerAuthentication"),
        ("security.istio.io/v1", "AuthorizationPolicy"),
        ("security.istio.io/v1beta1", "AuthorizationPolicy"),
        ("telemetry.istio.io/v1", "Telemetry"),
        ("telemetry.istio.io/v1alpha1", "Telemetry"),
    ] {
        let gvk =
            GroupVersionKind::of(&serde_json::json!({"apiVersion": api_version, "kind": kind}))
                .expect("apiVersion and kind");
        let version = crds
            .get(&gvk)
            .unwrap_or_else(|| panic!("no CRD serves {gvk}"));
        assert!(version.served, "{gvk} is served");
    }
    let alpha = GroupVersionKind::of(&serde_json::json!({"apiVersion": "security.istio.io/v1alpha1", "kind": "PeerAuthentication"}))
        .expect("apiVersion and kind");
    assert!(
        crds.get(&alpha).is_none(),
        "security.istio.io has no v1alpha1"
    );
}

#[test]
fn every_served_version_of_a_kind_has_one_schema() {
    // Why one model can be emitted as v1 or v1beta1/v1alpha1: Istio serves the same schema in
    // every version of a kind. A release that lets them drift fails here.
    let crds = CrdSet::istio();
    let mut kinds = std::collections::BTreeMap::new();
    for version in crds.iter().filter(|v| v.served) {
        kinds
            .entry((version.gvk.group.clone(), version.gvk.kind.clone()))
            .or_insert_with(Vec::new)
            .push(version);
    }
    assert_eq!(kinds.len(), 15, "Istio 1.30.3 has 15 CRDs");
    for ((group, kind), versions) in kinds {
        for version in &versions[1..] {
            assert_eq!(
                version.schema, versions[0].schema,
                "{group} {kind}: {} and {} differ",
                versions[0].gvk.version, version.gvk.version
            );
        }
    }
}
