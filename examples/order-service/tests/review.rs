//! Review output of the order-service mesh: its diagram (pinned, accepted by Graphviz, current
//! in the README) and the semantic diff between versions of it.

// A failed setup must fail the test (conventions: unwrap is fine in tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use connectum_mesh::review::{DiagramFormat, MeshDiff, diagram};
use connectum_mesh::{AllowRule, MeshRetry, RouteTarget, ServiceAccountRef, Split};

/// The diff of [`edited`]'s three edits, from the model and from emitted manifests alike.
const THREE_LINES: &str = "service order-service
  allowed callers: namespace connectum, service account connectum/envoy-gateway → service account connectum/envoy-gateway
  route canary-header › mesh retries: 1 (per try 10s, on unavailable,deadline-exceeded) → off
  route default › traffic: stable 90% · canary 10% → stable 75% · canary 25%
";

#[test]
fn the_mermaid_diagram_is_pinned() {
    insta::assert_snapshot!(
        "order_service.mmd",
        diagram(&order_service::mesh(), DiagramFormat::Mermaid)
    );
}

#[test]
fn the_dot_diagram_is_pinned() {
    insta::assert_snapshot!(
        "order_service.dot",
        diagram(&order_service::mesh(), DiagramFormat::Dot)
    );
}

#[test]
fn the_published_values_are_drawn_with_their_problems_marked() {
    let mermaid = diagram(&order_service::published_mesh(), DiagramFormat::Mermaid);
    insta::assert_snapshot!("order_service_published.mmd", mermaid);
    assert!(mermaid.contains("entry point: ≤ 12 calls: (1+3) × (1+2)"));
    assert!(mermaid.contains("⚠ CM0301 over the retry budget of 10"));
    assert!(mermaid.contains("class s0,s0_r0,s0_r1 problem"));
}

#[test]
fn the_diagram_is_deterministic() {
    for format in [DiagramFormat::Mermaid, DiagramFormat::Dot] {
        assert_eq!(
            diagram(&order_service::mesh(), format),
            diagram(&order_service::mesh(), format)
        );
    }
}

/// Graphviz must accept the DOT output. The test needs the `dot` program (Debian/Ubuntu:
/// `apt-get install graphviz`, macOS: `brew install graphviz`); without it, it says so and
/// passes.
#[test]
fn graphviz_accepts_the_dot_diagram() {
    if Command::new("dot").arg("-V").output().is_err() {
        eprintln!(
            "SKIPPED graphviz_accepts_the_dot_diagram: the `dot` program is not installed (apt-get install graphviz)"
        );
        return;
    }
    for mesh in [order_service::mesh(), order_service::published_mesh()] {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("mesh.dot");
        std::fs::write(&input, diagram(&mesh, DiagramFormat::Dot)).unwrap();
        let output = Command::new("dot")
            .arg("-Tsvg")
            .arg(&input)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "dot -Tsvg refused the diagram: {stderr}"
        );
        assert!(stderr.trim().is_empty(), "dot -Tsvg warned: {stderr}");
        assert!(String::from_utf8_lossy(&output.stdout).contains("<svg"));
    }
}

/// The README shows the order-service diagram; it must be the one the code draws today.
#[test]
fn the_readme_shows_the_current_diagram() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let start = readme
        .find("```mermaid\n")
        .expect("the README has a mermaid block")
        + "```mermaid\n".len();
    let length = readme[start..].find("```").expect("the block is closed");
    assert_eq!(
        &readme[start..start + length],
        diagram(&order_service::mesh(), DiagramFormat::Mermaid),
        "the README's diagram is stale: replace its mermaid block with `cargo run -p order-service -- graph`"
    );
}

#[test]
fn a_mesh_against_itself_has_no_changes() {
    let diff = MeshDiff::between(&order_service::mesh(), &order_service::mesh());
    assert!(diff.is_empty(), "{diff}");
    assert_eq!(diff.to_string(), "");
    assert_eq!(diff.to_json().unwrap(), "{\n  \"changes\": []\n}\n");
}

#[test]
fn canary_weight_retries_and_an_allow_rule_are_exactly_three_lines() {
    let before = order_service::mesh();
    let after = edited();

    let diff = MeshDiff::between(&before, &after);
    assert_eq!(diff.changes().len(), 3, "{diff}");
    assert_eq!(diff.to_string(), THREE_LINES);
    let json: serde_json::Value = serde_json::from_str(&diff.to_json().unwrap()).unwrap();
    assert_eq!(
        json["changes"][2],
        serde_json::json!({
            "scope": "service order-service",
            "item": "route default › traffic",
            "before": "stable 90% · canary 10%",
            "after": "stable 75% · canary 25%",
        })
    );
}

#[test]
fn a_retry_change_that_moves_a_chain_shows_the_checkers_new_worst_case() {
    let before = order_service::mesh();
    let mut after = before.clone();
    after.services[0].interceptors.retry = None;
    let diff = MeshDiff::between(&before, &after);
    assert_eq!(
        diff.to_string(),
        "service order-service
  app retries: maxRetries 2 → off
worst-case calls per chain
  envoy-gateway → order-service: 6 calls → 2 calls
"
    );
}

