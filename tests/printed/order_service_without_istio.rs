{
let mut mesh = connectum_mesh::mesh! {
    namespace: connectum,
    part_of: "connectum",
    mode: none,
    mtls: STRICT,
    sidecar_injection: enabled,
    service order-service {
        image: "ghcr.io/mycompany/order-service:1.0.0",
        app_version: "1.0.0",
        port: 5000,
        app_tls: "/etc/connectum/tls",
        autoscale: { min_replicas: 2, max_replicas: 10, cpu_utilization: 70, memory_utilization: 80, scale_up: { stabilization_window_seconds: 60, pods: 2, period_seconds: 60 }, scale_down: { stabilization_window_seconds: 300, pods: 1, period_seconds: 120 } },
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
        config: { "GRACEFUL_SHUTDOWN_ENABLED": "true", "GRACEFUL_SHUTDOWN_TIMEOUT_MS": "30000", "HTTP_HEALTH_ENABLED": "true", "INVENTORY_SERVICE_HOST": "inventory-service.connectum.svc.cluster.local", "INVENTORY_SERVICE_PORT": "5000", "LISTEN": "0.0.0.0", "LOG_BACKEND": "otel", "LOG_FORMAT": "json", "LOG_LEVEL": "info", "NODE_ENV": "production", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel-collector.observability.svc.cluster.local:4317", "OTEL_LOGS_EXPORTER": "otlp/grpc", "OTEL_METRICS_EXPORTER": "otlp/grpc", "OTEL_SERVICE_NAME": "order-service", "OTEL_TRACES_EXPORTER": "otlp/grpc", "PORT": "5000" },
        shutdown: { pre_stop_sleep: "5s", timeout: "30s" },
        interceptors: { circuit_breaker: { threshold: 3, half_open_after: "30s" }, timeout: "10s", retry: { max_retries: 2, initial_delay: "200ms", max_delay: "5s" }, bulkhead: { capacity: 20, queue_size: 10 } },
        subset stable {}
        subset canary { image: "ghcr.io/mycompany/order-service:1.1.0-rc.1", replicas: 1, app_version: "1.1.0-rc.1" }
    }
};
// What mesh! has no words for yet, as builder calls.
mesh.add_gateway(connectum_mesh::Gateway::builder().name("connectum-gateway").runtime(connectum_mesh::GatewayRuntime::GatewayApi(connectum_mesh::GatewayClass::builder().name("connectum-gateway").implementation(connectum_mesh::GatewayImplementation::EnvoyGateway).declare(true).build())).listeners([connectum_mesh::Listener::builder().name("http").port(80).protocol(connectum_mesh::ListenerProtocol::Http).build(), connectum_mesh::Listener::builder().name("https").port(443).protocol(connectum_mesh::ListenerProtocol::Https).tls_credential("gateway-tls-cert").build(), connectum_mesh::Listener::builder().name("grpc").port(9090).protocol(connectum_mesh::ListenerProtocol::Http).build()]).routes([connectum_mesh::GatewayRoute::builder().name("orders").target(connectum_mesh::GatewayTarget::service("order-service")).listeners(["grpc"]).matches([connectum_mesh::GatewayMatch::grpc_service("mycompany.orders.v1.OrderService")]).timeout(connectum_mesh::Duration::from_secs(30)).retries(connectum_mesh::MeshRetry::builder().attempts(1).per_try_timeout(connectum_mesh::Duration::from_secs(10)).retry_on([connectum_mesh::RetryOn::Unavailable]).build()).build()]).build());
mesh
}
