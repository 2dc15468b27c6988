//! The Istio side: PeerAuthentications, AuthorizationPolicies, DestinationRules,
//! VirtualServices and Telemetry.

use std::collections::BTreeMap;

use connectum_mesh_core as model;
use connectum_mesh_core::{Mesh, RouteTarget, Service};

use super::clamp_i32;
use super::meta::{app_selector, object_meta, subset_selector};
use crate::api::networking::{
    self, ConnectionPoolSettings, ConsistentHashLb, Destination, DestinationRule,
    DestinationRuleSpec, DestinationSubset, HttpMatchRequest, HttpRetry, HttpRoute,
    HttpRouteAction, HttpRouteDestination, HttpSettings, LbPolicy, LoadBalancerSettings,
    PortSelector, TcpSettings, VirtualService, VirtualServiceSpec,
};
use crate::api::security::{
    AuthorizationAction, AuthorizationPolicy, AuthorizationPolicySpec, AuthorizationRule,
    PeerAuthentication, PeerAuthenticationSpec, PeerMtls, RuleFrom, RuleSource,
};
use crate::api::telemetry::{
    AccessLoggingConfig, MetricsConfig, ProviderRef, Telemetry, TelemetrySpec, TracingConfig,
};
use crate::api::{PolicyTarget, StringMatch, WorkloadSelector};

/// The name of the namespace-wide PeerAuthentication.
pub(crate) const NAMESPACE_PEER_AUTHENTICATION: &str = "default";

fn mtls_mode(mode: model::MtlsMode) -> crate::api::security::MtlsMode {
    use crate::api::security::MtlsMode as Api;
    match mode {
        model::MtlsMode::Strict => Api::Strict,
        model::MtlsMode::Permissive => Api::Permissive,
        model::MtlsMode::Disable => Api::Disable,
    }
}

fn selector(mesh: &Mesh, service: &Service) -> WorkloadSelector {
    WorkloadSelector {
        match_labels: app_selector(mesh, service),
    }
}

/// The namespace-wide `default` policy, then one override per service that has one
/// (named `<service>-<mode>`, e.g. `order-service-permissive`).
pub(crate) fn peer_authentications(mesh: &Mesh) -> Vec<PeerAuthentication> {
    let namespace_wide = PeerAuthentication {
        metadata: object_meta(mesh, NAMESPACE_PEER_AUTHENTICATION, BTreeMap::new()),
        spec: PeerAuthenticationSpec {
            mtls: Some(PeerMtls {
                mode: Some(mtls_mode(mesh.mtls)),
            }),
            ..PeerAuthenticationSpec::default()
        },
    };
    let overrides = mesh.services.iter().filter_map(|service| {
        let mode = service.mtls_override?;
        let name = format!("{}-{}", service.name, mode.as_istio().to_ascii_lowercase());
        Some(PeerAuthentication {
            metadata: object_meta(mesh, &name, app_selector(mesh, service)),
            spec: PeerAuthenticationSpec {
                selector: Some(selector(mesh, service)),
                mtls: Some(PeerMtls {
                    mode: Some(mtls_mode(mode)),
                }),
                ..PeerAuthenticationSpec::default()
            },
        })
    });
    std::iter::once(namespace_wide).chain(overrides).collect()
}

/// The name of the namespace-wide allow-nothing AuthorizationPolicy ([`Mesh::deny_by_default`]).
pub(crate) const ALLOW_NOTHING_POLICY: &str = "allow-nothing";

/// With `deny_by_default`, an ALLOW policy with no rules for the whole namespace: Istio then
/// admits a request only where a workload's own ALLOW policy does.
pub(crate) fn allow_nothing_policy(mesh: &Mesh) -> Option<AuthorizationPolicy> {
    mesh.deny_by_default.then(|| AuthorizationPolicy {
        metadata: object_meta(mesh, ALLOW_NOTHING_POLICY, BTreeMap::new()),
        spec: AuthorizationPolicySpec::default(),
    })
}

