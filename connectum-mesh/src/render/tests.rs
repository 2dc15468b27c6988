//! The renderer's derivations, checked on small meshes.

use std::collections::BTreeMap;

use connectum_mesh_core::{
    Autoscaler, Duration, GracefulShutdown, Mesh, MeshRetry, Route, RouteTarget, Scaling, Service,
    Split, Subset,
};

use super::*;

fn canary_mesh(scaling: Scaling) -> Mesh {
    let mut mesh = Mesh::builder().namespace("shop").build();
    let mut cart = Service::builder()
        .name("cart")
        .image("cart:1.0.0")
        .scaling(scaling)
        .config(BTreeMap::from([(
            "LOG_LEVEL".to_owned(),
            "info".to_owned(),
        )]))
        .build();
    let stable = cart.add_subset(Subset::builder().name("stable").build());
    let canary = cart.add_subset(
        Subset::builder()
            .name("canary")
            .image("cart:1.1.0")
            .replicas(1)
            .build(),
    );
    cart.add_route(
        Route::builder()
            .target(Split::new().weight(&stable, 100).weight(&canary, 0))
            .retries(MeshRetry::disabled())
            .build(),
    );
    mesh.add_service(cart);
    mesh
}

fn rendered(mesh: &Mesh) -> Vec<Object> {
    match render(mesh) {
        Ok(manifests) => manifests.objects().to_vec(),
        Err(error) => panic!("the mesh should render:\n{error}"),
    }
}

fn deployments(objects: &[Object]) -> Vec<&Deployment> {
    objects
        .iter()
        .filter_map(|o| match o {
            Object::Deployment(d) => Some(d),
            _ => None,
        })
        .collect()
}

fn deployment_spec(deployment: &Deployment) -> &k8s_openapi::api::apps::v1::DeploymentSpec {
    // `spec` is `DeploymentSpec` in v1_37 and `Option<DeploymentSpec>` before; tests build with
    // the newest version.
    &deployment.spec
}

#[test]
fn objects_come_in_apply_order() {
    let kinds: Vec<&str> = rendered(&canary_mesh(Scaling::Replicas(3)))
        .iter()
        .map(Object::kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "Namespace",
            "ServiceAccount",
            "ConfigMap",
            "PeerAuthentication",
            "Service",
            "Deployment",
            "Deployment",
            "DestinationRule",
            "VirtualService"
        ]
    );
}

#[test]
fn subset_labels_are_exactly_the_pod_labels_and_selectors_do_not_overlap() {
    let objects = rendered(&canary_mesh(Scaling::Replicas(3)));
    let Some(Object::DestinationRule(rule)) =
        objects.iter().find(|o| o.kind() == "DestinationRule")
    else {
        panic!("a DestinationRule is rendered");
    };
    let deployments = deployments(&objects);
    for (subset, deployment) in rule.spec.subsets.iter().zip(&deployments) {
        let spec = deployment_spec(deployment);
        let pod_labels = spec
            .template
            .metadata
            .as_ref()
            .and_then(|m| m.labels.clone())
            .unwrap();
        for (key, value) in &subset.labels {
            assert_eq!(pod_labels.get(key), Some(value), "subset {}", subset.name);
        }
        let selector = spec.selector.match_labels.clone().unwrap();
        for (key, value) in &selector {
            assert_eq!(
                pod_labels.get(key),
                Some(value),
                "selector must match its pods"
            );
        }
    }
    let selectors: Vec<_> = deployments
        .iter()
        .map(|d| deployment_spec(d).selector.match_labels.clone())
        .collect();
    assert_ne!(selectors[0], selectors[1]);
    assert_eq!(
        selectors[0]
            .as_ref()
            .and_then(|s| s.get("version"))
            .map(String::as_str),
        Some("stable")
    );
}

#[test]
fn the_canary_is_a_full_workload_that_inherits_from_the_service() {
    let objects = rendered(&canary_mesh(Scaling::Replicas(3)));
    let deployments = deployments(&objects);
    let [stable, canary] = deployments[..] else {
        panic!("two deployments");
    };
    assert_eq!(canary.metadata.name.as_deref(), Some("cart-canary"));
    assert_eq!(deployment_spec(stable).replicas, Some(3));
    assert_eq!(deployment_spec(canary).replicas, Some(1));
    let pod = |d: &Deployment| deployment_spec(d).template.spec.clone().unwrap();
    let (stable_pod, canary_pod) = (pod(stable), pod(canary));
    assert_eq!(
        canary_pod.containers[0].image.as_deref(),
        Some("cart:1.1.0")
    );
    let mut canary_like_stable = canary_pod.clone();
    canary_like_stable.containers[0].image = stable_pod.containers[0].image.clone();
    assert_eq!(canary_like_stable, stable_pod, "only the image differs");
    assert!(canary_pod.containers[0].readiness_probe.is_some());
    assert_eq!(canary_pod.service_account_name.as_deref(), Some("cart"));
}

#[test]
fn an_autoscaled_workload_has_no_replicas_and_an_hpa() {
    let autoscale = Scaling::Autoscale(
        Autoscaler::builder()
            .min_replicas(2)
            .max_replicas(5)
            .build(),
    );
    let objects = rendered(&canary_mesh(autoscale));
    let deployments = deployments(&objects);
    assert_eq!(deployment_spec(deployments[0]).replicas, None);
    assert_eq!(deployment_spec(deployments[1]).replicas, Some(1));
    let Some(Object::HorizontalPodAutoscaler(hpa)) = objects
        .iter()
        .find(|o| o.kind() == "HorizontalPodAutoscaler")
    else {
        panic!("an HPA is rendered");
    };
    assert_eq!(hpa.spec.scale_target_ref.name, "cart");
    assert_eq!(hpa.spec.min_replicas, Some(2));
    assert_eq!(hpa.spec.max_replicas, 5);
}

