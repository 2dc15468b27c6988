//! Names, labels and metadata shared by every rendered object.

use std::collections::BTreeMap;

use connectum_mesh_core::{COMPONENT_LABEL, Mesh, PART_OF_LABEL, Service, Subset};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// Metadata with a name, the mesh's namespace and labels (plus `app.kubernetes.io/part-of` when
/// the mesh sets it, so every object of the mesh carries it).
pub(crate) fn object_meta(mesh: &Mesh, name: &str, labels: BTreeMap<String, String>) -> ObjectMeta {
    let labels = with_part_of(mesh, labels);
    ObjectMeta {
        name: Some(name.to_owned()),
        namespace: Some(mesh.namespace.clone()),
        labels: (!labels.is_empty()).then_some(labels),
        ..ObjectMeta::default()
    }
}

/// The label that names the app: `{app_label: service}`. The Service selects on it alone.
pub(crate) fn app_selector(mesh: &Mesh, service: &Service) -> BTreeMap<String, String> {
    BTreeMap::from([(mesh.app_label.clone(), service.name.clone())])
}

/// Labels that pin one subset's pods: the app label plus `version: <subset>`. Stable and canary
/// selectors differ in `version`, so they never overlap.
pub(crate) fn subset_selector(
    mesh: &Mesh,
    service: &Service,
    subset: Option<&Subset>,
) -> BTreeMap<String, String> {
    let mut labels = app_selector(mesh, service);
    if let Some(subset) = subset {
        labels.insert(mesh.version_label.clone(), subset.version().to_owned());
    }
    labels
}

/// The app label plus `app.kubernetes.io/component`.
pub(crate) fn component_labels(
    mesh: &Mesh,
    service: &Service,
    component: &str,
) -> BTreeMap<String, String> {
    let mut labels = app_selector(mesh, service);
    labels.insert(COMPONENT_LABEL.to_owned(), component.to_owned());
    labels
}

/// Adds `app.kubernetes.io/part-of` when the mesh sets it.
pub(crate) fn with_part_of(
    mesh: &Mesh,
    mut labels: BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    if let Some(part_of) = &mesh.part_of {
        labels.insert(PART_OF_LABEL.to_owned(), part_of.clone());
    }
    labels
}
