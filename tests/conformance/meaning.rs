//! The order-service example means what its Rust description says, read the way Istio 1.30.3
//! reads the emitted VirtualService: `x-canary: true` goes to the canary, everything else is
//! split 90/10 between stable and canary, mesh retries are 1, the timeout is 30s.

use std::time::Duration;

use connectum_mesh::testing::{
    EffectiveRetries, Request, Share, Target, VirtualServiceMeaning, subset_workloads,
};
use connectum_mesh::{IstioApi, MeshRetry, RenderOptions, Route, render, render_with};
use connectum_mesh_tests::agreement::disagreements;
use serde_json::Value;

const CALL: &str = "/connectum.orders.v1.OrderService/CreateOrder";

fn order_service_vs(api: IstioApi) -> VirtualServiceMeaning {
    let documents = render_with(&order_service::mesh(), &RenderOptions { istio_api: api })
        .expect("checked")
        .to_values()
        .expect("JSON");
    let vs = documents
        .iter()
        .find(|d| d["kind"] == "VirtualService" && d["metadata"]["name"] == "order-service")
        .expect("the order-service VirtualService");
    VirtualServiceMeaning::from_json(vs).expect("a VirtualService the interpreter models")
}

fn subset(name: &str) -> Target {
    Target {
        host: "order-service.connectum.svc.cluster.local".to_owned(),
        subset: Some(name.to_owned()),
        port: Some(5000),
    }
}

#[test]
fn x_canary_true_goes_to_the_canary() {
    for api in [IstioApi::V1, IstioApi::V1beta1] {
        let vs = order_service_vs(api);
        let request = Request::grpc(CALL).header("x-canary", "true");
        let route = vs.route_for(&request).expect("modelled").expect("a route");
        assert_eq!(route.name.as_deref(), Some("canary-header"));
        assert_eq!(
            vs.shares_for(&request).expect("shares"),
            [(
                subset("canary"),
                Share {
                    weight: 1,
                    total: 1
                }
            )]
        );
        // Header names are case-insensitive, values are not.
        let upper = Request::grpc(CALL).header("X-Canary", "true");
        assert_eq!(
            vs.route_for(&upper).expect("modelled").map(|r| r.index),
            Some(0)
        );
        let shouted = Request::grpc(CALL).header("x-canary", "TRUE");
        assert_eq!(
            vs.route_for(&shouted).expect("modelled").map(|r| r.index),
            Some(1)
        );
    }
}

#[test]
fn everything_else_is_split_90_10() {
    let vs = order_service_vs(IstioApi::V1);
    for request in [
        Request::grpc(CALL),
        Request::grpc(CALL).header("x-canary", "false"),
        Request::grpc("/grpc.health.v1.Health/Check"),
    ] {
        let shares = vs.shares_for(&request).expect("shares");
        assert_eq!(shares.len(), 2, "{request:?}");
        assert_eq!(shares[0].0, subset("stable"));
        assert_eq!(shares[0].1.percent(), 90.0);
        assert_eq!(shares[1].0, subset("canary"));
        assert_eq!(shares[1].1.percent(), 10.0);
    }
}

#[test]
fn every_route_retries_once_with_a_30s_timeout() {
    let vs = order_service_vs(IstioApi::V1);
    assert_eq!(vs.routes.len(), 2);
    for route in &vs.routes {
        assert_eq!(
            route.timeout,
            Some(Duration::from_secs(30)),
            "{:?}",
            route.name
        );
        assert_eq!(
            route.retries,
            EffectiveRetries {
                attempts: 1,
                retry_on: vec!["unavailable".to_owned(), "deadline-exceeded".to_owned()],
                retriable_status_codes: Vec::new(),
                per_try_timeout: Some(Duration::from_secs(10)),
            }
        );
        assert_eq!(route.worst_case_requests(), 2);
    }
}

#[test]
fn short_hosts_resolve_in_the_virtual_services_namespace() {
    let vs = order_service_vs(IstioApi::V1);
    assert_eq!(vs.namespace, "connectum");
    assert_eq!(vs.hosts, ["order-service.connectum.svc.cluster.local"]);
    assert!(vs.serves("order-service", "connectum"));
    assert!(!vs.serves("order-service", "shop"));
}

#[test]
fn the_whole_example_agrees_with_its_description() {
    let mesh = order_service::mesh();
    let documents = render(&mesh).expect("checked").to_values().expect("JSON");
    let problems = disagreements(&mesh, &documents);
    assert!(problems.is_empty(), "{problems:#?}");
}

