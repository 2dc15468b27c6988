//! Fixtures of the edge rules: gateways, their listeners and routes (CM012x, CM022x, CM0320,
//! CM042x, CM0520), and the retry chain through the edge (CM0301).

use super::{Fixture, order};
use crate::check;
use crate::diag::Severity::{Error, Warning};
use crate::diag::registry::{
    CLIENT_TLS_CONFLICTS_WITH_MTLS, DUPLICATE_GATEWAY, DUPLICATE_GATEWAY_MEMBER,
    EDGE_SETTING_NOT_RENDERABLE, EDGE_TIMEOUT_TOO_SHORT, GATEWAY_HOST_CONFLICT,
    GATEWAY_MIXED_MATCHES, GATEWAY_NEEDS_ISTIO, GATEWAY_NOT_ADMITTED, GATEWAY_PLAINTEXT_TO_APP_TLS,
    GATEWAY_UNDECLARED_SUBSET, GATEWAY_UNKNOWN_LISTENER, GATEWAY_UNKNOWN_PORT,
    GATEWAY_UNKNOWN_SERVICE, GATEWAY_WITHOUT_LISTENERS, INVALID_GATEWAY_FIELD, RETRY_AMPLIFICATION,
    TLS_LISTENER_WITHOUT_CREDENTIAL, TRIES_OUTLAST_TIMEOUT,
};
use crate::model::{
    ClientTls, Duration, Gateway, GatewayClass, GatewayMatch, GatewayRoute, GatewayRuntime,
    GatewayTarget, HeaderMatch, Listener, ListenerProtocol, Mesh, MeshRetry, Route, RouteTarget,
    Service, ServiceAccountRef, SubsetRef,
};

fn listener(name: &str, port: u16) -> Listener {
    Listener::builder()
        .name(name)
        .port(port)
        .protocol(ListenerProtocol::Http)
        .build()
}

fn retries(attempts: u32, per_try_secs: u64) -> MeshRetry {
    MeshRetry::builder()
        .attempts(attempts)
        .per_try_timeout(Duration::from_secs(per_try_secs))
        .build()
}

/// The guide's edge: Envoy Gateway, meshed as `connectum/envoy-gateway`, routing the
/// OrderService to order-service with one retry of 10s within 30s.
fn edge() -> Gateway {
    Gateway::builder()
        .name("connectum-gateway")
        .runtime(GatewayClass::envoy_gateway("connectum-gateway").into())
        .service_account(ServiceAccountRef::new("connectum", "envoy-gateway"))
        .listeners([listener("grpc", 9090)])
        .routes([orders_route()])
        .build()
}

fn orders_route() -> GatewayRoute {
    GatewayRoute::builder()
        .name("orders")
        .matches(vec![GatewayMatch::grpc_service(
            "mycompany.orders.v1.OrderService",
        )])
        .target(GatewayTarget::service("order-service"))
        .timeout(Duration::from_secs(30))
        .retries(retries(1, 10))
        .build()
}

/// The guide's mesh with the edge, changed by `change`.
fn with_edge(change: impl Fn(&mut Gateway)) -> impl FnOnce(&mut Mesh) {
    move |mesh| {
        let mut gateway = edge();
        change(&mut gateway);
        mesh.gateways.push(gateway);
    }
}

#[test]
fn the_guides_mesh_with_its_edge_passes_clean() {
    let mut mesh = super::seed::order_mesh();
    with_edge(|_| {})(&mut mesh);
    let found = check(&mesh);
    assert!(found.is_empty(), "{found}");
}

#[test]
fn an_istio_ingress_gateway_is_admitted_without_an_allow_rule() {
    // order-service admits only envoy-gateway and its namespace: the ingress gateway's principal
    // (istio-system/istio-ingressgateway-service-account) is derived, not written.
    let mut mesh = super::seed::order_mesh();
    with_edge(|g| {
        g.runtime = GatewayRuntime::istio_ingress();
        g.service_account = None;
    })(&mut mesh);
    let found = check(&mesh);
    assert!(found.is_empty(), "{found}");
}

