//! The `connectum-mesh` binary as users run it: exit codes, JSON, located diagnostics, and
//! nothing printed from input it could not read.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_connectum-mesh"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn reference() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/reference")
}

const CLEAN: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: {istio-injection: enabled}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: cart, namespace: shop, labels: {app.kubernetes.io/name: cart}}\n";

#[test]
fn lint_exits_1_on_the_guides_manifests_with_located_json() {
    let output = run(&[
        "lint",
        reference().to_str().unwrap(),
        "--app-retries",
        "2",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let diagnostics: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let items = diagnostics.as_array().unwrap();
    let retry = items
        .iter()
        .find(|d| d["code"] == "CM0301")
        .expect("the retry product");
    assert!(
        retry["file"]
            .as_str()
            .unwrap()
            .ends_with("virtual-service.yaml")
    );
    assert!(retry["line"].as_u64().unwrap() > 0);
}

#[test]
fn lint_exits_0_when_clean_and_2_on_usage() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ns.yaml"), CLEAN).unwrap();
    let output = run(&["lint", dir.path().to_str().unwrap()]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert_eq!(run(&["lint"]).status.code(), Some(2));
    assert_eq!(
        run(&["lint", ".", "--format", "xml"]).status.code(),
        Some(2)
    );
    assert_eq!(run(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn bad_input_is_a_coded_error_with_file_and_line_and_nothing_is_printed() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "apiVersion: v1\nkind: [Namespace\n").unwrap();
    let output = run(&["import", bad.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        output.stdout.is_empty(),
        "nothing printed from unreadable input"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("error[CM0821]"), "{stderr}");
    assert!(stderr.contains("bad.yaml:"), "{stderr}");
    let missing = run(&["lint", "/nonexistent/connectum"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stdout).contains("CM0820"));
}

#[test]
fn import_prints_a_mesh_block() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ns.yaml"), CLEAN).unwrap();
    let output = run(&["import", dir.path().to_str().unwrap()]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let code = String::from_utf8_lossy(&output.stdout);
    assert!(
        code.starts_with("connectum_mesh::mesh! {\n    namespace: shop,"),
        "{code}"
    );
    let builders = run(&["import", dir.path().to_str().unwrap(), "--builders"]);
    assert!(
        String::from_utf8_lossy(&builders.stdout).contains("Mesh::builder().namespace(\"shop\")")
    );
}
