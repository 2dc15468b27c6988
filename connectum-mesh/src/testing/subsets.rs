//! Which pods a destination reaches: a DestinationRule subset is the pods of the host's Service
//! that also carry the subset's labels (istio-rules.md IST0173: no pod with the Service's
//! selector and the subset's labels means 503 at run time).

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

use super::{MeaningError, Target, malformed, of_kind, resolve_host, string_map};

/// One subset of a DestinationRule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubsetMeaning {
    /// Its name, which routes use.
    pub name: String,
    /// The labels its pods carry on top of the Service's selector.
    pub labels: BTreeMap<String, String>,
}

/// A DestinationRule as Istio reads it: its host, resolved, and its subsets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DestinationRuleMeaning {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace` (a short host resolves here).
    pub namespace: String,
    /// `spec.host`, resolved.
    pub host: String,
    /// `spec.subsets`.
    pub subsets: Vec<SubsetMeaning>,
}

impl DestinationRuleMeaning {
    /// Reads an emitted DestinationRule document.
    ///
    /// ```
    /// use connectum_mesh::testing::DestinationRuleMeaning;
    /// use serde_json::json;
    ///
    /// let rule = DestinationRuleMeaning::from_json(&json!({
    ///     "apiVersion": "networking.istio.io/v1",
    ///     "kind": "DestinationRule",
    ///     "metadata": {"name": "cart", "namespace": "shop"},
    ///     "spec": {"host": "cart", "subsets": [{"name": "canary", "labels": {"version": "canary"}}]}
    /// }))?;
    /// assert_eq!(rule.host, "cart.shop.svc.cluster.local");
    /// assert_eq!(rule.subset("canary").map(|s| s.labels["version"].as_str()), Some("canary"));
    /// assert!(rule.subset("stable").is_none());
    /// # Ok::<(), connectum_mesh::testing::MeaningError>(())
    /// ```
    ///
    /// # Errors
    /// [`MeaningError::Malformed`] when it is not a DestinationRule with a host.
    pub fn from_json(document: &Value) -> Result<Self, MeaningError> {
        if document.get("kind").and_then(Value::as_str) != Some("DestinationRule") {
            return Err(malformed("kind is not DestinationRule"));
        }
        let namespace = document
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let host = document
            .pointer("/spec/host")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed("spec.host is missing"))?;
        let subsets = document
            .pointer("/spec/subsets")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|subset| {
                Ok(SubsetMeaning {
                    name: subset
                        .get("name")
                        .and_then(Value::as_str)
                        .ok_or_else(|| malformed("spec.subsets[].name is missing"))?
                        .to_owned(),
                    labels: string_map(subset.get("labels")),
                })
            })
            .collect::<Result<_, MeaningError>>()?;
        Ok(Self {
            name: document
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            host: resolve_host(host, &namespace),
            namespace,
            subsets,
        })
    }

    /// The subset called `name`, if this rule defines it.
    #[must_use]
    pub fn subset(&self, name: &str) -> Option<&SubsetMeaning> {
        self.subsets.iter().find(|s| s.name == name)
    }
}

/// Why a destination reaches no workload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unreachable {
    /// The host is not `<service>.<namespace>.svc.cluster.local` of an emitted Service.
    UnknownService(String),
    /// No emitted DestinationRule for the host defines the subset (Envoy has no such cluster).
    UndefinedSubset {
        /// The resolved host.
        host: String,
        /// The subset routed to.
        subset: String,
    },
}

impl fmt::Display for Unreachable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownService(host) => write!(f, "no emitted Service is {host}"),
            Self::UndefinedSubset { host, subset } => {
                write!(f, "no DestinationRule for {host} defines subset {subset}")
            }
        }
    }
}

