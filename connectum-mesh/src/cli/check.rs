//! `check`: run the checker and print every diagnostic; exit 1 when there are errors.

use clap::ArgMatches;

use super::{Context, Exit, Subcommand};

pub(super) const SUBCOMMAND: Subcommand = Subcommand {
    name: "check",
    command,
    run,
};

fn command() -> clap::Command {
    clap::Command::new("check")
        .about("Check the mesh and print every diagnostic; exit 1 when there are errors")
}

fn run(context: &mut Context<'_>, _matches: &ArgMatches) -> Exit {
    let diagnostics = connectum_mesh_core::check(context.mesh);
    let _ = writeln!(context.out, "{diagnostics}");
    if diagnostics.has_errors() {
        Exit::Problems
    } else {
        Exit::Success
    }
}
