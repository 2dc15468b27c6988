//! The worst-case calls along every call chain: the numbers the retry budget (CM0301) judges,
//! public so that diagrams, diffs and tests show the checker's own numbers instead of
//! recomputing them.

use crate::model::{ISTIO_DEFAULT_RETRY_ATTEMPTS, Mesh, RetryBudget, Route, Service};

use super::graph::chains;

/// How many calls one request may become along one call chain, hop by hop.
///
/// ```
/// use connectum_mesh_core::check::chain_worst_cases;
/// use connectum_mesh_core::{AppRetry, Interceptors, Mesh, Service};
///
/// let mut mesh = Mesh::builder().namespace("connectum").build();
/// mesh.add_service(
///     Service::builder()
///         .name("order-service")
///         .image("order:1.0.0")
///         .interceptors(Interceptors::builder().retry(AppRetry::builder().max_retries(1).build()).build())
///         .build(),
/// );
/// let chains = chain_worst_cases(&mesh);
/// // No route: Istio's implicit 2 retries, times the app's 1 retry: (1 + 2) × (1 + 1).
/// assert_eq!(chains[0].members, ["order-service"]);
/// assert_eq!(chains[0].calls, 6);
/// assert!(!chains[0].over_budget());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainWorstCase {
    /// The chain, caller first: an external caller (if the chain starts outside the mesh), then
    /// the services the request passes.
    pub members: Vec<String>,
    /// One entry per service along the chain, the first one called first.
    pub hops: Vec<HopWorstCase>,
    /// The worst-case calls of the whole chain: the product of every hop's factor.
    pub calls: u64,
    /// The budget that applies: the chain's own [`ChainBudget`](crate::ChainBudget), or the
    /// mesh's.
    pub budget: RetryBudget,
}

impl ChainWorstCase {
    /// Whether the chain exceeds its budget (a budget of 0 is CM0105, never this).
    #[must_use]
    pub fn over_budget(&self) -> bool {
        self.budget.max_worst_case_calls > 0 && self.calls > self.budget.max_worst_case_calls
    }
}

/// One service along a [`ChainWorstCase`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HopWorstCase {
    /// The service called at this hop.
    pub service: String,
    /// The most mesh retries of its routes (Istio's implicit 2 where a route sets none, or
    /// where there is no route).
    pub mesh_retries: u64,
    /// The application's retries (Connectum's `maxRetries`, 0 when retry is off).
    pub app_retries: u64,
    /// The worst-case calls that reach this service for one request entering the chain: the
    /// product of the factors of this hop and every hop before it.
    pub calls_so_far: u64,
}

impl HopWorstCase {
    /// This hop's own factor: `(1 + mesh retries) × (1 + app retries)`.
    #[must_use]
    pub fn factor(&self) -> u64 {
        self.mesh_retries
            .saturating_add(1)
            .saturating_mul(self.app_retries.saturating_add(1))
    }
}

/// The retries of one hop into `service`: the most mesh retries of its routes (Istio's
/// implicit 2 when a route sets none or there is no route), and the app's `maxRetries`.
fn hop_retries(service: &Service) -> (u64, u64) {
    let mesh_attempts = service
        .routes
        .iter()
        .map(Route::effective_retry_attempts)
        .max()
        .unwrap_or(ISTIO_DEFAULT_RETRY_ATTEMPTS);
    (
        u64::from(mesh_attempts),
        u64::from(service.interceptors.max_retries()),
    )
}

/// The worst-case calls of every call chain of `mesh`, from every entry point (an external
/// caller, or a service nobody calls) to a service that calls nobody, in the checker's order.
/// A call back into a chain ends it there (cycles are CM0310).
#[must_use]
pub fn chain_worst_cases(mesh: &Mesh) -> Vec<ChainWorstCase> {
    chains(mesh)
        .iter()
        .map(|chain| {
            let members: Vec<String> = chain.names().into_iter().map(str::to_owned).collect();
            let budget = mesh
                .chain_budgets
                .iter()
                .find(|b| b.chain == members)
                .map_or(mesh.retry_budget, |b| b.budget);
            let mut calls = 1_u64;
            let hops = chain
                .services
                .iter()
                .map(|service| {
                    let (mesh_retries, app_retries) = hop_retries(service);
                    let mut hop = HopWorstCase {
                        service: service.name.clone(),
                        mesh_retries,
                        app_retries,
                        calls_so_far: 0,
                    };
                    calls = calls.saturating_mul(hop.factor());
                    hop.calls_so_far = calls;
                    hop
                })
                .collect();
            ChainWorstCase {
                members,
                hops,
                calls,
                budget,
            }
        })
        .collect()
}
