//! Edge rules: gateways that exist once, listen somewhere valid, and route to services, subsets,
//! ports and listeners that exist, in a form their rendering can carry. (The edge's retries and
//! timeouts are checked in `resilience.rs`, who may be called in `security.rs`.)

use crate::diag::registry::{
    DUPLICATE_GATEWAY, DUPLICATE_GATEWAY_MEMBER, EDGE_SETTING_NOT_RENDERABLE,
    GATEWAY_HOST_CONFLICT, GATEWAY_MIXED_MATCHES, GATEWAY_NEEDS_ISTIO,
    GATEWAY_PLAINTEXT_TO_APP_TLS, GATEWAY_UNDECLARED_SUBSET, GATEWAY_UNKNOWN_LISTENER,
    GATEWAY_UNKNOWN_PORT, GATEWAY_UNKNOWN_SERVICE, GATEWAY_WITHOUT_LISTENERS,
    INVALID_GATEWAY_FIELD,
};
use crate::diag::{Diagnostics, MeshPath, did_you_mean};
use crate::model::{
    Gateway, GatewayImplementation, GatewayRoute, GatewayRuntime, GatewayTarget, Mesh, StringMatch,
    SubsetRef,
};

use super::names::Grammar;

pub(super) fn run(mesh: &Mesh, out: &mut Diagnostics) {
    check_gateway_names(mesh, out);
    check_host_conflicts(mesh, out);
    for gateway in &mesh.gateways {
        let path = MeshPath::gateway(&gateway.name);
        check_listeners_present(gateway, &path, out);
        check_unique_members(gateway, &path, out);
        check_fields(gateway, &path, out);
        check_runs_without_istio(mesh, gateway, &path, out);
        check_backend_tls(mesh, gateway, &path, out);
        for (index, route) in gateway.routes.iter().enumerate() {
            let route_path = path.index("routes", index);
            check_target(mesh, route, &route_path, out);
            check_route_listeners(gateway, route, &route_path, out);
            check_mixed_matches(route, &route_path, out);
            check_renderable(gateway, route, &route_path, out);
        }
    }
}

/// Without Istio, an edge Istio implements is never programmed: requests never get in.
fn check_runs_without_istio(
    mesh: &Mesh,
    gateway: &Gateway,
    path: &MeshPath,
    out: &mut Diagnostics,
) {
    if mesh.mode.is_istio() {
        return;
    }
    let by_istio = match &gateway.runtime {
        GatewayRuntime::IstioIngress { .. } => Some("an Istio ingress gateway".to_owned()),
        GatewayRuntime::GatewayApi(class)
            if class.implementation == GatewayImplementation::Istio =>
        {
            Some(format!(
                "Gateway API class `{}`, which Istio implements",
                class.name
            ))
        }
        GatewayRuntime::GatewayApi(_) => None,
    };
    if let Some(runtime) = by_istio {
        out.push(
            GATEWAY_NEEDS_ISTIO
                .at(
                    path.field("runtime"),
                    format!("gateway `{}` runs on {runtime}, and the mesh runs without Istio (mode None): nothing would program it", gateway.name),
                )
                .with_help("use a Gateway API implementation that needs no mesh, e.g. GatewayClass::envoy_gateway(…), or render the mesh under Istio"),
        );
    }
}

