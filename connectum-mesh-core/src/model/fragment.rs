//! Composition in a monorepo: each crate describes its own services as a [`MeshFragment`] and
//! exports [`ServiceRef`]s others call it by; one crate merges the fragments into the [`Mesh`]
//! and runs the whole-mesh checks there.

use std::fmt;

use bon::Builder;

use super::{ChainBudget, ExternalCaller, Gateway, Mesh, Service};
use crate::diag::MeshPath;
use crate::diag::registry::{
    CONFLICTING_CHAIN_BUDGET, DUPLICATE_CALLER, DUPLICATE_GATEWAY, DUPLICATE_SERVICE, Scope,
};
use crate::{Diagnostic, Diagnostics};

/// The name of a service as other crates call it: the crate that defines the service exports
/// one as a constant and builds its [`Service`] with it, so a caller in another crate names a
/// constant the compiler checks, not a string a typo survives in.
///
/// It converts into the `String` every name setter takes (`Service::name`, `calls`,
/// [`ChainBudget::new`]).
///
/// ```
/// use connectum_mesh_core::{Service, ServiceRef};
///
/// // In the inventory crate:
/// pub const INVENTORY: ServiceRef = ServiceRef::new("inventory-service");
/// let inventory = Service::builder().name(INVENTORY).image("inventory:1.0.0").build();
///
/// // In the checkout crate, which depends on the inventory crate:
/// let checkout = Service::builder().name("checkout").image("checkout:1.0.0")
///     .calls([INVENTORY]).build();
/// assert_eq!(checkout.calls, [inventory.name]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceRef(&'static str);

impl ServiceRef {
    /// The service named `name` (its Kubernetes Service name).
    #[must_use]
    pub const fn new(name: &'static str) -> Self {
        Self(name)
    }

    /// The service's name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        self.0
    }
}

impl fmt::Display for ServiceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl From<ServiceRef> for String {
    fn from(service: ServiceRef) -> Self {
        service.0.to_owned()
    }
}

impl AsRef<str> for ServiceRef {
    fn as_ref(&self) -> &str {
        self.0
    }
}

/// Part of a mesh that one crate of a monorepo describes: its services, and the gateways,
/// external callers, namespaces and chain budgets they need. It has no mesh-wide settings
/// (namespace, mTLS, retry budget …): those belong to the crate that composes the mesh with
/// [`Mesh::merge`].
///
/// A fragment's services may call services another fragment defines; the checker, run on the
/// composed mesh, reports calls to a service no fragment defines (CM0103) and chains over
/// budget across crates (CM0301). [`MeshFragment::check`] runs the rules a fragment can be
/// judged by alone. `connectum_mesh::mesh_fragment!` writes one in `mesh!`'s words and runs
/// those rules while the crate compiles.
///
/// Like [`Mesh`], every collection is set through its builder setter, which takes any iterable;
/// fragments are combined by merging them into the mesh.
///
/// ```
/// use connectum_mesh_core::{Mesh, MeshFragment, Service, ServiceRef};
///
/// const STOCK: ServiceRef = ServiceRef::new("stock");
/// let cart = MeshFragment::builder()
///     .services([Service::builder().name("cart").image("cart:1").calls([STOCK]).build()])
///     .build();
/// let stock = Service::builder().name(STOCK).image("stock:1").build();
///
/// let mut shop = Mesh::builder().namespace("shop").build();
/// shop.merge(cart)?.merge(stock)?;
/// assert_eq!(shop.services.len(), 2);
/// # Ok::<(), connectum_mesh_core::Diagnostics>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Builder)]
#[non_exhaustive]
pub struct MeshFragment {
    /// The services this fragment defines.
    #[builder(default, with = |items: impl IntoIterator<Item = Service>| items.into_iter().collect())]
    pub services: Vec<Service>,
    /// The gateways it defines.
    #[builder(default, with = |items: impl IntoIterator<Item = Gateway>| items.into_iter().collect())]
    pub gateways: Vec<Gateway>,
    /// Callers outside the model that call its services. Several fragments may declare the same
    /// caller identically; it is kept once.
    #[builder(default, with = |items: impl IntoIterator<Item = ExternalCaller>| items.into_iter().collect())]
    pub external_callers: Vec<ExternalCaller>,
    /// Other namespaces its allow rules name.
    #[builder(default, with = |items: impl IntoIterator<Item = impl Into<String>>| super::strings(items))]
    pub known_namespaces: Vec<String>,
    /// Budgets for particular chains through its services.
    #[builder(default, with = |items: impl IntoIterator<Item = ChainBudget>| items.into_iter().collect())]
    pub chain_budgets: Vec<ChainBudget>,
}

