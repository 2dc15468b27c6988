//! A rendered mesh under test: where requests go and what a chain can cost.

use std::time::Duration;

use connectum_mesh_core::Mesh;
use connectum_mesh_core::check::costs::{ChainCost, chain_cost};
use serde_json::Value;

use super::routes::Request;
use super::{EffectiveRetries, Share, Target, TestingError, VirtualServiceMeaning, resolve_host};
use crate::render::{Manifests, render};

/// A mesh as it will be deployed: its rendered objects, read with Istio's semantics.
///
/// ```
/// use connectum_mesh::testing::Deployed;
/// use connectum_mesh::{Mesh, Service};
///
/// let mesh = Mesh::builder()
///     .namespace("shop")
///     .services([Service::builder().name("cart").image("cart:1").build()])
///     .build();
/// let deployed = Deployed::new(&mesh)?;
/// let kinds: Vec<_> = deployed.documents().iter().map(|d| d["kind"].as_str()).collect();
/// assert_eq!(kinds[0], Some("Namespace"));
/// # Ok::<(), connectum_mesh::testing::TestingError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Deployed {
    mesh: Mesh,
    documents: Vec<Value>,
    virtual_services: Vec<VirtualServiceMeaning>,
}

/// Where a request goes.
#[derive(Clone, Debug, PartialEq)]
pub enum Routed {
    /// A route takes it.
    Route(RouteOutcome),
    /// The host has a VirtualService and no route matches: the sidecar answers 404
    /// (`NR`, no route).
    NotFound {
        /// The host, fully qualified.
        host: String,
    },
}

impl Routed {
    /// The route taken, or `None` for a 404.
    #[must_use]
    pub fn route(&self) -> Option<&RouteOutcome> {
        match self {
            Self::Route(route) => Some(route),
            Self::NotFound { .. } => None,
        }
    }

    /// The HTTP status the routing alone gives: 404 when no route matches, else `None`.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        matches!(self, Self::NotFound { .. }).then_some(404)
    }
}

/// The route a request takes and what it does with it.
#[derive(Clone, Debug, PartialEq)]
pub struct RouteOutcome {
    /// The route's name (`None` for an unnamed route, or a host with no VirtualService, where
    /// Kubernetes' Service spreads requests over all its pods).
    pub name: Option<String>,
    /// Each destination and its share of the traffic.
    pub destinations: Vec<(Target, Share)>,
    /// The route timeout; `None` means none.
    pub timeout: Option<Duration>,
    /// The retry policy in effect.
    pub retries: EffectiveRetries,
}

impl RouteOutcome {
    /// The fraction (0.0 to 1.0) of the traffic `subset` gets (`None`: the whole service).
    #[must_use]
    pub fn share(&self, subset: Option<&str>) -> f64 {
        self.destinations
            .iter()
            .filter(|(target, _)| target.subset.as_deref() == subset)
            .map(|(_, share)| share.fraction())
            .sum()
    }

    /// Each subset (`None`: the whole service) and its fraction, in the route's order.
    #[must_use]
    pub fn shares(&self) -> Vec<(Option<&str>, f64)> {
        self.destinations
            .iter()
            .map(|(target, share)| (target.subset.as_deref(), share.fraction()))
            .collect()
    }

    /// The most requests one request on this route becomes: `1 + attempts`.
    #[must_use]
    pub fn worst_case_attempts(&self) -> u64 {
        1 + u64::from(self.retries.attempts)
    }
}

impl Deployed {
    /// Renders `mesh` (the checker runs first) and reads what it renders.
    ///
    /// # Errors
    /// [`TestingError::Invalid`] when the mesh has errors; [`TestingError::NotModelled`] if a
    /// rendered document cannot be read.
    pub fn new(mesh: &Mesh) -> Result<Self, TestingError> {
        let manifests = render(mesh).map_err(TestingError::Invalid)?;
        Self::from_manifests(mesh, &manifests)
    }

    /// Reads `manifests`, rendered from `mesh` (for example with other [`RenderOptions`](crate::RenderOptions)).
    ///
    /// ```
    /// use connectum_mesh::testing::Deployed;
    /// use connectum_mesh::{IstioApi, Mesh, RenderOptions, Service, render_with};
    ///
    /// let mesh = Mesh::builder()
    ///     .namespace("shop")
    ///     .services([Service::builder().name("cart").image("cart:1").build()])
    ///     .build();
    /// let mut options = RenderOptions::default();
    /// options.istio_api = IstioApi::V1beta1;
    /// let deployed = Deployed::from_manifests(&mesh, &render_with(&mesh, &options)?)?;
    /// assert!(deployed.documents().iter().any(|d| d["apiVersion"] == "security.istio.io/v1beta1"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`TestingError::NotModelled`] if a document cannot be read.
    pub fn from_manifests(mesh: &Mesh, manifests: &Manifests) -> Result<Self, TestingError> {
        let documents = manifests
            .to_values()
            .map_err(|e| TestingError::NotModelled(e.to_string()))?;
        Self::from_documents(mesh, documents)
    }

