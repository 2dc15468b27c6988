//! Fixtures of the security rules (04xx).

use super::{Fixture, add_inventory, order};
use crate::diag::Severity::{Error, Warning};
use crate::diag::registry::{
    APP_TLS_REQUIRED_WITHOUT_MESH, APP_TLS_UNDER_MTLS, AUTHORIZATION_WITHOUT_MTLS,
    CALLER_NOT_ALLOWED, CALLERS_DENIED_BY_DEFAULT, EMPTY_ALLOW_RULE, NAMESPACE_NOT_INJECTED,
    OPEN_TO_MESH, PERMISSIVE_WITH_IDENTITY_RULES, STRICT_WITHOUT_INJECTION, UNDECLARED_NAMESPACE,
    UNDECLARED_PRINCIPAL,
};
use crate::model::{AllowRule, AppTls, Mesh, MeshMode, MtlsMode, ServiceAccountRef};

pub(super) fn cm0401_undeclared_principal() -> Fixture {
    Fixture::new(
        UNDECLARED_PRINCIPAL,
        Error,
        "service order-service › allow[0] › from[0]",
        |mesh| mesh.external_callers.clear(),
        |_| {},
    )
    .help("ExternalCaller::builder().name(\"envoy-gateway\")")
}

pub(super) fn cm0401_principal_typo() -> Fixture {
    let admit = |name: &'static str| {
        move |mesh: &mut Mesh| {
            order(mesh).allow[0] =
                AllowRule::service_account(ServiceAccountRef::new("connectum", name));
        }
    };
    Fixture::new(
        UNDECLARED_PRINCIPAL,
        Error,
        "service order-service › allow[0] › from[0]",
        admit("envoy-gatway"),
        admit("order-service"),
    )
    .help("did you mean `connectum/envoy-gateway`?")
}

/// The closest declared account is one Kubernetes refuses (`envoy_gateway`): suggesting it
/// fixes nothing, so the help declares the caller instead.
pub(super) fn cm0401_no_suggestion_of_an_invalid_account() -> Fixture {
    let caller_account = |name: &'static str| {
        move |mesh: &mut Mesh| {
            mesh.external_callers[0].service_account = ServiceAccountRef::new("connectum", name);
        }
    };
    Fixture::new(
        UNDECLARED_PRINCIPAL,
        Error,
        "service order-service › allow[0] › from[0]",
        caller_account("envoy_gateway"),
        caller_account("envoy-gateway"),
    )
    .help("ExternalCaller::builder().name(\"envoy-gateway\")")
}

pub(super) fn cm0402_undeclared_namespace() -> Fixture {
    let admit = |namespace: &'static str| {
        move |mesh: &mut Mesh| {
            mesh.known_namespaces.push("monitoring".to_owned());
            order(mesh).allow.push(AllowRule::namespace(namespace));
        }
    };
    Fixture::new(
        UNDECLARED_NAMESPACE,
        Error,
        "service order-service › allow[2] › from[0]",
        admit("monitorin"),
        admit("monitoring"),
    )
    .help("did you mean `monitoring`?")
}

fn injection(on: bool, mtls: MtlsMode) -> impl FnOnce(&mut Mesh) {
    move |mesh| {
        mesh.sidecar_injection = on;
        mesh.mtls = mtls;
    }
}

pub(super) fn cm0403_strict_without_injection() -> Fixture {
    Fixture::new(
        STRICT_WITHOUT_INJECTION,
        Error,
        "mtls",
        injection(false, MtlsMode::Strict),
        injection(false, MtlsMode::Permissive),
    )
}

pub(super) fn cm0404_app_tls_under_mtls() -> Fixture {
    let app_tls = |mtls: Option<MtlsMode>| {
        move |mesh: &mut Mesh| {
            let order = order(mesh);
            order.app_tls = Some(AppTls::builder().dir_path("/etc/tls").build());
            order.allow.clear();
            order.mtls_override = mtls;
        }
    };
    Fixture::new(
        APP_TLS_UNDER_MTLS,
        Warning,
        "service order-service › app_tls",
        app_tls(None),
        app_tls(Some(MtlsMode::Disable)),
    )
}

pub(super) fn cm0405_authorization_without_mtls() -> Fixture {
    let mtls = |mode: MtlsMode| move |mesh: &mut Mesh| order(mesh).mtls_override = Some(mode);
    Fixture::new(
        AUTHORIZATION_WITHOUT_MTLS,
        Error,
        "service order-service › allow",
        mtls(MtlsMode::Disable),
        mtls(MtlsMode::Permissive),
    )
}

pub(super) fn cm0406_caller_not_allowed() -> Fixture {
    let gateway = ServiceAccountRef::new("envoy-gateway-system", "envoy");
    let admitted = gateway.clone();
    Fixture::new(
        CALLER_NOT_ALLOWED,
        Error,
        "service order-service › allow",
        move |mesh| mesh.external_callers[0].service_account = gateway,
        move |mesh| {
            mesh.external_callers[0].service_account = admitted.clone();
            order(mesh).allow[0] = AllowRule::service_account(admitted);
        },
    )
    .help("AllowRule::service_account(ServiceAccountRef::new(\"envoy-gateway-system\", \"envoy\"))")
}

