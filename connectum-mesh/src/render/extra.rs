//! The escape hatch: objects the model does not cover (a PodDisruptionBudget, a patch, a kind of
//! another API) that travel through the same emit paths as the rendered ones, in apply order.

use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::Value;

use super::{Manifests, Object};

/// A typed Kubernetes object added to [`Manifests`] beside the rendered ones: any k8s-openapi
/// kind, any of [`crate::api`]'s kinds, or any other `kube::Resource`.
///
/// It is kept as the JSON the object serializes to, with its `apiVersion`, `kind` and name read
/// from the type, and emitted with `apiVersion`, `kind` and `metadata` first.
#[derive(Clone, Debug, PartialEq)]
pub struct ExtraObject {
    api_version: String,
    kind: String,
    name: String,
    value: serde_json::Map<String, Value>,
}

impl ExtraObject {
    /// Captures `object`.
    ///
    /// # Errors
    /// When the object does not serialize to a JSON object.
    pub fn new<K>(object: &K) -> Result<Self, serde_json::Error>
    where
        K: kube::Resource<DynamicType = ()> + Serialize,
    {
        let api_version = K::api_version(&()).into_owned();
        let kind = K::kind(&()).into_owned();
        let mut value = match serde_json::to_value(object)? {
            Value::Object(map) => map,
            other => {
                return Err(serde::ser::Error::custom(format!(
                    "{kind} serialized to {other}, not to an object"
                )));
            }
        };
        // k8s-openapi writes apiVersion and kind itself; other Resource types may not.
        value.insert("apiVersion".to_owned(), Value::String(api_version.clone()));
        value.insert("kind".to_owned(), Value::String(kind.clone()));
        Ok(Self {
            api_version,
            kind,
            name: object.meta().name.clone().unwrap_or_default(),
            value,
        })
    }

    /// Its `apiVersion`, e.g. `policy/v1`.
    #[must_use]
    pub fn api_version(&self) -> &str {
        &self.api_version
    }

    /// Its kind, e.g. `PodDisruptionBudget`.
    #[must_use]
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// Its `metadata.name`.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Serialize for ExtraObject {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        const FIRST: [&str; 3] = ["apiVersion", "kind", "metadata"];
        let mut map = serializer.serialize_map(Some(self.value.len()))?;
        for key in FIRST {
            if let Some(value) = self.value.get(key) {
                map.serialize_entry(key, value)?;
            }
        }
        for (key, value) in &self.value {
            if !FIRST.contains(&key.as_str()) {
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    }
}

/// Where a kind goes in apply order: what it depends on comes first. Kinds not listed go last.
fn apply_rank(kind: &str) -> u8 {
    match kind {
        "Namespace" | "CustomResourceDefinition" => 0,
        "ServiceAccount" | "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding" => 1,
        "ConfigMap" | "Secret" => 2,
        "PeerAuthentication" | "AuthorizationPolicy" | "RequestAuthentication" => 3,
        "Service" => 4,
        "Deployment" | "StatefulSet" | "DaemonSet" | "Job" | "CronJob" => 5,
        "HorizontalPodAutoscaler" | "PodDisruptionBudget" => 6,
        "DestinationRule" | "ServiceEntry" => 7,
        "VirtualService" | "Sidecar" | "EnvoyFilter" => 8,
        "GatewayClass" => 9,
        "Gateway" => 10,
        "GRPCRoute" | "HTTPRoute" | "ReferenceGrant" => 11,
        "BackendTrafficPolicy" | "ClientTrafficPolicy" | "SecurityPolicy" | "EnvoyPatchPolicy" => {
            12
        }
        "Telemetry" => 13,
        _ => u8::MAX,
    }
}

impl Manifests {
    /// Adds an object the model does not cover; it is emitted with the rendered ones, by every
    /// emit path (YAML stream, JSON List, directory with kustomization), after the objects of
    /// its kind's place in apply order (a PodDisruptionBudget after the autoscalers, an
    /// unknown kind at the end). Objects added later come after those added earlier.
    ///
    /// ```
    /// use connectum_mesh::{Mesh, Service, render};
    /// use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
    /// use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    /// use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    ///
    /// let mesh = Mesh::builder()
    ///     .namespace("shop")
    ///     .services([Service::builder().name("cart").image("cart:1.0.0").build()])
    ///     .build();
    /// let pdb = PodDisruptionBudget {
    ///     metadata: ObjectMeta { name: Some("cart".into()), namespace: Some("shop".into()), ..Default::default() },
    ///     spec: Some(PodDisruptionBudgetSpec { min_available: Some(IntOrString::Int(1)), ..Default::default() }),
    ///     ..Default::default()
    /// };
    /// let mut manifests = render(&mesh)?;
    /// manifests.add_extra(&pdb)?;
    /// let kinds: Vec<_> = manifests.objects().iter().map(|o| o.kind()).collect();
    /// assert_eq!(kinds, ["Namespace", "ServiceAccount", "ConfigMap", "PeerAuthentication", "Service", "Deployment", "PodDisruptionBudget"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// When the object does not serialize to a JSON object.
    pub fn add_extra<K>(&mut self, object: &K) -> Result<&mut Self, serde_json::Error>
    where
        K: kube::Resource<DynamicType = ()> + Serialize,
    {
        let extra = ExtraObject::new(object)?;
        let rank = apply_rank(extra.kind());
        let at = self
            .source
            .iter()
            .rposition(|o| apply_rank(o.kind()) <= rank)
            .map_or(0, |index| index + 1);
        self.source.insert(at, Object::Extra(extra));
        Ok(self)
    }

    /// [`Manifests::add_extra`] for a chain of calls.
    ///
    /// # Errors
    /// When the object does not serialize to a JSON object.
    pub fn with_extra<K>(mut self, object: &K) -> Result<Self, serde_json::Error>
    where
        K: kube::Resource<DynamicType = ()> + Serialize,
    {
        self.add_extra(object)?;
        Ok(self)
    }
}
