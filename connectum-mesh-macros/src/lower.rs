//! Syntax → the core model, so the compile-time checks are the runtime checker's own rules.
//!
//! Lowering also resolves names (a route's `to: canary` must name a declared subset), refuses
//! duplicate declarations, and remembers where every item of the model was written, so each
//! checker diagnostic lands on the token its path names. Values written as Rust expressions
//! are unknown here: lowering leaves the model's default in their place and marks their path,
//! and a diagnostic that depends on them is left to the runtime checker.

use connectum_mesh_core::{
    AllowRule, AppRetry, AppTimeout, AppTls, Autoscaler, Bulkhead, ChainBudget, CircuitBreaker,
    ConnectionPool, Diagnostic, Duration, ExternalCaller, GracefulShutdown, HeaderMatch, HttpPool,
    Interceptors, Mesh, MeshPath, MeshRetry, OutlierDetection, Probe, Probes, Quantity,
    RequestMatch, Resources, RetryBudget, Route, RouteTarget, Scaling, ScalingRule, Service,
    ServiceAccountRef, Source, Split, Subset, SubsetRef, TcpPool, Telemetry, Tracing,
    TrafficPolicy,
};
use proc_macro2::Span;

use crate::errors::{Codes, Errors};
use crate::syntax::mesh::MeshNode;
use crate::syntax::resilience::{InterceptorsNode, TrafficPolicyNode};
use crate::syntax::route::{RouteNode, TargetNode};
use crate::syntax::security::{ExternalNode, SourceNode};
use crate::syntax::service::{ProbeSetting, ProbesNode, ResourcesNode, ServiceNode};
use crate::syntax::tree::SpanRange;
use crate::syntax::value::{Given, Record, Scalar, Spanned};

/// Where each item of the lowered model was written, and which values are unknown until run
/// time.
#[derive(Default)]
pub struct SpanIndex {
    spans: Vec<(Vec<String>, SpanRange)>,
    opaque: Vec<Vec<String>>,
    calls: Vec<(String, String, SpanRange)>,
    labels: Vec<(Vec<String>, String, SpanRange)>,
}

/// Compares path segments loosely, so `traffic_policy`, `traffic policy` and `trafficPolicy`
/// are one segment.
fn normal(segment: &str) -> String {
    segment
        .chars()
        .filter(|c| *c != '_' && *c != ' ')
        .flat_map(char::to_lowercase)
        .collect()
}

fn normal_path(path: &[String]) -> Vec<String> {
    path.iter().map(|s| normal(s)).collect()
}

impl SpanIndex {
    fn record(&mut self, path: &MeshPath, span: SpanRange) {
        self.spans.push((normal_path(path.segments()), span));
    }

    /// An entry of the item at `path` that messages name in backticks (a header, a label key).
    fn label(&mut self, path: &MeshPath, label: &str, span: SpanRange) {
        self.labels
            .push((normal_path(path.segments()), label.to_owned(), span));
    }

    fn opaque(&mut self, path: &MeshPath) {
        self.opaque.push(normal_path(path.segments()));
    }

    /// The span of the item `path` names: the longest recorded prefix of it, a call chain's
    /// first declared call, or the macro call.
    pub fn span_of(&self, diagnostic: &Diagnostic) -> SpanRange {
        let path = &diagnostic.path;
        let code = diagnostic.code.as_str();
        // A route's own path stands for its destination in these rules: point at `to:`.
        if (code == "CM0201" || code == "CM0211")
            && let Some(span) = self.exact(&path.join("to"))
        {
            return span;
        }
        if let Some(chain) = path.segments().iter().find_map(|s| chain_of(s)) {
            let first_edge = chain.windows(2).next();
            if let Some(edge) = first_edge
                && let Some((_, _, span)) = self
                    .calls
                    .iter()
                    .find(|(from, to, _)| *from == edge[0] && *to == edge[1])
            {
                return *span;
            }
        }
        let Some((found, span)) = self.closest(path) else {
            return SpanRange::single(Span::call_site());
        };
        // The entry of that item the message names, e.g. header `x canary` of a match.
        self.labels
            .iter()
            .find(|(parent, label, _)| {
                parent == found && diagnostic.message.contains(&format!("`{label}`"))
            })
            .map_or(*span, |(_, _, label_span)| *label_span)
    }

    /// The recorded item that `path` names: the longest recorded prefix (the last one written
    /// when two items share a path, so a duplicate points at the second declaration).
    fn closest(&self, path: &MeshPath) -> Option<&(Vec<String>, SpanRange)> {
        let wanted = normal_path(path.segments());
        self.spans
            .iter()
            .filter(|(recorded, _)| wanted.starts_with(recorded))
            .max_by_key(|(recorded, _)| recorded.len())
    }