pub(super) fn cm0407_empty_allow_rule() -> Fixture {
    let rule = |rule: AllowRule| move |mesh: &mut Mesh| order(mesh).allow.push(rule);
    Fixture::new(
        EMPTY_ALLOW_RULE,
        Error,
        "service order-service › allow[2]",
        rule(AllowRule::default()),
        rule(AllowRule::namespace("connectum")),
    )
}

pub(super) fn cm0408_namespace_not_injected() -> Fixture {
    Fixture::new(
        NAMESPACE_NOT_INJECTED,
        Warning,
        "sidecar_injection",
        injection(false, MtlsMode::Permissive),
        injection(true, MtlsMode::Permissive),
    )
}

pub(super) fn cm0409_permissive_override_with_identity_rules() -> Fixture {
    let permissive = |keep_allow_rules: bool| {
        move |mesh: &mut Mesh| {
            let order = order(mesh);
            order.mtls_override = Some(MtlsMode::Permissive);
            if !keep_allow_rules {
                order.allow.clear();
            }
        }
    };
    Fixture::new(
        PERMISSIVE_WITH_IDENTITY_RULES,
        Warning,
        "service order-service › mtls_override",
        permissive(true),
        permissive(false),
    )
    .help("remove the PERMISSIVE override so the namespace's STRICT applies")
}

pub(super) fn cm0409_permissive_namespace_with_identity_rules() -> Fixture {
    let namespace_permissive = |service_override: Option<MtlsMode>| {
        move |mesh: &mut Mesh| {
            mesh.mtls = MtlsMode::Permissive;
            order(mesh).mtls_override = service_override;
        }
    };
    Fixture::new(
        PERMISSIVE_WITH_IDENTITY_RULES,
        Warning,
        "service order-service › allow",
        namespace_permissive(None),
        namespace_permissive(Some(MtlsMode::Strict)),
    )
    .help("use STRICT for this service")
}

pub(super) fn cm0402_well_known_namespace_typo() -> Fixture {
    let admit = |namespace: &'static str| {
        move |mesh: &mut Mesh| order(mesh).allow.push(AllowRule::namespace(namespace))
    };
    Fixture::new(
        UNDECLARED_NAMESPACE,
        Error,
        "service order-service › allow[2] › from[0]",
        admit("istio-sytem"),
        // Well-known system namespaces need no declaration.
        admit("istio-system"),
    )
    .help("did you mean `istio-system`?")
}

pub(super) fn cm0460_open_to_mesh() -> Fixture {
    let inventory = |called: bool| {
        move |mesh: &mut Mesh| {
            add_inventory(mesh);
            if called {
                order(mesh).calls.push("inventory-service".to_owned());
            }
        }
    };
    Fixture::new(
        OPEN_TO_MESH,
        Warning,
        "service inventory-service",
        inventory(false),
        // A declared caller derives its ALLOW list.
        inventory(true),
    )
    .message("open to every workload")
}

pub(super) fn cm0460_open_to_mesh_unless_denied_by_default() -> Fixture {
    Fixture::new(
        OPEN_TO_MESH,
        Warning,
        "service inventory-service",
        |mesh| {
            add_inventory(mesh);
        },
        |mesh| {
            add_inventory(mesh);
            mesh.deny_by_default = true;
        },
    )
}

/// Under deny_by_default, a called service whose mTLS is PERMISSIVE gets no derived ALLOW list,
/// so the allow-nothing policy refuses its callers; under STRICT (the near miss) it is derived.
pub(super) fn cm0461_callers_denied_by_default() -> Fixture {
    let called = |mode: MtlsMode| {
        move |mesh: &mut Mesh| {
            add_inventory(mesh);
            mesh.deny_by_default = true;
            order(mesh).calls.push("inventory-service".to_owned());
            let inventory = mesh
                .services
                .iter_mut()
                .find(|s| s.name == "inventory-service")
                .unwrap();
            inventory.mtls_override = Some(mode);
        }
    };
    Fixture::new(
        CALLERS_DENIED_BY_DEFAULT,
        Error,
        "service inventory-service",
        called(MtlsMode::Permissive),
        called(MtlsMode::Strict),
    )
    .message("allow-nothing policy refuses every declared caller")
}

/// Without a mesh every service needs application TLS; with it (the near miss) the rule is met,
/// and CM0404 (app TLS under mTLS) does not apply in that mode.
pub(super) fn cm0441_app_tls_required_without_mesh() -> Fixture {
    let no_mesh = |tls: bool| {
        move |mesh: &mut Mesh| {
            mesh.mode = MeshMode::None;
            for service in &mut mesh.services {
                service.app_tls = tls.then(|| AppTls::builder().dir_path("/etc/tls").build());
            }
        }
    };
    Fixture::new(
        APP_TLS_REQUIRED_WITHOUT_MESH,
        Error,
        "service order-service › app_tls",
        no_mesh(false),
        no_mesh(true),
    )
}
