//! `graph`: print a diagram of the mesh as Mermaid or Graphviz DOT.

use clap::{ArgMatches, Args, FromArgMatches, ValueEnum};

use super::{Context, Exit, Subcommand};
use crate::review::{DiagramFormat, diagram};

pub(super) const SUBCOMMAND: Subcommand = Subcommand {
    name: "graph",
    command,
    run,
};

#[derive(Args)]
struct GraphArgs {
    /// Diagram language: mermaid (Markdown viewers draw it) or dot (Graphviz: `| dot -Tsvg`).
    #[arg(long, value_enum, default_value_t = FormatArg::Mermaid)]
    format: FormatArg,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Mermaid,
    Dot,
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
    let format = match args.format {
        FormatArg::Mermaid => DiagramFormat::Mermaid,
        FormatArg::Dot => DiagramFormat::Dot,
    };
    if let Err(error) = write!(context.out, "{}", diagram(context.mesh, format)) {
        context.report(format_args!("could not write the diagram: {error}"));
        return Exit::Problems;
    }
    Exit::Success
}