/// The Deployments (by name) whose pods receive the traffic sent to `target`, among
/// `documents`: pods in the Service's namespace whose template labels include the Service's
/// selector and, for a subset, the subset's labels from the DestinationRule for that host. An
/// empty list means no pod (Envoy answers 503).
///
/// ```
/// use connectum_mesh::testing::{Deployed, Request, subset_workloads};
/// use connectum_mesh::{Mesh, Route, Service, Subset};
///
/// let mut cart = Service::builder().name("cart").image("cart:1").build();
/// cart.add_subset(Subset::builder().name("stable").build());
/// let canary = cart.add_subset(Subset::builder().name("canary").image("cart:2").replicas(1).build());
/// cart.add_route(Route::builder().target(&canary).build());
/// let mesh = Mesh::builder().namespace("shop").services([cart]).build();
/// let deployed = Deployed::new(&mesh)?;
///
/// let routed = deployed.route("cart", &Request::grpc("/shop.Cart/Get"))?;
/// let (target, _) = &routed.route().expect("a route").destinations[0];
/// let pods = subset_workloads(deployed.documents(), target).expect("a declared subset");
/// assert_eq!(pods, ["cart-canary"]); // the Deployment whose pods carry version: canary
/// # Ok::<(), connectum_mesh::testing::TestingError>(())
/// ```
///
/// # Errors
/// [`Unreachable`] when the host names no emitted Service, or no DestinationRule for it defines
/// the subset.
pub fn subset_workloads(documents: &[Value], target: &Target) -> Result<Vec<String>, Unreachable> {
    let unknown = || Unreachable::UnknownService(target.host.clone());
    let (service_name, rest) = target.host.split_once('.').ok_or_else(unknown)?;
    let namespace = rest
        .strip_suffix(&format!(".svc.{}", super::CLUSTER_DOMAIN))
        .ok_or_else(unknown)?;
    let in_namespace =
        |d: &&Value| d.pointer("/metadata/namespace").and_then(Value::as_str) == Some(namespace);
    let service = of_kind(documents, "Service")
        .filter(in_namespace)
        .find(|d| d.pointer("/metadata/name").and_then(Value::as_str) == Some(service_name))
        .ok_or_else(unknown)?;
    let mut wanted = string_map(service.pointer("/spec/selector"));
    if let Some(subset) = &target.subset {
        let labels = of_kind(documents, "DestinationRule")
            .filter_map(|d| DestinationRuleMeaning::from_json(d).ok())
            .filter(|rule| rule.host == target.host)
            .find_map(|rule| rule.subset(subset).map(|s| s.labels.clone()))
            .ok_or_else(|| Unreachable::UndefinedSubset {
                host: target.host.clone(),
                subset: subset.clone(),
            })?;
        wanted.extend(labels);
    }
    Ok(of_kind(documents, "Deployment")
        .filter(in_namespace)
        .filter(|deployment| {
            let labels = string_map(deployment.pointer("/spec/template/metadata/labels"));
            wanted.iter().all(|(k, v)| labels.get(k) == Some(v))
        })
        .filter_map(|d| d.pointer("/metadata/name").and_then(Value::as_str))
        .map(str::to_owned)
        .collect())
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn documents() -> Vec<Value> {
        let deployment = |name: &str, version: &str| {
            json!({"kind": "Deployment", "metadata": {"name": name, "namespace": "ns"},
                   "spec": {"template": {"metadata": {"labels": {"app": "a", "version": version}}}}})
        };
        vec![
            json!({"kind": "Service", "metadata": {"name": "a", "namespace": "ns"},
                   "spec": {"selector": {"app": "a"}}}),
            deployment("a", "stable"),
            deployment("a-canary", "canary"),
            json!({"kind": "DestinationRule", "metadata": {"name": "a", "namespace": "ns"},
            "spec": {"host": "a", "subsets": [
                {"name": "stable", "labels": {"version": "stable"}},
                {"name": "canary", "labels": {"version": "canary"}},
                {"name": "ghost", "labels": {"version": "ghost"}}
            ]}}),
        ]
    }

    fn target(host: &str, subset: Option<&str>) -> Target {
        Target {
            host: host.to_owned(),
            subset: subset.map(str::to_owned),
            port: None,
        }
    }

    #[test]
    fn subsets_select_the_services_pods_with_their_labels() {
        let docs = documents();
        let host = "a.ns.svc.cluster.local";
        assert_eq!(
            subset_workloads(&docs, &target(host, Some("canary"))),
            Ok(vec!["a-canary".to_owned()])
        );
        assert_eq!(
            subset_workloads(&docs, &target(host, None)).map(|w| w.len()),
            Ok(2)
        );
        assert_eq!(
            subset_workloads(&docs, &target(host, Some("ghost"))),
            Ok(vec![])
        );
        assert_eq!(
            subset_workloads(&docs, &target(host, Some("blue"))),
            Err(Unreachable::UndefinedSubset {
                host: host.to_owned(),
                subset: "blue".to_owned()
            })
        );
        assert!(matches!(
            subset_workloads(&docs, &target("a.other.svc.cluster.local", None)),
            Err(Unreachable::UnknownService(_))
        ));
    }
}
