//! The facts of emitted manifests, read back: what a directory `emit --out` wrote says about
//! routes, traffic shares, retries, timeouts, allowed callers, mTLS, images and replicas, in the
//! same words as the model's facts. Both sides of `diff --against DIR` go through here (the
//! mesh rendered now, the directory read back), so they are compared like with like.

use std::collections::BTreeMap;

use connectum_mesh_core::{
    AllowRule, Autoscaler, HeaderMatch, MeshRetry, RequestMatch, RetryOn, Route, RouteTarget,
    Scaling, ServiceAccountRef, Source, Split, StringMatch, SubsetRef,
};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::autoscaling::v2::{HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec};

use super::facts::{Collector, Fact, Kind, SERVICE_ITEM, route_facts, subset_facts};
use super::words;
use crate::api::networking::{HttpRoute, HttpRouteAction};
use crate::api::security::{AuthorizationAction, MtlsMode};
use crate::api::{PolicyTarget, StringMatch as ApiStringMatch};
use crate::render::Object;

/// Reads a k8s-openapi field that is `T` in some Kubernetes versions and `Option<T>` in others
/// (`Deployment.spec` became required in v1_37): the counterpart of render's `Slot`.
trait Held<T> {
    fn held(&self) -> Option<&T>;
}

impl<T> Held<T> for T {
    fn held(&self) -> Option<&T> {
        Some(self)
    }
}

impl<T> Held<T> for Option<T> {
    fn held(&self) -> Option<&T> {
        self.as_ref()
    }
}

fn deployment_spec(deployment: &Deployment) -> Option<&DeploymentSpec> {
    Held::<DeploymentSpec>::held(&deployment.spec)
}

fn hpa_spec(hpa: &HorizontalPodAutoscaler) -> Option<&HorizontalPodAutoscalerSpec> {
    Held::<HorizontalPodAutoscalerSpec>::held(&hpa.spec)
}

fn string_match(value: &ApiStringMatch) -> StringMatch {
    match value {
        ApiStringMatch::Exact(text) => StringMatch::Exact(text.clone()),
        ApiStringMatch::Prefix(text) => StringMatch::Prefix(text.clone()),
        ApiStringMatch::Regex(text) => StringMatch::Regex(text.clone()),
    }
}

/// An Istio HTTP route in the model's terms, so it is described by the same words.
fn route(service: &str, http: &HttpRoute) -> Route {
    let target = match &http.action {
        Some(HttpRouteAction::Route(destinations)) => {
            let subset_of = |d: &crate::api::networking::HttpRouteDestination| {
                d.destination
                    .subset
                    .as_deref()
                    .map(|subset| SubsetRef::unchecked(service, subset))
            };
            match destinations.as_slice() {
                [only] if only.weight.is_none() => {
                    subset_of(only).map_or(RouteTarget::Service, RouteTarget::Subset)
                }
                legs => RouteTarget::Split(legs.iter().fold(Split::new(), |split, leg| {
                    let weight = u32::try_from(leg.weight.unwrap_or(0)).unwrap_or(0);
                    match subset_of(leg) {
                        Some(subset) => split.weight(&subset, weight),
                        None => split.weight(&SubsetRef::unchecked(service, "(every pod)"), weight),
                    }
                })),
            }
        }
        // Redirects, direct responses and delegation are not routes the model writes.
        _ => RouteTarget::Split(Split::new()),
    };
    Route {
        name: http.name.clone(),
        matches: http
            .matches
            .iter()
            .map(|m| RequestMatch {
                headers: m
                    .headers
                    .iter()
                    .map(|(name, value)| HeaderMatch {
                        name: name.clone(),
                        value: string_match(value),
                    })
                    .collect(),
                uri: m.uri.as_ref().map(string_match),
            })
            .collect(),
        target,
        timeout: http.timeout,
        retries: http.retries.as_ref().map(|r| MeshRetry {
            attempts: u32::try_from(r.attempts.unwrap_or(0)).unwrap_or(0),
            per_try_timeout: r.per_try_timeout,
            retry_on: r
                .retry_on
                .as_deref()
                .unwrap_or_default()
                .split(',')
                .filter_map(|token| RetryOn::parse(token.trim()))
                .collect(),
        }),
    }
}

fn autoscaler(hpa: &HorizontalPodAutoscaler) -> Scaling {
    let spec = hpa_spec(hpa);
    let utilization = |resource: &str| {
        spec.and_then(|s| s.metrics.as_ref())
            .into_iter()
            .flatten()
            .filter_map(|metric| metric.resource.as_ref())
            .find(|r| r.name == resource)
            .and_then(|r| r.target.average_utilization)
            .and_then(|percent| u32::try_from(percent).ok())
    };
    Scaling::Autoscale(Autoscaler {
        min_replicas: spec
            .and_then(|s| s.min_replicas)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(1),
        max_replicas: spec
            .map(|s| s.max_replicas)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0),
        cpu_utilization: utilization("cpu"),
        memory_utilization: utilization("memory"),
        scale_up: None,
        scale_down: None,
    })
}

