//! Builder calls for what the printer does not write in `mesh!` yet: native sidecars, the
//! gateways, and each service's disruption budget. The printed `mesh!` block
//! is completed with them, so what an import found is printed whole.

use connectum_mesh_core::{
    DisruptionBudget, Duration, EdgeRequest, ExternalCaller, Gateway, GatewayImplementation,
    GatewayMatch, GatewayRoute, GatewayRuntime, GatewayTarget, HeaderMatch, Listener, Mesh,
    MeshRetry, PodCount, SidecarMode, StringMatch, SubsetRef,
};

use super::quoted;

const CRATE: &str = "connectum_mesh";

/// The callers that stand in for the gateways inside the `mesh!` block, which checks the mesh
/// it is given: the services a gateway routes to admit its principal, and without a caller
/// running as that account the block would not compile (CM0401). The completion replaces each
/// with its gateway.
pub(super) fn stand_ins(mesh: &Mesh) -> Vec<ExternalCaller> {
    mesh.gateways
        .iter()
        .filter_map(|gateway| {
            let account = gateway.principal_account(&mesh.namespace)?;
            let taken = mesh
                .external_callers
                .iter()
                .any(|c| c.service_account == account)
                || mesh.services.iter().any(|s| {
                    account.namespace == mesh.namespace && s.service_account_name() == account.name
                });
            (!taken).then(|| {
                ExternalCaller::builder()
                    .name(gateway.name.clone())
                    .service_account(account)
                    .calls(gateway.target_services())
                    .build()
            })
        })
        .collect()
}

/// The statements that complete `let mut mesh = mesh! {…};`, each ending in `;`.
pub(super) fn completion(mesh: &Mesh) -> Vec<String> {
    let mut out = Vec::new();
    for caller in stand_ins(mesh) {
        out.push(format!(
            "mesh.external_callers.retain(|caller| caller.name != {}); // the gateway's stand-in",
            quoted(&caller.name)
        ));
    }
    if mesh.sidecars == SidecarMode::Native {
        out.push(format!("mesh.sidecars = {CRATE}::SidecarMode::Native;"));
    }
    for (index, service) in mesh.services.iter().enumerate() {
        if service.disruption_budget != DisruptionBudget::Auto {
            out.push(format!(
                "mesh.services[{index}].disruption_budget = {};",
                budget(service.disruption_budget)
            ));
        }
    }
    for gateway in &mesh.gateways {
        out.push(format!("mesh.add_gateway({});", self::gateway(gateway)));
    }
    out
}

fn budget(budget: DisruptionBudget) -> String {
    let count = |count: PodCount| match count {
        PodCount::Pods(pods) => format!("{CRATE}::PodCount::Pods({pods})"),
        PodCount::Percent(percent) => format!("{CRATE}::PodCount::Percent({percent})"),
    };
    match budget {
        DisruptionBudget::Auto => format!("{CRATE}::DisruptionBudget::Auto"),
        DisruptionBudget::Disabled => format!("{CRATE}::DisruptionBudget::Disabled"),
        DisruptionBudget::MaxUnavailable(c) => {
            format!("{CRATE}::DisruptionBudget::MaxUnavailable({})", count(c))
        }
        DisruptionBudget::MinAvailable(c) => {
            format!("{CRATE}::DisruptionBudget::MinAvailable({})", count(c))
        }
    }
}

fn duration(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis.is_multiple_of(1000) {
        format!("{CRATE}::Duration::from_secs({})", millis / 1000)
    } else {
        format!("{CRATE}::Duration::from_millis({millis})")
    }
}

fn list(items: impl IntoIterator<Item = String>) -> String {
    format!("[{}]", items.into_iter().collect::<Vec<_>>().join(", "))
}

fn gateway(gateway: &Gateway) -> String {
    let mut out = format!(
        "{CRATE}::Gateway::builder().name({}).runtime({})",
        quoted(&gateway.name),
        runtime(&gateway.runtime)
    );
    if let Some(account) = &gateway.service_account {
        out.push_str(&format!(
            ".service_account({CRATE}::ServiceAccountRef::new({}, {}))",
            quoted(&account.namespace),
            quoted(&account.name)
        ));
    }
    out.push_str(&format!(
        ".listeners({})",
        list(gateway.listeners.iter().map(listener))
    ));
    out.push_str(&format!(
        ".routes({}).build()",
        list(gateway.routes.iter().map(route))
    ));
    out
}

