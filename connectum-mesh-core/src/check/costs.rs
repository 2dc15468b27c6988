//! What one request can cost along a call chain: how many calls it can become (mesh retries ×
//! app retries at every hop) and how long a caller may wait on each hop. The checker's retry
//! budget (CM0301) and timeout rule (CM0304) use these numbers, and so does
//! `connectum_mesh::testing`, so a test sees exactly what the checker judged.

use std::fmt;

use crate::diag::closest;
use crate::model::{
    Duration, Gateway, ISTIO_DEFAULT_RETRY_ATTEMPTS, Mesh, RetryBudget, Route, Service,
};

use super::graph::{Chain, Entry, chains};

/// One hop of a chain: the service called and the retries a failing call to it gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HopCost {
    /// The service called.
    pub service: String,
    /// The most mesh retries of its routes (Istio's implicit 2 where a route sets none), or, on
    /// the first hop of a chain that enters through a gateway, the gateway route's retries.
    pub mesh_retries: u64,
    /// Who makes `mesh_retries`: the service's mesh routes, or the gateway in front of it.
    pub retried_by: RetryLayer,
    /// The application's retries (Connectum `retry.maxRetries`, 0 when off).
    pub app_retries: u64,
    /// The longest a caller's sidecar may wait on this service with all its retries, when
    /// something bounds it (route timeouts, per-try timeouts, Connectum's timeout).
    pub worst_case_wait: Option<Duration>,
}

impl HopCost {
    /// The hop's factor: `(1 + mesh_retries) × (1 + app_retries)`.
    #[must_use]
    pub fn worst_case_calls(&self) -> u64 {
        self.mesh_retries
            .saturating_add(1)
            .saturating_mul(self.app_retries.saturating_add(1))
    }
}

/// Who retries a failed call into a hop, in the proxy layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryLayer {
    /// The callee's mesh VirtualService routes (in the caller's sidecar).
    Mesh,
    /// The ingress gateway's route, on the first hop of a chain entering through it.
    Gateway,
}

impl fmt::Display for RetryLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Mesh => "mesh",
            Self::Gateway => "gateway",
        })
    }
}

/// The cost of one call chain, as the checker computes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainCost {
    /// The chain's members, caller first (an external caller, then services).
    pub members: Vec<String>,
    /// One entry per service called, in order.
    pub hops: Vec<HopCost>,
    /// The budget that applies: the chain's own `ChainBudget`, or the mesh's retry budget.
    pub budget: RetryBudget,
}

impl ChainCost {
    /// The most calls one failing request can become: the product of every hop's factor.
    #[must_use]
    pub fn worst_case_calls(&self) -> u64 {
        self.hops.iter().fold(1_u64, |product, hop| {
            product.saturating_mul(hop.worst_case_calls())
        })
    }

    /// The longest the chain's entry waits for an answer: the first hop's worst case (it
    /// includes everything behind it, since each hop's limits bound the whole call), or `None`
    /// when nothing bounds it.
    #[must_use]
    pub fn worst_case_latency(&self) -> Option<Duration> {
        self.hops.first().and_then(|hop| hop.worst_case_wait)
    }

    /// Whether the chain stays within its budget (CM0301 reports it otherwise).
    #[must_use]
    pub fn within_budget(&self) -> bool {
        self.budget.max_worst_case_calls == 0
            || self.worst_case_calls() <= self.budget.max_worst_case_calls
    }
}

/// Why [`chain_cost`] could not follow a chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainError {
    /// A member is neither a service, a gateway nor an external caller of the mesh.
    UnknownMember {
        /// The name as given.
        name: String,
        /// The closest declared name, if one is close.
        closest: Option<String>,
    },
    /// A member does not call the next one, so no request takes this chain.
    NotCalled {
        /// The caller.
        caller: String,
        /// The member it does not call.
        callee: String,
    },
    /// The chain names nobody.
    Empty,
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownMember { name, closest } => {
                write!(
                    f,
                    "`{name}` is not a service, gateway or external caller of this mesh"
                )?;
                if let Some(closest) = closest {
                    write!(f, "; did you mean `{closest}`?")?;
                }
                Ok(())
            }
            Self::NotCalled { caller, callee } => write!(
                f,
                "`{caller}` does not call `{callee}`, so no request takes this chain; add `{callee}` to its calls"
            ),
            Self::Empty => write!(f, "the chain names no service"),
        }
    }
}

