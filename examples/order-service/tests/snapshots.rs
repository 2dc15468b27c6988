//! The emitted order-service manifests, pinned: one snapshot per emitted form (the YAML stream
//! and the JSON list). Review a changed snapshot like code: it is the YAML users apply. The
//! v1beta1 form differs only in apiVersion, which the renderer's tests assert.

use connectum_mesh::emit;
use connectum_mesh::{IstioApi, RenderOptions, render_with};

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
