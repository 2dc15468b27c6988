//! Security rules: authorization rules must name identities and namespaces that exist and admit
//! the declared callers, and mTLS must actually be enforced where it is declared.

use super::LazyPath;
use crate::diag::registry::{
    APP_TLS_REQUIRED_WITHOUT_MESH, APP_TLS_UNDER_MTLS, AUTHORIZATION_WITHOUT_MTLS,
    CALLER_NOT_ALLOWED, CALLERS_DENIED_BY_DEFAULT, CLIENT_TLS_CONFLICTS_WITH_MTLS,
    EMPTY_ALLOW_RULE, GATEWAY_NOT_ADMITTED, NAMESPACE_NOT_INJECTED, OPEN_TO_MESH,
    PERMISSIVE_WITH_IDENTITY_RULES, STRICT_WITHOUT_INJECTION, TLS_LISTENER_WITHOUT_CREDENTIAL,
    UNDECLARED_NAMESPACE, UNDECLARED_PRINCIPAL,
};
use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::HashSet;

use crate::diag::{Diagnostics, MeshPath, did_you_mean};
use crate::model::{
    Authorization, Callers, ClientTls, Mesh, MtlsMode, Service, ServiceAccountRef, Source,
};

use super::graph::ServiceIndex;
use super::names::Grammar;

pub(super) fn run(mesh: &Mesh, out: &mut Diagnostics) {
    if !mesh.mode.is_istio() {
        // No mTLS, no sidecars, no authorization policies: the app's TLS is all there is.
        for service in &mesh.services {
            check_app_tls_without_mesh(service, &|| MeshPath::service(&service.name), out);
        }
        return;
    }
    check_injection(mesh, out);
    let declared = Declared::of(mesh);
    let callers = mesh.callers();
    for service in &mesh.services {
        let path = || MeshPath::service(&service.name);
        check_sources(mesh, &declared, service, &path, out);
        check_empty_allow_rules(service, &path, out);
        check_app_tls(mesh, service, &path, out);
        check_authorization_needs_mtls(mesh, service, &path, out);
        check_permissive_with_identity_rules(mesh, service, &path, out);
        check_open_to_mesh(mesh, &callers, service, &path, out);
        check_callers_denied_by_default(mesh, &callers, service, &path, out);
        check_client_tls(mesh, service, &path, out);
    }
    check_callers_allowed(mesh, out);
    check_gateways_admitted(mesh, out);
    check_tls_credentials(mesh, out);
}

/// A service with no allow rules and no declared caller gets no AuthorizationPolicy: every
/// workload of the mesh may call it.
fn check_open_to_mesh(
    mesh: &Mesh,
    callers: &Callers<'_>,
    service: &Service,
    path: &LazyPath<'_>,
    out: &mut Diagnostics,
) {
    if mesh.deny_by_default || !mesh.sidecar_injection {
        return;
    }
    if mesh.authorization_among(callers, service) != Authorization::Open {
        return;
    }
    let why = if callers.of(&service.name).is_empty() {
        "it has no allow rules and no declared caller"
    } else {
        "it has no allow rules, and callers' identities are only derived into a policy under STRICT mTLS"
    };
    out.push(
        OPEN_TO_MESH
            .at(
                path(),
                format!("`{}` is open to every workload in the mesh: {why}", service.name),
            )
            .with_help("declare who calls it (a service's `calls` or an `ExternalCaller`), write allow rules, or set the mesh's `deny_by_default`"),
    );
}

