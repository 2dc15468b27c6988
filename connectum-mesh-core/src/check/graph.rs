//! The call graph the retry and timeout rules walk: who calls whom, the call chains from every
//! entry point, and the cycles that make chains endless.

use std::collections::{BTreeSet, HashMap, VecDeque};

use crate::diag::MeshPath;
use crate::model::{ExternalCaller, Gateway, Mesh, Service};

/// At most this many chains are walked, so a dense call graph cannot stall the checker.
const MAX_CHAINS: usize = 10_000;

/// Where a chain that starts outside the mesh comes from.
#[derive(Clone, Copy)]
pub(super) enum Entry<'a> {
    /// An external caller: it makes no retries of its own.
    External(&'a ExternalCaller),
    /// A gateway: its route's retries are the first hop's mesh retries.
    Gateway(&'a Gateway),
}

impl Entry<'_> {
    fn name(&self) -> &str {
        match self {
            Self::External(caller) => &caller.name,
            Self::Gateway(gateway) => &gateway.name,
        }
    }
}

/// A call chain: an optional entry from outside, then the services the request passes, in order.
pub(super) struct Chain<'a> {
    /// Where the chain enters the mesh, if it starts outside it.
    pub(super) caller: Option<Entry<'a>>,
    /// The services along the chain, the first one called first.
    pub(super) services: Vec<&'a Service>,
}

impl Chain<'_> {
    /// The members' names, caller first.
    pub(super) fn names(&self) -> Vec<&str> {
        self.caller
            .as_ref()
            .map(Entry::name)
            .into_iter()
            .chain(self.services.iter().map(|s| s.name.as_str()))
            .collect()
    }

    /// `chain envoy-gateway → order-service`.
    pub(super) fn path(&self) -> MeshPath {
        MeshPath::chain(&self.names())
    }
}

/// The mesh's services by name, built once per rule so following a call is a lookup, not a scan
/// of the mesh (a duplicated name finds the first, as [`Mesh::service`] does; CM0101 reports it).
pub(super) struct ServiceIndex<'a>(HashMap<&'a str, &'a Service>);

impl<'a> ServiceIndex<'a> {
    pub(super) fn of(mesh: &'a Mesh) -> Self {
        let mut index = HashMap::with_capacity(mesh.services.len());
        for service in &mesh.services {
            index.entry(service.name.as_str()).or_insert(service);
        }
        Self(index)
    }

    pub(super) fn get(&self, name: &str) -> Option<&'a Service> {
        self.0.get(name).copied()
    }
}

/// The services `names` refers to, each once, in order; unknown names are skipped (CM0103).
fn resolve<'a>(index: &ServiceIndex<'a>, names: &[String]) -> Vec<&'a Service> {
    let mut seen = BTreeSet::new();
    names
        .iter()
        .filter(|name| seen.insert(name.as_str()))
        .filter_map(|name| index.get(name))
        .collect()
}

/// The services `service` calls.
pub(super) fn callees<'a>(index: &ServiceIndex<'a>, service: &Service) -> Vec<&'a Service> {
    resolve(index, &service.calls)
}

/// Every chain from an entry point (a gateway, an external caller, or a service nobody calls) to
/// a service that calls nobody. A call back into the chain ends it there (cycles are CM0310).
pub(super) fn chains(mesh: &Mesh) -> Vec<Chain<'_>> {
    let gateway_targets: Vec<String> = mesh
        .gateways
        .iter()
        .flat_map(|g| g.target_services())
        .map(str::to_owned)
        .collect();
    let called: BTreeSet<&str> = mesh
        .services
        .iter()
        .flat_map(|s| s.calls.iter())
        .chain(mesh.external_callers.iter().flat_map(|c| c.calls.iter()))
        .chain(gateway_targets.iter())
        .map(String::as_str)
        .collect();
    let index = ServiceIndex::of(mesh);
    let mut chains = Vec::new();
    for gateway in &mesh.gateways {
        let targets: Vec<String> = gateway
            .target_services()
            .into_iter()
            .map(str::to_owned)
            .collect();
        for first in resolve(&index, &targets) {
            extend(
                &index,
                Some(Entry::Gateway(gateway)),
                vec![first],
                &mut chains,
            );
        }
    }
    for caller in &mesh.external_callers {
        for first in resolve(&index, &caller.calls) {
            extend(
                &index,
                Some(Entry::External(caller)),
                vec![first],
                &mut chains,
            );
        }
    }
    let mut seen = BTreeSet::new();
    for service in &mesh.services {
        if !called.contains(service.name.as_str()) && seen.insert(service.name.as_str()) {
            extend(&index, None, vec![service], &mut chains);
        }
    }
    chains
}

