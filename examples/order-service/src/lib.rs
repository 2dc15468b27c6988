//! The order-service mesh of Connectum's Istio guide, described with connectum-mesh's builders.
//!
//! [`mesh`] is what the guide meant, with the guide's edge (Envoy Gateway through the Gateway
//! API, `production-ready/envoy-gateway`); [`published_mesh`] is the same mesh with the values the
//! guide's Istio manifests actually ship (mesh retries 3 on top of the app's 2, and an
//! API-gateway principal nobody declares), which the checker refuses.

pub mod guide;

use std::collections::BTreeMap;

use connectum_mesh::{
    AllowRule, AppRetry, AppTimeout, Autoscaler, Bulkhead, CircuitBreaker, Duration, Gateway,
    GatewayClass, GatewayMatch, GatewayRoute, GatewayRuntime, GatewayTarget, GracefulShutdown,
    H2UpgradePolicy, HttpPool, Interceptors, Listener, ListenerProtocol, LoadBalancer, Mesh,
    MeshRetry, MtlsMode, Quantity, Resources, RetryOn, Scaling, ScalingRule, Service,
    ServiceAccountRef, SimpleLb, Subset,
};

/// The edge's name: the guide's Gateway `connectum-gateway` (also its GatewayClass).
pub const GATEWAY: &str = "connectum-gateway";
/// The gRPC service the edge routes to order-service.
pub const ORDER_GRPC_SERVICE: &str = "mycompany.orders.v1.OrderService";

/// The namespace every object lives in.
pub const NAMESPACE: &str = "connectum";
/// The service's name.
pub const SERVICE: &str = "order-service";

/// The mesh as the guide means it: stable and canary workloads, header routing then a 90/10
/// split, mesh retries 1 (the guide's advice when the app retries too), STRICT mTLS, and the
/// guide's Envoy Gateway edge routing the OrderService to order-service (one retry of 10s within
/// 30s: the chain connectum-gateway → order-service is (1+1)×(1+2) = 6 calls).
///
/// ```
/// let mesh = order_service::mesh();
/// assert!(connectum_mesh::check(&mesh).is_empty(), "no errors, no warnings");
/// assert_eq!(mesh.services[0].subsets.len(), 2);
/// ```
#[must_use]
pub fn mesh() -> Mesh {
    mesh_with_shutdown_timeout(SHUTDOWN_TIMEOUT)
}

/// Connectum's shutdown timeout in the guide (`createServer` default, and
/// `GRACEFUL_SHUTDOWN_TIMEOUT_MS=30000` in its ConfigMap).
pub const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(30);

/// The intended mesh with another Connectum shutdown timeout: the ConfigMap entry the app reads
/// it from, the proxy's drain and the pods' grace period all follow.
///
/// ```
/// use std::time::Duration as Elapsed;
/// use connectum_mesh::Duration;
///
/// let mesh = order_service::mesh_with_shutdown_timeout(Duration::from_secs(20));
/// let timeline = mesh.shutdown_timeline("order-service").expect("declared");
/// assert_eq!(timeline.proxy_drain(), Elapsed::from_secs(25)); // preStop 5s + 20s
/// assert_eq!(timeline.grace_period(), Elapsed::from_secs(30)); // + 5s margin
/// ```
#[must_use]
pub fn mesh_with_shutdown_timeout(timeout: Duration) -> Mesh {
    build(&Variant::Intended, timeout)
}

/// The mesh with the values the guide's manifests ship: Istio `attempts: 3` with the app's
/// `maxRetries: 2` (one failing request can become 12 calls) and the `envoy-gateway` principal
/// allowed without declaring who that is. The checker refuses it.
///
/// ```
/// let diagnostics = connectum_mesh::check(&order_service::published_mesh());
/// assert_eq!(diagnostics.codes(), ["CM0301", "CM0302", "CM0302", "CM0401"]);
/// ```
#[must_use]
pub fn published_mesh() -> Mesh {
    build(&Variant::AsPublished, SHUTDOWN_TIMEOUT)
}

/// The account the guide's AuthorizationPolicy admits for its API gateway.
fn envoy_gateway_account() -> ServiceAccountRef {
    ServiceAccountRef::new(NAMESPACE, "envoy-gateway")
}

enum Variant {
    Intended,
    AsPublished,
}

fn build(variant: &Variant, shutdown_timeout: Duration) -> Mesh {
    let gateway = envoy_gateway_account();
    let mesh_attempts = match variant {
        Variant::Intended => 1,
        Variant::AsPublished => 3,
    };

    let mut order = Service::builder()
        .name(SERVICE)
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
        .sidecar(guide::sidecar_resources())
        .shutdown(
            GracefulShutdown::builder()
                .timeout(shutdown_timeout)
                .build(),
        )
        .config(config(shutdown_timeout))
        .traffic_policy(guide::traffic_policy(
            HttpPool::builder()
                .h2_upgrade_policy(H2UpgradePolicy::Upgrade)
                .max_requests_per_connection(100)
                .build(),
            LoadBalancer::Simple(SimpleLb::RoundRobin),
        ))
        .interceptors(
            Interceptors::builder()
                .circuit_breaker(CircuitBreaker::builder().threshold(3).build())
                .timeout(
                    AppTimeout::builder()
                        .duration(Duration::from_secs(10))
                        .build(),
                )
                .retry(AppRetry::builder().max_retries(2).build())
                .bulkhead(Bulkhead::builder().capacity(20).queue_size(10).build())
                .build(),
        )
        .allow(vec![
            AllowRule::service_account(gateway.clone()),
            AllowRule::namespace(NAMESPACE),
        ])
        .build();

    let stable = order.add_subset(Subset::builder().name("stable").build());
    let canary = order.add_subset(
        Subset::builder()
            .name("canary")
            .image("ghcr.io/mycompany/order-service:1.1.0-rc.1")
            .app_version("1.1.0-rc.1")
            .replicas(1)
            .build(),
    );
    let retries = || {
        MeshRetry::builder()
            .attempts(mesh_attempts)
            .per_try_timeout(Duration::from_secs(10))
            .retry_on([RetryOn::Unavailable, RetryOn::DeadlineExceeded])
            .build()
    };
    for route in guide::canary_routes(&stable, &canary, Duration::from_secs(30), retries) {
        order.add_route(route);
    }
    Mesh::builder()
        .namespace(NAMESPACE)
        .part_of("connectum")
        .mtls(MtlsMode::Strict)
        // Namespace-wide allow-nothing: a service admits only what its own policy names.
        .deny_by_default(true)
        .telemetry(guide::telemetry())
        .services([order])
        // The published guide's variants have no edge.
        .gateways(matches!(variant, Variant::Intended).then(|| edge(gateway)))
        .build()
}