    fn exact(&self, path: &MeshPath) -> Option<SpanRange> {
        let wanted = normal_path(path.segments());
        self.spans
            .iter()
            .find(|(recorded, _)| *recorded == wanted)
            .map(|(_, span)| *span)
    }

    /// Whether `diagnostic` may depend on a value known only at run time.
    pub fn depends_on_runtime(&self, diagnostic: &Diagnostic) -> bool {
        let path = normal_path(diagnostic.path.segments());
        let related = self
            .opaque
            .iter()
            .any(|opaque| opaque.starts_with(&path) || path.starts_with(opaque));
        if related {
            return true;
        }
        // Rules that compare across services (chains, callers' timeouts) name the other
        // services in their message or chain; within one service the paths above decide.
        let own = path.first();
        let chain = diagnostic.path.segments().iter().find_map(|s| chain_of(s));
        self.opaque.iter().any(|opaque| {
            let Some(first) = opaque.first() else {
                return false;
            };
            let Some(service) = first.strip_prefix("service") else {
                return false;
            };
            match &chain {
                Some(names) => names.iter().any(|n| normal(n) == service),
                None => own != Some(first) && diagnostic.message.contains(service),
            }
        })
    }
}

/// The services of a `chain a → b → c` segment.
fn chain_of(segment: &str) -> Option<Vec<String>> {
    let rest = segment.strip_prefix("chain ")?;
    let names = rest
        .split(['→', '>'])
        .map(|s| s.trim().trim_end_matches('-').trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    Some(names)
}

struct Lowering<'e> {
    index: SpanIndex,
    errors: &'e mut Errors,
}

impl Lowering<'_> {
    /// A value known now, recording where it is; `None` (and a mark) for an expression.
    fn given<T: Clone>(&mut self, given: Option<&Given<T>>, path: &MeshPath) -> Option<T> {
        let given = given?;
        self.index.record(path, given.span());
        match given {
            Given::Literal(Spanned { value, .. }) => Some(value.clone()),
            Given::Expr(_) => {
                self.index.opaque(path);
                None
            }
        }
    }

    /// A required value; when it is missing (already reported) or an expression, the model
    /// gets the default and the checker's findings about it are dropped.
    fn required<T: Clone + Default>(&mut self, given: Option<&Given<T>>, path: &MeshPath) -> T {
        if given.is_none() {
            self.index.opaque(path);
        }
        self.given(given, path).unwrap_or_default()
    }

    fn count(&mut self, record: &Record, key: &str, path: &MeshPath) -> Option<u32> {
        match record.get(key) {
            Some(Scalar::Count(given)) => self.given(Some(given), &path.join(key)),
            _ => None,
        }
    }

    fn duration(&mut self, record: &Record, key: &str, path: &MeshPath) -> Option<Duration> {
        match record.get(key) {
            Some(Scalar::Duration(given)) => self.given(Some(given), &path.join(key)),
            _ => None,
        }
    }

    fn flag(&mut self, record: &Record, key: &str, path: &MeshPath) -> Option<bool> {
        match record.get(key) {
            Some(Scalar::Flag(given)) => self.given(Some(given), &path.join(key)),
            _ => None,
        }
    }

    fn text(&mut self, record: &Record, key: &str, path: &MeshPath) -> Option<String> {
        match record.get(key) {
            Some(Scalar::Text(given)) => self.given(Some(given), &path.join(key)),
            _ => None,
        }
    }

    fn duplicate(
        &mut self,
        seen: &mut Vec<String>,
        name: &Spanned<String>,
        what: &str,
        path: &MeshPath,
    ) {
        if seen.contains(&name.value) {
            self.errors.about(
                path,
                name.span,
                Codes::DUPLICATE_ROUTE,
                format!("{what} `{}` is declared twice", name.value),
            );
        } else {
            seen.push(name.value.clone());
        }
    }
}

