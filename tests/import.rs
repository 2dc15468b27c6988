//! Import round trips: what the example emits, imported, renders the same documents (as data),
//! and the `mesh!{}` block the import prints compiles and renders them too.
//!
//! `printed/*.rs` are what `connectum-mesh import` prints for the example's emitted YAML (with
//! its Envoy Gateway edge, on Istio's ingress gateway, and without Istio; `*_builders.rs` with
//! `--builders`), and both printers' code for a mesh that sets everything they write
//! (`every_setting*.rs`). Regenerate them with `UPDATE_PRINTED=1 cargo test -p
//! connectum-mesh-tests --test import`, review the diff, and run the tests again: they compile
//! the files, and each must build exactly the mesh it was printed from.

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

/// `printer`'s code for `mesh` equals `printed/<file>` (regenerated with `UPDATE_PRINTED=1`),
/// and `compiled`, that file compiled, is `mesh` itself: the printer left nothing out.
fn assert_prints(mesh: &Mesh, printer: fn(&Mesh) -> String, file: &str, compiled: fn() -> Mesh) {
    let text = printer(mesh);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("printed")
        .join(file);
    if std::env::var_os("UPDATE_PRINTED").is_some() {
        // What this binary compiled is the file as it was: run the tests again to check the
        // new one.
        std::fs::write(&path, &text).expect("writes the printed mesh");
        return;
    }
    let on_disk = std::fs::read_to_string(&path).expect("reads the printed mesh");
    assert_eq!(
        text, on_disk,
        "the printer changed: regenerate with UPDATE_PRINTED=1 and review"
    );
    assert_eq!(
        compiled(),
        *mesh,
        "{file} builds the mesh it was printed from"
    );
}

