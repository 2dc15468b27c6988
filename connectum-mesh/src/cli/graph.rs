//! `graph`: print a diagram of the mesh as Mermaid or Graphviz DOT.

use clap::{ArgMatches, Args, FromArgMatches};
use connectum_mesh_core::MeshMode;

use super::{Context, Exit, Subcommand, WordParser};
use crate::review::{DiagramFormat, diagram};

pub(super) const SUBCOMMAND: Subcommand = Subcommand {
    name: "graph",
    command,
    run,
};

#[derive(Args)]
struct GraphArgs {
    /// Under Istio, or without a mesh (no mesh retries, no policies); default: the mesh's own
    /// mode.
    #[arg(long, value_name = "MODE", value_parser = WordParser::<MeshMode>::new())]
    mesh: Option<MeshMode>,
    /// Diagram language: mermaid (Markdown viewers draw it) or dot (Graphviz: `| dot -Tsvg`).
    #[arg(long, default_value = "mermaid", value_parser = WordParser::<DiagramFormat>::new())]
    format: DiagramFormat,
}

fn command() -> clap::Command {
    GraphArgs::augment_args(clap::Command::new("graph").about(
        "Print a diagram of the mesh: gateways, callers, services, routes, subsets, split weights, worst-case calls per hop, mTLS and allow rules, problems in red",
    ))
}

fn run(context: &mut Context<'_>, matches: &ArgMatches) -> Exit {
    let args = match GraphArgs::from_arg_matches(matches) {
        Ok(args) => args,
        Err(error) => {
            context.report(error.render());
            return Exit::Usage;
        }
    };
    let mesh = super::in_mode(context.mesh, args.mesh);
    if let Err(error) = write!(context.out, "{}", diagram(&mesh, args.format)) {
        context.report(format_args!("could not write the diagram: {error}"));
        return Exit::Problems;
    }
    Exit::Success
}