/// Lowers the mesh, reporting names that do not resolve and duplicate declarations.
pub fn lower(node: &MeshNode, errors: &mut Errors) -> (Mesh, SpanIndex) {
    let mut lowering = Lowering {
        index: SpanIndex::default(),
        errors,
    };
    let root = MeshPath::root();
    let namespace = lowering.required(node.namespace.as_ref(), &root.join("namespace"));
    let mut mesh = Mesh::builder().namespace(namespace).build();
    if let Some(mtls) = &node.mtls {
        lowering.index.record(&root.join("mtls"), mtls.span);
        mesh.mtls = mtls.value;
    }
    if let Some(given) = &node.injection {
        lowering
            .index
            .record(&root.join("sidecar_injection"), given.span());
    }
    if let Some(injection) = lowering.given(node.injection.as_ref(), &root.join("injection")) {
        mesh.sidecar_injection = injection;
    }
    if let Some(v) = lowering.given(node.trust_domain.as_ref(), &root.join("trust_domain")) {
        mesh.trust_domain = v;
    }
    mesh.part_of = lowering.given(node.part_of.as_ref(), &root.join("part_of"));
    if let Some(v) = lowering.given(node.app_label.as_ref(), &root.join("app_label")) {
        mesh.app_label = v;
    }
    if let Some(v) = lowering.given(node.version_label.as_ref(), &root.join("version_label")) {
        mesh.version_label = v;
    }
    if let Some(style) = &node.host_style {
        mesh.host_style = style.value;
    }
    if let (Some((first, _)), Some((_, last))) =
        (node.namespace_labels.first(), node.namespace_labels.last())
    {
        let all = first.span.to(last.span());
        lowering.index.record(&root.join("namespace_labels"), all);
    }
    for (key, value) in &node.namespace_labels {
        lowering
            .index
            .label(&root.join("namespace_labels"), &key.value, key.span);
        let path = root.join("namespace_labels").join(&key.value);
        if let Some(v) = lowering.given(Some(value), &path) {
            mesh.namespace_labels.insert(key.value.clone(), v);
        }
    }
    for (i, ns) in node.known_namespaces.iter().enumerate() {
        lowering
            .index
            .record(&root.join(format_args!("known_namespaces[{i}]")), ns.span);
        mesh.known_namespaces.push(ns.value.clone());
    }
    if let Some(calls) = lowering.given(node.retry_budget.as_ref(), &root.join("retry_budget")) {
        mesh.retry_budget = RetryBudget::calls(calls);
    }
    for (i, budget) in node.chain_budgets.iter().enumerate() {
        let chain: Vec<String> = budget.chain.iter().map(|s| s.value.clone()).collect();
        let path = root.join(format_args!("chain_budgets[{i}]"));
        lowering.index.record(&path, budget.span);
        let calls = lowering.given(budget.calls.as_ref(), &path.join("calls"));
        mesh.chain_budgets.push(ChainBudget {
            chain,
            budget: calls.map_or(RetryBudget::DEFAULT, RetryBudget::calls),
        });
    }
    if let Some(total) = lowering.given(node.split_total.as_ref(), &root.join("split_total")) {
        mesh.split_total = total;
    }
    if let Some(t) = &node.telemetry {
        let path = root.join("telemetry");
        lowering.index.record(&path, t.name.span);
        let mut telemetry = Telemetry::builder().name(t.name.value.clone()).build();
        for (i, provider) in t.metrics.iter().enumerate() {
            lowering.index.record(
                &path.join(format_args!("metrics_providers[{i}]")),
                provider.span,
            );
        }
        for (i, provider) in t.access_log.iter().enumerate() {
            lowering.index.record(
                &path.join(format_args!("access_log_providers[{i}]")),
                provider.span,
            );
        }
        if let Some((providers, sampling)) = &t.tracing {
            for (i, provider) in providers.iter().enumerate() {
                let p = path.join("tracing").join(format_args!("providers[{i}]"));
                lowering.index.record(&p, provider.span);
            }
            if let Some(given) = sampling {
                let p = path.join("tracing").join("sampling_percent");
                lowering.index.record(&p, given.span());
            }
            let mut tracing = Tracing::builder()
                .providers(providers.iter().map(|p| p.value.clone()).collect())
                .build();
            tracing.sampling_percent =
                lowering.given(sampling.as_ref(), &path.join("tracing").join("sampling"));
            telemetry.tracing = Some(tracing);
        }
        telemetry.metrics_providers = t.metrics.iter().map(|p| p.value.clone()).collect();
        telemetry.access_log_providers = t.access_log.iter().map(|p| p.value.clone()).collect();
        mesh.telemetry = Some(telemetry);
    }
    for (i, external) in node.externals.iter().enumerate() {
        let path = root.join(format_args!("external caller {}", external.name.value));
        lowering.index.record(&path, external.name.span);
        lowering.index.record(
            &root.join(format_args!("external_callers[{i}]")),
            external.name.span,
        );
        let caller = lower_external(&mut lowering, external, &path, &mesh.namespace);
        mesh.external_callers.push(caller);
    }
    for (i, service) in node.services.iter().enumerate() {
        let path = MeshPath::service(&service.name.value);
        lowering.index.record(&path, service.name.span);
        lowering
            .index
            .record(&root.join(format_args!("services[{i}]")), service.name.span);
        let lowered = lower_service(&mut lowering, service, &path);
        mesh.add_service(lowered);
    }
    (mesh, lowering.index)
}

/// `namespace/name`, or `name` in the mesh's namespace.
pub fn service_account(text: &str, namespace: &str) -> ServiceAccountRef {
    match text.split_once('/') {
        Some((ns, name)) => ServiceAccountRef::new(ns, name),
        None => ServiceAccountRef::new(namespace, text),
    }
}