impl MeshFragment {
    /// An empty fragment (the same as `MeshFragment::builder().build()`).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a service.
    #[deprecated(
        since = "0.2.0",
        note = "set services with `MeshFragment::builder().services([..])`"
    )]
    pub fn add_service(&mut self, service: Service) -> &mut Self {
        self.services.push(service);
        self
    }

    /// Adds a gateway.
    #[deprecated(
        since = "0.2.0",
        note = "set gateways with `MeshFragment::builder().gateways([..])`"
    )]
    pub fn add_gateway(&mut self, gateway: Gateway) -> &mut Self {
        self.gateways.push(gateway);
        self
    }

    /// Adds an external caller.
    #[deprecated(
        since = "0.2.0",
        note = "set external callers with `MeshFragment::builder().external_callers([..])`"
    )]
    pub fn add_external_caller(&mut self, caller: ExternalCaller) -> &mut Self {
        self.external_callers.push(caller);
        self
    }

    /// Adds a budget for one call chain.
    #[deprecated(
        since = "0.2.0",
        note = "set chain budgets with `MeshFragment::builder().chain_budgets([..])`"
    )]
    pub fn add_chain_budget(&mut self, budget: ChainBudget) -> &mut Self {
        self.chain_budgets.push(budget);
        self
    }

    /// The service of this fragment named `name`, if any (for the subset handles a gateway of
    /// the same fragment routes to).
    #[must_use]
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|service| service.name == name)
    }
}

impl MeshFragment {
    /// The checker's verdict on what this fragment alone can judge: every rule whose code is
    /// [`Scope::Local`] (a split whose weights are all zero, a route to a subset its service
    /// does not declare, a malformed header match, a retry policy with no attempts …).
    ///
    /// Rules that need the composed mesh ([`Scope::WholeMesh`]: a call to a service another
    /// crate defines, chains over the retry budget, allow lists derived from callers, anything
    /// that reads the namespace, mTLS, sidecars or split total) are left to
    /// [`check`](crate::check()) on the mesh the fragments are merged into; the registry says
    /// which codes are which. So whatever this reports, every mesh composed from the fragment
    /// reports too: a service crate can test its fragment on its own.
    ///
    /// ```
    /// use connectum_mesh_core::{MeshFragment, Route, Service, Split, Subset};
    ///
    /// let mut cart = Service::builder().name("cart").image("cart:1.0.0")
    ///     .calls(["stock"]) // defined by another crate: judged where the mesh is composed
    ///     .build();
    /// let stable = cart.add_subset(Subset::builder().name("stable").build());
    /// let canary = cart.add_subset(Subset::builder().name("canary").build());
    /// cart.add_route(Route::builder()
    ///     .target(Split::new().weight(&stable, 0).weight(&canary, 0)).build());
    ///
    /// let found = MeshFragment::from(cart).check();
    /// let errors: Vec<_> = found.errors().map(|d| d.code.as_str()).collect();
    /// assert_eq!(errors, ["CM0203"]); // every weight is zero; no CM0103 for `stock`
    /// ```
    #[must_use]
    pub fn check(&self) -> Diagnostics {
        // A one-letter namespace: only whole-mesh rules read the namespace, and no length rule
        // can trip on it that the real one would not.
        let mesh = Mesh::builder()
            .namespace("x")
            .services(self.services.iter().cloned())
            .gateways(self.gateways.iter().cloned())
            .external_callers(self.external_callers.iter().cloned())
            .known_namespaces(&self.known_namespaces)
            .chain_budgets(self.chain_budgets.iter().cloned())
            .build();
        crate::check(&mesh).local()
    }
}

