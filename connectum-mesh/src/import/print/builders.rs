//! The mesh as builder calls: a function that builds it the way the crate's docs and examples
//! do, with the `use` line it needs.

use std::collections::{BTreeMap, BTreeSet};

use connectum_mesh_core::{
    AllowRule, ClientTls, EdgeRequest, Gateway, GatewayMatch, GatewayRoute, GatewayRuntime,
    GatewayTarget, HeaderMatch, Mesh, RequestMatch, Route, RouteTarget, Service, Source, Split,
    StringMatch, SubsetRef,
};

use super::doc::{Doc, INDENT};
use super::settings;
use super::value::{Record, Value, is_keyword, quoted, rust, rust_links, rust_record};

/// The function, with its `use` line.
pub(super) fn builders(mesh: &Mesh) -> String {
    let handles = Handles::of(mesh);
    // Paragraphs of statements, one per service with subsets or routes (the handles routes and
    // gateways name); then the mesh, every collection set through its builder setter.
    let mut body = String::new();
    let mut services = Vec::new();
    for service in &mesh.services {
        let (statements, value) = self::service(service, &handles);
        if !statements.is_empty() {
            for statement in statements {
                body.push_str(&" ".repeat(INDENT));
                body.push_str(&statement.layout(INDENT, INDENT));
                body.push_str(";\n");
            }
            body.push('\n');
        }
        services.push(value);
    }
    let gateways = mesh
        .gateways
        .iter()
        .map(|gateway| self::gateway(gateway, &handles))
        .collect();
    body.push_str(&" ".repeat(INDENT));
    body.push_str(&mesh_builder(mesh, services, gateways).layout(INDENT, INDENT));
    body.push('\n');
    let mut out = super::refusal_note(mesh, "render() refuses it");
    out.push_str(&use_line(&types_named(&body)));
    out.push_str(
        "/// The mesh the manifests describe, as `connectum-mesh import --builders` read it.\n",
    );
    out.push_str("pub fn mesh() -> Mesh {\n");
    out.push_str(&body);
    out.push_str("}\n");
    out
}

/// `Mesh::builder()….build()`: the mesh's settings, telemetry, callers, budgets, `services` and
/// `gateways`.
fn mesh_builder(mesh: &Mesh, services: Vec<Doc>, gateways: Vec<Doc>) -> Doc {
    let mut links = rust_links(&settings::mesh(mesh).fields);
    if let Some(telemetry) = &mesh.telemetry {
        links.push(Doc::link(
            "telemetry",
            vec![named(&settings::telemetry(telemetry), &telemetry.name)],
        ));
    }
    if !mesh.external_callers.is_empty() {
        let callers = mesh
            .external_callers
            .iter()
            .map(|caller| {
                let record = Record::new("ExternalCaller")
                    .with("service_account", Value::account(&caller.service_account))
                    .with("calls", Value::some_names(&caller.calls));
                named(&record, &caller.name)
            })
            .collect();
        links.push(Doc::link(
            "external_callers",
            vec![Doc::list("[", callers, "]")],
        ));
    }
    if !mesh.chain_budgets.is_empty() {
        let budgets = mesh
            .chain_budgets
            .iter()
            .map(|budget| {
                let (chain, calls) = settings::chain_budget(budget);
                Doc::call(
                    "ChainBudget::new",
                    vec![
                        rust(&chain),
                        Doc::text(format!("RetryBudget::calls({calls})")),
                    ],
                )
            })
            .collect();
        links.push(Doc::link(
            "chain_budgets",
            vec![Doc::list("[", budgets, "]")],
        ));
    }
    for (setter, items) in [("services", services), ("gateways", gateways)] {
        if !items.is_empty() {
            links.push(Doc::link(setter, vec![Doc::list("[", items, "]")]));
        }
    }
    links.push(Doc::link("build", Vec::new()));
    Doc::Chain(Box::new(Doc::text("Mesh::builder()")), links)
}

/// `Type::builder().name("..")….build()`, for a record whose name is a DSL node's.
fn named(record: &Record, name: &str) -> Doc {
    rust_record(record, vec![Doc::link("name", vec![quoted(name)])])
}