fn lower_external(
    lowering: &mut Lowering,
    node: &ExternalNode,
    path: &MeshPath,
    namespace: &str,
) -> ExternalCaller {
    lowering
        .index
        .record(&path.join("service_account"), node.service_account.span);
    for (i, call) in node.calls.iter().enumerate() {
        lowering
            .index
            .record(&path.join(format_args!("calls[{i}]")), call.span);
        let as_service = MeshPath::service(&node.name.value).join(format_args!("calls[{i}]"));
        lowering.index.record(&as_service, call.span);
        lowering
            .index
            .calls
            .push((node.name.value.clone(), call.value.clone(), call.span));
    }
    ExternalCaller::builder()
        .name(node.name.value.clone())
        .service_account(service_account(&node.service_account.value, namespace))
        .calls(node.calls.iter().map(|c| c.value.clone()).collect())
        .build()
}

fn lower_service(lowering: &mut Lowering, node: &ServiceNode, path: &MeshPath) -> Service {
    let image = lowering.required(node.image.as_ref(), &path.join("image"));
    let mut service = Service::builder()
        .name(node.name.value.clone())
        .image(image)
        .build();
    service.app_version = lowering.given(node.app_version.as_ref(), &path.join("app_version"));
    if let Some(port) = lowering.given(node.port.as_ref(), &path.join("port")) {
        service.port = u16::try_from(port).unwrap_or(u16::MAX);
    }
    if let Some(given) = &node.replicas {
        lowering.index.record(&path.join("scaling"), given.span());
    }
    if let Some(replicas) = lowering.given(node.replicas.as_ref(), &path.join("replicas")) {
        service.scaling = Scaling::Replicas(replicas);
    }
    if let Some(record) = &node.autoscale {
        let p = path.join("autoscale");
        lowering.index.record(&p, record.span);
        lowering.index.record(&path.join("scaling"), record.span);
        let mut autoscaler = Autoscaler::builder()
            .min_replicas(lowering.count(record, "min_replicas", &p).unwrap_or(1))
            .max_replicas(lowering.count(record, "max_replicas", &p).unwrap_or(1))
            .build();
        autoscaler.cpu_utilization = lowering.count(record, "cpu_utilization", &p);
        autoscaler.memory_utilization = lowering.count(record, "memory_utilization", &p);
        let mut rule = |rule: &Option<Record>, key: &str| {
            let rule = rule.as_ref()?;
            let r = p.join(key);
            lowering.index.record(&r, rule.span);
            Some(ScalingRule {
                stabilization_window_seconds: lowering
                    .count(rule, "stabilization_window_seconds", &r)
                    .unwrap_or(0),
                pods: lowering.count(rule, "pods", &r).unwrap_or(1),
                period_seconds: lowering.count(rule, "period_seconds", &r).unwrap_or(1),
            })
        };
        autoscaler.scale_up = rule(&node.scale_up, "scale_up");
        autoscaler.scale_down = rule(&node.scale_down, "scale_down");
        service.scaling = Scaling::Autoscale(autoscaler);
    }
    service.resources = node
        .resources
        .as_ref()
        .map(|r| lower_resources(lowering, r, &path.join("resources")));
    service.sidecar = node
        .sidecar
        .as_ref()
        .map(|r| lower_resources(lowering, r, &path.join("sidecar")));
    service.service_account =
        lowering.given(node.service_account.as_ref(), &path.join("service_account"));
    if let (Some((first, _)), Some((_, last))) = (node.config.first(), node.config.last()) {
        lowering
            .index
            .record(&path.join("config"), first.span.to(last.span()));
    }
    for (key, value) in &node.config {
        lowering
            .index
            .label(&path.join("config"), &key.value, key.span);
        if let Some(v) = lowering.given(Some(value), &path.join("config").join(&key.value)) {
            service.config.insert(key.value.clone(), v);
        }
    }
    if let Some(mtls) = &node.mtls {
        lowering.index.record(&path.join("mtls"), mtls.span);
        lowering
            .index
            .record(&path.join("mtls_override"), mtls.span);
        service.mtls_override = Some(mtls.value);
    }
    for (i, call) in node.calls.iter().enumerate() {
        lowering
            .index
            .record(&path.join(format_args!("calls[{i}]")), call.span);
        lowering
            .index
            .calls
            .push((node.name.value.clone(), call.value.clone(), call.span));
    }
    service.calls = node.calls.iter().map(|c| c.value.clone()).collect();
    if let Some(dir) = lowering.given(node.app_tls.as_ref(), &path.join("app_tls")) {
        service.app_tls = Some(AppTls::builder().dir_path(dir).build());
    }
    if let Some(spread) = lowering.given(
        node.spread_across_nodes.as_ref(),
        &path.join("spread_across_nodes"),
    ) {
        service.spread_across_nodes = spread;
    }
    if let Some(record) = &node.shutdown {
        let p = path.join("shutdown");
        lowering.index.record(&p, record.span);
        let mut shutdown = GracefulShutdown::default();
        if let Some(d) = lowering.duration(record, "pre_stop_sleep", &p) {
            shutdown.pre_stop_sleep = Some(d);
        }
        if let Some(d) = lowering.duration(record, "timeout", &p) {
            shutdown.timeout = d;
        }
        shutdown.termination_grace_period =
            lowering.duration(record, "termination_grace_period", &p);
        service.shutdown = shutdown;
    }
    if let Some(probes) = &node.probes {
        lower_probes(lowering, probes, &mut service.probes, &path.join("probes"));
    }
    if let Some(record) = &node.security {
        let p = path.join("security");
        lowering.index.record(&p, record.span);
        let security = &mut service.security;
        if let Some(v) = lowering.flag(record, "run_as_non_root", &p) {
            security.run_as_non_root = v;
        }
        if let Some(v) = lowering.count(record, "run_as_user", &p) {
            security.run_as_user = i64::from(v);
        }
        if let Some(v) = lowering.count(record, "run_as_group", &p) {
            security.run_as_group = i64::from(v);
        }
        if let Some(v) = lowering.count(record, "fs_group", &p) {
            security.fs_group = i64::from(v);
        }
        if let Some(v) = lowering.flag(record, "seccomp_runtime_default", &p) {
            security.seccomp_runtime_default = v;
        }
    }
    if let Some(record) = &node.rollout {
        let p = path.join("rollout");
        lowering.index.record(&p, record.span);
        let rollout = &mut service.rollout;
        if let Some(v) = lowering.count(record, "max_unavailable", &p) {
            rollout.max_unavailable = v;
        }
        if let Some(v) = lowering.count(record, "max_surge", &p) {
            rollout.max_surge = v;
        }
        if let Some(v) = lowering.count(record, "revision_history_limit", &p) {
            rollout.revision_history_limit = v;
        }
    }
    if let Some(policy) = &node.traffic_policy {
        service.traffic_policy =
            lower_traffic_policy(lowering, policy, &path.join("traffic_policy"));
    }
    if let Some(interceptors) = &node.interceptors {
        service.interceptors =
            lower_interceptors(lowering, interceptors, &path.join("interceptors"));
    }
    for (i, subset) in node.subsets.iter().enumerate() {
        let p = path.join(format_args!("subset {}", subset.name.value));
        lowering.index.record(&p, subset.name.span);
        lowering
            .index
            .record(&path.join(format_args!("subsets[{i}]")), subset.name.span);
        let mut lowered = Subset::builder().name(subset.name.value.clone()).build();
        lowered.image = lowering.text(&subset.fields, "image", &p);
        lowered.replicas = lowering.count(&subset.fields, "replicas", &p);
        lowered.version_label = lowering.text(&subset.fields, "version_label", &p);
        lowered.app_version = lowering.text(&subset.fields, "app_version", &p);
        service.add_subset(lowered);
    }
    let mut seen = Vec::new();
    for (i, route) in node.routes.iter().enumerate() {
        let p = path.join(format_args!("routes[{i}]"));
        lowering.index.record(&p, route.span);
        if let Some(name) = &route.name {
            lowering
                .index
                .record(&path.join(format_args!("route {}", name.value)), name.span);
            lowering.duplicate(&mut seen, name, "route", &p);
        }
        let lowered = lower_route(lowering, &service, route, &p);
        service.add_route(lowered);
    }
    if let (Some(first), Some(last)) = (node.allow.first(), node.allow.last()) {
        lowering
            .index
            .record(&path.join("allow"), first.span.to(last.span));
    }
    for (i, rule) in node.allow.iter().enumerate() {
        let p = path.join(format_args!("allow[{i}]"));
        lowering.index.record(&p, rule.span);
        let mut from = Vec::new();
        for (j, source) in rule.from.iter().enumerate() {
            lowering
                .index
                .record(&p.join(format_args!("from[{j}]")), source.span());
            from.push(match source {
                SourceNode::ServiceAccount(account) => {
                    Source::ServiceAccount(service_account(&account.value, ""))
                }
                SourceNode::Namespace(ns) => Source::Namespace(ns.value.clone()),
            });
        }
        service.allow.push(AllowRule::builder().from(from).build());
    }
    service
}

