//! A mesh as the facts a reviewer compares: one phrase per reviewable value, keyed by where it
//! is (`service order-service`, `route default › traffic`), in the order the mesh declares them.

use connectum_mesh_core::check::costs::chain_costs;
use connectum_mesh_core::{Callers, Gateway, Mesh, Resources, Route, Scaling, Service};

use super::words;

/// The scope of the call chains' worst-case calls.
pub(crate) const CHAINS_SCOPE: &str = "worst-case calls per chain";

/// The item that stands for a whole service in its scope.
pub(crate) const SERVICE_ITEM: &str = "service";

/// The item that stands for a whole gateway in its scope.
pub(crate) const GATEWAY_ITEM: &str = "gateway";

/// How a fact is compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Compared as text.
    Plain,
    /// The existence of a thing (a service, a subset, a route): when it comes or goes, its
    /// other facts are not listed one by one.
    Exists,
    /// An order of names (`a → b → c`): a change is reported only when the names both versions
    /// share come in another order, since additions and removals have their own lines.
    Order,
}

/// One reviewable value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Fact {
    /// Whose it is: `mesh`, `service order-service`, `gateway connectum-gateway`.
    pub(crate) scope: String,
    /// What it is, within the scope: `route default › traffic`.
    pub(crate) item: String,
    /// Its value, in the words of the review.
    pub(crate) value: String,
    pub(crate) kind: Kind,
    /// The item whose existence this fact depends on (`route default`), if any.
    pub(crate) owner: Option<String>,
}

pub(crate) struct Collector {
    pub(crate) facts: Vec<Fact>,
    pub(crate) scope: String,
}

impl Collector {
    pub(crate) fn new() -> Self {
        Self {
            facts: Vec::new(),
            scope: "mesh".to_owned(),
        }
    }

    pub(crate) fn push(
        &mut self,
        item: impl Into<String>,
        value: impl Into<String>,
        kind: Kind,
        owner: Option<&str>,
    ) {
        self.facts.push(Fact {
            scope: self.scope.clone(),
            item: item.into(),
            value: value.into(),
            kind,
            owner: owner.map(str::to_owned),
        });
    }

    pub(crate) fn plain(&mut self, item: impl Into<String>, value: impl Into<String>) {
        self.push(item, value, Kind::Plain, None);
    }

    pub(crate) fn owned(&mut self, owner: &str, item: &str, value: impl Into<String>) {
        self.push(format!("{owner} › {item}"), value, Kind::Plain, Some(owner));
    }
}