/// Under `deny_by_default`, a service with declared callers whose ALLOW list cannot be derived
/// (no STRICT mTLS, or no sidecars) and who wrote none has no policy that admits them.
fn check_callers_denied_by_default(
    mesh: &Mesh,
    callers: &Callers<'_>,
    service: &Service,
    path: &LazyPath<'_>,
    out: &mut Diagnostics,
) {
    if !mesh.deny_by_default || mesh.authorization_among(callers, service) != Authorization::Open {
        return;
    }
    let callers = callers.of(&service.name);
    if callers.is_empty() {
        return;
    }
    let names = callers
        .iter()
        .map(|account| format!("`{}/{}`", account.namespace, account.name))
        .collect::<Vec<_>>()
        .join(", ");
    let why = if mesh.sidecar_injection {
        "its mTLS is not STRICT, so no ALLOW list can be derived from their principals"
    } else {
        "without sidecars no ALLOW list can be derived from their principals"
    };
    out.push(
        CALLERS_DENIED_BY_DEFAULT
            .at(
                path(),
                format!(
                    "the namespace's allow-nothing policy refuses every declared caller of `{}` ({names}): {why}, and it has no allow rules",
                    service.name
                ),
            )
            .with_help("write allow rules for it, or make its mTLS STRICT so its callers' principals are admitted"),
    );
}

/// The mTLS mode that applies to `service`.
fn effective_mtls(mesh: &Mesh, service: &Service) -> MtlsMode {
    service.mtls_override.unwrap_or(mesh.mtls)
}

/// What allow rules may name, indexed once per check: the service accounts the mesh knows (those
/// its services run as, and its external callers' and its gateways') and the namespaces (its own,
/// `known_namespaces`, its external callers' and its gateways').
struct Declared<'a> {
    /// In declaration order, which decides between equally close suggestions.
    accounts: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    account_set: HashSet<(Cow<'a, str>, Cow<'a, str>)>,
    /// Built on the first wrong principal, then reused.
    suggestions: OnceCell<Vec<String>>,
    namespaces: Vec<Cow<'a, str>>,
    namespace_set: HashSet<Cow<'a, str>>,
}

/// Namespaces every Istio cluster has (Kubernetes' own, the control plane's, and the usual
/// gateway namespaces), which allow rules may name without declaring them.
const WELL_KNOWN_NAMESPACES: [&str; 5] = [
    "istio-system",
    "istio-ingress",
    "kube-system",
    "kube-public",
    "kube-node-lease",
];

impl<'a> Declared<'a> {
    fn of(mesh: &'a Mesh) -> Self {
        // Gateways' accounts are derived (owned); everything else is borrowed from the mesh.
        let gateway_accounts: Vec<ServiceAccountRef> = mesh
            .gateways
            .iter()
            .filter_map(|g| g.principal_account(&mesh.namespace))
            .collect();
        let accounts: Vec<(Cow<'a, str>, Cow<'a, str>)> = mesh
            .services
            .iter()
            .map(|s| {
                (
                    Cow::Borrowed(mesh.namespace.as_str()),
                    Cow::Borrowed(s.service_account_name()),
                )
            })
            .chain(mesh.external_callers.iter().map(|c| {
                (
                    Cow::Borrowed(c.service_account.namespace.as_str()),
                    Cow::Borrowed(c.service_account.name.as_str()),
                )
            }))
            .chain(
                gateway_accounts
                    .iter()
                    .map(|a| (Cow::Owned(a.namespace.clone()), Cow::Owned(a.name.clone()))),
            )
            .collect();
        let namespaces: Vec<Cow<'a, str>> = std::iter::once(mesh.namespace.as_str())
            .chain(mesh.known_namespaces.iter().map(String::as_str))
            .chain(WELL_KNOWN_NAMESPACES)
            .chain(
                mesh.external_callers
                    .iter()
                    .map(|c| c.service_account.namespace.as_str()),
            )
            .map(Cow::Borrowed)
            .chain(
                gateway_accounts
                    .into_iter()
                    .map(|a| Cow::Owned(a.namespace)),
            )
            .collect();
        Self {
            account_set: accounts.iter().cloned().collect(),
            accounts,
            suggestions: OnceCell::new(),
            namespace_set: namespaces.iter().cloned().collect(),
            namespaces,
        }
    }