/// The variables that hold the subset handles routes name, by service and subset.
struct Handles {
    names: BTreeMap<(String, String), String>,
}

impl Handles {
    /// A variable for each subset a route or a gateway route names: the subset's name where no
    /// other service's subset or service variable takes it, `<service>_<subset>` otherwise.
    fn of(mesh: &Mesh) -> Self {
        let mut named: BTreeSet<(String, String)> = BTreeSet::new();
        let mut add = |subset: &SubsetRef| {
            named.insert((subset.service().to_owned(), subset.name().to_owned()));
        };
        for service in &mesh.services {
            for route in &service.routes {
                match &route.target {
                    RouteTarget::Subset(s) => add(s),
                    RouteTarget::Split(split) => split.legs.iter().for_each(|l| add(&l.subset)),
                    RouteTarget::Service => {}
                }
            }
        }
        for gateway in &mesh.gateways {
            for route in &gateway.routes {
                match &route.target {
                    GatewayTarget::Subset(s) => add(s),
                    GatewayTarget::Split(split) => split.legs.iter().for_each(|l| add(&l.subset)),
                    GatewayTarget::Service(_) => {}
                }
            }
        }
        // Only subsets the services declare have handles; a route naming another is printed
        // as it is (the checker reports it).
        named.retain(|(service, subset)| {
            mesh.service(service)
                .is_some_and(|s| s.subsets.iter().any(|x| x.name == *subset))
        });
        let services: BTreeSet<String> = mesh.services.iter().map(|s| variable(&s.name)).collect();
        let taken_by = |subset: &str| {
            named
                .iter()
                .filter(|(_, other)| variable(other) == variable(subset))
                .count()
        };
        let names = named
            .iter()
            .map(|(service, subset)| {
                let plain = variable(subset);
                let name = if taken_by(subset) > 1 || services.contains(&plain) || plain == "mesh" {
                    variable(&format!("{service}_{subset}"))
                } else {
                    plain
                };
                ((service.clone(), subset.clone()), name)
            })
            .collect();
        Self { names }
    }

    /// The handle's variable, if the subset has one.
    fn get(&self, subset: &SubsetRef) -> Option<&str> {
        self.names
            .get(&(subset.service().to_owned(), subset.name().to_owned()))
            .map(String::as_str)
    }

    /// `&handle`, or `SubsetRef::unchecked(..)` for a subset nobody declares.
    fn reference(&self, subset: &SubsetRef) -> Doc {
        match self.get(subset) {
            Some(variable) => Doc::text(format!("&{variable}")),
            None => Doc::call(
                "&SubsetRef::unchecked",
                vec![quoted(subset.service()), quoted(subset.name())],
            ),
        }
    }
}

/// A Rust variable for a DNS name: `order-service` is `order_service`.
fn variable(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if out.starts_with(|c: char| c.is_ascii_digit()) || out.is_empty() {
        out.insert_str(0, "subset_");
    }
    if is_keyword(&out) {
        out.push('_');
    }
    out
}

/// The statements that declare a service's subsets and routes (none for a service without
/// them), and the value the mesh's `services` list takes: the variable they fill, or the
/// builder call itself.
fn service(service: &Service, handles: &Handles) -> (Vec<Doc>, Doc) {
    let record = settings::service(service);
    let mut links = vec![Doc::link("name", vec![quoted(&service.name)])];
    for (key, value) in &record.fields {
        links.extend(rust_links(&[(settings::rust_key(key), value.clone())]));
    }
    if !service.allow.is_empty() {
        let rules = service.allow.iter().map(allow).collect();
        links.push(Doc::link("allow", vec![Doc::list("[", rules, "]")]));
    }
    links.push(Doc::link("build", Vec::new()));
    let built = Doc::Chain(Box::new(Doc::text("Service::builder()")), links);
    if service.subsets.is_empty() && service.routes.is_empty() {
        return (Vec::new(), built);
    }
    let var = variable(&service.name);
    let mut out = vec![Doc::Concat(vec![
        Doc::text(format!("let mut {var} = ")),
        built,
    ])];
    for subset in &service.subsets {
        let handle = handles.get(&SubsetRef::unchecked(&service.name, &subset.name));
        let added = Doc::call(
            format!("{var}.add_subset"),
            vec![named(&settings::subset(subset), &subset.name)],
        );
        out.push(match handle {
            Some(handle) => Doc::Concat(vec![Doc::text(format!("let {handle} = ")), added]),
            None => added,
        });
    }
    if !service.routes.is_empty() {
        let links = service
            .routes
            .iter()
            .map(|r| Doc::link("add_route", vec![route(r, handles)]))
            .collect();
        out.push(Doc::Chain(Box::new(Doc::text(var.clone())), links));
    }
    (out, Doc::text(var))
}

