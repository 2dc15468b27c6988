use connectum_mesh::{
    AllowRule, AppRetry, AppTls, Autoscaler, ChainBudget, CircuitBreaker, ConnectionPool,
    DisruptionBudget, Duration, ExternalCaller, Gateway, GatewayClass, GatewayImplementation,
    GatewayMatch, GatewayRoute, GatewayTarget, GracefulShutdown, HashKey, HeaderMatch, HostStyle,
    HttpPool, Interceptors, Listener, ListenerProtocol, LoadBalancer, Mesh, MeshRetry, MtlsMode,
    OutlierDetection, PodCount, PodSecurity, Probe, Probes, Quantity, RequestMatch, Resources,
    RetryBudget, RetryOn, Rollout, Route, RouteTarget, Scaling, Service, ServiceAccountRef,
    SidecarMode, Source, SpreadPolicy, Split, StringMatch, Subset, TcpPool, TrafficPolicy,
};

/// The mesh the manifests describe, as `connectum-mesh import --builders` read it.
pub fn mesh() -> Mesh {
    let mut orders = Service::builder()
        .name("orders")
        .image("orders:2.0.0")
        .app_version("2.0.0")
        .port(8080)
        .scaling(Scaling::Replicas(3))
        .resources(
            Resources::builder()
                .cpu_request(Quantity::millicores(250))
                .memory_limit(Quantity::parse("1.5Gi").expect("a Kubernetes quantity"))
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
        .rollout(Rollout::builder().max_surge(2).revision_history_limit(3).build())
        .traffic_policy(
            TrafficPolicy::builder()
                .connection_pool(
                    ConnectionPool::builder()
                        .tcp(
                            TcpPool::builder().connect_timeout(Duration::from_millis(1500)).build(),
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
                .load_balancer(
                    LoadBalancer::ConsistentHash(HashKey::HttpHeaderName("x-user".into())),
                )
                .tls(connectum_mesh::ClientTls::IstioMutual)
                .build(),
        )
        .interceptors(
            Interceptors::builder()
                .circuit_breaker(CircuitBreaker::builder().build())
                .retry(
                    AppRetry::builder()
                        .max_retries(1)
                        .initial_delay(Duration::from_millis(100))
                        .build(),
                )
                .build(),
        )
        .allow([
            AllowRule::builder()
                .from([
                    Source::ServiceAccount(ServiceAccountRef::new("jobs", "nightly")),
                    Source::Namespace("shop".into()),
                ])
                .build(),
        ])
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
        .scaling(Scaling::Autoscale(Autoscaler::builder().min_replicas(2).max_replicas(4).build()))
        .sidecar(Resources::builder().cpu_limit(Quantity::cores(1)).build())
        .app_tls(AppTls::builder().dir_path("/etc/tls").build())
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
        .build();
    stock
        .add_route(
            Route::builder()
                .target(RouteTarget::Service)
                .timeout(Duration::from_secs(2))
                .retries(MeshRetry::disabled())
                .build(),
        );

    Mesh::builder()
        .namespace("shop")
        .part_of("shop-app")
        .mtls(MtlsMode::Strict)
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
        .external_callers([
            ExternalCaller::builder()
                .name("nightly")
                .service_account(ServiceAccountRef::new("jobs", "nightly"))
                .calls(["orders"])
                .build(),
        ])
        .chain_budgets([ChainBudget::new(["public", "orders", "stock"], RetryBudget::calls(30))])
        .services([orders, stock])
        .gateways([
            Gateway::builder()
                .name("public")
                .runtime(
                    connectum_mesh::GatewayRuntime::IstioIngress { selector: [("istio".to_owned(), "ingress-public".to_owned())].into() },
                )
                .listeners([
                    Listener::builder()
                        .name("web")
                        .hostname("api.example.com")
                        .port(443)
                        .protocol(ListenerProtocol::Https)
                        .tls_credential("api-cert")
                        .build(),
                ])
                .routes([
                    GatewayRoute::builder()
                        .name("beta")
                        .matches([
                            GatewayMatch::path_prefix("/v1")
                                .header(HeaderMatch::exact("x-beta", "1")),
                        ])
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
                .runtime(GatewayClass::builder()
                    .name("partners")
                    .implementation(GatewayImplementation::Other)
                    .declare(true)
                    .build().into())
                .service_account(ServiceAccountRef::new("shop", "partners-gw"))
                .listeners([
                    Listener::builder()
                        .name("grpc")
                        .port(9090)
                        .protocol(ListenerProtocol::Http)
                        .build(),
                ])
                .routes([
                    GatewayRoute::builder()
                        .name("stock")
                        .target(GatewayTarget::service("stock"))
                        .port(5000)
                        .build(),
                ])
                .build(),
            Gateway::builder()
                .name("internal")
                .runtime(GatewayClass::istio().into())
                .listeners([
                    Listener::builder()
                        .name("http")
                        .port(80)
                        .protocol(ListenerProtocol::Http)
                        .build(),
                ])
                .build(),
        ])
        .build()
}