fn lower_probes(lowering: &mut Lowering, node: &ProbesNode, probes: &mut Probes, path: &MeshPath) {
    lowering.index.record(path, node.span);
    for (kind, setting) in &node.probes {
        let p = path.join(kind);
        let lowered = match setting {
            ProbeSetting::Off(span) => {
                lowering.index.record(&p, *span);
                None
            }
            ProbeSetting::On(record) => {
                lowering.index.record(&p, record.span);
                let mut probe = Probe::builder()
                    .path(lowering.text(record, "path", &p).unwrap_or_default())
                    .period_seconds(lowering.count(record, "period_seconds", &p).unwrap_or(1))
                    .build();
                probe.initial_delay_seconds = lowering.count(record, "initial_delay_seconds", &p);
                if let Some(v) = lowering.count(record, "failure_threshold", &p) {
                    probe.failure_threshold = v;
                }
                if let Some(v) = lowering.count(record, "timeout_seconds", &p) {
                    probe.timeout_seconds = v;
                }
                Some(probe)
            }
        };
        match *kind {
            "startup" => probes.startup = lowered,
            "liveness" => probes.liveness = lowered,
            _ => probes.readiness = lowered,
        }
    }
}

fn lower_resources(lowering: &mut Lowering, node: &ResourcesNode, path: &MeshPath) -> Resources {
    lowering.index.record(path, node.span);
    let mut q = |given: &Option<Given<Quantity>>, key: &str| {
        lowering.given(given.as_ref(), &path.join(key))
    };
    Resources {
        cpu_request: q(&node.cpu_request, "cpu_request"),
        cpu_limit: q(&node.cpu_limit, "cpu_limit"),
        memory_request: q(&node.memory_request, "memory_request"),
        memory_limit: q(&node.memory_limit, "memory_limit"),
    }
}

