//! YAML, JSON and directory output on a small mesh, on real files in a temporary directory.

use std::collections::BTreeMap;
use std::fs;

use connectum_mesh_core::{Mesh, Service};

use super::*;
use crate::render::render;

fn manifests(log_level: &str) -> Manifests {
    let mesh = Mesh::builder()
        .namespace("shop")
        .services([Service::builder()
            .name("cart")
            .image("cart:1.0.0")
            .config(BTreeMap::from([
                ("LOG_LEVEL".to_owned(), log_level.to_owned()),
                ("FEATURE_X".to_owned(), "yes".to_owned()),
                ("PORT".to_owned(), "5000".to_owned()),
            ]))
            .build()])
        .build();
    render(&mesh).unwrap_or_else(|error| panic!("renders:\n{error}"))
}

#[test]
fn yaml_is_deterministic_and_quotes_what_kubectl_would_misread() {
    let yaml = to_yaml(&manifests("info")).unwrap();
    assert_eq!(yaml, to_yaml(&manifests("info")).unwrap());
    assert!(yaml.contains("FEATURE_X: \"yes\""), "{yaml}");
    assert!(yaml.contains("PORT: \"5000\""), "{yaml}");
    assert_eq!(yaml.matches("\n---\n").count(), 5, "six documents");
    let configmap = yaml.split("---\n").nth(2).unwrap();
    assert!(
        configmap.starts_with("apiVersion: v1\nkind: ConfigMap\nmetadata:\n"),
        "{configmap}"
    );
}

#[test]
fn json_is_a_kubernetes_list_of_every_document() {
    let json = to_json(&manifests("info")).unwrap();
    let list: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(list["kind"], "List");
    assert_eq!(list["items"].as_array().map(Vec::len), Some(6));
    assert_eq!(list["items"][0]["kind"], "Namespace");
}

#[test]
fn a_directory_holds_one_file_per_object_and_a_kustomization() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("out");
    let written = write_dir(&manifests("info"), &dir, Format::Yaml).unwrap();
    assert_eq!(written.len(), 6);
    assert_eq!(
        written[0].file_name().and_then(|n| n.to_str()),
        Some("01-namespace-shop.yaml")
    );
    let kustomization = fs::read_to_string(dir.join("kustomization.yaml")).unwrap();
    for path in &written {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap();
        assert!(kustomization.contains(&format!("- {name}\n")), "{name}");
        assert!(path.is_file());
    }
    assert!(dir.join(OWNERSHIP_MARKER).is_file());
}

#[test]
fn rewriting_replaces_the_whole_directory() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("out");
    write_dir(&manifests("info"), &dir, Format::Yaml).unwrap();
    write_dir(&manifests("debug"), &dir, Format::Json).unwrap();
    let names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| !n.ends_with(".yaml") || n == "kustomization.yaml"),
        "{names:?}"
    );
    assert_eq!(names.iter().filter(|n| n.ends_with(".json")).count(), 6);
    let siblings = fs::read_dir(scratch.path()).unwrap().count();
    assert_eq!(siblings, 1, "no staging directory is left behind");
}

#[test]
fn a_foreign_directory_is_refused_and_left_untouched() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("out");
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("notes.txt"), "mine").unwrap();
    let error = write_dir(&manifests("info"), &dir, Format::Yaml).unwrap_err();
    assert_eq!(error.code(), "CM0803");
    assert!(error.to_string().contains("refusing to replace"), "{error}");
    assert_eq!(fs::read_to_string(dir.join("notes.txt")).unwrap(), "mine");
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
}

#[test]
fn an_unwritable_parent_is_an_io_error_with_the_path() {
    let scratch = tempfile::tempdir().unwrap();
    let file = scratch.path().join("file");
    fs::write(&file, "").unwrap();
    let error = write_dir(&manifests("info"), &file.join("out"), Format::Yaml).unwrap_err();
    assert_eq!(error.code(), "CM0802");
}

#[test]
fn a_missing_parent_is_an_error_not_a_new_tree() {
    let scratch = tempfile::tempdir().unwrap();
    let missing = scratch.path().join("typo").join("out");
    let error = write_dir(&manifests("info"), &missing, Format::Yaml).unwrap_err();
    assert_eq!(error.code(), "CM0802");
    assert!(error.to_string().contains("typo"), "{error}");
    assert!(!missing.parent().unwrap().exists());
}

