//! The committed `deploy/` is what the mesh emits now, and building again rewrites nothing.

// A test that cannot set up should stop right there.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;

use connectum_mesh::emit::{Format, manifest_files, write_files};
use connectum_mesh::render;
use connectum_mesh::testing::assert_up_to_date;

fn deploy() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(build_script::DEPLOY_DIR)
}

#[test]
fn the_committed_manifests_are_up_to_date() {
    assert_up_to_date(&build_script::mesh(), deploy());
}

#[test]
fn writing_again_rewrites_nothing() {
    let stamps = || -> Vec<(String, u64, std::time::SystemTime)> {
        let mut stamps: Vec<_> = fs::read_dir(deploy())
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
    };
    let before = stamps();
    // What build.rs does on the next build: the same files for the same mesh.
    let files = manifest_files(&render(&build_script::mesh()).unwrap(), Format::Yaml).unwrap();
    let changes = write_files(&deploy(), &files).unwrap();
    assert!(changes.is_unchanged(), "{changes:?}");
    assert_eq!(stamps(), before);
}