impl Diagnostics {
    /// The diagnostics a fragment can judge: those whose code is [`Scope::Local`] in the
    /// registry. [`MeshFragment::check`] keeps these; so does `mesh!` for a mesh that calls a
    /// service by an expression, whose call graph it cannot see.
    #[must_use]
    pub fn local(self) -> Self {
        let mut local = Self::new();
        local.extend(
            self.into_iter()
                .filter(|d| d.code.info().is_none_or(|info| info.scope == Scope::Local)),
        );
        local
    }
}

impl From<Service> for MeshFragment {
    fn from(service: Service) -> Self {
        Self {
            services: vec![service],
            ..Self::default()
        }
    }
}

impl From<Gateway> for MeshFragment {
    fn from(gateway: Gateway) -> Self {
        Self {
            gateways: vec![gateway],
            ..Self::default()
        }
    }
}

/// A whole mesh as a fragment: its services, gateways, callers, namespaces and chain budgets.
/// Its mesh-wide settings (namespace, mTLS, budgets, lints …) are dropped: the composing mesh's
/// apply.
impl From<Mesh> for MeshFragment {
    fn from(mesh: Mesh) -> Self {
        Self {
            services: mesh.services,
            gateways: mesh.gateways,
            external_callers: mesh.external_callers,
            known_namespaces: mesh.known_namespaces,
            chain_budgets: mesh.chain_budgets,
        }
    }
}

const CALL_BY_NAME: &str = "a fragment that calls a service of another crate needs no stand-in caller: merge the crates' fragments and call it by its ServiceRef";