fn runtime(runtime: &GatewayRuntime) -> String {
    match runtime {
        default if *default == GatewayRuntime::istio_ingress() => {
            format!("{CRATE}::GatewayRuntime::istio_ingress()")
        }
        GatewayRuntime::IstioIngress { selector } => {
            let labels = selector
                .iter()
                .map(|(k, v)| format!("({}.to_owned(), {}.to_owned())", quoted(k), quoted(v)));
            format!(
                "{CRATE}::GatewayRuntime::IstioIngress {{ selector: std::collections::BTreeMap::from({}) }}",
                list(labels)
            )
        }
        GatewayRuntime::GatewayApi(class) => {
            let implementation = match class.implementation {
                GatewayImplementation::Istio => "Istio",
                GatewayImplementation::EnvoyGateway => "EnvoyGateway",
                GatewayImplementation::Other => "Other",
            };
            format!(
                "{CRATE}::GatewayRuntime::GatewayApi({CRATE}::GatewayClass::builder().name({}).implementation({CRATE}::GatewayImplementation::{implementation}).declare({}).build())",
                quoted(&class.name),
                class.declare
            )
        }
    }
}

fn listener(listener: &Listener) -> String {
    let mut out = format!(
        "{CRATE}::Listener::builder().name({}).port({}).protocol({CRATE}::ListenerProtocol::{:?})",
        quoted(&listener.name),
        listener.port,
        listener.protocol
    );
    if let Some(hostname) = &listener.hostname {
        out.push_str(&format!(".hostname({})", quoted(hostname)));
    }
    if let Some(credential) = &listener.tls_credential {
        out.push_str(&format!(".tls_credential({})", quoted(credential)));
    }
    out.push_str(".build()");
    out
}

fn route(route: &GatewayRoute) -> String {
    let mut out = format!(
        "{CRATE}::GatewayRoute::builder().name({}).target({})",
        quoted(&route.name),
        target(&route.target)
    );
    if !route.listeners.is_empty() {
        out.push_str(&format!(
            ".listeners({})",
            list(route.listeners.iter().map(|l| quoted(l)))
        ));
    }
    if !route.matches.is_empty() {
        out.push_str(&format!(
            ".matches({})",
            list(route.matches.iter().map(gateway_match))
        ));
    }
    if let Some(port) = route.port {
        out.push_str(&format!(".port({port})"));
    }
    if let Some(timeout) = route.timeout {
        out.push_str(&format!(".timeout({})", duration(timeout)));
    }
    if let Some(retries) = &route.retries {
        out.push_str(&format!(".retries({})", retry(retries)));
    }
    out.push_str(".build()");
    out
}

fn subset(subset: &SubsetRef) -> String {
    format!(
        "{CRATE}::SubsetRef::unchecked({}, {})",
        quoted(subset.service()),
        quoted(subset.name())
    )
}

fn target(target: &GatewayTarget) -> String {
    match target {
        GatewayTarget::Service(name) => {
            format!("{CRATE}::GatewayTarget::service({})", quoted(name))
        }
        GatewayTarget::Subset(s) => format!("{CRATE}::GatewayTarget::Subset({})", subset(s)),
        GatewayTarget::Split(split) => {
            let legs: String = split
                .legs
                .iter()
                .map(|leg| format!(".weight(&{}, {})", subset(&leg.subset), leg.weight))
                .collect();
            format!("{CRATE}::GatewayTarget::Split({CRATE}::Split::new(){legs})")
        }
    }
}

fn gateway_match(m: &GatewayMatch) -> String {
    let mut out = match &m.request {
        EdgeRequest::Grpc {
            service,
            method: None,
        } => format!("{CRATE}::GatewayMatch::grpc_service({})", quoted(service)),
        EdgeRequest::Grpc {
            service,
            method: Some(method),
        } => format!(
            "{CRATE}::GatewayMatch::grpc_method({}, {})",
            quoted(service),
            quoted(method)
        ),
        EdgeRequest::PathPrefix(prefix) => {
            format!("{CRATE}::GatewayMatch::path_prefix({})", quoted(prefix))
        }
    };
    for h in &m.headers {
        out.push_str(&format!(".header({})", header(h)));
    }
    out
}

fn header(header: &HeaderMatch) -> String {
    let (constructor, value) = match &header.value {
        StringMatch::Exact(v) => ("exact", v),
        StringMatch::Prefix(v) => ("prefix", v),
        StringMatch::Regex(v) => ("regex", v),
    };
    format!(
        "{CRATE}::HeaderMatch::{constructor}({}, {})",
        quoted(&header.name),
        quoted(value)
    )
}

fn retry(retry: &MeshRetry) -> String {
    let mut out = format!("{CRATE}::MeshRetry::builder().attempts({})", retry.attempts);
    if let Some(per_try) = retry.per_try_timeout {
        out.push_str(&format!(".per_try_timeout({})", duration(per_try)));
    }
    if !retry.retry_on.is_empty() {
        out.push_str(&format!(
            ".retry_on({})",
            list(
                retry
                    .retry_on
                    .iter()
                    .map(|on| format!("{CRATE}::RetryOn::{on:?}"))
            )
        ));
    }
    out.push_str(".build()");
    out
}