/// Without Istio each service serves TLS itself (`app_tls`, required there), and a Gateway API
/// implementation opens plain HTTP/2 toward its backends unless a BackendTLSPolicy tells it to
/// speak TLS: every request through the edge would fail at the handshake. The library does not
/// render that policy yet, so the gap is named here rather than left for the first request.
fn check_backend_tls(mesh: &Mesh, gateway: &Gateway, path: &MeshPath, out: &mut Diagnostics) {
    if mesh.mode.is_istio() || !matches!(gateway.runtime, GatewayRuntime::GatewayApi(_)) {
        return;
    }
    for (index, route) in gateway.routes.iter().enumerate() {
        for name in route.target.services() {
            if mesh
                .service(name)
                .is_none_or(|service| service.app_tls.is_none())
            {
                continue;
            }
            out.push(
                GATEWAY_PLAINTEXT_TO_APP_TLS
                    .at(
                        path.index("routes", index),
                        format!(
                            "gateway `{}` routes to `{name}`, which serves TLS itself (app_tls) in a mesh without Istio; the gateway opens plain HTTP/2 toward it unless a BackendTLSPolicy says otherwise, and connectum-mesh does not render one",
                            gateway.name
                        ),
                    )
                    .with_help(format!(
                        "add a gateway.networking.k8s.io/v1 BackendTLSPolicy targeting Service `{name}` (sectionName `grpc`, validation.hostname `{name}.{}.svc.cluster.local` and the CA that signed its certificate) with Manifests::add_extra, then allow this code; or render under Istio, where the sidecars carry TLS",
                        mesh.namespace
                    )),
            );
        }
    }
}

/// Two gateways with one name overwrite each other's Gateway; a gateway named like a service or
/// external caller makes call chains ambiguous.
fn check_gateway_names(mesh: &Mesh, out: &mut Diagnostics) {
    let mut seen: Vec<&str> = Vec::new();
    for gateway in &mesh.gateways {
        let name = gateway.name.as_str();
        let clash = if seen.contains(&name) {
            Some("another gateway")
        } else if mesh.service(name).is_some() {
            Some("a service")
        } else if mesh.external_callers.iter().any(|c| c.name == name) {
            Some("an external caller")
        } else {
            None
        };
        seen.push(name);
        if let Some(other) = clash {
            out.push(
                DUPLICATE_GATEWAY
                    .at(
                        MeshPath::gateway(name),
                        format!("gateway `{name}` has the name of {other}"),
                    )
                    .with_help("give every gateway its own name"),
            );
        }
    }
}

/// A Gateway without listeners is refused by the API server.
fn check_listeners_present(gateway: &Gateway, path: &MeshPath, out: &mut Diagnostics) {
    if gateway.listeners.is_empty() {
        out.push(
            GATEWAY_WITHOUT_LISTENERS
                .at(
                    path.field("listeners"),
                    format!("gateway `{}` declares no listener", gateway.name),
                )
                .with_help("add one: Listener::builder().name(\"grpc\").port(9090).protocol(ListenerProtocol::Http).build()")
                .with_dsl_help("add one: `listener grpc { port: 9090, protocol: HTTP }`"),
        );
    }
}

/// Listener names are unique in a Gateway; route names name the route objects.
fn check_unique_members(gateway: &Gateway, path: &MeshPath, out: &mut Diagnostics) {
    let listeners = gateway.listeners.iter().map(|l| l.name.as_str());
    let routes = gateway.routes.iter().map(|r| r.name.as_str());
    for (field, names) in [
        ("listeners", listeners.collect::<Vec<_>>()),
        ("routes", routes.collect()),
    ] {
        for (index, name) in names.iter().enumerate() {
            if names[..index].contains(name) {
                out.push(
                    DUPLICATE_GATEWAY_MEMBER
                        .at(
                            path.index(field, index),
                            format!(
                                "two {field} of gateway `{}` are named `{name}`",
                                gateway.name
                            ),
                        )
                        .with_help(format!("give each of the gateway's {field} its own name")),
                );
            }
        }
    }
}

/// Whether `host` is a hostname Gateway API and Istio accept: a DNS name, optionally `*.` first.
fn is_hostname(host: &str) -> bool {
    let name = host.strip_prefix("*.").unwrap_or(host);
    Grammar::Dns1123Subdomain.accepts(name) && name.contains(|c: char| c.is_ascii_lowercase())
}

