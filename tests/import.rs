//! Import round trips: what the example emits, imported, renders the same documents (as data),
//! and the `mesh!{}` block the import prints compiles and renders them too.
//!
//! `printed/*.rs` are what `connectum-mesh import` prints for the example's emitted YAML (with
//! its Envoy Gateway edge, on Istio's ingress gateway, and without Istio); regenerate them with `UPDATE_PRINTED=1 cargo test -p connectum-mesh-tests --test
//! import` and review the diff.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use connectum_mesh::import::{ImportOptions, import, print};
use connectum_mesh::read::read_text;
use connectum_mesh::{Mesh, emit, render};

fn imported(mesh: &Mesh) -> connectum_mesh::import::Import {
    let yaml = emit::to_yaml(&render(mesh).expect("the example renders")).expect("serializes");
    // No options: the ConfigMaps carry each service's interceptor options.
    import(read_text("emitted.yaml", &yaml), &ImportOptions::default())
}

fn values(mesh: &Mesh) -> Vec<serde_json::Value> {
    render(mesh)
        .unwrap_or_else(|e| panic!("renders:\n{e}"))
        .to_values()
        .expect("JSON")
}

/// The example as the import can model it: the import does not read gateways back yet (it lists
/// their objects as CM0827), so the edge stands as the external caller it was before.
fn example_without_its_edge() -> Mesh {
    let mut mesh = order_service::mesh();
    mesh.gateways.clear();
    mesh.external_callers.push(
        connectum_mesh::ExternalCaller::builder()
            .name("envoy-gateway")
            .service_account(connectum_mesh::ServiceAccountRef::new(
                order_service::NAMESPACE,
                "envoy-gateway",
            ))
            .calls([order_service::SERVICE])
            .build(),
    );
    mesh
}