    fn has_account(&self, account: &ServiceAccountRef) -> bool {
        self.account_set.contains(&(
            Cow::Borrowed(account.namespace.as_str()),
            Cow::Borrowed(account.name.as_str()),
        ))
    }

    /// The accounts to suggest: only those Kubernetes accepts, since admitting one it refuses
    /// (CM0501) fixes nothing.
    fn suggestible_accounts(&self) -> &[String] {
        self.suggestions.get_or_init(|| {
            self.accounts
                .iter()
                .filter(|(namespace, name)| {
                    Grammar::Dns1123Label.accepts(namespace)
                        && Grammar::Dns1123Subdomain.accepts(name)
                })
                .map(|(namespace, name)| format!("{namespace}/{name}"))
                .collect()
        })
    }
}

/// Without sidecars nothing the mesh declares is enforced; with STRICT that is a security hole
/// (error), otherwise routes, retries and policies are merely all off (warning).
fn check_injection(mesh: &Mesh, out: &mut Diagnostics) {
    if mesh.sidecar_injection {
        return;
    }
    let strict: Vec<MeshPath> = std::iter::once((mesh.mtls, MeshPath::root().field("mtls")))
        .chain(mesh.services.iter().filter_map(|s| {
            s.mtls_override
                .map(|mode| (mode, MeshPath::service(&s.name).field("mtls_override")))
        }))
        .filter(|(mode, _)| *mode == MtlsMode::Strict)
        .map(|(_, path)| path)
        .collect();
    for path in &strict {
        out.push(
            STRICT_WITHOUT_INJECTION
                .at(
                    path.clone(),
                    "mTLS is STRICT, but sidecar injection is off: no proxy enforces it, nor any route or authorization rule",
                )
                .with_help("turn sidecar injection on (the default), or use PERMISSIVE while migrating"),
        );
    }
    if mesh.mtls != MtlsMode::Strict {
        out.push(
            NAMESPACE_NOT_INJECTED
                .at(
                    MeshPath::root().field("sidecar_injection"),
                    format!("sidecar injection is off in namespace `{}`: its routes, retries, splits and authorization rules do nothing", mesh.namespace),
                )
                .with_help("turn sidecar injection on (the default)"),
        );
    }
}

/// Istio does not check principals or namespaces: a rule naming one that does not exist admits
/// nobody, and the caller it was written for gets 403.
fn check_sources(
    mesh: &Mesh,
    declared: &Declared<'_>,
    service: &Service,
    path: &LazyPath<'_>,
    out: &mut Diagnostics,
) {
    for (rule_index, rule) in service.allow.iter().enumerate() {
        for (source_index, source) in rule.from.iter().enumerate() {
            let source_path = || {
                path()
                    .index("allow", rule_index)
                    .index("from", source_index)
            };
            match source {
                Source::ServiceAccount(account) if !declared.has_account(account) => out.push(
                    UNDECLARED_PRINCIPAL
                        .at(
                            source_path(),
                            format!(
                                "admits principal `{}`, but no service or external caller runs as service account {account}",
                                account.principal(&mesh.trust_domain)
                            ),
                        )
                        .with_help(did_you_mean(
                            &account.to_string(),
                            declared.suggestible_accounts().iter().map(String::as_str),
                            format!(
                                "declare the caller: ExternalCaller::builder().name(\"{}\").service_account(ServiceAccountRef::new(\"{}\", \"{}\"))",
                                account.name, account.namespace, account.name
                            ),
                        )),
                ),
                Source::Namespace(namespace)
                    if !declared
                        .namespace_set
                        .contains(&Cow::Borrowed(namespace.as_str())) =>
                {
                    out.push(
                        UNDECLARED_NAMESPACE
                            .at(
                                source_path(),
                                format!(
                                    "admits namespace `{namespace}`, which the mesh does not declare"
                                ),
                            )
                            .with_help(did_you_mean(
                                namespace,
                                declared.namespaces.iter().map(AsRef::as_ref),
                                format!("add `{namespace}` to the mesh's known_namespaces"),
                            )),
                    );
                }
                Source::ServiceAccount(_) | Source::Namespace(_) => {}
            }
        }
    }
}