/// The Istio-flavoured edge: the same listeners and route on Istio's ingress gateway, rendered
/// as a `networking.istio.io` Gateway and a VirtualService bound to it. Istio's ingress gateway
/// is in the mesh, so order-service admits its principal
/// (`istio-system/istio-ingressgateway-service-account`) without an allow rule for it; the
/// `envoy-gateway` rule goes, as nothing runs as that account any more.
///
/// ```
/// let mesh = order_service::mesh_with_istio_ingress();
/// assert!(connectum_mesh::check(&mesh).is_empty());
/// ```
#[must_use]
pub fn mesh_with_istio_ingress() -> Mesh {
    let mut mesh = mesh();
    let edge = &mut mesh.gateways[0];
    edge.runtime = GatewayRuntime::istio_ingress();
    edge.service_account = None;
    // Istio names gRPC listeners as such (Gateway API has only HTTP and HTTPS).
    for listener in edge.listeners.iter_mut().filter(|l| l.name == "grpc") {
        listener.protocol = ListenerProtocol::Grpc;
    }
    mesh.services[0]
        .allow
        .retain(|rule| *rule != AllowRule::service_account(envoy_gateway_account()));
    mesh
}

/// The guide's Envoy Gateway edge (`production-ready/envoy-gateway/gateway.yaml` and
/// `grpc-route.yaml`): listeners http 80, https 443 (the `gateway-tls-cert` Secret) and grpc
/// 9090, and a GRPCRoute for the OrderService on the grpc listener. The guide's GRPCRoute has no
/// timeout or retries; ours has the guide's mesh advice, which Envoy Gateway carries in a
/// BackendTrafficPolicy. Its proxies are meshed as `envoy-gateway`, the principal the guide's
/// AuthorizationPolicy admits.
fn edge(account: ServiceAccountRef) -> Gateway {
    let listener = |name: &str, port: u16, protocol: ListenerProtocol| {
        Listener::builder()
            .name(name)
            .port(port)
            .protocol(protocol)
            .build()
    };
    let mut https = listener("https", 443, ListenerProtocol::Https);
    https.tls_credential = Some("gateway-tls-cert".to_owned());
    Gateway::builder()
        .name(GATEWAY)
        .runtime(GatewayClass::envoy_gateway(GATEWAY).into())
        .service_account(account)
        .listeners([
            listener("http", 80, ListenerProtocol::Http),
            https,
            listener("grpc", 9090, ListenerProtocol::Http),
        ])
        .routes([GatewayRoute::builder()
            .name("orders")
            .listeners(["grpc"])
            .matches([GatewayMatch::grpc_service(ORDER_GRPC_SERVICE)])
            .target(GatewayTarget::service(SERVICE))
            .timeout(Duration::from_secs(30))
            .retries(
                MeshRetry::builder()
                    .attempts(1)
                    .per_try_timeout(Duration::from_secs(10))
                    .retry_on([RetryOn::Unavailable])
                    .build(),
            )
            .build()])
        .build()
}

/// The environment of production-ready/k8s/configmap.yaml, with the shutdown timeout the app
/// reads (`GRACEFUL_SHUTDOWN_TIMEOUT_MS`) from the model, so the two cannot disagree (CM0530).
fn config(shutdown_timeout: Duration) -> BTreeMap<String, String> {
    let timeout_ms = shutdown_timeout.as_millis().to_string();
    [
        ("NODE_ENV", "production"),
        ("PORT", "5000"),
        ("LISTEN", "0.0.0.0"),
        ("LOG_LEVEL", "info"),
        ("LOG_FORMAT", "json"),
        ("LOG_BACKEND", "otel"),
        ("HTTP_HEALTH_ENABLED", "true"),
        ("GRACEFUL_SHUTDOWN_ENABLED", "true"),
        ("GRACEFUL_SHUTDOWN_TIMEOUT_MS", timeout_ms.as_str()),
        ("OTEL_SERVICE_NAME", SERVICE),
        ("OTEL_TRACES_EXPORTER", "otlp/grpc"),
        ("OTEL_METRICS_EXPORTER", "otlp/grpc"),
        ("OTEL_LOGS_EXPORTER", "otlp/grpc"),
        (
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "http://otel-collector.observability.svc.cluster.local:4317",
        ),
        (
            "INVENTORY_SERVICE_HOST",
            "inventory-service.connectum.svc.cluster.local",
        ),
        ("INVENTORY_SERVICE_PORT", "5000"),
    ]
    .into_iter()
    .map(|(key, value)| (key.to_owned(), value.to_owned()))
    .collect()
}
