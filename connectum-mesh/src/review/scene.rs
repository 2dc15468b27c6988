//! What a diagram shows, independent of the drawing language: gateways with their routes,
//! external callers, one box per service (its host, routes in evaluation order and subsets),
//! the calls between them with their worst-case calls, and the problems the checker found,
//! each pinned to what it is about.

use std::collections::BTreeMap;

use connectum_mesh_core::check::costs::chain_costs;
use connectum_mesh_core::diag::registry::RETRY_AMPLIFICATION;
use connectum_mesh_core::{
    Callers, Diagnostic, Diagnostics, Gateway, GatewayTarget, Mesh, RouteTarget, Segment, Service,
    ServiceAccountRef,
};

use super::words;

/// The look of a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A caller from outside the mesh (a job, an API gateway the mesh does not model).
    Caller,
    /// A gateway: where requests from outside enter.
    Gateway,
    /// A service's host: where its callers' requests arrive.
    Host,
    /// A route, in evaluation order (a service's or a gateway's).
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

/// One box: a service around its host, routes and subsets, or a gateway around its routes.
#[derive(Clone, Debug)]
pub(crate) struct Cluster {
    pub(crate) id: String,
    pub(crate) title: Vec<String>,
    /// Whether an AuthorizationPolicy guards it (an authorization boundary).
    pub(crate) guarded: bool,
    pub(crate) nodes: Vec<Node>,
}

/// What an edge stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EdgeKind {
    /// A request from one workload (or gateway) to another service.
    Call,
    /// Inside a box: from the host or gateway to a route, or from a route to a subset.
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

/// The diagnostics about one service or gateway (the head of their path), split into those
/// about each route (by index) and the rest.
struct Problems {
    routes: BTreeMap<usize, Vec<Diagnostic>>,
    other: Vec<Diagnostic>,
}

/// The diagnostics grouped by the head of their path (a service, a gateway), built once so
/// each box finds its own without scanning every diagnostic.
fn by_head(diagnostics: &Diagnostics) -> BTreeMap<Segment, Vec<Diagnostic>> {
    let mut heads: BTreeMap<Segment, Vec<Diagnostic>> = BTreeMap::new();
    for diagnostic in diagnostics.all() {
        if let Some(head) = diagnostic.path.segments().first() {
            heads
                .entry(head.clone())
                .or_default()
                .push(diagnostic.clone());
        }
    }
    heads
}