/// An allow rule without sources is refused by Istio (`from: []`) or admits everyone.
fn check_empty_allow_rules(service: &Service, path: &LazyPath<'_>, out: &mut Diagnostics) {
    for (index, rule) in service.allow.iter().enumerate() {
        if rule.from.is_empty() {
            out.push(
                EMPTY_ALLOW_RULE
                    .at(
                        path().index("allow", index),
                        "the allow rule names no source",
                    )
                    .with_help("name the service accounts or namespaces it admits"),
            );
        }
    }
}

/// Application TLS under mesh mTLS encrypts twice and hides gRPC from the sidecar that was told
/// (by the `grpc` port name) to expect plain HTTP/2.
fn check_app_tls(mesh: &Mesh, service: &Service, path: &LazyPath<'_>, out: &mut Diagnostics) {
    if service.app_tls.is_none()
        || !mesh.sidecar_injection
        || effective_mtls(mesh, service) == MtlsMode::Disable
    {
        return;
    }
    out.push(
        APP_TLS_UNDER_MTLS
            .at(
                path().field("app_tls"),
                format!(
                    "`{}` configures TLS in createServer while the mesh does mTLS ({}): traffic is encrypted twice and the sidecar cannot read the gRPC it routes",
                    service.name,
                    effective_mtls(mesh, service).as_istio()
                ),
            )
            .with_help("remove `app_tls` (and createServer's `tls`): the sidecar does mTLS"),
    );
}

/// Without a mesh nothing encrypts between pods unless the app does: every service needs
/// application TLS (the guide's first migration step).
fn check_app_tls_without_mesh(service: &Service, path: &LazyPath<'_>, out: &mut Diagnostics) {
    if service.app_tls.is_some() {
        return;
    }
    out.push(
        APP_TLS_REQUIRED_WITHOUT_MESH
            .at(
                path().field("app_tls"),
                format!(
                    "`{}` has no application TLS and the mesh mode is none: its calls cross the network in plain text",
                    service.name
                ),
            )
            .with_help("set app_tls (createServer's `tls`, its Secret is mounted at dir_path), or use MeshMode::Istio"),
    );
}

/// Allow rules match peer identities, which only mTLS provides: with mTLS disabled the ALLOW
/// policy denies every request.
fn check_authorization_needs_mtls(
    mesh: &Mesh,
    service: &Service,
    path: &LazyPath<'_>,
    out: &mut Diagnostics,
) {
    if service.allow.is_empty() || effective_mtls(mesh, service) != MtlsMode::Disable {
        return;
    }
    out.push(
        AUTHORIZATION_WITHOUT_MTLS
            .at(
                path().field("allow"),
                format!(
                    "`{}` has allow rules but mTLS is DISABLE, so no caller has an identity and every request is denied",
                    service.name
                ),
            )
            .with_help("use STRICT or PERMISSIVE mTLS for this service, or remove its allow rules"),
    );
}

/// Whether Istio can match `source` only on a request that carries a peer identity, that is one
/// that came over mTLS.
fn needs_peer_identity(source: &Source) -> bool {
    match source {
        // Both are read from the peer certificate (`source.principal`, `source.namespace`).
        Source::ServiceAccount(_) | Source::Namespace(_) => true,
    }
}

