//! Reading the fixtures.

use std::path::{Path, PathBuf};

use connectum_mesh_tests::crds::parse_yaml_documents;
use serde_json::Value;

/// `tests/fixtures/<relative>`.
pub fn fixture_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(relative)
}

/// The one document in `tests/fixtures/reference/<file>`.
pub fn reference(file: &str) -> Value {
    let path = fixture_path(&format!("reference/{file}"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut documents = parse_yaml_documents(&text)
        .unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()));
    assert_eq!(documents.len(), 1, "{} holds one document", path.display());
    documents.remove(0)
}
