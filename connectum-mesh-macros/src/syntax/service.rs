//! `service name { ... }`: the workload, its subsets, routes, policies and calls.

use connectum_mesh_core::{
    Autoscaler, GracefulShutdown, PodSecurity, Probe, Probes, Resources, Rollout, ScalingRule,
    Service, Subset,
};

use super::Fields;
use super::mesh::{MTLS, node_name};
use super::record::{Choice, Kind, NamedRecord, Off, Record, Through, Via, Words, table};
use super::resilience::{INTERCEPTORS, TRAFFIC_POLICY};
use super::route::{RouteNode, route};
use super::security::{AllowNode, allow};
use super::tree::{Block, Name};
use super::value::Spanned;
use crate::errors::Errors;

/// One service.
pub struct ServiceNode {
    /// Its name.
    pub name: Spanned<String>,
    /// The keys of [`SERVICE`] that were written.
    pub fields: Record,
    /// `subset name { ... }`, in order.
    pub subsets: Vec<SubsetNode>,
    /// `route name? { ... }`, in order.
    pub routes: Vec<RouteNode>,
    /// `allow { ... }`, in order.
    pub allow: Vec<AllowNode>,
}

/// A service's scaling: fixed `replicas` or an `autoscale`, the builder's one `scaling`.
const SCALING: &Choice = &Choice {
    both: "a service has fixed `replicas` or an `autoscale`, not both",
    none: None,
};

/// `replicas: 3`: `Scaling::Replicas(3)`.
const REPLICAS: &Through = &Through {
    ty: "Scaling",
    via: Via::Call("Replicas"),
    kind: Kind::Count,
};

/// `autoscale: { min_replicas: 2, max_replicas: 10 }`: `Scaling::Autoscale(..)`.
const AUTOSCALE: &Through = &Through {
    ty: "Scaling",
    via: Via::Call("Autoscale"),
    kind: Kind::Record(AUTOSCALER),
};

/// `app_tls: "/etc/tls"`: `AppTls::builder().dir_path("/etc/tls").build()`, the directory of
/// the app's own certificates.
const APP_TLS: &Through = &Through {
    ty: "AppTls",
    via: Via::Setter("dir_path"),
    kind: Kind::Text,
};

table! {
    /// The keys of `service name { ... }`: `Service::builder()`'s setters. The nodes
    /// (`subset`, `route`, `allow`) are read by [`service`].
    pub SERVICE for Service {
        image: Kind::Text => required();
        app_version: Kind::Text;
        port: Kind::Number { min: 1, max: 65535 };
        service_account: Kind::Text;
        config: Kind::TextMap;
        mtls_override: Kind::Word(MTLS) => was(&["mtls"]);
        calls: Kind::Calls;
        spread_across_nodes: Kind::Flag;
        spread_policy: Kind::Word(SPREAD_POLICIES);
        disruption_budget: Kind::DisruptionBudget;
        shutdown: Kind::Record(SHUTDOWN);
        security: Kind::Record(SECURITY);
        rollout: Kind::Record(ROLLOUT);
        traffic_policy: Kind::Record(TRAFFIC_POLICY);
        interceptors: Kind::Record(INTERCEPTORS);
        resources: Kind::Record(RESOURCES);
        sidecar: Kind::Record(RESOURCES);
        probes: Kind::Record(PROBES);
        replicas as scaling: Kind::Through(REPLICAS) => choice(SCALING);
        autoscale as scaling: Kind::Through(AUTOSCALE) => choice(SCALING);
        app_tls: Kind::Through(APP_TLS);
    }
}

/// `subset canary { image: "...", replicas: 1 }`: its name and the keys of [`SUBSET`].
pub type SubsetNode = NamedRecord;

table! {
    /// The keys of `subset name { ... }`.
    pub SUBSET for Subset {
        image: Kind::Text;
        replicas: Kind::Count;
        version_label: Kind::Text => hint(&["version"]);
        app_version: Kind::Text;
    }
}