/// PERMISSIVE admits plain-text callers, but when every allow rule names principals or
/// namespaces, which only mTLS callers carry, those callers get 403 anyway: the mode buys
/// nothing and promises a migration path that does not exist.
fn check_permissive_with_identity_rules(
    mesh: &Mesh,
    service: &Service,
    path: &LazyPath<'_>,
    out: &mut Diagnostics,
) {
    if !mesh.sidecar_injection || effective_mtls(mesh, service) != MtlsMode::Permissive {
        return;
    }
    let mut sources = service.allow.iter().flat_map(|rule| &rule.from).peekable();
    if sources.peek().is_none() || !sources.all(needs_peer_identity) {
        return;
    }
    let overridden = service.mtls_override == Some(MtlsMode::Permissive);
    let (at, mode) = if overridden {
        (path().field("mtls_override"), "its mTLS override")
    } else {
        (path().field("allow"), "the namespace's mTLS mode")
    };
    let strict = if overridden && mesh.mtls == MtlsMode::Strict {
        "remove the PERMISSIVE override so the namespace's STRICT applies"
    } else {
        "use STRICT for this service (`mtls_override(MtlsMode::Strict)`)"
    };
    out.push(
        PERMISSIVE_WITH_IDENTITY_RULES
            .at(
                at,
                format!(
                    "`{}` accepts plain-text callers ({mode} is PERMISSIVE), but its allow rules admit only principals and namespaces, which only mTLS callers carry: plain-text callers are refused with 403 anyway",
                    service.name
                ),
            )
            .with_help(format!(
                "{strict}; if plain-text callers must reach `{}`, its allow rules cannot admit them and have to go",
                service.name
            )),
    );
}

/// A declared call that no allow rule admits is denied with 403 on every request.
fn check_callers_allowed(mesh: &Mesh, out: &mut Diagnostics) {
    let service_callers = mesh.services.iter().map(|s| {
        (
            s.name.as_str(),
            MeshPath::service(&s.name),
            ServiceAccountRef::new(&mesh.namespace, s.service_account_name()),
            &s.calls,
        )
    });
    let external_callers = mesh.external_callers.iter().map(|c| {
        (
            c.name.as_str(),
            MeshPath::external_caller(&c.name),
            c.service_account.clone(),
            &c.calls,
        )
    });
    let services = ServiceIndex::of(mesh);
    for (caller, caller_path, account, calls) in service_callers.chain(external_callers) {
        let mut reported = Vec::new();
        let callees = (calls.iter().enumerate())
            .filter_map(|(index, name)| Some((index, services.get(name)?)));
        for (call_index, callee) in callees {
            if callee.admits(&account) || reported.contains(&callee.name) {
                continue;
            }
            reported.push(callee.name.clone());
            out.push(
                CALLER_NOT_ALLOWED
                    .at(
                        MeshPath::service(&callee.name).field("allow"),
                        format!(
                            "`{caller}` (service account {account}) calls `{}`, but no allow rule admits it: every call is denied with 403",
                            callee.name
                        ),
                    )
                    .with_help(format!(
                        "add AllowRule::service_account(ServiceAccountRef::new(\"{}\", \"{}\")), or remove the call",
                        account.namespace, account.name
                    ))
                    .with_dsl_help(format!(
                        "add `allow {{ from: [service_account {}/{}] }}` to `{}`, or remove the call",
                        account.namespace, account.name, callee.name
                    ))
                    .with_related(
                        caller_path.index("calls", call_index),
                        format!("`{caller}` calls `{}` here", callee.name),
                    ),
            );
        }
    }
}