/// The order-service mesh with its routes changed by `edit`, rendered.
fn edited(edit: impl FnOnce(&mut Vec<Route>)) -> (connectum_mesh::Mesh, Vec<Value>) {
    let mut mesh = order_service::mesh();
    edit(&mut mesh.services[0].routes);
    let documents = render(&mesh).expect("checked").to_values().expect("JSON");
    (mesh, documents)
}

#[test]
fn unset_retries_mean_two_and_attempts_zero_is_emitted() {
    let (mesh, documents) = edited(|routes| {
        routes[0].retries = None;
        routes[1].retries = Some(MeshRetry::disabled());
    });
    assert!(disagreements(&mesh, &documents).is_empty());
    let vs = documents
        .iter()
        .find(|d| d["kind"] == "VirtualService")
        .expect("a VirtualService");
    assert!(vs["spec"]["http"][0].get("retries").is_none());
    assert_eq!(vs["spec"]["http"][1]["retries"]["attempts"], 0);
    let meaning = VirtualServiceMeaning::from_json(vs).expect("modelled");
    assert_eq!(meaning.routes[0].retries, EffectiveRetries::istio_default());
    assert_eq!(meaning.routes[0].retries.attempts, 2);
    assert_eq!(meaning.routes[1].retries, EffectiveRetries::disabled());
}

#[test]
fn an_unset_timeout_means_none() {
    let (mesh, documents) = edited(|routes| routes[1].timeout = None);
    assert!(disagreements(&mesh, &documents).is_empty());
    let vs = documents
        .iter()
        .find(|d| d["kind"] == "VirtualService")
        .expect("a VirtualService");
    assert_eq!(
        VirtualServiceMeaning::from_json(vs)
            .expect("modelled")
            .routes[1]
            .timeout,
        None
    );
}

#[test]
fn the_agreement_check_catches_a_wrong_emission() {
    let mesh = order_service::mesh();
    let mut documents = render(&mesh).expect("checked").to_values().expect("JSON");
    let vs = documents
        .iter_mut()
        .find(|d| d["kind"] == "VirtualService")
        .expect("a VirtualService");
    // Routes swapped: the catch-all first would shadow the canary header route.
    let http = vs["spec"]["http"].as_array_mut().expect("http");
    http.swap(0, 1);
    let problems = disagreements(&mesh, &documents);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("takes route Some(0) in Istio, Some(1) in the model")),
        "{problems:#?}"
    );
    // A dropped retry block silently means 2 retries.
    let mut documents = render(&mesh).expect("checked").to_values().expect("JSON");
    let vs = documents
        .iter_mut()
        .find(|d| d["kind"] == "VirtualService")
        .expect("a VirtualService");
    vs["spec"]["http"][1]
        .as_object_mut()
        .expect("route")
        .remove("retries");
    let problems = disagreements(&mesh, &documents);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("Istio retries 2 times, the model says 1")),
        "{problems:#?}"
    );
}

#[test]
fn each_share_reaches_the_workload_the_description_names() {
    let documents = render(&order_service::mesh())
        .expect("checked")
        .to_values()
        .expect("JSON");
    let vs = VirtualServiceMeaning::from_json(
        documents
            .iter()
            .find(|d| d["kind"] == "VirtualService")
            .expect("a VirtualService"),
    )
    .expect("modelled");
    let reached = |request: &Request| -> Vec<(Vec<String>, f64)> {
        vs.shares_for(request)
            .expect("shares")
            .into_iter()
            .map(|(target, share)| {
                (
                    subset_workloads(&documents, &target).expect("reachable"),
                    share.percent(),
                )
            })
            .collect()
    };
    assert_eq!(
        reached(&Request::grpc(CALL).header("x-canary", "true")),
        [(vec!["order-service-canary".to_owned()], 100.0)]
    );
    assert_eq!(
        reached(&Request::grpc(CALL)),
        [
            (vec!["order-service".to_owned()], 90.0),
            (vec!["order-service-canary".to_owned()], 10.0)
        ]
    );
}

#[test]
fn the_agreement_check_catches_traffic_that_reaches_no_pod() {
    let mesh = order_service::mesh();
    let mut documents = render(&mesh).expect("checked").to_values().expect("JSON");
    let dr = documents
        .iter_mut()
        .find(|d| d["kind"] == "DestinationRule")
        .expect("a DestinationRule");
    dr["spec"]["subsets"][1]["labels"]["version"] = "canary-v2".into();
    let problems = disagreements(&mesh, &documents);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("reaches [], the model says [\"order-service-canary\"]")),
        "{problems:#?}"
    );
}
