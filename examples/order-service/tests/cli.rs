//! The order-service binary's command-line contract, run as a user runs it.

use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    match Command::new(env!("CARGO_BIN_EXE_order-service"))
        .args(args)
        .output()
    {
        Ok(output) => output,
        Err(error) => panic!("the binary runs: {error}"),
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn library_yaml() -> String {
    let manifests = connectum_mesh::render(&order_service::mesh())
        .unwrap_or_else(|error| panic!("the example renders:\n{error}"));
    connectum_mesh::emit::to_yaml(&manifests).unwrap_or_else(|error| panic!("{error}"))
}

#[test]
fn no_arguments_prints_the_yaml_stream() {
    let output = run(&[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let yaml = stdout(&output);
    assert!(yaml.starts_with("apiVersion: v1\nkind: Namespace\n"));
    assert_eq!(yaml, library_yaml());
}

#[test]
fn emit_out_writes_a_kustomize_directory() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("deploy");
    let output = run(&["emit", "--out", &dir.to_string_lossy()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let kustomization = std::fs::read_to_string(dir.join("kustomization.yaml")).unwrap();
    let files: Vec<&str> = kustomization
        .lines()
        .filter_map(|l| l.strip_prefix("- "))
        .collect();
    assert_eq!(files.len(), 12);
    assert_eq!(files[0], "01-namespace-connectum.yaml");
    let joined: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(dir.join(f)).unwrap())
        .collect();
    assert_eq!(joined.join("---\n"), library_yaml());
}

#[test]
fn emit_format_json_prints_a_list() {
    let output = run(&["emit", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let list: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(list["kind"], "List");
    assert_eq!(list["items"].as_array().map(Vec::len), Some(12));
}

#[test]
fn emit_istio_api_v1beta1_writes_the_old_versions() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("old");
    let output = run(&[
        "emit",
        "--istio-api",
        "v1beta1",
        "--out",
        &dir.to_string_lossy(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let vs = std::fs::read_to_string(dir.join("11-virtualservice-order-service.yaml")).unwrap();
    assert!(
        vs.starts_with("apiVersion: networking.istio.io/v1beta1\n"),
        "{vs}"
    );
    let telemetry =
        std::fs::read_to_string(dir.join("12-telemetry-connectum-telemetry.yaml")).unwrap();
    assert!(
        telemetry.starts_with("apiVersion: telemetry.istio.io/v1alpha1\n"),
        "{telemetry}"
    );
}

#[test]
fn bad_arguments_are_usage_errors() {
    for args in [
        &["emit", "--format", "xml"][..],
        &["emit", "--istio-api", "v2"],
        &["emit", "--out"],
        &["deploy"],
    ] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&output).starts_with("error:"),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(stdout(&output).is_empty());
    }
}

#[test]
fn emit_refuses_a_foreign_directory_and_leaves_it_alone() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().to_path_buf();
    std::fs::write(dir.join("keep.txt"), "mine").unwrap();
    let output = run(&["emit", "--out", &dir.to_string_lossy()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("CM0803"), "{}", stderr(&output));
    assert!(Path::new(&dir.join("keep.txt")).is_file());
    assert!(!dir.join("kustomization.yaml").exists());
}

#[test]
fn check_passes_the_intended_mesh() {
    let output = run(&["check"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(!stdout(&output).contains("error["), "{}", stdout(&output));
}

#[test]
fn check_as_published_fails_on_retry_amplification() {
    let output = run(&["check", "--as-published"]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let report = stdout(&output);
    let amplification = report
        .split("\n\n")
        .find(|d| d.starts_with("error[CM03") && d.contains("12"));
    assert!(amplification.is_some(), "{report}");
}

#[test]
fn emitting_the_published_values_is_refused_with_nothing_written() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("deploy");
    let output = run(&["emit", "--as-published", "--out", &dir.to_string_lossy()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("error[CM"), "{}", stderr(&output));
    assert!(!dir.exists());
}