/// `cpu 100m–500m, memory 128Mi–512Mi` (request–limit), or `none`.
fn resources(resources: Option<&Resources>) -> String {
    let Some(r) = resources else {
        return "none".to_owned();
    };
    let pair = |name: &str, request: Option<String>, limit: Option<String>| match (request, limit) {
        (None, None) => None,
        (request, limit) => Some(format!(
            "{name} {}–{}",
            request.unwrap_or_else(|| "unset".to_owned()),
            limit.unwrap_or_else(|| "unset".to_owned())
        )),
    };
    let parts: Vec<String> = [
        pair(
            "cpu",
            r.cpu_request.as_ref().map(ToString::to_string),
            r.cpu_limit.as_ref().map(ToString::to_string),
        ),
        pair(
            "memory",
            r.memory_request.as_ref().map(ToString::to_string),
            r.memory_limit.as_ref().map(ToString::to_string),
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        "none".to_owned()
    } else {
        parts.join(", ")
    }
}

fn service_facts(mesh: &Mesh, callers: &Callers<'_>, service: &Service, out: &mut Collector) {
    out.scope = format!("service {}", service.name);
    out.push(
        SERVICE_ITEM,
        format!("image {}", service.image),
        Kind::Exists,
        None,
    );
    out.plain("port", service.port.to_string());
    out.plain(
        "mTLS",
        service.mtls_override.unwrap_or(mesh.mtls).as_istio(),
    );
    out.plain(
        "allowed callers",
        words::admitted(mesh, callers, service).unwrap_or_else(|| "anyone (no policy)".to_owned()),
    );
    out.plain(
        "calls",
        if service.calls.is_empty() {
            "nothing".to_owned()
        } else {
            service.calls.join(", ")
        },
    );
    let interceptors = &service.interceptors;
    out.plain(
        "app retries",
        interceptors.retry.as_ref().map_or_else(
            || "off".to_owned(),
            |retry| format!("maxRetries {}", retry.max_retries),
        ),
    );
    out.plain(
        "app timeout",
        interceptors
            .timeout
            .as_ref()
            .map_or_else(|| "off".to_owned(), |timeout| timeout.duration.to_string()),
    );
    out.plain("resources", resources(service.resources.as_ref()));
    out.plain("sidecar resources", resources(service.sidecar.as_ref()));
    if service.subsets.is_empty() {
        out.plain("image", service.image.clone());
        out.plain("replicas", words::scaling(&service.workload_scaling(0)));
    }
    for (index, subset) in service.subsets.iter().enumerate() {
        subset_facts(
            &subset.name,
            words::image(service, index),
            &service.workload_scaling(index),
            out,
        );
    }
    route_facts(&service.routes, out);
}

/// The routes of a service: their order, and each one's match, traffic, timeout and retries.
pub(crate) fn route_facts(routes: &[Route], out: &mut Collector) {
    let names: Vec<String> = routes
        .iter()
        .enumerate()
        .map(|(index, route)| words::route_name(route, index))
        .collect();
    out.push("route order", names.join(" → "), Kind::Order, None);
    for (route, name) in routes.iter().zip(&names) {
        let owner = format!("route {name}");
        out.push(
            owner.clone(),
            format!(
                "{} to {}",
                words::matches(route),
                words::target(&route.target)
            ),
            Kind::Exists,
            None,
        );
        out.owned(&owner, "match", words::matches(route));
        out.owned(&owner, "traffic", words::target(&route.target));
        out.owned(&owner, "timeout", words::timeout(route.timeout));
        out.owned(
            &owner,
            "mesh retries",
            words::mesh_retries(route.retries.as_ref()),
        );
    }
}

/// A subset's workload: its image and replicas.
pub(crate) fn subset_facts(name: &str, image: &str, scaling: &Scaling, out: &mut Collector) {
    let owner = format!("subset {name}");
    out.push(owner.clone(), format!("image {image}"), Kind::Exists, None);
    out.owned(&owner, "image", image);
    out.owned(&owner, "replicas", words::scaling(scaling));
}

/// One gateway route in review words.
pub(crate) struct EdgeRoute {
    pub(crate) name: String,
    pub(crate) matches: String,
    pub(crate) target: String,
    pub(crate) timeout: String,
    pub(crate) retries: String,
}

/// A gateway: its listeners, its routes' order, and each route's match, target, timeout and
/// retries.
pub(crate) fn gateway_facts(
    name: &str,
    listeners: String,
    routes: &[EdgeRoute],
    out: &mut Collector,
) {
    out.scope = format!("gateway {name}");
    out.push(GATEWAY_ITEM, listeners.clone(), Kind::Exists, None);
    out.plain("listeners", listeners);
    let names: Vec<&str> = routes.iter().map(|r| r.name.as_str()).collect();
    out.push("route order", names.join(" → "), Kind::Order, None);
    for route in routes {
        let owner = format!("route {}", route.name);
        out.push(
            owner.clone(),
            format!("{} to {}", route.matches, route.target),
            Kind::Exists,
            None,
        );
        out.owned(&owner, "match", route.matches.clone());
        out.owned(&owner, "target", route.target.clone());
        out.owned(&owner, "timeout", route.timeout.clone());
        out.owned(&owner, "retries", route.retries.clone());
    }
}

fn model_gateway_facts(gateway: &Gateway, out: &mut Collector) {
    let routes: Vec<EdgeRoute> = gateway
        .routes
        .iter()
        .map(|route| EdgeRoute {
            name: route.name.clone(),
            matches: words::gateway_matches(&route.matches),
            target: words::edge_target(&words::edge_legs(&route.target)),
            timeout: words::timeout(route.timeout),
            retries: words::gateway_retries(gateway, route.retries.as_ref()),
        })
        .collect();
    gateway_facts(
        &gateway.name,
        words::listeners(&words::gateway_listeners(gateway)),
        &routes,
        out,
    );
}

/// Every fact of `mesh`: the mesh-wide settings, each gateway, each service, then each call
/// chain's worst-case calls (the checker's numbers, from `check::costs`).
pub(crate) fn facts(mesh: &Mesh) -> Vec<Fact> {
    let mut out = Collector::new();
    out.plain("namespace", mesh.namespace.clone());
    out.plain("mTLS", mesh.mtls.as_istio());
    out.plain(
        "retry budget",
        format!("{} calls", mesh.retry_budget.max_worst_case_calls),
    );
    for caller in &mesh.external_callers {
        let owner = format!("external caller {}", caller.name);
        out.push(
            owner.clone(),
            format!("as {}", caller.service_account),
            Kind::Exists,
            None,
        );
        out.owned(
            &owner,
            "service account",
            caller.service_account.to_string(),
        );
        out.owned(&owner, "calls", caller.calls.join(", "));
    }
    for gateway in &mesh.gateways {
        model_gateway_facts(gateway, &mut out);
    }
    let callers = mesh.callers();
    for service in &mesh.services {
        service_facts(mesh, &callers, service, &mut out);
    }
    out.scope = CHAINS_SCOPE.to_owned();
    for chain in chain_costs(mesh) {
        out.plain(
            chain.members.join(" → "),
            format!("{} calls", chain.worst_case_calls()),
        );
    }
    out.facts
}
