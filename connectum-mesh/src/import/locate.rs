//! The YAML location of the item a checker diagnostic names: `service order-service ›
//! routes[0] › retries` is `http[0]` of the VirtualService for order-service, `subsets[1]` is the
//! DestinationRule's `subsets[1]`, and so on; anything else is the service's Deployment.

use connectum_mesh_core::{Mesh, MeshPath, Segment};

use super::model::Objects;
use crate::read::{FieldPath, ReadObject, SourceLocation};
use crate::render::Object;

fn find<'a>(
    objects: &Objects<'a>,
    mesh: &Mesh,
    service: &str,
    kind: &str,
) -> Option<&'a ReadObject> {
    let hosts = [
        service.to_owned(),
        format!("{service}.{}.svc.cluster.local", mesh.namespace),
    ];
    objects.all.iter().find_map(|(read, object)| {
        let matches = match object {
            Object::VirtualService(vs) if kind == "VirtualService" => {
                vs.spec.hosts.iter().any(|h| hosts.contains(h))
            }
            Object::DestinationRule(dr) if kind == "DestinationRule" => hosts.contains(&dr.spec.host),
            Object::AuthorizationPolicy(ap) if kind == "AuthorizationPolicy" => {
                ap.metadata.labels.as_ref().and_then(|l| l.get(&mesh.app_label)).is_some_and(|v| v == service)
                    || matches!(&ap.spec.target, Some(crate::api::PolicyTarget::Selector(s)) if s.match_labels.get(&mesh.app_label).is_some_and(|v| v == service))
            }
            _ => read.kind == kind && read.name == service,
        };
        matches.then_some(*read)
    })
}

/// Where the item `path` names is written, if the manifests hold it.
pub(crate) fn locate(
    path: &MeshPath,
    mesh: &Mesh,
    objects: &Objects<'_>,
) -> Option<SourceLocation> {
    let segments = path.segments();
    let first = segments.first()?;
    let service = match first {
        Segment::Chain(members) => {
            // The first hop's route with its retries multiplies the chain.
            let callee = members.get(1)?;
            return find(objects, mesh, callee, "VirtualService").map(ReadObject::location);
        }
        Segment::ExternalCaller(_) => {
            return objects
                .all
                .iter()
                .find(|(read, _)| read.kind == "AuthorizationPolicy")
                .map(|(read, _)| read.location());
        }
        Segment::Service(service) => service,
        _ => {
            return objects
                .all
                .iter()
                .find(|(read, _)| read.kind == "Namespace" || read.kind == "PeerAuthentication")
                .map(|(read, _)| read.location());
        }
    };
    let (kind, field) = match segments.get(1) {
        Some(Segment::Route(index)) => (
            "VirtualService",
            FieldPath::root().key("spec").key("http").index(*index),
        ),
        Some(Segment::Subset(name)) => {
            let index = mesh
                .service(service)
                .and_then(|s| s.subsets.iter().position(|subset| subset.name == *name))
                .unwrap_or_default();
            (
                "DestinationRule",
                FieldPath::root().key("spec").key("subsets").index(index),
            )
        }
        Some(Segment::Index("allow", _) | Segment::Field("allow")) => (
            "AuthorizationPolicy",
            FieldPath::root().key("spec").key("rules"),
        ),
        Some(Segment::Field("traffic_policy")) => (
            "DestinationRule",
            FieldPath::root().key("spec").key("trafficPolicy"),
        ),
        Some(Segment::Field(field))
            if field.starts_with("scaling") || field.starts_with("autoscal") =>
        {
            ("HorizontalPodAutoscaler", FieldPath::root().key("spec"))
        }
        _ => ("Deployment", FieldPath::root().key("spec")),
    };
    find(objects, mesh, service, kind)
        .or_else(|| find(objects, mesh, service, "Service"))
        .map(|read| read.location_of(&field))
}
