{
let mut mesh = connectum_mesh::mesh! {
    namespace: shop,
    part_of: "shop-app",
    mtls: STRICT,
    sidecars: native,
    trust_domain: "example.org",
    app_label: "app",
    version_label: "track",
    host_style: fqdn,
    namespace_labels: { "team": "payments" },
    known_namespaces: [jobs],
    retry_budget: 20,
    deny_by_default: true,
    split_total: 1000,
    external nightly { service_account: jobs/nightly, calls: [orders] }
    chain_budget { chain: [public, orders, stock], calls: 30 }
    gateway public {
        listener web {
            hostname: "api.example.com",
            port: 443,
            protocol: HTTPS,
            tls_credential: api-cert,
        }
        route beta {
            match: { path_prefix: "/v1", headers: { x-beta: "1" } },
            target: orders/canary,
            timeout: 5s,
            retries: off,
        }
        route orders {
            match: { grpc_service: "shop.Orders", grpc_method: "Create" },
            split: { orders/stable: 900, orders/canary: 100 },
            timeout: 10s,
            retries: off,
        }
    }
    gateway partners {
        runtime: { name: partners, implementation: other, declare: true },
        service_account: shop/partners-gw,
        listener grpc { port: 9090, protocol: HTTP }
        route stock { target: stock, port: 5000 }
    }
    gateway internal { runtime: istio, listener http { port: 80, protocol: HTTP } }
    service orders {
        image: "orders:2.0.0",
        app_version: "2.0.0",
        port: 8080,
        replicas: 3,
        resources: { requests: { cpu: 250m }, limits: { memory: "1.5Gi" } },
        service_account: orders-sa,
        config: { "LOG_LEVEL": "debug" },
        calls: [stock],
        spread_policy: DoNotSchedule,
        disruption_budget: min_available "50%",
        shutdown: { timeout: 20s, margin: 2s },
        probes: {
            startup: off,
            liveness: { path: "/healthz", period_seconds: 20, failure_threshold: 5 },
        },
        security: { run_as_user: 2000 },
        rollout: { max_surge: 2, revision_history_limit: 3 },
        traffic_policy: {
            connection_pool: {
                tcp: { connect_timeout: "1.5s" },
                http: { http2_max_requests: 1000, http1_max_pending_requests: 50 },
            },
            outlier_detection: { consecutive_gateway_errors: 3, min_health_percent: 30 },
            load_balancer: consistent_hash header x-user,
        },
        interceptors: { circuit_breaker: {}, retry: { max_retries: 1, initial_delay: 100ms } },
        allow { from: [service_account jobs/nightly, namespace shop] }
        subset stable {}
        subset canary {
            image: "orders:2.1.0",
            replicas: 1,
            version_label: "canary-v2",
            app_version: "2.1.0",
        }
        route beta {
            match: [
                {
                    headers: { x-beta: prefix "1", x-user: regex "a.*" },
                    uri: prefix "/shop.Orders/",
                },
                { headers: { x-canary: "true" } },
            ],
            to: canary,
            timeout: 5s,
            retries: { attempts: 1, retry_on: ["503", reset] },
        }
        route default { split: { stable: 900, canary: 100 }, timeout: 10s, retries: off }
    }
    service stock {
        image: "stock:1.0.0",
        autoscale: { min_replicas: 2, max_replicas: 4 },
        sidecar: { limits: { cpu: 1 } },
        app_tls: "/etc/tls",
        spread_across_nodes: false,
        shutdown: {
            pre_stop_sleep: 3s,
            pre_stop_shell: true,
            proxy_drain: 40s,
            hold_until_proxy_starts: false,
            termination_grace_period: "1m",
        },
        route { to: stock, timeout: 2s, retries: off }
    }
};
// mesh! has no words for the pod labels that select the ingress of gateway public.
mesh.gateways[0].runtime = connectum_mesh::GatewayRuntime::IstioIngress { selector: [("istio".to_owned(), "ingress-public".to_owned())].into() };
// mesh! has no words for a service without preStop sleep (orders).
mesh.services[0].shutdown.pre_stop_sleep = None;
// mesh! has no words for the client TLS of service orders.
mesh.services[0].traffic_policy.tls = Some(connectum_mesh::ClientTls::IstioMutual);
mesh
}
