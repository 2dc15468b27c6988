//! Meshes `mesh!` must accept, one module each (its comment says what it shows), all run by
//! `main`. One trybuild crate carries them all: each crate costs a compile and a link, so one
//! per case made the suite slow (see tests/ui/README.md).

mod minimal {
    // The least a mesh needs: a namespace and a service with an image.
    pub fn main() {
        let mesh = connectum_mesh::mesh! {
            namespace: "connectum",
            service order-service { image: "ghcr.io/mycompany/order-service:1.0.0" }
        };
        assert_eq!(mesh.services[0].name, "order-service");
    }
}

mod hygiene {
    // The expansion's own bindings do not capture the user's: `mesh`, `service` and `subset_0`
    // below are the user's variables, used inside expressions.
    pub fn main() {
        let mesh = "ghcr.io/mycompany/order-service:1.0.0";
        let service = 3_u32;
        let subset_0 = 1_u32;
        let built = connectum_mesh::mesh! {
            namespace: connectum,
            service order-service {
                image: (mesh),
                replicas: (service),
                subset canary { replicas: (subset_0) }
            }
        };
        assert_eq!(built.services[0].image, mesh);
        assert_eq!(built.services[0].subsets[0].replicas, Some(1));
    }
}

mod runtime_values {
    // Values written as Rust expressions are not known to the macro: they compile, and the runtime
    // checker judges them. A split of 90 + (5) is not a compile error, but `check` reports it.
    use connectum_mesh::{Duration, mesh};

    fn canary_percent() -> u32 {
        5
    }

    pub fn main() {
        let image = format!("ghcr.io/mycompany/order-service:{}", "1.0.0");
        let mesh = mesh! {
            namespace: connectum,
            service order-service {
                image: (image),
                subset stable {}
                subset canary {}
                route {
                    split: { stable: 90, canary: (canary_percent()) },
                    timeout: (Duration::from_secs(30)),
                    retries: off,
                }
            }
        };
        let diagnostics = connectum_mesh::check(&mesh);
        assert!(diagnostics.codes().contains(&"CM0202"), "{diagnostics}");
    }
}

mod every_setting {
    // The less common settings, each compared with the builder call it stands for.
    use connectum_mesh::{
        ClientTls, HashKey, HostStyle, LoadBalancer, PodSecurity, Probe, Rollout, RetryBudget, StringMatch,
        mesh,
    };

    pub fn main() {
        let mesh = mesh! {
            namespace: shop,
            trust_domain: "example.org",
            app_label: "app",
            version_label: "track",
            host_style: fqdn,
            namespace_labels: { team: "orders" },
            known_namespaces: [billing],
            chain_budget { chain: [checkout, orders], calls: 4 }
            service checkout { image: "checkout:1.0.0", calls: [orders] }
            service orders {
                image: "orders:1.0.0",
                service_account: "orders-sa",
                spread_across_nodes: false,
                app_tls: "/etc/tls",
                probes: {
                    startup: off,
                    liveness: { path: "/health", period_seconds: 20, failure_threshold: 5 },
                },
                security: { run_as_user: 2000, seccomp_runtime_default: true },
                rollout: { max_unavailable: 0, max_surge: 2 },
                traffic_policy: {
                    load_balancer: consistent_hash header x-user,
                    tls: SIMPLE "orders.shop.svc",
                },
                subset v1 { version_label: "v1.0" }
                route by-method {
                    match: [
                        { uri: prefix "/orders.v1.OrderService/" },
                        { headers: { x-user: regex "beta-.*" } },
                    ],
                    to: v1,
                    retries: off,
                }
            }
        };
        assert_eq!(mesh.trust_domain, "example.org");
        assert_eq!(mesh.host_style, HostStyle::Fqdn);
        assert_eq!(mesh.namespace_labels["team"], "orders");
        assert_eq!(mesh.chain_budgets[0].budget, RetryBudget::calls(4));
        let orders = &mesh.services[1];
        assert_eq!(orders.probes.startup, None);
        assert_eq!(
            orders.probes.liveness,
            Some(Probe::builder().path("/health").period_seconds(20).failure_threshold(5).build())
        );
        assert_eq!(orders.security, PodSecurity::builder().run_as_user(2000).build());
        assert_eq!(orders.rollout, Rollout::builder().max_unavailable(0).max_surge(2).build());
        assert_eq!(
            orders.traffic_policy.load_balancer,
            Some(LoadBalancer::ConsistentHash(HashKey::HttpHeaderName("x-user".to_owned())))
        );
        assert_eq!(
            orders.traffic_policy.tls,
            Some(ClientTls::Simple { sni: Some("orders.shop.svc".to_owned()) })
        );
        assert_eq!(orders.subsets[0].version(), "v1.0");
        let route = &orders.routes[0];
        assert_eq!(route.matches[0].uri, Some(StringMatch::Prefix("/orders.v1.OrderService/".to_owned())));
        assert_eq!(route.retries.as_ref().map(|r| r.attempts), Some(0));
    }
}

