//! The builders and the model's derived values.

use super::*;

fn order() -> Service {
    Service::builder()
        .name("order-service")
        .image("order:1.0.0")
        .build()
}

#[test]
fn builders_apply_connectum_and_reference_defaults() {
    let service = order();
    assert_eq!(service.port, CONNECTUM_PORT);
    assert_eq!(service.scaling, Scaling::Replicas(1));
    assert_eq!(service.service_account_name(), "order-service");
    assert_eq!(
        service.probes.readiness.as_ref().map(|p| p.path.as_str()),
        Some("/readyz")
    );
    assert_eq!(
        service.probes.liveness.as_ref().map(|p| p.path.as_str()),
        Some("/healthz")
    );
    assert_eq!(
        service.probes.startup.as_ref().map(|p| p.failure_threshold),
        Some(12)
    );
    assert_eq!(service.security.run_as_user, 1000);
    assert!(
        service.interceptors.retry.is_none(),
        "Connectum 1.0: retry is opt-in"
    );
    assert_eq!(AppRetry::default().max_retries, 3);
    assert_eq!(CircuitBreaker::default().threshold, 5);
    assert_eq!(Bulkhead::default().capacity, 10);
    assert_eq!(AppTimeout::default().duration, Duration::from_secs(30));

    let mesh = Mesh::builder().namespace("connectum").build();
    assert!(mesh.sidecar_injection);
    assert_eq!(mesh.mtls, MtlsMode::Strict);
    assert_eq!(mesh.split_total, 100);
    assert_eq!(mesh.retry_budget, RetryBudget::calls(10));
    assert_eq!(mesh.trust_domain, "cluster.local");
}

#[test]
fn optional_fields_with_a_default_take_a_value_or_none_for_off() {
    let defaults = Probes::builder().build();
    assert_eq!(defaults.startup, Some(Probe::startup()));
    let custom = Probe::builder().path("/health").period_seconds(20).build();
    let probes = Probes::builder()
        .liveness(custom.clone())
        .maybe_startup(None)
        .maybe_readiness(Some(Probe::liveness()))
        .build();
    assert_eq!(probes.liveness, Some(custom));
    assert_eq!(
        probes.startup, None,
        "maybe_startup(None) turns the probe off"
    );
    assert_eq!(probes.readiness, Some(Probe::liveness()));

    let shutdown = GracefulShutdown::builder().build();
    assert_eq!(shutdown.pre_stop_sleep, Some(Duration::from_secs(5)));
    let without_sleep = GracefulShutdown::builder()
        .maybe_pre_stop_sleep(None)
        .build();
    assert_eq!(without_sleep.pre_stop_sleep, None);
    let longer = GracefulShutdown::builder()
        .pre_stop_sleep(Duration::from_secs(8))
        .build();
    assert_eq!(longer.pre_stop_sleep, Some(Duration::from_secs(8)));
}

#[test]
fn subset_handles_name_their_service_and_subset() {
    let mut service = order();
    let canary = service.add_subset(Subset::builder().name("canary").build());
    assert_eq!(canary.service(), "order-service");
    assert_eq!(canary.name(), "canary");
    assert_eq!(service.subset("canary"), Some(canary));
    assert_eq!(service.subset("stable"), None);
}

#[test]
fn the_first_subset_is_the_primary_workload() {
    let mut service = order();
    service.add_subset(Subset::builder().name("stable").build());
    service.add_subset(Subset::builder().name("canary").version_label("v2").build());
    assert_eq!(service.deployment_name(0), "order-service");
    assert_eq!(service.deployment_name(1), "order-service-canary");
    assert_eq!(service.subsets[0].version(), "stable");
    assert_eq!(service.subsets[1].version(), "v2");
}

#[test]
fn the_grace_period_defaults_to_the_last_step_plus_the_margin() {
    let mut mesh = crate::Mesh::builder()
        .namespace("shop")
        .services([order()])
        .build();
    let grace = |mesh: &crate::Mesh| {
        mesh.shutdown_timeline("order-service")
            .map(|t| t.grace_period())
    };
    // preStop 5s + Connectum's 30s (the proxy drains as long) + 5s margin.
    assert_eq!(grace(&mesh), Some(std::time::Duration::from_secs(40)));
    mesh.services[0].shutdown.termination_grace_period = Some(Duration::from_secs(60));
    assert_eq!(grace(&mesh), Some(std::time::Duration::from_secs(60)));
    mesh.services[0].shutdown = GracefulShutdown::builder()
        .timeout(Duration::from_secs(10))
        .build();
    assert_eq!(grace(&mesh), Some(std::time::Duration::from_secs(20)));
}

