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
    let manifests = match connectum_mesh::render(&order_service::mesh()) {
        Ok(manifests) => manifests,
        Err(error) => panic!("the example renders:\n{error}"),
    };
    let mut checked = 0;
    for (object, document) in manifests.objects().iter().zip(manifests.documents()) {
        let yaml = document_to_yaml("document", &document).unwrap();
        let parsed = match object {
            Object::Namespace(o) => Object::Namespace(back(o, &yaml)),
            Object::ServiceAccount(o) => Object::ServiceAccount(back(o, &yaml)),
            Object::ConfigMap(o) => Object::ConfigMap(back(o, &yaml)),
            Object::PeerAuthentication(o) => Object::PeerAuthentication(back(o, &yaml)),
            Object::AuthorizationPolicy(o) => Object::AuthorizationPolicy(back(o, &yaml)),
            Object::Service(o) => Object::Service(back(o, &yaml)),
            Object::Deployment(o) => Object::Deployment(back(o, &yaml)),
            Object::HorizontalPodAutoscaler(o) => Object::HorizontalPodAutoscaler(back(o, &yaml)),
            Object::DestinationRule(o) => Object::DestinationRule(back(o, &yaml)),
            Object::VirtualService(o) => Object::VirtualService(back(o, &yaml)),
            Object::Telemetry(o) => Object::Telemetry(back(o, &yaml)),
        };
        let again = document_to_yaml("again", &Versioned::new(&parsed, IstioApi::V1)).unwrap();
        assert_eq!(again, yaml, "{} {}", object.kind(), object.name());
        checked += 1;
    }
    assert_eq!(checked, manifests.objects().len());
    assert_eq!(checked, 12);
}
