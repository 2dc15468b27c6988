//! What a diagram shows, independent of the drawing language: callers, one box per service
//! (its host, routes in evaluation order and subsets), the calls between them with their
//! worst-case calls, and the problems the checker found, each pinned to what it is about.

use std::collections::BTreeMap;

use connectum_mesh_core::check::chain_worst_cases;
use connectum_mesh_core::{
    Diagnostic, Diagnostics, Mesh, MtlsMode, RouteTarget, Segment, Service, ServiceAccountRef,
};

use super::words;

/// The look of a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A caller from outside the mesh (a gateway, a job).
    Caller,
    /// A service's host: where its callers' requests arrive.
    Host,
    /// A route, in evaluation order.
    Route,
    /// A subset's workload.
    Subset,
    /// Something named but not declared: a route or a call to nowhere.
    Missing,
    /// Problems not pinned to a drawn element.
    Note,
}

/// One node.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub(crate) id: String,
    pub(crate) lines: Vec<String>,
    pub(crate) shape: Shape,
    pub(crate) problem: bool,
}

/// One service: a box around its host, routes and subsets.
#[derive(Clone, Debug)]
pub(crate) struct Cluster {
    pub(crate) id: String,
    pub(crate) title: Vec<String>,
    /// Whether allow rules guard it (an authorization boundary).
    pub(crate) guarded: bool,
    pub(crate) nodes: Vec<Node>,
}

/// What an edge stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EdgeKind {
    /// A request from one workload to another service.
    Call,
    /// Inside a service: from the host to a route, or from a route to a subset.
    Route,
}

/// One edge.
#[derive(Clone, Debug)]
pub(crate) struct Edge {
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) label: Option<String>,
    pub(crate) kind: EdgeKind,
    pub(crate) problem: bool,
}

/// Everything a diagram of one mesh shows, in a stable order.
#[derive(Clone, Debug)]
pub(crate) struct Scene {
    pub(crate) title: String,
    pub(crate) callers: Vec<Node>,
    pub(crate) clusters: Vec<Cluster>,
    pub(crate) strays: Vec<Node>,
    pub(crate) edges: Vec<Edge>,
}

/// `⚠ CM0213 no route takes every request`.
fn problem_line(diagnostic: &Diagnostic) -> String {
    let title = diagnostic
        .code
        .info()
        .map_or(diagnostic.message.as_str(), |info| info.title);
    format!("⚠ {} {title}", diagnostic.code)
}

/// The diagnostics about one service, split into those about each route (by index) and the
/// rest.
struct ServiceProblems<'a> {
    routes: BTreeMap<usize, Vec<&'a Diagnostic>>,
    other: Vec<&'a Diagnostic>,
}

fn service_problems<'a>(diagnostics: &'a Diagnostics, service: &str) -> ServiceProblems<'a> {
    let mut problems = ServiceProblems {
        routes: BTreeMap::new(),
        other: Vec::new(),
    };
    for diagnostic in diagnostics.all() {
        let segments = diagnostic.path.segments();
        if !matches!(segments.first(), Some(Segment::Service(name)) if name == service) {
            continue;
        }
        match segments.get(1) {
            Some(Segment::Route(index)) => {
                problems.routes.entry(*index).or_default().push(diagnostic)
            }
            _ => problems.other.push(diagnostic),
        }
    }
    problems
}

/// The members of a chain diagnostic's path (`chain a → b → a`), if it has one.
fn chain_members(diagnostic: &Diagnostic) -> Option<&[String]> {
    match diagnostic.path.segments().first()? {
        Segment::Chain(members) => Some(members),
        _ => None,
    }
}

fn mtls_of(mesh: &Mesh, service: &Service) -> MtlsMode {
    service.mtls_override.unwrap_or(mesh.mtls)
}

/// The worst-case calls on one call edge: the most that reach the callee through it, and
/// whether some chain through it is over its budget by then.
#[derive(Default)]
struct EdgeLoad {
    calls: u64,
    factor: (u64, u64),
    over: Option<u64>,
}

impl EdgeLoad {
    /// `≤ 6 calls: (1+1) × (1+2)`, and the CM0301 line when over the budget.
    fn describe(&self) -> (String, Option<String>) {
        let (mesh_retries, app_retries) = self.factor;
        (
            format!(
                "≤ {} calls: (1+{mesh_retries}) × (1+{app_retries})",
                self.calls
            ),
            self.over
                .map(|budget| format!("⚠ CM0301 over the retry budget of {budget}")),
        )
    }
}

