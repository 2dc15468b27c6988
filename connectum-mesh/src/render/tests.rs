//! The renderer's derivations, checked on small meshes.

use std::collections::BTreeMap;

use connectum_mesh_core::{
    Autoscaler, DisruptionBudget, Duration, GracefulShutdown, Mesh, MeshRetry, Route, RouteTarget,
    Scaling, Service, SidecarMode, Split, SpreadPolicy, Subset,
};
use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::*;

fn canary_mesh(scaling: Scaling) -> Mesh {
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
    Mesh::builder().namespace("shop").services([cart]).build()
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
    let objects = rendered(&canary_mesh(Scaling::Replicas(3)));
    let kinds: Vec<&str> = objects.iter().map(Object::kind).collect();
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
            "PodDisruptionBudget",
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

fn pod_of(mesh: &connectum_mesh_core::Mesh, index: usize) -> (ObjectMeta, PodSpec) {
    let objects = rendered(mesh);
    let template = deployment_spec(deployments(&objects)[index])
        .template
        .clone();
    (
        template.metadata.unwrap_or_default(),
        template.spec.unwrap_or_default(),
    )
}

#[test]
fn the_timeline_is_what_the_pod_gets() {
    let mut mesh = canary_mesh(Scaling::Replicas(1));
    mesh.services[0].shutdown = GracefulShutdown::builder()
        .pre_stop_sleep(Duration::from_millis(2500))
        .timeout(Duration::from_secs(20))
        .build();
    let (meta, pod) = pod_of(&mesh, 0);
    // The sleep action counts whole seconds: 2.5s sleeps 3s; the app is done at 23s, the proxy
    // drains as long, the kill comes 5s later.
    let pre_stop = pod.containers[0]
        .lifecycle
        .as_ref()
        .and_then(|l| l.pre_stop.clone())
        .unwrap_or_default();
    assert_eq!(pre_stop.sleep.map(|s| s.seconds), Some(3));
    assert_eq!(pre_stop.exec, None, "no shell needed");
    assert_eq!(pod.termination_grace_period_seconds, Some(28));
    let annotations = meta.annotations.unwrap_or_default();
    assert_eq!(
        annotations.get("proxy.istio.io/config").map(String::as_str),
        Some("holdApplicationUntilProxyStarts: true\nterminationDrainDuration: 23s\n")
    );
    assert!(!annotations.contains_key("sidecar.istio.io/nativeSidecar"));
}

#[test]
fn a_shell_pre_stop_only_when_asked_for() {
    let mut mesh = canary_mesh(Scaling::Replicas(1));
    mesh.services[0].shutdown = GracefulShutdown::builder()
        .pre_stop_sleep(Duration::from_millis(2500))
        .pre_stop_shell(true)
        .timeout(Duration::from_secs(20))
        .build();
    let (_, pod) = pod_of(&mesh, 0);
    let pre_stop = pod.containers[0]
        .lifecycle
        .as_ref()
        .and_then(|l| l.pre_stop.clone())
        .unwrap_or_default();
    assert_eq!(
        pre_stop.exec.and_then(|e| e.command),
        Some(vec![
            "sh".to_owned(),
            "-c".to_owned(),
            "sleep 2.5".to_owned()
        ])
    );
    // 2.5s + 20s, rounded up; + 5s margin.
    assert_eq!(pod.termination_grace_period_seconds, Some(28));
}

#[test]
fn native_sidecars_are_asked_for_and_drain_after_the_app() {
    let mut mesh = canary_mesh(Scaling::Replicas(1));
    mesh.sidecars = SidecarMode::Native;
    let (meta, pod) = pod_of(&mesh, 0);
    let annotations = meta.annotations.unwrap_or_default();
    assert_eq!(
        annotations
            .get("sidecar.istio.io/nativeSidecar")
            .map(String::as_str),
        Some("true")
    );
    // Kubernetes orders start and stop: no hold, Istio's own 5s drain after the app's 35s.
    assert!(!annotations.contains_key("proxy.istio.io/config"));
    assert_eq!(pod.termination_grace_period_seconds, Some(45));
}

#[test]
fn one_pod_workloads_roll_by_surging() {
    let mesh = canary_mesh(Scaling::Replicas(3));
    let objects = rendered(&mesh);
    let strategy = |index: usize| {
        let rolling = deployment_spec(deployments(&objects)[index])
            .strategy
            .clone()
            .and_then(|s| s.rolling_update)
            .unwrap_or_default();
        (rolling.max_unavailable, rolling.max_surge)
    };
    // stable runs 3: one may go; the one-replica canary never goes to zero.
    assert_eq!(
        strategy(0),
        (Some(IntOrString::Int(1)), Some(IntOrString::Int(1)))
    );
    assert_eq!(
        strategy(1),
        (Some(IntOrString::Int(0)), Some(IntOrString::Int(1)))
    );
}

#[test]
fn every_service_gets_a_disruption_budget_and_spreads_softly() {
    let mut mesh = canary_mesh(Scaling::Replicas(3));
    let budget = |mesh: &connectum_mesh_core::Mesh| {
        rendered(mesh).into_iter().find_map(|o| match o {
            Object::PodDisruptionBudget(pdb) => pdb.spec,
            _ => None,
        })
    };
    let Some(spec) = budget(&mesh) else {
        panic!("no budget for 4 pods");
    };
    assert_eq!(spec.max_unavailable, Some(IntOrString::Int(1)));
    assert_eq!(spec.min_available, None);
    assert_eq!(
        spec.unhealthy_pod_eviction_policy.as_deref(),
        Some("AlwaysAllow")
    );
    let selector = spec
        .selector
        .and_then(|s| s.match_labels)
        .unwrap_or_default();
    assert_eq!(
        selector.get("app.kubernetes.io/name").map(String::as_str),
        Some("cart")
    );
    assert!(!selector.contains_key("version"), "every subset's pods");

    mesh.services[0].scaling = Scaling::Replicas(12);
    let large = budget(&mesh).unwrap_or_default();
    assert_eq!(
        large.max_unavailable,
        Some(IntOrString::String("10%".to_owned()))
    );
    mesh.services[0].disruption_budget = DisruptionBudget::Disabled;
    assert_eq!(budget(&mesh), None);

    let (_, pod) = pod_of(&mesh, 0);
    let spread = pod.topology_spread_constraints.unwrap_or_default();
    assert_eq!(spread[0].when_unsatisfiable, "ScheduleAnyway");
    assert_eq!(
        spread[0].match_label_keys,
        Some(vec!["pod-template-hash".to_owned()])
    );
    mesh.services[0].spread_policy = SpreadPolicy::DoNotSchedule;
    let (_, strict) = pod_of(&mesh, 0);
    let strict = strict.topology_spread_constraints.unwrap_or_default();
    assert_eq!(strict[0].when_unsatisfiable, "DoNotSchedule");
    assert_eq!(strict[0].node_taints_policy.as_deref(), Some("Honor"));
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

fn authorization_policies(objects: &[Object]) -> Vec<&crate::api::security::AuthorizationPolicy> {
    objects
        .iter()
        .filter_map(|o| match o {
            Object::AuthorizationPolicy(policy) => Some(policy),
            _ => None,
        })
        .collect()
}

/// `order` calls `inventory`, and neither writes allow rules.
fn calling_mesh() -> Mesh {
    let timeout = |service: &mut Service| {
        service.add_route(
            Route::builder()
                .target(RouteTarget::Service)
                .timeout(Duration::from_secs(5))
                .build(),
        );
    };
    let mut order = Service::builder()
        .name("order")
        .image("order:1.0.0")
        .calls(["inventory"])
        .build();
    timeout(&mut order);
    let mut inventory = Service::builder()
        .name("inventory")
        .image("inventory:1.0.0")
        .build();
    timeout(&mut inventory);
    Mesh::builder()
        .namespace("shop")
        .services([order, inventory])
        .build()
}

#[test]
fn a_service_without_allow_rules_admits_its_declared_callers() {
    let mesh = calling_mesh();
    let objects = rendered(&mesh);
    let policies = authorization_policies(&objects);
    // order has no declared caller: no policy (and CM0460 warns); inventory admits order only.
    assert_eq!(policies.len(), 1, "{policies:?}");
    let policy = policies[0];
    assert_eq!(policy.metadata.name.as_deref(), Some("inventory-policy"));
    let principals: Vec<&str> = policy.spec.rules[0].from[0]
        .source
        .principals
        .iter()
        .map(String::as_str)
        .collect();
    assert_eq!(principals, ["cluster.local/ns/shop/sa/order"]);
    assert!(
        connectum_mesh_core::check(&mesh)
            .codes()
            .contains(&"CM0460")
    );
}

#[test]
fn deny_by_default_adds_a_namespace_wide_allow_nothing_policy() {
    let mut mesh = calling_mesh();
    mesh.deny_by_default = true;
    let objects = rendered(&mesh);
    let policies = authorization_policies(&objects);
    assert_eq!(policies[0].metadata.name.as_deref(), Some("allow-nothing"));
    assert_eq!(policies[0].spec, Default::default());
    let yaml = match render(&mesh).map(|m| crate::emit::to_yaml(&m)) {
        Ok(Ok(yaml)) => yaml,
        other => panic!("{other:?}"),
    };
    assert!(yaml.contains("name: allow-nothing\n"), "{yaml}");
    assert!(yaml.contains("spec: {}"), "{yaml}");
    assert!(
        !connectum_mesh_core::check(&mesh)
            .codes()
            .contains(&"CM0460")
    );
}

#[test]
fn render_honours_the_meshs_lint_levels() {
    let mut mesh = calling_mesh();
    assert!(render(&mesh).is_ok());
    mesh.lint(
        connectum_mesh_core::diag::registry::OPEN_TO_MESH,
        connectum_mesh_core::Level::Deny,
    );
    assert!(render(&mesh).is_err());
    mesh.lint(
        connectum_mesh_core::diag::registry::OPEN_TO_MESH,
        connectum_mesh_core::Level::Allow,
    );
    assert!(render(&mesh).is_ok());
}