/// Names, hostnames, ports and credentials the API server refuses.
fn check_fields(gateway: &Gateway, path: &MeshPath, out: &mut Diagnostics) {
    let mut invalid = |at: MeshPath, message: String, help: String| {
        out.push(INVALID_GATEWAY_FIELD.at(at, message).with_help(help));
    };
    let subdomain = Grammar::Dns1123Subdomain;
    if !subdomain.accepts(&gateway.name) {
        invalid(
            path.clone(),
            format!(
                "gateway name `{}` is not {}",
                gateway.name,
                subdomain.describe()
            ),
            subdomain
                .repair(&gateway.name)
                .map_or_else(|| "rename the gateway".to_owned(), |r| format!("use `{r}`")),
        );
    }
    for (index, listener) in gateway.listeners.iter().enumerate() {
        let at = path.index("listeners", index);
        if !subdomain.accepts(&listener.name) {
            invalid(
                at.field("name"),
                format!(
                    "listener name `{}` is not {}",
                    listener.name,
                    subdomain.describe()
                ),
                subdomain.repair(&listener.name).map_or_else(
                    || "rename the listener".to_owned(),
                    |r| format!("use `{r}`"),
                ),
            );
        }
        if let Some(host) = listener.hostname.as_deref().filter(|h| !is_hostname(h)) {
            invalid(
                at.field("hostname"),
                format!("hostname `{host}` is not a lower-case DNS name (optionally starting with `*.`)"),
                "write it like `api.example.com` or `*.example.com`, or leave it unset for any host"
                    .to_owned(),
            );
        }
        if listener.port == 0 {
            invalid(
                at.field("port"),
                "listener port 0 is not a port".to_owned(),
                "use a port from 1 to 65535".to_owned(),
            );
        }
        if let Some(secret) = listener
            .tls_credential
            .as_deref()
            .filter(|s| !subdomain.accepts(s))
        {
            invalid(
                at.field("tls_credential"),
                format!(
                    "credential Secret `{secret}` is not {}",
                    subdomain.describe()
                ),
                "name the Secret the way Kubernetes names it".to_owned(),
            );
        }
    }
    for (index, route) in gateway.routes.iter().enumerate() {
        let object = format!("{}-{}", gateway.name, route.name);
        if !subdomain.accepts(&object) {
            invalid(
                path.index("routes", index).field("name"),
                format!(
                    "route `{}` would be named `{object}`, which is not {}",
                    route.name,
                    subdomain.describe()
                ),
                "use a lower-case route name of letters, digits and `-`".to_owned(),
            );
        }
    }
}

/// The (host, port) a listener claims; no hostname claims every host.
fn claims(gateway: &Gateway) -> Vec<(usize, &str, u16)> {
    gateway
        .listeners
        .iter()
        .enumerate()
        .map(|(index, l)| (index, l.hostname.as_deref().unwrap_or("*"), l.port))
        .collect()
}

/// Whether two gateways are served by one proxy: Istio ingress gateways selecting the same pods.
fn share_proxy(a: &Gateway, b: &Gateway) -> bool {
    match (&a.runtime, &b.runtime) {
        (
            GatewayRuntime::IstioIngress { selector: first },
            GatewayRuntime::IstioIngress { selector: second },
        ) => first == second,
        _ => false,
    }
}

/// Two listeners for one host on one port: one proxy cannot give both the requests (and DNS can
/// point a named host at only one gateway).
fn check_host_conflicts(mesh: &Mesh, out: &mut Diagnostics) {
    for (gateway_index, gateway) in mesh.gateways.iter().enumerate() {
        for (index, host, port) in claims(gateway) {
            let earlier_here = claims(gateway)
                .into_iter()
                .take_while(|(i, _, _)| *i < index)
                .any(|(_, h, p)| h == host && p == port);
            let earlier_elsewhere = mesh.gateways[..gateway_index]
                .iter()
                .filter(|other| host != "*" || share_proxy(gateway, other))
                .find(|other| {
                    claims(other)
                        .iter()
                        .any(|(_, h, p)| *h == host && *p == port)
                });
            let other = if earlier_here {
                Some(format!("another listener of `{}`", gateway.name))
            } else {
                earlier_elsewhere.map(|g| format!("gateway `{}`", g.name))
            };
            if let Some(other) = other {
                out.push(
                    GATEWAY_HOST_CONFLICT
                        .at(
                            MeshPath::gateway(&gateway.name).index("listeners", index),
                            format!("host `{host}` on port {port} is already claimed by {other}"),
                        )
                        .with_help("bind more routes to one listener, or use another host or port"),
                );
            }
        }
    }
}

