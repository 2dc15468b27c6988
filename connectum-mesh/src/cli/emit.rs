//! `emit`: render the mesh as YAML or JSON on stdout, or as a directory `kubectl apply -k` takes.

use std::path::PathBuf;

use clap::{ArgMatches, Args, FromArgMatches, ValueEnum};

use super::{Context, Exit, Subcommand};
use crate::emit::{self, EmitError, Format};
use crate::render::{IstioApi, RenderOptions, render_with};

pub(super) const SUBCOMMAND: Subcommand = Subcommand {
    name: "emit",
    command,
    run,
};

#[derive(Args)]
struct EmitArgs {
    /// Write one file per object and a kustomization.yaml into DIR (only changed files are rewritten).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Yaml)]
    format: FormatArg,
    /// Istio API versions: v1 (Istio 1.22+) or v1beta1 (older clusters).
    #[arg(long, value_enum, default_value_t = IstioApiArg::V1)]
    istio_api: IstioApiArg,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Yaml,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum IstioApiArg {
    V1,
    V1beta1,
}

fn command() -> clap::Command {
    EmitArgs::augment_args(
        clap::Command::new("emit")
            .about("Render the mesh: YAML to stdout, or a directory with --out"),
    )
}

fn run(context: &mut Context<'_>, matches: &ArgMatches) -> Exit {
    let args = match EmitArgs::from_arg_matches(matches) {
        Ok(args) => args,
        Err(error) => {
            context.report(error.render());
            return Exit::Usage;
        }
    };
    let format = match args.format {
        FormatArg::Yaml => Format::Yaml,
        FormatArg::Json => Format::Json,
    };
    let istio_api = match args.istio_api {
        IstioApiArg::V1 => IstioApi::V1,
        IstioApiArg::V1beta1 => IstioApi::V1beta1,
    };
    let manifests = match render_with(context.mesh, &RenderOptions { istio_api }) {
        Ok(manifests) => manifests,
        Err(error) => {
            context.report(error);
            return Exit::Problems;
        }
    };
    if !manifests.warnings().is_empty() {
        context.report(manifests.warnings());
    }
    let result = match &args.out {
        Some(dir) => emit::write_dir(&manifests, dir, format).map(|files| {
            context.report(format_args!(
                "wrote {} objects and kustomization.yaml to {}",
                files.len(),
                dir.display()
            ));
        }),
        None => match format {
            Format::Yaml => emit::to_yaml(&manifests),
            Format::Json => emit::to_json(&manifests),
        }
        .and_then(|text| {
            context
                .out
                .write_all(text.as_bytes())
                .map_err(|source| EmitError::Io {
                    path: PathBuf::from("<stdout>"),
                    source,
                })
        }),
    };
    match result {
        Ok(()) => Exit::Success,
        Err(error) => {
            context.report(error);
            Exit::Problems
        }
    }
}