/// The escape hatch: a PodDisruptionBudget and a kind of another API, added to the rendered
/// objects.
fn with_extras() -> Manifests {
    use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

    let pdb = PodDisruptionBudget {
        metadata: ObjectMeta {
            name: Some("cart".to_owned()),
            namespace: Some("shop".to_owned()),
            ..ObjectMeta::default()
        },
        spec: Some(PodDisruptionBudgetSpec {
            min_available: Some(IntOrString::Int(1)),
            ..PodDisruptionBudgetSpec::default()
        }),
        ..PodDisruptionBudget::default()
    };
    let policy = crate::api::envoy::BackendTrafficPolicy::new(
        "cart-retries",
        crate::api::envoy::BackendTrafficPolicySpec::default(),
    );
    let mut manifests = manifests("info");
    let added = manifests
        .add_extra(&policy)
        .and_then(|m| m.add_extra(&pdb))
        .is_ok();
    assert!(added);
    manifests
}

#[test]
fn extra_objects_go_through_every_emit_path_in_apply_order() {
    let manifests = with_extras();
    let kinds: Vec<&str> = manifests.objects().iter().map(|o| o.kind()).collect();
    assert_eq!(
        kinds,
        [
            "Namespace",
            "ServiceAccount",
            "ConfigMap",
            "PeerAuthentication",
            "Service",
            "Deployment",
            "PodDisruptionBudget",
            "BackendTrafficPolicy",
        ]
    );
    let yaml = to_yaml(&manifests).unwrap_or_default();
    assert!(
        yaml.contains(
            "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: cart\n  namespace: shop\nspec:\n  minAvailable: 1\n"
        ),
        "{yaml}"
    );
    assert!(
        yaml.ends_with("apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: BackendTrafficPolicy\nmetadata:\n  name: cart-retries\nspec:\n  targetRefs: []\n"),
        "{yaml}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&to_json(&manifests).unwrap_or_default()).unwrap_or_default();
    assert_eq!(json["items"][6]["kind"], "PodDisruptionBudget");
    assert_eq!(json["items"][6]["spec"]["minAvailable"], 1);

    let scratch = tempfile::tempdir().ok();
    let dir = scratch
        .as_ref()
        .map(|s| s.path().join("deploy"))
        .unwrap_or_default();
    let files = write_dir(&manifests, &dir, Format::Yaml).unwrap_or_default();
    let names: Vec<String> = files
        .iter()
        .filter_map(|f| f.file_name())
        .map(|f| f.to_string_lossy().into_owned())
        .collect();
    assert_eq!(names[6], "07-poddisruptionbudget-cart.yaml");
    assert_eq!(names[7], "08-backendtrafficpolicy-cart-retries.yaml");
    let kustomization = fs::read_to_string(dir.join("kustomization.yaml")).unwrap_or_default();
    assert!(
        kustomization.contains("- 07-poddisruptionbudget-cart.yaml\n"),
        "{kustomization}"
    );
}

#[test]
fn streaming_a_lazily_rendered_mesh_writes_the_text_of_the_eager_one() {
    let mesh = Mesh::builder()
        .namespace("shop")
        .services([
            Service::builder().name("cart").image("cart:1.0.0").build(),
            Service::builder()
                .name("orders")
                .image("orders:1.0.0")
                .build(),
        ])
        .build();
    let options = crate::render::RenderOptions::default();
    let lazy = crate::render::render_lazily(&mesh, &options).unwrap();
    let eager = render(&mesh).unwrap();
    let mut yaml = Vec::new();
    let mut json = Vec::new();
    write_yaml(lazy.documents(), &mut yaml).unwrap();
    write_json(lazy.documents(), &mut json).unwrap();
    assert_eq!(String::from_utf8(yaml).unwrap(), to_yaml(&eager).unwrap());
    assert_eq!(
        String::from_utf8(json.clone()).unwrap(),
        to_json(&eager).unwrap()
    );
    // The streamed List holds the same documents as the objects converted one by one.
    let list: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(list["kind"], "List");
    assert_eq!(
        list["items"].as_array().unwrap(),
        &eager.to_values().unwrap()
    );
    assert_eq!(lazy.collect(), eager);
}

#[test]
fn a_failing_writer_is_an_io_error() {
    struct Full;
    impl std::io::Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                "disk full",
            ))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let manifests = manifests("info");
    for error in [
        write_yaml(manifests.documents(), Full).unwrap_err(),
        write_json(manifests.documents(), Full).unwrap_err(),
    ] {
        assert_eq!(error.code(), "CM0802");
        assert!(error.to_string().contains("disk full"), "{error}");
    }
}
