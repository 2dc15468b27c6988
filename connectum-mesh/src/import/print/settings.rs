//! The model's settings as [`Value`]s, once for both printers: each record holds what differs
//! from the defaults of its builder (which are the DSL's defaults too), under the setter's name
//! (which is the DSL's word).

use connectum_mesh_core::{
    Autoscaler, ChainBudget, DisruptionBudget, GatewayClass, GatewayRuntime, GracefulShutdown,
    HashKey, Interceptors, Listener, LoadBalancer, Mesh, MeshMode, MeshRetry, MtlsMode, PodCount,
    PodSecurity, Probe, Probes, Resources, RetryBudget, RetryOn, Rollout, Scaling, ScalingRule,
    Service, SidecarMode, Subset, Telemetry, TrafficPolicy,
};

use super::doc::Doc;
use super::value::{Record, Value, quoted};

/// The mesh-wide settings (not its services, gateways, callers or budgets).
pub(super) fn mesh(mesh: &Mesh) -> Record {
    let defaults = Mesh::builder().namespace(mesh.namespace.clone()).build();
    Record::new("Mesh")
        .with("namespace", Value::Name(mesh.namespace.clone()))
        .with("part_of", mesh.part_of.clone().map(Value::Text))
        .changed("mode", &mesh.mode, &MeshMode::Istio, |m| {
            Value::word("MeshMode", m)
        })
        .with("mtls", Value::word("MtlsMode", &mesh.mtls))
        .changed("sidecar_injection", &mesh.sidecar_injection, &true, |on| {
            Value::Both {
                dsl: Doc::text(if *on { "enabled" } else { "disabled" }),
                rust: Doc::text(on.to_string()),
            }
        })
        .changed("sidecars", &mesh.sidecars, &SidecarMode::Classic, |m| {
            Value::word("SidecarMode", m)
        })
        .changed(
            "trust_domain",
            &mesh.trust_domain,
            &defaults.trust_domain,
            |t| Value::Text(t.clone()),
        )
        .changed("app_label", &mesh.app_label, &defaults.app_label, |l| {
            Value::Text(l.clone())
        })
        .changed(
            "version_label",
            &mesh.version_label,
            &defaults.version_label,
            |l| Value::Text(l.clone()),
        )
        .changed("host_style", &mesh.host_style, &defaults.host_style, |h| {
            Value::word("HostStyle", h)
        })
        .with("namespace_labels", map(&mesh.namespace_labels))
        .with(
            "known_namespaces",
            Value::some_names(&mesh.known_namespaces),
        )
        .changed(
            "retry_budget",
            &mesh.retry_budget,
            &RetryBudget::DEFAULT,
            |b| Value::Both {
                dsl: Doc::text(b.max_worst_case_calls.to_string()),
                rust: Doc::text(format!("RetryBudget::calls({})", b.max_worst_case_calls)),
            },
        )
        .changed("deny_by_default", &mesh.deny_by_default, &false, |d| {
            Value::Flag(*d)
        })
        .changed("split_total", &mesh.split_total, &100, Value::numeral)
}

