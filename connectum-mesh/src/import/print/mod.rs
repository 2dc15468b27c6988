//! A mesh as Rust source: a `mesh!{}` block, or the builder calls it expands to. What an
//! import found, ready to paste into an infra crate.
//!
//! What this printer does not write in the DSL yet (native sidecars, gateways, a service's
//! disruption budget) follows the block as builder calls, in a block
//! expression that returns the completed mesh.
//!
//! Values are written in the DSL's own words (the builders' setter names); strings, durations
//! and quantities are quoted, which the DSL accepts everywhere. Settings the DSL has no key for
//! (probes, the pod security context, the rollout) are left at the defaults the DSL gives; the
//! import lists each difference from them as CM0827 so nothing is lost unnoticed.

use std::fmt::Write;

mod builders;

use connectum_mesh_core::{
    AllowRule, HostStyle, LoadBalancer, Mesh, MeshRetry, MtlsMode, RequestMatch, Route,
    RouteTarget, Scaling, Service, Source, StringMatch,
};

fn quoted(text: &str) -> String {
    format!("{text:?}")
}

fn mtls(mode: MtlsMode) -> &'static str {
    mode.as_istio()
}

/// The mesh as a `mesh!{}` block, as an expression (`let mesh = …;` around it is yours).
///
/// ```
/// use connectum_mesh::{Mesh, Service};
///
/// let mut mesh = Mesh::builder().namespace("shop").build();
/// mesh.add_service(Service::builder().name("cart").image("cart:1.0.0").build());
/// let code = connectum_mesh::import::print::mesh_macro(&mesh);
/// assert!(code.contains("service cart {"));
/// ```
#[must_use]
pub fn mesh_macro(mesh: &Mesh) -> String {
    let completion = builders::completion(mesh);
    let mut with_stand_ins = mesh.clone();
    with_stand_ins
        .external_callers
        .extend(builders::stand_ins(mesh));
    let block = mesh_block(&with_stand_ins);
    if completion.is_empty() {
        return block;
    }
    let mut out = String::from("{\nlet mut mesh = ");
    out.push_str(block.trim_end());
    out.push_str(";\n// What mesh! has no words for yet, as builder calls.\n");
    for statement in completion {
        out.push_str(&statement);
        out.push('\n');
    }
    out.push_str("mesh\n}\n");
    out
}

