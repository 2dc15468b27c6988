//! Importing manifests into the mesh model, and linting them.
//!
//! [`import`] groups what [`crate::read`] read into a [`Mesh`]: services from Deployments and
//! Services (selectors and labels), subsets from DestinationRules matched to the pods that carry
//! their labels, routes from VirtualServices, allow rules from AuthorizationPolicies, mTLS from
//! PeerAuthentications, autoscaling from HPAs, disruption budgets from PodDisruptionBudgets,
//! application TLS from `TLS_DIR_PATH`, config from ConfigMaps and telemetry. Manifests without
//! any Istio object (no Istio kind, no injection label, no Istio pod annotation) import as a mesh
//! without Istio ([`MeshMode::None`](connectum_mesh_core::MeshMode::None)), whose subsets are the
//! Deployments carrying the version label. Then it
//! runs the checker on that mesh and reports each diagnostic at the YAML location of the item
//! it names. What the model cannot say is listed, each at its location (CM0827): the imported
//! mesh is rendered and compared with what was read, so nothing it would drop goes unmentioned.
//!
//! ```
//! use connectum_mesh::import::{ImportOptions, import};
//! use connectum_mesh::read::read_text;
//!
//! let yaml = "apiVersion: v1\nkind: Service\nmetadata: {name: cart, namespace: shop}\nspec:\n  selector: {app.kubernetes.io/name: kart}\n  ports: [{name: grpc, port: 5000}]\n";
//! let imported = import(read_text("svc.yaml", yaml), &ImportOptions::default());
//! let codes: Vec<_> = imported.diagnostics.iter().map(|d| d.diagnostic.code.as_str()).collect();
//! assert!(codes.contains(&"CM0828")); // the selector matches no Deployment
//! ```

pub(crate) mod edge;
mod locate;
pub(crate) mod model;
pub mod print;

use std::collections::BTreeMap;

use connectum_mesh_core::diag::registry::{
    AUTHORIZATION_NOT_MODELLED, CONFLICTING_HOSTS, NO_MATCHING_PODS, NOT_MODELLED,
};
use connectum_mesh_core::{Interceptors, Mesh};

use crate::read::{FieldPath, Manifest, ReadObject, Reading, SourceDiagnostic, SourceDiagnostics};
use crate::render::{IstioApi, Object, Versioned};

/// What the manifests cannot tell the import.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// The interceptors the applications' `createServer` configures (manifests do not say);
    /// every imported service gets them, so the retry budget counts app retries. Default: none.
    pub interceptors: Interceptors,
}

/// The result of an import: the mesh, and every problem with its location.
#[derive(Clone, Debug)]
pub struct Import {
    /// The mesh the manifests describe.
    pub mesh: Mesh,
    /// Reading problems, import findings, the checker's diagnostics and what the model cannot
    /// say, each located in the files where possible.
    pub diagnostics: Vec<SourceDiagnostic>,
    reading_failed: bool,
}

impl Import {
    /// Whether a file could not be read or a document could not be understood (CM0820–CM0825):
    /// the mesh then lacks what those documents say, and the CLI prints no code.
    #[must_use]
    pub fn reading_failed(&self) -> bool {
        self.reading_failed
    }

    /// Whether any problem is an error (what `lint` exits 1 on).
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.diagnostics.has_errors()
    }

    /// The codes found, in order.
    #[must_use]
    pub fn codes(&self) -> Vec<&'static str> {
        self.diagnostics.codes()
    }
}

/// Groups `reading` into a mesh, checks it and lists what the model cannot say.
#[must_use]
pub fn import(reading: Reading, options: &ImportOptions) -> Import {
    let reading_failed = reading.diagnostics.iter().any(|d| {
        d.is_error()
            && matches!(
                d.diagnostic.code.as_str(),
                "CM0820" | "CM0821" | "CM0822" | "CM0823" | "CM0824" | "CM0825"
            )
    });
    let mut diagnostics = reading.diagnostics.clone();
    let objects = model::Objects::new(&reading.objects);
    let mesh = model::mesh(&objects, &options.interceptors);
    diagnostics.extend(selectors(&model::Objects::every(&reading.objects)));
    diagnostics.extend(conflicting_hosts(&objects));
    for diagnostic in connectum_mesh_core::check(&mesh) {
        let location = locate::locate(&diagnostic.path, &mesh, &objects);
        diagnostics.push(SourceDiagnostic::new(diagnostic, location));
    }
    // Where documents replace each other, the cluster runs the last one; what the others say
    // is checked too, so a defect in a replaced file is not hidden by the replacement.
    for replaced in reading.objects.iter().filter(|o| !objects.keeps(o)) {
        let alternative = model::Objects::choosing(&reading.objects, Some(replaced));
        let alternative_mesh = model::mesh(&alternative, &options.interceptors);
        for diagnostic in connectum_mesh_core::check(&alternative_mesh) {
            let known = diagnostics.iter().any(|d| {
                d.diagnostic.code == diagnostic.code && d.diagnostic.message == diagnostic.message
            });
            if !known {
                let location = locate::locate(&diagnostic.path, &alternative_mesh, &alternative);
                diagnostics.push(SourceDiagnostic::new(diagnostic, location));
            }
        }
    }
    diagnostics.extend(not_modelled(&reading.objects, &objects, &mesh));
    Import {
        mesh,
        diagnostics,
        reading_failed,
    }
}