/// A map of strings, or nothing when empty.
pub(super) fn map(entries: &std::collections::BTreeMap<String, String>) -> Option<Value> {
    (!entries.is_empty()).then(|| {
        Value::Map(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    })
}

/// Namespace-wide telemetry (its name is the node's name).
pub(super) fn telemetry(telemetry: &Telemetry) -> Record {
    Record::new("Telemetry")
        .with(
            "tracing",
            telemetry.tracing.as_ref().map(|tracing| {
                Value::Record(
                    Record::new("Tracing")
                        .with("providers", Value::names(&tracing.providers))
                        .with(
                            "sampling_percent",
                            tracing.sampling_percent.map(Value::Float),
                        ),
                )
            }),
        )
        .with(
            "metrics_providers",
            Value::some_names(&telemetry.metrics_providers),
        )
        .with(
            "access_log_providers",
            Value::some_names(&telemetry.access_log_providers),
        )
}

/// A chain budget's chain and calls.
pub(super) fn chain_budget(budget: &ChainBudget) -> (Value, u64) {
    (
        Value::names(&budget.chain),
        budget.budget.max_worst_case_calls,
    )
}

/// A service's settings that are one key each (not its subsets, routes or allow rules). The
/// scaling is the one setting the DSL writes under two keys: `replicas` or `autoscale` for the
/// builder's `scaling`.
pub(super) fn service(service: &Service) -> Record {
    let defaults = Service::builder().name("").image("").build();
    Record::new("Service")
        .with("image", Value::Text(service.image.clone()))
        .with("app_version", service.app_version.clone().map(Value::Text))
        .changed("port", &service.port, &defaults.port, Value::numeral)
        .with_scaling(&service.scaling, &defaults.scaling)
        .with("resources", service.resources.as_ref().map(resources))
        .with("sidecar", service.sidecar.as_ref().map(resources))
        .with(
            "service_account",
            service.service_account.clone().map(Value::Name),
        )
        .with("config", map(&service.config))
        .with(
            "mtls_override",
            service
                .mtls_override
                .map(|m: MtlsMode| Value::word("MtlsMode", &m)),
        )
        .with("calls", Value::some_names(&service.calls))
        .with(
            "app_tls",
            service.app_tls.as_ref().map(|tls| Value::Both {
                dsl: quoted(&tls.dir_path),
                rust: Value::record_doc(
                    Record::new("AppTls").with("dir_path", Value::Text(tls.dir_path.clone())),
                ),
            }),
        )
        .changed(
            "spread_across_nodes",
            &service.spread_across_nodes,
            &true,
            |s| Value::Flag(*s),
        )
        .changed(
            "spread_policy",
            &service.spread_policy,
            &defaults.spread_policy,
            |p| Value::word("SpreadPolicy", p),
        )
        .changed(
            "disruption_budget",
            &service.disruption_budget,
            &DisruptionBudget::Auto,
            |b| disruption_budget(*b),
        )
        .with("shutdown", nonempty(shutdown(&service.shutdown)))
        .with("probes", nonempty(probes(&service.probes)))
        .with("security", nonempty(security(&service.security)))
        .with("rollout", nonempty(rollout(&service.rollout)))
        .with(
            "traffic_policy",
            nonempty(traffic_policy(&service.traffic_policy)),
        )
        .with(
            "interceptors",
            nonempty(interceptors(&service.interceptors)),
        )
}

impl Record {
    fn with_scaling(self, scaling: &Scaling, default: &Scaling) -> Self {
        match scaling {
            _ if scaling == default => self,
            Scaling::Replicas(n) => self.with(
                "replicas",
                Value::Both {
                    dsl: Doc::text(n.to_string()),
                    rust: Doc::call("Scaling::Replicas", vec![Doc::text(n.to_string())]),
                },
            ),
            Scaling::Autoscale(autoscaler) => {
                let record = self::autoscaler(autoscaler);
                self.with(
                    "autoscale",
                    Value::Both {
                        dsl: super::value::dsl_record(&record),
                        rust: Doc::call("Scaling::Autoscale", vec![Value::record_doc(record)]),
                    },
                )
            }
        }
    }
}

impl Value {
    /// A record as Rust writes it.
    fn record_doc(record: Record) -> Doc {
        super::value::rust_record(&record, Vec::new())
    }
}

/// The Rust key of a DSL key: `replicas` and `autoscale` both set `scaling`.
pub(super) fn rust_key(key: &'static str) -> &'static str {
    match key {
        "replicas" | "autoscale" => "scaling",
        other => other,
    }
}

/// The record, or nothing when it sets nothing.
fn nonempty(record: Record) -> Option<Value> {
    (!record.is_empty()).then_some(Value::Record(record))
}

fn autoscaler(autoscaler: &Autoscaler) -> Record {
    let rule = |rule: &ScalingRule| {
        Value::Record(
            Record::new("ScalingRule")
                .with(
                    "stabilization_window_seconds",
                    Value::number(rule.stabilization_window_seconds),
                )
                .with("pods", Value::number(rule.pods))
                .with("period_seconds", Value::number(rule.period_seconds)),
        )
    };
    Record::new("Autoscaler")
        .with("min_replicas", Value::number(autoscaler.min_replicas))
        .with("max_replicas", Value::number(autoscaler.max_replicas))
        .with(
            "cpu_utilization",
            autoscaler.cpu_utilization.map(Value::number),
        )
        .with(
            "memory_utilization",
            autoscaler.memory_utilization.map(Value::number),
        )
        .with("scale_up", autoscaler.scale_up.as_ref().map(rule))
        .with("scale_down", autoscaler.scale_down.as_ref().map(rule))
}

/// Requests and limits: `{ requests: { cpu, memory }, limits: { .. } }` in the DSL, the four
/// setters of `Resources` in Rust.
fn resources(resources: &Resources) -> Value {
    let quantity = |q: &Option<connectum_mesh_core::Quantity>| q.clone().map(Value::Quantity);
    let pair = |cpu, memory| nonempty(Record::new("").with("cpu", cpu).with("memory", memory));
    let dsl = Record::new("")
        .with(
            "requests",
            pair(
                quantity(&resources.cpu_request),
                quantity(&resources.memory_request),
            ),
        )
        .with(
            "limits",
            pair(
                quantity(&resources.cpu_limit),
                quantity(&resources.memory_limit),
            ),
        );
    let rust = Record::new("Resources")
        .with("cpu_request", quantity(&resources.cpu_request))
        .with("cpu_limit", quantity(&resources.cpu_limit))
        .with("memory_request", quantity(&resources.memory_request))
        .with("memory_limit", quantity(&resources.memory_limit));
    Value::Both {
        dsl: super::value::dsl_record(&dsl),
        rust: Value::record_doc(rust),
    }
}

fn disruption_budget(budget: DisruptionBudget) -> Value {
    let count = |count: PodCount| match count {
        PodCount::Pods(n) => (n.to_string(), format!("PodCount::Pods({n})")),
        PodCount::Percent(p) => (format!("\"{p}%\""), format!("PodCount::Percent({p})")),
    };
    let (dsl, rust) = match budget {
        DisruptionBudget::Auto => ("auto".to_owned(), "DisruptionBudget::Auto".to_owned()),
        DisruptionBudget::Disabled => (
            "disabled".to_owned(),
            "DisruptionBudget::Disabled".to_owned(),
        ),
        DisruptionBudget::MaxUnavailable(c) => {
            let (dsl, rust) = count(c);
            (
                format!("max_unavailable {dsl}"),
                format!("DisruptionBudget::MaxUnavailable({rust})"),
            )
        }
        DisruptionBudget::MinAvailable(c) => {
            let (dsl, rust) = count(c);
            (
                format!("min_available {dsl}"),
                format!("DisruptionBudget::MinAvailable({rust})"),
            )
        }
    };
    Value::Both {
        dsl: Doc::text(dsl),
        rust: Doc::text(rust),
    }
}

/// The shutdown settings that differ from the defaults. A missing preStop sleep is `Off`,
/// which the DSL cannot say: the `mesh!` printer leaves it out of the block and completes it.
pub(super) fn shutdown(shutdown: &GracefulShutdown) -> Record {
    let d = GracefulShutdown::default();
    let duration = |d: &connectum_mesh_core::Duration| Value::Duration(*d);
    Record::new("GracefulShutdown")
        .changed(
            "pre_stop_sleep",
            &shutdown.pre_stop_sleep,
            &d.pre_stop_sleep,
            |sleep| sleep.map_or(Value::Off, Value::Duration),
        )
        .changed(
            "pre_stop_shell",
            &shutdown.pre_stop_shell,
            &d.pre_stop_shell,
            |f| Value::Flag(*f),
        )
        .changed("timeout", &shutdown.timeout, &d.timeout, duration)
        .with("proxy_drain", shutdown.proxy_drain.map(Value::Duration))
        .changed(
            "hold_until_proxy_starts",
            &shutdown.hold_until_proxy_starts,
            &d.hold_until_proxy_starts,
            |f| Value::Flag(*f),
        )
        .changed("margin", &shutdown.margin, &d.margin, duration)
        .with(
            "termination_grace_period",
            shutdown.termination_grace_period.map(Value::Duration),
        )
}

/// The probes that differ from Connectum's defaults: `off`, or the probe's settings (`path`
/// and `period_seconds` always, as the builder requires them).
fn probes(probes: &Probes) -> Record {
    let d = Probes::default();
    let probe = |probe: &Option<Probe>| match probe {
        None => Value::Off,
        Some(probe) => {
            let base = Probe::builder()
                .path(probe.path.clone())
                .period_seconds(probe.period_seconds)
                .build();
            Value::Record(
                Record::new("Probe")
                    .with("path", Value::Text(probe.path.clone()))
                    .with(
                        "initial_delay_seconds",
                        probe.initial_delay_seconds.map(Value::number),
                    )
                    .with("period_seconds", Value::number(probe.period_seconds))
                    .changed(
                        "failure_threshold",
                        &probe.failure_threshold,
                        &base.failure_threshold,
                        Value::numeral,
                    )
                    .changed(
                        "timeout_seconds",
                        &probe.timeout_seconds,
                        &base.timeout_seconds,
                        Value::numeral,
                    ),
            )
        }
    };
    Record::new("Probes")
        .changed("startup", &probes.startup, &d.startup, probe)
        .changed("liveness", &probes.liveness, &d.liveness, probe)
        .changed("readiness", &probes.readiness, &d.readiness, probe)
}

fn security(security: &PodSecurity) -> Record {
    let d = PodSecurity::default();
    let flag = |f: &bool| Value::Flag(*f);
    Record::new("PodSecurity")
        .changed(
            "run_as_non_root",
            &security.run_as_non_root,
            &d.run_as_non_root,
            flag,
        )
        .changed(
            "run_as_user",
            &security.run_as_user,
            &d.run_as_user,
            Value::numeral,
        )
        .changed(
            "run_as_group",
            &security.run_as_group,
            &d.run_as_group,
            Value::numeral,
        )
        .changed("fs_group", &security.fs_group, &d.fs_group, Value::numeral)
        .changed(
            "seccomp_runtime_default",
            &security.seccomp_runtime_default,
            &d.seccomp_runtime_default,
            flag,
        )
}

fn rollout(rollout: &Rollout) -> Record {
    let d = Rollout::default();
    Record::new("Rollout")
        .changed(
            "max_unavailable",
            &rollout.max_unavailable,
            &d.max_unavailable,
            Value::numeral,
        )
        .changed(
            "allow_zero_ready",
            &rollout.allow_zero_ready,
            &d.allow_zero_ready,
            |f| Value::Flag(*f),
        )
        .changed(
            "max_surge",
            &rollout.max_surge,
            &d.max_surge,
            Value::numeral,
        )
        .changed(
            "revision_history_limit",
            &rollout.revision_history_limit,
            &d.revision_history_limit,
            Value::numeral,
        )
}

/// The traffic policy, without its client TLS, which the DSL cannot say (the `mesh!` printer
/// completes it; the builder printer adds it).
pub(super) fn traffic_policy(policy: &TrafficPolicy) -> Record {
    let count = |n: Option<u32>| n.map(Value::number);
    let duration = |d: Option<connectum_mesh_core::Duration>| d.map(Value::Duration);
    let pool = policy.connection_pool.as_ref().map(|pool| {
        Value::Record(
            Record::new("ConnectionPool")
                .with(
                    "tcp",
                    pool.tcp.as_ref().map(|tcp| {
                        Value::Record(
                            Record::new("TcpPool")
                                .with("max_connections", count(tcp.max_connections))
                                .with("connect_timeout", duration(tcp.connect_timeout)),
                        )
                    }),
                )
                .with(
                    "http",
                    pool.http.as_ref().map(|http| {
                        Value::Record(
                            Record::new("HttpPool")
                                .with(
                                    "h2_upgrade_policy",
                                    http.h2_upgrade_policy
                                        .map(|p| Value::word("H2UpgradePolicy", &p)),
                                )
                                .with(
                                    "max_requests_per_connection",
                                    count(http.max_requests_per_connection),
                                )
                                .with("http2_max_requests", count(http.http2_max_requests))
                                .with(
                                    "http1_max_pending_requests",
                                    count(http.http1_max_pending_requests),
                                ),
                        )
                    }),
                ),
        )
    });
    let outlier = policy.outlier_detection.as_ref().map(|o| {
        Value::Record(
            Record::new("OutlierDetection")
                .with("consecutive_5xx_errors", count(o.consecutive_5xx_errors))
                .with(
                    "consecutive_gateway_errors",
                    count(o.consecutive_gateway_errors),
                )
                .with("interval", duration(o.interval))
                .with("base_ejection_time", duration(o.base_ejection_time))
                .with("max_ejection_percent", count(o.max_ejection_percent))
                .with("min_health_percent", count(o.min_health_percent)),
        )
    });
    Record::new("TrafficPolicy")
        .with("connection_pool", pool)
        .with("outlier_detection", outlier)
        .with(
            "load_balancer",
            policy.load_balancer.as_ref().map(load_balancer),
        )
        .with(
            "tls",
            policy.tls.as_ref().map(|tls| Value::Both {
                dsl: Doc::text(""),
                rust: super::builders::client_tls(tls),
            }),
        )
}

/// Whether the DSL has no word for `value` under `record › key` of a service (no preStop
/// sleep, a client TLS): the `mesh!` printer completes them after the block.
pub(super) fn not_in_the_dsl(record: &str, key: &str, value: &Value) -> bool {
    matches!(
        (record, key, value),
        ("shutdown", "pre_stop_sleep", Value::Off) | ("traffic_policy", "tls", _)
    )
}

fn load_balancer(balancer: &LoadBalancer) -> Value {
    let (dsl, rust) = match balancer {
        LoadBalancer::Simple(simple) => {
            let word = match simple {
                connectum_mesh_core::SimpleLb::RoundRobin => "ROUND_ROBIN",
                connectum_mesh_core::SimpleLb::LeastRequest => "LEAST_REQUEST",
                connectum_mesh_core::SimpleLb::Random => "RANDOM",
                connectum_mesh_core::SimpleLb::Passthrough => "PASSTHROUGH",
            };
            (
                word.to_owned(),
                format!("LoadBalancer::Simple(SimpleLb::{simple:?})"),
            )
        }
        LoadBalancer::ConsistentHash(key) => {
            let (dsl, rust) = match key {
                HashKey::HttpHeaderName(name) => (
                    format!("header {}", super::value::name(name)),
                    format!("HashKey::HttpHeaderName({name:?}.into())"),
                ),
                HashKey::HttpQueryParameterName(name) => (
                    format!("query_parameter {}", super::value::name(name)),
                    format!("HashKey::HttpQueryParameterName({name:?}.into())"),
                ),
                HashKey::UseSourceIp => ("source_ip".to_owned(), "HashKey::UseSourceIp".to_owned()),
            };
            (
                format!("consistent_hash {dsl}"),
                format!("LoadBalancer::ConsistentHash({rust})"),
            )
        }
    };
    Value::Both {
        dsl: Doc::text(dsl),
        rust: Doc::text(rust),
    }
}

fn interceptors(interceptors: &Interceptors) -> Record {
    let breaker = interceptors.circuit_breaker.as_ref().map(|b| {
        let d = connectum_mesh_core::CircuitBreaker::default();
        Value::Record(
            Record::new("CircuitBreaker")
                .changed("threshold", &b.threshold, &d.threshold, Value::numeral)
                .changed(
                    "half_open_after",
                    &b.half_open_after,
                    &d.half_open_after,
                    |t| Value::Duration(*t),
                ),
        )
    });
    let retry = interceptors.retry.as_ref().map(|r| {
        let d = connectum_mesh_core::AppRetry::default();
        let duration = |t: &connectum_mesh_core::Duration| Value::Duration(*t);
        Value::Record(
            Record::new("AppRetry")
                .changed(
                    "max_retries",
                    &r.max_retries,
                    &d.max_retries,
                    Value::numeral,
                )
                .changed(
                    "initial_delay",
                    &r.initial_delay,
                    &d.initial_delay,
                    duration,
                )
                .changed("max_delay", &r.max_delay, &d.max_delay, duration),
        )
    });
    let bulkhead = interceptors.bulkhead.as_ref().map(|b| {
        let d = connectum_mesh_core::Bulkhead::default();
        Value::Record(
            Record::new("Bulkhead")
                .changed("capacity", &b.capacity, &d.capacity, Value::numeral)
                .changed("queue_size", &b.queue_size, &d.queue_size, Value::numeral),
        )
    });
    Record::new("Interceptors")
        .with("circuit_breaker", breaker)
        .with(
            "timeout",
            interceptors
                .timeout
                .as_ref()
                .map(|t| Value::Duration(t.duration)),
        )
        .with("retry", retry)
        .with("bulkhead", bulkhead)
}

/// A route's retries: `off` for none, the policy otherwise.
pub(super) fn retries(retry: &MeshRetry) -> Value {
    if *retry == MeshRetry::disabled() {
        return Value::Both {
            dsl: Doc::text("off"),
            rust: Doc::text("MeshRetry::disabled()"),
        };
    }
    let condition = |on: &RetryOn| match on {
        // A status is a number, which the DSL reads from a string.
        RetryOn::Status(code) => Value::Both {
            dsl: quoted(&code.to_string()),
            rust: Doc::text(format!("RetryOn::Status({code})")),
        },
        word => Value::word("RetryOn", word),
    };
    Value::Record(
        Record::new("MeshRetry")
            .with("attempts", Value::number(retry.attempts))
            .with(
                "per_try_timeout",
                retry.per_try_timeout.map(Value::Duration),
            )
            .with(
                "retry_on",
                (!retry.retry_on.is_empty())
                    .then(|| Value::List(retry.retry_on.iter().map(condition).collect())),
            ),
    )
}

/// A subset's settings (its name is the node's).
pub(super) fn subset(subset: &Subset) -> Record {
    Record::new("Subset")
        .with("image", subset.image.clone().map(Value::Text))
        .with("replicas", subset.replicas.map(Value::number))
        .with(
            "version_label",
            subset.version_label.clone().map(Value::Text),
        )
        .with("app_version", subset.app_version.clone().map(Value::Text))
}

/// A listener's settings (its name is the node's).
pub(super) fn listener(listener: &Listener) -> Record {
    Record::new("Listener")
        .with("hostname", listener.hostname.clone().map(Value::Text))
        .with("port", Value::number(listener.port))
        .with(
            "protocol",
            Value::word("ListenerProtocol", &listener.protocol),
        )
        .with(
            "tls_credential",
            listener.tls_credential.clone().map(Value::Name),
        )
}

/// Where a gateway runs, when not on Istio's default ingress gateway. An ingress gateway with
/// other pod labels is `None` too: the DSL cannot say it (the `mesh!` printer completes it).
pub(super) fn runtime(runtime: &GatewayRuntime) -> Option<Value> {
    let GatewayRuntime::GatewayApi(class) = runtime else {
        return None;
    };
    let (dsl, rust) = if *class == GatewayClass::istio() {
        (
            Doc::text("istio"),
            Doc::text("GatewayClass::istio().into()"),
        )
    } else if *class == GatewayClass::envoy_gateway(class.name.clone()) {
        (
            Doc::text(format!("envoy_gateway {}", super::value::name(&class.name))),
            Doc::text(format!(
                "GatewayClass::envoy_gateway({:?}).into()",
                class.name
            )),
        )
    } else {
        let record = Record::new("GatewayClass")
            .with("name", Value::Name(class.name.clone()))
            .with(
                "implementation",
                Value::word("GatewayImplementation", &class.implementation),
            )
            .changed("declare", &class.declare, &false, |d| Value::Flag(*d));
        (
            super::value::dsl_record(&record),
            Doc::Concat(vec![Value::record_doc(record), Doc::text(".into()")]),
        )
    };
    Some(Value::Both { dsl, rust })
}