#[test]
fn routes_count_istio_implicit_retries() {
    let mut service = order();
    let stable = service.add_subset(Subset::builder().name("stable").build());
    let unset = Route::builder().target(&stable).build();
    assert_eq!(
        unset.effective_retry_attempts(),
        ISTIO_DEFAULT_RETRY_ATTEMPTS
    );
    assert_eq!(unset.worst_case_attempts(), 3);
    let off = Route::builder()
        .target(&stable)
        .retries(MeshRetry::disabled())
        .build();
    assert_eq!(off.worst_case_attempts(), 1);
}

#[test]
fn splits_total_their_weights() {
    let mut service = order();
    let a = service.add_subset(Subset::builder().name("a").build());
    let b = service.add_subset(Subset::builder().name("b").build());
    let split = Split::new().weight(&a, u32::MAX).weight(&b, u32::MAX);
    assert_eq!(split.total(), 2 * u64::from(u32::MAX));
    assert_eq!(split.legs[1].subset, b);
}

#[test]
fn retry_on_tokens_round_trip() {
    let all = [
        RetryOn::Unavailable,
        RetryOn::DeadlineExceeded,
        RetryOn::ResourceExhausted,
        RetryOn::Cancelled,
        RetryOn::Internal,
        RetryOn::ConnectFailure,
        RetryOn::RefusedStream,
        RetryOn::FiveXx,
        RetryOn::GatewayError,
        RetryOn::Reset,
        RetryOn::ResetBeforeRequest,
        RetryOn::Retriable4xx,
        RetryOn::Status(503),
    ];
    for token in all {
        assert_eq!(token.to_string().parse::<RetryOn>(), Ok(token));
    }
    let misspelt = "unavailble".parse::<RetryOn>().unwrap_err();
    assert!(misspelt.expected.contains(&"unavailable"), "{misspelt}");
    assert_eq!(
        "999".parse::<RetryOn>().unwrap_err().otherwise,
        Some("an HTTP status 100-599")
    );
    let retry = MeshRetry::builder()
        .attempts(1)
        .retry_on([RetryOn::Unavailable, RetryOn::DeadlineExceeded])
        .build();
    assert_eq!(
        retry.retry_on_text().as_deref(),
        Some("unavailable,deadline-exceeded")
    );
}

#[test]
fn principals_parse_and_print() {
    let gateway = ServiceAccountRef::new("connectum", "envoy-gateway");
    let principal = gateway.principal("cluster.local");
    assert_eq!(principal, "cluster.local/ns/connectum/sa/envoy-gateway");
    assert_eq!(
        ServiceAccountRef::parse_principal(&principal),
        Some(("cluster.local".to_owned(), gateway))
    );
    assert_eq!(
        ServiceAccountRef::parse_principal("cluster.local/sa/x"),
        None
    );
    assert_eq!(ServiceAccountRef::parse_principal("td/ns//sa/x"), None);
}

#[test]
fn hosts_follow_the_mesh_host_style() {
    let mut mesh = Mesh::builder().namespace("connectum").build();
    assert_eq!(mesh.host("s0001"), "s0001");
    mesh.host_style = HostStyle::Fqdn;
    assert_eq!(mesh.host("s0001"), "s0001.connectum.svc.cluster.local");
}

#[test]
fn merging_a_fragment_with_a_stand_in_caller_or_a_different_caller_is_a_conflict() {
    use crate::{ExternalCaller, ServiceAccountRef};
    let caller = |name: &str, account: &str| {
        ExternalCaller::builder()
            .name(name)
            .service_account(ServiceAccountRef::new("shop", account))
            .calls(["stock"])
            .build()
    };
    // The stock crate's fragment declares its caller `cart` as a stand-in external caller.
    let stock = Mesh::builder()
        .namespace("shop")
        .external_callers([caller("cart", "cart")])
        .services([Service::builder().name("stock").image("stock:1").build()])
        .build();
    let cart = Mesh::builder()
        .namespace("shop")
        .services([Service::builder().name("cart").image("cart:1").build()])
        .build();

    let mut shop = Mesh::builder().namespace("shop").build();
    assert!(shop.merge(stock).is_ok());
    let before = shop.clone();
    let conflict = shop.merge(cart).err().map(|d| d.codes().join(","));
    assert_eq!(conflict.as_deref(), Some("CM0106"));
    assert_eq!(shop, before, "nothing is merged on a conflict");

    let mut gateway_a = Mesh::builder()
        .namespace("shop")
        .external_callers([caller("gateway", "gateway")])
        .build();
    let gateway_b = Mesh::builder()
        .namespace("shop")
        .external_callers([caller("gateway", "edge")])
        .build();
    let same = gateway_a.clone();
    assert!(gateway_a.merge(same).is_ok(), "identical callers merge");
    let differs = gateway_a.merge(gateway_b).err().map(|d| d.to_string());
    assert!(differs.is_some_and(|text| text.contains("defined differently by both meshes")),);
}