    /// Reads `documents` as the objects deployed for `mesh`: for testing what an edited
    /// manifest would mean (the conformance tests swap routes this way to prove the evaluator
    /// notices).
    ///
    /// ```
    /// use connectum_mesh::testing::{Deployed, Request};
    /// use connectum_mesh::{Mesh, Route, RouteTarget, Service};
    ///
    /// let mut cart = Service::builder().name("cart").image("cart:1").build();
    /// cart.add_route(Route::builder().name("all").target(RouteTarget::Service).build());
    /// let mesh = Mesh::builder().namespace("shop").services([cart]).build();
    /// let mut documents = Deployed::new(&mesh)?.documents().to_vec();
    /// // Someone narrows the route in the YAML by hand: the evaluator reads the edit.
    /// let vs = documents.iter_mut().find(|d| d["kind"] == "VirtualService").expect("rendered");
    /// vs["spec"]["http"][0]["match"] = serde_json::json!([{"headers": {"x-beta": {"exact": "1"}}}]);
    /// let edited = Deployed::from_documents(&mesh, documents)?;
    /// assert_eq!(edited.route("cart", &Request::grpc("/shop.Cart/Get"))?.status(), Some(404));
    /// # Ok::<(), connectum_mesh::testing::TestingError>(())
    /// ```
    ///
    /// # Errors
    /// [`TestingError::NotModelled`] for a VirtualService the evaluator cannot read.
    pub fn from_documents(mesh: &Mesh, documents: Vec<Value>) -> Result<Self, TestingError> {
        let virtual_services = documents
            .iter()
            .filter(|d| d.get("kind").and_then(Value::as_str) == Some("VirtualService"))
            .map(VirtualServiceMeaning::from_json)
            .collect::<Result<_, _>>()?;
        Ok(Self {
            mesh: mesh.clone(),
            documents,
            virtual_services,
        })
    }

    /// The mesh described.
    #[must_use]
    pub fn mesh(&self) -> &Mesh {
        &self.mesh
    }

    /// The rendered documents, as JSON, in apply order.
    #[must_use]
    pub fn documents(&self) -> &[Value] {
        &self.documents
    }

    /// The VirtualServices, read.
    #[must_use]
    pub fn virtual_services(&self) -> &[VirtualServiceMeaning] {
        &self.virtual_services
    }

