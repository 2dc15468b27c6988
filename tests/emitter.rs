//! connectum-mesh's YAML writer against serde-saphyr, the serializer whose output it reproduces
//! (`connectum-mesh/src/emit/yaml.rs`): every document of the order-service example in each
//! form, of the mesh that sets everything, of gen-mesh's topology, and of generated meshes,
//! byte for byte, one document at a time and as streams.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use connectum_mesh::render::Versioned;
use connectum_mesh::{IstioApi, Mesh, RenderOptions, emit, render_lazily, render_with};
use connectum_mesh_tests::strategies::meshes;
use proptest::prelude::*;

/// serde-saphyr's text with the options `connectum_mesh::emit` gives it: the reference.
fn serde_saphyr_text(document: &Versioned<'_>) -> String {
    let options = serde_saphyr::ser_options! {
        indent_step: 2,
        compact_list_indent: false,
        prefer_block_scalars: false,
    };
    let mut text = String::new();
    serde_saphyr::to_fmt_writer_with_options(&mut text, document, options)
        .expect("serde-saphyr serializes the document");
    text
}

/// Every document of `documents` is written as serde-saphyr writes it, alone and in a stream
/// through `write_yaml`; returns how many were compared.
fn compare<'a>(documents: impl Fn() -> Vec<Versioned<'a>>) -> Result<usize, TestCaseError> {
    let mut stream = Vec::new();
    for document in documents() {
        let expected = serde_saphyr_text(&document);
        let yaml = emit::document_to_yaml("document", &document).unwrap();
        prop_assert_eq!(&yaml, &expected, "differs from serde-saphyr");
        stream.push(expected);
    }
    let mut written = Vec::new();
    emit::write_yaml(documents(), &mut written).unwrap();
    prop_assert_eq!(String::from_utf8(written).unwrap(), stream.join("---\n"));
    Ok(stream.len())
}

fn compare_mesh(mesh: &Mesh) -> Result<usize, TestCaseError> {
    let mut checked = 0;
    for istio_api in [IstioApi::V1, IstioApi::V1beta1] {
        let manifests = render_with(mesh, &RenderOptions { istio_api })
            .unwrap_or_else(|error| panic!("the mesh renders:\n{error}"));
        checked += compare(|| manifests.documents().collect())?;
        prop_assert_eq!(
            emit::to_yaml(&manifests).unwrap(),
            manifests
                .documents()
                .map(|d| serde_saphyr_text(&d))
                .collect::<Vec<_>>()
                .join("---\n")
        );
    }
    Ok(checked)
}

#[test]
fn the_order_service_example_in_every_form() {
    let checked = compare_mesh(&order_service::mesh()).unwrap()
        + compare_mesh(&order_service::mesh_with_istio_ingress()).unwrap();
    assert!(checked >= 40, "only {checked} documents compared");
}

// The mesh warns (app TLS under Istio, ...): mesh! says so as deprecation warnings.
#[allow(deprecated)]
#[test]
fn the_mesh_that_sets_everything() {
    let mesh: Mesh = include!("printed/every_setting.rs");
    assert!(compare_mesh(&mesh).unwrap() >= 20);
}

#[test]
fn gen_mesh_s_topology() {
    let mesh = connectum_mesh_bench::topology(25);
    let lazy = render_lazily(&mesh, &RenderOptions::default()).expect("the topology renders");
    let api = lazy.istio_api();
    let checked = compare(|| {
        lazy.objects()
            .filter_map(connectum_mesh_bench::as_topology)
            .map(|object| Versioned::owned(object, api))
            .collect()
    })
    .unwrap();
    assert_eq!(checked, 3 + 7 * 25);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn generated_meshes(mesh in meshes()) {
        prop_assume!(!connectum_mesh::check(&mesh).has_errors());
        compare_mesh(&mesh)?;
    }
}
