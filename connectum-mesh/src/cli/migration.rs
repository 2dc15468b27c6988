//! `migration`: print the guide's migration checklist for this mesh, from no mesh to Istio.

use clap::ArgMatches;

use super::{Context, Exit, Subcommand};

pub(super) const SUBCOMMAND: Subcommand = Subcommand {
    name: "migration",
    command,
    run,
};

fn command() -> clap::Command {
    clap::Command::new("migration")
        .about("Print the checklist for moving this mesh from no mesh (app TLS) to Istio")
}

fn run(context: &mut Context<'_>, _matches: &ArgMatches) -> Exit {
    let _ = write!(context.out, "{}", crate::migration::checklist(context.mesh));
    Exit::Success
}
