//! Kubernetes wiring rules for metadata: the names and labels of the objects the mesh renders,
//! which the API server refuses, or which make selectors match no pod.

use super::LazyPath;
use crate::diag::registry::{
    INJECTION_LABEL_CONFLICT, INVALID_LABEL, INVALID_NAME, LABEL_KEY_CONFLICT, SYSTEM_NAMESPACE,
};
use crate::diag::{Diagnostics, MeshPath};
use crate::model::{Mesh, RENDERER_LABELS};

use super::names::{Grammar, LABEL_SYNTAX, is_label_key, is_label_value, repair_label_value};

/// Namespace labels that choose how (or whether) Istio injects sidecars.
const INJECTION_LABELS: [&str; 3] = ["istio-injection", "istio.io/rev", "istio.io/dataplane-mode"];

/// Namespaces whose pods Istio's injector never gives a sidecar: Kubernetes' own, which the
/// injector always skips, and the control plane's.
pub(crate) const UNINJECTED_NAMESPACES: [&str; 4] = [
    "kube-system",
    "kube-public",
    "kube-node-lease",
    "istio-system",
];

pub(super) fn run(mesh: &Mesh, out: &mut Diagnostics) {
    check_system_namespace(mesh, out);
    check_names(mesh, out);
    check_labels(mesh, out);
    check_label_key_conflicts(mesh, out);
    check_injection_labels(mesh, out);
}

/// In a namespace the injector skips, no pod gets a sidecar: every guarantee of the mesh is void.
fn check_system_namespace(mesh: &Mesh, out: &mut Diagnostics) {
    if !UNINJECTED_NAMESPACES.contains(&mesh.namespace.as_str()) {
        return;
    }
    out.push(
        SYSTEM_NAMESPACE
            .at(
                MeshPath::root().field("namespace"),
                format!(
                    "namespace `{}` never gets sidecars: its pods run without mTLS, authorization, routes, retries or splits, whatever the manifests say",
                    mesh.namespace
                ),
            )
            .with_help("use a namespace of your own, e.g. `connectum`"),
    );
}

/// Reports `name`, suggesting the nearest valid name unless another item already has it
/// (`taken`): renaming into a clash would only trade this error for a duplicate name.
fn push_invalid_name(
    out: &mut Diagnostics,
    path: MeshPath,
    what: &str,
    name: &str,
    grammar: Grammar,
    taken: &[&str],
) {
    let help = match grammar.repair(name) {
        Some(repaired) if taken.contains(&repaired.as_str()) => format!(
            "`{repaired}` is already taken; choose another name, {}",
            grammar.describe()
        ),
        Some(repaired) => format!("use `{repaired}`"),
        None => format!("use {}", grammar.describe()),
    };
    out.push(
        INVALID_NAME
            .at(
                path,
                format!("{what} `{name}` is not {}", grammar.describe()),
            )
            .with_help(help),
    );
}

/// The API server refuses objects whose names break Kubernetes' grammars, leaving the mesh half
/// applied.
fn check_names(mesh: &Mesh, out: &mut Diagnostics) {
    let root = MeshPath::root();
    let label = Grammar::Dns1123Label;
    if !label.accepts(&mesh.namespace) {
        push_invalid_name(
            out,
            root.field("namespace"),
            "namespace",
            &mesh.namespace,
            label,
            &[],
        );
    }
    for (index, namespace) in mesh.known_namespaces.iter().enumerate() {
        if !label.accepts(namespace) {
            push_invalid_name(
                out,
                root.index("known_namespaces", index),
                "namespace",
                namespace,
                label,
                &[],
            );
        }
    }
    // Names a renamed service must not take: the other services' and the external callers'.
    let caller_names = mesh.external_callers.iter().map(|c| c.name.as_str());
    let service_names: Vec<&str> = mesh
        .services
        .iter()
        .map(|s| s.name.as_str())
        .chain(caller_names)
        .collect();
    for service in &mesh.services {
        let path = || MeshPath::service(&service.name);
        if !Grammar::Dns1035Label.accepts(&service.name) {
            push_invalid_name(
                out,
                path().field("name"),
                "service name",
                &service.name,
                Grammar::Dns1035Label,
                &service_names,
            );
        }
        if let Some(account) = &service.service_account
            && !Grammar::Dns1123Subdomain.accepts(account)
        {
            push_invalid_name(
                out,
                path().field("service_account"),
                "service account",
                account,
                Grammar::Dns1123Subdomain,
                &[],
            );
        }
        for subset in &service.subsets {
            if !label.accepts(&subset.name) {
                let subset_names: Vec<&str> =
                    service.subsets.iter().map(|s| s.name.as_str()).collect();
                let subset_path = path().subset(&subset.name).field("name");
                push_invalid_name(
                    out,
                    subset_path,
                    "subset name",
                    &subset.name,
                    label,
                    &subset_names,
                );
            }
        }
    }
    for caller in &mesh.external_callers {
        let account = &caller.service_account;
        let path = MeshPath::external_caller(&caller.name).field("service_account");
        if !label.accepts(&account.namespace) {
            push_invalid_name(
                out,
                path.clone(),
                "service account namespace",
                &account.namespace,
                label,
                &[],
            );
        }
        if !Grammar::Dns1123Subdomain.accepts(&account.name) {
            push_invalid_name(
                out,
                path,
                "service account",
                &account.name,
                Grammar::Dns1123Subdomain,
                &[],
            );
        }
    }
    if let Some(telemetry) = &mesh.telemetry
        && !Grammar::Dns1123Subdomain.accepts(&telemetry.name)
    {
        push_invalid_name(
            out,
            root.field("telemetry").field("name"),
            "Telemetry name",
            &telemetry.name,
            Grammar::Dns1123Subdomain,
            &[],
        );
    }
}