mod order_service {
    // The guide's order-service mesh, every node of the DSL in use.
    use connectum_mesh::mesh;

    pub fn main() {
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
}

mod crate_docs {
    // The complete mesh of the macro crate's documentation, compiled here (that crate cannot
    // depend on connectum-mesh, so its doc example is `ignore`).
    pub fn main() -> Result<(), Box<dyn std::error::Error>> {
        use connectum_mesh::{emit, mesh, render};

        let mesh = mesh! {
            namespace: connectum,
            part_of: connectum,
            mtls: STRICT,                                  // STRICT | PERMISSIVE | DISABLE
            sidecar_injection: enabled,                    // enabled | disabled | on | off | true | false
            telemetry connectum-telemetry {
                tracing: { providers: [otel-tracing], sampling_percent: 100 },
                metrics_providers: [prometheus],
                access_log_providers: [otel-access-logging],
            }
            gateway connectum-gateway {                    // where requests from outside enter
                runtime: envoy_gateway connectum-gateway,  // or istio_ingress, istio, { name, implementation }
                service_account: connectum/envoy-gateway,  // namespace/name
                listener http { port: 80, protocol: HTTP }
                listener https { port: 443, protocol: HTTPS, tls_credential: gateway-tls-cert }
                listener grpc { port: 9090, protocol: HTTP }
                route orders {                             // the first hop of every chain behind it
                    listeners: [grpc],
                    match: { grpc_service: "mycompany.orders.v1.OrderService" },
                    target: order-service,                 // or service/subset, or split: { .. }
                    timeout: 30s,
                    retries: { attempts: 1, per_try_timeout: 10s, retry_on: [unavailable] },
                }
            }
            retry_budget: 10,                              // worst-case calls along any chain
            split_total: 100,
            service order-service {
                image: "ghcr.io/mycompany/order-service:1.0.0",
                app_version: "1.0.0",
                port: 5000,
                autoscale: {                               // or `replicas: 3`
                    min_replicas: 2, max_replicas: 10, cpu_utilization: 70,
                    scale_up: { stabilization_window_seconds: 60, pods: 2, period_seconds: 60 },
                },
                resources: { requests: { cpu: 100m, memory: 128Mi }, limits: { cpu: 500m, memory: 512Mi } },
                sidecar: { requests: { cpu: 100m, memory: 128Mi }, limits: { cpu: 500m, memory: 256Mi } },
                config: { LOG_LEVEL: "info", "otel.endpoint": "http://collector:4317" },
                mtls_override: PERMISSIVE,                 // this service's override
                shutdown: { pre_stop_sleep: 5s, timeout: 30s },
                traffic_policy: {
                    connection_pool: {
                        tcp: { max_connections: 100, connect_timeout: 1500ms },
                        http: { h2_upgrade_policy: UPGRADE, max_requests_per_connection: 100 },
                    },
                    outlier_detection: {
                        consecutive_5xx_errors: 5, interval: 30s, base_ejection_time: "1m30s",
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
                calls: [inventory-service],
                allow { from: [service_account connectum/envoy-gateway] }
                allow { from: [namespace connectum] }
                subset stable {}
                subset canary { image: "ghcr.io/mycompany/order-service:1.1.0-rc.1", replicas: 1 }
                route canary-header {                      // routes are matched in order
                    match: { headers: { x-canary: "true" } },
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
            service inventory-service {
                image: "ghcr.io/mycompany/inventory-service:1.0.0",
                // Without a retry block Istio retries twice: 18 calls along the chain, over budget.
                route { to: inventory-service, timeout: 10s, retries: off }
            }
        };
        let yaml = emit::to_yaml(&render(&mesh)?)?;
        assert!(yaml.contains("name: inventory-service"));
        assert!(yaml.contains("kind: GRPCRoute"));
        Ok(())
    }
}

mod zero_downtime {
    // The settings of rollouts, drains and shutdowns, each compared with the builder call it
    // stands for.
    use connectum_mesh::{
        DisruptionBudget, Duration, GracefulShutdown, PodCount, Rollout, SidecarMode, SpreadPolicy,
        mesh,
    };

    pub fn main() {
        let mesh = mesh! {
            namespace: shop,
            sidecars: native,
            deny_by_default: true,
            service orders {
                image: "orders:1.0.0",
                replicas: 4,
                shutdown: {
                    pre_stop_sleep: 3s, pre_stop_shell: true, timeout: 20s,
                    hold_until_proxy_starts: false, margin: 2s,
                },
                rollout: { max_unavailable: 1, allow_zero_ready: true },
                disruption_budget: min_available "50%",
                spread_policy: DoNotSchedule,
            }
            service billing { image: "billing:1.0.0", replicas: 2, disruption_budget: max_unavailable 1 }
            service batch { image: "batch:1.0.0", disruption_budget: disabled }
        };
        assert_eq!(mesh.sidecars, SidecarMode::Native);
        assert!(mesh.deny_by_default);
        let orders = &mesh.services[0];
        assert_eq!(
            orders.shutdown,
            GracefulShutdown::builder()
                .pre_stop_sleep(Duration::from_secs(3))
                .pre_stop_shell(true)
                .timeout(Duration::from_secs(20))
                .hold_until_proxy_starts(false)
                .margin(Duration::from_secs(2))
                .build()
        );
        assert_eq!(orders.rollout, Rollout::builder().max_unavailable(1).allow_zero_ready(true).build());
        assert_eq!(orders.disruption_budget, DisruptionBudget::MinAvailable(PodCount::Percent(50)));
        assert_eq!(orders.spread_policy, SpreadPolicy::DoNotSchedule);
        assert_eq!(mesh.services[1].disruption_budget, DisruptionBudget::MaxUnavailable(PodCount::Pods(1)));
        assert_eq!(mesh.services[2].disruption_budget, DisruptionBudget::Disabled);
    }
}

mod edge {
    // A gateway in every form the DSL has, built as the builders build it: an Istio ingress
    // gateway splitting between subsets by `service/subset`, and a Gateway API class given
    // field by field.
    use connectum_mesh::{
        Duration, Gateway, GatewayClass, GatewayImplementation, GatewayMatch, GatewayRoute,
        GatewayRuntime, HeaderMatch, Listener, ListenerProtocol, Split, mesh,
    };

    pub fn main() {
        let mesh = mesh! {
            namespace: shop,
            service orders {
                image: "orders:1.0.0",
                subset stable {}
                subset canary { replicas: 1 }
                route { split: { stable: 90, canary: 10 }, retries: off, timeout: 10s }
            }
            gateway public {
                runtime: istio_ingress,
                listener web { hostname: "api.example.com", port: 443, protocol: HTTPS, tls_credential: api-cert }
                route beta {
                    match: { path_prefix: "/v1/orders", headers: { x-beta: "1" } },
                    target: orders/canary,
                    timeout: 20s,
                    retries: off,
                }
                route orders {
                    match: [{ grpc_service: "shop.Orders", grpc_method: "Create" }, { grpc_service: "shop.Orders" }],
                    split: { orders/stable: 90, orders/canary: 10 },
                    timeout: 20s,
                    retries: off,
                }
            }
            gateway partners {
                runtime: { name: partners, implementation: other },
                service_account: shop/partners,
                listener grpc { port: 9090, protocol: HTTP }
                route orders { target: orders, port: 5000 }
            }
        };
        assert!(!connectum_mesh::check(&mesh).has_errors(), "{}", connectum_mesh::check(&mesh));
        let orders = &mesh.services[0];
        let (stable, canary) = (&orders.subset("stable").unwrap(), &orders.subset("canary").unwrap());
        let no_retries = connectum_mesh::MeshRetry::builder().attempts(0).build();
        let public = Gateway::builder()
            .name("public")
            .runtime(GatewayRuntime::istio_ingress())
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
                    .matches([GatewayMatch::path_prefix("/v1/orders")
                        .header(HeaderMatch::exact("x-beta", "1"))])
                    .target(canary)
                    .timeout(Duration::from_secs(20))
                    .retries(no_retries.clone())
                    .build(),
                GatewayRoute::builder()
                    .name("orders")
                    .matches([
                        GatewayMatch::grpc_method("shop.Orders", "Create"),
                        GatewayMatch::grpc_service("shop.Orders"),
                    ])
                    .target(Split::new().weight(stable, 90).weight(canary, 10))
                    .timeout(Duration::from_secs(20))
                    .retries(no_retries)
                    .build(),
            ])
            .build();
        assert_eq!(mesh.gateways[0], public);
        let class = GatewayClass::builder()
            .name("partners")
            .implementation(GatewayImplementation::Other)
            .build();
        assert_eq!(mesh.gateways[1].runtime, GatewayRuntime::from(class));
        assert_eq!(mesh.gateways[1].routes[0].port, Some(5000));
    }
}

// A monorepo: each crate's part in `mesh_fragment!`, a call by another crate's `ServiceRef`,
// in a fragment and in a whole `mesh!`, composed and checked where the mesh is whole.
mod fragments {
    use connectum_mesh::{Mesh, MeshFragment, ServiceRef, check, mesh, mesh_fragment};

    mod inventory {
        pub const SERVICE: connectum_mesh::ServiceRef =
            connectum_mesh::ServiceRef::new("inventory-service");
    }

    pub fn main() {
        let inventory: MeshFragment = mesh_fragment! {
            known_namespaces: [billing],
            service inventory-service {
                image: "inventory:1.0.0",
                route { to: inventory-service, timeout: 5s, retries: off }
            }
        };
        let checkout = mesh_fragment! {
            chain_budget { chain: [checkout-service, inventory-service], calls: 4 }
            service checkout-service {
                image: "checkout:1.0.0",
                calls: [(inventory::SERVICE)],
                route { to: checkout-service, timeout: 20s, retries: off }
            }
        };
        assert_eq!(checkout.services[0].calls, [inventory::SERVICE.name()]);
        let mut shop = Mesh::builder().namespace("shop").build();
        shop.merge(inventory).unwrap().merge(checkout).unwrap();
        assert!(!check(&shop).has_errors(), "{}", check(&shop));
        assert_eq!(shop.known_namespaces, ["billing"]);

        const CHECKOUT: ServiceRef = ServiceRef::new("checkout-service");
        let edge = mesh! {
            namespace: shop,
            allow: [CM0460],
            external batch { service_account: shop/batch, calls: [checkout-service] }
            service checkout-service {
                image: "checkout:1.0.0",
                calls: [(inventory::SERVICE)],
            }
        };
        assert_eq!(edge.service(CHECKOUT.name()).unwrap().calls, ["inventory-service"]);
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    fragments::main();
    minimal::main();
    hygiene::main();
    runtime_values::main();
    every_setting::main();
    order_service::main();
    crate_docs::main()?;
    zero_downtime::main();
    edge::main();
    Ok(())
}