pub(super) fn cm0120_duplicate_gateway() -> Fixture {
    Fixture::new(
        DUPLICATE_GATEWAY,
        Error,
        "gateway connectum-gateway",
        |mesh| {
            with_edge(|_| {})(mesh);
            with_edge(|g| g.listeners[0].port = 9091)(mesh);
        },
        |mesh| {
            with_edge(|_| {})(mesh);
            with_edge(|g| {
                g.name = "partner-gateway".into();
                g.listeners[0].port = 9091;
            })(mesh);
        },
    )
}

/// The guide's mesh without Istio (every service with application TLS) and its edge on
/// `runtime`.
fn without_istio(runtime: GatewayRuntime) -> impl FnOnce(&mut Mesh) {
    move |mesh| {
        mesh.mode = crate::model::MeshMode::None;
        for service in &mut mesh.services {
            service.app_tls = Some(crate::model::AppTls::builder().dir_path("/etc/tls").build());
        }
        with_edge(move |g| g.runtime = runtime.clone())(mesh);
    }
}

pub(super) fn cm0140_istio_ingress_without_istio() -> Fixture {
    Fixture::new(
        GATEWAY_NEEDS_ISTIO,
        Error,
        "gateway connectum-gateway › runtime",
        without_istio(GatewayRuntime::istio_ingress()),
        // Envoy Gateway implements the Gateway API without a mesh.
        without_istio(GatewayClass::envoy_gateway("connectum-gateway").into()),
    )
}

pub(super) fn cm0140_istio_gateway_class_without_istio() -> Fixture {
    Fixture::new(
        GATEWAY_NEEDS_ISTIO,
        Error,
        "gateway connectum-gateway › runtime",
        without_istio(GatewayClass::istio().into()),
        without_istio(GatewayClass::envoy_gateway("connectum-gateway").into()),
    )
}

pub(super) fn cm0149_envoy_gateway_edge_toward_app_tls() -> Fixture {
    Fixture::new(
        GATEWAY_PLAINTEXT_TO_APP_TLS,
        Warning,
        "gateway connectum-gateway › routes[0]",
        without_istio(GatewayClass::envoy_gateway("connectum-gateway").into()),
        // Under Istio the sidecars carry TLS and the edge speaks to them.
        with_edge(|g| g.runtime = GatewayClass::envoy_gateway("connectum-gateway").into()),
    )
    .message("serves TLS itself")
    .help("BackendTLSPolicy targeting Service `order-service`")
}

pub(super) fn cm0120_gateway_named_like_a_service() -> Fixture {
    Fixture::new(
        DUPLICATE_GATEWAY,
        Error,
        "gateway order-service",
        with_edge(|g| g.name = "order-service".into()),
        with_edge(|_| {}),
    )
    .message("a service")
}

pub(super) fn cm0121_gateway_without_listeners() -> Fixture {
    Fixture::new(
        GATEWAY_WITHOUT_LISTENERS,
        Error,
        "gateway connectum-gateway › listeners",
        with_edge(|g| g.listeners.clear()),
        with_edge(|_| {}),
    )
}

pub(super) fn cm0122_duplicate_listener() -> Fixture {
    Fixture::new(
        DUPLICATE_GATEWAY_MEMBER,
        Error,
        "gateway connectum-gateway › listeners[1]",
        with_edge(|g| g.listeners.push(listener("grpc", 9091))),
        with_edge(|g| g.listeners.push(listener("grpc-alt", 9091))),
    )
}

pub(super) fn cm0220_gateway_unknown_service() -> Fixture {
    Fixture::new(
        GATEWAY_UNKNOWN_SERVICE,
        Error,
        "gateway connectum-gateway › routes[0] › target",
        with_edge(|g| g.routes[0].target = GatewayTarget::service("order-servce")),
        with_edge(|_| {}),
    )
    .help("did you mean `order-service`?")
}

pub(super) fn cm0221_gateway_undeclared_subset() -> Fixture {
    let to = |subset: &'static str| {
        with_edge(move |g| {
            g.runtime = GatewayRuntime::istio_ingress();
            g.routes[0].target = SubsetRef::unchecked("order-service", subset).into();
        })
    };
    Fixture::new(
        GATEWAY_UNDECLARED_SUBSET,
        Error,
        "gateway connectum-gateway › routes[0] › target",
        to("canry"),
        to("canary"),
    )
    .help("did you mean `canary`?")
}