impl Mesh {
    /// Adds everything `fragment` describes (another crate's services, gateways, external
    /// callers, namespaces and chain budgets) to this mesh, the composition point: this mesh's
    /// own settings (namespace, mTLS, retry budget …) apply to the whole. Run
    /// [`check`](crate::check()) on the result for the whole-mesh rules (chains over budget
    /// across crates, calls to a service no fragment defines).
    ///
    /// An external caller, gateway or chain budget both declare identically is kept once (each
    /// fragment may declare the gateway that calls it). Conflicts are coded diagnostics and leave
    /// this mesh unchanged: a service defined by both (CM0101), an external caller defined
    /// differently by both or with a service's name (CM0106), a gateway defined differently by
    /// both or with a service's or caller's name (CM0120), two different budgets for one call
    /// chain (CM0130).
    ///
    /// ```
    /// use connectum_mesh_core::{ExternalCaller, Mesh, MeshFragment, Service, ServiceAccountRef};
    ///
    /// let gateway = ExternalCaller::builder().name("gateway")
    ///     .service_account(ServiceAccountRef::new("shop", "gateway")).calls(["cart"]).build();
    /// let cart = MeshFragment::builder()
    ///     .external_callers([gateway.clone()])
    ///     .services([Service::builder().name("cart").image("cart:1").calls(["stock"]).build()])
    ///     .build();
    /// let stock = Service::builder().name("stock").image("stock:1").build();
    ///
    /// let mut shop = Mesh::builder().namespace("shop").external_callers([gateway]).build();
    /// shop.merge(cart.clone())?.merge(stock)?;
    /// assert_eq!(shop.services.len(), 2);
    /// assert_eq!(shop.external_callers.len(), 1);
    /// let conflict = shop.merge(cart).unwrap_err();
    /// assert_eq!(conflict.codes(), ["CM0101"]);
    /// # Ok::<(), connectum_mesh_core::Diagnostics>(())
    /// ```
    ///
    /// # Errors
    /// Every conflict, as diagnostics; nothing is merged then.
    pub fn merge(&mut self, fragment: impl Into<MeshFragment>) -> Result<&mut Self, Diagnostics> {
        let fragment = fragment.into();
        let mut conflicts = Diagnostics::new();
        for service in &fragment.services {
            if self.service(&service.name).is_some() {
                conflicts.push(
                    DUPLICATE_SERVICE
                        .at(
                            MeshPath::service(&service.name),
                            format!("service `{}` is defined by both meshes being merged", service.name),
                        )
                        .with_help("define each service in one crate only, and refer to it from the others by its ServiceRef"),
                );
            }
            if self.external_callers.iter().any(|c| c.name == service.name) {
                conflicts.push(
                    DUPLICATE_CALLER
                        .at(
                            MeshPath::external_caller(&service.name),
                            format!(
                                "service `{}` is declared as an external caller of this mesh",
                                service.name
                            ),
                        )
                        .with_help(CALL_BY_NAME),
                );
            }
        }
        let services = |name: &str| {
            self.service(name).is_some() || fragment.services.iter().any(|s| s.name == name)
        };
        let callers = |name: &str| {
            self.external_callers.iter().any(|c| c.name == name)
                || fragment.external_callers.iter().any(|c| c.name == name)
        };
        let new_callers = merged(
            &self.external_callers,
            fragment.external_callers.iter(),
            |caller| &caller.name,
            |caller| {
                services(&caller.name).then(|| {
                    DUPLICATE_CALLER
                        .at(
                            MeshPath::external_caller(&caller.name),
                            format!(
                                "external caller `{}` has the name of a service of the merged mesh",
                                caller.name
                            ),
                        )
                        .with_help(CALL_BY_NAME)
                })
            },
            |caller| {
                DUPLICATE_CALLER
                    .at(
                        MeshPath::external_caller(&caller.name),
                        format!("external caller `{}` is defined differently by both meshes being merged", caller.name),
                    )
                    .with_help("declare the caller once, in the crate that composes the mesh, or identically in both")
            },
            &mut conflicts,
        );
        let new_gateways = merged(
            &self.gateways,
            fragment.gateways.iter(),
            |gateway| &gateway.name,
            |gateway| {
                (services(&gateway.name) || callers(&gateway.name)).then(|| {
                    DUPLICATE_GATEWAY.at(
                        MeshPath::gateway(&gateway.name),
                        format!("gateway `{}` has the name of a service or external caller of the merged mesh", gateway.name),
                    )
                    .with_help("give the gateway a name of its own")
                })
            },
            |gateway| {
                DUPLICATE_GATEWAY
                    .at(
                        MeshPath::gateway(&gateway.name),
                        format!("gateway `{}` is defined differently by both meshes being merged", gateway.name),
                    )
                    .with_help("define the gateway once, in the crate that composes the mesh, or identically in both")
            },
            &mut conflicts,
        );
        let new_budgets = merged(
            &self.chain_budgets,
            fragment.chain_budgets.iter(),
            |budget| &budget.chain,
            |_| None,
            |budget| {
                CONFLICTING_CHAIN_BUDGET
                    .at(
                        MeshPath::chain(&budget.chain),
                        format!(
                            "the chain {} has a budget of {} calls here and another in the mesh it is merged into",
                            budget.chain.join(" → "),
                            budget.budget.max_worst_case_calls
                        ),
                    )
                    .with_help("set the chain's budget in one crate only, or the same budget in both")
            },
            &mut conflicts,
        );
        if !conflicts.is_empty() {
            return Err(conflicts);
        }
        self.services.extend(fragment.services);
        self.external_callers.extend(new_callers);
        self.gateways.extend(new_gateways);
        for namespace in fragment.known_namespaces {
            if !self.known_namespaces.contains(&namespace) {
                self.known_namespaces.push(namespace);
            }
        }
        self.chain_budgets.extend(new_budgets);
        Ok(self)
    }
}

/// The items of `incoming` that `existing` lacks (by name: a caller's or gateway's name, a
/// budget's chain), each once; an item `existing` holds identically is dropped, one it holds
/// differently is a `differs` conflict, and one whose name something else of the merged mesh
/// takes is a `taken` conflict.
fn merged<'a, T: Clone + PartialEq + 'a, K: PartialEq + ?Sized>(
    existing: &[T],
    incoming: impl Iterator<Item = &'a T>,
    name: impl Fn(&T) -> &K,
    taken: impl Fn(&T) -> Option<Diagnostic>,
    differs: impl Fn(&T) -> Diagnostic,
    conflicts: &mut Diagnostics,
) -> Vec<T> {
    let mut added: Vec<T> = Vec::new();
    for item in incoming {
        let same_name = |other: &&T| name(other) == name(item);
        match existing
            .iter()
            .find(same_name)
            .or(added.iter().find(same_name))
        {
            Some(held) if held == item => {}
            Some(_) => conflicts.push(differs(item)),
            None => match taken(item) {
                Some(conflict) => conflicts.push(conflict),
                None => added.push(item.clone()),
            },
        }
    }
    added
}