fn allow(rule: &AllowRule) -> Doc {
    let account = |a| rust(&Value::account(a));
    match rule.from.as_slice() {
        [Source::ServiceAccount(a)] => Doc::call("AllowRule::service_account", vec![account(a)]),
        [Source::Namespace(n)] => Doc::call("AllowRule::namespace", vec![quoted(n)]),
        sources => {
            let sources = sources
                .iter()
                .map(|source| match source {
                    Source::ServiceAccount(a) => {
                        Doc::call("Source::ServiceAccount", vec![account(a)])
                    }
                    Source::Namespace(n) => Doc::text(format!("Source::Namespace({n:?}.into())")),
                })
                .collect();
            Doc::Chain(
                Box::new(Doc::text("AllowRule::builder()")),
                vec![
                    Doc::link("from", vec![Doc::list("[", sources, "]")]),
                    Doc::link("build", Vec::new()),
                ],
            )
        }
    }
}

fn header(header: &HeaderMatch) -> Doc {
    let (constructor, value) = match &header.value {
        StringMatch::Exact(v) => ("exact", v),
        StringMatch::Prefix(v) => ("prefix", v),
        StringMatch::Regex(v) => ("regex", v),
    };
    Doc::call(
        format!("HeaderMatch::{constructor}"),
        vec![quoted(&header.name), quoted(value)],
    )
}

fn request_match(condition: &RequestMatch) -> Doc {
    if let ([only], None) = (condition.headers.as_slice(), &condition.uri) {
        return Doc::call("RequestMatch::header", vec![header(only)]);
    }
    let mut links = Vec::new();
    if !condition.headers.is_empty() {
        let headers = condition.headers.iter().map(header).collect();
        links.push(Doc::link("headers", vec![Doc::list("[", headers, "]")]));
    }
    if let Some(uri) = &condition.uri {
        let (variant, text) = match uri {
            StringMatch::Exact(t) => ("Exact", t),
            StringMatch::Prefix(t) => ("Prefix", t),
            StringMatch::Regex(t) => ("Regex", t),
        };
        links.push(Doc::link(
            "uri",
            vec![Doc::text(format!(
                "StringMatch::{variant}({text:?}.into())"
            ))],
        ));
    }
    links.push(Doc::link("build", Vec::new()));
    Doc::Chain(Box::new(Doc::text("RequestMatch::builder()")), links)
}

/// `Split::new().weight(&stable, 90)…`.
fn split(split: &Split, handles: &Handles) -> Doc {
    let links = split
        .legs
        .iter()
        .map(|leg| {
            Doc::link(
                "weight",
                vec![
                    handles.reference(&leg.subset),
                    Doc::text(leg.weight.to_string()),
                ],
            )
        })
        .collect();
    Doc::Chain(Box::new(Doc::text("Split::new()")), links)
}

/// The timeout and retries a service route and a gateway route share.
fn timeout_and_retries(
    timeout: Option<connectum_mesh_core::Duration>,
    retries: Option<&connectum_mesh_core::MeshRetry>,
) -> Vec<Doc> {
    rust_links(
        &Record::new("")
            .with("timeout", timeout.map(Value::Duration))
            .with("retries", retries.map(settings::retries))
            .fields,
    )
}