fn extend<'a>(
    index: &ServiceIndex<'a>,
    caller: Option<Entry<'a>>,
    services: Vec<&'a Service>,
    chains: &mut Vec<Chain<'a>>,
) {
    if chains.len() >= MAX_CHAINS {
        return;
    }
    let Some(last) = services.last() else {
        return;
    };
    let next: Vec<&Service> = callees(index, last)
        .into_iter()
        .filter(|callee| !services.iter().any(|s| s.name == callee.name))
        .collect();
    if next.is_empty() {
        chains.push(Chain { caller, services });
        return;
    }
    for callee in next {
        let mut longer = services.clone();
        longer.push(callee);
        extend(index, caller, longer, chains);
    }
}

/// Call cycles, each as the names along it with the first repeated at the end
/// (`a → b → a`); every service on a cycle is on at least one reported cycle.
pub(super) fn cycles(mesh: &Mesh) -> Vec<Vec<&str>> {
    let index = ServiceIndex::of(mesh);
    let mut cycles: Vec<Vec<&str>> = Vec::new();
    let mut on_reported: BTreeSet<&str> = BTreeSet::new();
    let mut seen = BTreeSet::new();
    for start in &mesh.services {
        if on_reported.contains(start.name.as_str()) || !seen.insert(start.name.as_str()) {
            continue;
        }
        if let Some(cycle) = shortest_cycle(&index, start) {
            on_reported.extend(cycle.iter().copied());
            cycles.push(cycle);
        }
    }
    cycles
}

/// The shortest way from `start` back to itself, by breadth-first search.
fn shortest_cycle<'a>(index: &ServiceIndex<'a>, start: &'a Service) -> Option<Vec<&'a str>> {
    // A service that calls nobody is on no cycle: no search (most services of a mesh).
    if start.calls.is_empty() {
        return None;
    }
    let mut queue: VecDeque<Vec<&Service>> = VecDeque::from([vec![start]]);
    let mut visited: BTreeSet<&str> = BTreeSet::new();
    while let Some(path) = queue.pop_front() {
        let last = path.last()?;
        for callee in callees(index, last) {
            if callee.name == start.name {
                let mut names: Vec<&str> = path.iter().map(|s| s.name.as_str()).collect();
                names.push(start.name.as_str());
                return Some(names);
            }
            if visited.insert(callee.name.as_str()) {
                let mut longer = path.clone();
                longer.push(callee);
                queue.push_back(longer);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mesh(calls: &[(&str, &[&str])]) -> Mesh {
        let services = calls.iter().map(|(name, callees)| {
            Service::builder()
                .name(*name)
                .image("img:1")
                .calls(callees.iter().copied())
                .build()
        });
        Mesh::builder()
            .namespace("connectum")
            .services(services)
            .build()
    }

    fn names(mesh: &Mesh) -> Vec<String> {
        chains(mesh).iter().map(|c| c.names().join(" → ")).collect()
    }

    #[test]
    fn a_diamond_has_two_chains() {
        let diamond = mesh(&[("a", &["b", "c"]), ("b", &["d"]), ("c", &["d"]), ("d", &[])]);
        assert_eq!(names(&diamond), ["a → b → d", "a → c → d"]);
        assert!(cycles(&diamond).is_empty());
    }

    #[test]
    fn cycles_are_found_once_and_cut_chains_short() {
        let looped = mesh(&[
            ("entry", &["a"]),
            ("a", &["b"]),
            ("b", &["a"]),
            ("self", &["self"]),
        ]);
        assert_eq!(cycles(&looped), [vec!["a", "b", "a"], vec!["self", "self"]]);
        assert_eq!(names(&looped), ["entry → a → b"]);
    }

    #[test]
    fn a_dense_call_graph_is_walked_in_bounded_time() {
        let names: Vec<String> = (0..24).map(|i| format!("s{i:02}")).collect();
        let dense = Mesh::builder()
            .namespace("connectum")
            .services(names.iter().enumerate().map(|(index, name)| {
                Service::builder()
                    .name(name.as_str())
                    .image("img:1")
                    .calls(&names[index + 1..])
                    .build()
            }))
            .build();
        assert_eq!(chains(&dense).len(), MAX_CHAINS);
    }
}
