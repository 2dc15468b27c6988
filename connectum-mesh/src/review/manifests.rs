//! The facts of emitted manifests, read back: what a directory `emit --out` wrote says about
//! routes, traffic shares, retries, timeouts, allowed callers, mTLS, images, replicas and the
//! gateways' routes, in the same words as the model's facts. Both sides of `diff --against DIR`
//! go through here (the mesh rendered now, the directory read back), so they are compared like
//! with like. Istio kinds become model values through the import's own conversions.

use std::collections::BTreeMap;

use connectum_mesh_core::{MeshRetry, Scaling};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;

use super::facts::{
    Collector, EdgeRoute, Fact, Kind, SERVICE_ITEM, gateway_facts, route_facts, subset_facts,
};
use super::words::{self, EdgeLeg};
use crate::api::PolicyTarget;
use crate::api::envoy::BackendTrafficPolicy;
use crate::api::gateway::{
    BackendRef, GatewayDuration, HeaderMatch as ApiHeaderMatch, ParentReference,
};
use crate::api::networking::{HttpRouteAction, VirtualService};
use crate::api::security::{AuthorizationAction, MtlsMode};
use crate::import::edge;
use crate::import::model::{allow_rules, autoscaler, deployment_spec, hpa_spec, http_route};
use crate::render::Object;

/// What one service's objects say.
#[derive(Default)]
struct ServiceObjects<'a> {
    port: Option<String>,
    mtls: Option<&'static str>,
    allowed: Option<String>,
    deployments: Vec<&'a Deployment>,
    routes: Vec<connectum_mesh_core::Route>,
    /// The DestinationRule's subsets: version label value → subset name.
    subsets: BTreeMap<String, String>,
}

/// What one gateway's objects say.
#[derive(Default)]
struct GatewayObjects {
    listeners: Vec<(String, String, u32, Option<String>)>,
    routes: Vec<EdgeRoute>,
}

fn mtls_word(mode: Option<MtlsMode>) -> &'static str {
    match mode {
        Some(MtlsMode::Strict) => "STRICT",
        Some(MtlsMode::Permissive) => "PERMISSIVE",
        Some(MtlsMode::Disable) => "DISABLE",
        Some(MtlsMode::Unset) | None => "UNSET",
    }
}

/// The entry for `name`, added at the end when new (declaration order is kept).
fn entry<'s, T: Default>(list: &'s mut Vec<(String, T)>, name: &str) -> &'s mut T {
    let index = list.iter().position(|(n, _)| n == name).unwrap_or_else(|| {
        list.push((name.to_owned(), T::default()));
        list.len() - 1
    });
    &mut list[index].1
}

/// `order-service` from `order-service`, `order-service.connectum.svc.cluster.local`.
fn short_host(host: &str) -> String {
    host.split('.').next().unwrap_or_default().to_owned()
}

fn duration(value: Option<&GatewayDuration>) -> Option<connectum_mesh_core::Duration> {
    value.map(|d| d.0)
}

/// A Gateway API route's match: its request and headers in review words.
fn api_headers(headers: &[ApiHeaderMatch]) -> Vec<connectum_mesh_core::HeaderMatch> {
    headers
        .iter()
        .map(|h| {
            if h.match_type == "RegularExpression" {
                connectum_mesh_core::HeaderMatch::regex(h.name.clone(), h.value.clone())
            } else {
                connectum_mesh_core::HeaderMatch::exact(h.name.clone(), h.value.clone())
            }
        })
        .collect()
}

fn backend_legs(refs: &[BackendRef]) -> Vec<EdgeLeg> {
    refs.iter()
        .map(|r| EdgeLeg {
            service: r.name.clone(),
            subset: None,
            weight: r.weight.and_then(|w| u64::try_from(w).ok()),
        })
        .collect()
}

/// Envoy Gateway's retry block as the model's retries, so it reads like the model's words.
fn policy_retries(policy: Option<&BackendTrafficPolicy>) -> Option<MeshRetry> {
    Some(crate::import::edge::retries(policy?.spec.retry.as_ref()?))
}

/// A Gateway API route's retries: its policy's, or the implementation's default.
fn api_retries(policy: Option<&BackendTrafficPolicy>) -> String {
    let retries = policy_retries(policy);
    match retries {
        Some(_) => words::retries(retries.as_ref()),
        None => "unset (the implementation's default)".to_owned(),
    }
}