impl std::error::Error for ChainError {}

/// The hop into `service`: (1 + the most mesh retries of its routes, Istio's implicit 2 when a
/// route sets none or there is no route) and (1 + the app's maxRetries).
#[must_use]
pub fn hop_cost(service: &Service) -> HopCost {
    let mesh_retries = service
        .routes
        .iter()
        .map(Route::effective_retry_attempts)
        .max()
        .unwrap_or(ISTIO_DEFAULT_RETRY_ATTEMPTS);
    HopCost {
        service: service.name.clone(),
        mesh_retries: u64::from(mesh_retries),
        retried_by: RetryLayer::Mesh,
        app_retries: u64::from(service.interceptors.max_retries()),
        worst_case_wait: worst_case_wait(service).and_then(Duration::try_from_millis),
    }
}

/// The longest a caller's sidecar may wait on `service`, in milliseconds, when it is bounded.
pub(super) fn worst_case_wait(service: &Service) -> Option<u64> {
    let app = service
        .interceptors
        .timeout
        .as_ref()
        .map(|t| t.duration.as_millis());
    if service.routes.is_empty() {
        return app.map(|a| a.saturating_mul(1 + u64::from(ISTIO_DEFAULT_RETRY_ATTEMPTS)));
    }
    service
        .routes
        .iter()
        .map(|route| {
            let per_try = route
                .retries
                .as_ref()
                .and_then(|r| r.per_try_timeout)
                .map(Duration::as_millis)
                .or(app);
            let all_tries = per_try.map(|p| p.saturating_mul(route.worst_case_attempts()));
            match (route.timeout.map(Duration::as_millis), all_tries) {
                (Some(timeout), Some(tries)) => Some(timeout.min(tries)),
                (timeout, tries) => timeout.or(tries),
            }
        })
        .collect::<Option<Vec<_>>>()
        .and_then(|times| times.into_iter().max())
}

/// The budget for the chain `members` (caller first): its `ChainBudget`, else the mesh's.
pub(super) fn budget_for<S: AsRef<str>>(mesh: &Mesh, members: &[S]) -> RetryBudget {
    mesh.chain_budgets
        .iter()
        .find(|b| {
            b.chain
                .iter()
                .map(String::as_str)
                .eq(members.iter().map(AsRef::as_ref))
        })
        .map_or(mesh.retry_budget, |b| b.budget)
}

/// The cost of the chain `members`, caller first: a gateway, an external caller or a service, then the
/// services each calls in turn. The numbers are CM0301's.
///
/// ```
/// use connectum_mesh_core::check::costs::chain_cost;
/// use connectum_mesh_core::{AppRetry, Interceptors, Mesh, Service};
///
/// let mesh = Mesh::builder()
///     .namespace("shop")
///     .services([
///         Service::builder().name("cart").image("cart:1").calls(["stock"]).build(),
///         Service::builder().name("stock").image("stock:1")
///             .interceptors(Interceptors::builder().retry(AppRetry::builder().max_retries(1).build()).build())
///             .build(),
///     ])
///     .build();
/// let cost = chain_cost(&mesh, &["cart", "stock"])?;
/// // No routes: Istio's implicit 2 retries at each hop; stock's app retries once more.
/// assert_eq!(cost.worst_case_calls(), 3 * (3 * 2));
/// assert!(!cost.within_budget());
/// # Ok::<(), connectum_mesh_core::check::costs::ChainError>(())
/// ```
///
/// # Errors
/// [`ChainError`] when a member is unknown, or does not call the next.
pub fn chain_cost<S: AsRef<str>>(mesh: &Mesh, members: &[S]) -> Result<ChainCost, ChainError> {
    let names: Vec<&str> = members.iter().map(AsRef::as_ref).collect();
    let Some((first, rest)) = names.split_first() else {
        return Err(ChainError::Empty);
    };
    let unknown = |name: &str| ChainError::UnknownMember {
        name: name.to_owned(),
        closest: closest(name, mesh.member_names()).map(str::to_owned),
    };
    let mut services = Vec::new();
    let gateway = mesh.gateway(first);
    let gateway_targets: Vec<String>;
    let mut calls: &[String] = if let Some(gateway) = gateway {
        gateway_targets = gateway
            .target_services()
            .into_iter()
            .map(str::to_owned)
            .collect();
        &gateway_targets
    } else if let Some(caller) = mesh.external_callers.iter().find(|c| c.name == *first) {
        &caller.calls
    } else {
        let service = mesh.service(first).ok_or_else(|| unknown(first))?;
        services.push(service);
        &service.calls
    };
    let mut previous = *first;
    for name in rest {
        let service = mesh.service(name).ok_or_else(|| unknown(name))?;
        if !calls.iter().any(|c| c == name) {
            return Err(ChainError::NotCalled {
                caller: previous.to_owned(),
                callee: (*name).to_owned(),
            });
        }
        services.push(service);
        calls = &service.calls;
        previous = name;
    }
    Ok(cost_of(mesh, &names, &services, gateway))
}

