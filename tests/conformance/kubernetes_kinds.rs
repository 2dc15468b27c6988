//! The PodDisruptionBudgets and Deployments the examples emit are ones Kubernetes v1.37 takes:
//! every field known (the `sleep` preStop action, the spread constraints' `nodeTaintsPolicy` and
//! `matchLabelKeys`), every value of its type (the budget's `IntOrString`), every required field
//! there.

use connectum_mesh::render;
use connectum_mesh_tests::kubernetes::{
    DEFINITIONS_JSON, DEFINITIONS_SHA256, KubernetesValidator, VENDORED_KINDS,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::support::fixture_path;

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[test]
fn vendored_kubernetes_schemas_are_the_recorded_files() {
    let provenance = std::fs::read_to_string(fixture_path("kubernetes-schemas/PROVENANCE.md"))
        .expect("PROVENANCE.md beside the schemas");
    for (_, _, file, text, digest) in VENDORED_KINDS {
        let on_disk = std::fs::read(fixture_path(file)).expect("the vendored schema is there");
        assert_eq!(sha256(&on_disk), digest, "{file}");
        assert_eq!(on_disk.as_slice(), text.as_bytes(), "{file}");
        assert!(provenance.contains(digest), "{file}");
    }
    assert_eq!(sha256(DEFINITIONS_JSON.as_bytes()), DEFINITIONS_SHA256);
    assert!(provenance.contains(DEFINITIONS_SHA256));
    let licence = std::fs::read_to_string(fixture_path("kubernetes-schemas/LICENSE"))
        .expect("LICENSE beside the schemas");
    assert!(licence.contains("Apache License"));
}

fn documents_of(kind: &str, documents: &[Value]) -> Vec<Value> {
    documents
        .iter()
        .filter(|d| d["kind"] == kind)
        .cloned()
        .collect()
}

fn assert_valid(documents: &[Value]) {
    let validator = KubernetesValidator::shared();
    for document in documents {
        let problems = validator.problems(document).expect("a vendored kind");
        assert!(
            problems.is_empty(),
            "{} {}: {problems:#?}",
            document["kind"],
            document["metadata"]["name"]
        );
    }
}

#[test]
fn the_examples_disruption_budgets_and_deployments_validate() {
    for mesh in [
        order_service::mesh(),
        order_service::mesh_with_istio_ingress(),
    ] {
        let documents = render(&mesh)
            .expect("the example passes the checker")
            .to_values()
            .expect("JSON");
        let budgets = documents_of("PodDisruptionBudget", &documents);
        let deployments = documents_of("Deployment", &documents);
        assert!(!budgets.is_empty(), "the example has a disruption budget");
        assert_eq!(deployments.len(), 2, "stable and canary");
        // What the zero-downtime work added is there to be validated.
        let pod = &deployments[0]["spec"]["template"]["spec"];
        assert!(
            pod["containers"][0]["lifecycle"]["preStop"]["sleep"]["seconds"].is_i64(),
            "{pod}"
        );
        assert!(
            pod["topologySpreadConstraints"][0]["whenUnsatisfiable"].is_string(),
            "{pod}"
        );
        assert_valid(&budgets);
        assert_valid(&deployments);
    }
}

#[test]
fn every_disruption_budget_form_validates() {
    use connectum_mesh::{DisruptionBudget, Mesh, PodCount, Scaling, Service, SpreadPolicy};

    let services = [
        ("auto-small", 3, DisruptionBudget::Auto),
        ("auto-large", 20, DisruptionBudget::Auto),
        (
            "max-pods",
            3,
            DisruptionBudget::MaxUnavailable(PodCount::Pods(2)),
        ),
        (
            "max-percent",
            4,
            DisruptionBudget::MaxUnavailable(PodCount::Percent(25)),
        ),
        (
            "min-pods",
            3,
            DisruptionBudget::MinAvailable(PodCount::Pods(1)),
        ),
        (
            "min-percent",
            4,
            DisruptionBudget::MinAvailable(PodCount::Percent(50)),
        ),
    ]
    .map(|(name, replicas, budget)| {
        Service::builder()
            .name(name)
            .image(format!("ghcr.io/shop/{name}:1.0.0"))
            .scaling(Scaling::Replicas(replicas))
            .disruption_budget(budget)
            .spread_policy(SpreadPolicy::DoNotSchedule)
            .build()
    });
    let mesh = Mesh::builder().namespace("shop").services(services).build();
    let documents = render(&mesh).expect("valid").to_values().expect("JSON");
    let budgets = documents_of("PodDisruptionBudget", &documents);
    assert_eq!(budgets.len(), 6);
    assert!(budgets.iter().any(|b| b["spec"]["maxUnavailable"] == "25%"));
    assert_valid(&budgets);
    assert_valid(&documents_of("Deployment", &documents));
}

#[test]
fn a_broken_disruption_budget_or_sleep_action_is_refused() {
    let validator = KubernetesValidator::shared();
    let document = |spec: Value| {
        json!({
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": { "name": "orders", "namespace": "shop" },
            "spec": spec,
        })
    };
    let good = document(
        json!({ "maxUnavailable": 1, "selector": { "matchLabels": { "app": "orders" } } }),
    );
    assert_eq!(validator.problems(&good), Some(Vec::new()));
    for bad in [
        json!({ "maxUnavailable": true }),
        json!({ "maxUnavailabel": 1 }),
        json!({ "unhealthyPodEvictionPolicy": 3 }),
    ] {
        let problems = validator
            .problems(&document(bad.clone()))
            .expect("known kind");
        assert!(!problems.is_empty(), "{bad} is refused");
    }
    let mut deployment = render(&order_service::mesh())
        .expect("checked")
        .to_values()
        .expect("JSON")
        .into_iter()
        .find(|d| d["kind"] == "Deployment")
        .expect("a Deployment");
    deployment["spec"]["template"]["spec"]["containers"][0]["lifecycle"]["preStop"]["sleep"] =
        json!({});
    let problems = validator.problems(&deployment).expect("known kind");
    assert!(
        problems.iter().any(|p| p.contains("seconds")),
        "a sleep action needs its seconds: {problems:?}"
    );
    let other = json!({ "apiVersion": "v1", "kind": "ConfigMap" });
    assert!(validator.problems(&other).is_none());
}
