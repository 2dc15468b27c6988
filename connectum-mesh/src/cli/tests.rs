use super::*;
use connectum_mesh_core::Service;

fn mesh() -> Mesh {
    // deny_by_default: `cart` has no callers, so it would otherwise be open to the mesh (CM0460).
    Mesh::builder()
        .namespace("shop")
        .deny_by_default(true)
        .services([cart("1.0.0")])
        .build()
}

/// Two services named `cart` (CM0101): the builder takes them, the checker refuses them.
fn broken() -> Mesh {
    Mesh::builder()
        .namespace("shop")
        .deny_by_default(true)
        .services([cart("1.0.0"), cart("2.0.0")])
        .build()
}

fn cart(tag: &str) -> Service {
    Service::builder()
        .name("cart")
        .image(format!("cart:{tag}"))
        .build()
}

fn run(args: &[&str]) -> (Exit, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let cli = Cli::new(mesh()).variant("broken", "The broken copy", broken());
    let exit = cli.run_from(
        std::iter::once("shop").chain(args.iter().copied()),
        &mut out,
        &mut err,
    );
    (
        exit,
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

#[test]
fn no_subcommand_emits_yaml_like_emit() {
    let (exit, out, err) = run(&[]);
    assert_eq!(exit, Exit::Success, "{err}");
    assert!(
        out.starts_with("apiVersion: v1\nkind: Namespace\n"),
        "{out}"
    );
    assert_eq!(run(&["emit"]).1, out);
    let (exit, json, _) = run(&["emit", "--format", "json", "--istio-api", "v1beta1"]);
    assert_eq!(exit, Exit::Success);
    assert!(json.contains("\"kind\": \"List\""), "{json}");
    assert!(json.contains("security.istio.io/v1beta1"), "{json}");
}

#[test]
fn check_exits_1_on_errors_and_0_when_clean() {
    let (exit, out, _) = run(&["check"]);
    assert_eq!(exit, Exit::Success);
    assert!(out.ends_with("no problems found\n"), "{out}");
    let (exit, out, _) = run(&["check", "--broken"]);
    assert_eq!(exit, Exit::Problems);
    assert!(out.contains("error[CM0101]"), "{out}");
    let (exit, out, err) = run(&["emit", "--broken"]);
    assert_eq!(exit, Exit::Problems);
    assert!(out.is_empty());
    assert!(err.contains("could not render the mesh"), "{err}");
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    for args in [
        &["emit", "--format", "xml"][..],
        &["emit", "--out"],
        &["deploy"],
        &["check", "--as-published"],
    ] {
        let (exit, out, err) = run(args);
        assert_eq!(exit, Exit::Usage, "{args:?}");
        assert_eq!(Exit::Usage.code(), 2);
        assert!(err.starts_with("error:"), "{args:?}: {err}");
        assert!(out.is_empty());
    }
    let (exit, out, _) = run(&["--help"]);
    assert_eq!(exit, Exit::Success);
    assert!(out.contains("Usage: shop"), "{out}");
    assert!(out.contains("check"), "{out}");
    let (_, out, _) = run(&["check", "--help"]);
    assert!(out.contains("--broken"), "{out}");
}

#[test]
fn emit_out_writes_a_directory_and_refuses_a_foreign_one() {
    let scratch = tempfile::tempdir().unwrap();
    let base = scratch.path().to_path_buf();
    let dir = base.join("deploy");
    let (exit, _, err) = run(&["emit", "--out", &dir.to_string_lossy()]);
    assert_eq!(exit, Exit::Success, "{err}");
    assert!(dir.join("kustomization.yaml").is_file());
    assert!(std::fs::write(base.join("mine.txt"), "mine").is_ok());
    let (exit, _, err) = run(&["emit", "--out", &base.to_string_lossy()]);
    assert_eq!(exit, Exit::Problems);
    assert!(err.contains("CM0803"), "{err}");
}

#[test]
fn mesh_none_renders_without_istio_and_checks_by_its_rules() {
    let (exit, out, err) = run(&["emit", "--mesh", "none"]);
    // Without a mesh the service needs application TLS (CM0441): nothing is emitted.
    assert_eq!(exit, Exit::Problems, "{out}");
    assert!(err.contains("CM0441"), "{err}");
    let (exit, out, _) = run(&["check", "--mesh", "none"]);
    assert_eq!(exit, Exit::Problems);
    assert!(out.contains("error[CM0441]"), "{out}");
    let (exit, out, _) = run(&["emit", "--mesh", "istio"]);
    assert_eq!(exit, Exit::Success);
    assert!(out.contains("kind: PeerAuthentication"), "{out}");
    assert_eq!(run(&["emit", "--mesh", "linkerd"]).0, Exit::Usage);
}

#[test]
fn migration_prints_the_checklist() {
    let (exit, out, _) = run(&["migration"]);
    assert_eq!(exit, Exit::Success);
    assert!(out.contains("PeerAuthentication/default"), "{out}");
}