fn lower_traffic_policy(
    lowering: &mut Lowering,
    node: &TrafficPolicyNode,
    path: &MeshPath,
) -> TrafficPolicy {
    lowering.index.record(path, node.span);
    let mut policy = TrafficPolicy::default();
    if let Some(span) = node.connection_pool {
        let p = path.join("connection_pool");
        lowering.index.record(&p, span);
        let mut pool = ConnectionPool::default();
        if let Some(tcp) = &node.tcp {
            let t = p.join("tcp");
            lowering.index.record(&t, tcp.span);
            pool.tcp = Some(TcpPool {
                max_connections: lowering.count(tcp, "max_connections", &t),
                connect_timeout: lowering.duration(tcp, "connect_timeout", &t),
            });
        }
        if let Some((http, h2)) = &node.http {
            let h = p.join("http");
            lowering.index.record(&h, http.span);
            pool.http = Some(HttpPool {
                h2_upgrade_policy: h2.as_ref().map(|s| s.value),
                max_requests_per_connection: lowering.count(
                    http,
                    "max_requests_per_connection",
                    &h,
                ),
                http2_max_requests: lowering.count(http, "http2_max_requests", &h),
                http1_max_pending_requests: lowering.count(http, "http1_max_pending_requests", &h),
            });
        }
        policy.connection_pool = Some(pool);
    }
    if let Some(od) = &node.outlier_detection {
        let p = path.join("outlier_detection");
        lowering.index.record(&p, od.span);
        policy.outlier_detection = Some(OutlierDetection {
            consecutive_5xx_errors: lowering.count(od, "consecutive_5xx_errors", &p),
            consecutive_gateway_errors: lowering.count(od, "consecutive_gateway_errors", &p),
            interval: lowering.duration(od, "interval", &p),
            base_ejection_time: lowering.duration(od, "base_ejection_time", &p),
            max_ejection_percent: lowering.count(od, "max_ejection_percent", &p),
            min_health_percent: lowering.count(od, "min_health_percent", &p),
        });
    }
    if let Some(lb) = &node.load_balancer {
        lowering.index.record(&path.join("load_balancer"), lb.span);
        policy.load_balancer = Some(lb.value.clone());
    }
    policy
}