table! {
    /// The keys of `autoscale: { ... }`.
    pub AUTOSCALER: Autoscaler =
        Autoscaler::builder().min_replicas(1).max_replicas(1).build(), "autoscaler" {
        min_replicas: Kind::Count => required();
        max_replicas: Kind::Count => required();
        cpu_utilization: Kind::Count;
        memory_utilization: Kind::Count;
        scale_up: Kind::Record(SCALING_RULE);
        scale_down: Kind::Record(SCALING_RULE);
    }
}

table! {
    /// The keys of `scale_up: { ... }` and `scale_down: { ... }`.
    pub SCALING_RULE: ScalingRule = ScalingRule::builder()
        .stabilization_window_seconds(0)
        .pods(1)
        .period_seconds(1)
        .build(), "scaling rule" {
        stabilization_window_seconds: Kind::Count => required();
        pods: Kind::Count => required();
        period_seconds: Kind::Count => required();
    }
}

table! {
    /// The keys of `resources: { .. }` and `sidecar: { .. }`: requests and limits of CPU and
    /// memory, Kubernetes' shape of `Resources`' four fields.
    pub RESOURCES: Resources = Resources::default(), "resources block",
        "`{ requests: { cpu: 100m, memory: 128Mi }, limits: { ... } }`" {
        requests: group REQUESTS;
        limits: group LIMITS;
    }
}

table! {
    /// The keys of `requests: { .. }`.
    pub REQUESTS: group Resources, "resources block", "`{ cpu: 100m, memory: 128Mi }`" {
        cpu as cpu_request: Kind::Quantity;
        memory as memory_request: Kind::Quantity;
    }
}

table! {
    /// The keys of `limits: { .. }`.
    pub LIMITS: group Resources, "resources block", "`{ cpu: 100m, memory: 128Mi }`" {
        cpu as cpu_limit: Kind::Quantity;
        memory as memory_limit: Kind::Quantity;
    }
}

table! {
    /// The keys of `probes: { .. }`: each probe not written keeps Connectum's default, and
    /// `off` removes it.
    pub PROBES: Probes = Probes::default(), "probes block",
        "`{ liveness: { path: \"/healthz\", period_seconds: 15 } }`" {
        startup: Kind::OrOff(PROBE, Off::Unset);
        liveness: Kind::OrOff(PROBE, Off::Unset);
        readiness: Kind::OrOff(PROBE, Off::Unset);
    }
}

table! {
    /// The keys of a probe: `liveness: { path: "/healthz", period_seconds: 15 }`.
    pub PROBE: Probe = Probe::builder().path("").period_seconds(1).build(), "probe" {
        path: Kind::Text => required();
        initial_delay_seconds: Kind::Count;
        period_seconds: Kind::Count => required();
        failure_threshold: Kind::Count;
        timeout_seconds: Kind::Count;
    }
}

table! {
    /// The keys of `security: { ... }`, the pod security context.
    pub SECURITY: PodSecurity = PodSecurity::default(), "pod security context" {
        run_as_non_root: Kind::Flag;
        run_as_user: Kind::Count;
        run_as_group: Kind::Count;
        fs_group: Kind::Count;
        seccomp_runtime_default: Kind::Flag;
    }
}

table! {
    /// The keys of `rollout: { ... }`.
    pub ROLLOUT: Rollout = Rollout::default(), "rollout" {
        max_unavailable: Kind::Count;
        allow_zero_ready: Kind::Flag;
        max_surge: Kind::Count;
        revision_history_limit: Kind::Count;
    }
}

table! {
    /// The keys of `shutdown: { ... }`.
    pub SHUTDOWN: GracefulShutdown = GracefulShutdown::default(), "shutdown" {
        pre_stop_sleep: Kind::Duration;
        pre_stop_shell: Kind::Flag;
        timeout: Kind::Duration;
        proxy_drain: Kind::Duration;
        hold_until_proxy_starts: Kind::Flag;
        margin: Kind::Duration;
        termination_grace_period: Kind::Duration;
    }
}

/// How pods spread over nodes, in Kubernetes' `whenUnsatisfiable` words.
const SPREAD_POLICIES: &Words = &Words::of::<connectum_mesh_core::SpreadPolicy>("SpreadPolicy");

