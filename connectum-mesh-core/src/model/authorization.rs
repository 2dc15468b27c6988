//! Secure by default: who may call a service when its description does not say, derived from
//! the declared call graph.

use std::collections::HashMap;

use super::{AllowRule, Mesh, MtlsMode, Service, ServiceAccountRef};

/// How a service's callers are admitted, as the renderer writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Authorization<'a> {
    /// The service's own allow rules.
    Explicit(&'a [AllowRule]),
    /// No allow rules, so an ALLOW list of the identities of its declared callers (services
    /// whose `calls` name it, external callers, gateways that route to it), sorted and without repeats.
    Derived(Vec<ServiceAccountRef>),
    /// No policy: every workload of the mesh may call it (unless the mesh denies by default).
    Open,
}

impl Mesh {
    /// The names that can call or be called: services, external callers and gateways, in
    /// declaration order (what a misspelt caller or chain member is compared with).
    pub fn member_names(&self) -> impl Iterator<Item = &str> {
        self.services
            .iter()
            .map(|s| s.name.as_str())
            .chain(self.external_callers.iter().map(|c| c.name.as_str()))
            .chain(self.gateways.iter().map(|g| g.name.as_str()))
    }

    /// The identities of the declared callers of `service`: the service accounts of the services
    /// that call it, of the external callers that call it and of the gateways that route to it,
    /// sorted, without repeats. One lookup scans the mesh; for every service, gather them once
    /// with [`Mesh::callers`].
    #[must_use]
    pub fn callers_of(&self, service: &str) -> Vec<ServiceAccountRef> {
        self.callers().of(service).to_vec()
    }

    /// The declared callers of every service, gathered in one pass over the mesh (the one place
    /// callers are gathered, so a new kind of caller, a gateway, joins here): what rules and the
    /// renderer use to ask about every service without a scan per service.
    #[must_use]
    pub fn callers(&self) -> Callers<'_> {
        let mut by_service: HashMap<&str, Vec<ServiceAccountRef>> = HashMap::new();
        let services = self.services.iter().flat_map(|s| {
            let account = ServiceAccountRef::new(&self.namespace, s.service_account_name());
            s.calls
                .iter()
                .map(move |callee| (callee.as_str(), account.clone()))
        });
        let external = self.external_callers.iter().flat_map(|c| {
            c.calls
                .iter()
                .map(|callee| (callee.as_str(), c.service_account.clone()))
        });
        let gateways = self.gateways.iter().flat_map(|g| {
            let account = g.principal_account(&self.namespace);
            g.target_services()
                .into_iter()
                .filter_map(move |callee| Some((callee, account.clone()?)))
        });
        for (callee, account) in services.chain(external).chain(gateways) {
            by_service.entry(callee).or_default().push(account);
        }
        for callers in by_service.values_mut() {
            callers.sort();
            callers.dedup();
        }
        Callers { by_service }
    }

    /// The identities of the gateways that route to `service` and that its written allow rules
    /// do not name: the renderer admits them beside those rules, so a gateway route never needs
    /// an allow rule of the user's.
    #[must_use]
    pub fn unwritten_gateway_accounts(&self, service: &Service) -> Vec<ServiceAccountRef> {
        let written: Vec<&ServiceAccountRef> = service
            .allow
            .iter()
            .flat_map(|rule| &rule.from)
            .filter_map(|source| match source {
                super::Source::ServiceAccount(account) => Some(account),
                super::Source::Namespace(_) => None,
            })
            .collect();
        let mut accounts: Vec<ServiceAccountRef> = Vec::new();
        for gateway in &self.gateways {
            if !gateway.target_services().contains(&service.name.as_str()) {
                continue;
            }
            if let Some(account) = gateway.principal_account(&self.namespace)
                && !written.contains(&&account)
                && !accounts.contains(&account)
            {
                accounts.push(account);
            }
        }
        accounts
    }

    /// How `service`'s callers are admitted. Without allow rules, the declared callers'
    /// principals become its ALLOW list, provided its mTLS is STRICT with sidecars injected:
    /// principals come from mTLS certificates, so under PERMISSIVE or DISABLE a derived list
    /// would refuse the plain-text callers that mode was chosen for.
    ///
    /// ```
    /// use connectum_mesh_core::{Authorization, Mesh, Service, ServiceAccountRef};
    ///
    /// let mesh = Mesh::builder()
    ///     .namespace("connectum")
    ///     .services([
    ///         Service::builder().name("order-service").image("order:1.0.0")
    ///             .calls(["inventory-service"]).build(),
    ///         Service::builder().name("inventory-service").image("inventory:1.0.0").build(),
    ///     ])
    ///     .build();
    /// let inventory = mesh.service("inventory-service").unwrap();
    /// assert_eq!(
    ///     mesh.authorization(inventory),
    ///     Authorization::Derived(vec![ServiceAccountRef::new("connectum", "order-service")]),
    /// );
    /// ```
    #[must_use]
    pub fn authorization<'a>(&self, service: &'a Service) -> Authorization<'a> {
        self.authorization_among(&self.callers(), service)
    }

    /// [`Mesh::authorization`] with the callers gathered once ([`Mesh::callers`]), for asking
    /// about every service of a large mesh.
    #[must_use]
    pub fn authorization_among<'a>(
        &self,
        callers: &Callers<'_>,
        service: &'a Service,
    ) -> Authorization<'a> {
        if !service.allow.is_empty() {
            return Authorization::Explicit(&service.allow);
        }
        let strict = service.mtls_override.unwrap_or(self.mtls) == MtlsMode::Strict;
        let callers = callers.of(&service.name);
        if strict && self.sidecar_injection && !callers.is_empty() {
            Authorization::Derived(callers.to_vec())
        } else {
            Authorization::Open
        }
    }
}

/// The declared callers of every service of a mesh, made by [`Mesh::callers`].
#[derive(Clone, Debug, Default)]
pub struct Callers<'m> {
    by_service: HashMap<&'m str, Vec<ServiceAccountRef>>,
}

impl Callers<'_> {
    /// The identities of `service`'s declared callers, sorted, without repeats (empty for a
    /// service nobody calls, or one the mesh does not have).
    #[must_use]
    pub fn of(&self, service: &str) -> &[ServiceAccountRef] {
        self.by_service.get(service).map_or(&[], Vec::as_slice)
    }
}
