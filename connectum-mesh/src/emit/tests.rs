//! YAML, JSON and directory output on a small mesh, on real files in a temporary directory.

use std::collections::BTreeMap;
use std::fs;

use connectum_mesh_core::{Mesh, Service};

use super::*;
use crate::render::render;

fn manifests(log_level: &str) -> Manifests {
    let mut mesh = Mesh::builder().namespace("shop").build();
    mesh.add_service(
        Service::builder()
            .name("cart")
            .image("cart:1.0.0")
            .config(BTreeMap::from([
                ("LOG_LEVEL".to_owned(), log_level.to_owned()),
                ("FEATURE_X".to_owned(), "yes".to_owned()),
                ("PORT".to_owned(), "5000".to_owned()),
            ]))
            .build(),
    );
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
