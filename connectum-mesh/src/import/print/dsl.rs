//! The mesh as one `mesh!{}` block, and the few statements after it for what the DSL has no
//! words for.

use connectum_mesh_core::{
    AllowRule, EdgeRequest, Gateway, GatewayMatch, GatewayRoute, GatewayRuntime, GatewayTarget,
    Mesh, RequestMatch, Route, RouteTarget, Service, Source, Split, StringMatch,
};

use super::doc::{Doc, INDENT};
use super::settings;
use super::value::{Record, Value, dsl_field, name, quoted};

/// The `mesh!` block, completed by statements where the DSL cannot say what the mesh holds.
pub(super) fn mesh_macro(mesh: &Mesh) -> String {
    // The block is always broken, one entry per line, however small the mesh.
    let mut block = String::from("connectum_mesh::mesh! {\n");
    for entry in entries(mesh) {
        block.push_str(&" ".repeat(INDENT));
        block.push_str(&entry.layout(INDENT, INDENT));
        block.push_str(if matches!(entry, Doc::Node(_)) {
            "\n"
        } else {
            ",\n"
        });
    }
    block.push('}');
    let completion = completion(mesh);
    let mut out = super::refusal_note(mesh, "mesh! does not compile it");
    if completion.is_empty() {
        out.push_str(&block);
        out.push('\n');
        return out;
    }
    out.push_str("{\nlet mut mesh = ");
    out.push_str(&block);
    out.push_str(";\n");
    for (what, statement) in completion {
        out.push_str(&format!("// mesh! has no words for {what}.\n{statement}\n"));
    }
    out.push_str("mesh\n}\n");
    out
}

/// The entries of the block: the mesh's settings, then its nodes.
fn entries(mesh: &Mesh) -> Vec<Doc> {
    let mut out = fields(&settings::mesh(mesh));
    if let Some(telemetry) = &mesh.telemetry {
        out.push(node(
            "telemetry",
            Some(&telemetry.name),
            fields(&settings::telemetry(telemetry)),
        ));
    }
    for caller in &mesh.external_callers {
        let record = Record::new("ExternalCaller")
            .with("service_account", Value::account(&caller.service_account))
            .with("calls", Value::some_names(&caller.calls));
        out.push(node("external", Some(&caller.name), fields(&record)));
    }
    for budget in &mesh.chain_budgets {
        let (chain, calls) = settings::chain_budget(budget);
        let record = Record::new("ChainBudget")
            .with("chain", chain)
            .with("calls", Value::number(calls));
        out.push(node("chain_budget", None, fields(&record)));
    }
    out.extend(mesh.gateways.iter().map(gateway));
    out.extend(mesh.services.iter().map(service));
    out
}

/// `key: value` for each field of `record`.
fn fields(record: &Record) -> Vec<Doc> {
    record
        .fields
        .iter()
        .map(|(key, value)| dsl_field(key, value))
        .collect()
}

/// `kind name { entries }`.
fn node(kind: &str, node_name: Option<&str>, entries: Vec<Doc>) -> Doc {
    let head = match node_name {
        Some(node_name) => format!("{kind} {} ", name(node_name)),
        None => format!("{kind} "),
    };
    Doc::Node(Box::new(Doc::Concat(vec![
        Doc::text(head),
        Doc::block(entries),
    ])))
}

fn service(service: &Service) -> Doc {
    let mut record = settings::service(service);
    // What the DSL cannot say (`shutdown: { pre_stop_sleep: off }`, a client TLS) is left to
    // the completion.
    for (key, value) in &mut record.fields {
        if let Value::Record(inner) = value {
            inner
                .fields
                .retain(|(field, value)| !settings::not_in_the_dsl(key, field, value));
        }
    }
    record
        .fields
        .retain(|(_, value)| !matches!(value, Value::Record(r) if r.is_empty()));
    let mut entries = fields(&record);
    for rule in &service.allow {
        entries.push(node("allow", None, vec![allow(rule)]));
    }
    for subset in &service.subsets {
        entries.push(node(
            "subset",
            Some(&subset.name),
            fields(&settings::subset(subset)),
        ));
    }
    for route in &service.routes {
        entries.push(self::route(service, route));
    }
    node("service", Some(&service.name), entries)
}