/// The subset handles a target names.
fn target_subsets(target: &GatewayTarget) -> Vec<&SubsetRef> {
    match target {
        GatewayTarget::Service(_) => Vec::new(),
        GatewayTarget::Subset(subset) => vec![subset],
        GatewayTarget::Split(split) => split.legs.iter().map(|l| &l.subset).collect(),
    }
}

/// A route to a service, subset or port that does not exist fails every request it takes.
fn check_target(mesh: &Mesh, route: &GatewayRoute, path: &MeshPath, out: &mut Diagnostics) {
    let names: Vec<&str> = mesh.services.iter().map(|s| s.name.as_str()).collect();
    for name in route.target.services() {
        let Some(service) = mesh.service(name) else {
            out.push(
                GATEWAY_UNKNOWN_SERVICE
                    .at(
                        path.field("target"),
                        format!("routes to service `{name}`, which the mesh does not declare"),
                    )
                    .with_undeclared_service_help(name, &names, ""),
            );
            continue;
        };
        if let Some(port) = route.port.filter(|p| *p != service.port) {
            out.push(
                GATEWAY_UNKNOWN_PORT
                    .at(
                        path.field("port"),
                        format!("targets port {port} of `{name}`, which listens on {}", service.port),
                    )
                    .with_help("leave the port unset (the service's port is used) or use the service's port"),
            );
        }
    }
    for subset in target_subsets(&route.target) {
        let Some(service) = mesh.service(subset.service()) else {
            continue; // CM0220 above.
        };
        if service.subset(subset.name()).is_none() {
            out.push(
                GATEWAY_UNDECLARED_SUBSET
                    .at(
                        path.field("target"),
                        format!(
                            "routes to subset `{}` of `{}`, which it does not declare",
                            subset.name(),
                            service.name
                        ),
                    )
                    .with_help(did_you_mean(
                        subset.name(),
                        service.subsets.iter().map(|s| s.name.as_str()),
                        format!("declare it with {}.add_subset", service.name),
                    ))
                    .with_dsl_help(did_you_mean(
                        subset.name(),
                        service.subsets.iter().map(|s| s.name.as_str()),
                        format!(
                            "declare `subset {} {{ .. }}` in service `{}`",
                            subset.name(),
                            service.name
                        ),
                    )),
            );
        }
    }
}

/// A route bound to a listener the gateway lacks attaches to nothing.
fn check_route_listeners(
    gateway: &Gateway,
    route: &GatewayRoute,
    path: &MeshPath,
    out: &mut Diagnostics,
) {
    for (index, name) in route.listeners.iter().enumerate() {
        if gateway.listeners.iter().any(|l| l.name == *name) {
            continue;
        }
        out.push(
            GATEWAY_UNKNOWN_LISTENER
                .at(
                    path.index("listeners", index),
                    format!("binds to listener `{name}`, which gateway `{}` does not declare", gateway.name),
                )
                .with_help(did_you_mean(
                    name,
                    gateway.listeners.iter().map(|l| l.name.as_str()),
                    "name one of the gateway's listeners, or leave `listeners` empty to bind to all",
                )),
        );
    }
}

