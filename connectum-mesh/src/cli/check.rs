//! `check`: run the checker and print every diagnostic; exit 1 when there are errors.

use clap::{ArgMatches, Args, FromArgMatches};

use super::{Context, Exit, Subcommand};

pub(super) const SUBCOMMAND: Subcommand = Subcommand {
    name: "check",
    command,
    run,
};

#[derive(Args)]
struct CheckArgs {
    /// Check as rendered for Istio, or without a mesh (the rules follow the mode); default: the
    /// mesh's own mode.
    #[arg(long, value_name = "MODE", value_parser = super::WordParser::<connectum_mesh_core::MeshMode>::new())]
    mesh: Option<connectum_mesh_core::MeshMode>,
}

fn command() -> clap::Command {
    CheckArgs::augment_args(
        clap::Command::new("check")
            .about("Check the mesh and print every diagnostic; exit 1 when there are errors"),
    )
}

fn run(context: &mut Context<'_>, matches: &ArgMatches) -> Exit {
    let args = match CheckArgs::from_arg_matches(matches) {
        Ok(args) => args,
        Err(error) => {
            context.report(error.render());
            return Exit::Usage;
        }
    };
    let diagnostics = connectum_mesh_core::check(&super::in_mode(context.mesh, args.mesh));
    let _ = writeln!(context.out, "{diagnostics}");
    if diagnostics.has_errors() {
        Exit::Problems
    } else {
        Exit::Success
    }
}
