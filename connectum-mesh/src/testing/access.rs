//! Who may call whom, decided by the AuthorizationPolicies and PeerAuthentications we emit, the
//! way Istio decides: the callee's mTLS mode first (STRICT refuses plain text; DISABLE strips
//! identities), then DENY policies, then ALLOW policies (none selecting the workload: allowed).

use std::collections::BTreeMap;

use connectum_mesh_core::ServiceAccountRef;
use connectum_mesh_core::diag::closest;
use serde_json::Value;

use super::{Deployed, TestingError, of_kind, string_map};

/// Who calls: a service or external caller of the mesh by name, or an identity of your own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Caller {
    /// A service or external caller of the mesh, by name.
    Named(String),
    /// A meshed workload (mTLS) running as this ServiceAccount.
    Account(ServiceAccountRef),
    /// A caller without a sidecar: plain text, no identity.
    PlainText,
}

impl Caller {
    /// A meshed workload running as `account`.
    #[must_use]
    pub fn account(account: ServiceAccountRef) -> Self {
        Self::Account(account)
    }

    /// A caller without a sidecar (plain text, no identity).
    #[must_use]
    pub fn plain_text() -> Self {
        Self::PlainText
    }
}

impl From<&str> for Caller {
    fn from(name: &str) -> Self {
        Self::Named(name.to_owned())
    }
}

/// A service of the mesh by the typed name its crate exports.
impl From<connectum_mesh_core::ServiceRef> for Caller {
    fn from(service: connectum_mesh_core::ServiceRef) -> Self {
        Self::Named(service.name().to_owned())
    }
}

/// The decision and the reason for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Access {
    /// Whether the call gets through.
    pub allowed: bool,
    /// Why, naming the policy and rule that decided.
    pub reason: String,
}

/// The identity a request arrives with: a principal and a namespace under mTLS, or none.
struct Identity {
    principal: Option<String>,
    namespace: Option<String>,
    mtls: bool,
    label: String,
}

fn string_list(value: Option<&Value>) -> Vec<&str> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// Istio's string match in policies: exact, `*`, `prefix*` or `*suffix`.
fn policy_value_matches(pattern: &str, actual: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    if let Some(prefix) = pattern.strip_suffix('*') {
        return actual.starts_with(prefix);
    }
    if let Some(suffix) = pattern.strip_prefix('*') {
        return actual.ends_with(suffix);
    }
    pattern == actual
}

fn field_matches(source: &Value, field: &str, negated: &str, actual: Option<&str>) -> bool {
    let wanted = string_list(source.get(field));
    let refused = string_list(source.get(negated));
    let positive = wanted.is_empty()
        || actual.is_some_and(|a| wanted.iter().any(|p| policy_value_matches(p, a)));
    let negative = refused.is_empty()
        || actual.is_none_or(|a| !refused.iter().any(|p| policy_value_matches(p, a)));
    positive && negative
}

/// Whether a rule's `from` admits the identity (no `from`: everyone).
fn rule_matches(rule: &Value, identity: &Identity) -> Result<bool, TestingError> {
    if let Some(field) = ["to", "when"].into_iter().find(|f| rule.get(*f).is_some()) {
        return Err(TestingError::NotModelled(format!(
            "an AuthorizationPolicy rule with `{field}`"
        )));
    }
    let froms = rule.get("from").and_then(Value::as_array);
    let Some(froms) = froms.filter(|f| !f.is_empty()) else {
        return Ok(true);
    };
    Ok(froms.iter().any(|from| {
        let source = from.get("source").unwrap_or(&Value::Null);
        field_matches(
            source,
            "principals",
            "notPrincipals",
            identity.principal.as_deref(),
        ) && field_matches(
            source,
            "namespaces",
            "notNamespaces",
            identity.namespace.as_deref(),
        )
    }))
}

fn selects(document: &Value, pod_labels: &BTreeMap<String, String>) -> bool {
    let Some(labels) = document
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
    else {
        return document.pointer("/spec/selector").is_none();
    };
    labels.iter().all(|(k, v)| {
        v.as_str()
            .is_some_and(|v| pod_labels.get(k).map(String::as_str) == Some(v))
    })
}