pub(crate) fn scene(mesh: &Mesh) -> Scene {
    let diagnostics = connectum_mesh_core::check(mesh);
    let index_of: BTreeMap<&str, usize> = mesh
        .services
        .iter()
        .enumerate()
        .rev()
        .map(|(index, service)| (service.name.as_str(), index))
        .collect();
    let caller_index: BTreeMap<&str, usize> = mesh
        .external_callers
        .iter()
        .enumerate()
        .rev()
        .map(|(index, caller)| (caller.name.as_str(), index))
        .collect();
    let member_id = |name: &str| {
        index_of
            .get(name)
            .map(|i| format!("s{i}"))
            .or_else(|| caller_index.get(name).map(|i| format!("x{i}")))
    };

    // The checker's own chain numbers, folded onto the edges they pass.
    let mut loads: BTreeMap<(String, String), EdgeLoad> = BTreeMap::new();
    for chain in chain_worst_cases(mesh) {
        let budget = chain.budget.max_worst_case_calls;
        // A chain that starts at a service nobody calls enters it from "" (outside the mesh).
        let mut previous = if chain.members.len() > chain.hops.len() {
            chain.members.first().cloned().unwrap_or_default()
        } else {
            String::new()
        };
        for hop in &chain.hops {
            let load = loads.entry((previous, hop.service.clone())).or_default();
            if hop.calls_so_far >= load.calls {
                load.calls = hop.calls_so_far;
                load.factor = (hop.mesh_retries, hop.app_retries);
            }
            if budget > 0 && hop.calls_so_far > budget {
                load.over = Some(load.over.map_or(budget, |b| b.min(budget)));
            }
            previous = hop.service.clone();
        }
    }
    let mut chain_problems: BTreeMap<(String, String), Vec<&Diagnostic>> = BTreeMap::new();
    for diagnostic in diagnostics.all() {
        if diagnostic.code == connectum_mesh_core::diag::registry::RETRY_AMPLIFICATION.code {
            continue; // drawn from the numbers above, at the hop where the budget breaks
        }
        if let Some(members) = chain_members(diagnostic) {
            for pair in members.windows(2) {
                chain_problems
                    .entry((pair[0].clone(), pair[1].clone()))
                    .or_default()
                    .push(diagnostic);
            }
        }
    }

    let mut edges = Vec::new();
    let mut strays: Vec<Node> = Vec::new();
    let mut call =
        |caller: &str, account: &ServiceAccountRef, callee: &str, edges: &mut Vec<Edge>| {
            let from = member_id(caller).unwrap_or_default();
            let mut label = Vec::new();
            let mut problem = false;
            let to = match mesh.service(callee) {
                Some(service) => {
                    if !service.admits(account) {
                        label.push("✗ not allowed: 403".to_owned());
                        problem = true;
                    }
                    member_id(callee).unwrap_or_default()
                }
                None => {
                    let id = format!("u{}", strays.len());
                    strays.push(Node {
                        id: id.clone(),
                        lines: vec![callee.to_owned(), "⚠ not declared".to_owned()],
                        shape: Shape::Missing,
                        problem: true,
                    });
                    problem = true;
                    id
                }
            };
            let key = (caller.to_owned(), callee.to_owned());
            if let Some(load) = loads.get(&key) {
                let (text, over) = load.describe();
                label.insert(0, text);
                if let Some(over) = over {
                    label.push(over);
                    problem = true;
                }
            }
            for diagnostic in chain_problems.get(&key).into_iter().flatten() {
                label.push(problem_line(diagnostic));
                problem = true;
            }
            edges.push(Edge {
                from,
                to,
                label: (!label.is_empty()).then(|| label.join("\n")),
                kind: EdgeKind::Call,
                problem,
            });
        };

    let callers = mesh
        .external_callers
        .iter()
        .enumerate()
        .map(|(index, caller)| {
            for callee in &caller.calls {
                call(&caller.name, &caller.service_account, callee, &mut edges);
            }
            Node {
                id: format!("x{index}"),
                lines: vec![
                    caller.name.clone(),
                    format!("as {}", caller.service_account),
                ],
                shape: Shape::Caller,
                problem: false,
            }
        })
        .collect();

    let mut clusters = Vec::new();
    for (index, service) in mesh.services.iter().enumerate() {
        let account = ServiceAccountRef::new(&mesh.namespace, service.service_account_name());
        for callee in &service.calls {
            call(&service.name, &account, callee, &mut edges);
        }
        let entry = loads.get(&(String::new(), service.name.clone()));
        let (cluster, cluster_edges) = service_cluster(mesh, service, index, &diagnostics, entry);
        clusters.push(cluster);
        edges.extend(cluster_edges);
    }

    let mesh_problems: Vec<String> = diagnostics
        .all()
        .iter()
        .filter(|d| {
            d.path
                .segments()
                .first()
                .is_none_or(|head| !matches!(head, Segment::Service(_) | Segment::Chain(_)))
        })
        .map(|d| format!("{} at {}", problem_line(d), d.path))
        .collect();
    if !mesh_problems.is_empty() {
        strays.push(Node {
            id: "problems".to_owned(),
            lines: mesh_problems,
            shape: Shape::Note,
            problem: true,
        });
    }

    Scene {
        title: format!(
            "namespace {} · mTLS {} · retry budget {} calls",
            mesh.namespace,
            mesh.mtls.as_istio(),
            mesh.retry_budget.max_worst_case_calls
        ),
        callers,
        clusters,
        strays,
        edges,
    }
}

