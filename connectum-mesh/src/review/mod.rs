//! Reviewing a mesh before it deploys: a diagram of what is declared, and a semantic diff
//! between two versions of it in the words a reviewer reads.
//!
//! Both read the model and the checker's own results ([`check`](crate::check()),
//! [`chain_costs`](crate::check::costs::chain_costs)): the worst-case calls on a diagram's
//! edge are the numbers the retry budget (CM0301) judges, never a second computation.
//!
//! ```
//! use connectum_mesh::review::{DiagramFormat, diagram};
//! use connectum_mesh::{Mesh, Service};
//!
//! let mesh = Mesh::builder()
//!     .namespace("connectum")
//!     .services([Service::builder().name("order-service").image("order:1.0.0").build()])
//!     .build();
//! let mermaid = diagram(&mesh, DiagramFormat::Mermaid);
//! assert!(mermaid.starts_with("flowchart LR\n"));
//! assert!(diagram(&mesh, DiagramFormat::Dot).starts_with("digraph mesh {"));
//! ```

mod against;
mod diff;
mod draw;
mod facts;
mod manifests;
mod scene;
mod words;

pub use against::AgainstError;
pub use diff::{Change, MeshDiff};

use connectum_mesh_core::Mesh;

/// The language a diagram is written in; reads `mermaid` and `dot` (`"dot".parse()`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DiagramFormat {
    /// A Mermaid flowchart: GitHub, GitLab and most Markdown viewers draw it in a
    /// ```` ```mermaid ```` block.
    #[default]
    Mermaid,
    /// A Graphviz digraph: `dot -Tsvg mesh.dot > mesh.svg`.
    Dot,
}

impl connectum_mesh_core::Words for DiagramFormat {
    const WHAT: &'static str = "diagram format";
    const WORDS: &'static [(&'static str, Self)] =
        &[("mermaid", Self::Mermaid), ("dot", Self::Dot)];
}

connectum_mesh_core::words_from_str!(DiagramFormat);

/// A diagram of `mesh`: its gateways (runtime, listeners, principal) with their routes in
/// order, its external callers, one box per service (its host, routes in evaluation order with
/// their matches, timeouts and mesh retries, and its subsets with image and replicas), the
/// split weights on the route edges, and who calls whom with the worst-case calls one request
/// becomes by that hop (the gateway's or mesh retries × app retries along the chain), from a
/// gateway route into the service or subset it targets too.
///
/// Services an AuthorizationPolicy guards are drawn with a bold border (the authorization
/// boundary) and list whom they admit (their allow rules and the gateways routing to them, or
/// the principals of their declared callers); each box names its mTLS mode. When the checker finds problems,
/// they are marked in red where they are: a call over the retry budget, a call the callee's
/// allow rules refuse, a route to a subset nobody declares, the code and title on the route or
/// service they concern.
///
/// The text is deterministic: the same mesh gives byte-identical output.
#[must_use]
pub fn diagram(mesh: &Mesh, format: DiagramFormat) -> String {
    let scene = scene::scene(mesh);
    match format {
        DiagramFormat::Mermaid => draw::mermaid(&scene),
        DiagramFormat::Dot => draw::dot(&scene),
    }
}

#[cfg(test)]
mod tests;