/// What one service's objects say.
#[derive(Default)]
struct ServiceObjects<'a> {
    port: Option<String>,
    mtls: Option<&'static str>,
    allow: Vec<AllowRule>,
    deployments: Vec<&'a Deployment>,
    routes: Vec<Route>,
    /// The DestinationRule's subsets: version label value → subset name.
    subsets: BTreeMap<String, String>,
}

fn mtls_word(mode: Option<MtlsMode>) -> &'static str {
    match mode {
        Some(MtlsMode::Strict) => "STRICT",
        Some(MtlsMode::Permissive) => "PERMISSIVE",
        Some(MtlsMode::Disable) => "DISABLE",
        Some(MtlsMode::Unset) | None => "UNSET",
    }
}

/// The facts of `objects`, which name their service with the `app_label` label and their
/// subset with the `version_label` label (the mesh's label keys).
pub(crate) fn facts(objects: &[&Object], app_label: &str, version_label: &str) -> Vec<Fact> {
    let app =
        |labels: Option<&BTreeMap<String, String>>| labels.and_then(|l| l.get(app_label)).cloned();
    let mut namespace = None;
    let mut namespace_mtls = "UNSET";
    let mut services: Vec<(String, ServiceObjects<'_>)> = Vec::new();
    let mut hpas: BTreeMap<String, &HorizontalPodAutoscaler> = BTreeMap::new();
    fn entry<'s, 'a>(
        services: &'s mut Vec<(String, ServiceObjects<'a>)>,
        name: String,
    ) -> &'s mut ServiceObjects<'a> {
        let index = services
            .iter()
            .position(|(n, _)| *n == name)
            .unwrap_or_else(|| {
                services.push((name, ServiceObjects::default()));
                services.len() - 1
            });
        &mut services[index].1
    }
    for object in objects {
        match object {
            Object::Namespace(o) => namespace = o.metadata.name.clone(),
            Object::Service(o) => {
                let name = o.metadata.name.clone().unwrap_or_default();
                let port = o
                    .spec
                    .as_ref()
                    .and_then(|s| s.ports.as_ref())
                    .and_then(|ports| ports.first())
                    .map(|p| p.port.to_string());
                entry(&mut services, name).port = port;
            }
            Object::Deployment(o) => {
                if let Some(name) = app(o.metadata.labels.as_ref()) {
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
                    Some(name) => entry(&mut services, name.clone()).mtls = Some(mode),
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
                let rules = o.spec.rules.iter().map(|rule| AllowRule {
                    from: rule
                        .from
                        .iter()
                        .flat_map(|from| {
                            let accounts = from.source.principals.iter().map(|p| {
                                ServiceAccountRef::parse_principal(p).map_or_else(
                                    || {
                                        Source::ServiceAccount(ServiceAccountRef::new(
                                            "?",
                                            p.clone(),
                                        ))
                                    },
                                    |(_, account)| Source::ServiceAccount(account),
                                )
                            });
                            let namespaces = from
                                .source
                                .namespaces
                                .iter()
                                .cloned()
                                .map(Source::Namespace);
                            accounts.chain(namespaces).collect::<Vec<_>>()
                        })
                        .collect(),
                });
                entry(&mut services, name.clone()).allow.extend(rules);
            }
            Object::DestinationRule(o) => {
                let name = o.spec.host.split('.').next().unwrap_or_default().to_owned();
                let subsets = o
                    .spec
                    .subsets
                    .iter()
                    .filter_map(|s| Some((s.labels.get(version_label)?.clone(), s.name.clone())))
                    .collect();
                entry(&mut services, name).subsets = subsets;
            }
            Object::VirtualService(o) => {
                let Some(host) = o.spec.hosts.first() else {
                    continue;
                };
                let name = host.split('.').next().unwrap_or_default().to_owned();
                let routes = o.spec.http.iter().map(|http| route(&name, http)).collect();
                entry(&mut services, name).routes = routes;
            }
            Object::ServiceAccount(_) | Object::ConfigMap(_) | Object::Telemetry(_) => {}
        }
    }

    let mut out = Collector {
        facts: Vec::new(),
        scope: "mesh".to_owned(),
    };
    out.plain("namespace", namespace.unwrap_or_default());
    out.plain("mTLS", namespace_mtls);
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
                .map_or(Scaling::Replicas(1), |hpa| autoscaler(hpa)),
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
        out.plain("allowed callers", words::allowed_callers(&service.allow));
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