/// One service's box: its host, routes in order, subsets, and the edges between them.
fn service_cluster(
    mesh: &Mesh,
    service: &Service,
    index: usize,
    diagnostics: &Diagnostics,
    entry: Option<&EdgeLoad>,
) -> (Cluster, Vec<Edge>) {
    let id = format!("s{index}");
    let problems = service_problems(diagnostics, &service.name);
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    let mut host_lines = vec![
        service.name.clone(),
        format!(
            "port {} · mTLS {}",
            service.port,
            mtls_of(mesh, service).as_istio()
        ),
    ];
    let mut host_problem = !problems.other.is_empty();
    if let Some(load) = entry {
        let (text, over) = load.describe();
        host_lines.push(format!("entry point: {text}"));
        host_problem |= over.is_some();
        host_lines.extend(over);
    }
    host_lines.extend(problems.other.iter().map(|d| problem_line(d)));
    nodes.push(Node {
        id: id.clone(),
        lines: host_lines,
        shape: Shape::Host,
        problem: host_problem,
    });

    let subset_id = |name: &str| {
        service
            .subsets
            .iter()
            .position(|s| s.name == name)
            .map(|i| format!("{id}_sub{i}"))
    };
    let mut missing = 0;
    // The node a route leg ends at, and whether it is a subset nobody declares.
    let mut to_subset = |service_name: &str, name: &str, nodes: &mut Vec<Node>| -> (String, bool) {
        match subset_id(name).filter(|_| service_name == service.name) {
            Some(node) => (node, false),
            None => {
                let node = format!("{id}_missing{missing}");
                missing += 1;
                nodes.push(Node {
                    id: node.clone(),
                    lines: vec![
                        format!("{service_name}/{name}"),
                        "⚠ subset not declared".to_owned(),
                    ],
                    shape: Shape::Missing,
                    problem: true,
                });
                (node, true)
            }
        }
    };
    let mut every_pod = None;
    for (route_index, route) in service.routes.iter().enumerate() {
        let route_id = format!("{id}_r{route_index}");
        let route_problems = problems.routes.get(&route_index);
        let mut lines = vec![
            format!(
                "{}. {}",
                route_index + 1,
                words::route_name(route, route_index)
            ),
            words::matches(route),
            format!(
                "timeout {} · retries {}",
                words::timeout(route),
                words::retry_count(route.retries.as_ref())
            ),
        ];
        lines.extend(
            route_problems
                .into_iter()
                .flatten()
                .map(|d| problem_line(d)),
        );
        nodes.push(Node {
            id: route_id.clone(),
            lines,
            shape: Shape::Route,
            problem: route_problems.is_some(),
        });
        edges.push(Edge {
            from: id.clone(),
            to: route_id.clone(),
            label: None,
            kind: EdgeKind::Route,
            problem: false,
        });
        let legs: Vec<((String, bool), Option<String>)> = match &route.target {
            RouteTarget::Subset(subset) => {
                vec![(to_subset(subset.service(), subset.name(), &mut nodes), None)]
            }
            RouteTarget::Split(split) => split
                .legs
                .iter()
                .map(|leg| {
                    (
                        to_subset(leg.subset.service(), leg.subset.name(), &mut nodes),
                        Some(words::share(leg.weight, split)),
                    )
                })
                .collect(),
            RouteTarget::Service => {
                let node = every_pod
                    .get_or_insert_with(|| {
                        nodes.push(Node {
                            id: format!("{id}_all"),
                            lines: vec!["every pod".to_owned()],
                            shape: Shape::Subset,
                            problem: false,
                        });
                        format!("{id}_all")
                    })
                    .clone();
                vec![((node, false), None)]
            }
        };
        for ((to, problem), label) in legs {
            edges.push(Edge {
                from: route_id.clone(),
                to,
                label,
                kind: EdgeKind::Route,
                problem,
            });
        }
    }
    for (subset_index, subset) in service.subsets.iter().enumerate() {
        nodes.push(Node {
            id: format!("{id}_sub{subset_index}"),
            lines: vec![
                subset.name.clone(),
                words::short_image(words::image(service, subset_index)).to_owned(),
                words::scaling(&service.workload_scaling(subset_index)),
            ],
            shape: Shape::Subset,
            problem: false,
        });
    }
    let mut title = vec![service.name.clone()];
    if !service.allow.is_empty() {
        title.push(format!("allow: {}", words::allowed_callers(&service.allow)));
    }
    (
        Cluster {
            id: format!("c{index}"),
            title,
            guarded: !service.allow.is_empty(),
            nodes,
        },
        edges,
    )
}