/// Service selectors and DestinationRule subsets that match no Deployment's pods, and
/// Deployments whose selectors take another Deployment's pods.
fn selectors(objects: &model::Objects<'_>) -> Vec<SourceDiagnostic> {
    let deployments: Vec<(&ReadObject, &k8s_openapi::api::apps::v1::Deployment)> = objects
        .all
        .iter()
        .filter_map(|(read, o)| match o {
            Object::Deployment(d) => Some((*read, d)),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for (read, object) in &objects.all {
        if let Object::Service(service) = object {
            let selector = service
                .spec
                .as_ref()
                .and_then(|s| s.selector.clone())
                .unwrap_or_default();
            if model::workloads_of(&selector, &deployments).is_empty() {
                out.push(read.diagnostic(
                    &NO_MATCHING_PODS,
                    &FieldPath::root().key("spec").key("selector"),
                    format!("Service {} selects no Deployment's pods", read.name),
                ));
            }
        }
    }
    // IST0173: a subset selects the pods of its host's Service that carry its labels.
    for (read, object) in &objects.all {
        let Object::DestinationRule(rule) = object else {
            continue;
        };
        let short_host = rule.spec.host.split('.').next().unwrap_or_default();
        let service_selector = objects
            .all
            .iter()
            .find_map(|(_, o)| match o {
                Object::Service(service)
                    if service.metadata.name.as_deref() == Some(short_host) =>
                {
                    service.spec.as_ref().and_then(|s| s.selector.clone())
                }
                _ => None,
            })
            .unwrap_or_default();
        for (index, subset) in rule.spec.subsets.iter().enumerate() {
            let mut selector = service_selector.clone();
            selector.extend(subset.labels.clone());
            if model::workloads_of(&selector, &deployments).is_empty() {
                out.push(read.diagnostic(
                    &NO_MATCHING_PODS,
                    &FieldPath::root()
                        .key("spec")
                        .key("subsets")
                        .index(index)
                        .key("labels"),
                    format!(
                        "subset `{}` of DestinationRule {} selects no Deployment's pods: none carries {}",
                        subset.name,
                        read.name,
                        selector
                            .iter()
                            .map(|(k, v)| format!("{k}: {v}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
    }
    for (read, deployment) in &deployments {
        let selector = model::deployment_spec(deployment)
            .and_then(|s| s.selector.match_labels.clone())
            .unwrap_or_default();
        for (other, other_deployment) in &deployments {
            if other.name != read.name
                && !selector.is_empty()
                && selector
                    .iter()
                    .all(|(k, v)| model::pod_labels(other_deployment).get(k) == Some(v))
            {
                out.push(read.diagnostic(
                    connectum_mesh_core::diag::registry::lookup(connectum_mesh_core::Code("CM0104"))
                        .unwrap_or(&NO_MATCHING_PODS),
                    &FieldPath::root().key("spec").key("selector"),
                    format!(
                        "the selector of Deployment {} also selects the pods of Deployment {} (at {}): both controllers fight over them",
                        read.name,
                        other.name,
                        other.location()
                    ),
                ));
            }
        }
    }
    out
}

fn conflicting_hosts(objects: &model::Objects<'_>) -> Vec<SourceDiagnostic> {
    let mut first: BTreeMap<&str, &ReadObject> = BTreeMap::new();
    let mut out = Vec::new();
    for (read, object) in &objects.all {
        let Object::VirtualService(vs) = object else {
            continue;
        };
        for (index, host) in vs.spec.hosts.iter().enumerate() {
            match first.get(host.as_str()) {
                Some(earlier) if earlier.name != read.name => out.push(read.diagnostic(
                    &CONFLICTING_HOSTS,
                    &FieldPath::root().key("spec").key("hosts").index(index),
                    format!(
                        "VirtualService {} routes host {host}, which VirtualService {} (at {}) routes too; Istio applies only one of them",
                        read.name,
                        earlier.name,
                        earlier.location()
                    ),
                )),
                Some(_) => {}
                None => {
                    first.insert(host, read);
                }
            }
        }
    }
    out
}

/// Renders the imported mesh and lists what it does not reproduce of what was read.
fn not_modelled(
    read: &[ReadObject],
    objects: &model::Objects<'_>,
    mesh: &Mesh,
) -> Vec<SourceDiagnostic> {
    let rendered = crate::render::render_objects(mesh);
    let mut out = Vec::new();
    for object in read {
        let counterpart = match &object.manifest {
            Manifest::Object(_) => rendered
                .iter()
                .find(|r| r.kind() == object.kind && r.name() == object.name),
            Manifest::Secret(_) => None,
        };
        // A duplicate that a later document replaced is reported by the reader already.
        if !objects.keeps(object) {
            continue;
        }
        let Some(counterpart) = counterpart else {
            out.push(SourceDiagnostic::new(
                crate::read::not_modelled_object(&object.label()),
                Some(object.location_of(&FieldPath::root())),
            ));
            continue;
        };
        let Ok(value) = serde_json::to_value(crate::render::erased(&Versioned::new(
            counterpart,
            istio_api(&object.api_version),
        ))) else {
            continue;
        };
        for (path, _) in crate::read::losses(&object.value, &value) {
            // Dropping part of an authorization rule changes who may call: refused, not warned.
            let (info, consequence) = if object.kind == "AuthorizationPolicy" {
                (
                    &AUTHORIZATION_NOT_MODELLED,
                    "the imported mesh's policy of that name would not carry it, and applying it would change who may call",
                )
            } else {
                (
                    &NOT_MODELLED,
                    "the imported mesh renders it otherwise or not at all",
                )
            };
            let diagnostic = object.diagnostic(
                info,
                &path,
                format!(
                    "{} › {path} is not something the mesh model says; {consequence}",
                    object.label()
                ),
            );
            out.push(diagnostic);
        }
    }
    out
}

fn istio_api(api_version: &str) -> IstioApi {
    if api_version.ends_with("/v1") || !api_version.contains(".istio.io") {
        IstioApi::V1
    } else {
        IstioApi::V1beta1
    }
}

#[cfg(test)]
mod tests;
