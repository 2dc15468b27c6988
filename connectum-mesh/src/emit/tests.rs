//! YAML, JSON and directory output on a small mesh, on real files in a temporary directory.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

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
    match render(&mesh) {
        Ok(manifests) => manifests,
        Err(error) => panic!("renders:\n{error}"),
    }
}

#[test]
fn yaml_is_deterministic_and_quotes_what_kubectl_would_misread() {
    let first = to_yaml(&manifests("info")).ok();
    let second = to_yaml(&manifests("info")).ok();
    assert!(first.is_some());
    assert_eq!(first, second);
    let yaml = first.unwrap_or_default();
    assert!(yaml.contains("FEATURE_X: \"yes\""), "{yaml}");
    assert!(yaml.contains("PORT: \"5000\""), "{yaml}");
    assert_eq!(yaml.matches("\n---\n").count(), 5, "six documents");
    let configmap = yaml.split("---\n").nth(2).unwrap_or_default();
    assert!(
        configmap.starts_with("apiVersion: v1\nkind: ConfigMap\nmetadata:\n"),
        "{configmap}"
    );
}

#[test]
fn json_is_a_kubernetes_list_of_every_document() {
    let json = to_json(&manifests("info")).unwrap_or_default();
    let list: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
    assert_eq!(list["kind"], "List");
    assert_eq!(list["items"].as_array().map(Vec::len), Some(6));
    assert_eq!(list["items"][0]["kind"], "Namespace");
}

#[test]
fn a_directory_holds_one_file_per_object_and_a_kustomization() {
    let scratch = tempfile::tempdir().ok();
    let dir = scratch
        .as_ref()
        .map(|s| s.path().join("out"))
        .unwrap_or_default();
    let written = write_dir(&manifests("info"), &dir, Format::Yaml).unwrap_or_default();
    assert_eq!(written.len(), 6);
    assert_eq!(
        written[0].file_name().and_then(|n| n.to_str()),
        Some("01-namespace-shop.yaml")
    );
    let kustomization = fs::read_to_string(dir.join("kustomization.yaml")).unwrap_or_default();
    for path in &written {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        assert!(kustomization.contains(&format!("- {name}\n")), "{name}");
        assert!(path.is_file());
    }
    assert!(dir.join(OWNERSHIP_MARKER).is_file());
}

#[test]
fn rewriting_replaces_the_whole_directory() {
    let scratch = tempfile::tempdir().ok();
    let dir = scratch
        .as_ref()
        .map(|s| s.path().join("out"))
        .unwrap_or_default();
    assert!(write_dir(&manifests("info"), &dir, Format::Yaml).is_ok());
    assert!(write_dir(&manifests("debug"), &dir, Format::Json).is_ok());
    let names: Vec<String> = fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        names
            .iter()
            .all(|n| !n.ends_with(".yaml") || n == "kustomization.yaml"),
        "{names:?}"
    );
    assert_eq!(names.iter().filter(|n| n.ends_with(".json")).count(), 6);
    let siblings = fs::read_dir(scratch.as_ref().map(|s| s.path()).unwrap_or(&dir))
        .map(Iterator::count)
        .unwrap_or_default();
    assert_eq!(siblings, 1, "no staging directory is left behind");
}

#[test]
fn a_foreign_directory_is_refused_and_left_untouched() {
    let scratch = tempfile::tempdir().ok();
    let dir = scratch
        .as_ref()
        .map(|s| s.path().join("out"))
        .unwrap_or_default();
    assert!(fs::create_dir(&dir).is_ok());
    assert!(fs::write(dir.join("notes.txt"), "mine").is_ok());
    let error = write_dir(&manifests("info"), &dir, Format::Yaml).err();
    assert_eq!(error.as_ref().map(EmitError::code), Some("CM0803"));
    assert!(error.is_some_and(|e| e.to_string().contains("refusing to replace")));
    assert_eq!(
        fs::read_to_string(dir.join("notes.txt")).ok().as_deref(),
        Some("mine")
    );
    assert_eq!(fs::read_dir(&dir).map(Iterator::count).ok(), Some(1));
}

#[test]
fn an_unwritable_parent_is_an_io_error_with_the_path() {
    let scratch = tempfile::tempdir().ok();
    let file = scratch
        .as_ref()
        .map(|s| s.path().join("file"))
        .unwrap_or_default();
    assert!(fs::write(&file, "").is_ok());
    let error = write_dir(&manifests("info"), &file.join("out"), Format::Yaml).err();
    assert_eq!(error.as_ref().map(EmitError::code), Some("CM0802"));
}

#[test]
fn a_missing_parent_is_an_error_not_a_new_tree() {
    let scratch = tempfile::tempdir().ok();
    let missing = scratch
        .as_ref()
        .map(|s| s.path().join("typo").join("out"))
        .unwrap_or_default();
    let error = write_dir(&manifests("info"), &missing, Format::Yaml).err();
    assert_eq!(error.as_ref().map(EmitError::code), Some("CM0802"));
    assert!(error.is_some_and(|e| e.to_string().contains("typo")));
    assert!(!missing.parent().is_some_and(Path::exists));
}

#[test]
fn streaming_writes_the_same_text_as_the_strings_eagerly_or_lazily_rendered() {
    let manifests = manifests("info");
    let mut mesh = Mesh::builder().namespace("shop").build();
    mesh.add_service(Service::builder().name("cart").image("cart:1.0.0").build());
    let lazy = crate::render::render_lazily(&mesh, &crate::render::RenderOptions::default());
    let eager = render(&mesh);
    let (Ok(lazy), Ok(eager)) = (lazy, eager) else {
        panic!("the mesh renders");
    };
    for (documents, expected) in [
        (manifests.documents().collect::<Vec<_>>(), &manifests),
        (lazy.documents().collect(), &eager),
    ] {
        let mut yaml = Vec::new();
        let mut json = Vec::new();
        assert!(write_yaml(documents.clone(), &mut yaml).is_ok());
        assert!(write_json(documents, &mut json).is_ok());
        assert_eq!(String::from_utf8(yaml).ok(), to_yaml(expected).ok());
        assert_eq!(String::from_utf8(json).ok(), to_json(expected).ok());
    }
}

#[test]
fn a_failing_writer_is_an_io_error() {
    struct Full;
    impl std::io::Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "disk full"))
        }
    }
    let manifests = manifests("info");
    for error in [
        write_yaml(manifests.documents(), Full).err(),
        write_json(manifests.documents(), Full).err(),
    ] {
        assert_eq!(error.as_ref().map(EmitError::code), Some("CM0802"));
        assert!(error.is_some_and(|e| e.to_string().contains("disk full")));
    }
}