/// The routes of an Istio VirtualService bound to a gateway, in review words (read through the
/// import's conversion of an Istio route).
fn bound_routes(vs: &VirtualService) -> Vec<EdgeRoute> {
    vs.spec
        .http
        .iter()
        .enumerate()
        .map(|(index, http)| {
            let legs = match &http.action {
                Some(HttpRouteAction::Route(destinations)) => destinations
                    .iter()
                    .map(|d| EdgeLeg {
                        service: short_host(&d.destination.host),
                        subset: d.destination.subset.clone(),
                        weight: d.weight.and_then(|w| u64::try_from(w).ok()),
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let route = http_route("", http);
            let retries = route.as_ref().and_then(|r| r.retries.as_ref());
            EdgeRoute {
                name: http
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("http[{index}]")),
                matches: route
                    .as_ref()
                    .map_or_else(|| "every request".to_owned(), words::matches),
                target: words::edge_target(&legs),
                timeout: words::timeout(http.timeout),
                retries: match retries {
                    Some(_) => words::retries(retries),
                    None => "unset (the implementation's default)".to_owned(),
                },
            }
        })
        .collect()
}

/// What a GRPCRoute or HTTPRoute says, read in the loop over the objects and described once
/// every BackendTrafficPolicy is known.
struct ApiRoute<'a> {
    parents: &'a [ParentReference],
    name: &'a str,
    matches: Vec<String>,
    backends: &'a [BackendRef],
    timeout: Option<&'a GatewayDuration>,
}

/// A Gateway API route of `gateway` in review words: its name without the `<gateway>-` prefix
/// the renderer gives it, its matches and backends, and the timeout (its own, else its
/// BackendTrafficPolicy's) and retries of the policy that targets it.
fn api_route(
    gateway: &str,
    route: &ApiRoute<'_>,
    policy: Option<&BackendTrafficPolicy>,
) -> EdgeRoute {
    let policy_timeout = policy
        .and_then(|p| p.spec.timeout.as_ref())
        .and_then(|t| t.http.as_ref())
        .and_then(|h| h.request_timeout.as_ref());
    EdgeRoute {
        name: route
            .name
            .strip_prefix(&format!("{gateway}-"))
            .unwrap_or(route.name)
            .to_owned(),
        matches: words::any_of(route.matches.clone()),
        target: words::edge_target(&backend_legs(route.backends)),
        timeout: words::timeout(duration(route.timeout.or(policy_timeout))),
        retries: api_retries(policy),
    }
}

/// The facts of `objects`, which name their service with the `app_label` label and their
/// subset with the `version_label` label (the mesh's label keys).
pub(crate) fn facts(objects: &[&Object], app_label: &str, version_label: &str) -> Vec<Fact> {
    let mut namespace = None;
    let mut namespace_mtls = "UNSET";
    let mut services: Vec<(String, ServiceObjects<'_>)> = Vec::new();
    let mut gateways: Vec<(String, GatewayObjects)> = Vec::new();
    let mut hpas: BTreeMap<String, &HorizontalPodAutoscaler> = BTreeMap::new();
    let mut api_routes: Vec<ApiRoute<'_>> = Vec::new();
    let policies: BTreeMap<&str, &BackendTrafficPolicy> = objects
        .iter()
        .filter_map(|o| match o {
            Object::BackendTrafficPolicy(p) => Some(p),
            _ => None,
        })
        .flat_map(|p| p.spec.target_refs.iter().map(move |t| (t.name.as_str(), p)))
        .collect();
    for object in objects {
        match object {
            Object::Namespace(o) => namespace.clone_from(&o.metadata.name),
            Object::Service(o) => {
                let name = o.metadata.name.clone().unwrap_or_default();
                let port = o
                    .spec
                    .as_ref()
                    .and_then(|s| s.ports.as_ref())
                    .and_then(|ports| ports.first())
                    .map(|p| p.port.to_string());
                entry(&mut services, &name).port = port;
            }
            Object::Deployment(o) => {
                if let Some(name) = o.metadata.labels.as_ref().and_then(|l| l.get(app_label)) {
                    entry(&mut services, name).deployments.push(o);
                }
            }
            Object::HorizontalPodAutoscaler(o) => {
                if let Some(target) = hpa_spec(o).map(|s| s.scale_target_ref.name.clone()) {
                    hpas.insert(target, o);
                }
            }
            Object::PeerAuthentication(o) => {
                let mode = mtls_word(o.spec.mtls.as_ref().and_then(|m| m.mode));
                match o
                    .spec
                    .selector
                    .as_ref()
                    .and_then(|s| s.match_labels.get(app_label))
                {
                    Some(name) => entry(&mut services, name).mtls = Some(mode),
                    None => namespace_mtls = mode,
                }
            }
            Object::AuthorizationPolicy(o) => {
                let Some(PolicyTarget::Selector(selector)) = &o.spec.target else {
                    continue;
                };
                let Some(name) = selector.match_labels.get(app_label) else {
                    continue;
                };
                if !matches!(o.spec.action, None | Some(AuthorizationAction::Allow)) {
                    continue;
                }
                entry(&mut services, name).allowed = Some(words::allowed_callers(&allow_rules(o)));
            }
            Object::DestinationRule(o) => {
                let subsets = o
                    .spec
                    .subsets
                    .iter()
                    .filter_map(|s| Some((s.labels.get(version_label)?.clone(), s.name.clone())))
                    .collect();
                entry(&mut services, &short_host(&o.spec.host)).subsets = subsets;
            }
            Object::VirtualService(o) => {
                if let Some(gateway) = o.spec.gateways.first() {
                    entry(&mut gateways, gateway).routes = bound_routes(o);
                    continue;
                }
                let Some(host) = o.spec.hosts.first() else {
                    continue;
                };
                let name = short_host(host);
                let routes = o
                    .spec
                    .http
                    .iter()
                    .filter_map(|http| http_route(&name, http))
                    .collect();
                entry(&mut services, &name).routes = routes;
            }
            Object::IstioGateway(o) => {
                let name = o.metadata.name.clone().unwrap_or_default();
                entry(&mut gateways, &name).listeners = o
                    .spec
                    .servers
                    .iter()
                    .map(|s| {
                        (
                            s.port.name.clone(),
                            s.port.protocol.clone(),
                            s.port.number,
                            s.tls.as_ref().and_then(|t| t.credential_name.clone()),
                        )
                    })
                    .collect();
            }
            Object::Gateway(o) => {
                let name = o.metadata.name.clone().unwrap_or_default();
                entry(&mut gateways, &name).listeners = o
                    .spec
                    .listeners
                    .iter()
                    .map(|l| {
                        (
                            l.name.clone(),
                            l.protocol.clone(),
                            u32::try_from(l.port).unwrap_or_default(),
                            l.tls
                                .as_ref()
                                .and_then(|t| t.certificate_refs.first())
                                .map(|c| c.name.clone()),
                        )
                    })
                    .collect();
            }
            Object::GrpcRoute(_) | Object::HttpRoute(_) => {
                let Some(route) = edge::ApiRoute::of(object) else {
                    continue;
                };
                let rule = route.rule.as_ref();
                let matches = rule
                    .map(|r| r.matches.as_slice())
                    .unwrap_or_default()
                    .iter()
                    .map(|m| {
                        let request = match m.request {
                            edge::ApiRequest::Grpc(method) => Some(match &method.method {
                                Some(name) => format!("grpc {}/{name}", method.service),
                                None => format!("grpc {}", method.service),
                            }),
                            edge::ApiRequest::Path(path) => {
                                Some(format!("path: prefix {}", path.value))
                            }
                            edge::ApiRequest::Any => None,
                        };
                        words::edge_match(request, &api_headers(m.headers))
                    })
                    .collect();
                api_routes.push(ApiRoute {
                    parents: route.parents,
                    name: route.name,
                    matches,
                    backends: rule.map(|r| r.backends).unwrap_or_default(),
                    // A GRPCRoute carries no timeout: Envoy Gateway's policy does.
                    timeout: rule
                        .and_then(|r| r.timeouts)
                        .and_then(|t| t.request.as_ref()),
                });
            }
            Object::ServiceAccount(_)
            | Object::ConfigMap(_)
            | Object::Telemetry(_)
            | Object::PodDisruptionBudget(_)
            | Object::GatewayClass(_)
            | Object::BackendTrafficPolicy(_)
            | Object::Extra(_) => {}
        }
    }

    for route in &api_routes {
        if let Some(parent) = route.parents.first() {
            let route = api_route(&parent.name, route, policies.get(route.name).copied());
            entry(&mut gateways, &parent.name).routes.push(route);
        }
    }

    let mut out = Collector::new();
    out.plain("namespace", namespace.unwrap_or_default());
    out.plain("mTLS", namespace_mtls);
    for (name, gateway) in &gateways {
        gateway_facts(
            name,
            words::listeners(&gateway.listeners),
            &gateway.routes,
            &mut out,
        );
    }
    for (name, service) in &services {
        out.scope = format!("service {name}");
        let image = |d: &Deployment| {
            deployment_spec(d)
                .and_then(|s| s.template.spec.as_ref())
                .and_then(|p| p.containers.first())
                .and_then(|c| c.image.clone())
                .unwrap_or_default()
        };
        let scaling = |d: &Deployment| match deployment_spec(d).and_then(|s| s.replicas) {
            Some(replicas) => Scaling::Replicas(u32::try_from(replicas).unwrap_or(0)),
            None => d
                .metadata
                .name
                .as_ref()
                .and_then(|n| hpas.get(n))
                .map_or(Scaling::Replicas(1), |hpa| {
                    Scaling::Autoscale(autoscaler(hpa))
                }),
        };
        let primary_image = service
            .deployments
            .first()
            .map(|d| image(d))
            .unwrap_or_default();
        out.push(
            SERVICE_ITEM,
            format!("image {primary_image}"),
            Kind::Exists,
            None,
        );
        out.plain(
            "port",
            service.port.clone().unwrap_or_else(|| "none".to_owned()),
        );
        out.plain("mTLS", service.mtls.unwrap_or(namespace_mtls));
        out.plain(
            "allowed callers",
            service
                .allowed
                .clone()
                .unwrap_or_else(|| "anyone (no policy)".to_owned()),
        );
        for deployment in &service.deployments {
            let version = deployment
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(version_label));
            match version {
                Some(version) => {
                    let subset = service.subsets.get(version).unwrap_or(version);
                    subset_facts(subset, &image(deployment), &scaling(deployment), &mut out);
                }
                None => {
                    out.plain("image", image(deployment));
                    out.plain("replicas", words::scaling(&scaling(deployment)));
                }
            }
        }
        route_facts(&service.routes, &mut out);
    }
    out.facts
}
