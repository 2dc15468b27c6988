//! The emitted order-service manifests, pinned: one snapshot per emitted form (the YAML stream
//! and the JSON list). Review a changed snapshot like code: it is the YAML users apply. The
//! v1beta1 form differs only in apiVersion, which the renderer's tests assert. Then the review of
//! the mesh: its diagram (pinned, accepted by Graphviz, current in the README) and the semantic
//! diff between versions of it, from the model and against an emitted directory.

use std::io::Write as _;
use std::process::Command;

use connectum_mesh::emit;
use connectum_mesh::review::{DiagramFormat, MeshDiff, diagram};
use connectum_mesh::{
    AllowRule, IstioApi, MeshRetry, RenderOptions, RouteTarget, ServiceAccountRef, Split,
    render_with,
};

fn manifests(istio_api: IstioApi) -> connectum_mesh::Manifests {
    match render_with(&order_service::mesh(), &RenderOptions { istio_api }) {
        Ok(manifests) => manifests,
        Err(error) => panic!("the example renders:\n{error}"),
    }
}

#[test]
fn yaml_v1() {
    let yaml = emit::to_yaml(&manifests(IstioApi::V1)).unwrap();
    insta::assert_snapshot!("order_service_v1.yaml", yaml);
}

#[test]
fn json_list() {
    let json = emit::to_json(&manifests(IstioApi::V1)).unwrap();
    insta::assert_snapshot!("order_service_list.json", json);
}

#[test]
fn the_output_is_byte_identical_across_runs() {
    let first = emit::to_yaml(&manifests(IstioApi::V1)).unwrap();
    assert_eq!(first, emit::to_yaml(&manifests(IstioApi::V1)).unwrap());
}

#[test]
fn yaml_with_the_istio_flavoured_edge() {
    let manifests = match connectum_mesh::render(&order_service::mesh_with_istio_ingress()) {
        Ok(manifests) => manifests,
        Err(error) => panic!("the example renders:\n{error}"),
    };
    let yaml = emit::to_yaml(&manifests).unwrap_or_default();
    insta::assert_snapshot!("order_service_istio_ingress.yaml", yaml);
}

// ── Review: the diagram of the mesh and semantic diffs between versions of it ───────────────

/// The diff of [`edited`]'s three edits, from the model and from emitted manifests alike.
const THREE_LINES: &str = "service order-service
  allowed callers: namespace connectum, service account connectum/envoy-gateway → service account connectum/envoy-gateway
  route canary-header › mesh retries: 1 (per try 10s, on unavailable,deadline-exceeded) → off
  route default › traffic: stable 90% · canary 10% → stable 75% · canary 25%
";

/// The mesh with the canary at 25%, the header route's retries off and the namespace allow
/// rule dropped.
fn edited() -> connectum_mesh::Mesh {
    let mut after = order_service::mesh();
    let order = &mut after.services[0];
    let (Some(stable), Some(canary)) = (order.subset("stable"), order.subset("canary")) else {
        panic!("order-service declares stable and canary");
    };
    order.routes[1].target =
        RouteTarget::Split(Split::new().weight(&stable, 75).weight(&canary, 25));
    order.routes[0].retries = Some(MeshRetry::disabled());
    order.allow = vec![AllowRule::service_account(ServiceAccountRef::new(
        "connectum",
        "envoy-gateway",
    ))];
    after
}