/// An ALLOW policy `<service>-policy`: one rule per allow rule, one `from` per source; or, for a
/// service without allow rules, one rule admitting its declared callers' principals (secure by
/// default, see [`Mesh::authorization`]), `callers` being the mesh's, gathered once.
pub(crate) fn authorization_policy(
    mesh: &Mesh,
    callers: &model::Callers<'_>,
    service: &Service,
) -> Option<AuthorizationPolicy> {
    let rules = match mesh.authorization_among(callers, service) {
        model::Authorization::Open => return None,
        model::Authorization::Derived(callers) => vec![AuthorizationRule {
            from: vec![RuleFrom {
                source: RuleSource {
                    principals: callers
                        .iter()
                        .map(|account| account.principal(&mesh.trust_domain))
                        .collect(),
                    ..RuleSource::default()
                },
            }],
            ..AuthorizationRule::default()
        }],
        model::Authorization::Explicit(allow) => allow
            .iter()
            .cloned()
            // A gateway that routes here is admitted without an allow rule of the user's.
            .chain(
                mesh.unwritten_gateway_accounts(service)
                    .into_iter()
                    .map(model::AllowRule::service_account),
            )
            .map(|rule| AuthorizationRule {
                from: rule
                    .from
                    .iter()
                    .map(|source| RuleFrom {
                        source: match source {
                            model::Source::ServiceAccount(account) => RuleSource {
                                principals: vec![account.principal(&mesh.trust_domain)],
                                ..RuleSource::default()
                            },
                            model::Source::Namespace(namespace) => RuleSource {
                                namespaces: vec![namespace.clone()],
                                ..RuleSource::default()
                            },
                        },
                    })
                    .collect(),
                ..AuthorizationRule::default()
            })
            .collect(),
    };
    Some(AuthorizationPolicy {
        metadata: object_meta(
            mesh,
            &[service.name.as_str(), "-policy"].concat(),
            app_selector(mesh, service),
        ),
        spec: AuthorizationPolicySpec {
            target: Some(PolicyTarget::Selector(selector(mesh, service))),
            action: Some(AuthorizationAction::Allow),
            rules,
        },
    })
}

/// The host's DestinationRule: traffic policy and one subset per workload, whose labels are
/// exactly the `version` label that workload's pods carry.
pub(crate) fn destination_rule(mesh: &Mesh, service: &Service) -> Option<DestinationRule> {
    let traffic_policy = traffic_policy(&service.traffic_policy);
    if traffic_policy.is_none() && service.subsets.is_empty() {
        return None;
    }
    let subsets = service
        .subsets
        .iter()
        .map(|subset| {
            let mut labels = subset_selector(mesh, service, Some(subset));
            // The Service's selector already supplies the app label; the subset adds `version`.
            labels.retain(|key, _| *key == mesh.version_label);
            DestinationSubset {
                name: subset.name.clone(),
                labels,
                traffic_policy: None,
            }
        })
        .collect();
    Some(DestinationRule {
        metadata: object_meta(mesh, &service.name, app_selector(mesh, service)),
        spec: DestinationRuleSpec {
            host: mesh.host(&service.name),
            traffic_policy,
            subsets,
            ..DestinationRuleSpec::default()
        },
    })
}

fn traffic_policy(policy: &model::TrafficPolicy) -> Option<networking::TrafficPolicy> {
    if policy.is_empty() {
        return None;
    }
    Some(networking::TrafficPolicy {
        connection_pool: policy.connection_pool.as_ref().map(connection_pool),
        outlier_detection: policy.outlier_detection.as_ref().map(outlier_detection),
        load_balancer: policy.load_balancer.as_ref().map(load_balancer),
        tls: policy.tls.as_ref().map(client_tls),
    })
}

fn client_tls(tls: &model::ClientTls) -> networking::ClientTlsSettings {
    let (mode, sni) = match tls {
        model::ClientTls::IstioMutual => (networking::ClientTlsMode::IstioMutual, None),
        model::ClientTls::Disable => (networking::ClientTlsMode::Disable, None),
        model::ClientTls::Simple { sni } => (networking::ClientTlsMode::Simple, sni.clone()),
    };
    networking::ClientTlsSettings {
        mode: Some(mode),
        sni,
    }
}

fn connection_pool(pool: &model::ConnectionPool) -> ConnectionPoolSettings {
    ConnectionPoolSettings {
        tcp: pool.tcp.as_ref().map(|tcp| TcpSettings {
            max_connections: tcp.max_connections.map(clamp_i32),
            connect_timeout: tcp.connect_timeout,
        }),
        http: pool.http.as_ref().map(|http| HttpSettings {
            http1_max_pending_requests: http.http1_max_pending_requests.map(clamp_i32),
            http2_max_requests: http.http2_max_requests.map(clamp_i32),
            max_requests_per_connection: http.max_requests_per_connection.map(clamp_i32),
            h2_upgrade_policy: http.h2_upgrade_policy.map(|policy| match policy {
                model::H2UpgradePolicy::Default => networking::H2UpgradePolicy::Default,
                model::H2UpgradePolicy::DoNotUpgrade => networking::H2UpgradePolicy::DoNotUpgrade,
                model::H2UpgradePolicy::Upgrade => networking::H2UpgradePolicy::Upgrade,
            }),
        }),
    }
}

fn outlier_detection(outlier: &model::OutlierDetection) -> networking::OutlierDetection {
    networking::OutlierDetection {
        consecutive_5xx_errors: outlier.consecutive_5xx_errors,
        consecutive_gateway_errors: outlier.consecutive_gateway_errors,
        interval: outlier.interval,
        base_ejection_time: outlier.base_ejection_time,
        max_ejection_percent: outlier.max_ejection_percent.map(clamp_i32),
        min_health_percent: outlier.min_health_percent.map(clamp_i32),
    }
}