fn allow(rule: &AllowRule) -> Doc {
    let sources = rule
        .from
        .iter()
        .map(|source| match source {
            Source::ServiceAccount(account) => Doc::text(format!(
                "service_account {}",
                name(&format!("{}/{}", account.namespace, account.name))
            )),
            Source::Namespace(namespace) => Doc::text(format!("namespace {}", name(namespace))),
        })
        .collect();
    Doc::Concat(vec![Doc::text("from: "), Doc::list("[", sources, "]")])
}

fn string_match(value: &StringMatch) -> Doc {
    match value {
        StringMatch::Exact(text) => quoted(text),
        StringMatch::Prefix(text) => Doc::text(format!("prefix {text:?}")),
        StringMatch::Regex(text) => Doc::text(format!("regex {text:?}")),
    }
}

/// `headers: { name: match, .. }`, or nothing for no headers.
fn headers(headers: &[connectum_mesh_core::HeaderMatch]) -> Option<Doc> {
    (!headers.is_empty()).then(|| {
        let entries = headers
            .iter()
            .map(|h| {
                Doc::Concat(vec![
                    Doc::text(format!("{}: ", name(&h.name))),
                    string_match(&h.value),
                ])
            })
            .collect();
        Doc::Concat(vec![Doc::text("headers: "), Doc::block(entries)])
    })
}

/// `match: { .. }` for one condition, `match: [{ .. }, ..]` for several, nothing for none.
fn matches(conditions: Vec<Doc>) -> Option<Doc> {
    let value = match conditions.len() {
        0 => return None,
        1 => conditions.into_iter().next()?,
        _ => Doc::list("[", conditions, "]"),
    };
    Some(Doc::Concat(vec![Doc::text("match: "), value]))
}

fn request_match(condition: &RequestMatch) -> Doc {
    let mut entries: Vec<Doc> = headers(&condition.headers).into_iter().collect();
    if let Some(uri) = &condition.uri {
        entries.push(Doc::Concat(vec![Doc::text("uri: "), string_match(uri)]));
    }
    Doc::block(entries)
}

/// `split: { stable: 90, canary: 10 }`, each leg named by `leg`.
fn split(split: &Split, leg: impl Fn(&connectum_mesh_core::SubsetRef) -> String) -> Doc {
    let legs = split
        .legs
        .iter()
        .map(|l| Doc::text(format!("{}: {}", leg(&l.subset), l.weight)))
        .collect();
    Doc::Concat(vec![Doc::text("split: "), Doc::block(legs)])
}

/// The settings a service route and a gateway route share: timeout and retries.
fn timeout_and_retries(
    timeout: Option<connectum_mesh_core::Duration>,
    retries: Option<&connectum_mesh_core::MeshRetry>,
) -> Vec<Doc> {
    let record = Record::new("")
        .with("timeout", timeout.map(Value::Duration))
        .with("retries", retries.map(settings::retries));
    fields(&record)
}

fn route(service: &Service, route: &Route) -> Doc {
    let mut entries: Vec<Doc> = matches(route.matches.iter().map(request_match).collect())
        .into_iter()
        .collect();
    entries.push(match &route.target {
        RouteTarget::Subset(subset) => Doc::text(format!("to: {}", name(subset.name()))),
        RouteTarget::Service => Doc::text(format!("to: {}", name(&service.name))),
        RouteTarget::Split(legs) => split(legs, |s| name(s.name())),
    });
    entries.extend(timeout_and_retries(route.timeout, route.retries.as_ref()));
    node("route", route.name.as_deref(), entries)
}

fn gateway(gateway: &Gateway) -> Doc {
    let record = Record::new("Gateway")
        .with("runtime", settings::runtime(&gateway.runtime))
        .with(
            "service_account",
            gateway.service_account.as_ref().map(Value::account),
        );
    let mut entries = fields(&record);
    for listener in &gateway.listeners {
        entries.push(node(
            "listener",
            Some(&listener.name),
            fields(&settings::listener(listener)),
        ));
    }
    entries.extend(gateway.routes.iter().map(gateway_route));
    node("gateway", Some(&gateway.name), entries)
}