fn lower_interceptors(
    lowering: &mut Lowering,
    node: &InterceptorsNode,
    path: &MeshPath,
) -> Interceptors {
    lowering.index.record(path, node.span);
    let mut interceptors = Interceptors::default();
    if let Some(cb) = &node.circuit_breaker {
        let p = path.join("circuit_breaker");
        lowering.index.record(&p, cb.span);
        let mut breaker = CircuitBreaker::default();
        if let Some(v) = lowering.count(cb, "threshold", &p) {
            breaker.threshold = v;
        }
        if let Some(v) = lowering.duration(cb, "half_open_after", &p) {
            breaker.half_open_after = v;
        }
        interceptors.circuit_breaker = Some(breaker);
    }
    if let Some(timeout) = &node.timeout {
        let p = path.join("timeout");
        let mut app_timeout = AppTimeout::default();
        if let Some(d) = lowering.given(Some(timeout), &p) {
            app_timeout.duration = d;
        }
        interceptors.timeout = Some(app_timeout);
    }
    if let Some(retry) = &node.retry {
        let p = path.join("retry");
        lowering.index.record(&p, retry.span);
        let mut app_retry = AppRetry::default();
        if let Some(v) = lowering.count(retry, "max_retries", &p) {
            app_retry.max_retries = v;
        }
        if let Some(v) = lowering.duration(retry, "initial_delay", &p) {
            app_retry.initial_delay = v;
        }
        if let Some(v) = lowering.duration(retry, "max_delay", &p) {
            app_retry.max_delay = v;
        }
        interceptors.retry = Some(app_retry);
    }
    if let Some(bulkhead) = &node.bulkhead {
        let p = path.join("bulkhead");
        lowering.index.record(&p, bulkhead.span);
        let mut lowered = Bulkhead::default();
        if let Some(v) = lowering.count(bulkhead, "capacity", &p) {
            lowered.capacity = v;
        }
        if let Some(v) = lowering.count(bulkhead, "queue_size", &p) {
            lowered.queue_size = v;
        }
        interceptors.bulkhead = Some(lowered);
    }
    interceptors
}

/// A route's `to: canary` or a split leg's subset. A name the service does not declare is
/// kept as an unchecked reference, which the checker reports (CM0201) with the closest name.
fn target(service: &Service, name: &str) -> RouteTarget {
    if name == service.name {
        return RouteTarget::Service;
    }
    RouteTarget::Subset(
        service
            .subset(name)
            .unwrap_or_else(|| SubsetRef::unchecked(&service.name, name)),
    )
}