/// A gateway whose proxies have no mesh identity is refused by a STRICT workload (connection
/// reset) and by allow rules (403): every request from outside fails. A meshed gateway's
/// principal is admitted by the renderer, so only the identity-less case can fail.
fn check_gateways_admitted(mesh: &Mesh, out: &mut Diagnostics) {
    for gateway in &mesh.gateways {
        if gateway.principal_account(&mesh.namespace).is_some() {
            continue;
        }
        for (index, route) in gateway.routes.iter().enumerate() {
            for service in route
                .target
                .services()
                .into_iter()
                .filter_map(|n| mesh.service(n))
            {
                let strict =
                    mesh.sidecar_injection && effective_mtls(mesh, service) == MtlsMode::Strict;
                if !strict && service.allow.is_empty() {
                    continue;
                }
                let refusal = if strict {
                    "its STRICT mTLS resets plain-text connections"
                } else {
                    "its allow rules admit only mesh identities"
                };
                out.push(
                    GATEWAY_NOT_ADMITTED
                        .at(
                            MeshPath::gateway(&gateway.name).index("routes", index),
                            format!(
                                "gateway `{}` ({}) has no mesh identity, and `{}` refuses it: {refusal}",
                                gateway.name,
                                gateway.runtime.describe(),
                                service.name
                            ),
                        )
                        .with_help(format!(
                            "mesh the gateway's proxies and set its service_account (e.g. ServiceAccountRef::new(\"{}\", \"{}\")), whose principal `{}` then admits; or make `{}` PERMISSIVE without allow rules",
                            mesh.namespace,
                            gateway.name,
                            ServiceAccountRef::new(&mesh.namespace, &gateway.name).principal(&mesh.trust_domain),
                            service.name
                        ))
                        .with_dsl_help(format!(
                            "mesh the gateway's proxies and write `service_account: {}/{}` in gateway `{}`, whose principal then admits; or give `{}` `mtls_override: PERMISSIVE` without allow rules",
                            mesh.namespace, gateway.name, gateway.name, service.name
                        )),
                );
            }
        }
    }
}

/// An HTTPS listener without a certificate is refused, or never serves.
fn check_tls_credentials(mesh: &Mesh, out: &mut Diagnostics) {
    for gateway in &mesh.gateways {
        for (index, listener) in gateway.listeners.iter().enumerate() {
            if !listener.protocol.is_tls() || listener.tls_credential.is_some() {
                continue;
            }
            out.push(
                TLS_LISTENER_WITHOUT_CREDENTIAL
                    .at(
                        MeshPath::gateway(&gateway.name).index("listeners", index),
                        format!(
                            "HTTPS listener `{}` on port {} names no TLS credential",
                            listener.name, listener.port
                        ),
                    )
                    .with_help(format!(
                        "name the TLS Secret: .tls_credential(\"{}-tls\") (only its name is emitted)",
                        gateway.name
                    )),
            );
        }
    }
}

/// A client TLS mode the workload's mTLS mode cannot accept fails every call at the connection.
fn check_client_tls(mesh: &Mesh, service: &Service, path: &LazyPath<'_>, out: &mut Diagnostics) {
    let Some(tls) = &service.traffic_policy.tls else {
        return;
    };
    if !mesh.sidecar_injection {
        return;
    }
    let mode = effective_mtls(mesh, service);
    let conflict = match (tls, mode) {
        (ClientTls::Disable, MtlsMode::Strict) => {
            Some("callers send plain text, which its STRICT mTLS resets")
        }
        (ClientTls::IstioMutual, MtlsMode::Disable) => {
            Some("callers send Istio mTLS, which its DISABLE mode cannot read")
        }
        (ClientTls::Simple { .. }, _) if service.app_tls.is_none() => Some(
            "callers expect a server certificate, but the workload serves plain text behind its sidecar (SIMPLE is for hosts outside the mesh)",
        ),
        _ => None,
    };
    if let Some(conflict) = conflict {
        out.push(
            CLIENT_TLS_CONFLICTS_WITH_MTLS
                .at(
                    path().field("traffic_policy").field("tls"),
                    format!(
                        "client TLS toward `{}` is {} while its mTLS mode is {}: {conflict}",
                        service.name,
                        tls.as_istio(),
                        mode.as_istio()
                    ),
                )
                .with_help("leave `tls` unset (Istio's auto mTLS follows the workload), or use ISTIO_MUTUAL toward STRICT and PERMISSIVE workloads"),
        );
    }
}