fn load_balancer(lb: &model::LoadBalancer) -> LoadBalancerSettings {
    let policy = match lb {
        model::LoadBalancer::Simple(simple) => LbPolicy::Simple(match simple {
            model::SimpleLb::RoundRobin => networking::SimpleLb::RoundRobin,
            model::SimpleLb::LeastRequest => networking::SimpleLb::LeastRequest,
            model::SimpleLb::Random => networking::SimpleLb::Random,
            model::SimpleLb::Passthrough => networking::SimpleLb::Passthrough,
        }),
        model::LoadBalancer::ConsistentHash(key) => LbPolicy::ConsistentHash(ConsistentHashLb {
            hash_key: match key {
                model::HashKey::HttpHeaderName(name) => {
                    networking::HashKey::HttpHeaderName(name.clone())
                }
                model::HashKey::UseSourceIp => networking::HashKey::UseSourceIp(true),
                model::HashKey::HttpQueryParameterName(name) => {
                    networking::HashKey::HttpQueryParameterName(name.clone())
                }
            },
        }),
    };
    LoadBalancerSettings {
        policy: Some(policy),
    }
}

/// One VirtualService per host holding every route of the service, in order.
pub(crate) fn virtual_service(mesh: &Mesh, service: &Service) -> Option<VirtualService> {
    if service.routes.is_empty() {
        return None;
    }
    let host = mesh.host(&service.name);
    let destination = |subset: Option<&str>| Destination {
        host: host.clone(),
        subset: subset.map(str::to_owned),
        port: Some(PortSelector {
            number: u32::from(service.port),
        }),
    };
    let http = service
        .routes
        .iter()
        .map(|route| {
            let destinations = match &route.target {
                RouteTarget::Subset(subset) => vec![HttpRouteDestination {
                    destination: destination(Some(subset.name())),
                    weight: None,
                }],
                RouteTarget::Split(split) => split
                    .legs
                    .iter()
                    .map(|leg| HttpRouteDestination {
                        destination: destination(Some(leg.subset.name())),
                        weight: Some(clamp_i32(leg.weight)),
                    })
                    .collect(),
                RouteTarget::Service => vec![HttpRouteDestination {
                    destination: destination(None),
                    weight: None,
                }],
            };
            HttpRoute {
                name: route.name.clone(),
                matches: route.matches.iter().map(request_match).collect(),
                action: Some(HttpRouteAction::Route(destinations)),
                timeout: route.timeout,
                retries: route.retries.as_ref().map(http_retry),
            }
        })
        .collect();
    Some(VirtualService {
        metadata: object_meta(mesh, &service.name, app_selector(mesh, service)),
        spec: VirtualServiceSpec {
            hosts: vec![host],
            http,
            ..VirtualServiceSpec::default()
        },
    })
}

/// A retry policy as Istio writes it; `attempts` always, since an absent block means 2.
pub(crate) fn http_retry(retry: &model::MeshRetry) -> HttpRetry {
    HttpRetry {
        attempts: Some(clamp_i32(retry.attempts)),
        per_try_timeout: retry.per_try_timeout,
        retry_on: retry.retry_on_text(),
    }
}

pub(crate) fn string_match(value: &model::StringMatch) -> StringMatch {
    match value {
        model::StringMatch::Exact(text) => StringMatch::Exact(text.clone()),
        model::StringMatch::Prefix(text) => StringMatch::Prefix(text.clone()),
        model::StringMatch::Regex(text) => StringMatch::Regex(text.clone()),
    }
}

fn request_match(condition: &model::RequestMatch) -> HttpMatchRequest {
    HttpMatchRequest {
        uri: condition.uri.as_ref().map(string_match),
        headers: condition
            .headers
            .iter()
            .map(|header| (header.name.clone(), string_match(&header.value)))
            .collect(),
        ..HttpMatchRequest::default()
    }
}

/// The namespace's Telemetry resource, when the mesh describes one.
pub(crate) fn telemetry(mesh: &Mesh) -> Option<Telemetry> {
    let telemetry = mesh.telemetry.as_ref()?;
    let providers = |names: &[String]| -> Vec<ProviderRef> {
        names
            .iter()
            .map(|name| ProviderRef { name: name.clone() })
            .collect()
    };
    Some(Telemetry {
        metadata: object_meta(mesh, &telemetry.name, BTreeMap::new()),
        spec: TelemetrySpec {
            target: None,
            tracing: telemetry
                .tracing
                .iter()
                .map(|tracing| TracingConfig {
                    providers: providers(&tracing.providers),
                    random_sampling_percentage: tracing.sampling_percent,
                })
                .collect(),
            metrics: (!telemetry.metrics_providers.is_empty())
                .then(|| MetricsConfig {
                    providers: providers(&telemetry.metrics_providers),
                })
                .into_iter()
                .collect(),
            access_logging: (!telemetry.access_log_providers.is_empty())
                .then(|| AccessLoggingConfig {
                    providers: providers(&telemetry.access_log_providers),
                })
                .into_iter()
                .collect(),
        },
    })
}
