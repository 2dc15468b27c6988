//! `emit`: render the mesh as YAML or JSON on stdout, or as a directory `kubectl apply -k` takes.

use std::path::PathBuf;

use clap::{ArgMatches, Args, FromArgMatches};
use connectum_mesh_core::MeshMode;

use super::{Context, Exit, Subcommand, WordParser};
use crate::emit::{self, Format};
use crate::render::{IstioApi, RenderOptions, render_lazily};

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
    /// Also write each service's Connectum settings as `<service>.connectum.ts` into DIR.
    #[arg(long, value_name = "DIR")]
    app_settings: Option<PathBuf>,
    /// Output format.
    #[arg(long, default_value = "yaml", value_parser = WordParser::<Format>::new())]
    format: Format,
    /// Istio API versions: v1 (Istio 1.22+) or v1beta1 (older clusters).
    #[arg(long, default_value = "v1", value_parser = WordParser::<IstioApi>::new())]
    istio_api: IstioApi,
    /// Render for Istio, or without a mesh (application TLS, no Istio objects); default: the
    /// mesh's own mode.
    #[arg(long, value_name = "MODE", value_parser = WordParser::<MeshMode>::new())]
    mesh: Option<MeshMode>,
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
    let EmitArgs {
        format, istio_api, ..
    } = args;
    let mesh = super::in_mode(context.mesh, args.mesh);
    // Rendered lazily: stdout gets one object at a time; a directory takes them all at once.
    let manifests = match render_lazily(&mesh, &RenderOptions { istio_api }) {
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
        Some(dir) => emit::write_dir(&manifests.collect(), dir, format).map(|files| {
            context.report(format_args!(
                "wrote {} objects and kustomization.yaml to {}",
                files.len(),
                dir.display()
            ));
        }),
        None => match format {
            Format::Yaml => emit::write_yaml(manifests.documents(), &mut *context.out),
            Format::Json => emit::write_json(manifests.documents(), &mut *context.out),
        },
    };
    let result = result.and_then(|()| match &args.app_settings {
        Some(dir) => emit::write_files(dir, &emit::app_settings_files(context.mesh)).map(|_| ()),
        None => Ok(()),
    });
    match result {
        Ok(()) => Exit::Success,
        Err(error) => {
            context.report(error);
            Exit::Problems
        }
    }
}
