//! Core Kubernetes kinds against Kubernetes' own schemas: the PodDisruptionBudget (policy/v1) and
//! Deployment (apps/v1) we emit, checked against the v1.37 JSON schemas vendored in
//! `fixtures/kubernetes-schemas/` (strict: unknown fields refused; types, `IntOrString` and
//! required fields checked; the definitions carry no enums).
//!
//! k8s-openapi gives these kinds their shape; the schemas say which values the API server takes.

use std::sync::OnceLock;

use serde_json::Value;

/// The vendored `_definitions.json` every kind's schema refers to.
pub const DEFINITIONS_JSON: &str = include_str!("../fixtures/kubernetes-schemas/_definitions.json");

/// Each vendored kind: `(apiVersion, kind, file under fixtures/, its schema, its sha256)`.
pub const VENDORED_KINDS: [(&str, &str, &str, &str, &str); 2] = [
    (
        "policy/v1",
        "PodDisruptionBudget",
        "kubernetes-schemas/poddisruptionbudget-policy-v1.json",
        include_str!("../fixtures/kubernetes-schemas/poddisruptionbudget-policy-v1.json"),
        "8a37ef5a28fafb287169604c8ea59ff52b066c7822dc60a5913fe4b81ad3fffa",
    ),
    (
        "apps/v1",
        "Deployment",
        "kubernetes-schemas/deployment-apps-v1.json",
        include_str!("../fixtures/kubernetes-schemas/deployment-apps-v1.json"),
        "ad19cfad33c55c734cb179dfeb85e30db0d1b11a8837c19e68507f4cf98e49ee",
    ),
];

/// The sha256 of the vendored (pruned) `_definitions.json`.
pub const DEFINITIONS_SHA256: &str =
    "efd49143f06bc435fc03227d86cd78e0af9269febf73ca17f1fab4a4dc89d68a";

/// Where the kinds' `$ref`s point: `/api/_definitions.json` against their `$id`.
const DEFINITIONS_URI: &str = "https://kubernetes.io/api/_definitions.json";

/// Validators of the vendored core kinds, built once.
pub struct KubernetesValidator {
    kinds: Vec<(&'static str, &'static str, jsonschema::Validator)>,
}

impl KubernetesValidator {
    /// The validators of every vendored kind, built once per test binary.
    ///
    /// # Panics
    /// When the vendored schemas do not load, which no test can go on from.
    #[allow(clippy::expect_used)]
    pub fn shared() -> &'static Self {
        static SHARED: OnceLock<KubernetesValidator> = OnceLock::new();
        SHARED.get_or_init(|| Self::new().expect("the vendored Kubernetes schemas load"))
    }

    /// Builds the validators.
    ///
    /// # Errors
    /// A message when a vendored file is not JSON or not a schema.
    pub fn new() -> Result<Self, String> {
        let definitions: Value =
            serde_json::from_str(DEFINITIONS_JSON).map_err(|e| e.to_string())?;
        let registry = jsonschema::Registry::new()
            .add(DEFINITIONS_URI, definitions)
            .map_err(|e| e.to_string())?
            .prepare()
            .map_err(|e| e.to_string())?;
        let mut kinds = Vec::new();
        for (api_version, kind, file, text, _) in VENDORED_KINDS {
            let schema: Value = serde_json::from_str(text).map_err(|e| format!("{file}: {e}"))?;
            let validator = jsonschema::options()
                .with_registry(&registry)
                .build(&schema)
                .map_err(|e| format!("{file}: {e}"))?;
            kinds.push((api_version, kind, validator));
        }
        Ok(Self { kinds })
    }

    /// The problems of `document` as `field path: message`, or `None` when its kind is not one
    /// of the vendored ones.
    #[must_use]
    pub fn problems(&self, document: &Value) -> Option<Vec<String>> {
        let (_, _, validator) = self.kinds.iter().find(|(api_version, kind, _)| {
            document["apiVersion"] == *api_version && document["kind"] == *kind
        })?;
        Some(
            validator
                .iter_errors(document)
                .map(|error| {
                    format!(
                        "{}: {error}",
                        crate::schema::field_path(&error.instance_path().to_string())
                    )
                })
                .collect(),
        )
    }
}
