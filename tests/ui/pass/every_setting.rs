// The less common settings, each compared with the builder call it stands for.
use connectum_mesh::{
    HashKey, HostStyle, LoadBalancer, PodSecurity, Probe, Rollout, RetryBudget, StringMatch, mesh,
};

fn main() {
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
            traffic_policy: { load_balancer: consistent_hash header x-user },
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
    assert_eq!(orders.subsets[0].version(), "v1.0");
    let route = &orders.routes[0];
    assert_eq!(route.matches[0].uri, Some(StringMatch::Prefix("/orders.v1.OrderService/".to_owned())));
    assert_eq!(route.retries.as_ref().map(|r| r.attempts), Some(0));
}
