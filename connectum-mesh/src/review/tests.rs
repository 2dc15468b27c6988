//! The diagram's marks and the diff's grouping on meshes built to trip them.

use connectum_mesh_core::{
    AllowRule, AppRetry, ExternalCaller, Interceptors, Mesh, MeshRetry, Route, Service,
    ServiceAccountRef, Split, Subset, SubsetRef,
};

use super::{DiagramFormat, MeshDiff, diagram};

fn service(name: &str, calls: &[&str]) -> Service {
    Service::builder()
        .name(name)
        .image(format!("registry.example/{name}:1.0.0"))
        .calls(calls.iter().copied())
        .interceptors(
            Interceptors::builder()
                .retry(AppRetry::builder().max_retries(1).build())
                .build(),
        )
        .build()
}

/// gateway → order (mesh 1 × app 1 = 4) → inventory (mesh 1 × app 1: 16), over the budget of 10.
fn chain_mesh() -> Mesh {
    let services = [("order", &["inventory"][..]), ("inventory", &[][..])].map(|(name, calls)| {
        let mut s = service(name, calls);
        let stable = s.add_subset(Subset::builder().name("stable").build());
        s.add_route(
            Route::builder()
                .target(&stable)
                .retries(MeshRetry::builder().attempts(1).build())
                .build(),
        );
        s
    });
    Mesh::builder()
        .namespace("shop")
        .external_callers([ExternalCaller::builder()
            .name("gateway")
            .service_account(ServiceAccountRef::new("shop", "gateway"))
            .calls(["order"])
            .build()])
        .services(services)
        .build()
}