/// Reads `service name { ... }`.
pub fn service(
    kind: &Name,
    name: Option<&Name>,
    body: &Block,
    errors: &mut Errors,
) -> Option<ServiceNode> {
    let name = node_name(kind, name, errors);
    let mut fields = Fields::new(body, "service");
    let keys = fields.record(SERVICE, errors);
    let subsets = fields.named_records("subset", "subset", SUBSET, errors);
    let routes = fields
        .nodes("route")
        .into_iter()
        .filter_map(|(kind, name, body)| route(kind, name, body, errors))
        .collect();
    let allow = fields
        .nodes("allow")
        .into_iter()
        .map(|(kind, _, body)| allow(kind, body, errors))
        .collect();
    fields.finish(errors);
    Some(ServiceNode {
        name: name?,
        fields: keys,
        subsets,
        routes,
        allow,
    })
}

#[cfg(test)]
mod tests {
    use crate::syntax::record::Scalar;
    use crate::syntax::test_support::read;
    use quote::quote;

    #[test]
    fn reads_resources_probes_and_autoscaling() {
        let (mesh, errors) = read(quote! {
            namespace: connectum,
            service order-service {
                image: "order:1.0.0",
                autoscale: {
                    min_replicas: 2, max_replicas: 10,
                    scale_down: { stabilization_window_seconds: 300, pods: 1, period_seconds: 120 },
                },
                resources: { requests: { cpu: 100m, memory: 128Mi }, limits: { memory: 1Gi } },
                probes: { startup: off, liveness: { path: "/healthz", period_seconds: 15 } },
            }
        });
        assert!(errors.is_empty(), "{errors:?}");
        let service = &mesh.services[0];
        let Some(Scalar::Through(_, autoscale)) = service.fields.get("autoscale") else {
            panic!("an autoscaler");
        };
        let Scalar::Record(_, autoscale) = &**autoscale else {
            panic!("an autoscaler's block");
        };
        assert!(autoscale.get("scale_down").is_some());
        let Some(Scalar::Record(_, resources)) = service.fields.get("resources") else {
            panic!("resources");
        };
        let written = |group: &str| match resources.get(group) {
            Some(Scalar::Group(keys)) => keys.fields.iter().map(|(s, _)| s.setter).collect(),
            _ => Vec::new(),
        };
        assert_eq!(written("requests"), ["cpu_request", "memory_request"]);
        assert_eq!(written("limits"), ["memory_limit"]);
        let Some(Scalar::Record(_, probes)) = service.fields.get("probes") else {
            panic!("probes");
        };
        assert!(matches!(probes.get("startup"), Some(Scalar::Off(_))));
        assert!(matches!(probes.get("liveness"), Some(Scalar::Record(..))));
        assert_eq!(probes.fields.len(), 2);
    }

    #[test]
    fn replicas_and_autoscale_exclude_each_other() {
        let (_, errors) = read(quote! {
            namespace: connectum,
            service order-service {
                image: "order:1.0.0",
                replicas: 3,
                autoscale: { min_replicas: 2, max_replicas: 10 },
            }
        });
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].starts_with("CM0904"));
    }

    #[test]
    fn a_word_that_is_not_off_is_refused_with_off_suggested() {
        let (_, errors) = read(quote! {
            namespace: connectum,
            service order-service {
                image: "order:1.0.0",
                probes: { startup: of },
                route { to: order-service, retries: of }
            }
        });
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[0].starts_with(
                "CM0905: expected a block `{ ... }` for the probe or `off`, found a name"
            ),
            "{errors:?}"
        );
        assert!(
            errors[1].starts_with(
                "CM0905: expected `{ attempts: 1, per_try_timeout: 10s }` or `off`, found a name"
            ),
            "{errors:?}"
        );
        assert!(errors.iter().all(|e| e.contains("did you mean `off`?")));
    }

    #[test]
    fn a_probe_needs_what_its_builder_needs() {
        let (_, errors) = read(quote! {
            namespace: connectum,
            service order-service { image: "order:1.0.0", probes: { liveness: { path: "/healthz" } } }
        });
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("no `period_seconds`"));
    }
}
