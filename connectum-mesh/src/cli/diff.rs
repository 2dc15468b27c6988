//! `diff --against DIR`: what applying the mesh would change in the manifests `emit --out`
//! wrote to DIR, in review words; exit 0 when nothing changed, 1 when something did, 2 when
//! nothing could be compared (as diff(1) does: a script tells changes from trouble).

use std::path::PathBuf;

use clap::{ArgMatches, Args, FromArgMatches};
use connectum_mesh_core::MeshMode;

use super::{Context, Exit, Subcommand, WordParser};
use crate::review::MeshDiff;

pub(super) const SUBCOMMAND: Subcommand = Subcommand {
    name: "diff",
    command,
    run,
};

#[derive(Args)]
struct DiffArgs {
    /// Under Istio, or without a mesh (no mesh retries, no policies); default: the mesh's own
    /// mode.
    #[arg(long, value_name = "MODE", value_parser = WordParser::<MeshMode>::new())]
    mesh: Option<MeshMode>,
    /// A directory `emit --out` wrote earlier (e.g. the committed deploy/ directory).
    #[arg(long, value_name = "DIR")]
    against: PathBuf,
    /// Output format: text (grouped per service) or json.
    #[arg(long, default_value = "text", value_parser = WordParser::<DiffFormat>::new())]
    format: DiffFormat,
}

/// How the changes are printed.
#[derive(Clone, Copy, PartialEq)]
enum DiffFormat {
    /// Grouped per gateway and service, one line per change.
    Text,
    /// `{"changes": [...]}`.
    Json,
}

impl connectum_mesh_core::Words for DiffFormat {
    const WHAT: &'static str = "diff format";
    const WORDS: &'static [(&'static str, Self)] = &[("text", Self::Text), ("json", Self::Json)];
}

fn command() -> clap::Command {
    DiffArgs::augment_args(clap::Command::new("diff").about(
        "List what changed since DIR was emitted, per service and gateway, before → after; exit 0 no changes, 1 changes, 2 nothing compared",
    ))
}

fn run(context: &mut Context<'_>, matches: &ArgMatches) -> Exit {
    let args = match DiffArgs::from_arg_matches(matches) {
        Ok(args) => args,
        Err(error) => {
            context.report(error.render());
            return Exit::Usage;
        }
    };
    let mesh = super::in_mode(context.mesh, args.mesh);
    let diff = match MeshDiff::against_dir(&mesh, &args.against) {
        Ok(diff) => diff,
        Err(error) => {
            context.report(error);
            return Exit::Usage;
        }
    };
    let text = match args.format {
        DiffFormat::Text => Ok(diff.to_string()),
        DiffFormat::Json => diff.to_json(),
    };
    let written = text
        .map_err(|e| e.to_string())
        .and_then(|text| write!(context.out, "{text}").map_err(|e| e.to_string()));
    if let Err(error) = written {
        context.report(format_args!("could not write the diff: {error}"));
        return Exit::Usage;
    }
    if diff.is_empty() {
        Exit::Success
    } else {
        Exit::Problems
    }
}
