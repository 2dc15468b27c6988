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
    assert_eq!(files.len(), 18);
    assert_eq!(files[0], "01-namespace-connectum.yaml");
    // The guide's edge: its GatewayClass, Gateway, GRPCRoute and the route's timeout and retries.
    assert_eq!(
        files[13..17],
        [
            "14-gatewayclass-connectum-gateway.yaml",
            "15-gateway-connectum-gateway.yaml",
            "16-grpcroute-connectum-gateway-orders.yaml",
            "17-backendtrafficpolicy-connectum-gateway-orders.yaml",
        ]
    );
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
    assert_eq!(list["items"].as_array().map(Vec::len), Some(18));
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
    let vs = std::fs::read_to_string(dir.join("13-virtualservice-order-service.yaml")).unwrap();
    assert!(
        vs.starts_with("apiVersion: networking.istio.io/v1beta1\n"),
        "{vs}"
    );
    let telemetry =
        std::fs::read_to_string(dir.join("18-telemetry-connectum-telemetry.yaml")).unwrap();
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

#[test]
fn graph_prints_the_diagram_in_either_language() {
    use connectum_mesh::review::{DiagramFormat, diagram};
    for (args, format) in [
        (&["graph"][..], DiagramFormat::Mermaid),
        (
            &["graph", "--format", "mermaid"][..],
            DiagramFormat::Mermaid,
        ),
        (&["graph", "--format", "dot"][..], DiagramFormat::Dot),
    ] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert_eq!(stdout(&output), diagram(&order_service::mesh(), format));
    }
    let published = run(&["graph", "--as-published"]);
    assert!(stdout(&published).contains("⚠ CM0301"));
    // --mesh none draws the mesh as the no-mesh mode checks it (no application TLS: CM0441).
    let no_mesh = run(&["graph", "--mesh", "none"]);
    assert_eq!(no_mesh.status.code(), Some(0), "{}", stderr(&no_mesh));
    assert!(
        stdout(&no_mesh).contains("⚠ CM0441"),
        "{}",
        stdout(&no_mesh)
    );
    let usage = run(&["graph", "--format", "svg"]);
    assert_eq!(usage.status.code(), Some(2));
    assert!(stderr(&usage).contains("svg"), "{}", stderr(&usage));
}

#[test]
fn diff_exits_0_unchanged_1_changed_2_when_nothing_can_be_compared() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("deploy");
    let dir_text = dir.to_str().unwrap();
    let emitted = run(&["emit", "--out", dir_text]);
    assert_eq!(emitted.status.code(), Some(0), "{}", stderr(&emitted));

    let same = run(&["diff", "--against", dir_text]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    assert_eq!(stdout(&same), "");
    let same_json = run(&["diff", "--against", dir_text, "--format", "json"]);
    assert_eq!(same_json.status.code(), Some(0));
    assert_eq!(stdout(&same_json), "{\n  \"changes\": []\n}\n");

    // The directory as emitted with the canary at 100% on the default route: the mesh now
    // splits 90/10, one change.
    let vs = dir.join("13-virtualservice-order-service.yaml");
    let text = std::fs::read_to_string(&vs).unwrap();
    let edited =
        text.replacen("weight: 90", "weight: 0", 1)
            .replacen("weight: 10", "weight: 100", 1);
    assert_ne!(edited, text, "the emitted VirtualService splits 90/10");
    std::fs::write(&vs, edited).unwrap();
    let changed = run(&["diff", "--against", dir_text]);
    assert_eq!(changed.status.code(), Some(1), "{}", stderr(&changed));
    assert_eq!(
        stdout(&changed),
        "service order-service\n  route default › traffic: stable 0% · canary 100% → stable 90% · canary 10%\n"
    );

    // A mesh that does not render (the published values): exit 2, the checker's diagnostics on
    // stderr, nothing on stdout.
    let broken = run(&["diff", "--against", dir_text, "--as-published"]);
    assert_eq!(broken.status.code(), Some(2));
    assert!(
        stderr(&broken).contains("error[CM0301]"),
        "{}",
        stderr(&broken)
    );
    assert_eq!(stdout(&broken), "");

    // A directory emit --out did not write: CM0850 naming it, exit 2.
    let foreign = tempfile::tempdir().unwrap();
    let foreign_text = foreign.path().to_str().unwrap();
    let refused = run(&["diff", "--against", foreign_text]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("error[CM0850]"),
        "{}",
        stderr(&refused)
    );
    assert!(
        stderr(&refused).contains(foreign_text),
        "{}",
        stderr(&refused)
    );

    let usage = run(&["diff"]);
    assert_eq!(usage.status.code(), Some(2));
}
