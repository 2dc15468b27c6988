// The guide's order-service mesh, every node of the DSL in use.
use connectum_mesh::mesh;

fn main() {
    let mesh = mesh! {
        namespace: connectum,
        part_of: connectum,
        mtls: STRICT,
        sidecar_injection: enabled,
        telemetry connectum-telemetry {
            tracing: { providers: [otel-tracing], sampling_percent: 100 },
            metrics_providers: [prometheus],
            access_log_providers: [otel-access-logging],
        }
        external envoy-gateway {
            service_account: connectum/envoy-gateway,
            calls: [order-service],
        }
        retry_budget: 10,
        split_total: 100,
        service order-service {
            image: "ghcr.io/mycompany/order-service:1.0.0",
            app_version: "1.0.0",
            port: 5000,
            autoscale: {
                min_replicas: 2,
                max_replicas: 10,
                cpu_utilization: 70,
                scale_up: { stabilization_window_seconds: 60, pods: 2, period_seconds: 60 },
            },
            resources: { requests: { cpu: 100m, memory: 128Mi }, limits: { cpu: 500m, memory: 512Mi } },
            sidecar: { requests: { cpu: 100m, memory: 128Mi }, limits: { cpu: 500m, memory: 256Mi } },
            config: { LOG_LEVEL: "info", "otel.endpoint": "http://collector:4317" },
            mtls_override: PERMISSIVE,
            shutdown: { pre_stop_sleep: 5s, timeout: 30s },
            traffic_policy: {
                connection_pool: {
                    tcp: { max_connections: 100, connect_timeout: 1500ms },
                    http: { h2_upgrade_policy: UPGRADE, max_requests_per_connection: 100 },
                },
                outlier_detection: {
                    consecutive_5xx_errors: 5,
                    interval: 30s,
                    base_ejection_time: "1m30s",
                    max_ejection_percent: 50,
                },
                load_balancer: ROUND_ROBIN,
            },
            interceptors: {
                circuit_breaker: { threshold: 3 },
                timeout: 10s,
                retry: { max_retries: 2 },
                bulkhead: { capacity: 20, queue_size: 10 },
            },
            allow { from: [service_account connectum/envoy-gateway] }
            allow { from: [namespace connectum] }
            subset stable {}
            subset canary {
                image: "ghcr.io/mycompany/order-service:1.1.0-rc.1",
                app_version: "1.1.0-rc.1",
                replicas: 1,
            }
            route canary-header {
                match: { headers: { x-canary: "true", x-user: prefix "beta-" } },
                to: canary,
                timeout: 30s,
                retries: { attempts: 1, per_try_timeout: 10s, retry_on: [unavailable, deadline-exceeded] },
            }
            route default {
                split: { stable: 90, canary: 10 },
                timeout: 30s,
                retries: { attempts: 1, per_try_timeout: 10s, retry_on: [unavailable, deadline-exceeded] },
            }
        }
    };
    assert!(!connectum_mesh::check(&mesh).has_errors(), "{}", connectum_mesh::check(&mesh));
    assert_eq!(mesh.services[0].routes.len(), 2);
}