/// The printed code for `original`'s import is current, builds the imported mesh, and renders
/// what `original` renders.
fn assert_printed(
    original: &Mesh,
    printer: fn(&Mesh) -> String,
    file: &str,
    compiled: fn() -> Mesh,
) {
    assert_prints(&imported(original).mesh, printer, file, compiled);
    if std::env::var_os("UPDATE_PRINTED").is_none() {
        assert_eq!(values(&compiled()), values(original));
    }
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

/// A mesh that sets everything the printers write, each away from its default: both printers
/// must reproduce it exactly.
fn every_setting() -> Mesh {
    use connectum_mesh::{
        AllowRule, AppRetry, AppTls, Autoscaler, ChainBudget, CircuitBreaker, ClientTls,
        ConnectionPool, DisruptionBudget, Duration, ExternalCaller, Gateway, GatewayClass,
        GatewayImplementation, GatewayMatch, GatewayRoute, GatewayRuntime, GatewayTarget,
        GracefulShutdown, HashKey, HeaderMatch, HostStyle, HttpPool, Interceptors, Listener,
        ListenerProtocol, LoadBalancer, MeshRetry, OutlierDetection, PodCount, PodSecurity, Probe,
        Probes, Quantity, RequestMatch, Resources, RetryBudget, RetryOn, Rollout, Route,
        RouteTarget, Scaling, Service, ServiceAccountRef, SidecarMode, Source, Split, SpreadPolicy,
        StringMatch, Subset, TcpPool, TrafficPolicy,
    };
    let mut orders = Service::builder()
        .name("orders")
        .image("orders:2.0.0")
        .app_version("2.0.0")
        .port(8080)
        .scaling(Scaling::Replicas(3))
        .resources(
            Resources::builder()
                .cpu_request(Quantity::millicores(250))
                .memory_limit(Quantity::parse("1.5Gi").expect("a quantity"))
                .build(),
        )
        .service_account("orders-sa")
        .config([("LOG_LEVEL", "debug")])
        .calls(["stock"])
        .spread_policy(SpreadPolicy::DoNotSchedule)
        .disruption_budget(DisruptionBudget::MinAvailable(PodCount::Percent(50)))
        .shutdown(
            GracefulShutdown::builder()
                .maybe_pre_stop_sleep(None)
                .timeout(Duration::from_secs(20))
                .margin(Duration::from_secs(2))
                .build(),
        )
        .probes(
            Probes::builder()
                .maybe_startup(None)
                .liveness(
                    Probe::builder()
                        .path("/healthz")
                        .period_seconds(20)
                        .failure_threshold(5)
                        .build(),
                )
                .build(),
        )
        .security(PodSecurity::builder().run_as_user(2000).build())
        .rollout(
            Rollout::builder()
                .max_surge(2)
                .revision_history_limit(3)
                .build(),
        )
        .traffic_policy(
            TrafficPolicy::builder()
                .connection_pool(
                    ConnectionPool::builder()
                        .tcp(
                            TcpPool::builder()
                                .connect_timeout(Duration::from_millis(1500))
                                .build(),
                        )
                        .http(
                            HttpPool::builder()
                                .http2_max_requests(1000)
                                .http1_max_pending_requests(50)
                                .build(),
                        )
                        .build(),
                )
                .outlier_detection(
                    OutlierDetection::builder()
                        .consecutive_gateway_errors(3)
                        .min_health_percent(30)
                        .build(),
                )
                .load_balancer(LoadBalancer::ConsistentHash(HashKey::HttpHeaderName(
                    "x-user".into(),
                )))
                .tls(ClientTls::IstioMutual)
                .build(),
        )
        .interceptors(
            Interceptors::builder()
                .circuit_breaker(CircuitBreaker::default())
                .retry(
                    AppRetry::builder()
                        .max_retries(1)
                        .initial_delay(Duration::from_millis(100))
                        .build(),
                )
                .build(),
        )
        .allow([AllowRule::builder()
            .from([
                Source::ServiceAccount(ServiceAccountRef::new("jobs", "nightly")),
                Source::Namespace("shop".into()),
            ])
            .build()])
        .build();
    let stable = orders.add_subset(Subset::builder().name("stable").build());
    let canary = orders.add_subset(
        Subset::builder()
            .name("canary")
            .image("orders:2.1.0")
            .replicas(1)
            .version_label("canary-v2")
            .app_version("2.1.0")
            .build(),
    );
    orders
        .add_route(
            Route::builder()
                .name("beta")
                .matches([
                    RequestMatch::builder()
                        .headers([
                            HeaderMatch::prefix("x-beta", "1"),
                            HeaderMatch::regex("x-user", "a.*"),
                        ])
                        .uri(StringMatch::Prefix("/shop.Orders/".into()))
                        .build(),
                    RequestMatch::header(HeaderMatch::exact("x-canary", "true")),
                ])
                .target(&canary)
                .timeout(Duration::from_secs(5))
                .retries(
                    MeshRetry::builder()
                        .attempts(1)
                        .retry_on([RetryOn::Status(503), RetryOn::Reset])
                        .build(),
                )
                .build(),
        )
        .add_route(
            Route::builder()
                .name("default")
                .target(Split::new().weight(&stable, 900).weight(&canary, 100))
                .timeout(Duration::from_secs(10))
                .retries(MeshRetry::disabled())
                .build(),
        );
    let mut stock = Service::builder()
        .name("stock")
        .image("stock:1.0.0")
        .scaling(Scaling::Autoscale(
            Autoscaler::builder()
                .min_replicas(2)
                .max_replicas(4)
                .build(),
        ))
        .sidecar(Resources::builder().cpu_limit(Quantity::cores(1)).build())
        .spread_across_nodes(false)
        .shutdown(
            GracefulShutdown::builder()
                .pre_stop_sleep(Duration::from_secs(3))
                .pre_stop_shell(true)
                .proxy_drain(Duration::from_secs(40))
                .hold_until_proxy_starts(false)
                .termination_grace_period(Duration::from_secs(60))
                .build(),
        )
        .app_tls(AppTls::builder().dir_path("/etc/tls").build())
        .build();
    stock.add_route(
        Route::builder()
            .target(RouteTarget::Service)
            .timeout(Duration::from_secs(2))
            .retries(MeshRetry::disabled())
            .build(),
    );
    Mesh::builder()
        .namespace("shop")
        .part_of("shop-app")
        .sidecars(SidecarMode::Native)
        .trust_domain("example.org")
        .app_label("app")
        .version_label("track")
        .host_style(HostStyle::Fqdn)
        .namespace_labels([("team", "payments")])
        .known_namespaces(["jobs"])
        .retry_budget(RetryBudget::calls(20))
        .deny_by_default(true)
        .split_total(1000)
        .external_callers([ExternalCaller::builder()
            .name("nightly")
            .service_account(ServiceAccountRef::new("jobs", "nightly"))
            .calls(["orders"])
            .build()])
        .chain_budgets([ChainBudget::new(
            ["public", "orders", "stock"],
            RetryBudget::calls(30),
        )])
        .services([orders, stock])
        .gateways([
            Gateway::builder()
                .name("public")
                .runtime(GatewayRuntime::IstioIngress {
                    selector: [("istio".to_owned(), "ingress-public".to_owned())].into(),
                })
                .listeners([Listener::builder()
                    .name("web")
                    .hostname("api.example.com")
                    .port(443)
                    .protocol(ListenerProtocol::Https)
                    .tls_credential("api-cert")
                    .build()])
                .routes([
                    GatewayRoute::builder()
                        .name("beta")
                        .matches([GatewayMatch::path_prefix("/v1")
                            .header(HeaderMatch::exact("x-beta", "1"))])
                        .target(&canary)
                        .timeout(Duration::from_secs(5))
                        .retries(MeshRetry::disabled())
                        .build(),
                    GatewayRoute::builder()
                        .name("orders")
                        .matches([GatewayMatch::grpc_method("shop.Orders", "Create")])
                        .target(Split::new().weight(&stable, 900).weight(&canary, 100))
                        .timeout(Duration::from_secs(10))
                        .retries(MeshRetry::disabled())
                        .build(),
                ])
                .build(),
            Gateway::builder()
                .name("partners")
                .runtime(
                    GatewayClass::builder()
                        .name("partners")
                        .implementation(GatewayImplementation::Other)
                        .declare(true)
                        .build()
                        .into(),
                )
                .service_account(ServiceAccountRef::new("shop", "partners-gw"))
                .listeners([Listener::builder()
                    .name("grpc")
                    .port(9090)
                    .protocol(ListenerProtocol::Http)
                    .build()])
                .routes([GatewayRoute::builder()
                    .name("stock")
                    .target(GatewayTarget::service("stock"))
                    .port(5000)
                    .build()])
                .build(),
            Gateway::builder()
                .name("internal")
                .runtime(GatewayClass::istio().into())
                .listeners([Listener::builder()
                    .name("http")
                    .port(80)
                    .protocol(ListenerProtocol::Http)
                    .build()])
                .build(),
        ])
        .build()
}

// The mesh warns (app TLS under Istio, a missing preStop sleep, ...): mesh! says so as
// deprecation warnings.
#[allow(deprecated)]
fn printed_every_setting() -> Mesh {
    include!("printed/every_setting.rs")
}

mod printed_every_setting_builders {
    include!("printed/every_setting_builders.rs");
}

#[test]
fn both_printers_reproduce_a_mesh_that_sets_everything_they_write() {
    let mesh = every_setting();
    let errors: Vec<String> = connectum_mesh::check(&mesh)
        .into_iter()
        .filter(|d| d.severity == connectum_mesh::Severity::Error)
        .map(|d| d.to_string())
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert_prints(
        &mesh,
        print::mesh_macro,
        "every_setting.rs",
        printed_every_setting,
    );
    assert_prints(
        &mesh,
        print::builders,
        "every_setting_builders.rs",
        printed_every_setting_builders::mesh,
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

/// An autoscaled service whose primary subset no pod carries is imported without a count for
/// that subset (the autoscaler sizes it), and the subset is reported as selecting no pods
/// (CM0828, IST0173); no CM0508 (fixed replicas beside the autoscaler) follows from the import,
/// which the manifests never said.
#[test]
fn an_autoscaled_primary_without_pods_is_not_reported_as_fixed_replicas() {
    let mesh = example_without_its_edge();
    let mut documents = values(&mesh);
    let stable = documents
        .iter_mut()
        .find(|d| d["kind"] == "Deployment" && d["metadata"]["name"] == "order-service")
        .expect("the primary Deployment");
    // Its pods no longer carry the stable subset's `version: stable`.
    stable["spec"]["template"]["metadata"]["labels"]["version"] = "blue".into();
    stable["spec"]["selector"]["matchLabels"]["version"] = "blue".into();
    let yaml: String = documents
        .into_iter()
        .map(|d| format!("---\n{}", serde_saphyr::to_string(&d).expect("YAML")))
        .collect();
    let imported = import(read_text("emitted.yaml", &yaml), &ImportOptions::default());
    let codes: Vec<&str> = imported
        .diagnostics
        .iter()
        .map(|d| d.diagnostic.code.as_str())
        .collect();
    assert!(!codes.contains(&"CM0508"), "{codes:?}");
    let order = imported.mesh.service("order-service").expect("imported");
    assert_eq!(order.subsets[0].name, "stable");
    assert_eq!(order.subsets[0].replicas, None, "the autoscaler sizes it");
    assert!(
        !connectum_mesh::check(&imported.mesh)
            .codes()
            .contains(&"CM0508"),
        "the imported mesh itself, printed and compiled, raises no CM0508"
    );
    let unselected = imported
        .diagnostics
        .iter()
        .find(|d| d.diagnostic.code.as_str() == "CM0828")
        .unwrap_or_else(|| panic!("the subset that selects no pods is reported: {codes:?}"));
    assert!(
        unselected.diagnostic.message.contains("subset `stable`")
            && unselected.diagnostic.message.contains("version: stable"),
        "{}",
        unselected.diagnostic.message
    );
}