fn problems_of(heads: &BTreeMap<Segment, Vec<Diagnostic>>, head: &Segment) -> Problems {
    let mut problems = Problems {
        routes: BTreeMap::new(),
        other: Vec::new(),
    };
    for diagnostic in heads.get(head).into_iter().flatten() {
        let segments = diagnostic.path.segments();
        match segments.get(1) {
            Some(Segment::Route(index) | Segment::Index("routes", index)) => {
                problems
                    .routes
                    .entry(*index)
                    .or_default()
                    .push(diagnostic.clone());
            }
            _ => problems.other.push(diagnostic.clone()),
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

/// The worst-case calls on one call edge: the most that reach the callee through it, the factor
/// of that hop, and the smallest budget a chain through it breaks by then.
#[derive(Default)]
struct EdgeLoad {
    calls: u64,
    factor: (u64, u64),
    over: Option<u64>,
}

impl EdgeLoad {
    /// `≤ 6 calls: (1+1) × (1+2)`, and the CM0301 line when over the budget.
    fn describe(&self) -> (String, Option<String>) {
        let (retries, app_retries) = self.factor;
        (
            format!("≤ {} calls: (1+{retries}) × (1+{app_retries})", self.calls),
            self.over
                .map(|budget| format!("⚠ CM0301 over the retry budget of {budget}")),
        )
    }
}

/// The checker's chain numbers (`check::costs`), folded onto the edges they pass: keyed by
/// (caller, callee), a chain that starts at a service nobody calls entering it from "".
fn edge_loads(mesh: &Mesh) -> BTreeMap<(String, String), EdgeLoad> {
    let mut loads: BTreeMap<(String, String), EdgeLoad> = BTreeMap::new();
    for chain in chain_costs(mesh) {
        let budget = chain.budget.max_worst_case_calls;
        let mut previous = if chain.members.len() > chain.hops.len() {
            chain.members.first().cloned().unwrap_or_default()
        } else {
            String::new()
        };
        let mut calls = 1_u64;
        for hop in &chain.hops {
            calls = calls.saturating_mul(hop.worst_case_calls());
            let load = loads.entry((previous, hop.service.clone())).or_default();
            if calls >= load.calls {
                load.calls = calls;
                load.factor = (hop.mesh_retries, hop.app_retries);
            }
            if budget > 0 && calls > budget {
                load.over = Some(load.over.map_or(budget, |b| b.min(budget)));
            }
            previous = hop.service.clone();
        }
    }
    loads
}

/// Ids of what can be called: services `s<i>`, external callers `x<i>`, gateways `g<i>`.
struct Ids<'a> {
    services: BTreeMap<&'a str, usize>,
    callers: BTreeMap<&'a str, usize>,
}

impl<'a> Ids<'a> {
    fn of(mesh: &'a Mesh) -> Self {
        // Reversed so that a repeated name (CM0101) maps to its first declaration.
        let index = |names: Vec<&'a str>| {
            names
                .into_iter()
                .enumerate()
                .rev()
                .map(|(i, name)| (name, i))
                .collect()
        };
        Self {
            services: index(mesh.services.iter().map(|s| s.name.as_str()).collect()),
            callers: index(
                mesh.external_callers
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect(),
            ),
        }
    }

    fn service(&self, name: &str) -> Option<String> {
        self.services.get(name).map(|i| format!("s{i}"))
    }

    /// The declared service `name` (its first declaration), found in the index rather than by
    /// a scan of the mesh per call.
    fn declared(&self, mesh: &'a Mesh, name: &str) -> Option<&'a Service> {
        self.services.get(name).and_then(|&i| mesh.services.get(i))
    }

    fn caller(&self, name: &str) -> Option<String> {
        self.service(name)
            .or_else(|| self.callers.get(name).map(|i| format!("x{i}")))
    }
}

/// Builds the scene.
struct Builder<'a> {
    mesh: &'a Mesh,
    /// Every service's declared callers, gathered once ([`Mesh::callers`]).
    callers: Callers<'a>,
    diagnostics: Diagnostics,
    /// The diagnostics by the service or gateway they are about ([`by_head`]).
    heads: BTreeMap<Segment, Vec<Diagnostic>>,
    ids: Ids<'a>,
    loads: BTreeMap<(String, String), EdgeLoad>,
    chain_problems: BTreeMap<(String, String), Vec<Diagnostic>>,
    edges: Vec<Edge>,
    strays: Vec<Node>,
}

impl Builder<'_> {
    /// A node for a callee nobody declares.
    fn undeclared(&mut self, name: &str) -> String {
        let id = format!("u{}", self.strays.len());
        self.strays.push(Node {
            id: id.clone(),
            lines: vec![name.to_owned(), "⚠ not declared".to_owned()],
            shape: Shape::Missing,
            problem: true,
        });
        id
    }

    /// A call edge from `from` (the node id of `caller`) into `callee`, labelled with the
    /// worst-case calls of the hop and any problem of the chains through it; `to` overrides the
    /// node it ends at (a gateway route to a subset).
    fn call(
        &mut self,
        caller: &str,
        from: String,
        account: Option<&ServiceAccountRef>,
        callee: &str,
        to: Option<String>,
        extra: Option<String>,
    ) {
        let mut label: Vec<String> = extra.into_iter().collect();
        let mut problem = false;
        let to = match self.ids.declared(self.mesh, callee) {
            Some(service) => {
                if account.is_some_and(|account| !service.admits(account)) {
                    label.push("✗ not allowed: 403".to_owned());
                    problem = true;
                }
                to.or_else(|| self.ids.service(callee)).unwrap_or_default()
            }
            None => {
                problem = true;
                self.undeclared(callee)
            }
        };
        let key = (caller.to_owned(), callee.to_owned());
        if let Some(load) = self.loads.get(&key) {
            let (text, over) = load.describe();
            label.insert(0, text);
            if let Some(over) = over {
                label.push(over);
                problem = true;
            }
        }
        for diagnostic in self.chain_problems.get(&key).into_iter().flatten() {
            label.push(problem_line(diagnostic));
            problem = true;
        }
        self.edges.push(Edge {
            from,
            to,
            label: (!label.is_empty()).then(|| label.join("\n")),
            kind: EdgeKind::Call,
            problem,
        });
    }

    /// One gateway's box: the gateway, its routes in order, and the edge hop of each route
    /// into the services it targets.
    fn gateway(&mut self, index: usize, gateway: &Gateway) -> Cluster {
        let id = format!("g{index}");
        let problems = problems_of(&self.heads, &Segment::Gateway(gateway.name.clone()));
        // Without the diagnostics' code quotes: Mermaid reads backticks as Markdown.
        let mut lines = vec![
            gateway.name.clone(),
            gateway.runtime.describe().replace('`', ""),
        ];
        lines.push(words::listeners(&words::gateway_listeners(gateway)));
        let account = gateway.principal_account(&self.mesh.namespace);
        if let Some(account) = &account {
            lines.push(format!("as {account}"));
        }
        lines.extend(problems.other.iter().map(problem_line));
        let mut nodes = vec![Node {
            id: id.clone(),
            lines,
            shape: Shape::Gateway,
            problem: !problems.other.is_empty(),
        }];
        for (route_index, route) in gateway.routes.iter().enumerate() {
            let route_id = format!("{id}_r{route_index}");
            let route_problems = problems.routes.get(&route_index);
            let mut lines = vec![
                format!("{}. {}", route_index + 1, route.name),
                words::gateway_matches(&route.matches),
                format!(
                    "timeout {} · retries {}",
                    words::timeout(route.timeout),
                    words::gateway_retries(gateway, route.retries.as_ref())
                ),
            ];
            lines.extend(route_problems.into_iter().flatten().map(problem_line));
            nodes.push(Node {
                id: route_id.clone(),
                lines,
                shape: Shape::Route,
                problem: route_problems.is_some(),
            });
            self.edges.push(Edge {
                from: id.clone(),
                to: route_id.clone(),
                label: None,
                kind: EdgeKind::Route,
                problem: false,
            });
            let legs = words::edge_legs(&route.target);
            let total: u64 = legs.iter().filter_map(|l| l.weight).sum();
            for leg in &legs {
                let to = leg.subset.as_deref().and_then(|subset| {
                    let service_index = *self.ids.services.get(leg.service.as_str())?;
                    let service = self.mesh.services.get(service_index)?;
                    let subset_index = service.subsets.iter().position(|s| s.name == subset)?;
                    Some(format!("s{service_index}_sub{subset_index}"))
                });
                let share = match (&route.target, leg.weight) {
                    (GatewayTarget::Split(_), Some(weight)) => Some(words::percent(weight, total)),
                    _ => None,
                };
                // The renderer admits a gateway's principal beside written rules, so a gateway
                // hop is never refused.
                self.call(
                    &gateway.name,
                    route_id.clone(),
                    None,
                    &leg.service,
                    to,
                    share,
                );
            }
        }
        Cluster {
            id: format!("c{id}"),
            title: vec![format!("gateway {}", gateway.name)],
            guarded: false,
            nodes,
        }
    }
}

