use connectum_mesh::{
    AppRetry, AppTls, Autoscaler, Bulkhead, CircuitBreaker, Duration, Gateway, GatewayClass,
    GatewayMatch, GatewayRoute, GatewayTarget, Interceptors, Listener, ListenerProtocol, Mesh,
    MeshMode, MeshRetry, MtlsMode, Quantity, Resources, RetryOn, Scaling, ScalingRule, Service,
    Subset,
};

/// The mesh the manifests describe, as `connectum-mesh import --builders` read it.
pub fn mesh() -> Mesh {
    let mut order_service = Service::builder()
        .name("order-service")
        .image("ghcr.io/mycompany/order-service:1.0.0")
        .app_version("1.0.0")
        .scaling(Scaling::Autoscale(
            Autoscaler::builder()
                .min_replicas(2)
                .max_replicas(10)
                .cpu_utilization(70)
                .memory_utilization(80)
                .scale_up(
                    ScalingRule::builder()
                        .stabilization_window_seconds(60)
                        .pods(2)
                        .period_seconds(60)
                        .build(),
                )
                .scale_down(
                    ScalingRule::builder()
                        .stabilization_window_seconds(300)
                        .pods(1)
                        .period_seconds(120)
                        .build(),
                )
                .build(),
        ))
        .resources(
            Resources::builder()
                .cpu_request(Quantity::millicores(100))
                .cpu_limit(Quantity::millicores(500))
                .memory_request(Quantity::mebibytes(128))
                .memory_limit(Quantity::mebibytes(512))
                .build(),
        )
        .config([
            ("GRACEFUL_SHUTDOWN_ENABLED", "true"),
            ("GRACEFUL_SHUTDOWN_TIMEOUT_MS", "30000"),
            ("HTTP_HEALTH_ENABLED", "true"),
            ("INVENTORY_SERVICE_HOST", "inventory-service.connectum.svc.cluster.local"),
            ("INVENTORY_SERVICE_PORT", "5000"),
            ("LISTEN", "0.0.0.0"),
            ("LOG_BACKEND", "otel"),
            ("LOG_FORMAT", "json"),
            ("LOG_LEVEL", "info"),
            ("NODE_ENV", "production"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel-collector.observability.svc.cluster.local:4317"),
            ("OTEL_LOGS_EXPORTER", "otlp/grpc"),
            ("OTEL_METRICS_EXPORTER", "otlp/grpc"),
            ("OTEL_SERVICE_NAME", "order-service"),
            ("OTEL_TRACES_EXPORTER", "otlp/grpc"),
            ("PORT", "5000"),
        ])
        .app_tls(AppTls::builder().dir_path("/etc/connectum/tls").build())
        .interceptors(
            Interceptors::builder()
                .circuit_breaker(CircuitBreaker::builder().threshold(3).build())
                .timeout(Duration::from_secs(10))
                .retry(AppRetry::builder().max_retries(2).build())
                .bulkhead(Bulkhead::builder().capacity(20).build())
                .build(),
        )
        .build();
    order_service.add_subset(Subset::builder().name("stable").build());
    order_service.add_subset(
        Subset::builder()
            .name("canary")
            .image("ghcr.io/mycompany/order-service:1.1.0-rc.1")
            .replicas(1)
            .app_version("1.1.0-rc.1")
            .build(),
    );

    Mesh::builder()
        .namespace("connectum")
        .part_of("connectum")
        .mode(MeshMode::None)
        .mtls(MtlsMode::Strict)
        .services([order_service])
        .gateways([
            Gateway::builder()
                .name("connectum-gateway")
                .runtime(GatewayClass::envoy_gateway("connectum-gateway").into())
                .listeners([
                    Listener::builder()
                        .name("http")
                        .port(80)
                        .protocol(ListenerProtocol::Http)
                        .build(),
                    Listener::builder()
                        .name("https")
                        .port(443)
                        .protocol(ListenerProtocol::Https)
                        .tls_credential("gateway-tls-cert")
                        .build(),
                    Listener::builder()
                        .name("grpc")
                        .port(9090)
                        .protocol(ListenerProtocol::Http)
                        .build(),
                ])
                .routes([
                    GatewayRoute::builder()
                        .name("orders")
                        .listeners(["grpc"])
                        .matches([GatewayMatch::grpc_service("mycompany.orders.v1.OrderService")])
                        .target(GatewayTarget::service("order-service"))
                        .timeout(Duration::from_secs(30))
                        .retries(
                            MeshRetry::builder()
                                .attempts(1)
                                .per_try_timeout(Duration::from_secs(10))
                                .retry_on([RetryOn::Unavailable])
                                .build(),
                        )
                        .build(),
                ])
                .build(),
        ])
        .build()
}
