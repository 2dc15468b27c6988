//! Security rules: authorization rules must name identities and namespaces that exist and admit
//! the declared callers, and mTLS must actually be enforced where it is declared.

use crate::diag::registry::{
    APP_TLS_UNDER_MTLS, AUTHORIZATION_WITHOUT_MTLS, CALLER_NOT_ALLOWED, EMPTY_ALLOW_RULE,
    NAMESPACE_NOT_INJECTED, PERMISSIVE_WITH_IDENTITY_RULES, STRICT_WITHOUT_INJECTION,
    UNDECLARED_NAMESPACE, UNDECLARED_PRINCIPAL,
};
use std::cell::OnceCell;
use std::collections::HashSet;

use crate::diag::{Diagnostics, MeshPath, did_you_mean};
use crate::model::{Mesh, MtlsMode, Service, ServiceAccountRef, Source};

use super::graph::ServiceIndex;
use super::names::Grammar;

pub(super) fn run(mesh: &Mesh, out: &mut Diagnostics) {
    check_injection(mesh, out);
    let declared = Declared::of(mesh);
    for service in &mesh.services {
        let path = MeshPath::service(&service.name);
        check_sources(mesh, &declared, service, &path, out);
        check_empty_allow_rules(service, &path, out);
        check_app_tls(mesh, service, &path, out);
        check_authorization_needs_mtls(mesh, service, &path, out);
        check_permissive_with_identity_rules(mesh, service, &path, out);
    }
    check_callers_allowed(mesh, out);
}

/// The mTLS mode that applies to `service`.
fn effective_mtls(mesh: &Mesh, service: &Service) -> MtlsMode {
    service.mtls_override.unwrap_or(mesh.mtls)
}

/// What allow rules may name, indexed once per check: the service accounts the mesh knows (those
/// its services run as, and its external callers') and the namespaces (its own,
/// `known_namespaces`, and its external callers').
struct Declared<'a> {
    /// In declaration order, which decides between equally close suggestions.
    accounts: Vec<(&'a str, &'a str)>,
    account_set: HashSet<(&'a str, &'a str)>,
    /// Built on the first wrong principal, then reused.
    suggestions: OnceCell<Vec<String>>,
    namespaces: Vec<&'a str>,
    namespace_set: HashSet<&'a str>,
}

impl<'a> Declared<'a> {
    fn of(mesh: &'a Mesh) -> Self {
        let accounts: Vec<(&str, &str)> = mesh
            .services
            .iter()
            .map(|s| (mesh.namespace.as_str(), s.service_account_name()))
            .chain(mesh.external_callers.iter().map(|c| {
                (
                    c.service_account.namespace.as_str(),
                    c.service_account.name.as_str(),
                )
            }))
            .collect();
        let namespaces: Vec<&str> = std::iter::once(mesh.namespace.as_str())
            .chain(mesh.known_namespaces.iter().map(String::as_str))
            .chain(
                mesh.external_callers
                    .iter()
                    .map(|c| c.service_account.namespace.as_str()),
            )
            .collect();
        Self {
            account_set: accounts.iter().copied().collect(),
            accounts,
            suggestions: OnceCell::new(),
            namespace_set: namespaces.iter().copied().collect(),
            namespaces,
        }
    }

    fn has_account(&self, account: &ServiceAccountRef) -> bool {
        self.account_set
            .contains(&(account.namespace.as_str(), account.name.as_str()))
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
    let strict: Vec<MeshPath> = std::iter::once((mesh.mtls, MeshPath::root().join("mtls")))
        .chain(mesh.services.iter().filter_map(|s| {
            s.mtls_override
                .map(|mode| (mode, MeshPath::service(&s.name).join("mtls_override")))
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
                    MeshPath::root().join("sidecar_injection"),
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
    path: &MeshPath,
    out: &mut Diagnostics,
) {
    for (rule_index, rule) in service.allow.iter().enumerate() {
        for (source_index, source) in rule.from.iter().enumerate() {
            let source_path = || path.index("allow", rule_index).index("from", source_index);
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
                    if !declared.namespace_set.contains(namespace.as_str()) =>
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
                                declared.namespaces.iter().copied(),
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
fn check_empty_allow_rules(service: &Service, path: &MeshPath, out: &mut Diagnostics) {
    for (index, rule) in service.allow.iter().enumerate() {
        if rule.from.is_empty() {
            out.push(
                EMPTY_ALLOW_RULE
                    .at(path.index("allow", index), "the allow rule names no source")
                    .with_help("name the service accounts or namespaces it admits"),
            );
        }
    }
}

/// Application TLS under mesh mTLS encrypts twice and hides gRPC from the sidecar that was told
/// (by the `grpc` port name) to expect plain HTTP/2.
fn check_app_tls(mesh: &Mesh, service: &Service, path: &MeshPath, out: &mut Diagnostics) {
    if service.app_tls.is_none()
        || !mesh.sidecar_injection
        || effective_mtls(mesh, service) == MtlsMode::Disable
    {
        return;
    }
    out.push(
        APP_TLS_UNDER_MTLS
            .at(
                path.join("app_tls"),
                format!(
                    "`{}` configures TLS in createServer while the mesh does mTLS ({}): traffic is encrypted twice and the sidecar cannot read the gRPC it routes",
                    service.name,
                    effective_mtls(mesh, service).as_istio()
                ),
            )
            .with_help("remove `app_tls` (and createServer's `tls`): the sidecar does mTLS"),
    );
}

/// Allow rules match peer identities, which only mTLS provides: with mTLS disabled the ALLOW
/// policy denies every request.
fn check_authorization_needs_mtls(
    mesh: &Mesh,
    service: &Service,
    path: &MeshPath,
    out: &mut Diagnostics,
) {
    if service.allow.is_empty() || effective_mtls(mesh, service) != MtlsMode::Disable {
        return;
    }
    out.push(
        AUTHORIZATION_WITHOUT_MTLS
            .at(
                path.join("allow"),
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
    path: &MeshPath,
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
        (path.join("mtls_override"), "its mTLS override")
    } else {
        (path.join("allow"), "the namespace's mTLS mode")
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
            ServiceAccountRef::new(&mesh.namespace, s.service_account_name()),
            &s.calls,
        )
    });
    let external_callers = mesh
        .external_callers
        .iter()
        .map(|c| (c.name.as_str(), c.service_account.clone(), &c.calls));
    let index = ServiceIndex::of(mesh);
    for (caller, account, calls) in service_callers.chain(external_callers) {
        let mut reported = Vec::new();
        for callee in calls.iter().filter_map(|name| index.get(name)) {
            if callee.allow.is_empty() || reported.contains(&callee.name) {
                continue;
            }
            let admitted =
                callee
                    .allow
                    .iter()
                    .flat_map(|r| r.from.iter())
                    .any(|source| match source {
                        Source::ServiceAccount(admitted) => *admitted == account,
                        Source::Namespace(namespace) => *namespace == account.namespace,
                    });
            if admitted {
                continue;
            }
            reported.push(callee.name.clone());
            out.push(
                CALLER_NOT_ALLOWED
                    .at(
                        MeshPath::service(&callee.name).join("allow"),
                        format!(
                            "`{caller}` (service account {account}) calls `{}`, but no allow rule admits it: every call is denied with 403",
                            callee.name
                        ),
                    )
                    .with_help(format!(
                        "add AllowRule::service_account(ServiceAccountRef::new(\"{}\", \"{}\")), or remove the call",
                        account.namespace, account.name
                    )),
            );
        }
    }
}