fn route(route: &Route, handles: &Handles) -> Doc {
    let mut links = Vec::new();
    if let Some(name) = &route.name {
        links.push(Doc::link("name", vec![quoted(name)]));
    }
    if !route.matches.is_empty() {
        let matches = route.matches.iter().map(request_match).collect();
        links.push(Doc::link("matches", vec![Doc::list("[", matches, "]")]));
    }
    let target = match &route.target {
        RouteTarget::Subset(subset) => handles.reference(subset),
        RouteTarget::Service => Doc::text("RouteTarget::Service"),
        RouteTarget::Split(legs) => split(legs, handles),
    };
    links.push(Doc::link("target", vec![target]));
    links.extend(timeout_and_retries(route.timeout, route.retries.as_ref()));
    links.push(Doc::link("build", Vec::new()));
    Doc::Chain(Box::new(Doc::text("Route::builder()")), links)
}

/// `GatewayRuntime::IstioIngress { selector }` for an ingress gateway with its own pod labels.
pub(super) fn ingress_selector(selector: &BTreeMap<String, String>) -> Doc {
    let labels = selector
        .iter()
        .map(|(k, v)| format!("({k:?}.to_owned(), {v:?}.to_owned())"))
        .collect::<Vec<_>>()
        .join(", ");
    Doc::text(format!(
        "connectum_mesh::GatewayRuntime::IstioIngress {{ selector: [{labels}].into() }}"
    ))
}

/// A traffic policy's client TLS.
pub(super) fn client_tls(tls: &ClientTls) -> Doc {
    Doc::text(match tls {
        ClientTls::IstioMutual => "connectum_mesh::ClientTls::IstioMutual".to_owned(),
        ClientTls::Disable => "connectum_mesh::ClientTls::Disable".to_owned(),
        ClientTls::Simple { sni } => format!(
            "connectum_mesh::ClientTls::Simple {{ sni: {} }}",
            match sni {
                Some(sni) => format!("Some({sni:?}.to_owned())"),
                None => "None".to_owned(),
            }
        ),
    })
}

fn gateway(gateway: &Gateway, handles: &Handles) -> Doc {
    let runtime = match &gateway.runtime {
        GatewayRuntime::IstioIngress { selector }
            if gateway.runtime != GatewayRuntime::default() =>
        {
            Some(Value::Both {
                dsl: Doc::text(""),
                rust: ingress_selector(selector),
            })
        }
        other => settings::runtime(other),
    };
    let record = Record::new("Gateway").with("runtime", runtime).with(
        "service_account",
        gateway.service_account.as_ref().map(Value::account),
    );
    let mut links = vec![Doc::link("name", vec![quoted(&gateway.name)])];
    links.extend(rust_links(&record.fields));
    if !gateway.listeners.is_empty() {
        let listeners = gateway
            .listeners
            .iter()
            .map(|l| named(&settings::listener(l), &l.name))
            .collect();
        links.push(Doc::link("listeners", vec![Doc::list("[", listeners, "]")]));
    }
    if !gateway.routes.is_empty() {
        let routes = gateway
            .routes
            .iter()
            .map(|r| gateway_route(r, handles))
            .collect();
        links.push(Doc::link("routes", vec![Doc::list("[", routes, "]")]));
    }
    links.push(Doc::link("build", Vec::new()));
    Doc::Chain(Box::new(Doc::text("Gateway::builder()")), links)
}

fn edge_match(condition: &GatewayMatch) -> Doc {
    let head = match &condition.request {
        EdgeRequest::Grpc {
            service,
            method: None,
        } => Doc::call("GatewayMatch::grpc_service", vec![quoted(service)]),
        EdgeRequest::Grpc {
            service,
            method: Some(method),
        } => Doc::call(
            "GatewayMatch::grpc_method",
            vec![quoted(service), quoted(method)],
        ),
        EdgeRequest::PathPrefix(prefix) => {
            Doc::call("GatewayMatch::path_prefix", vec![quoted(prefix)])
        }
    };
    if condition.headers.is_empty() {
        return head;
    }
    let links = condition
        .headers
        .iter()
        .map(|h| Doc::link("header", vec![header(h)]))
        .collect();
    Doc::Chain(Box::new(head), links)
}