    /// Where `request` to `host` (a service name, or its fully qualified host) goes: the first
    /// route whose match it meets, with its destinations' shares, timeout and retries; a 404
    /// when the host has a VirtualService and no route matches; and, for a host without
    /// VirtualService, Kubernetes' own spreading over the Service's pods with Istio's implicit
    /// retries.
    ///
    /// ```
    /// use connectum_mesh::testing::{Deployed, Request};
    /// use connectum_mesh::{HeaderMatch, Mesh, RequestMatch, Route, Service, Split, Subset};
    ///
    /// let mut cart = Service::builder().name("cart").image("cart:1").build();
    /// let stable = cart.add_subset(Subset::builder().name("stable").build());
    /// let canary = cart.add_subset(Subset::builder().name("canary").image("cart:2").replicas(1).build());
    /// cart.add_route(Route::builder().name("beta")
    ///     .matches([RequestMatch::header(HeaderMatch::exact("x-beta", "yes"))])
    ///     .target(&canary).build());
    /// cart.add_route(Route::builder().name("main")
    ///     .matches([RequestMatch::header(HeaderMatch::regex("x-user", ".+"))])
    ///     .target(Split::new().weight(&stable, 75).weight(&canary, 25)).build());
    /// let mesh = Mesh::builder().namespace("shop").services([cart]).build();
    /// let deployed = Deployed::new(&mesh)?;
    ///
    /// let beta = deployed.route("cart", &Request::grpc("/shop.Cart/Get").header("X-Beta", "yes"))?;
    /// assert_eq!(beta.route().and_then(|r| r.name.as_deref()), Some("beta"));
    /// let main = deployed.route("cart", &Request::grpc("/shop.Cart/Get").header("x-user", "ann"))?;
    /// let main = main.route().expect("a route");
    /// assert_eq!(main.shares(), [(Some("stable"), 0.75), (Some("canary"), 0.25)]);
    /// assert_eq!(main.timeout, None); // Istio sets no timeout unless the route does
    /// assert_eq!(main.worst_case_attempts(), 3); // Istio's implicit 2 retries
    /// // No route matches a request without either header: the sidecar answers 404.
    /// assert_eq!(deployed.route("cart", &Request::grpc("/shop.Cart/Get"))?.status(), Some(404));
    /// // A typo is an error, not an empty answer.
    /// assert_eq!(deployed.route("crat", &Request::grpc("/")).unwrap_err().code(), "CM0810");
    /// # Ok::<(), connectum_mesh::testing::TestingError>(())
    /// ```
    ///
    /// # Errors
    /// [`TestingError::UnknownHost`] when no service of the mesh is `host`;
    /// [`TestingError::NotModelled`] for a match the evaluator does not model.
    pub fn route(&self, host: &str, request: &Request) -> Result<Routed, TestingError> {
        let namespace = &self.mesh.namespace;
        let wanted = resolve_host(host, namespace);
        if let Some(vs) = self
            .virtual_services
            .iter()
            .find(|vs| vs.serves(host, namespace))
        {
            return Ok(match vs.route_for(request)? {
                Some(route) => Routed::Route(RouteOutcome {
                    name: route.name.clone(),
                    destinations: route.shares()?,
                    timeout: route.timeout,
                    retries: route.retries.clone(),
                }),
                None => Routed::NotFound { host: wanted },
            });
        }
        let service = self
            .mesh
            .services
            .iter()
            .find(|s| resolve_host(&s.name, namespace) == wanted)
            .ok_or_else(|| self.unknown_service(host))?;
        Ok(Routed::Route(RouteOutcome {
            name: None,
            destinations: vec![(
                Target {
                    host: wanted,
                    subset: None,
                    port: Some(u32::from(service.port)),
                },
                Share {
                    weight: 1,
                    total: 1,
                },
            )],
            timeout: None,
            retries: EffectiveRetries::istio_default(),
        }))
    }

    /// The worst-case calls and latency along the call chain `members`, caller first (an
    /// external caller or a service, then each service it calls in turn): mesh retries × app
    /// retries at every hop, Istio's implicit 2 where a route sets none. These are the numbers
    /// the checker's retry budget (CM0301) and caller-timeout rule (CM0304) use.
    ///
    /// ```
    /// use connectum_mesh::testing::Deployed;
    /// use connectum_mesh::{AppRetry, Duration, ExternalCaller, Interceptors, Mesh, MeshRetry, Route, RouteTarget, Service, ServiceAccountRef};
    ///
    /// let gateway = ExternalCaller::builder().name("gateway")
    ///     .service_account(ServiceAccountRef::new("shop", "gateway")).calls(["order"]).build();
    /// let once = || MeshRetry::builder().attempts(1).per_try_timeout(Duration::from_secs(1)).build();
    /// let mut order = Service::builder().name("order").image("order:1").calls(["stock"])
    ///     .interceptors(Interceptors::builder().retry(AppRetry::builder().max_retries(1).build()).build())
    ///     .build();
    /// order.add_route(Route::builder().target(RouteTarget::Service).timeout(Duration::from_secs(4)).retries(once()).build());
    /// let mut stock = Service::builder().name("stock").image("stock:1").build();
    /// stock.add_route(Route::builder().target(RouteTarget::Service).timeout(Duration::from_secs(2)).retries(once()).build());
    /// let mesh = Mesh::builder().namespace("shop")
    ///     .external_callers([gateway]).services([order, stock]).build();
    ///
    /// let chain = Deployed::new(&mesh)?.chain(["gateway", "order", "stock"])?;
    /// assert_eq!(chain.worst_case_calls(), (2 * 2) * 2);
    /// assert!(chain.within_budget());
    /// assert_eq!(chain.worst_case_latency().map(|d| d.to_string()).as_deref(), Some("2s"));
    /// # Ok::<(), connectum_mesh::testing::TestingError>(())
    /// ```
    ///
    /// # Errors
    /// [`TestingError::UnknownChain`] when a member is unknown or does not call the next.
    pub fn chain<S: AsRef<str>>(
        &self,
        members: impl IntoIterator<Item = S>,
    ) -> Result<ChainCost, TestingError> {
        let members: Vec<String> = members.into_iter().map(|m| m.as_ref().to_owned()).collect();
        chain_cost(&self.mesh, &members).map_err(|error| TestingError::UnknownChain {
            chain: members.clone(),
            reason: error.to_string(),
        })
    }
}