#[test]
fn the_config_checksum_changes_with_the_config() {
    let checksum = |mesh: &Mesh| {
        let objects = rendered(mesh);
        deployment_spec(deployments(&objects)[0])
            .template
            .metadata
            .as_ref()
            .and_then(|m| m.annotations.as_ref())
            .and_then(|a| a.get(workloads::CONFIG_CHECKSUM_ANNOTATION).cloned())
    };
    let before = checksum(&canary_mesh(Scaling::Replicas(1)));
    let mut changed = canary_mesh(Scaling::Replicas(1));
    changed.services[0]
        .config
        .insert("LOG_LEVEL".to_owned(), "debug".to_owned());
    let after = checksum(&changed);
    assert!(before.as_deref().is_some_and(|c| c.len() == 64));
    assert_ne!(before, after);
}

#[test]
fn the_grace_period_covers_pre_stop_and_shutdown() {
    let mut mesh = canary_mesh(Scaling::Replicas(1));
    mesh.services[0].shutdown = GracefulShutdown::builder()
        .pre_stop_sleep(Duration::from_millis(2500))
        .timeout(Duration::from_secs(20))
        .build();
    let objects = rendered(&mesh);
    let pod = deployment_spec(deployments(&objects)[0])
        .template
        .spec
        .clone()
        .unwrap();
    assert_eq!(pod.termination_grace_period_seconds, Some(23));
    let pre_stop = pod.containers[0]
        .lifecycle
        .as_ref()
        .and_then(|l| l.pre_stop.as_ref())
        .and_then(|p| p.exec.as_ref())
        .and_then(|e| e.command.clone());
    assert_eq!(
        pre_stop,
        Some(vec![
            "sh".to_owned(),
            "-c".to_owned(),
            "sleep 2.5".to_owned()
        ])
    );
}

#[test]
fn zero_weights_and_zero_attempts_are_emitted() {
    let values = render(&canary_mesh(Scaling::Replicas(1)))
        .unwrap()
        .to_values()
        .unwrap();
    let vs = values
        .iter()
        .find(|v| v["kind"] == "VirtualService")
        .unwrap();
    assert_eq!(vs["spec"]["http"][0]["route"][1]["weight"], 0);
    assert_eq!(vs["spec"]["http"][0]["retries"]["attempts"], 0);
}

#[test]
fn v1beta1_changes_only_the_istio_api_versions() {
    let mesh = canary_mesh(Scaling::Replicas(1));
    let versions = |api| {
        render_with(&mesh, &RenderOptions { istio_api: api })
            .unwrap()
            .to_values()
            .unwrap()
    };
    let (v1, old) = (versions(IstioApi::V1), versions(IstioApi::V1beta1));
    assert_eq!(v1.len(), old.len());
    for (a, b) in v1.iter().zip(&old) {
        let expected = match a["apiVersion"].as_str() {
            Some("networking.istio.io/v1") => "networking.istio.io/v1beta1",
            Some("security.istio.io/v1") => "security.istio.io/v1beta1",
            Some("telemetry.istio.io/v1") => "telemetry.istio.io/v1alpha1",
            Some(other) => other,
            None => panic!("every document has an apiVersion"),
        };
        assert_eq!(b["apiVersion"], expected);
        let (mut a, mut b) = (a.clone(), b.clone());
        a["apiVersion"] = serde_json::Value::Null;
        b["apiVersion"] = serde_json::Value::Null;
        assert_eq!(a, b);
    }
}

#[test]
fn a_mesh_with_errors_is_not_rendered() {
    let mut mesh = canary_mesh(Scaling::Replicas(1));
    mesh.services[0].routes[0].target =
        RouteTarget::Subset(connectum_mesh_core::SubsetRef::unchecked("cart", "canry"));
    let error = render(&mesh).unwrap_err();
    assert!(error.diagnostics.has_errors());
    let text = error.to_string();
    assert!(text.contains("error[CM0201]"), "{text}");
    assert!(
        text.ends_with("error: could not render the mesh due to 1 error; nothing was emitted"),
        "{text}"
    );
}

#[test]
fn another_port_reaches_the_app_through_the_port_variable() {
    let container_env = |mesh: &Mesh| {
        let objects = rendered(mesh);
        deployment_spec(deployments(&objects)[0])
            .template
            .spec
            .clone()
            .unwrap()
            .containers[0]
            .env
            .clone()
    };
    let mut mesh = canary_mesh(Scaling::Replicas(1));
    assert_eq!(container_env(&mesh), None, "5000 is Connectum's default");
    mesh.services[0].port = 6000;
    let env = container_env(&mesh).unwrap();
    assert_eq!(env.len(), 1);
    assert_eq!(
        (env[0].name.as_str(), env[0].value.as_deref()),
        ("PORT", Some("6000"))
    );
    mesh.services[0]
        .config
        .insert("PORT".to_owned(), "6000".to_owned());
    assert_eq!(container_env(&mesh), None, "the ConfigMap already says so");
}

#[test]
fn part_of_labels_every_object() {
    let mut mesh = canary_mesh(Scaling::Replicas(1));
    mesh.part_of = Some("shop".to_owned());
    let values = render(&mesh).unwrap().to_values().unwrap();
    assert!(!values.is_empty());
    for value in &values {
        assert_eq!(
            value["metadata"]["labels"]["app.kubernetes.io/part-of"], "shop",
            "{}",
            value["kind"]
        );
    }
}