/// `mesh` emitted by `emit --out` into `<tempdir>/deploy`.
fn emitted(mesh: &connectum_mesh::Mesh) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap_or_else(|error| panic!("a temporary directory: {error}"));
    let manifests = connectum_mesh::render(mesh)
        .unwrap_or_else(|error| panic!("the example renders:\n{error}"));
    emit::write_dir(&manifests, &root.path().join("deploy"), emit::Format::Yaml)
        .unwrap_or_else(|error| panic!("emit --out writes: {error}"));
    root
}

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
fn the_diagram_draws_the_edge_hop_with_the_checkers_numbers() {
    let mermaid = diagram(&order_service::mesh(), DiagramFormat::Mermaid);
    // connectum-gateway's one retry × order-service's two app retries: CM0301's 6 calls.
    assert!(
        mermaid.contains("g0_r0 ==>|\"≤ 6 calls: (1+1) × (1+2)\"| s0\n"),
        "{mermaid}"
    );
    let cost = connectum_mesh::check::costs::chain_cost(
        &order_service::mesh(),
        &[order_service::GATEWAY, order_service::SERVICE],
    )
    .unwrap();
    assert_eq!(cost.worst_case_calls(), 6);
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
        // Straight to the process's stderr: the test harness captures `eprintln!` of a passing
        // test, and a skip must be seen.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED graphviz_accepts_the_dot_diagram: the `dot` program is not installed (apt-get install graphviz)"
        );
        return;
    }
    let meshes = [
        order_service::mesh(),
        order_service::published_mesh(),
        order_service::mesh_with_istio_ingress(),
    ];
    for mesh in meshes {
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
    let diff = MeshDiff::between(&order_service::mesh(), &edited());
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
    assert_eq!(
        MeshDiff::between(&before, &after).to_string(),
        "service order-service
  app retries: maxRetries 2 → off
worst-case calls per chain
  connectum-gateway → order-service: 6 calls → 2 calls
"
    );
}

#[test]
fn an_edge_change_is_listed_under_its_gateway() {
    let before = order_service::mesh();
    let mut after = before.clone();
    let route = &mut after.gateways[0].routes[0];
    route.retries = Some(MeshRetry::builder().attempts(2).build());
    route.timeout = Some(connectum_mesh::Duration::from_secs(20));
    assert_eq!(
        MeshDiff::between(&before, &after).to_string(),
        "gateway connectum-gateway
  route orders › timeout: 30s → 20s
  route orders › retries: 1 (per try 10s, on unavailable) → 2
worst-case calls per chain
  connectum-gateway → order-service: 6 calls → 9 calls
"
    );
    // The same edits read back from emitted manifests (the BackendTrafficPolicy).
    let root = emitted(&before);
    let against = MeshDiff::against_dir(&after, &root.path().join("deploy")).unwrap();
    assert_eq!(
        against.to_string(),
        "gateway connectum-gateway
  route orders › timeout: 30s → 20s
  route orders › retries: 1 (per try 10s, on unavailable) → 2
"
    );
}

#[test]
fn the_published_values_differ_from_the_intended_ones_in_review_words() {
    let diff = MeshDiff::between(&order_service::mesh(), &order_service::published_mesh());
    insta::assert_snapshot!("intended_to_published.diff", diff.to_string());
}

#[test]
fn against_its_own_emitted_directory_the_mesh_has_no_changes() {
    for mesh in [
        order_service::mesh(),
        order_service::mesh_with_istio_ingress(),
    ] {
        let root = emitted(&mesh);
        let diff = MeshDiff::against_dir(&mesh, &root.path().join("deploy")).unwrap();
        assert!(diff.is_empty(), "{diff}");
    }
}

#[test]
fn against_an_emitted_directory_three_edits_are_three_lines() {
    let root = emitted(&order_service::mesh());
    let diff = MeshDiff::against_dir(&edited(), &root.path().join("deploy")).unwrap();
    assert_eq!(diff.to_string(), THREE_LINES);
}

#[test]
fn against_a_directory_that_is_not_ours_or_unreadable_is_a_coded_error_naming_the_file() {
    let mesh = order_service::mesh();
    // Not written by emit --out (no ownership marker): CM0850, naming the directory.
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

    // A file, not a directory emit --out wrote: CM0850 too.
    let file = foreign.path().join("vs.yaml");
    let error = MeshDiff::against_dir(&mesh, &file).unwrap_err().to_string();
    assert!(error.starts_with("error[CM0850]: "), "{error}");
    assert!(error.contains("vs.yaml"), "{error}");

    // Ours, then edited by hand: a broken file and a Secret, each coded with file and line.
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

    // Nothing there at all: the reader's CM0820, naming the path.
    let missing = root.path().join("nowhere");
    let error = MeshDiff::against_dir(&mesh, &missing)
        .unwrap_err()
        .to_string();
    assert!(error.contains("error[CM0820]"), "{error}");
    assert!(error.contains("nowhere"), "{error}");
}