fn edge_match(condition: &GatewayMatch) -> Doc {
    let mut entries = match &condition.request {
        EdgeRequest::Grpc { service, method } => {
            let mut grpc = vec![Doc::text(format!("grpc_service: {service:?}"))];
            if let Some(method) = method {
                grpc.push(Doc::text(format!("grpc_method: {method:?}")));
            }
            grpc
        }
        EdgeRequest::PathPrefix(prefix) => vec![Doc::text(format!("path_prefix: {prefix:?}"))],
    };
    entries.extend(headers(&condition.headers));
    Doc::block(entries)
}

fn gateway_route(route: &GatewayRoute) -> Doc {
    let mut entries = Vec::new();
    if !route.listeners.is_empty() {
        entries.push(dsl_field("listeners", &Value::names(&route.listeners)));
    }
    entries.extend(matches(route.matches.iter().map(edge_match).collect()));
    let qualified =
        |s: &connectum_mesh_core::SubsetRef| name(&format!("{}/{}", s.service(), s.name()));
    entries.push(match &route.target {
        GatewayTarget::Service(service) => Doc::text(format!("target: {}", name(service))),
        GatewayTarget::Subset(subset) => Doc::text(format!("target: {}", qualified(subset))),
        GatewayTarget::Split(legs) => split(legs, qualified),
    });
    if let Some(port) = route.port {
        entries.push(dsl_field("port", &Value::number(port)));
    }
    entries.extend(timeout_and_retries(route.timeout, route.retries.as_ref()));
    node("route", Some(&route.name), entries)
}

/// What the DSL cannot say, as `(what, statement)`: each statement sets it on the `mesh` the
/// block built.
fn completion(mesh: &Mesh) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (index, gateway) in mesh.gateways.iter().enumerate() {
        if let GatewayRuntime::IstioIngress { selector } = &gateway.runtime
            && gateway.runtime != GatewayRuntime::istio_ingress()
        {
            out.push((
                format!(
                    "the pod labels that select the ingress of gateway {}",
                    gateway.name
                ),
                format!(
                    "mesh.gateways[{index}].runtime = {};",
                    super::builders::ingress_selector(selector).flat()
                ),
            ));
        }
    }
    for (index, service) in mesh.services.iter().enumerate() {
        if service.shutdown.pre_stop_sleep.is_none() {
            out.push((
                format!("a service without preStop sleep ({})", service.name),
                format!("mesh.services[{index}].shutdown.pre_stop_sleep = None;"),
            ));
        }
        if let Some(tls) = &service.traffic_policy.tls {
            out.push((
                format!("the client TLS of service {}", service.name),
                format!(
                    "mesh.services[{index}].traffic_policy.tls = Some({});",
                    super::builders::client_tls(tls).flat()
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use connectum_mesh_core::{Mesh, Service};

    #[test]
    fn a_short_service_is_one_line_and_a_mesh_is_one_block() {
        let mesh = Mesh::builder()
            .namespace("shop")
            .services([Service::builder().name("cart").image("cart:1.0.0").build()])
            .build();
        assert_eq!(
            super::mesh_macro(&mesh),
            "connectum_mesh::mesh! {\n    namespace: shop,\n    mtls: STRICT,\n    service cart { image: \"cart:1.0.0\" }\n}\n"
        );
    }

    #[test]
    fn what_the_dsl_cannot_say_follows_the_block_with_a_comment_naming_it() {
        let mut cart = Service::builder().name("cart").image("cart:1.0.0").build();
        cart.shutdown.pre_stop_sleep = None;
        let mesh = Mesh::builder().namespace("shop").services([cart]).build();
        let printed = super::mesh_macro(&mesh);
        assert!(
            printed.contains(
                "// mesh! has no words for a service without preStop sleep (cart).\nmesh.services[0].shutdown.pre_stop_sleep = None;\nmesh\n}"
            ),
            "{printed}"
        );
    }

    #[test]
    fn a_mesh_the_checker_refuses_is_printed_under_a_comment_listing_its_errors() {
        let mesh = Mesh::builder()
            .namespace("shop")
            .services([Service::builder()
                .name("cart")
                .image("cart:1.0.0")
                .calls(["ghost"])
                .build()])
            .build();
        for printed in [super::mesh_macro(&mesh), super::super::builders(&mesh)] {
            assert!(
                printed.starts_with("// The checker refuses this mesh: "),
                "{printed}"
            );
            assert!(printed.contains("// - CM0103: "), "{printed}");
        }
    }
}