/// The cost of every call chain of `mesh`, in the checker's order: from every entry point (a
/// gateway, an external caller, or a service nobody calls) to a service that calls nobody, a
/// call back into the chain ending it there (cycles are CM0310). These are the chains and the
/// numbers CM0301 judges; a diagram or a review shows them as they are.
///
/// ```
/// use connectum_mesh_core::check::costs::chain_costs;
/// use connectum_mesh_core::{AppRetry, Interceptors, Mesh, Service};
///
/// let mesh = Mesh::builder()
///     .namespace("shop")
///     .services([
///         Service::builder().name("cart").image("cart:1")
///             .interceptors(Interceptors::builder().retry(AppRetry::builder().max_retries(1).build()).build())
///             .build(),
///     ])
///     .build();
/// let costs = chain_costs(&mesh);
/// // No route: Istio's implicit 2 retries, times the app's 1 retry.
/// assert_eq!(costs[0].members, ["cart"]);
/// assert_eq!(costs[0].worst_case_calls(), 3 * 2);
/// assert!(costs[0].within_budget());
/// ```
#[must_use]
pub fn chain_costs(mesh: &Mesh) -> Vec<ChainCost> {
    chains(mesh)
        .iter()
        .map(|chain| cost_of_chain(mesh, chain))
        .collect()
}

/// The cost of one chain the call graph walked.
pub(super) fn cost_of_chain(mesh: &Mesh, chain: &Chain<'_>) -> ChainCost {
    let gateway = match chain.caller {
        Some(Entry::Gateway(gateway)) => Some(gateway),
        _ => None,
    };
    cost_of(mesh, &chain.names(), &chain.services, gateway)
}

/// The cost of a chain already followed: `members` caller first, `services` the hops.
pub(super) fn cost_of<S: AsRef<str>>(
    mesh: &Mesh,
    members: &[S],
    services: &[&Service],
    gateway: Option<&Gateway>,
) -> ChainCost {
    let hops = services
        .iter()
        .enumerate()
        .map(|(index, service)| {
            let mut hop = hop_cost(service);
            // Without a mesh there are no mesh retries: the app's retries alone count.
            if !mesh.mode.is_istio() {
                hop.mesh_retries = 0;
            }
            // The gateway's route, not the service's mesh routes, retries the first hop.
            if let Some(gateway) = gateway
                && index == 0
            {
                hop.mesh_retries = edge_retries(gateway, service);
                hop.retried_by = RetryLayer::Gateway;
            }
            hop
        })
        .collect();
    ChainCost {
        members: members.iter().map(|m| m.as_ref().to_owned()).collect(),
        hops,
        budget: budget_for(mesh, members),
    }
}

/// The most retries a gateway makes toward `service` on any of its routes to it.
pub(super) fn edge_retries(gateway: &Gateway, service: &Service) -> u64 {
    let default = gateway.runtime.default_retry_attempts();
    gateway
        .routes
        .iter()
        .filter(|r| r.target.services().contains(&service.name.as_str()))
        .map(|r| r.effective_retry_attempts(default))
        .max()
        .map_or(u64::from(default), u64::from)
}
