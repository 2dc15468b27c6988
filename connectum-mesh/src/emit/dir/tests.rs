//! The directory writer on real files: what it rewrites, keeps, removes and refuses.

use std::fs;
use std::os::unix::fs::MetadataExt;

use connectum_mesh_core::{Mesh, Service};

use super::*;
use crate::render::render;

/// A mesh of `services` services called `s0`, `s1` …, each with image tag `tag`.
fn manifests(services: usize, tag: &str) -> Manifests {
    let mesh = Mesh::builder()
        .namespace("shop")
        .services((0..services).map(|index| {
            Service::builder()
                .name(format!("s{index}"))
                .image(format!("img:{tag}"))
                .build()
        }))
        .build();
    render(&mesh).unwrap()
}

/// Each file's (inode, modification time), by name: what `git status` and make look at.
fn stamps(dir: &Path) -> Vec<(String, u64, std::time::SystemTime)> {
    let mut stamps: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            let metadata = entry.metadata().unwrap();
            (
                entry.file_name().to_string_lossy().into_owned(),
                metadata.ino(),
                metadata.modified().unwrap(),
            )
        })
        .collect();
    stamps.sort();
    stamps
}

#[test]
fn a_second_write_of_the_same_mesh_touches_nothing() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("deploy");
    let files = manifest_files(&manifests(2, "1"), Format::Yaml).unwrap();
    let first = write_files(&dir, &files).unwrap();
    assert_eq!(first.written.len(), files.len());
    let before = stamps(&dir);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let second = write_files(&dir, &files).unwrap();
    assert!(second.is_unchanged(), "{second:?}");
    assert_eq!(second.unchanged.len(), files.len());
    assert_eq!(stamps(&dir), before);
}

#[test]
fn only_changed_files_are_rewritten_and_dropped_ones_removed() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("deploy");
    write_dir(&manifests(2, "1"), &dir, Format::Yaml).unwrap();
    let before = stamps(&dir);
    std::thread::sleep(std::time::Duration::from_millis(20));
    // One service fewer (later files are renumbered), and a new image for the remaining one.
    let changes = write_files(
        &dir,
        &manifest_files(&manifests(1, "2"), Format::Yaml).unwrap(),
    )
    .unwrap();
    let names = |paths: &[PathBuf]| -> Vec<String> {
        paths
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect()
    };
    assert_eq!(
        names(&changes.written),
        [
            "03-configmap-s0-config.yaml",
            "04-peerauthentication-default.yaml",
            "05-service-s0.yaml",
            "06-deployment-s0.yaml",
            "kustomization.yaml"
        ]
    );
    assert_eq!(
        names(&changes.removed),
        [
            "03-serviceaccount-s1.yaml",
            "04-configmap-s0-config.yaml",
            "05-configmap-s1-config.yaml",
            "06-peerauthentication-default.yaml",
            "07-service-s0.yaml",
            "08-service-s1.yaml",
            "09-deployment-s0.yaml",
            "10-deployment-s1.yaml"
        ]
    );
    let after = stamps(&dir);
    for name in ["01-namespace-shop.yaml", "02-serviceaccount-s0.yaml"] {
        let stamp = |all: &[(String, u64, std::time::SystemTime)]| {
            all.iter().find(|(n, _, _)| n == name).cloned()
        };
        assert_eq!(stamp(&before), stamp(&after), "{name} was kept as it was");
    }
    let present: Vec<String> = after.into_iter().map(|(name, _, _)| name).collect();
    let marker = fs::read_to_string(dir.join(OWNERSHIP_MARKER)).unwrap();
    for name in &present {
        assert!(
            name == OWNERSHIP_MARKER || marker.lines().any(|l| l == name),
            "{name}"
        );
    }
    assert_eq!(present.len(), 8, "{present:?}");
    let siblings = fs::read_dir(scratch.path()).unwrap().count();
    assert_eq!(siblings, 1, "no staging directory is left behind");
}

#[test]
fn a_file_we_did_not_write_is_named_and_nothing_changes() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("deploy");
    write_dir(&manifests(1, "1"), &dir, Format::Yaml).unwrap();
    fs::write(dir.join("README.md"), "hand-written").unwrap();
    let before = stamps(&dir);
    let error = write_dir(&manifests(2, "2"), &dir, Format::Yaml).unwrap_err();
    assert_eq!(error.code(), "CM0803");
    let text = error.to_string();
    assert!(text.contains("(README.md)"), "{text}");
    assert!(text.contains("nothing was written or removed"), "{text}");
    assert_eq!(stamps(&dir), before);
}

#[test]
fn a_marker_from_before_the_file_list_still_marks_the_directory_ours() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("deploy");
    fs::create_dir(&dir).unwrap();
    fs::write(
        dir.join(OWNERSHIP_MARKER),
        "Written by connectum-mesh; the whole directory is replaced on the next emit.\n",
    )
    .unwrap();
    fs::write(dir.join("01-namespace-old.yaml"), "old").unwrap();
    let changes = write_dir(&manifests(1, "1"), &dir, Format::Yaml).map(|_| ());
    assert!(changes.is_ok(), "{changes:?}");
    assert!(!dir.join("01-namespace-old.yaml").exists());
    assert!(
        fs::read_to_string(dir.join(OWNERSHIP_MARKER))
            .unwrap()
            .starts_with(MARKER_HEADER)
    );
}