pub(super) fn cm0222_gateway_unknown_port() -> Fixture {
    Fixture::new(
        GATEWAY_UNKNOWN_PORT,
        Error,
        "gateway connectum-gateway › routes[0] › port",
        with_edge(|g| g.routes[0].port = Some(8080)),
        with_edge(|g| g.routes[0].port = Some(5000)),
    )
    .message("listens on 5000")
}

pub(super) fn cm0223_gateway_host_conflict() -> Fixture {
    let second = |port: u16| {
        move |mesh: &mut Mesh| {
            let host = |g: &mut Gateway| g.listeners[0].hostname = Some("api.example.com".into());
            with_edge(host)(mesh);
            with_edge(move |g| {
                host(g);
                g.name = "partner-gateway".into();
                g.listeners[0].port = port;
            })(mesh);
        }
    };
    Fixture::new(
        GATEWAY_HOST_CONFLICT,
        Error,
        "gateway partner-gateway › listeners[0]",
        second(9090),
        second(9443),
    )
    .message("gateway `connectum-gateway`")
}

pub(super) fn cm0223_listeners_of_one_gateway() -> Fixture {
    Fixture::new(
        GATEWAY_HOST_CONFLICT,
        Error,
        "gateway connectum-gateway › listeners[1]",
        with_edge(|g| g.listeners.push(listener("grpc-alt", 9090))),
        with_edge(|g| g.listeners.push(listener("grpc-alt", 9091))),
    )
}

pub(super) fn cm0224_gateway_unknown_listener() -> Fixture {
    let bind = |name: &'static str| with_edge(move |g| g.routes[0].listeners = vec![name.into()]);
    Fixture::new(
        GATEWAY_UNKNOWN_LISTENER,
        Error,
        "gateway connectum-gateway › routes[0] › listeners[0]",
        bind("grcp"),
        bind("grpc"),
    )
    .help("did you mean `grpc`?")
}

pub(super) fn cm0225_gateway_mixed_matches() -> Fixture {
    Fixture::new(
        GATEWAY_MIXED_MATCHES,
        Error,
        "gateway connectum-gateway › routes[0] › matches",
        with_edge(|g| {
            g.routes[0]
                .matches
                .push(GatewayMatch::path_prefix("/v1/orders"));
        }),
        with_edge(|g| {
            g.routes[0].matches.push(GatewayMatch::grpc_method(
                "mycompany.orders.v1.AdminService",
                "Drain",
            ));
        }),
    )
}

pub(super) fn cm0226_grpc_timeout_on_istio_class() -> Fixture {
    Fixture::new(
        EDGE_SETTING_NOT_RENDERABLE,
        Error,
        "gateway connectum-gateway › routes[0] › timeout",
        with_edge(|g| {
            g.runtime = GatewayClass::istio().into();
            g.routes[0].retries = None;
        }),
        with_edge(|g| g.routes[0].retries = None),
    )
    .message("GRPCRoute has no timeouts")
}

pub(super) fn cm0226_subset_target_on_gateway_api() -> Fixture {
    Fixture::new(
        EDGE_SETTING_NOT_RENDERABLE,
        Error,
        "gateway connectum-gateway › routes[0] › target",
        with_edge(|g| g.routes[0].target = SubsetRef::unchecked("order-service", "canary").into()),
        with_edge(|g| {
            g.runtime = GatewayRuntime::istio_ingress();
            g.routes[0].target = SubsetRef::unchecked("order-service", "canary").into();
        }),
    )
}

pub(super) fn cm0226_header_prefix_on_gateway_api() -> Fixture {
    let header =
        |h: HeaderMatch| with_edge(move |g| g.routes[0].matches[0].headers.push(h.clone()));
    Fixture::new(
        EDGE_SETTING_NOT_RENDERABLE,
        Error,
        "gateway connectum-gateway › routes[0] › matches",
        header(HeaderMatch::prefix("x-tenant", "acme")),
        header(HeaderMatch::exact("x-tenant", "acme")),
    )
}