#[test]
fn the_published_values_differ_from_the_intended_ones_in_review_words() {
    let diff = MeshDiff::between(&order_service::mesh(), &order_service::published_mesh());
    insta::assert_snapshot!("intended_to_published.diff", diff.to_string());
}

#[test]
fn the_graph_subcommand_prints_the_diagram() {
    for (args, format) in [
        (&["graph"][..], DiagramFormat::Mermaid),
        (&["graph", "--format", "dot"][..], DiagramFormat::Dot),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_order-service"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            diagram(&order_service::mesh(), format)
        );
    }
    let published = Command::new(env!("CARGO_BIN_EXE_order-service"))
        .args(["graph", "--as-published"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&published.stdout).contains("⚠ CM0301"));
    let usage = Command::new(env!("CARGO_BIN_EXE_order-service"))
        .args(["graph", "--format", "svg"])
        .output()
        .unwrap();
    assert_eq!(usage.status.code(), Some(2));
}

fn emitted(mesh: &connectum_mesh::Mesh) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("deploy");
    let manifests = connectum_mesh::render(mesh).unwrap();
    connectum_mesh::emit::write_dir(&manifests, &dir, connectum_mesh::emit::Format::Yaml).unwrap();
    root
}

/// The three edits of `canary_weight_retries_and_an_allow_rule_are_exactly_three_lines`.
fn edited() -> connectum_mesh::Mesh {
    let mut after = order_service::mesh();
    let order = &mut after.services[0];
    let stable = order.subset("stable").unwrap();
    let canary = order.subset("canary").unwrap();
    order.routes[1].target =
        RouteTarget::Split(Split::new().weight(&stable, 75).weight(&canary, 25));
    order.routes[0].retries = Some(MeshRetry::disabled());
    order.allow = vec![AllowRule::service_account(ServiceAccountRef::new(
        "connectum",
        "envoy-gateway",
    ))];
    after
}

#[test]
fn against_its_own_emitted_directory_the_mesh_has_no_changes() {
    let root = emitted(&order_service::mesh());
    let diff = MeshDiff::against_dir(&order_service::mesh(), &root.path().join("deploy")).unwrap();
    assert!(diff.is_empty(), "{diff}");
}

#[test]
fn against_an_emitted_directory_three_edits_are_three_lines() {
    let root = emitted(&order_service::mesh());
    let diff = MeshDiff::against_dir(&edited(), &root.path().join("deploy")).unwrap();
    assert_eq!(diff.to_string(), THREE_LINES);
}

#[test]
fn the_diff_subcommand_exits_0_unchanged_and_1_changed() {
    let root = emitted(&order_service::mesh());
    let dir = root.path().join("deploy");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_order-service"))
            .args(args)
            .output()
            .unwrap()
    };
    let same = run(&["diff", "--against", dir.to_str().unwrap()]);
    assert_eq!(same.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&same.stdout), "");
    // A mesh that does not render (the published values) is an error: exit 1, the checker's
    // diagnostics on stderr, nothing on stdout.
    let json = run(&[
        "diff",
        "--against",
        dir.to_str().unwrap(),
        "--format",
        "json",
        "--as-published",
    ]);
    assert_eq!(
        json.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    assert!(String::from_utf8_lossy(&json.stderr).contains("error[CM0301]"));
    assert_eq!(String::from_utf8_lossy(&json.stdout), "");
}

#[test]
fn against_a_directory_that_is_not_ours_or_unreadable_is_a_coded_error_naming_the_file() {
    let mesh = order_service::mesh();
    let foreign = tempfile::tempdir().unwrap();
    std::fs::write(foreign.path().join("vs.yaml"), "kind: VirtualService\n").unwrap();
    let error = MeshDiff::against_dir(&mesh, foreign.path())
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("error[CM0850]: "), "{error}");
    assert!(
        error.contains(&foreign.path().display().to_string()),
        "{error}"
    );

    let root = emitted(&mesh);
    let dir = root.path().join("deploy");
    std::fs::write(dir.join("99-broken.yaml"), "apiVersion: v1\nkind: [\n").unwrap();
    std::fs::write(
        dir.join("98-secret.yaml"),
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: tls\n  namespace: connectum\n",
    )
    .unwrap();
    let error = MeshDiff::against_dir(&mesh, &dir).unwrap_err().to_string();
    assert!(error.contains("error[CM0821]"), "{error}");
    assert!(error.contains("99-broken.yaml:"), "{error}");
    assert!(
        error.contains("error[CM0851]: Secret/tls is not an object connectum-mesh emits"),
        "{error}"
    );
    assert!(error.contains("98-secret.yaml:1"), "{error}");

    let missing = root.path().join("nowhere");
    let error = MeshDiff::against_dir(&mesh, &missing)
        .unwrap_err()
        .to_string();
    assert!(error.contains("error[CM0820]"), "{error}");
    assert!(error.contains("nowhere"), "{error}");
}
