connectum_mesh::mesh! {
    namespace: connectum,
    part_of: "connectum",
    mtls: STRICT,
    deny_by_default: true,
    telemetry connectum-telemetry {
        tracing: { providers: [otel-tracing], sampling_percent: 100 },
        metrics_providers: [prometheus],
        access_log_providers: [otel-access-logging],
    }
    gateway connectum-gateway {
        runtime: envoy_gateway connectum-gateway,
        service_account: connectum/envoy-gateway,
        listener http { port: 80, protocol: HTTP }
        listener https { port: 443, protocol: HTTPS, tls_credential: gateway-tls-cert }
        listener grpc { port: 9090, protocol: HTTP }
        route orders {
            listeners: [grpc],
            match: { grpc_service: "mycompany.orders.v1.OrderService" },
            target: order-service,
            timeout: 30s,
            retries: { attempts: 1, per_try_timeout: 10s, retry_on: [unavailable] },
        }
    }
    service order-service {
        image: "ghcr.io/mycompany/order-service:1.0.0",
        app_version: "1.0.0",
        autoscale: {
            min_replicas: 2,
            max_replicas: 10,
            cpu_utilization: 70,
            memory_utilization: 80,
            scale_up: { stabilization_window_seconds: 60, pods: 2, period_seconds: 60 },
            scale_down: { stabilization_window_seconds: 300, pods: 1, period_seconds: 120 },
        },
        resources: { requests: { cpu: 100m, memory: 128Mi }, limits: { cpu: 500m, memory: 512Mi } },
        sidecar: { requests: { cpu: 100m, memory: 128Mi }, limits: { cpu: 500m, memory: 256Mi } },
        config: {
            "GRACEFUL_SHUTDOWN_ENABLED": "true",
            "GRACEFUL_SHUTDOWN_TIMEOUT_MS": "30000",
            "HTTP_HEALTH_ENABLED": "true",
            "INVENTORY_SERVICE_HOST": "inventory-service.connectum.svc.cluster.local",
            "INVENTORY_SERVICE_PORT": "5000",
            "LISTEN": "0.0.0.0",
            "LOG_BACKEND": "otel",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "info",
            "NODE_ENV": "production",
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel-collector.observability.svc.cluster.local:4317",
            "OTEL_LOGS_EXPORTER": "otlp/grpc",
            "OTEL_METRICS_EXPORTER": "otlp/grpc",
            "OTEL_SERVICE_NAME": "order-service",
            "OTEL_TRACES_EXPORTER": "otlp/grpc",
            "PORT": "5000",
        },
        traffic_policy: {
            connection_pool: {
                tcp: { max_connections: 100 },
                http: { h2_upgrade_policy: UPGRADE, max_requests_per_connection: 100 },
            },
            outlier_detection: {
                consecutive_5xx_errors: 5,
                interval: 30s,
                base_ejection_time: 30s,
                max_ejection_percent: 50,
            },
            load_balancer: ROUND_ROBIN,
        },
        interceptors: {
            circuit_breaker: { threshold: 3 },
            timeout: 10s,
            retry: { max_retries: 2 },
            bulkhead: { capacity: 20 },
        },
        allow { from: [service_account connectum/envoy-gateway] }
        allow { from: [namespace connectum] }
        subset stable {}
        subset canary {
            image: "ghcr.io/mycompany/order-service:1.1.0-rc.1",
            replicas: 1,
            app_version: "1.1.0-rc.1",
        }
        route canary-header {
            match: { headers: { x-canary: "true" } },
            to: canary,
            timeout: 30s,
            retries: {
                attempts: 1,
                per_try_timeout: 10s,
                retry_on: [unavailable, deadline-exceeded],
            },
        }
        route default {
            split: { stable: 90, canary: 10 },
            timeout: 30s,
            retries: {
                attempts: 1,
                per_try_timeout: 10s,
                retry_on: [unavailable, deadline-exceeded],
            },
        }
    }
}