/// The topology: ingress → trips → fleet, trips without mesh routes or app retries,
/// fleet with mesh retries 3, the ingress route with `attempts`.
fn trips_behind_ingress(attempts: u32) -> impl FnOnce(&mut Mesh) {
    move |mesh| {
        mesh.services.push(
            Service::builder()
                .name("trips")
                .image("trips:1.0.0")
                .calls(["fleet"])
                .build(),
        );
        let mut fleet = Service::builder()
            .name("fleet")
            .image("fleet:1.0.0")
            .build();
        fleet.add_route(
            Route::builder()
                .target(RouteTarget::Service)
                .retries(MeshRetry::builder().attempts(3).build())
                .build(),
        );
        mesh.services.push(fleet);
        mesh.gateways.push(
            Gateway::builder()
                .name("ingress")
                .listeners([listener("http", 80)])
                .routes([GatewayRoute::builder()
                    .name("trips")
                    .matches([GatewayMatch::path_prefix("/trips")])
                    .target(GatewayTarget::service("trips"))
                    .retries(MeshRetry::builder().attempts(attempts).build())
                    .build()])
                .build(),
        );
    }
}

pub(super) fn cm0301_retry_chain_through_the_edge() -> Fixture {
    // (1 + 3 gateway retries) × (1 + 0) × (1 + 3 mesh retries) × (1 + 0) = 16; with 1: 8.
    Fixture::new(
        RETRY_AMPLIFICATION,
        Error,
        "chain ingress → trips → fleet",
        trips_behind_ingress(3),
        trips_behind_ingress(1),
    )
    .message("can become 16 calls (trips: (1 + 3 gateway retries) × (1 + 0 app retries); fleet: (1 + 3 mesh retries) × (1 + 0 app retries))")
}

pub(super) fn cm0302_edge_tries_outlast_timeout() -> Fixture {
    Fixture::new(
        TRIES_OUTLAST_TIMEOUT,
        Warning,
        "gateway connectum-gateway › routes[0] › retries",
        with_edge(|g| g.routes[0].timeout = Some(Duration::from_secs(15))),
        with_edge(|g| g.routes[0].timeout = Some(Duration::from_secs(20))),
    )
}

pub(super) fn cm0320_edge_timeout_too_short() -> Fixture {
    Fixture::new(
        EDGE_TIMEOUT_TOO_SHORT,
        Warning,
        "gateway connectum-gateway › routes[0] › retries",
        with_edge(|g| g.routes[0].retries = Some(retries(1, 5))),
        with_edge(|g| g.routes[0].retries = Some(retries(1, 10))),
    )
    .message("Connectum timeout is 10s")
}

pub(super) fn cm0420_gateway_not_admitted() -> Fixture {
    Fixture::new(
        GATEWAY_NOT_ADMITTED,
        Error,
        "gateway connectum-gateway › routes[0]",
        with_edge(|g| g.service_account = None),
        with_edge(|_| {}),
    )
    .message("STRICT")
}

pub(super) fn cm0421_tls_listener_without_credential() -> Fixture {
    let https = |credential: Option<&'static str>| {
        with_edge(move |g| {
            let mut tls = Listener::builder()
                .name("https")
                .port(443)
                .protocol(ListenerProtocol::Https)
                .build();
            tls.tls_credential = credential.map(Into::into);
            g.listeners.push(tls);
        })
    };
    Fixture::new(
        TLS_LISTENER_WITHOUT_CREDENTIAL,
        Error,
        "gateway connectum-gateway › listeners[1]",
        https(None),
        https(Some("gateway-tls-cert")),
    )
}

pub(super) fn cm0422_client_tls_disable_toward_strict() -> Fixture {
    let tls = |mode: ClientTls| {
        move |mesh: &mut Mesh| order(mesh).traffic_policy.tls = Some(mode.clone())
    };
    Fixture::new(
        CLIENT_TLS_CONFLICTS_WITH_MTLS,
        Error,
        "service order-service › traffic_policy › tls",
        tls(ClientTls::Disable),
        tls(ClientTls::IstioMutual),
    )
    .message("DISABLE while its mTLS mode is STRICT")
}

pub(super) fn cm0520_invalid_listener_name() -> Fixture {
    Fixture::new(
        INVALID_GATEWAY_FIELD,
        Error,
        "gateway connectum-gateway › listeners[0] › name",
        with_edge(|g| g.listeners[0].name = "gRPC".into()),
        with_edge(|g| g.listeners[0].name = "grpc".into()),
    )
    .help("use `grpc`")
}