#[test]
fn edges_carry_the_checkers_chain_numbers_and_mark_the_hop_over_budget() {
    let mermaid = diagram(&chain_mesh(), DiagramFormat::Mermaid);
    assert!(
        mermaid.contains("x0 ==>|\"≤ 4 calls: (1+1) × (1+1)\"| s0\n"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains(
            "s0 ==>|\"≤ 16 calls: (1+1) × (1+1)<br/>⚠ CM0301 over the retry budget of 10\"| s1\n"
        ),
        "{mermaid}"
    );
    // The first call edge (index 0) is fine, the second (index 1) is over the budget.
    assert!(mermaid.contains("linkStyle 1 stroke:#d00"), "{mermaid}");
    let dot = diagram(&chain_mesh(), DiagramFormat::Dot);
    assert!(dot.contains(
        "s0 -> s1 [label=\"≤ 16 calls: (1+1) × (1+1)\\n⚠ CM0301 over the retry budget of 10\", penwidth=2, color=red3, fontcolor=red3];"
    ), "{dot}");
}

#[test]
fn a_raised_chain_budget_clears_the_mark() {
    let mut mesh = chain_mesh();
    mesh.chain_budgets
        .push(connectum_mesh_core::ChainBudget::new(
            ["gateway", "order", "inventory"],
            connectum_mesh_core::RetryBudget::calls(16),
        ));
    let mermaid = diagram(&mesh, DiagramFormat::Mermaid);
    assert!(!mermaid.contains("CM0301"), "{mermaid}");
    assert!(!mermaid.contains("linkStyle"), "{mermaid}");
}

#[test]
fn refused_calls_routes_to_nowhere_and_unknown_callees_are_marked() {
    let mut mesh = chain_mesh();
    mesh.services[1].allow = vec![AllowRule::service_account(ServiceAccountRef::new(
        "shop", "billing",
    ))];
    mesh.services[0].calls.push("inventroy".to_owned());
    mesh.services[1].add_route(
        Route::builder()
            .target(SubsetRef::unchecked("inventory", "canary"))
            .build(),
    );
    let mermaid = diagram(&mesh, DiagramFormat::Mermaid);
    assert!(mermaid.contains("✗ not allowed: 403"), "{mermaid}");
    assert!(
        mermaid.contains("u0[/\"inventroy<br/>⚠ not declared\"\\]"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("s1_missing0[/\"inventory/canary<br/>⚠ subset not declared\"\\]"),
        "{mermaid}"
    );
    assert!(mermaid.contains("⚠ CM0201 "), "{mermaid}");
    assert!(mermaid.contains("subgraph c1[\"inventory<br/>allow: service account shop/billing\"]"));
    assert!(mermaid.contains("style c1 stroke-width:3px"));
}

#[test]
fn a_cycle_is_marked_on_its_edges() {
    let mesh = Mesh::builder()
        .namespace("shop")
        .services([service("a", &["b"]), service("b", &["a"])])
        .build();
    let dot = diagram(&mesh, DiagramFormat::Dot);
    assert!(
        dot.contains("⚠ CM0310 services call each other in a cycle"),
        "{dot}"
    );
}

#[test]
fn labels_are_escaped_for_each_language() {
    let mut s = service("order", &[]);
    let stable = s.add_subset(Subset::builder().name("stable").build());
    s.add_route(
        Route::builder()
            .name("quoted")
            .matches(vec![connectum_mesh_core::RequestMatch::header(
                connectum_mesh_core::HeaderMatch::regex("x-q", "\"a\\d<b>\""),
            )])
            .target(&stable)
            .build(),
    );
    let mesh = Mesh::builder().namespace("shop").services([s]).build();
    let mermaid = diagram(&mesh, DiagramFormat::Mermaid);
    assert!(
        mermaid.contains("x-q: regex #quot;a\\d#lt;b#gt;#quot;"),
        "{mermaid}"
    );
    let dot = diagram(&mesh, DiagramFormat::Dot);
    assert!(dot.contains("x-q: regex \\\"a\\\\d<b>\\\""), "{dot}");
}

#[test]
fn services_subsets_and_routes_that_come_or_go_are_one_line_each() {
    let before = chain_mesh();
    let mut after = before.clone();
    after.services.remove(1);
    after.services[0].calls.clear();
    let order = &mut after.services[0];
    let canary = order.add_subset(Subset::builder().name("canary").replicas(2).build());
    let Some(stable) = order.subset("stable") else {
        panic!("chain_mesh declares stable");
    };
    order.add_route(
        Route::builder()
            .name("split")
            .target(Split::new().weight(&stable, 50).weight(&canary, 50))
            .build(),
    );
    let mut added = service("billing", &[]);
    added.image = "registry.example/billing:2.0.0".to_owned();
    after.merge(added).unwrap();
    let diff = MeshDiff::between(&before, &after);
    assert_eq!(
        diff.to_string(),
        "service order
  calls: inventory → nothing
  subset canary: added (image registry.example/order:1.0.0)
  route split: added (every request to stable 50% · canary 50%)
service billing
  service: added (image registry.example/billing:2.0.0)
service inventory
  service: removed (was image registry.example/inventory:1.0.0)
worst-case calls per chain
  gateway → order: added (6 calls)
  billing: added (6 calls)
  gateway → order → inventory: removed (was 16 calls)
"
    );
}

#[test]
fn routes_reordered_are_one_line_and_additions_do_not_count_as_reordering() {
    let mut s = service("order", &[]);
    let stable = s.add_subset(Subset::builder().name("stable").build());
    for name in ["a", "b"] {
        s.add_route(Route::builder().name(name).target(&stable).build());
    }
    let before = Mesh::builder().namespace("shop").services([s]).build();
    let mut swapped = before.clone();
    swapped.services[0].routes.reverse();
    assert_eq!(
        MeshDiff::between(&before, &swapped).to_string(),
        "service order\n  route order: a → b → b → a\n"
    );
    let mut appended = before.clone();
    appended.services[0].add_route(Route::builder().name("c").target(&stable).build());
    assert_eq!(
        MeshDiff::between(&before, &appended).to_string(),
        "service order\n  route c: added (every request to stable 100%)\n"
    );
}

#[test]
fn services_sharing_a_name_are_compared_in_order() {
    let before = Mesh::builder()
        .namespace("shop")
        .services([service("order", &[]), service("order", &[])])
        .build();
    let mut after = before.clone();
    after.services[1].port = 6000;
    assert_eq!(
        MeshDiff::between(&before, &after).to_string(),
        "service order\n  port #2: 5000 → 6000\n"
    );
}

/// order (stable and canary) behind an Istio ingress gateway whose route splits 75/25 with one
/// retry; order's app retries once.
fn edge_mesh() -> Mesh {
    let mut order = service("order", &[]);
    let stable = order.add_subset(Subset::builder().name("stable").build());
    let canary = order.add_subset(Subset::builder().name("canary").build());
    order.add_route(
        Route::builder()
            .target(&stable)
            .retries(MeshRetry::builder().attempts(0).build())
            .build(),
    );
    let edge = connectum_mesh_core::Gateway::builder()
        .name("edge")
        .listeners([connectum_mesh_core::Listener::builder()
            .name("grpc")
            .port(80)
            .protocol(connectum_mesh_core::ListenerProtocol::Grpc)
            .build()])
        .routes([connectum_mesh_core::GatewayRoute::builder()
            .name("shop")
            .matches([connectum_mesh_core::GatewayMatch::grpc_service(
                "shop.v1.Orders",
            )])
            .target(Split::new().weight(&stable, 75).weight(&canary, 25))
            .retries(MeshRetry::builder().attempts(1).build())
            .build()])
        .build();
    Mesh::builder()
        .namespace("shop")
        .services([order])
        .gateways([edge])
        .build()
}

#[test]
fn a_gateway_is_drawn_with_its_routes_and_the_edge_hop_carries_the_gateways_retries() {
    let mermaid = diagram(&edge_mesh(), DiagramFormat::Mermaid);
    assert!(
        mermaid.contains("subgraph cg0[\"gateway edge\"]"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("g0[[\"edge<br/>an Istio ingress gateway<br/>grpc :80 GRPC<br/>as istio-system/istio-ingressgateway-service-account\"]]"),
        "{mermaid}"
    );
    assert!(
        mermaid
            .contains("g0_r0{{\"1. shop<br/>grpc shop.v1.Orders<br/>timeout none · retries 1\"}}"),
        "{mermaid}"
    );
    // The gateway's 1 retry, not the service's mesh retries (off), times the app's 1 retry.
    assert!(
        mermaid.contains("g0_r0 ==>|\"≤ 4 calls: (1+1) × (1+1)<br/>75%\"| s0_sub0\n"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("g0_r0 ==>|\"≤ 4 calls: (1+1) × (1+1)<br/>25%\"| s0_sub1\n"),
        "{mermaid}"
    );
    let dot = diagram(&edge_mesh(), DiagramFormat::Dot);
    assert!(dot.contains("subgraph cluster_cg0 {"), "{dot}");
    assert!(dot.contains("g0 [shape=house"), "{dot}");
}

#[test]
fn gateway_routes_changes_are_listed_under_their_gateway() {
    let before = edge_mesh();
    let mut after = before.clone();
    let route = &mut after.gateways[0].routes[0];
    route.timeout = Some(connectum_mesh_core::Duration::from_secs(5));
    route.retries = None;
    let stable = SubsetRef::unchecked("order", "stable");
    let canary = SubsetRef::unchecked("order", "canary");
    route.target = Split::new().weight(&stable, 50).weight(&canary, 50).into();
    assert_eq!(
        MeshDiff::between(&before, &after).to_string(),
        "gateway edge
  route shop › target: order/stable 75% · order/canary 25% → order/stable 50% · order/canary 50%
  route shop › timeout: none → 5s
  route shop › retries: 1 → 2 (default of an Istio ingress gateway)
worst-case calls per chain
  edge → order: 4 calls → 6 calls
"
    );
}