fn gateway_route(route: &GatewayRoute, handles: &Handles) -> Doc {
    let mut links = vec![Doc::link("name", vec![quoted(&route.name)])];
    if !route.listeners.is_empty() {
        links.push(Doc::link(
            "listeners",
            vec![rust(&Value::names(&route.listeners))],
        ));
    }
    if !route.matches.is_empty() {
        let matches = route.matches.iter().map(edge_match).collect();
        links.push(Doc::link("matches", vec![Doc::list("[", matches, "]")]));
    }
    let target = match &route.target {
        GatewayTarget::Service(service) => {
            Doc::call("GatewayTarget::service", vec![quoted(service)])
        }
        GatewayTarget::Subset(subset) => handles.reference(subset),
        GatewayTarget::Split(legs) => split(legs, handles),
    };
    links.push(Doc::link("target", vec![target]));
    if let Some(port) = route.port {
        links.push(Doc::link("port", vec![Doc::text(port.to_string())]));
    }
    links.extend(timeout_and_retries(route.timeout, route.retries.as_ref()));
    links.push(Doc::link("build", Vec::new()));
    Doc::Chain(Box::new(Doc::text("GatewayRoute::builder()")), links)
}

/// `use connectum_mesh::{..};`, wrapped as rustfmt wraps it.
fn use_line(types: &[&str]) -> String {
    let flat = format!("use connectum_mesh::{{{}}};\n\n", types.join(", "));
    if flat.len() <= 101 {
        return flat;
    }
    let mut out = String::from("use connectum_mesh::{\n");
    let mut line = String::new();
    for name in types {
        if !line.is_empty() && INDENT + line.len() + name.len() + 2 > 100 {
            out.push_str(&format!("{}{}\n", " ".repeat(INDENT), line.trim_end()));
            line.clear();
        }
        line.push_str(name);
        line.push_str(", ");
    }
    out.push_str(&format!(
        "{}{}\n}};\n\n",
        " ".repeat(INDENT),
        line.trim_end()
    ));
    out
}

/// The crate's types the code names (outside its strings), in order, for its `use` line.
fn types_named(code: &str) -> Vec<&'static str> {
    const TYPES: &[&str] = &[
        "AllowRule",
        "AppRetry",
        "AppTls",
        "Autoscaler",
        "Bulkhead",
        "ChainBudget",
        "CircuitBreaker",
        "ConnectionPool",
        "DisruptionBudget",
        "Duration",
        "ExternalCaller",
        "Gateway",
        "GatewayClass",
        "GatewayImplementation",
        "GatewayMatch",
        "GatewayRoute",
        "GatewayTarget",
        "GracefulShutdown",
        "H2UpgradePolicy",
        "HashKey",
        "HeaderMatch",
        "HostStyle",
        "HttpPool",
        "Interceptors",
        "Listener",
        "ListenerProtocol",
        "LoadBalancer",
        "Mesh",
        "MeshMode",
        "MeshRetry",
        "MtlsMode",
        "OutlierDetection",
        "PodCount",
        "PodSecurity",
        "Probe",
        "Probes",
        "Quantity",
        "RequestMatch",
        "Resources",
        "RetryBudget",
        "RetryOn",
        "Rollout",
        "Route",
        "RouteTarget",
        "Scaling",
        "ScalingRule",
        "Service",
        "ServiceAccountRef",
        "SidecarMode",
        "SimpleLb",
        "Source",
        "SpreadPolicy",
        "Split",
        "StringMatch",
        "Subset",
        "SubsetRef",
        "TcpPool",
        "Telemetry",
        "Tracing",
        "TrafficPolicy",
    ];
    let mut words = BTreeSet::new();
    let mut word = String::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut previous = ' ';
    for c in code.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
            continue;
        }
        // `connectum_mesh::Type` is written in full and needs no import.
        if !word.is_empty() && previous != ':' {
            words.insert(std::mem::take(&mut word));
        }
        word.clear();
        previous = c;
        in_string = c == '"';
    }
    TYPES
        .iter()
        .copied()
        .filter(|t| words.contains(*t))
        .collect()
}