pub(crate) fn scene(mesh: &Mesh) -> Scene {
    let diagnostics = connectum_mesh_core::check(mesh);
    // Chain problems other than the retry budget, on every edge of their chain; the budget is
    // drawn from the numbers themselves, at the hop where it breaks.
    let mut chain_problems: BTreeMap<(String, String), Vec<Diagnostic>> = BTreeMap::new();
    for diagnostic in diagnostics.all() {
        if diagnostic.code == RETRY_AMPLIFICATION.code {
            continue;
        }
        if let Some(members) = chain_members(diagnostic) {
            for pair in members.windows(2) {
                chain_problems
                    .entry((pair[0].clone(), pair[1].clone()))
                    .or_default()
                    .push(diagnostic.clone());
            }
        }
    }
    let mut builder = Builder {
        mesh,
        callers: mesh.callers(),
        heads: by_head(&diagnostics),
        diagnostics,
        ids: Ids::of(mesh),
        loads: edge_loads(mesh),
        chain_problems,
        edges: Vec::new(),
        strays: Vec::new(),
    };

    let mut clusters: Vec<Cluster> = mesh
        .gateways
        .iter()
        .enumerate()
        .map(|(index, gateway)| builder.gateway(index, gateway))
        .collect();

    let callers = mesh
        .external_callers
        .iter()
        .enumerate()
        .map(|(index, caller)| {
            let id = format!("x{index}");
            for callee in &caller.calls {
                builder.call(
                    &caller.name,
                    id.clone(),
                    Some(&caller.service_account),
                    callee,
                    None,
                    None,
                );
            }
            Node {
                id,
                lines: vec![
                    caller.name.clone(),
                    format!("as {}", caller.service_account),
                ],
                shape: Shape::Caller,
                problem: false,
            }
        })
        .collect();

    for (index, service) in mesh.services.iter().enumerate() {
        let account = ServiceAccountRef::new(&mesh.namespace, service.service_account_name());
        let from = builder.ids.caller(&service.name).unwrap_or_default();
        for callee in &service.calls {
            builder.call(
                &service.name,
                from.clone(),
                Some(&account),
                callee,
                None,
                None,
            );
        }
        let (cluster, cluster_edges) = service_cluster(&builder, service, index);
        clusters.push(cluster);
        builder.edges.extend(cluster_edges);
    }

    let mesh_problems: Vec<String> = builder
        .diagnostics
        .all()
        .iter()
        .filter(|d| {
            d.path.segments().first().is_none_or(|head| {
                !matches!(
                    head,
                    Segment::Service(_) | Segment::Chain(_) | Segment::Gateway(_)
                )
            })
        })
        .map(|d| format!("{} at {}", problem_line(d), d.path))
        .collect();
    if !mesh_problems.is_empty() {
        builder.strays.push(Node {
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
        strays: builder.strays,
        edges: builder.edges,
    }
}

/// One service's box: its host, routes in order, subsets, and the edges between them.
fn service_cluster(builder: &Builder<'_>, service: &Service, index: usize) -> (Cluster, Vec<Edge>) {
    let mesh = builder.mesh;
    let id = format!("s{index}");
    let problems = problems_of(&builder.heads, &Segment::Service(service.name.clone()));
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    let mut host_lines = vec![
        service.name.clone(),
        format!(
            "port {} · mTLS {}",
            service.port,
            service.mtls_override.unwrap_or(mesh.mtls).as_istio()
        ),
    ];
    let mut host_problem = !problems.other.is_empty();
    if let Some(load) = builder.loads.get(&(String::new(), service.name.clone())) {
        let (text, over) = load.describe();
        host_lines.push(format!("entry point: {text}"));
        host_problem |= over.is_some();
        host_lines.extend(over);
    }
    host_lines.extend(problems.other.iter().map(problem_line));
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
                words::timeout(route.timeout),
                words::retry_count(route.retries.as_ref())
            ),
        ];
        lines.extend(route_problems.into_iter().flatten().map(problem_line));
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
    let admitted = words::admitted(mesh, &builder.callers, service);
    let mut title = vec![service.name.clone()];
    if let Some(admitted) = &admitted {
        title.push(format!("allow: {admitted}"));
    }
    (
        Cluster {
            id: format!("c{index}"),
            title,
            guarded: admitted.is_some(),
            nodes,
        },
        edges,
    )
}
