//! The manifests Connectum's production guide tells users to write today validate: the
//! validator agrees with Istio on real, accepted configuration.

use connectum_mesh_tests::validate::IstioValidator;

use crate::support::reference;

pub const REFERENCE_FILES: [&str; 8] = [
    "authorization-policy.yaml",
    "canary-virtual-service.yaml",
    "destination-rule.yaml",
    "header-routing.yaml",
    "peer-authentication.yaml",
    "peer-authentication-permissive.yaml",
    "telemetry.yaml",
    "virtual-service.yaml",
];

#[test]
fn reference_manifests_validate() {
    let validator = IstioValidator::shared();
    for file in REFERENCE_FILES {
        let report = validator.validate(&reference(file));
        assert!(report.is_valid(), "{file}: {report}");
        assert!(report.gvk.is_some_and(|gvk| gvk.is_istio()), "{file}");
    }
}

#[test]
fn reference_manifests_validate_in_every_served_version() {
    let validator = IstioValidator::shared();
    for file in REFERENCE_FILES {
        let document = reference(file);
        let api_version = document["apiVersion"].as_str().expect("apiVersion");
        let older: &[&str] = match api_version {
            "networking.istio.io/v1" => &[
                "networking.istio.io/v1beta1",
                "networking.istio.io/v1alpha3",
            ],
            "security.istio.io/v1" => &["security.istio.io/v1beta1"],
            "telemetry.istio.io/v1" => &["telemetry.istio.io/v1alpha1"],
            other => panic!("{file}: unexpected apiVersion {other}"),
        };
        for version in older {
            let mut renamed = document.clone();
            renamed["apiVersion"] = (*version).into();
            let report = validator.validate(&renamed);
            assert!(report.is_valid(), "{file} as {version}: {report}");
        }
    }
}
