//! The order-service topology, tested on what will be deployed with `connectum_mesh::testing`:
//! where requests go, who may call, what a failing request can cost, and that the CLI writes
//! exactly what the mesh emits.

// A test that cannot set up should stop right there.
#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::time::Duration;

use connectum_mesh::ServiceAccountRef;
use connectum_mesh::testing::{Caller, Deployed, Request, assert_up_to_date, check_up_to_date};

const CALL: &str = "/connectum.orders.v1.OrderService/CreateOrder";

fn deployed() -> Deployed {
    Deployed::new(&order_service::mesh()).unwrap()
}

#[test]
fn x_canary_goes_to_the_canary_and_the_rest_is_split_90_10() {
    let deployed = deployed();
    let canary = deployed
        .route(
            "order-service",
            &Request::grpc(CALL).header("X-Canary", "true"),
        )
        .unwrap();
    let canary = canary.route().unwrap();
    assert_eq!(canary.name.as_deref(), Some("canary-header"));
    assert_eq!(canary.shares(), [(Some("canary"), 1.0)]);
    assert_eq!(canary.timeout, Some(Duration::from_secs(30)));
    assert_eq!(canary.worst_case_attempts(), 2);

    // Values are case-sensitive: `TRUE` is not `true`.
    let rest = deployed
        .route(
            "order-service",
            &Request::grpc(CALL).header("x-canary", "TRUE"),
        )
        .unwrap();
    let rest = rest.route().unwrap();
    assert_eq!(rest.name.as_deref(), Some("default"));
    assert_eq!(rest.share(Some("stable")), 0.9);
    assert_eq!(rest.share(Some("canary")), 0.1);
}

#[test]
fn a_request_to_an_unknown_host_is_a_coded_error() {
    let error = deployed()
        .route("order-servce", &Request::grpc(CALL))
        .unwrap_err();
    assert_eq!(error.code(), "CM0810");
    assert!(
        error.to_string().contains("did you mean `order-service`?"),
        "{error}"
    );
}

#[test]
fn only_the_gateway_and_the_namespace_may_call() {
    let deployed = deployed();
    let gateway = deployed
        .can_call(order_service::GATEWAY, "order-service")
        .unwrap();
    assert!(gateway.allowed, "{}", gateway.reason);
    assert!(gateway.reason.contains("rules[0]"), "{}", gateway.reason);
    let neighbour = deployed
        .can_call(
            Caller::account(ServiceAccountRef::new("connectum", "billing")),
            "order-service",
        )
        .unwrap();
    assert!(
        neighbour.allowed && neighbour.reason.contains("rules[1]"),
        "{}",
        neighbour.reason
    );
    let outsider = deployed
        .can_call(
            Caller::account(ServiceAccountRef::new("shop", "trips")),
            "order-service",
        )
        .unwrap();
    assert!(!outsider.allowed, "{}", outsider.reason);
    let plain = deployed
        .can_call(Caller::plain_text(), "order-service")
        .unwrap();
    assert!(
        !plain.allowed && plain.reason.contains("STRICT"),
        "{}",
        plain.reason
    );
}

#[test]
fn a_failing_request_from_the_gateway_costs_at_most_6_calls_and_20s() {
    let deployed = deployed();
    let chain = deployed
        .chain([order_service::GATEWAY, "order-service"])
        .unwrap();
    // (1 + 1 mesh retry) × (1 + 2 app retries), as CM0301 counts it.
    assert_eq!(chain.worst_case_calls(), 6);
    assert!(chain.within_budget());
    // Two tries of at most 10s each, within the route's 30s.
    assert_eq!(
        chain.worst_case_latency().map(Duration::from),
        Some(Duration::from_secs(20))
    );
    let typo = deployed
        .chain([order_service::GATEWAY, "order-srvice"])
        .unwrap_err();
    assert_eq!(typo.code(), "CM0811");
    // As published (mesh attempts 3 on top of maxRetries 2) the same chain is over budget.
    let published = connectum_mesh::check::costs::chain_cost(
        &order_service::published_mesh(),
        &["order-service"],
    )
    .unwrap();
    assert_eq!(published.worst_case_calls(), 12);
    assert!(!published.within_budget());
}

#[test]
fn a_pod_stops_calling_out_at_35s_and_is_killed_at_40s() {
    let deployed = deployed();
    let timeline = deployed.shutdown_timeline("order-service").unwrap();
    // preStop 5s, then Connectum's 30s drain; the proxy drains as long; 5s margin.
    assert_eq!(timeline.app_stops_calling_out_at(), Duration::from_secs(35));
    assert_eq!(timeline.proxy_drain(), Duration::from_secs(35));
    assert_eq!(timeline.grace_period(), Duration::from_secs(40));
    assert!(timeline.holds(), "{:?}", timeline.failures());
    assert_eq!(
        deployed
            .shutdown_timeline("order-srvice")
            .unwrap_err()
            .code(),
        "CM0810"
    );

    // A grace period edited in the YAML is no longer the timeline the checker judged.
    let mut documents = deployed.documents().to_vec();
    let canary = documents
        .iter_mut()
        .find(|d| d["kind"] == "Deployment" && d["metadata"]["name"] == "order-service-canary")
        .unwrap();
    canary["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = 10.into();
    let edited = Deployed::from_documents(deployed.mesh(), documents).unwrap();
    let drift = edited.shutdown_timeline("order-service").unwrap_err();
    assert_eq!(drift.code(), "CM0814");
    assert!(
        drift.to_string().contains("order-service-canary"),
        "{drift}"
    );
}

#[test]
fn emit_out_writes_what_the_mesh_emits() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("deploy");
    let status = Command::new(env!("CARGO_BIN_EXE_order-service"))
        .args(["emit", "--out"])
        .arg(&dir)
        .status()
        .unwrap();
    assert!(status.success());
    assert_up_to_date(&order_service::mesh(), &dir);
    // A changed image makes the directory stale, and the check shows the line.
    let mut changed = order_service::mesh();
    changed.services[0].image = "ghcr.io/mycompany/order-service:1.0.1".into();
    let stale = check_up_to_date(&changed, &dir).unwrap_err();
    assert_eq!(stale.code(), "CM0813");
    assert!(stale.to_string().contains("order-service:1.0.1"), "{stale}");
}
