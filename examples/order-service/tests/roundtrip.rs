//! Every emitted document deserializes back into its typed struct, equals the object it came
//! from, and re-serializes to the same bytes.

use connectum_mesh::emit::document_to_yaml;
use connectum_mesh::render::Versioned;
use connectum_mesh::{IstioApi, Object};
use serde::de::DeserializeOwned;

fn back<T: DeserializeOwned + PartialEq + std::fmt::Debug>(original: &T, yaml: &str) -> T {
    let back: T = match serde_saphyr::from_str(yaml) {
        Ok(back) => back,
        Err(error) => panic!("emitted YAML deserializes:\n{error}\n{yaml}"),
    };
    assert_eq!(&back, original);
    back
}

#[test]
fn every_document_round_trips() {
    round_trip(&order_service::mesh(), 18);
}

#[test]
fn every_document_of_the_istio_flavoured_edge_round_trips() {
    round_trip(&order_service::mesh_with_istio_ingress(), 16);
}

fn round_trip(mesh: &connectum_mesh::Mesh, documents: usize) {
    let manifests = match connectum_mesh::render(mesh) {
        Ok(manifests) => manifests,
        Err(error) => panic!("the example renders:\n{error}"),
    };
    let mut checked = 0;
    for (object, document) in manifests.objects().iter().zip(manifests.documents()) {
        let yaml = document_to_yaml("document", &document)
            .unwrap_or_else(|error| panic!("{} serializes: {error}", object.kind()));
        let parsed = match object {
            Object::Namespace(o) => Object::Namespace(back(o, &yaml)),
            Object::ServiceAccount(o) => Object::ServiceAccount(back(o, &yaml)),
            Object::ConfigMap(o) => Object::ConfigMap(back(o, &yaml)),
            Object::PeerAuthentication(o) => Object::PeerAuthentication(back(o, &yaml)),
            Object::AuthorizationPolicy(o) => Object::AuthorizationPolicy(back(o, &yaml)),
            Object::Service(o) => Object::Service(back(o, &yaml)),
            Object::Deployment(o) => Object::Deployment(back(o, &yaml)),
            Object::HorizontalPodAutoscaler(o) => Object::HorizontalPodAutoscaler(back(o, &yaml)),
            Object::PodDisruptionBudget(o) => Object::PodDisruptionBudget(back(o, &yaml)),
            Object::DestinationRule(o) => Object::DestinationRule(back(o, &yaml)),
            Object::VirtualService(o) => Object::VirtualService(back(o, &yaml)),
            Object::Telemetry(o) => Object::Telemetry(back(o, &yaml)),
            Object::GatewayClass(o) => Object::GatewayClass(back(o, &yaml)),
            Object::IstioGateway(o) => Object::IstioGateway(back(o, &yaml)),
            Object::Gateway(o) => Object::Gateway(back(o, &yaml)),
            Object::GrpcRoute(o) => Object::GrpcRoute(back(o, &yaml)),
            Object::HttpRoute(o) => Object::HttpRoute(back(o, &yaml)),
            Object::BackendTrafficPolicy(o) => Object::BackendTrafficPolicy(back(o, &yaml)),
            Object::Extra(_) => panic!("the example adds no extra objects"),
        };
        let again = document_to_yaml("again", &Versioned::new(&parsed, IstioApi::V1))
            .unwrap_or_else(|error| panic!("{} re-serializes: {error}", object.kind()));
        assert_eq!(again, yaml, "{} {}", object.kind(), object.name());
        checked += 1;
    }
    assert_eq!(checked, manifests.objects().len());
    assert_eq!(checked, documents);
}