fn name_of(document: &Value) -> &str {
    document
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

impl Deployed {
    fn identity(&self, caller: &Caller) -> Result<Identity, TestingError> {
        let mesh = self.mesh();
        let meshed = |account: &ServiceAccountRef, label: String| Identity {
            principal: Some(account.principal(&mesh.trust_domain)),
            namespace: Some(account.namespace.clone()),
            mtls: true,
            label,
        };
        match caller {
            Caller::PlainText => Ok(Identity {
                principal: None,
                namespace: None,
                mtls: false,
                label: "a plain-text caller".to_owned(),
            }),
            Caller::Account(account) => Ok(meshed(account, format!("service account {account}"))),
            Caller::Named(name) => {
                if let Some(service) = mesh.service(name) {
                    let account =
                        ServiceAccountRef::new(&mesh.namespace, service.service_account_name());
                    let mut identity = meshed(&account, format!("`{name}` ({account})"));
                    identity.mtls = mesh.sidecar_injection;
                    return Ok(identity);
                }
                if let Some(external) = mesh.external_callers.iter().find(|c| c.name == *name) {
                    return Ok(meshed(
                        &external.service_account,
                        format!("`{name}` ({})", external.service_account),
                    ));
                }
                if let Some(account) = mesh
                    .gateway(name)
                    .and_then(|g| g.principal_account(&mesh.namespace))
                {
                    return Ok(meshed(&account, format!("gateway `{name}` ({account})")));
                }
                Err(TestingError::UnknownCaller {
                    name: name.clone(),
                    closest: closest(name, mesh.member_names()).map(str::to_owned),
                })
            }
        }
    }

    /// The labels of `service`'s pods: the template labels of a Deployment its Service selects.
    fn pod_labels(&self, service: &str) -> BTreeMap<String, String> {
        let documents = self.documents();
        let selector = of_kind(documents, "Service")
            .find(|d| name_of(d) == service)
            .map(|d| string_map(d.pointer("/spec/selector")))
            .unwrap_or_default();
        of_kind(documents, "Deployment")
            .map(|d| string_map(d.pointer("/spec/template/metadata/labels")))
            .find(|pod| !selector.is_empty() && selector.iter().all(|(k, v)| pod.get(k) == Some(v)))
            .unwrap_or(selector)
    }

    /// Whether `caller` may call `service`, and why, decided by the emitted
    /// PeerAuthentications and AuthorizationPolicies as Istio decides: the workload's mTLS mode
    /// (a PeerAuthentication selecting it, else the namespace's; none means PERMISSIVE), where
    /// STRICT refuses plain text and DISABLE leaves no identity to match; then any DENY rule
    /// that matches refuses; then, when ALLOW policies select the workload, one of their rules
    /// must match (principals and namespaces, with `*`, prefix and suffix patterns); with none,
    /// everything is allowed.
    ///
    /// ```
    /// use connectum_mesh::testing::{Caller, Deployed};
    /// use connectum_mesh::{AllowRule, ExternalCaller, Mesh, Service, ServiceAccountRef};
    ///
    /// let gateway = ServiceAccountRef::new("shop", "gateway");
    /// let mesh = Mesh::builder()
    ///     .namespace("shop")
    ///     .external_callers([ExternalCaller::builder().name("gateway")
    ///         .service_account(gateway.clone()).calls(["billing"]).build()])
    ///     .services([
    ///         Service::builder().name("billing").image("billing:1")
    ///             .allow([AllowRule::service_account(gateway)]).build(),
    ///         Service::builder().name("trips").image("trips:1").build(),
    ///     ])
    ///     .build();
    /// let deployed = Deployed::new(&mesh)?;
    ///
    /// assert!(deployed.can_call("gateway", "billing")?.allowed);
    /// let trips = deployed.can_call("trips", "billing")?;
    /// assert!(!trips.allowed);
    /// assert!(trips.reason.contains("billing-policy"), "{}", trips.reason);
    /// let plain = deployed.can_call(Caller::plain_text(), "trips")?;
    /// assert!(!plain.allowed && plain.reason.contains("STRICT"), "{}", plain.reason);
    /// assert_eq!(deployed.can_call("gatway", "billing").unwrap_err().code(), "CM0812");
    /// # Ok::<(), connectum_mesh::testing::TestingError>(())
    /// ```
    ///
    /// # Errors
    /// [`TestingError::UnknownCaller`] or [`TestingError::UnknownHost`] for names the mesh
    /// does not declare; [`TestingError::NotModelled`] for policy fields the evaluator does not
    /// model (`to`, `when`).
    pub fn can_call(
        &self,
        caller: impl Into<Caller>,
        service: impl AsRef<str>,
    ) -> Result<Access, TestingError> {
        let service = service.as_ref();
        let mut identity = self.identity(&caller.into())?;
        if self.mesh().service(service).is_none() {
            return Err(self.unknown_service(service));
        }
        let pods = self.pod_labels(service);
        let namespace = &self.mesh().namespace;
        let of_kind = |kind: &'static str| {
            self.documents().iter().filter(move |d| {
                d.get("kind").and_then(Value::as_str) == Some(kind)
                    && d.pointer("/metadata/namespace").and_then(Value::as_str) == Some(namespace)
            })
        };
        let peer = of_kind("PeerAuthentication")
            .filter(|d| d.pointer("/spec/selector").is_some() && selects(d, &pods))
            .chain(of_kind("PeerAuthentication").filter(|d| d.pointer("/spec/selector").is_none()))
            .find_map(|d| {
                d.pointer("/spec/mtls/mode")
                    .and_then(Value::as_str)
                    .filter(|m| *m != "UNSET")
                    .map(|mode| (mode, name_of(d)))
            });
        let who = identity.label.clone();
        match peer {
            Some(("STRICT", policy)) if !identity.mtls => {
                return Ok(Access {
                    allowed: false,
                    reason: format!(
                        "{who} sends plain text and PeerAuthentication `{policy}` requires STRICT mTLS for `{service}`"
                    ),
                });
            }
            Some(("DISABLE", _)) => {
                identity.principal = None;
                identity.namespace = None;
            }
            _ => {}
        }
        let policies: Vec<&Value> = of_kind("AuthorizationPolicy")
            .filter(|d| selects(d, &pods))
            .collect();
        let action = |d: &Value| {
            d.pointer("/spec/action")
                .and_then(Value::as_str)
                .unwrap_or("ALLOW")
                .to_owned()
        };
        for policy in policies.iter().filter(|d| action(d) == "DENY") {
            for (index, rule) in string_rules(policy).iter().enumerate() {
                if rule_matches(rule, &identity)? {
                    return Ok(Access {
                        allowed: false,
                        reason: format!(
                            "DENY AuthorizationPolicy `{}` rules[{index}] matches {who}",
                            name_of(policy)
                        ),
                    });
                }
            }
        }
        let allows: Vec<&&Value> = policies.iter().filter(|d| action(d) == "ALLOW").collect();
        if allows.is_empty() {
            return Ok(Access {
                allowed: true,
                reason: format!(
                    "no ALLOW AuthorizationPolicy selects `{service}`, so every caller that passes mTLS is allowed"
                ),
            });
        }
        for policy in &allows {
            for (index, rule) in string_rules(policy).iter().enumerate() {
                if rule_matches(rule, &identity)? {
                    return Ok(Access {
                        allowed: true,
                        reason: format!(
                            "ALLOW AuthorizationPolicy `{}` rules[{index}] admits {who}",
                            name_of(policy)
                        ),
                    });
                }
            }
        }
        let names: Vec<&str> = allows.iter().map(|d| name_of(d)).collect();
        Ok(Access {
            allowed: false,
            reason: format!(
                "no rule of ALLOW AuthorizationPolicy `{}` admits {who}{}",
                names.join("`, `"),
                if identity.principal.is_none() {
                    " (it has no mTLS identity)"
                } else {
                    ""
                }
            ),
        })
    }
}

fn string_rules(policy: &Value) -> Vec<Value> {
    policy
        .pointer("/spec/rules")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}