#[test]
fn merging_fragments_keeps_identical_gateways_once_and_refuses_different_or_clashing_ones() {
    use crate::{GatewayClass, Listener, ListenerProtocol, MeshFragment, ServiceRef};
    let edge = |port: u16| {
        crate::Gateway::builder()
            .name("edge")
            .runtime(GatewayClass::envoy_gateway("edge").into())
            .listeners(vec![
                Listener::builder()
                    .name("grpc")
                    .port(port)
                    .protocol(ListenerProtocol::Http)
                    .build(),
            ])
            .build()
    };
    const CART: ServiceRef = ServiceRef::new("cart");
    let cart = MeshFragment::builder()
        .gateways([edge(9090)])
        .services([Service::builder().name(CART).image("cart:1").build()])
        .build();
    let mut shop = Mesh::builder().namespace("shop").build();
    assert!(shop.merge(cart).is_ok());
    assert!(
        shop.merge(edge(9090)).is_ok(),
        "an identical gateway merges"
    );
    assert_eq!(shop.gateways.len(), 1);

    let before = shop.clone();
    let differs = shop.merge(edge(8080)).err().map(|d| d.to_string());
    assert!(
        differs.is_some_and(|text| text.contains("CM0120") && text.contains("defined differently")),
    );
    let mut named_like_a_service = edge(9090);
    named_like_a_service.name = CART.to_string();
    let clash = shop
        .merge(named_like_a_service)
        .err()
        .map(|d| d.codes().join(","));
    assert_eq!(clash.as_deref(), Some("CM0120"));
    assert_eq!(shop, before, "nothing is merged on a conflict");
}

#[test]
fn chain_budgets_of_two_fragments_merge_once_when_equal_and_conflict_when_not() {
    use crate::{ChainBudget, MeshFragment, RetryBudget};
    let budget = |calls| ChainBudget::new(["gateway", "cart", "stock"], RetryBudget::calls(calls));
    let fragment = |calls| {
        MeshFragment::builder()
            .chain_budgets([budget(calls)])
            .build()
    };
    let mut shop = Mesh::builder().namespace("shop").build();
    shop.merge(fragment(12)).map(|_| ()).unwrap();
    shop.merge(fragment(12)).map(|_| ()).unwrap();
    assert_eq!(
        shop.chain_budgets,
        [budget(12)],
        "an identical budget is kept once"
    );

    let before = shop.clone();
    let conflict = shop.merge(fragment(20)).err().map(|d| d.to_string());
    assert!(
        conflict
            .as_deref()
            .is_some_and(|text| text.contains("CM0130")
                && text.contains("gateway → cart → stock")
                && text.contains("20 calls")),
        "{conflict:?}"
    );
    assert_eq!(shop, before, "nothing is merged on a conflict");

    let both = MeshFragment::builder()
        .chain_budgets([budget(8), budget(9)])
        .build();
    let mut fresh = Mesh::builder().namespace("shop").build();
    let within = fresh.merge(both).err().map(|d| d.codes().join(","));
    assert_eq!(
        within.as_deref(),
        Some("CM0130"),
        "two budgets in one fragment conflict too"
    );
}

