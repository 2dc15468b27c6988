//! Security rules: authorization rules must name identities and namespaces that exist and admit
//! the declared callers, and mTLS must actually be enforced where it is declared.

use crate::diag::registry::{
    APP_TLS_UNDER_MTLS, AUTHORIZATION_WITHOUT_MTLS, CALLER_NOT_ALLOWED, EMPTY_ALLOW_RULE,
    NAMESPACE_NOT_INJECTED, PERMISSIVE_WITH_IDENTITY_RULES, STRICT_WITHOUT_INJECTION,
    UNDECLARED_NAMESPACE, UNDECLARED_PRINCIPAL,
};
use crate::diag::{Diagnostics, MeshPath, did_you_mean};
use crate::model::{Mesh, MtlsMode, Service, ServiceAccountRef, Source};

use super::names::Grammar;

pub(super) fn run(mesh: &Mesh, out: &mut Diagnostics) {
    check_injection(mesh, out);
    for service in &mesh.services {
        let path = MeshPath::service(&service.name);
        check_sources(mesh, service, &path, out);
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

/// The service accounts the mesh knows: those its services run as, and its external callers'.
fn declared_accounts(mesh: &Mesh) -> Vec<ServiceAccountRef> {
    mesh.services
        .iter()
        .map(|s| ServiceAccountRef::new(&mesh.namespace, s.service_account_name()))
        .chain(
            mesh.external_callers
                .iter()
                .map(|c| c.service_account.clone()),
        )
        .collect()
}

/// The namespaces the mesh knows: its own, `known_namespaces`, and its external callers'.
fn declared_namespaces(mesh: &Mesh) -> Vec<&str> {
    std::iter::once(mesh.namespace.as_str())
        .chain(mesh.known_namespaces.iter().map(String::as_str))
        .chain(
            mesh.external_callers
                .iter()
                .map(|c| c.service_account.namespace.as_str()),
        )
        .collect()
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
fn check_sources(mesh: &Mesh, service: &Service, path: &MeshPath, out: &mut Diagnostics) {
    let accounts = declared_accounts(mesh);
    // Suggest only accounts Kubernetes accepts: admitting one it refuses (CM0501) fixes nothing.
    let account_names: Vec<String> = accounts
        .iter()
        .filter(|a| {
            Grammar::Dns1123Label.accepts(&a.namespace)
                && Grammar::Dns1123Subdomain.accepts(&a.name)
        })
        .map(ToString::to_string)
        .collect();
    let namespaces = declared_namespaces(mesh);
    for (rule_index, rule) in service.allow.iter().enumerate() {
        for (source_index, source) in rule.from.iter().enumerate() {
            let source_path = path.index("allow", rule_index).index("from", source_index);
            match source {
                Source::ServiceAccount(account) if !accounts.contains(account) => out.push(
                    UNDECLARED_PRINCIPAL
                        .at(
                            source_path,
                            format!(
                                "admits principal `{}`, but no service or external caller runs as service account {account}",
                                account.principal(&mesh.trust_domain)
                            ),
                        )
                        .with_help(did_you_mean(
                            &account.to_string(),
                            account_names.iter().map(String::as_str),
                            format!(
                                "declare the caller: ExternalCaller::builder().name(\"{}\").service_account(ServiceAccountRef::new(\"{}\", \"{}\"))",
                                account.name, account.namespace, account.name
                            ),
                        )),
                ),
                Source::Namespace(namespace) if !namespaces.contains(&namespace.as_str()) => out.push(
                    UNDECLARED_NAMESPACE
                        .at(
                            source_path,
                            format!("admits namespace `{namespace}`, which the mesh does not declare"),
                        )
                        .with_help(did_you_mean(
                            namespace,
                            namespaces.iter().copied(),
                            format!("add `{namespace}` to the mesh's known_namespaces"),
                        )),
                ),
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
                path.field("app_tls"),
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
                path.field("allow"),
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
        (path.field("mtls_override"), "its mTLS override")
    } else {
        (path.field("allow"), "the namespace's mTLS mode")
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
    for (caller, caller_path, account, calls) in service_callers.chain(external_callers) {
        let mut reported = Vec::new();
        let callees = (calls.iter().enumerate())
            .filter_map(|(index, name)| Some((index, mesh.service(name)?)));
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
                    .with_related(
                        caller_path.index("calls", call_index),
                        format!("`{caller}` calls `{}` here", callee.name),
                    ),
            );
        }
    }
}