/// The `mesh!` block alone.
fn mesh_block(mesh: &Mesh) -> String {
    let mut out = String::from("connectum_mesh::mesh! {\n");
    let _ = writeln!(out, "    namespace: {},", mesh.namespace);
    if let Some(part_of) = &mesh.part_of {
        let _ = writeln!(out, "    part_of: {},", quoted(part_of));
    }
    if mesh.mode == connectum_mesh_core::MeshMode::None {
        out.push_str("    mode: none,\n");
    }
    let _ = writeln!(out, "    mtls: {},", mtls(mesh.mtls));
    let _ = writeln!(
        out,
        "    sidecar_injection: {},",
        if mesh.sidecar_injection {
            "enabled"
        } else {
            "disabled"
        }
    );
    if mesh.deny_by_default {
        out.push_str("    deny_by_default: true,\n");
    }
    if mesh.host_style == HostStyle::Fqdn {
        out.push_str("    host_style: fqdn,\n");
    }
    if !mesh.namespace_labels.is_empty() {
        let _ = writeln!(
            out,
            "    namespace_labels: {},",
            map(&mesh.namespace_labels)
        );
    }
    if !mesh.known_namespaces.is_empty() {
        let _ = writeln!(
            out,
            "    known_namespaces: [{}],",
            mesh.known_namespaces.join(", ")
        );
    }
    if let Some(telemetry) = &mesh.telemetry {
        let _ = writeln!(out, "    telemetry {} {{", telemetry.name);
        if let Some(tracing) = &telemetry.tracing {
            let sampling = tracing
                .sampling_percent
                .map(|p| format!(", sampling_percent: {p}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "        tracing: {{ providers: [{}]{sampling} }},",
                tracing.providers.join(", ")
            );
        }
        if !telemetry.metrics_providers.is_empty() {
            let _ = writeln!(
                out,
                "        metrics_providers: [{}],",
                telemetry.metrics_providers.join(", ")
            );
        }
        if !telemetry.access_log_providers.is_empty() {
            let _ = writeln!(
                out,
                "        access_log_providers: [{}],",
                telemetry.access_log_providers.join(", ")
            );
        }
        out.push_str("    }\n");
    }
    for caller in &mesh.external_callers {
        let _ = writeln!(
            out,
            "    external {} {{ service_account: {}/{}, calls: [{}] }}",
            caller.name,
            caller.service_account.namespace,
            caller.service_account.name,
            caller.calls.join(", ")
        );
    }
    for service in &mesh.services {
        service_block(&mut out, service);
    }
    out.push_str("}\n");
    out
}

fn map(entries: &std::collections::BTreeMap<String, String>) -> String {
    let inner: Vec<String> = entries
        .iter()
        .map(|(k, v)| format!("{}: {}", quoted(k), quoted(v)))
        .collect();
    format!("{{ {} }}", inner.join(", "))
}

fn resources(resources: &connectum_mesh_core::Resources) -> String {
    let pair = |cpu: &Option<connectum_mesh_core::Quantity>,
                memory: &Option<connectum_mesh_core::Quantity>| {
        let mut parts = Vec::new();
        if let Some(cpu) = cpu {
            parts.push(format!("cpu: {}", quoted(cpu.as_str())));
        }
        if let Some(memory) = memory {
            parts.push(format!("memory: {}", quoted(memory.as_str())));
        }
        parts
    };
    let mut parts = Vec::new();
    let requests = pair(&resources.cpu_request, &resources.memory_request);
    if !requests.is_empty() {
        parts.push(format!("requests: {{ {} }}", requests.join(", ")));
    }
    let limits = pair(&resources.cpu_limit, &resources.memory_limit);
    if !limits.is_empty() {
        parts.push(format!("limits: {{ {} }}", limits.join(", ")));
    }
    format!("{{ {} }}", parts.join(", "))
}

fn service_block(out: &mut String, service: &Service) {
    let _ = writeln!(out, "    service {} {{", service.name);
    let _ = writeln!(out, "        image: {},", quoted(&service.image));
    if let Some(version) = &service.app_version {
        let _ = writeln!(out, "        app_version: {},", quoted(version));
    }
    let _ = writeln!(out, "        port: {},", service.port);
    if let Some(tls) = &service.app_tls {
        let _ = writeln!(out, "        app_tls: {},", quoted(&tls.dir_path));
    }
    match &service.scaling {
        Scaling::Replicas(n) => {
            let _ = writeln!(out, "        replicas: {n},");
        }
        Scaling::Autoscale(a) => {
            let mut parts = vec![
                format!("min_replicas: {}", a.min_replicas),
                format!("max_replicas: {}", a.max_replicas),
            ];
            if let Some(p) = a.cpu_utilization {
                parts.push(format!("cpu_utilization: {p}"));
            }
            if let Some(p) = a.memory_utilization {
                parts.push(format!("memory_utilization: {p}"));
            }
            for (key, rule) in [("scale_up", &a.scale_up), ("scale_down", &a.scale_down)] {
                if let Some(r) = rule {
                    parts.push(format!(
                        "{key}: {{ stabilization_window_seconds: {}, pods: {}, period_seconds: {} }}",
                        r.stabilization_window_seconds, r.pods, r.period_seconds
                    ));
                }
            }
            let _ = writeln!(out, "        autoscale: {{ {} }},", parts.join(", "));
        }
    }
    if let Some(r) = &service.resources {
        let _ = writeln!(out, "        resources: {},", resources(r));
    }
    if let Some(r) = &service.sidecar {
        let _ = writeln!(out, "        sidecar: {},", resources(r));
    }
    if let Some(account) = &service.service_account {
        let _ = writeln!(out, "        service_account: {account},");
    }
    if !service.config.is_empty() {
        let _ = writeln!(out, "        config: {},", map(&service.config));
    }
    if let Some(mode) = service.mtls_override {
        let _ = writeln!(out, "        mtls_override: {},", mtls(mode));
    }
    if !service.spread_across_nodes {
        out.push_str("        spread_across_nodes: false,\n");
    }
    let shutdown = &service.shutdown;
    let mut parts = vec![format!(
        "timeout: {}",
        quoted(&shutdown.timeout.to_string())
    )];
    if let Some(sleep) = shutdown.pre_stop_sleep {
        parts.insert(0, format!("pre_stop_sleep: {}", quoted(&sleep.to_string())));
    }
    if let Some(grace) = shutdown.termination_grace_period {
        parts.push(format!(
            "termination_grace_period: {}",
            quoted(&grace.to_string())
        ));
    }
    let _ = writeln!(out, "        shutdown: {{ {} }},", parts.join(", "));
    traffic_policy(out, &service.traffic_policy);
    let interceptors = &service.interceptors;
    let mut parts = Vec::new();
    if let Some(breaker) = &interceptors.circuit_breaker {
        parts.push(format!(
            "circuit_breaker: {{ threshold: {}, half_open_after: \"{}\" }}",
            breaker.threshold, breaker.half_open_after
        ));
    }
    if let Some(timeout) = &interceptors.timeout {
        parts.push(format!("timeout: \"{}\"", timeout.duration));
    }
    if let Some(retry) = &interceptors.retry {
        parts.push(format!(
            "retry: {{ max_retries: {}, initial_delay: \"{}\", max_delay: \"{}\" }}",
            retry.max_retries, retry.initial_delay, retry.max_delay
        ));
    }
    if let Some(bulkhead) = &interceptors.bulkhead {
        parts.push(format!(
            "bulkhead: {{ capacity: {}, queue_size: {} }}",
            bulkhead.capacity, bulkhead.queue_size
        ));
    }
    if !parts.is_empty() {
        let _ = writeln!(out, "        interceptors: {{ {} }},", parts.join(", "));
    }
    if !service.calls.is_empty() {
        let _ = writeln!(out, "        calls: [{}],", service.calls.join(", "));
    }
    for rule in &service.allow {
        let _ = writeln!(out, "        allow {{ from: [{}] }}", allow(rule));
    }
    for subset in &service.subsets {
        let mut parts = Vec::new();
        if let Some(image) = &subset.image {
            parts.push(format!("image: {}", quoted(image)));
        }
        if let Some(replicas) = subset.replicas {
            parts.push(format!("replicas: {replicas}"));
        }
        if let Some(version) = &subset.version_label {
            parts.push(format!("version_label: {}", quoted(version)));
        }
        if let Some(version) = &subset.app_version {
            parts.push(format!("app_version: {}", quoted(version)));
        }
        if parts.is_empty() {
            let _ = writeln!(out, "        subset {} {{}}", subset.name);
        } else {
            let _ = writeln!(
                out,
                "        subset {} {{ {} }}",
                subset.name,
                parts.join(", ")
            );
        }
    }
    for route in &service.routes {
        route_block(out, service, route);
    }
    out.push_str("    }\n");
}

fn traffic_policy(out: &mut String, policy: &connectum_mesh_core::TrafficPolicy) {
    if policy.is_empty() {
        return;
    }
    let mut parts = Vec::new();
    if let Some(pool) = &policy.connection_pool {
        let mut pool_parts = Vec::new();
        if let Some(tcp) = &pool.tcp {
            let mut p = Vec::new();
            if let Some(n) = tcp.max_connections {
                p.push(format!("max_connections: {n}"));
            }
            if let Some(d) = tcp.connect_timeout {
                p.push(format!("connect_timeout: {}", quoted(&d.to_string())));
            }
            pool_parts.push(format!("tcp: {{ {} }}", p.join(", ")));
        }
        if let Some(http) = &pool.http {
            let mut p = Vec::new();
            if let Some(n) = http.http1_max_pending_requests {
                p.push(format!("http1_max_pending_requests: {n}"));
            }
            if let Some(n) = http.http2_max_requests {
                p.push(format!("http2_max_requests: {n}"));
            }
            if let Some(n) = http.max_requests_per_connection {
                p.push(format!("max_requests_per_connection: {n}"));
            }
            if let Some(policy) = http.h2_upgrade_policy {
                p.push(format!("h2_upgrade_policy: {policy}"));
            }
            pool_parts.push(format!("http: {{ {} }}", p.join(", ")));
        }
        parts.push(format!("connection_pool: {{ {} }}", pool_parts.join(", ")));
    }
    if let Some(o) = &policy.outlier_detection {
        let mut p = Vec::new();
        let numbers = [
            ("consecutive_5xx_errors", o.consecutive_5xx_errors),
            ("consecutive_gateway_errors", o.consecutive_gateway_errors),
            ("max_ejection_percent", o.max_ejection_percent),
            ("min_health_percent", o.min_health_percent),
        ];
        for (key, value) in numbers {
            if let Some(v) = value {
                p.push(format!("{key}: {v}"));
            }
        }
        for (key, value) in [
            ("interval", o.interval),
            ("base_ejection_time", o.base_ejection_time),
        ] {
            if let Some(v) = value {
                p.push(format!("{key}: {}", quoted(&v.to_string())));
            }
        }
        parts.push(format!("outlier_detection: {{ {} }}", p.join(", ")));
    }
    if let Some(LoadBalancer::Simple(simple)) = &policy.load_balancer {
        let word = match simple {
            connectum_mesh_core::SimpleLb::RoundRobin => "ROUND_ROBIN",
            connectum_mesh_core::SimpleLb::LeastRequest => "LEAST_REQUEST",
            connectum_mesh_core::SimpleLb::Random => "RANDOM",
            connectum_mesh_core::SimpleLb::Passthrough => "PASSTHROUGH",
        };
        parts.push(format!("load_balancer: {word}"));
    }
    let _ = writeln!(out, "        traffic_policy: {{ {} }},", parts.join(", "));
}

fn allow(rule: &AllowRule) -> String {
    rule.from
        .iter()
        .map(|source| match source {
            Source::ServiceAccount(account) => {
                format!("service_account {}/{}", account.namespace, account.name)
            }
            Source::Namespace(namespace) => format!("namespace {namespace}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn string_match(value: &StringMatch) -> String {
    match value {
        StringMatch::Exact(text) => quoted(text),
        StringMatch::Prefix(text) => format!("prefix {}", quoted(text)),
        StringMatch::Regex(text) => format!("regex {}", quoted(text)),
    }
}

fn request_match(condition: &RequestMatch) -> String {
    let mut parts = Vec::new();
    if !condition.headers.is_empty() {
        let headers: Vec<String> = condition
            .headers
            .iter()
            .map(|h| format!("{}: {}", h.name, string_match(&h.value)))
            .collect();
        parts.push(format!("headers: {{ {} }}", headers.join(", ")));
    }
    if let Some(uri) = &condition.uri {
        parts.push(format!("uri: {}", string_match(uri)));
    }
    format!("{{ {} }}", parts.join(", "))
}

fn retries(retry: &MeshRetry) -> String {
    if retry.attempts == 0 {
        return "off".to_owned();
    }
    let mut parts = vec![format!("attempts: {}", retry.attempts)];
    if let Some(t) = retry.per_try_timeout {
        parts.push(format!("per_try_timeout: {}", quoted(&t.to_string())));
    }
    if let Some(text) = retry.retry_on_text() {
        parts.push(format!("retry_on: [{}]", text.replace(',', ", ")));
    }
    format!("{{ {} }}", parts.join(", "))
}

fn route_block(out: &mut String, service: &Service, route: &Route) {
    let mut parts = Vec::new();
    match route.matches.as_slice() {
        [] => {}
        [one] => parts.push(format!("match: {}", request_match(one))),
        many => parts.push(format!(
            "match: [{}]",
            many.iter()
                .map(request_match)
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
    match &route.target {
        RouteTarget::Subset(subset) => parts.push(format!("to: {}", subset.name())),
        RouteTarget::Service => parts.push(format!("to: {}", service.name)),
        RouteTarget::Split(split) => parts.push(format!(
            "split: {{ {} }}",
            split
                .legs
                .iter()
                .map(|leg| format!("{}: {}", leg.subset.name(), leg.weight))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
    if let Some(timeout) = route.timeout {
        parts.push(format!("timeout: {}", quoted(&timeout.to_string())));
    }
    if let Some(retry) = &route.retries {
        parts.push(format!("retries: {}", retries(retry)));
    }
    let name = route
        .name
        .as_deref()
        .map(|n| format!(" {n}"))
        .unwrap_or_default();
    let _ = writeln!(out, "        route{name} {{ {} }}", parts.join(", "));
}

/// The mesh as builder calls, the same calls `mesh!` expands to: a function body that returns
/// the mesh. Built by formatting the model's `Debug`-free values, so it compiles against the
/// public API.
#[must_use]
pub fn builders(mesh: &Mesh) -> String {
    let mut out = String::from(
        "// Builder calls for the imported mesh. The mesh! block that `connectum-mesh import` prints\n// expands to these same calls.\nfn mesh() -> connectum_mesh::Mesh {\n    use connectum_mesh::*;\n",
    );
    let _ = writeln!(
        out,
        "    let mut mesh = Mesh::builder().namespace({}).mtls(MtlsMode::{:?}).sidecar_injection({}).deny_by_default({}).build();",
        quoted(&mesh.namespace),
        mesh.mtls,
        mesh.sidecar_injection,
        mesh.deny_by_default
    );
    for service in &mesh.services {
        let _ = writeln!(
            out,
            "    let mut service = Service::builder().name({}).image({}).port({}).build();",
            quoted(&service.name),
            quoted(&service.image),
            service.port
        );
        for subset in &service.subsets {
            let _ = writeln!(
                out,
                "    service.add_subset(Subset::builder().name({}).build());",
                quoted(&subset.name)
            );
        }
        let _ = writeln!(out, "    mesh.add_service(service);");
    }
    out.push_str("    mesh\n}\n");
    out
}