/// No error and nothing the model cannot say.
fn assert_clean(imported: &connectum_mesh::import::Import) {
    let problems: Vec<String> = imported
        .diagnostics
        .iter()
        .filter(|d| d.is_error() || d.diagnostic.code.as_str() == "CM0827")
        .map(ToString::to_string)
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn importing_what_the_example_emits_with_its_edge_renders_the_same_documents() {
    let original = order_service::mesh();
    let imported = imported(&original);
    assert_clean(&imported);
    assert_eq!(imported.mesh.gateways, original.gateways);
    assert!(
        imported.mesh.external_callers.is_empty(),
        "the edge is no stand-in caller"
    );
    assert_eq!(values(&imported.mesh), values(&original));
}

#[test]
fn importing_the_example_on_istios_ingress_gateway_renders_the_same_documents() {
    let original = order_service::mesh_with_istio_ingress();
    let imported = imported(&original);
    assert_clean(&imported);
    assert_eq!(imported.mesh.gateways, original.gateways);
    assert!(
        imported.mesh.external_callers.is_empty(),
        "the ingress is no stand-in caller"
    );
    assert_eq!(values(&imported.mesh), values(&original));
}

#[test]
fn importing_what_the_example_emits_renders_the_same_documents() {
    let original = example_without_its_edge();
    let imported = imported(&original);
    assert_clean(&imported);
    assert_eq!(values(&imported.mesh), values(&original));
}

fn printed_order_service() -> Mesh {
    include!("printed/order_service.rs")
}

fn printed_order_service_on_istio_ingress() -> Mesh {
    include!("printed/order_service_istio_ingress.rs")
}

// Without Istio nothing routes by subset: the Service spreads over stable and canary by pod
// count, which mesh! warns about (CM0212, a deprecation warning at compile time), as the import
// did.
#[allow(deprecated)]
fn printed_order_service_without_istio() -> Mesh {
    include!("printed/order_service_without_istio.rs")
}

mod printed_builders {
    include!("printed/order_service_builders.rs");
}

mod printed_builders_without_istio {
    include!("printed/order_service_without_istio_builders.rs");
}

/// `printer`'s code for `original`'s import equals `printed/<file>` (regenerated with
/// `UPDATE_PRINTED=1`), and `compiled`, that file compiled, is the imported mesh itself (so the
/// printer left nothing out) and renders what `original` renders.
fn assert_printed(
    original: &Mesh,
    printer: fn(&Mesh) -> String,
    file: &str,
    compiled: fn() -> Mesh,
) {
    let imported = imported(original).mesh;
    let text = printer(&imported);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("printed")
        .join(file);
    if std::env::var_os("UPDATE_PRINTED").is_some() {
        std::fs::write(&path, &text).expect("writes the printed mesh");
    }
    let on_disk = std::fs::read_to_string(&path).expect("reads the printed mesh");
    assert_eq!(
        text, on_disk,
        "the printer changed: regenerate with UPDATE_PRINTED=1 and review"
    );
    assert_eq!(compiled(), imported, "{file} builds the imported mesh");
    assert_eq!(values(&compiled()), values(original));
}

#[test]
fn the_printed_mesh_is_current_and_renders_the_same_documents_with_its_edge() {
    assert_printed(
        &order_service::mesh(),
        print::mesh_macro,
        "order_service.rs",
        printed_order_service,
    );
    assert_printed(
        &order_service::mesh_with_istio_ingress(),
        print::mesh_macro,
        "order_service_istio_ingress.rs",
        printed_order_service_on_istio_ingress,
    );
}

#[test]
fn the_printed_mesh_without_istio_is_current_and_renders_the_same_documents() {
    assert_printed(
        &example_without_istio(),
        print::mesh_macro,
        "order_service_without_istio.rs",
        printed_order_service_without_istio,
    );
}

#[test]
fn the_printed_builders_are_current_and_build_the_imported_mesh() {
    assert_printed(
        &order_service::mesh(),
        print::builders,
        "order_service_builders.rs",
        printed_builders::mesh,
    );
    assert_printed(
        &example_without_istio(),
        print::builders,
        "order_service_without_istio_builders.rs",
        printed_builders_without_istio::mesh,
    );
}

/// The example as the guide's first migration step: no Istio, application TLS in every service,
/// the edge on Envoy Gateway as before.
fn example_without_istio() -> Mesh {
    let mut mesh = order_service::mesh();
    mesh.mode = connectum_mesh::MeshMode::None;
    for service in &mut mesh.services {
        service.app_tls = Some(
            connectum_mesh::AppTls::builder()
                .dir_path("/etc/connectum/tls")
                .build(),
        );
    }
    mesh
}

#[test]
fn manifests_without_istio_objects_import_as_a_mesh_without_istio() {
    let original = example_without_istio();
    let imported = imported(&original);
    assert_eq!(imported.mesh.mode, connectum_mesh::MeshMode::None);
    let tls = imported.mesh.services[0]
        .app_tls
        .as_ref()
        .map(|t| t.dir_path.as_str());
    assert_eq!(tls, Some("/etc/connectum/tls"));
    assert_eq!(
        imported.mesh.gateways.len(),
        1,
        "Envoy Gateway needs no mesh"
    );
    assert_clean(&imported);
    assert_eq!(values(&imported.mesh), values(&original));
}

#[test]
fn disruption_budgets_import_as_the_model_says_them() {
    use connectum_mesh::{DisruptionBudget, PodCount};
    for budget in [
        DisruptionBudget::MinAvailable(PodCount::Pods(1)),
        DisruptionBudget::MaxUnavailable(PodCount::Percent(25)),
        DisruptionBudget::Disabled,
        DisruptionBudget::Auto,
    ] {
        let mut original = example_without_its_edge();
        original.services[0].disruption_budget = budget;
        let imported = imported(&original);
        assert_eq!(imported.mesh.services[0].disruption_budget, budget);
        assert_eq!(values(&imported.mesh), values(&original), "{budget:?}");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// The example's manifests (its edge included) with a line dropped and another edited:
    /// an import with located problems, never a panic.
    #[test]
    fn importing_edited_manifests_never_panics(
        drop in 0usize..2000,
        edit in 0usize..2000,
        text in "[ :\\-a-z0-9\"{}\\[\\]]{0,10}",
    ) {
        let yaml = emit::to_yaml(&render(&order_service::mesh()).expect("renders")).expect("YAML");
        let mut lines: Vec<String> = yaml.lines().map(str::to_owned).collect();
        let drop = drop % lines.len();
        lines.remove(drop);
        let edit = edit % lines.len();
        lines[edit].push_str(&text);
        let edited = lines.join("\n");
        let imported = import(read_text("edited.yaml", &edited), &ImportOptions::default());
        let _ = print::mesh_macro(&imported.mesh);
        let _ = print::builders(&imported.mesh);
    }
}