fn lower_route(
    lowering: &mut Lowering,
    service: &Service,
    node: &RouteNode,
    path: &MeshPath,
) -> Route {
    let mut matches = Vec::new();
    for (k, m) in node.matches.iter().enumerate() {
        let p = path.join(format_args!("matches[{k}]"));
        lowering.index.record(&p, m.span);
        lowering.index.record(&path.join("match"), m.span);
        let mut request = RequestMatch::default();
        for (h, (name, value)) in m.headers.iter().enumerate() {
            lowering.index.record(
                &p.join(format_args!("headers[{h}]")),
                name.span.to(value.span),
            );
            lowering
                .index
                .label(&p, &name.value, name.span.to(value.span));
            request.headers.push(HeaderMatch {
                name: name.value.clone(),
                value: value.value.clone(),
            });
        }
        if let Some(uri) = &m.uri {
            lowering.index.record(&p.join("uri"), uri.span);
            request.uri = Some(uri.value.clone());
        }
        matches.push(request);
    }
    let target = match &node.target {
        Some(TargetNode::To(name)) => {
            lowering.index.record(&path.join("to"), name.span);
            lowering.index.record(&path.join("target"), name.span);
            Some(target(service, &name.value))
        }
        Some(TargetNode::Split { span, legs }) => {
            let p = path.join("split");
            lowering.index.record(&p, *span);
            let mut split = Split::new();
            for (j, (name, weight)) in legs.iter().enumerate() {
                let leg = p.join(format_args!("legs[{j}]"));
                lowering.index.record(&leg, name.span.to(weight.span()));
                let weight = lowering.given(Some(weight), &leg.join("weight"));
                let subset = match target(service, &name.value) {
                    RouteTarget::Subset(subset) => subset,
                    _ => SubsetRef::unchecked(&service.name, &name.value),
                };
                split = split.weight(&subset, weight.unwrap_or(0));
            }
            Some(RouteTarget::Split(split))
        }
        None => None,
    };
    let mut route = Route::builder()
        .target(target.unwrap_or(RouteTarget::Service))
        .matches(matches)
        .build();
    route.name = node.name.as_ref().map(|n| n.value.clone());
    route.timeout = lowering.given(node.timeout.as_ref(), &path.join("timeout"));
    if let Some(retries) = &node.retries {
        let p = path.join("retries");
        lowering.index.record(&p, retries.span);
        let attempts = lowering.given(retries.attempts.as_ref(), &p.join("attempts"));
        let mut retry = MeshRetry::builder().attempts(attempts.unwrap_or(0)).build();
        retry.per_try_timeout =
            lowering.given(retries.per_try_timeout.as_ref(), &p.join("per_try_timeout"));
        for (i, on) in retries.retry_on.iter().enumerate() {
            lowering
                .index
                .record(&p.join(format_args!("retry_on[{i}]")), on.span);
            retry.retry_on.push(on.value);
        }
        route.retries = Some(retry);
    }
    route
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{mesh::mesh, tree::parse_input};
    use connectum_mesh_core::{Code, Severity};
    use quote::quote;

    fn lowered(tokens: proc_macro2::TokenStream) -> (Mesh, SpanIndex, Errors) {
        let mut errors = Errors::default();
        let tree = parse_input(tokens, &mut errors);
        let node = mesh(&tree, &mut errors);
        let (model, index) = lower(&node, &mut errors);
        (model, index, errors)
    }

    fn diagnostic(path: MeshPath, message: &str) -> Diagnostic {
        Diagnostic {
            code: Code("CM0202"),
            severity: Severity::Error,
            path,
            message: message.to_owned(),
            help: None,
        }
    }

    const CANARY: &str = "order-service";

    #[test]
    fn lowers_literals_into_the_model() {
        let (mesh, _, errors) = lowered(quote! {
            namespace: connectum,
            service order-service {
                image: "order:1.0.0",
                subset stable {}
                subset canary { replicas: 1 }
                route { split: { stable: 90, canary: 10 }, timeout: 1m30s }
            }
        });
        assert!(errors.is_empty(), "{:?}", errors.messages());
        let service = &mesh.services[0];
        assert_eq!(service.name, CANARY);
        assert_eq!(service.subsets[1].replicas, Some(1));
        let RouteTarget::Split(split) = &service.routes[0].target else {
            panic!("a split")
        };
        assert_eq!(split.total(), 100);
        assert_eq!(split.legs[1].subset, SubsetRef::unchecked(CANARY, "canary"));
        assert_eq!(service.routes[0].timeout, Some(Duration::from_secs(90)));
    }

    #[test]
    fn a_diagnostic_lands_on_the_longest_recorded_prefix_of_its_path() {
        let (_, index, _) = lowered(quote! {
            namespace: connectum,
            service order-service {
                image: "order:1.0.0",
                subset stable {}
                route { split: { stable: 90 }, timeout: 30s }
            }
        });
        let leg = MeshPath::service(CANARY)
            .join("routes[0]")
            .join("split")
            .join("legs[0]")
            .join("weight");
        let found = index.closest(&leg).map(|(path, _)| path.join(" › "));
        assert_eq!(
            found.as_deref(),
            Some("serviceorder-service › routes[0] › split › legs[0] › weight")
        );
        let unknown_field = MeshPath::service(CANARY).join("routes[0]").join("mirror");
        let found = index
            .closest(&unknown_field)
            .map(|(path, _)| path.join(" › "));
        assert_eq!(found.as_deref(), Some("serviceorder-service › routes[0]"));
        assert!(index.closest(&MeshPath::root().join("elsewhere")).is_none());
    }

    #[test]
    fn diagnostics_about_runtime_values_are_left_to_run_time() {
        let (_, index, _) = lowered(quote! {
            namespace: connectum,
            service order-service {
                image: "order:1.0.0",
                subset stable {}
                subset canary {}
                route { split: { stable: 90, canary: (canary_percent()) } }
            }
        });
        let split = MeshPath::service(CANARY).join("routes[0]").join("split");
        assert!(index.depends_on_runtime(&diagnostic(split, "weights total 90")));
        let other = MeshPath::service(CANARY).join("subset stable");
        assert!(!index.depends_on_runtime(&diagnostic(other, "something else")));
        let chain = MeshPath::root().join("chain envoy-gateway → order-service");
        assert!(index.depends_on_runtime(&diagnostic(
            chain,
            "12 calls along envoy-gateway → order-service"
        )));
    }

    #[test]
    fn a_chain_diagnostic_lands_on_its_first_declared_call() {
        let (_, index, _) = lowered(quote! {
            namespace: connectum,
            external envoy-gateway { service_account: connectum/envoy-gateway, calls: [order-service] }
            service order-service { image: "order:1.0.0" }
        });
        assert_eq!(
            chain_of("chain envoy-gateway → order-service"),
            Some(vec!["envoy-gateway".to_owned(), CANARY.to_owned()])
        );
        assert!(
            index
                .calls
                .iter()
                .any(|(from, to, _)| from == "envoy-gateway" && to == CANARY)
        );
    }

    #[test]
    fn missing_required_values_do_not_cascade() {
        let (_, index, errors) = lowered(quote! { service order-service { port: 5000 } });
        assert_eq!(errors.len(), 2);
        let image = MeshPath::service(CANARY).join("image");
        assert!(index.depends_on_runtime(&diagnostic(image, "the container image is empty")));
        let namespace = MeshPath::root().join("namespace");
        assert!(index.depends_on_runtime(&diagnostic(namespace, "namespace `` is invalid")));
    }

    #[test]
    fn duplicate_route_names_are_reported_once() {
        let (_, _, errors) = lowered(quote! {
            namespace: connectum,
            service order-service {
                image: "order:1.0.0",
                route primary { to: order-service }
                route primary { to: order-service }
            }
        });
        assert_eq!(errors.messages().len(), 1);
        assert!(errors.messages()[0].starts_with("CM0910"));
    }
}
