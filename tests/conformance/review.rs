//! The review reads back what it emits: for any mesh the checker accepts, the directory `emit
//! --out` writes diffs empty against the mesh (the manifests side of `diff --against` describes
//! every emitted kind consistently), a mesh diffs empty against itself, and the diagram is
//! deterministic text; for any mesh at all, drawing and diffing never panic.

use connectum_mesh::emit;
use connectum_mesh::review::{DiagramFormat, MeshDiff, diagram};
use connectum_mesh_core::check;
use connectum_mesh_tests::strategies::meshes;
use proptest::prelude::*;

/// 16 meshes by default (each one written to a directory and read back); proptest's own
/// `PROPTEST_CASES` runs more.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(16)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn an_emitted_directory_diffs_empty_against_its_mesh(mesh in meshes()) {
        for format in [DiagramFormat::Mermaid, DiagramFormat::Dot] {
            prop_assert_eq!(diagram(&mesh, format), diagram(&mesh, format));
        }
        let itself = MeshDiff::between(&mesh, &mesh);
        prop_assert!(itself.is_empty(), "{}", itself);
        if check(&mesh).has_errors() {
            return Ok(());
        }
        let manifests = connectum_mesh::render(&mesh).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let root = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let dir = root.path().join("deploy");
        emit::write_dir(&manifests, &dir, emit::Format::Yaml)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let diff = MeshDiff::against_dir(&mesh, &dir).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(diff.is_empty(), "{}", diff);
    }
}