/// The API server refuses every object carrying a malformed label.
fn check_labels(mesh: &Mesh, out: &mut Diagnostics) {
    let root = MeshPath::root();
    let mut keys: Vec<(MeshPath, &str)> = vec![
        (root.field("app_label"), mesh.app_label.as_str()),
        (root.field("version_label"), mesh.version_label.as_str()),
    ];
    let mut values: Vec<(MeshPath, &str)> = Vec::new();
    for (key, value) in &mesh.namespace_labels {
        let entry = root.field("namespace_labels").key(key);
        keys.push((entry.clone(), key));
        values.push((entry, value));
    }
    if let Some(part_of) = &mesh.part_of {
        values.push((root.field("part_of"), part_of));
    }
    for (path, key) in keys {
        if !is_label_key(key) {
            out.push(
                INVALID_LABEL
                    .at(path, format!("`{key}` is not a valid Kubernetes label key"))
                    .with_help(LABEL_SYNTAX),
            );
        }
    }
    let mut check_value = |path: &LazyPath<'_>, value: &str| {
        if is_label_value(value) {
            return;
        }
        let help = repair_label_value(value).map_or_else(
            || LABEL_SYNTAX.to_owned(),
            |value| format!("use `{value}`; {LABEL_SYNTAX}"),
        );
        out.push(
            INVALID_LABEL
                .at(
                    path(),
                    format!("`{value}` is not a valid Kubernetes label value"),
                )
                .with_help(help),
        );
    };
    for (path, value) in values {
        check_value(&|| path.clone(), value);
    }
    // Per service, the path is written only for a value the API server would refuse.
    for service in &mesh.services {
        let path = || MeshPath::service(&service.name);
        if let Some(version) = &service.app_version {
            check_value(&|| path().field("app_version"), version);
        }
        for subset in &service.subsets {
            let subset_path = || path().subset(&subset.name);
            check_value(&|| subset_path().field("version_label"), subset.version());
            if let Some(version) = &subset.app_version {
                check_value(&|| subset_path().field("app_version"), version);
            }
        }
    }
}

/// When two label roles share a key, one value overwrites the other on the pods and Services or
/// subsets select nothing.
fn check_label_key_conflicts(mesh: &Mesh, out: &mut Diagnostics) {
    let root = MeshPath::root();
    if mesh.app_label == mesh.version_label {
        out.push(
            LABEL_KEY_CONFLICT
                .at(
                    root.field("version_label"),
                    format!("the version label and the app label are both `{}`, so subset values overwrite the app name on the pods", mesh.app_label),
                )
                .with_help("use distinct keys, e.g. `app.kubernetes.io/name` and `version`"),
        );
    }
    for (field, key) in [
        ("app_label", &mesh.app_label),
        ("version_label", &mesh.version_label),
    ] {
        if RENDERER_LABELS.contains(&key.as_str()) {
            out.push(
                LABEL_KEY_CONFLICT
                    .at(
                        root.field(field),
                        format!("`{key}` is a label the renderer also writes on every workload, so the selector built on it matches no pod"),
                    )
                    .with_help(if field == "app_label" {
                        "use `app.kubernetes.io/name`"
                    } else {
                        "use `version`"
                    }),
            );
        }
    }
}

/// Injection labels in `namespace_labels` duplicate or contradict `sidecar_injection`.
fn check_injection_labels(mesh: &Mesh, out: &mut Diagnostics) {
    for (key, value) in &mesh.namespace_labels {
        if !INJECTION_LABELS.contains(&key.as_str()) {
            continue;
        }
        // `istio-injection` saying what `sidecar_injection` says is the one label, not a second.
        let agrees = key == "istio-injection" && (value == "enabled") == mesh.sidecar_injection;
        if agrees {
            continue;
        }
        out.push(
            INJECTION_LABEL_CONFLICT
                .at(
                    MeshPath::root().field("namespace_labels").key(key),
                    format!(
                        "namespace label `{key}: {value}` also decides sidecar injection, which `sidecar_injection` ({}) already sets",
                        mesh.sidecar_injection
                    ),
                )
                .with_help(format!("remove `{key}` from namespace_labels and use `sidecar_injection`")),
        );
    }
}