/// One route becomes one GRPCRoute or one HTTPRoute.
fn check_mixed_matches(route: &GatewayRoute, path: &MeshPath, out: &mut Diagnostics) {
    let grpc = route.matches.iter().filter(|m| m.is_grpc()).count();
    if grpc > 0 && grpc < route.matches.len() {
        out.push(
            GATEWAY_MIXED_MATCHES
                .at(
                    path.field("matches"),
                    format!(
                        "route `{}` mixes gRPC service matches and HTTP path matches",
                        route.name
                    ),
                )
                .with_help("split it into a gRPC route and an HTTP route"),
        );
    }
}

/// What the rendering chosen for `gateway` cannot say about `route`, each as (field, what).
fn unrenderable(gateway: &Gateway, route: &GatewayRoute) -> Vec<(&'static str, String)> {
    let GatewayRuntime::GatewayApi(class) = &gateway.runtime else {
        return Vec::new(); // An Istio Gateway and VirtualService carry everything.
    };
    let mut lost = Vec::new();
    if !matches!(route.target, GatewayTarget::Service(_)) {
        lost.push((
            "target",
            "a subset or split target (Gateway API backendRefs name Services, not subsets)"
                .to_owned(),
        ));
    }
    let prefix_header = route
        .matches
        .iter()
        .flat_map(|m| &m.headers)
        .find(|h| matches!(h.value, StringMatch::Prefix(_)));
    if let Some(header) = prefix_header {
        lost.push((
            "matches",
            format!("a prefix match on header `{}` (Gateway API matches headers exactly or by regular expression)", header.name),
        ));
    }
    if class.implementation == GatewayImplementation::EnvoyGateway {
        return lost; // Its BackendTrafficPolicy carries timeouts and retries.
    }
    if route.is_grpc() && route.timeout.is_some() {
        lost.push((
            "timeout",
            "a timeout on a gRPC route (GRPCRoute has no timeouts in the standard channel)"
                .to_owned(),
        ));
    }
    if route.retries.is_some() {
        lost.push((
            "retries",
            "retries (the standard channel has no retry field; only Envoy Gateway's BackendTrafficPolicy sets them)".to_owned(),
        ));
    }
    lost
}

/// A setting the chosen rendering cannot carry would be dropped silently: refuse it instead.
fn check_renderable(
    gateway: &Gateway,
    route: &GatewayRoute,
    path: &MeshPath,
    out: &mut Diagnostics,
) {
    for (field, what) in unrenderable(gateway, route) {
        out.push(
            EDGE_SETTING_NOT_RENDERABLE
                .at(
                    path.field(field),
                    format!("gateway `{}` is rendered for {}, which cannot carry {what}", gateway.name, gateway.runtime.describe()),
                )
                .with_help(match field {
                    "target" => "route the gateway to the service and split in the service's own routes, or render the gateway as an Istio ingress gateway (GatewayRuntime::istio_ingress())",
                    "matches" => "match the header exactly or with a regex",
                    _ => "render the gateway with Envoy Gateway (GatewayClass::envoy_gateway) or as an Istio ingress gateway, or remove the setting",
                })
                .with_dsl_help(match field {
                    "target" => "route the gateway to the service and split in the service's own routes, or write `runtime: istio_ingress`",
                    "matches" => "match the header exactly or with a regex",
                    _ => "write `runtime: envoy_gateway class-name` or `runtime: istio_ingress`, or remove the setting",
                }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Listener, ListenerProtocol};

    #[test]
    fn hostnames_may_start_with_a_wildcard() {
        assert!(is_hostname("api.example.com"));
        assert!(is_hostname("*.example.com"));
        assert!(!is_hostname("API.example.com"));
        assert!(!is_hostname("*"));
        assert!(!is_hostname("api.*.com"));
    }

    #[test]
    fn claims_default_to_every_host() {
        let gateway = Gateway::builder()
            .name("edge")
            .listeners(vec![
                Listener::builder()
                    .name("grpc")
                    .port(9090)
                    .protocol(ListenerProtocol::Http)
                    .build(),
            ])
            .build();
        assert_eq!(claims(&gateway), [(0, "*", 9090)]);
    }
}