#[test]
fn a_fragment_reports_what_it_can_judge_and_leaves_the_rest_to_the_composed_mesh() {
    use crate::{MeshFragment, RetryBudget, Route, Split, Subset};
    let mut cart = Service::builder()
        .name("cart")
        .image("cart:1.0.0")
        .calls(["stock"])
        .build();
    let stable = cart.add_subset(Subset::builder().name("stable").build());
    let canary = cart.add_subset(Subset::builder().name("canary").build());
    cart.add_route(
        Route::builder()
            .timeout(crate::Duration::from_secs(5))
            .target(Split::new().weight(&stable, 90).weight(&canary, 900))
            .build(),
    );
    let fragment = MeshFragment::from(cart);
    // The weights total 990: wrong under a split total of 100 (the default) or 1000, but the
    // composing crate chooses, so CM0202 waits; so does CM0103 for `stock`, defined elsewhere.
    assert!(!fragment.check().has_errors(), "{}", fragment.check());

    let mut composed = Mesh::builder()
        .namespace("shop")
        .split_total(1000)
        .retry_budget(RetryBudget::calls(10))
        .build();
    composed.merge(fragment).map(|_| ()).unwrap();
    let codes = crate::check(&composed).codes();
    assert!(
        codes.contains(&"CM0202") && codes.contains(&"CM0103"),
        "{codes:?}"
    );
}

#[test]
fn a_whole_mesh_merges_as_a_fragment_without_its_settings() {
    let other = Mesh::builder()
        .namespace("elsewhere")
        .known_namespaces(vec!["billing".to_owned()])
        .services([Service::builder().name("stock").image("stock:1").build()])
        .build();
    let mut shop = Mesh::builder().namespace("shop").build();
    shop.merge(other.clone()).map(|_| ()).unwrap();
    shop.merge(crate::MeshFragment {
        services: vec![],
        ..other.into()
    })
    .map(|_| ())
    .unwrap();
    assert_eq!(shop.namespace, "shop");
    assert_eq!(shop.known_namespaces, ["billing"], "kept once");
    assert_eq!(shop.services.len(), 1);
}

#[test]
fn callers_are_gathered_once_for_every_service_sorted_without_repeats() {
    let services = [
        ("orders", None, vec!["stock", "stock"]),
        ("cart", Some("orders"), vec!["stock"]),
        ("stock", None, vec![]),
    ]
    .map(|(name, account, calls)| {
        let mut service = Service::builder()
            .name(name)
            .image(format!("{name}:1"))
            .calls(calls)
            .build();
        service.service_account = account.map(String::from);
        service
    });
    let mesh = Mesh::builder()
        .namespace("shop")
        .external_callers(vec![
            ExternalCaller::builder()
                .name("partner")
                .service_account(ServiceAccountRef::new("partners", "api"))
                .calls(["stock"])
                .build(),
        ])
        .services(services)
        .gateways([Gateway::builder()
            .name("edge")
            .runtime(GatewayClass::envoy_gateway("edge").into())
            .service_account(ServiceAccountRef::new("shop", "envoy"))
            .routes([GatewayRoute::builder()
                .name("stock")
                .target(GatewayTarget::service("stock"))
                .build()])
            .build()])
        .build();
    let callers = mesh.callers();
    let expected = [
        ServiceAccountRef::new("partners", "api"),
        ServiceAccountRef::new("shop", "envoy"),
        ServiceAccountRef::new("shop", "orders"),
    ];
    assert_eq!(callers.of("stock"), expected);
    assert_eq!(mesh.callers_of("stock"), expected);
    assert!(callers.of("orders").is_empty());
    assert!(callers.of("no-such-service").is_empty());
}

/// The `add_*` methods stay one release as wrappers: they must fill exactly what the builder
/// setters fill, in the same order.
#[test]
#[allow(deprecated)]
fn the_deprecated_add_methods_fill_what_the_builder_setters_fill() {
    let service = |name: &str| Service::builder().name(name).image("img:1").build();
    let edge = || Gateway::builder().name("edge").build();
    let caller = || {
        ExternalCaller::builder()
            .name("partner")
            .service_account(ServiceAccountRef::new("partners", "api"))
            .calls(["cart"])
            .build()
    };
    let budget = || ChainBudget::new(["partner", "cart"], RetryBudget::calls(4));

    let mut old = Mesh::builder().namespace("shop").build();
    old.add_service(service("cart"))
        .add_service(service("stock"))
        .add_gateway(edge());
    let new = Mesh::builder()
        .namespace("shop")
        .services([service("cart"), service("stock")])
        .gateways([edge()])
        .build();
    assert_eq!(old, new);

    let mut old = MeshFragment::new();
    old.add_service(service("cart"))
        .add_gateway(edge())
        .add_external_caller(caller())
        .add_chain_budget(budget());
    let new = MeshFragment::builder()
        .services([service("cart")])
        .gateways([edge()])
        .external_callers([caller()])
        .chain_budgets([budget()])
        .build();
    assert_eq!(old, new);
    assert_ne!(new, MeshFragment::new());
}
